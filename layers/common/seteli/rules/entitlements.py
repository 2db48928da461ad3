"""Rules of entitlements (spec 6): their state, and the codes printed on the papers.

Pure functions: no I/O. The grant's validation, the death closures and the provider copy's rows
join this module with the grants (issue 4).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import date

from seteli.domain.entitlements import Entitlement, EntitlementState

# Codes are read off paper and typed by people: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 10  # 25**10 ~ 9.5e13 codes: unguessable behind the throttles


def new_code(length: int = CODE_LENGTH) -> str:
    """A random verification or citizen code from ``secrets`` (never ``random``)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(code: str | None) -> str:
    """What the holder typed, as compared: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in (code or "") if ch not in " -\t").upper()


def codes_match(typed: str | None, expected: str | None) -> bool:
    """Constant-time comparison; also when there is nothing to compare with, so the time taken does
    not tell whether the decision number exists. An empty code never matches."""
    a = normalise_code(typed).encode("utf-8")
    b = normalise_code(expected).encode("utf-8") if expected else b"-" * CODE_LENGTH
    return hmac.compare_digest(a, b) and bool(a) and expected is not None


def is_closed(e: Entitlement, on: date) -> bool:
    """Closed by the case worker or a death (``closed_on`` reached), or its validity has ended."""
    if e.closed_on is not None and e.closed_on <= on:
        return True
    return e.valid_until is not None and e.valid_until < on


def state(e: Entitlement, on: date, *, used_up: bool = False) -> EntitlementState:
    """granted / open / closed, derived (never stored): closed when ended, closed or used up;
    open once reserved (``e.reserved_by``) or charged (``e.used``); granted before that."""
    if used_up or is_closed(e, on):
        return EntitlementState.closed
    return EntitlementState.open if (e.used or e.reserved_by) else EntitlementState.granted
