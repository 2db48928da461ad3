"""Service events (spec 7, 9, 12; seed 003 K4.3): units, money, where an event may lie, which days
it may not take, and when it goes to the municipality's approval. Pure: no I/O.

Units are computed, never typed: a day range counts its days inclusive (1.7.-1.7. = 1, 17.7.-31.7.
= 15); an hour event is end - start (9:00-11:15 = 2.25 h, to the hundredth, half-up); pieces and
square metres are typed.

Money, per line (one line per day of a day range, one line otherwise), each amount half-up to the
cent: price total = quantity x the provider's price valid on the line's day; the municipality pays
quantity x min(its value per unit, price) - the voucher value of the entitlement row, a balance
voucher's subsidy, or for an order the price itself; the customer's own share is the rest (never
below zero). A content the customer pays in full pays the municipality nothing; a content "without
own share" leaves the customer nothing to pay. The event's value is the sum of its lines.

A day is never paid twice (``conflicts``): a day-unit event may not share a day with another event
of the same content, nor with an interruption's days from departure to the day before return. The
return day is shared: it belongs to the interruption (its last day by definition) unless an
attendance event covering it was settled first; the record that does not pay it shows the day
``paid_elsewhere`` with zeros (``return_day_payer``). Hour events of one content may not overlap in
time on the same date.

Overruns (spec 9): the event that makes a period's total exceed the granted amount (a row's amount
per week, month or validity; a balance voucher's euros or units per recurrence) goes to
``pending_approval``. Counted are the other events that use the amount (recorded, pending,
approved, settled, paid; not drafts, rejected or credited ones) and interruption days paid at more
than 0 %.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from seteli.domain.entitlements import Entitlement, EntitlementKind, Period
from seteli.domain.events import COUNTED, SETTLED, DayLine, EventStatus, Interruption, Overrun, ServiceEvent
from seteli.domain.money import Money, min_money
from seteli.domain.units import Unit
from seteli.rules.entitlements import last_valid_day
from seteli.rules.usage import current_period

ONE_DAY = timedelta(days=1)
HUNDREDTH = Decimal("0.01")
MAX_PIECES = Decimal("10000")
MAX_TRAVEL_KM = Decimal("2000")

Problem = tuple[str, str]  # (field, message)

UNIT_WORD = {Unit.day: "days", Unit.hour: "h", Unit.month: "months", Unit.piece: "pcs", Unit.m2_month: "m2"}


def fi(d: date) -> str:
    """A date as Finns write it: 2.7.2015."""
    return f"{d.day}.{d.month}.{d.year}"


def days(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def hours(start: time, end: time) -> Decimal:
    """end - start in hours to the hundredth, half-up (9:00-11:15 = 2.25; 9:10-9:30 = 0.33)."""
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return (Decimal(minutes) / Decimal(60)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- what an event is


@dataclass(frozen=True)
class Shape:
    """An event's when and how much, as computed from what the provider typed."""

    first_day: date
    last_day: date
    start_time: time | None
    end_time: time | None
    quantity: Decimal


