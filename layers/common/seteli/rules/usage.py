"""How much of an entitlement is used and how much remains, in its current period. Pure.

An entitlement row grants an amount per period (seed 001: "20 h / voimassaolo", "10 h / vko",
"31 vrk / kk"); a balance voucher grants euros or units over its validity or per recurrence (seed
004: "250,00 EUR / kk"). What is used comes from the charged events (issue 5), given here as a list
of :class:`Charge` (one per content per day is enough); today that list is empty.

The current period is the one that holds ``today`` (Europe/Helsinki; the caller passes
``seteli.clock.today()``), clipped to the validity: the validity itself, this ISO week (Monday to
Sunday) or this calendar month. Before the validity starts it is the first period, after it ends the
last one. A week or month only partly inside the validity still grants the whole amount (the
decision says "10 h / week", not a prorated share).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from seteli.domain.entitlements import Entitlement, EntitlementKind, Period
from seteli.domain.money import Money
from seteli.rules.entitlements import last_valid_day  # noqa: F401 - used below and by callers

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Charge:
    """What was charged of one content on one day: units, and the euros the municipality paid
    (``None``: units x the entitlement's value per unit - the row's unit value or the balance
    content's subsidy)."""

    content_id: str
    on: date
    quantity: Decimal
    euros: Money | None = None


@dataclass(frozen=True)
class RowUsage:
    content_id: str
    period: Period
    period_start: date
    period_end: date | None  # None: open-ended validity
    unit_value: Money
    granted: Decimal
    used: Decimal
    remaining: Decimal
    granted_euros: Money
    used_euros: Money
    remaining_euros: Money  # the remaining units at the unit value


@dataclass(frozen=True)
class BalanceUsage:
    recurrence: Period
    period_start: date
    period_end: date | None
    total_euros: Money | None
    used_euros: Money
    remaining_euros: Money | None
    total_units: Decimal | None
    used_units: Decimal
    remaining_units: Decimal | None


@dataclass(frozen=True)
class Usage:
    rows: list[RowUsage]
    balance: BalanceUsage | None


def current_period(period: Period, valid_from: date, last_day: date | None, today: date) -> tuple[date, date | None]:
    """The (first, last) day of the period holding ``today`` (clamped into the validity), clipped to it."""
    day = max(today, valid_from)
    if last_day is not None:
        day = min(day, max(last_day, valid_from))
    if period == Period.validity:
        return valid_from, last_day
    if period == Period.week:
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=6)
    else:
        start = day.replace(day=1)
        end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    start = max(start, valid_from)
    if last_day is not None:
        end = min(end, max(last_day, valid_from))
    return start, end


def _inside(on: date, start: date, end: date | None) -> bool:
    return start <= on and (end is None or on <= end)


def _clip(value: Decimal) -> Decimal:
    return value if value > 0 else ZERO


def _money_clip(value: Money) -> Money:
    return value if value > Money.zero() else Money.zero()


def usage(entitlement: Entitlement, charged_events: list[Charge], today: date) -> Usage:
    """Granted, used and remaining per row, and of a balance voucher's total, in the current period.

    Remaining amounts never go below zero (an over-use shows as used > granted)."""
    e = entitlement
    last_day = last_valid_day(e)
    rows: list[RowUsage] = []
    for row in e.rows:
        start, end = current_period(row.period, e.valid_from, last_day, today)
        mine = [c for c in charged_events if c.content_id == row.content_id and _inside(c.on, start, end)]
        used = sum((c.quantity for c in mine), ZERO)
        used_euros = sum((c.euros if c.euros is not None else row.unit_value.times(c.quantity) for c in mine), Money())
        remaining = _clip(row.amount - used)
        rows.append(
            RowUsage(
                content_id=row.content_id,
                period=row.period,
                period_start=start,
                period_end=end,
                unit_value=row.unit_value,
                granted=row.amount,
                used=used,
                remaining=remaining,
                granted_euros=row.unit_value.times(row.amount),
                used_euros=used_euros,
                remaining_euros=row.unit_value.times(remaining),
            )
        )
    balance = None
    if e.kind == EntitlementKind.balance_voucher and e.balance is not None:
        b = e.balance
        subsidy = {c.content_id: c.subsidy for c in b.contents}
        start, end = current_period(b.recurrence, e.valid_from, last_day, today)
        mine = [c for c in charged_events if c.content_id in subsidy and _inside(c.on, start, end)]
        used_units = sum((c.quantity for c in mine), ZERO)
        used_euros = sum(
            (c.euros if c.euros is not None else subsidy[c.content_id].times(c.quantity) for c in mine), Money()
        )
        balance = BalanceUsage(
            recurrence=b.recurrence,
            period_start=start,
            period_end=end,
            total_euros=b.total_euros,
            used_euros=used_euros,
            remaining_euros=_money_clip(b.total_euros - used_euros) if b.total_euros is not None else None,
            total_units=b.total_units,
            used_units=used_units,
            remaining_units=_clip(b.total_units - used_units) if b.total_units is not None else None,
        )
    return Usage(rows=rows, balance=balance)
