"""Reservations (palveluvaraus, seed 003 K4.1) and what a provider sees of customers (K4.2). Pure.

A provider activates an entitlement by its decision number and verification code (from the provider
copy), or without the code when the case worker named the provider in the decision. A voucher or
an order is reserved once, by one provider, for one content, at one part (None: the company); a
balance voucher may be reserved by several providers (only those it names, when it names any),
once each. A refusal names its precise reason; the reasons are checked in a fixed order
(``REFUSAL_ORDER``) so that the same request always gets the same answer.

A wrong code and an unknown decision number are one answer (``NO_OPEN_ENTITLEMENT``): telling them
apart would help guessing. They are the only failures that count against the throttle.

A provider sees a customer (K4.2) while it has a valid reservation or order of the customer's
(``has_open_reservation`` and ``reserved_until`` today or later, or open-ended), or an event with
the customer within the last three years (``last_event_on`` on or after the same day three years
ago).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from seteli.domain.entitlements import Entitlement, EntitlementKind, ProviderCustomer, Reservation
from seteli.rules.entitlements import codes_match, is_closed, last_valid_day

NO_OPEN_ENTITLEMENT = "no open entitlement with this decision number and verification code"
YEARS_VISIBLE = 3

# the order in which refusals are checked (first one wins); names of Refusal.reason
REFUSAL_ORDER = (
    "closed",
    "content",
    "part",
    "reserved",
    "other_providers",
    "not_approved",
    "no_price",
)


@dataclass(frozen=True)
class Refusal:
    """Why a reservation is refused: HTTP status, the field to blame and a sentence for people."""

    reason: str
    status: int
    field: str
    message: str


def code_accepted(given: str | None, entitlement: Entitlement | None, provider_id: str) -> bool:
    """Whether the caller may open ``entitlement``: the named provider needs no code; anyone else
    needs the verification code. Compared in constant time, also when there is no entitlement (so
    the time taken does not tell whether the decision number exists)."""
    same = codes_match(given, entitlement.verification_code if entitlement is not None else None)
    if entitlement is None:
        return False
    if entitlement.named_provider_id is not None and entitlement.named_provider_id == provider_id:
        return True
    return same


def content_ids(e: Entitlement) -> list[str]:
    """The contents the entitlement may be used for: its rows, or a balance voucher's contents."""
    if e.kind is EntitlementKind.balance_voucher and e.balance is not None:
        return [c.content_id for c in e.balance.contents]
    return [r.content_id for r in e.rows]


def active(reservations: Iterable[Reservation]) -> list[Reservation]:
    return [r for r in reservations if r.cancelled_at is None]


def price_day(e: Entitlement, today: date) -> date:
    """The day a price list must be valid on: today, or the first day of a validity that starts later."""
    return max(today, e.valid_from)


def refusals(
    e: Entitlement,
    reservations: Iterable[Reservation],
    *,
    provider_id: str,
    part_id: str | None,
    content_id: str,
    part_active: bool,
    approved: bool,
    priced: bool,
    today: date,
) -> list[Refusal]:
    """Every reason to refuse ``provider_id``'s reservation of ``e`` for ``content_id`` at
    ``part_id``, in ``REFUSAL_ORDER``; empty means it may be reserved.

    ``part_active``: the part is an active part of the provider (True for the company, part None);
    ``approved``: the provider has an approved application for ``e.service_id``; ``priced``: an
    approved price list prices the content at the part (or company) on ``price_day``."""
    out: list[Refusal] = []
    number = "body.decision_number"
    if is_closed(e, today):
        out.append(Refusal("closed", 409, number, f"entitlement {e.decision_number} is closed"))
    if content_id not in content_ids(e):
        allowed = ", ".join(content_ids(e)) or "none"
        out.append(
            Refusal(
                "content", 422, "body.content_id", f"the entitlement does not grant this content (it grants {allowed})"
            )
        )
    if part_id is not None and not part_active:
        out.append(Refusal("part", 422, "body.part_id", "not an active part (site, unit or employee) of your provider"))
    taken = active(reservations)
    if e.kind is EntitlementKind.balance_voucher:
        if any(r.provider_id == provider_id for r in taken):
            out.append(Refusal("reserved", 409, number, "already reserved: you have reserved this balance voucher"))
        names = e.balance.provider_ids if e.balance is not None else []
        if names and provider_id not in names:
            out.append(
                Refusal(
                    "other_providers", 409, number, "this balance voucher may be used only with the providers it names"
                )
            )
    elif taken:
        who = "by you" if any(r.provider_id == provider_id for r in taken) else "by another provider"
        out.append(Refusal("reserved", 409, number, f"already reserved {who}: a voucher or order is reserved once"))
    if not approved:
        out.append(
            Refusal(
                "not_approved",
                409,
                number,
                f"your provider has no approved application for service {e.service_id}",
            )
        )
    if not priced:
        out.append(
            Refusal(
                "no_price",
                409,
                "body.content_id",
                f"no approved price list prices this content at this part on {price_day(e, today).isoformat()}",
            )
        )
    return out


