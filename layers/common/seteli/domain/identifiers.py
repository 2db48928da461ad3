"""Finnish and banking identifiers, validated with python-stdnum.

Each ``normalise_*`` function takes what a person typed (spaces, dashes, lower case) and returns
the one form we store and print, or raises ``ValueError`` with a short reason that never repeats
the value (it could be a personal identity code):

- business ID (Y-tunnus): ``1234567-8``
- IBAN: compact upper case (``FI2112345600000785``); ``format_iban`` prints groups of four
- BIC: compact upper case (``NDEAFIHH``)
- personal identity code (henkilötunnus): upper case, ``131052-308T``
- RF creditor reference (ISO 11649): compact (``RF18539007547034``); ``format_rf`` groups of four

The ``Annotated`` types (``BusinessId``, ``Iban``, ``Bic``, ``PersonalId``, ``RfReference``) make
request models validate and normalise a field: a bad value is a 422 naming the field
(``body.iban``) with the reason, without the value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError
from stdnum import bic as _bic
from stdnum import iban as _iban
from stdnum import iso11649 as _rf
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.fi import hetu as _hetu
from stdnum.fi import ytunnus as _ytunnus


def _reason(exc: ValidationError, what: str) -> str:
    if isinstance(exc, InvalidChecksum):
        return f"not a valid {what}: the check digit does not match"
    if isinstance(exc, InvalidLength):
        return f"not a valid {what}: wrong length"
    if isinstance(exc, InvalidComponent):
        return f"not a valid {what}: a part of it is not valid"
    if isinstance(exc, InvalidFormat):
        return f"not a valid {what}: wrong format"
    return f"not a valid {what}"


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"give the {what} as text")
    if not value.strip():
        raise ValueError(f"give the {what}")
    return value


def _checked(value: Any, what: str, validate: Callable[[str], str]) -> str:
    """``validate(value)`` of a python-stdnum module, its error turned into a plain reason."""
    text = _text(value, what)
    try:
        return validate(text)
    except ValidationError as exc:
        raise ValueError(_reason(exc, what)) from None


def normalise_business_id(value: Any) -> str:
    """A Finnish business ID (Y-tunnus) as ``1234567-8``; the check digit must match."""
    what = "business ID (Y-tunnus, e.g. 1234567-8)"
    return _checked(value, what, lambda text: _ytunnus.format(_ytunnus.validate(text)))


def normalise_iban(value: Any) -> str:
    """An IBAN in compact form (country code, check digits, account), checksum verified."""
    what = "IBAN (e.g. FI21 1234 5600 0007 85)"
    return _checked(value, what, _iban.validate)


def format_iban(value: str) -> str:
    """An IBAN for people: groups of four (``FI21 1234 5600 0007 85``)."""
    return _iban.format(value)


def mask_iban(value: str) -> str:
    """An IBAN for an email: groups of four, all but the country code and the last four characters
    hidden (``FI** **** **** **07 85``)."""
    printed = _iban.format(value)
    total = sum(c.isalnum() for c in printed)
    out, seen = [], 0
    for c in printed:
        if c.isalnum():
            seen += 1
            out.append(c if seen <= 2 or seen > total - 4 else "*")
        else:
            out.append(c)
    return "".join(out)


def normalise_bic(value: Any) -> str:
    """A BIC (SWIFT code) of 8 or 11 characters, upper case."""
    what = "BIC (e.g. NDEAFIHH)"
    return _checked(value, what, _bic.validate)


def normalise_personal_id(value: Any) -> str:
    """A Finnish personal identity code (henkilötunnus), upper case. Never log the result."""
    what = "personal identity code (henkilötunnus)"
    return _checked(value, what, _hetu.validate)


def normalise_rf_reference(value: Any) -> str:
    """An RF creditor reference (ISO 11649) in compact form, check digits verified."""
    what = "RF creditor reference (e.g. RF18 5390 0754 7034)"
    return _checked(value, what, _rf.validate)


def format_rf(value: str) -> str:
    """An RF creditor reference for people: groups of four."""
    return _rf.format(value)


def is_valid(normalise, value: Any) -> bool:
    """Whether ``normalise`` accepts ``value`` (``is_valid(normalise_iban, text)``)."""
    try:
        normalise(value)
    except ValueError:
        return False
    return True


def _pydantic(normalise, kind: str):
    """A before-validator that turns the reason into a pydantic error without the input value."""

    def validate(value: Any) -> str:
        try:
            return normalise(value)
        except ValueError as exc:
            raise PydanticCustomError(kind, str(exc)) from None

    return BeforeValidator(validate)


BusinessId = Annotated[
    str,
    _pydantic(normalise_business_id, "business_id"),
    WithJsonSchema(
        {"type": "string", "pattern": r"^\d{7}-\d$", "description": "Finnish business ID (Y-tunnus), 1234567-8"}
    ),
]
Iban = Annotated[
    str,
    _pydantic(normalise_iban, "iban"),
    WithJsonSchema({"type": "string", "description": "IBAN; spaces allowed, stored compact", "maxLength": 42}),
]
Bic = Annotated[
    str,
    _pydantic(normalise_bic, "bic"),
    WithJsonSchema({"type": "string", "description": "BIC (SWIFT), 8 or 11 characters", "maxLength": 11}),
]
PersonalId = Annotated[
    str,
    _pydantic(normalise_personal_id, "personal_id"),
    WithJsonSchema({"type": "string", "description": "Finnish personal identity code (henkilötunnus)"}),
]
RfReference = Annotated[
    str,
    _pydantic(normalise_rf_reference, "rf_reference"),
    WithJsonSchema({"type": "string", "description": "RF creditor reference (ISO 11649)", "maxLength": 35}),
]