def shape(
    unit: Unit,
    *,
    first_day: date | None,
    last_day: date | None,
    start_time: time | None,
    end_time: time | None,
    quantity: Decimal | None,
    field_prefix: str = "body.",
) -> tuple[Shape | None, list[Problem]]:
    """The event's shape for its content's unit, or every problem with what was typed.

    day: first_day (and last_day, default first_day), no times, no quantity;
    hour: first_day, start_time and end_time (end after start, same day), no quantity;
    piece, m2_month: first_day and a quantity > 0; month: first_day, quantity default 1.
    An event lies inside one calendar month (the monthly settlement pays months)."""
    f = field_prefix
    out: list[Problem] = []
    if first_day is None:
        out.append((f"{f}first_day", "required: the service date (the first day of a day range)"))
        return None, out
    last = last_day or first_day
    if unit is not Unit.day and last_day is not None and last_day != first_day:
        out.append((f"{f}last_day", f"only day-unit contents take a range; this content's unit is {unit.value}"))
    if last < first_day:
        out.append((f"{f}last_day", "is before first_day"))
    elif (last.year, last.month) != (first_day.year, first_day.month):
        out.append((f"{f}last_day", "an event lies inside one calendar month: record the rest as another event"))
    if unit is not Unit.hour:
        for name, value in (("start_time", start_time), ("end_time", end_time)):
            if value is not None:
                out.append((f"{f}{name}", f"only hour-unit contents take times; this content's unit is {unit.value}"))
    qty: Decimal = Decimal("0")
    if unit is Unit.day:
        if quantity is not None:
            out.append((f"{f}quantity", "days are counted from first_day and last_day, not typed"))
        qty = Decimal(len(days(first_day, last))) if last >= first_day else Decimal("0")
    elif unit is Unit.hour:
        if quantity is not None:
            out.append((f"{f}quantity", "hours are computed from start_time and end_time, not typed"))
        if start_time is None:
            out.append((f"{f}start_time", "required for an hour-unit content (HH:MM)"))
        if end_time is None:
            out.append((f"{f}end_time", "required for an hour-unit content (HH:MM)"))
        if start_time is not None and end_time is not None:
            if end_time <= start_time:
                out.append((f"{f}end_time", "must be after start_time (record a visit over midnight as two events)"))
            else:
                qty = hours(start_time, end_time)
    else:
        if quantity is None and unit is Unit.month:
            quantity = Decimal("1")
        if quantity is None:
            out.append((f"{f}quantity", f"required for a content counted in {UNIT_WORD[unit]}"))
        elif quantity <= 0:
            out.append((f"{f}quantity", "must be more than 0"))
        elif quantity > MAX_PIECES:
            out.append((f"{f}quantity", f"at most {MAX_PIECES}"))
        else:
            qty = quantity
    if out:
        return None, out
    return Shape(
        first_day, last, start_time if unit is Unit.hour else None, end_time if unit is Unit.hour else None, qty
    ), []


def placement_problems(
    e: Entitlement, first: date, last: date, *, today: date, days_back: int | None, field_prefix: str = "body."
) -> list[Problem]:
    """Where an event may lie: inside the entitlement's validity, and in PSOP's recording window
    (``days_back`` days back from today, at most to the end of the current month; None: no window,
    for what was recorded in time and is only checked or priced again)."""
    f = field_prefix
    out: list[Problem] = []
    end = last_valid_day(e)
    validity = f"{fi(e.valid_from)}-{fi(end) if end else ''}"
    if first < e.valid_from:
        out.append((f"{f}first_day", f"before the entitlement's validity ({validity})"))
    if end is not None and last > end:
        out.append(
            (f"{f}last_day" if last != first else f"{f}first_day", f"after the entitlement's validity ({validity})")
        )
    if days_back is None:
        return out
    earliest = today - timedelta(days=days_back)
    if first < earliest:
        out.append(
            (f"{f}first_day", f"too far back: events may be recorded from {fi(earliest)} ({days_back} days back)")
        )
    if last > month_end(today):
        out.append(
            (f"{f}last_day" if last != first else f"{f}first_day", "in a future month: record it in its own month")
        )
    return out


def travel_problems(km: Decimal | None, allowed: bool, field: str = "body.travel_km") -> list[Problem]:
    if km is None:
        return []
    if not allowed:
        return [(field, "this service pays no travel compensation")]
    if km < 0:
        return [(field, "must not be negative")]
    if km > MAX_TRAVEL_KM:
        return [(field, f"at most {MAX_TRAVEL_KM} km per event")]
    return []


def travel_compensation(km: Decimal | None, rate: Money | None) -> Money:
    """Round-trip kilometres x the tenant's rate, half-up to the cent."""
    if not km or rate is None:
        return Money.zero()
    return rate.times(km)


# ---------------------------------------------------------------- money


@dataclass(frozen=True)
class Terms:
    """How one content of one entitlement is paid."""

    unit_value: Money | None  # the voucher value or subsidy per unit; None: the price itself (an order)
    customer_pays: bool = False  # the customer pays the whole price
    no_own_share: bool = False  # the customer pays nothing; the provider gets the voucher value


