"""Interruptions (keskeytys): how the days are split and paid, and when they are settled. Pure.

Spec section 8, seed 003 K4.3.5.1-K4.3.5.6.

- An interruption runs from the departure day ("day 0") to the return day, both included. Day n is
  the n-th day after the departure day. Each day gets its percentage from the tenant's
  :class:`~seteli.domain.tenant.InterruptionRule`: day 0 the departure percentage, days 1, 2, ... the
  band that holds them, and the return day the return-day percentage, whatever its number.
- A one-day interruption (return day == departure day: the customer left and came back the same
  day) is that one day at the *departure* percentage, numbered 0 and not flagged as the return day.
  The customer was present for part of it as on any departure day; it is paid once, never twice.
- Each day is paid at its percentage of what that day would be paid as attendance (spec 7: the
  voucher value capped at the day's price), rounded half-up to the cent *per day*; the total is the
  sum of the days, not a rounded product. A day already paid by another record (the return day in an
  attendance event) is listed with zero and the id of that record.
- Settlement: an interruption is settled with the month of its return day when its end is recorded
  by the provider deadline (day 2 of the next month), otherwise with the month whose deadline had not
  passed when the end was recorded (K4.3.5.3, K4.3.5.4). The run for month M takes place in M + 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from seteli.domain.events import InterruptionDay
from seteli.domain.money import Money
from seteli.domain.tenant import Band, InterruptionRule

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Split:
    """One day of an interruption with the percentage its rule gives it."""

    on: date
    day_number: int  # 0 = departure day; the return day keeps its real number
    percent: int
    return_day: bool
    band: str  # "day 0", "days 1-10", "days 11-", "return day"


def band_label(band: Band) -> str:
    """``days 1-10``, ``day 5`` (a one-day band) or ``days 11-`` (open-ended)."""
    if band.to_day is None:
        return f"days {band.from_day}-"
    if band.to_day == band.from_day:
        return f"day {band.from_day}"
    return f"days {band.from_day}-{band.to_day}"


def _band_of(rule: InterruptionRule, day_number: int) -> Band:
    for band in rule.bands:
        if band.from_day <= day_number and (band.to_day is None or day_number <= band.to_day):
            return band
    raise AssertionError("bands are contiguous and open-ended")  # pragma: no cover - the rule validates it


def split(rule: InterruptionRule, departure_day: date, return_day: date) -> list[Split]:
    """Every day from ``departure_day`` to ``return_day`` (both included), in order, with its percentage.

    Raises ValueError when the return day is before the departure day."""
    if return_day < departure_day:
        raise ValueError("the return day is before the departure day")
    days: list[Split] = []
    length = (return_day - departure_day).days
    for n in range(length + 1):
        on = departure_day + timedelta(days=n)
        if n == 0:
            # also a same-day interruption: one day at the departure percentage (module docstring)
            days.append(Split(on, 0, rule.departure_day_percent, False, "day 0"))
        elif n == length:
            days.append(Split(on, n, rule.percent_for_day(n, return_day=True), True, "return day"))
        else:
            band = _band_of(rule, n)
            days.append(Split(on, n, band.percent, False, band_label(band)))
    return days


def day_value(attendance_value: Money, percent: int) -> Money:
    """``percent`` % of a day's attendance value, half-up to the cent."""
    if not 0 <= percent <= 100:
        raise ValueError("a percentage is 0-100")
    return attendance_value.times(Decimal(percent) / HUNDRED)


def value_days(
    splits: Iterable[Split],
    attendance_value: Callable[[date], Money],
    paid_elsewhere: Mapping[date, str] | None = None,
) -> list[InterruptionDay]:
    """Price each day: ``attendance_value(day)`` x percent / 100, half-up per day.

    A day in ``paid_elsewhere`` (date -> id of the record that pays it, e.g. the attendance event
    that already holds the return day) is paid 0 here and names that record. Dates of
    ``paid_elsewhere`` outside the interruption are ignored, so a caller may pass every day its
    attendance events pay."""
    elsewhere = paid_elsewhere or {}
    out: list[InterruptionDay] = []
    for s in splits:
        full = attendance_value(s.on)
        other = elsewhere.get(s.on)
        out.append(
            InterruptionDay(
                on=s.on,
                day_number=s.day_number,
                return_day=s.return_day,
                percent=s.percent,
                attendance_value=full,
                municipality=Money.zero() if other is not None else day_value(full, s.percent),
                paid_elsewhere=other,
            )
        )
    return out


def total(days: Iterable[InterruptionDay]) -> Money:
    """What the municipality pays for the interruption: the sum of its (already rounded) days."""
    return sum((d.municipality for d in days), Money.zero())


# ---- months ------------------------------------------------------------------------------------


def month_of(day: date) -> str:
    """``YYYY-MM`` of a date."""
    return f"{day:%Y-%m}"


def parse_month(month: str) -> tuple[int, int]:
    """``"2015-07"`` -> ``(2015, 7)``; ValueError for anything else."""
    if not isinstance(month, str) or len(month) != 7 or month[4] != "-":
        raise ValueError("use a month YYYY-MM")
    year, mon = month[:4], month[5:]
    if not (year.isdigit() and mon.isdigit()) or not 1 <= int(mon) <= 12:
        raise ValueError("use a month YYYY-MM")
    return int(year), int(mon)


def add_months(month: str, n: int) -> str:
    """``add_months("2015-12", 1) == "2016-01"``."""
    year, mon = parse_month(month)
    index = year * 12 + (mon - 1) + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def settlement_month(return_day: date, ended_on: date, provider_deadline_day: int) -> str:
    """The month (``YYYY-MM``) whose settlement run pays the interruption; that run is in the next month.

    ``ended_on`` is the day the provider recorded the end (the return day) and completed the
    interruption; ``provider_deadline_day`` is the tenant's ``calendar.provider_deadline_day``.
    Month M's run takes what was completed by day ``provider_deadline_day`` of M + 1, so an end
    recorded on or before that day of a month counts for the previous month, later for its own.
    Never before the return day's month (K4.3.5.4: 5.11.-8.12. completed on 8.12. -> December,
    paid in January). Examples: 2.7.-17.7. completed 17.7. or 2.8. -> July; completed 3.8. -> August.
    """
    if not 1 <= provider_deadline_day <= 28:
        raise ValueError("the provider deadline is a day 1-28 of the month")
    recorded_for = month_of(ended_on)
    if ended_on.day <= provider_deadline_day:
        recorded_for = add_months(recorded_for, -1)
    return max(month_of(return_day), recorded_for)
