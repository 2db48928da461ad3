"""Constrained types for the API boundary: strict, ISO-only, reused across handlers."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints, WithJsonSchema

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^20\d{2}-(0[1-9]|1[0-2])$")


def _iso_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("use an ISO date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError("not a calendar date (YYYY-MM-DD)") from exc


def _month(value: Any) -> str:
    if not isinstance(value, str) or not _MONTH.match(value):
        raise ValueError("use a month YYYY-MM (years 2000-2099)")
    return value


IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _ISO_DATE.pattern}),
]
Month = Annotated[str, BeforeValidator(_month), WithJsonSchema({"type": "string", "pattern": _MONTH.pattern})]
Lang = Literal["fi", "sv", "en"]
# Ids chosen by the system: letters, digits and dashes; never a personal identity code.
Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Limit = Annotated[int, Field(ge=1, le=100)]

# A decision number (päätösnumero; "setelin numero" on a voucher) as the municipality writes it:
# it names an entitlement in paths, so it is restricted to what is safe there.
_DECISION_NUMBER = StringConstraints(
    strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
)
DecisionNumberInPath = Annotated[str, _DECISION_NUMBER]
DecisionNumber = Annotated[
    str,
    _DECISION_NUMBER,
    Field(description="The decision number (päätösnumero), unique in the municipality", examples=["JKL-2026-0101"]),
]
Version = Annotated[int, Field(ge=0, description="The version you read; a stale one is a 409")]

_HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _hh_mm(value: Any) -> time:
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not _HH_MM.match(value):
        raise ValueError("use a time HH:MM (00:00-23:59)")
    return time.fromisoformat(value)


# A time of day as people type it on a timesheet: "09:00", "11:15".
HourMinute = Annotated[
    time,
    BeforeValidator(_hh_mm),
    WithJsonSchema({"type": "string", "pattern": _HH_MM.pattern, "examples": ["09:15"]}),
]