def terms(e: Entitlement, content_id: str, *, customer_pays: bool = False, no_own_share: bool = False) -> Terms:
    """The municipality's value per unit of ``content_id`` under ``e``: a voucher row's unit value, a
    balance voucher's subsidy, or (an order) the provider's price."""
    if e.kind is EntitlementKind.order:
        return Terms(None, customer_pays=customer_pays)
    if e.kind is EntitlementKind.balance_voucher and e.balance is not None:
        sub = next((c.subsidy for c in e.balance.contents if c.content_id == content_id), None)
        return Terms(sub, customer_pays=customer_pays)
    row = next((r for r in e.rows if r.content_id == content_id), None)
    return Terms(row.unit_value if row else None, customer_pays=customer_pays, no_own_share=no_own_share)


def line(on: date, quantity: Decimal, price: Money, t: Terms, paid_elsewhere: str | None = None) -> DayLine:
    """One priced line (see the module docstring)."""
    zero = Money.zero()
    unit_value = price if t.unit_value is None else t.unit_value
    if paid_elsewhere:
        return DayLine(
            on=on,
            quantity=quantity,
            price=price,
            unit_value=unit_value,
            municipality=zero,
            own_share=zero,
            paid_elsewhere=paid_elsewhere,
        )
    total = price.times(quantity)
    if t.customer_pays:
        municipality = zero
    else:
        municipality = min_money(unit_value, price).times(quantity)
    own = zero if t.no_own_share else total - municipality
    if own < zero:  # pragma: no cover - min() above makes it impossible; kept as the law
        own = zero
    return DayLine(
        on=on, quantity=quantity, price=price, unit_value=unit_value, municipality=municipality, own_share=own
    )


def price_lines(
    unit: Unit,
    s: Shape,
    prices: dict[date, Money | None],
    t: Terms,
    paid_elsewhere: dict[date, str] | None = None,
) -> tuple[list[DayLine], list[date]]:
    """The event's lines and the days without a valid price (then the lines are empty).

    A day range is priced day by day (a range crossing a price change pays each day at its own
    price); any other event is one line at the price of its date."""
    elsewhere = paid_elsewhere or {}
    on_days = days(s.first_day, s.last_day) if unit is Unit.day else [s.first_day]
    missing = [d for d in on_days if prices.get(d) is None]
    if missing:
        return [], missing
    qty = Decimal("1") if unit is Unit.day else s.quantity
    return [line(d, qty, prices[d], t, elsewhere.get(d)) for d in on_days], []  # type: ignore[arg-type]


@dataclass(frozen=True)
class Totals:
    price_total: Money
    value: Money
    own_share: Money


def totals(lines: Iterable[DayLine]) -> Totals:
    lines = list(lines)
    paid = [ln for ln in lines if not ln.paid_elsewhere]
    return Totals(
        price_total=sum((ln.price.times(ln.quantity) for ln in paid), Money()),
        value=sum((ln.municipality for ln in paid), Money()),
        own_share=sum((ln.own_share for ln in paid), Money()),
    )


# ---------------------------------------------------------------- days never paid twice


@dataclass(frozen=True)
class Clash:
    """Why a record cannot take its days (or times): the other record and the days."""

    field: str
    other_id: str
    days: tuple[date, ...]
    already_paid: bool
    message: str


def _span(days_: Iterable[date]) -> str:
    ds = sorted(days_)
    return fi(ds[0]) if len(ds) == 1 else f"{fi(ds[0])}-{fi(ds[-1])}"


def _live(ev: ServiceEvent, skip: str | None) -> bool:
    return ev.id != skip and ev.status is not EventStatus.rejected


def away_days(i: Interruption) -> tuple[date, date | None]:
    """The days the customer is away: departure day to the day before return (open: no end)."""
    return i.departure_day, (i.return_day - ONE_DAY) if i.return_day else None


def _in(d: date, first: date, last: date | None) -> bool:
    return first <= d and (last is None or d <= last)


