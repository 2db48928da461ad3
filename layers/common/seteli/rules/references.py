"""Payment and invoice references of the settlement. Pure (python-stdnum for the check digits).

- Self-billing (PSOP): every payment carries an ISO 11649 RF creditor reference. Its base is
  ``YYMM`` + the business ID's 8 digits + the service's position in the tenant file (2 digits):
  October 2026, business ID 0112038-9, the tenant's 3rd service -> base ``26100112038903`` ->
  ``RF3826100112038903``. Deterministic: a statement always gets the same reference.
- Provider invoice (Palse, seed 001: "VAMHA-, VAMHE- tai VAMKA-alkuinen viite"): the service's
  prefix + ``YYMM`` + the business ID's 8 digits + a Finnish 7-3-1 check digit over those digits.
  ``invoice_reference("VAMHA", "2026-11", "0112038-9") == "VAMHA2611011203898"``.
- ``normalise_reference`` is how a reference typed on an invoice is compared: no spaces or hyphens,
  upper case.
"""

from __future__ import annotations

import re

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

_BASE = re.compile(r"^[0-9A-Z]{1,21}$")


def rf_reference(base: str) -> str:
    """The RF creditor reference of ``base`` (digits and upper-case letters, at most 21)."""
    base = normalise_reference(base)
    if not _BASE.match(base):
        raise ValueError("an RF reference's base is 1-21 digits or letters")
    check = mod_97_10.calc_check_digits(base + "RF")
    ref = f"RF{check}{base}"
    if not iso11649.is_valid(ref):  # pragma: no cover - stdnum's own arithmetic
        raise ValueError("could not make a valid RF reference")
    return ref


def _digits(business_id: str) -> str:
    digits = re.sub(r"\D", "", business_id)
    if len(digits) != 8:
        raise ValueError("a business ID has 8 digits (1234567-8)")
    return digits


def _yymm(month: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ValueError("a month is YYYY-MM")
    return month[2:4] + month[5:7]


def payment_reference(month: str, business_id: str, service_index: int) -> str:
    """The self-billing payment's RF reference (module docstring)."""
    if not 0 <= service_index <= 99:
        raise ValueError("the service's position is 0-99")
    return rf_reference(f"{_yymm(month)}{_digits(business_id)}{service_index:02d}")


def finnish_check_digit(digits: str) -> str:
    """The Finnish national reference's check digit: weights 7, 3, 1 from the right, the distance
    of the sum to the next ten. ``finnish_check_digit("123") == "2"`` (the reference 1232)."""
    if not digits.isdigit():
        raise ValueError("digits only")
    weights = (7, 3, 1)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def invoice_reference(prefix: str, month: str, business_id: str) -> str:
    """The provider-invoice reference (module docstring)."""
    if not re.fullmatch(r"[A-Z0-9]{2,10}", prefix):
        raise ValueError("a prefix is 2-10 upper-case letters or digits")
    digits = _yymm(month) + _digits(business_id)
    return f"{prefix}{digits}{finnish_check_digit(digits)}"


def normalise_reference(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()