def refusal(e: Entitlement, reservations: Iterable[Reservation], **kw) -> Refusal | None:
    """The first reason of ``refusals`` (None: it may be reserved)."""
    found = refusals(e, reservations, **kw)
    return found[0] if found else None


# ---------------------------------------------------------------- providers' view of customers


def years_before(day: date, years: int = YEARS_VISIBLE) -> date:
    """The same day ``years`` earlier (29 February -> 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def visible_to_provider(relation: ProviderCustomer | None, today: date) -> bool:
    """Whether a provider may find the customer of ``relation`` today (K4.2)."""
    if relation is None:
        return False
    if relation.has_open_reservation and (relation.reserved_until is None or relation.reserved_until >= today):
        return True
    return relation.last_event_on is not None and relation.last_event_on >= years_before(today)


def name_key(last_name: str, first_names: str) -> str:
    """What a provider's name search matches: ``"<last> <first>"`` casefolded."""
    return f"{last_name} {first_names}".casefold()


def match_name(key: str, query: str) -> bool:
    """Every word of ``query`` (casefolded) occurs in ``key``; an empty query matches nothing."""
    words = query.casefold().split()
    haystack = key.casefold()
    return bool(words) and all(w in haystack for w in words)


_PERSONAL_ID = re.compile(r"^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$", re.IGNORECASE)
_DECISION_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


def looks_like_personal_id(text: str) -> bool:
    """Whether ``text`` has the shape of a henkilötunnus (it then never belongs in a URL)."""
    return bool(_PERSONAL_ID.match(text.strip()))


def looks_like_decision_number(text: str) -> bool:
    """One word with a digit in it (e.g. JKL-2026-0101): searched as a decision number."""
    t = text.strip()
    return bool(_DECISION_NUMBER.match(t)) and any(ch.isdigit() for ch in t)


def municipality_name_prefix(query: str) -> str:
    """A name query as the prefix of the municipality's name index (``last#first`` casefolded)."""
    words = query.casefold().split()
    if not words:
        return ""
    return words[0] + ("#" + " ".join(words[1:]) if len(words) > 1 else "")


def held_until(held: Iterable[Entitlement]) -> tuple[bool, date | None]:
    """Whether a provider holds a reservation of any of ``held`` (the customer's entitlements it
    has reserved, not cancelled), and the last day one of them is valid (None: open-ended). After a
    closing or a death this ends the provider's view of the customer (K4.2) on time."""
    ends = [last_valid_day(e) for e in held]
    if not ends:
        return False, None
    return True, (None if any(d is None for d in ends) else max(d for d in ends if d is not None))


def reserved_until(current: ProviderCustomer | None, valid_until: date | None) -> date | None:
    """The relation's end after a new reservation ending ``valid_until`` (None: open-ended wins)."""
    if current is None or not current.has_open_reservation:
        return valid_until
    if current.reserved_until is None or valid_until is None:
        return None
    return max(current.reserved_until, valid_until)