def event_clashes(
    unit: Unit,
    s: Shape,
    events: Iterable[ServiceEvent],
    interruptions: Iterable[Interruption],
    *,
    skip: str | None = None,
) -> list[Clash]:
    """The other records of the same content that an event ``s`` would take days (or times) of."""
    out: list[Clash] = []
    mine = set(days(s.first_day, s.last_day))
    for ev in events:
        if not _live(ev, skip):
            continue
        paid = ev.status in SETTLED
        if unit is Unit.day and ev.unit is Unit.day:
            both = mine & set(days(ev.first_day, ev.last_day))
            if both:
                what = "already paid" if paid else "already recorded"
                msg = f"{_span(both)} {what} in event {ev.id} ({fi(ev.first_day)}-{fi(ev.last_day)})"
                out.append(Clash("body.first_day", ev.id, tuple(sorted(both)), paid, msg))
        elif unit is Unit.hour and ev.unit is Unit.hour and ev.first_day == s.first_day:
            assert s.start_time and s.end_time and ev.start_time and ev.end_time
            if s.start_time < ev.end_time and ev.start_time < s.end_time:
                what = "already paid" if paid else "already recorded"
                msg = (
                    f"{ev.start_time:%H:%M}-{ev.end_time:%H:%M} on {fi(ev.first_day)} {what} in event {ev.id}: "
                    "times of one content may not overlap"
                )
                out.append(Clash("body.start_time", ev.id, (s.first_day,), paid, msg))
    if unit is Unit.day:
        for i in interruptions:
            if i.id == skip or i.status is EventStatus.rejected:
                continue
            first, last = away_days(i)
            both = {d for d in mine if _in(d, first, last)}
            if both:
                paid = i.status in SETTLED
                back = f"-{fi(i.return_day)}" if i.return_day else " (not back yet)"
                msg = f"{_span(both)}: the customer is away (interruption {i.id} {fi(i.departure_day)}{back})"
                out.append(Clash("body.first_day", i.id, tuple(sorted(both)), paid, msg))
    return out


def interruption_clashes(
    departure: date,
    return_day: date | None,
    events: Iterable[ServiceEvent],
    interruptions: Iterable[Interruption],
    *,
    skip: str | None = None,
) -> list[Clash]:
    """The records an interruption from ``departure`` to ``return_day`` would clash with: events on
    the days the customer is away, and any other interruption overlapping it."""
    out: list[Clash] = []
    away_last = (return_day - ONE_DAY) if return_day else None
    for ev in events:
        if not _live(ev, skip) or ev.unit is not Unit.day:
            continue
        both = {d for d in days(ev.first_day, ev.last_day) if _in(d, departure, away_last)}
        if both:
            paid = ev.status in SETTLED
            what = "paid as attendance" if paid else "recorded as attendance"
            msg = (
                f"{_span(both)} {what} in event {ev.id}: shorten that event first "
                "(attendance ends the day before departure)"
            )
            out.append(Clash("body.departure_day", ev.id, tuple(sorted(both)), paid, msg))
    for other in interruptions:
        if other.id == skip or other.status is EventStatus.rejected:
            continue
        o_last = other.return_day
        if (return_day is None or other.departure_day <= return_day) and (o_last is None or departure <= o_last):
            back = f"-{fi(o_last)}" if o_last else " (not back yet)"
            msg = f"overlaps interruption {other.id} ({fi(other.departure_day)}{back})"
            out.append(Clash("body.departure_day", other.id, (), other.status in SETTLED, msg))
    return out


def event_pays_return_day(ev: ServiceEvent, on: date) -> bool:
    """Whether a settled attendance event already paid ``on`` (then an interruption returning that
    day does not)."""
    return (
        ev.status in SETTLED
        and ev.unit is Unit.day
        and any(ln.on == on and not ln.paid_elsewhere for ln in ev.lines)
        and ev.first_day <= on <= ev.last_day
    )


def return_days_elsewhere(
    s: Shape, interruptions: Iterable[Interruption], *, skip: str | None = None
) -> dict[date, str]:
    """Days of an attendance event ``s`` that an interruption pays as its return day."""
    out: dict[date, str] = {}
    for i in interruptions:
        if i.id == skip or i.status is EventStatus.rejected or i.return_day is None:
            continue
        if s.first_day <= i.return_day <= s.last_day:
            paid_here = any(d.on == i.return_day and d.paid_elsewhere for d in i.days)
            if not paid_here:
                out[i.return_day] = i.id
    return out


# ---------------------------------------------------------------- overruns


def _counts(ev: ServiceEvent, skip: str | None) -> bool:
    return ev.id != skip and ev.status in COUNTED and ev.credit_id is None


