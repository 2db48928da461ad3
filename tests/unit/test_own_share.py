"""The own-share specification's pure part (spec 12, seed 003 K4.3.7): lines and totals from events,
and the CSV for Finnish Excel. The events' money comes from the events core (``seteli.rules.events``):
the worked figures are checked to the cent through it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from seteli.domain.events import EventStatus, Interruption, InterruptionDay, ServiceEvent
from seteli.domain.money import Money
from seteli.domain.units import Unit
from seteli.rules import events as ev_rules
from seteli.rules import own_share as r
from tests.factories import service_event

AT = datetime(2026, 3, 1, tzinfo=UTC)
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
NAMES = r.Names(
    content=lambda cid: {"home-care-weekday": "Kotihoito arkisin", "care-day": "Hoitovuorokausi"}.get(cid, cid),
    provider=lambda pid: {"prv-1": "Aurinkohoiva Oy", "prv-2": "=Toinen Oy"}.get(pid, pid),
    part=lambda pid, part: f"Toimipaikka {part}",
)


def event(first: date, last: date | None = None, **kw) -> ServiceEvent:
    return service_event(first, last, **kw)


def interruption(departure: date, back: date, percents: list[int], *, status=EventStatus.recorded) -> Interruption:
    days = [
        InterruptionDay(
            on=departure + timedelta(days=n),
            day_number=n,
            return_day=n == len(percents) - 1,
            percent=p,
            attendance_value=Money("95.00"),
            municipality=Money("95.00").times(Decimal(p) / 100),
        )
        for n, p in enumerate(percents)
    ]
    return Interruption(
        id="int-1",
        decision_number="JKL-1",
        customer_id="cus-1",
        service_id="assisted-living",
        content_id="care-day",
        provider_id="prv-1",
        reason="hospital",
        departure_day=departure,
        return_day=back,
        rule_id="kouvola-2016",
        days=days,
        value=sum((d.municipality for d in days), Money()),
        status=status,
        created_at=AT,
        created_by="t",
        updated_at=AT,
        updated_by="t",
    )


def spec(events, interruptions=(), first=MARCH[0], last=MARCH[1], **kw):
    lines = r.lines(events, interruptions, first, last, NAMES, **kw)
    return lines, r.totals(lines)


# ---------------------------------------------------------------- the worked figures


def test_seed_001_20_hours_at_32_with_price_34_municipality_640_own_share_40():
    lines, tot = spec([event(date(2026, 3, 9), quantity="20", start_time=time(8), end_time=time(12))])
    (x,) = lines
    assert (x.quantity, x.unit_price, x.unit_value) == (Decimal("20.00"), Money("34.00"), Money("32.00"))
    assert (x.price_total, x.municipality, x.own_share) == (Money("680.00"), Money("640.00"), Money("40.00"))
    assert r.when(x) == "9.3.2026 8:00-12:00"
    assert (x.content_name, x.provider_name) == ("Kotihoito arkisin", "Aurinkohoiva Oy")
    assert (tot.price_total, tot.municipality, tot.own_share) == (Money("680.00"), Money("640.00"), Money("40.00"))


def test_a_price_below_the_voucher_value_leaves_no_own_share():
    lines, tot = spec([event(date(2026, 3, 9), quantity="2.25", prices="30.00")])
    (x,) = lines
    assert (x.price_total, x.municipality, x.own_share) == (Money("67.50"), Money("67.50"), Money("0.00"))
    assert tot.own_share == Money("0.00")


def test_own_share_is_never_below_zero_even_if_a_stored_line_says_so():
    e = event(date(2026, 3, 9))
    bad = e.lines[0].model_copy(update={"own_share": Money("-5.00")})
    lines, tot = spec([e.model_copy(update={"lines": [bad]})])
    assert lines[0].own_share == Money("0.00") and tot.own_share == Money("0.00")


def test_a_day_range_crossing_a_price_change_is_one_line_per_price():
    prices = {
        d: ("100.00" if d < date(2026, 3, 16) else "104.00")
        for d in ev_rules.days(date(2026, 3, 10), date(2026, 3, 20))
    }
    e = event(date(2026, 3, 10), date(2026, 3, 20), unit=Unit.day, prices=prices, value="95.00")
    lines, tot = spec([e])
    assert [(r.when(x), x.quantity, x.unit_price, x.own_share) for x in lines] == [
        ("10.3.-15.3.2026", Decimal("6.00"), Money("100.00"), Money("30.00")),
        ("16.3.-20.3.2026", Decimal("5.00"), Money("104.00"), Money("45.00")),
    ]
    assert {x.record_id for x in lines} == {e.id}
    # the lines add up to the event
    assert (tot.price_total, tot.municipality, tot.own_share) == (e.price_total, e.value, e.own_share)
    assert tot.municipality == Money("1045.00") and tot.own_share == Money("75.00")


def test_an_order_shows_the_contract_price_as_the_value_and_no_own_share():
    (x,), _ = spec([event(date(2026, 3, 9), quantity="3", value=None)])
    assert x.unit_value == x.unit_price == Money("34.00") and x.municipality == Money("102.00")
    assert x.own_share == Money("0.00")


# ---------------------------------------------------------------- what is shown


def test_pending_is_shown_flagged_rejected_and_drafts_are_not():
    pending = event(date(2026, 3, 11), quantity="2", status=EventStatus.pending_approval, id="ev-p")
    rejected = event(date(2026, 3, 12), quantity="2", status=EventStatus.rejected, id="ev-r")
    draft = event(date(2026, 3, 13), quantity="2", status=EventStatus.draft, id="ev-d")
    ok = event(date(2026, 3, 10), quantity="1", status=EventStatus.settled, id="ev-s")
    lines, tot = spec([pending, rejected, draft, ok])
    assert [x.record_id for x in lines] == ["ev-s", "ev-p"]
    p = lines[1]
    assert p.pending_approval and "odottaa kunnan hyväksyntää" in p.note and p.status == "pending_approval"
    assert tot.own_share == Money("6.00") and tot.pending_own_share == Money("4.00")
    assert tot.pending_municipality == Money("64.00") and tot.pending_lines == 1
    # once approved it is shown as any other; once rejected it disappears
    approved = pending.model_copy(update={"status": EventStatus.approved})
    lines, tot = spec([approved, ok])
    assert not lines[1].pending_approval and lines[1].note is None and tot.pending_lines == 0
    gone = pending.model_copy(update={"status": EventStatus.rejected})
    assert [x.record_id for x in spec([gone, ok])[0]] == ["ev-s"]


def test_a_credited_event_is_flagged_and_left_out_of_the_totals():
    credited = event(date(2026, 3, 11), quantity="2", id="ev-c", credit_id="cr-ev-c")
    ok = event(date(2026, 3, 12), quantity="1", id="ev-ok")
    lines, tot = spec([credited, ok])
    assert [x.credited for x in lines] == [True, False] and "hyvitetty" in lines[0].note
    assert tot.own_share == Money("2.00") and tot.municipality == Money("32.00") and tot.credited_lines == 1


def test_a_day_paid_elsewhere_shows_zeros_with_a_note():
    e = event(
        date(2026, 3, 17), date(2026, 3, 20), unit=Unit.day, prices="100.00", value="95.00",
        elsewhere={date(2026, 3, 17): "int-1"},
    )  # fmt: skip
    lines, tot = spec([e])
    first, rest = lines
    assert (first.quantity, first.price_total, first.municipality, first.own_share) == (
        Decimal("1.00"), Money("0.00"), Money("0.00"), Money("0.00"),
    )  # fmt: skip
    assert first.paid_elsewhere == "int-1" and "int-1" in first.note
    assert (rest.quantity, rest.municipality, rest.own_share) == (Decimal("3.00"), Money("285.00"), Money("15.00"))
    assert tot.municipality == Money("285.00")


def test_lines_are_clipped_to_the_period_by_their_days():
    e = event(date(2026, 2, 25), date(2026, 3, 3), unit=Unit.day, prices="100.00", value="95.00")
    (x,), tot = spec([e])
    assert (x.first_day, x.last_day, x.quantity) == (date(2026, 3, 1), date(2026, 3, 3), Decimal("3.00"))
    assert tot.own_share == Money("15.00")
    assert spec([event(date(2026, 4, 1), quantity="1")])[0] == []


def test_travel_is_the_municipalitys_and_on_the_events_first_line_only():
    prices = {
        d: ("100.00" if d < date(2026, 3, 12) else "104.00")
        for d in ev_rules.days(date(2026, 3, 10), date(2026, 3, 13))
    }
    e = event(date(2026, 3, 10), date(2026, 3, 13), unit=Unit.day, prices=prices, value="95.00", travel=Money("12.40"))
    lines, tot = spec([e])
    assert [x.travel for x in lines] == [Money("12.40"), Money("0.00")] and tot.travel == Money("12.40")


def test_a_provider_sees_only_its_own_lines():
    mine = event(date(2026, 3, 10), id="ev-mine")
    theirs = event(date(2026, 3, 11), provider_id="prv-2", id="ev-theirs")
    lines, tot = spec([mine, theirs], provider_id="prv-1")
    assert [x.record_id for x in lines] == ["ev-mine"] and tot.own_share == Money("2.00")
    assert len(spec([mine, theirs])[0]) == 2


def test_an_interruption_pays_its_days_with_no_own_share():
    # seed K4.3.5.1: 2.7.-17.7.: day 0 and days 1-10 at 100 %, days 11-14 at 0 %, return day 100 %
    i = interruption(date(2015, 7, 2), date(2015, 7, 17), [100] * 11 + [0] * 4 + [100])
    lines, tot = spec([], [i], date(2015, 7, 1), date(2015, 7, 31))
    (x,) = lines
    assert x.record == "interruption" and x.quantity == Decimal("12.00") and x.unit == "day"
    assert (x.municipality, x.own_share, x.price_total) == (Money("1140.00"), Money("0.00"), Money("1140.00"))
    assert "12 pv 100 %, 4 pv 0 %" in x.note and "sairaala" in x.note
    assert tot.municipality == Money("1140.00") and tot.own_share == Money("0.00")
    # a draft interruption (not back yet) is not shown; one paying nothing in the period neither
    assert spec([], [i.model_copy(update={"status": EventStatus.draft})], date(2015, 7, 1), date(2015, 7, 31))[0] == []
    assert spec([], [i], date(2015, 7, 13), date(2015, 7, 16))[0] == []


# ---------------------------------------------------------------- CSV


def test_csv_is_for_finnish_excel():
    pending = event(date(2026, 3, 11), quantity="2.25", status=EventStatus.pending_approval, id="ev-p")
    other = event(date(2026, 3, 9), quantity="20", provider_id="prv-2", id="ev-o", part_id="p1")
    lines, tot = spec([pending, other])
    text = r.to_csv(lines, tot, "voucher_value")
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Päivä", "Palvelusisältö", "Palveluntuottaja"] and rows[0][7] == "Setelin arvo"
    assert rows[1][0] == "9.3.2026" and rows[1][4] == "20,00" and rows[1][6] == "34,00" and rows[1][10] == "40,00"
    assert rows[1][2] == "'=Toinen Oy"  # never read as a formula
    assert rows[1][3] == "Toimipaikka p1"
    assert rows[2][12] == "odottaa hyväksyntää" and "odottaa kunnan hyväksyntää" in rows[2][13]
    assert rows[-1][0] == "Yhteensä" and rows[-1][10] == "44,50" and rows[-1][9] == "712,00"
    assert "4,50" in rows[-1][13]
    assert r.csv_headers("subsidy")[7] == "Tuki" and r.csv_headers("contract_price")[7] == "Sopimushinta"


def test_fi_decimal_and_spans():
    assert r.fi_decimal(Decimal("1234.5")) == "1234,50" and r.fi_decimal(Money("0.05")) == "0,05"
    assert r.fi_decimal(None) == ""
    assert r.fi_span(date(2015, 12, 28), date(2016, 1, 3)) == "28.12.2015-3.1.2016"
    assert r.fi_span(date(2015, 7, 2), date(2015, 7, 2)) == "2.7.2015"


def test_periods_and_their_defaults():
    import pytest

    from seteli.errors import ValidationFailed
    from seteli.services.own_share import events_period, period

    today = date(2026, 3, 20)
    assert period(None, None, today) == (date(2026, 3, 1), date(2026, 3, 31))
    assert period(date(2026, 2, 10), None, today) == (date(2026, 2, 10), date(2026, 2, 28))
    assert period(None, date(2026, 5, 3), today) == (date(2026, 5, 1), date(2026, 5, 3))
    assert period(date(2025, 3, 21), date(2026, 3, 20), today)[0] == date(2025, 3, 21)  # 365 days
    for first, last in ((date(2026, 3, 2), date(2026, 3, 1)), (date(2025, 3, 19), date(2026, 3, 20))):
        with pytest.raises(ValidationFailed) as err:
            period(first, last, today)
        assert [e.field for e in err.value.errors] == ["query.to"]
    assert events_period(None, None, today) == (date(2026, 1, 1), date(2026, 3, 31))
    assert events_period(None, date(2026, 1, 15), today) == (date(2025, 11, 1), date(2026, 1, 15))
    assert events_period(date(2026, 2, 1), None, today) == (date(2026, 2, 1), date(2026, 3, 31))
