"""The pure rules of service events (spec 7, 9): units, money per line, clashes, overruns.

The spec's worked examples are test cases to the cent; hypothesis checks the laws: a day is never
paid twice, and an event's value is the sum of its per-day values.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from seteli.domain.entitlements import EntitlementRow
from seteli.domain.events import EventStatus, Interruption, ServiceEvent
from seteli.domain.money import Money
from seteli.domain.units import Unit
from seteli.rules import events as r
from tests.factories import entitlement, service_event

AT = datetime(2016, 3, 1, tzinfo=UTC)


def shape(unit: Unit, **kw) -> r.Shape:
    kw = {"first_day": None, "last_day": None, "start_time": None, "end_time": None, "quantity": None, **kw}
    s, problems = r.shape(unit, **kw)
    assert not problems, problems
    return s


def ev(first: date, last: date | None = None, *, unit=Unit.day, status=EventStatus.recorded, **kw) -> ServiceEvent:
    """A care-day (or hour) event at 100.00 with a 95.00 voucher, priced by the rules."""
    kw.setdefault("id", f"ev-{first:%m%d}{(last or first):%m%d}")
    kw.setdefault("service_id", "assisted-living")
    if "content_id" not in kw:
        kw["content_id"] = "care-day"
    return service_event(first, last, unit=unit, status=status, prices="100.00", value="95.00", **kw)


# ---------------------------------------------------------------- units (spec 7)


def test_day_units_count_inclusive():
    assert shape(Unit.day, first_day=date(2015, 7, 1), last_day=date(2015, 7, 1)).quantity == 1
    assert shape(Unit.day, first_day=date(2015, 7, 17), last_day=date(2015, 7, 31)).quantity == 15
    assert shape(Unit.day, first_day=date(2015, 7, 17)).last_day == date(2015, 7, 17)


def test_hour_units_are_end_minus_start():
    s = shape(Unit.hour, first_day=date(2016, 3, 8), start_time=time(9), end_time=time(11, 15))
    assert s.quantity == Decimal("2.25")
    assert r.hours(time(9, 10), time(9, 30)) == Decimal("0.33")  # 20 min, half-up to the hundredth
    assert r.hours(time(9, 0), time(9, 1)) == Decimal("0.02")  # 0.0166.. -> 0.02


def test_shape_problems_name_every_field():
    _, problems = r.shape(
        Unit.hour,
        first_day=date(2016, 3, 8),
        last_day=date(2016, 3, 9),
        start_time=time(11),
        end_time=time(10),
        quantity=Decimal("2"),
    )
    assert {f for f, _ in problems} == {"body.last_day", "body.end_time", "body.quantity"}
    _, problems = r.shape(
        Unit.day, first_day=date(2016, 1, 30), last_day=date(2016, 2, 2), start_time=None, end_time=None, quantity=None
    )
    assert problems == [("body.last_day", "an event lies inside one calendar month: record the rest as another event")]
    _, problems = r.shape(
        Unit.piece, first_day=date(2016, 3, 1), last_day=None, start_time=None, end_time=None, quantity=None
    )
    assert problems and problems[0][0] == "body.quantity"
    assert shape(Unit.month, first_day=date(2016, 3, 1)).quantity == 1


# ---------------------------------------------------------------- money (spec 7, 12)


def test_seed_001_twenty_hours_at_the_voucher_value():
    """20 h x 32.00 EUR/h = 640.00 EUR (seed 001), the price 34.00 leaves 40.00 to the customer."""
    ln = r.line(date(2026, 5, 4), Decimal("20"), Money("34.00"), r.Terms(Money("32.00")))
    assert ln.municipality == Money("640.00") and ln.own_share == Money("40.00")


def test_price_below_voucher_value_caps_the_payment_and_no_own_share():
    ln = r.line(date(2026, 5, 4), Decimal("2.25"), Money("30.00"), r.Terms(Money("32.00")))
    assert ln.municipality == Money("67.50") and ln.own_share == Money.zero()


def test_order_pays_the_price_and_customer_pays_content_pays_nothing():
    order = r.line(date(2026, 5, 4), Decimal("1.5"), Money("41.99"), r.Terms(None))
    assert order.municipality == Money("62.99") and order.own_share == Money.zero()  # 62.985 half-up
    own = r.line(date(2026, 5, 4), Decimal("2"), Money("20.00"), r.Terms(Money("10.00"), customer_pays=True))
    assert own.municipality == Money.zero() and own.own_share == Money("40.00")
    none = r.line(date(2026, 5, 4), Decimal("1"), Money("40.00"), r.Terms(Money("32.00"), no_own_share=True))
    assert none.municipality == Money("32.00") and none.own_share == Money.zero()


def test_range_crossing_a_price_change_is_priced_day_by_day():
    s = shape(Unit.day, first_day=date(2015, 7, 17), last_day=date(2015, 7, 31))
    prices = {d: Money("100.00") if d < date(2015, 7, 25) else Money("90.00") for d in r.days(s.first_day, s.last_day)}
    lines, missing = r.price_lines(Unit.day, s, prices, r.Terms(Money("95.00")))
    t = r.totals(lines)
    assert not missing and len(lines) == 15
    assert t.value == Money("1390.00") and t.own_share == Money("40.00") and t.price_total == Money("1430.00")


def test_a_day_without_a_price_is_named():
    s = shape(Unit.day, first_day=date(2015, 7, 1), last_day=date(2015, 7, 3))
    lines, missing = r.price_lines(Unit.day, s, {date(2015, 7, 1): Money("1.00")}, r.Terms(Money("1.00")))
    assert lines == [] and missing == [date(2015, 7, 2), date(2015, 7, 3)]


def test_travel_compensation_half_up():
    assert r.travel_compensation(Decimal("12.5"), Money("0.59")) == Money("7.38")
    assert r.travel_compensation(None, Money("0.59")) == Money.zero()
    assert r.travel_problems(Decimal("3"), False)[0][1] == "this service pays no travel compensation"


def test_placement_inside_validity_and_window():
    e = entitlement(valid_from=date(2026, 5, 1), valid_until=date(2026, 12, 31))
    today = date(2026, 11, 23)
    assert r.placement_problems(e, date(2026, 11, 2), date(2026, 11, 2), today=today, days_back=60) == []
    fields = [f for f, _ in r.placement_problems(e, date(2026, 4, 30), date(2026, 4, 30), today=today, days_back=60)]
    assert "body.first_day" in fields
    assert r.placement_problems(e, date(2026, 12, 1), date(2026, 12, 1), today=today, days_back=60)
    closed = e.model_copy(update={"closed_on": date(2026, 11, 10)})
    assert r.placement_problems(closed, date(2026, 11, 10), date(2026, 11, 10), today=today, days_back=60)


# ---------------------------------------------------------------- days never paid twice (spec 7, 8)


def test_overlapping_days_clash_and_a_settled_day_is_already_paid():
    first = ev(date(2015, 7, 1), date(2015, 7, 10), status=EventStatus.settled)
    s = shape(Unit.day, first_day=date(2015, 7, 10), last_day=date(2015, 7, 12))
    clashes = r.event_clashes(Unit.day, s, [first], [])
    assert len(clashes) == 1 and clashes[0].already_paid and clashes[0].days == (date(2015, 7, 10),)
    rejected = ev(date(2015, 7, 10), status=EventStatus.rejected, id="ev-rej")
    assert r.event_clashes(Unit.day, s, [rejected], []) == []
    assert r.event_clashes(Unit.day, s, [first], [], skip=first.id) == []


def interruption(dep: date, ret: date | None, **kw) -> Interruption:
    return Interruption(
        id=kw.pop("id", "int-1"),
        decision_number="JKL-1",
        customer_id="cus-1",
        service_id="assisted-living",
        content_id="care-day",
        provider_id="prv-1",
        reason="hospital",
        departure_day=dep,
        return_day=ret,
        rule_id="kouvola-2016",
        status=kw.pop("status", EventStatus.recorded),
        created_at=AT,
        created_by="t",
        updated_at=AT,
        updated_by="t",
        **kw,
    )


def test_attendance_may_share_only_the_return_day_with_an_interruption():
    i = interruption(date(2015, 7, 2), date(2015, 7, 17))
    away = shape(Unit.day, first_day=date(2015, 7, 16), last_day=date(2015, 7, 31))
    assert [c.days for c in r.event_clashes(Unit.day, away, [], [i])] == [(date(2015, 7, 16),)]
    back = shape(Unit.day, first_day=date(2015, 7, 17), last_day=date(2015, 7, 31))
    assert r.event_clashes(Unit.day, back, [], [i]) == []
    assert r.return_days_elsewhere(back, [i]) == {date(2015, 7, 17): "int-1"}
    open_ended = interruption(date(2015, 7, 2), None, id="int-2", status=EventStatus.draft)
    assert r.event_clashes(Unit.day, back, [], [open_ended])  # not back yet: every later day is away


def test_interruption_clashes_with_attendance_and_other_interruptions():
    att = ev(date(2015, 7, 1), date(2015, 7, 5))
    assert r.interruption_clashes(date(2015, 7, 5), date(2015, 7, 9), [att], [])
    assert r.interruption_clashes(date(2015, 7, 6), date(2015, 7, 9), [att], []) == []
    other = interruption(date(2015, 7, 8), date(2015, 7, 12), id="int-9")
    assert r.interruption_clashes(date(2015, 7, 6), date(2015, 7, 9), [], [other])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 27), st.integers(0, 10)), min_size=1, max_size=12))
def test_law_a_day_is_never_paid_twice(ranges):
    """Whatever ranges providers try in whatever order, the accepted events never share a day."""
    accepted: list[ServiceEvent] = []
    for n, (start, length) in enumerate(ranges):
        first = date(2015, 7, 1) + timedelta(days=start)
        last = min(first + timedelta(days=length), date(2015, 7, 31))
        s = shape(Unit.day, first_day=first, last_day=last)
        if not r.event_clashes(Unit.day, s, accepted, []):
            accepted.append(ev(first, last, id=f"ev-{n}"))
    paid = [ln.on for e in accepted for ln in e.lines if not ln.paid_elsewhere]
    assert len(paid) == len(set(paid))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 20),
    st.integers(0, 10),
    st.dictionaries(st.integers(0, 30), st.integers(1, 20000), max_size=10),
    st.integers(0, 20000),
)
def test_law_value_is_the_sum_of_the_day_values(start, length, changes, voucher_cents):
    first = date(2015, 7, 1) + timedelta(days=start)
    s = shape(Unit.day, first_day=first, last_day=first + timedelta(days=length))
    price = Money("100.00")
    prices = {}
    for d in r.days(s.first_day, s.last_day):
        price = Money.from_cents(changes.get(d.day, price.cents)) if d.day in changes else price
        prices[d] = price
    lines, _ = r.price_lines(Unit.day, s, prices, r.Terms(Money.from_cents(voucher_cents)))
    t = r.totals(lines)
    assert t.value == sum((ln.municipality for ln in lines), Money())
    assert t.value + t.own_share == t.price_total
    assert all(ln.own_share >= Money.zero() and ln.municipality <= ln.price for ln in lines)


# ---------------------------------------------------------------- overruns (spec 9)


def hours_event(day: int, start: time, end: time, n: int) -> ServiceEvent:
    s = shape(Unit.hour, first_day=date(2016, 3, day), start_time=start, end_time=end)
    lines, _ = r.price_lines(Unit.hour, s, {s.first_day: Money("34.00")}, r.Terms(Money("32.00")))
    base = ev(date(2016, 3, day), unit=Unit.hour, id=f"ev-{n}", content_id="home-care-weekday")
    return base.model_copy(update={"start_time": start, "end_time": end, "quantity": s.quantity, "lines": lines})


def test_seed_ten_hours_a_week_the_crossing_event_waits():
    """10 h/week; 7.3. 2 h, 8.3. 2.25 h, 9.3. 2 h, 10.3. 2.25 h, 11.3. 2 h -> 10.5 h: the 11.3. event."""
    e = entitlement(valid_from=date(2016, 1, 1), valid_until=date(2016, 12, 31))
    recorded = [
        hours_event(7, time(10), time(12), 1),
        hours_event(8, time(9), time(11, 15), 2),
        hours_event(9, time(9, 30), time(11, 30), 3),
        hours_event(10, time(9, 15), time(11, 30), 4),
    ]
    for i, x in enumerate(recorded):
        assert r.overrun(e, x.content_id, Unit.hour, x.lines, recorded[:i]) is None
    last = hours_event(11, time(9, 30), time(12), 5)
    assert last.quantity == Decimal("2.50")
    crossing = hours_event(11, time(9, 30), time(11, 30), 6)  # the seed's "2 t" entry
    over = r.overrun(e, crossing.content_id, Unit.hour, crossing.lines, recorded)
    assert over is not None and over.with_this == "10.50 h" and over.before == "8.50 h"
    assert (over.period_start, over.period_end) == (date(2016, 3, 7), date(2016, 3, 13))
    assert r.status_after_recording(over) is EventStatus.pending_approval
    # the next week starts from zero; a credited event does not count
    assert r.overrun(e, crossing.content_id, Unit.hour, hours_event(14, time(9), time(17), 7).lines, recorded) is None
    credited = [x.model_copy(update={"credit_id": "cr-x"}) for x in recorded]
    assert r.overrun(e, crossing.content_id, Unit.hour, crossing.lines, credited) is None


def test_month_period_for_days():
    e = entitlement(
        service_id="assisted-living",
        valid_from=date(2015, 1, 1),
        valid_until=date(2015, 12, 31),
        rows=[EntitlementRow(content_id="care-day", amount="10", period="month", unit_value="95.00")],
    )
    first = ev(date(2015, 7, 1), date(2015, 7, 8))
    more = ev(date(2015, 7, 9), date(2015, 7, 11), id="ev-more")
    over = r.overrun(e, "care-day", Unit.day, more.lines, [first])
    assert over is not None and over.granted == "10.00 days" and over.with_this == "11.00 days"
    assert r.overrun(e, "care-day", Unit.day, ev(date(2015, 8, 1), date(2015, 8, 10)).lines, [first]) is None