def _used_lines(events: Iterable[ServiceEvent], interruptions: Iterable[Interruption], content_ids: set[str], skip):
    """(day, quantity, euros) of everything that uses a granted amount."""
    for ev in events:
        if _counts(ev, skip) and ev.content_id in content_ids:
            for ln in ev.lines:
                if not ln.paid_elsewhere:
                    yield ln.on, ln.quantity, ln.municipality
    for i in interruptions:
        if i.id != skip and i.status in COUNTED and i.content_id in content_ids:
            for d in i.days:
                if d.percent > 0 and not d.paid_elsewhere:
                    yield d.on, Decimal("1"), d.municipality


def _fmt_q(q: Decimal, unit: Unit) -> str:
    return f"{q:.2f} {UNIT_WORD[unit]}"


def overrun(
    e: Entitlement,
    content_id: str,
    unit: Unit,
    lines: list[DayLine],
    events: Iterable[ServiceEvent],
    interruptions: Iterable[Interruption] = (),
    *,
    skip: str | None = None,
) -> Overrun | None:
    """The first period whose granted amount this event's ``lines`` make exceeded, or None."""
    events, interruptions = list(events), list(interruptions)
    last = last_valid_day(e)
    mine = [ln for ln in lines if not ln.paid_elsewhere]
    if not mine:
        return None
    if e.kind is EntitlementKind.balance_voucher and e.balance is not None:
        b = e.balance
        ids = {c.content_id for c in b.contents}
        seen: set[tuple[date, date | None]] = set()
        for ln in mine:
            start, end = current_period(b.recurrence, e.valid_from, last, ln.on)
            if (start, end) in seen:
                continue
            seen.add((start, end))
            used = [(q, m) for d, q, m in _used_lines(events, interruptions, ids, skip) if _in(d, start, end)]
            here = [x for x in mine if _in(x.on, start, end)]
            if b.total_euros is not None:
                before = sum((m for _, m in used), Money())
                after = before + sum((x.municipality for x in here), Money())
                if after > b.total_euros:
                    return _over("balance", start, end, f"{b.total_euros} EUR", f"{before} EUR", f"{after} EUR")
            if b.total_units is not None:
                qb = sum((q for q, _ in used), Decimal("0"))
                qa = qb + sum((x.quantity for x in here), Decimal("0"))
                if qa > b.total_units:
                    g = _fmt_q(b.total_units, unit)
                    return _over("balance", start, end, g, _fmt_q(qb, unit), _fmt_q(qa, unit))
        return None
    row = next((r for r in e.rows if r.content_id == content_id), None)
    if row is None:
        return None
    seen = set()
    for ln in mine:
        start, end = current_period(row.period, e.valid_from, last, ln.on)
        if (start, end) in seen:
            continue
        seen.add((start, end))
        qb = sum(
            (q for d, q, _ in _used_lines(events, interruptions, {content_id}, skip) if _in(d, start, end)),
            Decimal("0"),
        )
        qa = qb + sum((x.quantity for x in mine if _in(x.on, start, end)), Decimal("0"))
        if qa > row.amount:
            return _over(row.period.value, start, end, _fmt_q(row.amount, unit), _fmt_q(qb, unit), _fmt_q(qa, unit))
    return None


def _over(period: str, start: date, end: date | None, granted: str, before: str, after: str) -> Overrun:
    name = {Period.week.value: "the week", Period.month.value: "the month", Period.validity.value: "the validity"}
    what = name.get(period, "the balance period")
    span = f"{fi(start)}-{fi(end) if end else ''}"
    msg = (
        f"{what} {span} grants {granted}; with this event {after} (before it {before}): "
        "waits for the municipality's approval"
    )
    return Overrun(
        period=period, period_start=start, period_end=end, granted=granted, before=before, with_this=after, message=msg
    )


def status_after_recording(over: Overrun | None) -> EventStatus:
    return EventStatus.pending_approval if over else EventStatus.recorded


def import_fingerprint(
    decision_number: str,
    content_id: str,
    part_id: str | None,
    first: date,
    last: date,
    start: time | None,
    end: time | None,
    quantity: Decimal | None,
) -> str:
    """The identity of a bulk-imported row: a rerun of the same file finds its events by it."""
    parts = [
        decision_number,
        content_id,
        part_id or "",
        first.isoformat(),
        last.isoformat(),
        start.strftime("%H:%M") if start else "",
        end.strftime("%H:%M") if end else "",
        f"{quantity:.2f}" if quantity is not None else "",
    ]
    return "|".join(parts)
