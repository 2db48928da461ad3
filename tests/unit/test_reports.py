"""The reports' rules (spec 15, seed 003 5.1 and 5.2): customers and realisation with used, settled,
credited, own share, pending and incomplete units; interruption days per band of the tenant's rule,
clipped to the range; the month range; Finnish CSV."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from seteli.domain.entitlements import Entitlement
from seteli.domain.events import EventStatus, Interruption
from seteli.domain.money import Money
from seteli.domain.tenant import InterruptionRule
from seteli.domain.units import Unit
from seteli.rules import csv_fi
from seteli.rules import interruptions as int_rules
from seteli.rules import reports as rules
from tests.factories import service_event

AT = datetime(2026, 10, 1, tzinfo=UTC)
OCT = (date(2026, 10, 1), date(2026, 10, 31))
KOUVOLA = InterruptionRule.model_validate(
    {"id": "kouvola-2016", "name": {"fi": "Kouvola"}, "departure_day_percent": 100, "return_day_percent": 100,
     "bands": [{"from_day": 1, "to_day": 10, "percent": 100}, {"from_day": 11, "percent": 0}]}
)  # fmt: skip
RULES = {KOUVOLA.id: KOUVOLA}


def ev(day: int, status=EventStatus.recorded, quantity="2", **kw):
    kw.setdefault("id", f"ev-{day}-{status.value}-{quantity}")
    return service_event(
        date(2026, 10, day), quantity=quantity, status=status, decision_number="D-1", content_id="weekday", **kw
    )


def entitlement(dn="D-1", **kw) -> Entitlement:
    base = dict(
        decision_number=dn, kind="voucher", customer_id="cus-1", service_id="home-care",
        decision_date=date(2026, 1, 1), valid_from=date(2026, 1, 1), home_municipality="Kouvola",
        rows=[{"content_id": "weekday", "amount": "10", "period": "week", "unit_value": "32.00"}],
        verification_code="X", citizen_code="Y", created_at=AT, created_by="cw", updated_at=AT,
    )  # fmt: skip
    base.update(kw)
    return Entitlement.model_validate(base)


def interruption(departure: date, back: date | None, *, status=EventStatus.recorded, id="int-1", **kw) -> Interruption:
    """An interruption split and valued by the real rules: the Kouvola rule, 95.00 a day as attendance."""
    days = []
    if back is not None:
        days = int_rules.value_days(int_rules.split(KOUVOLA, departure, back), lambda _d: Money("95.00"))
    base = dict(
        id=id, decision_number="D-2", customer_id="cus-2", service_id="assisted-living", content_id="care-day",
        provider_id="prv-1", status=status if back else EventStatus.draft, reason="hospital", departure_day=departure,
        return_day=back, rule_id=KOUVOLA.id, days=days, value=int_rules.total(days),
        created_at=AT, created_by="u", updated_at=AT, updated_by="u",
    )  # fmt: skip
    base.update(kw)
    return Interruption(**base)


# ---------------------------------------------------------------- customers and realisation


def test_realisation_counts_used_settled_pending_and_incomplete_units():
    """Given a month of 2 h visits in every state, the row counts each state where seed 003 5.1 puts it."""
    events = [
        ev(1, EventStatus.settled),
        ev(2, EventStatus.recorded),
        ev(3, EventStatus.pending_approval, quantity="1.5"),
        ev(4, EventStatus.draft, quantity="3"),
        ev(5, EventStatus.draft, quantity="1", auto=True),
        ev(6, EventStatus.rejected),
        ev(7, EventStatus.paid, travel=Money("4.96")),
    ]
    rows, total = rules.realisation(events, [], {"D-1": entitlement()}, *OCT)
    (row,) = rows
    assert row.granted_text == "10.00 h / week" and row.granted.text_fi() == "10,00 h / vko"
    assert row.used == Decimal("7.5")  # settled 2 + recorded 2 + pending 1.5 + paid 2 (not drafts or rejected)
    assert row.pending == Decimal("1.5")
    assert row.incomplete == 4 and row.incomplete_auto == 1  # drafts, the automatic one among them
    assert row.settled == Money("132.96")  # settled and paid only: 2 x 64.00 + travel 4.96
    assert row.own_share == Money("15.00")  # 7.5 h x (34.00 - 32.00)
    assert total.settled == Money("132.96") and total.own_share == Money("15.00")
    assert [(u.unit, u.used, u.pending, u.incomplete) for u in total.units] == [(Unit.hour, 7.5, 1.5, 4)]
    assert (total.entitlements, total.customers) == (1, 1)


def test_a_credited_event_is_settled_then_credited_not_used():
    """Given a settled event with a credit request (spec 10), it was paid once (settled), will be
    deducted (credited), and no longer uses the granted hours nor carries an own share."""
    rows, total = rules.realisation([ev(1, EventStatus.settled, credit_id="cr-x"), ev(2)], [], {}, *OCT)
    (row,) = rows
    assert row.settled == Money("64.00") and row.credited == Money("64.00") and total.credited == Money("64.00")
    assert row.used == 2 and row.own_share == Money("4.00")
    assert row.granted is None and row.granted_text == ""  # no entitlement given: nothing shown granted


def test_only_rejected_events_make_no_row():
    assert rules.realisation([ev(1, EventStatus.rejected)], [], {}, *OCT)[0] == []


def test_rows_per_content_and_part_and_totals_per_unit():
    events = [
        ev(1),
        ev(2, part_id="site-a"),
        service_event(date(2026, 10, 3), unit=Unit.day, decision_number="D-3", customer_id="cus-3", prices="100.00",
                      value="95.00", status=EventStatus.recorded),
    ]  # fmt: skip
    rows, total = rules.realisation(events, [], {}, *OCT)
    assert [(r.decision_number, r.part_id, r.unit) for r in rows] == [
        ("D-1", None, Unit.hour),
        ("D-1", "site-a", Unit.hour),
        ("D-3", None, Unit.day),
    ]
    assert {u.unit: u.used for u in total.units} == {Unit.day: 1, Unit.hour: 4}
    assert (total.entitlements, total.customers) == (2, 2)


def test_interruption_days_are_clipped_to_the_range_and_settled_ones_count_as_settled():
    """Given the seed's interruption 5.11.-8.12. (K4.3.5.4), settled: November holds 26 of its days,
    December 8, and together they are the whole interruption."""
    i = interruption(date(2026, 11, 5), date(2026, 12, 8), status=EventStatus.settled)
    nov, _ = rules.realisation([], [i], {}, date(2026, 11, 1), date(2026, 11, 30))
    dec, _ = rules.realisation([], [i], {}, date(2026, 12, 1), date(2026, 12, 31))
    assert nov[0].interruption_days == 26 and dec[0].interruption_days == 8
    assert nov[0].interruption_value == Money("1045.00")  # day 0 and days 1-10 at 95.00; days 11-25 at 0 %
    assert dec[0].interruption_value == Money("95.00")  # only the return day pays
    assert nov[0].interruption_value + dec[0].interruption_value == i.value
    assert nov[0].settled == Money("1045.00") and nov[0].unit is Unit.day
    # a draft (open) interruption has no days yet; October holds none of this one's
    assert rules.realisation([], [interruption(date(2026, 10, 2), None)], {}, *OCT)[0] == []
    assert rules.realisation([], [i], {}, *OCT)[0] == []


@pytest.mark.parametrize(
    ("kw", "unit", "en", "fi"),
    [
        ({}, Unit.hour, "10.00 h / week", "10,00 h / vko"),
        ({"rows": [{"content_id": "weekday", "amount": "31", "period": "month", "unit_value": "95"}]}, Unit.day,
         "31.00 days / month", "31,00 vrk / kk"),
        ({"kind": "balance_voucher", "rows": [],
          "balance": {"total_euros": "250", "recurrence": "month", "contents": [{"content_id": "weekday",
                                                                                   "subsidy": "20"}]}},
         Unit.hour, "250.00 EUR / month", "250,00 EUR / kk"),
        ({"kind": "balance_voucher", "rows": [],
          "balance": {"total_units": "20", "contents": [{"content_id": "weekday", "subsidy": "20"}]}},
         Unit.hour, "20.00 h / validity", "20,00 h / voimassaolo"),
    ],
)  # fmt: skip
def test_granted_as_the_decision_says_it(kw, unit, en, fi):
    g = rules.granted(entitlement(**kw), "weekday", unit)
    assert (g.text(), g.text_fi()) == (en, fi)
    assert rules.granted(entitlement(**kw), "another-content", unit) is None


# ---------------------------------------------------------------- interruptions


def test_the_seed_example_by_the_bands_of_the_rule():
    """Given the seed's hospital stay 2.7.-17.7. (K4.3.5.1) under the Kouvola rule, the report shows
    day 0, days 1-10 at 100 %, days 11- at 0 % (four days) and the return day at 100 %."""
    i = interruption(date(2026, 7, 2), date(2026, 7, 17))
    rows, summary, tot = rules.interruptions([i], date(2026, 7, 1), date(2026, 7, 31), RULES)
    (row,) = rows
    assert [(b.band, b.percent, b.days, b.value) for b in row.bands] == [
        ("day 0", 100, 1, Money("95.00")),
        ("days 1-10", 100, 10, Money("950.00")),
        ("days 11-", 0, 4, Money("0.00")),
        ("return day", 100, 1, Money("95.00")),
    ]
    assert row.days == 16 and row.value == row.total_value == Money("1140.00")
    assert [(s.reason, s.band, s.days) for s in summary] == [
        ("hospital", "day 0", 1),
        ("hospital", "days 1-10", 10),
        ("hospital", "days 11-", 4),
        ("hospital", "return day", 1),
    ]
    assert (tot.interruptions, tot.open, tot.days, tot.value) == (1, 0, 16, Money("1140.00"))


def test_a_cross_month_interruption_is_split_by_the_range_and_the_summary_adds_reasons_up():
    long = interruption(date(2026, 11, 5), date(2026, 12, 8))
    holiday = interruption(date(2026, 11, 20), date(2026, 11, 22), id="int-2", reason="holiday")
    still_away = interruption(date(2026, 11, 28), None, id="int-3")
    rejected = interruption(date(2026, 11, 2), date(2026, 11, 3), id="int-4", status=EventStatus.rejected)
    earlier = interruption(date(2026, 10, 1), date(2026, 10, 3), id="int-5")
    nov = rules.interruptions([still_away, long, holiday, rejected, earlier], date(2026, 11, 1),
                              date(2026, 11, 30), RULES)  # fmt: skip
    rows, summary, tot = nov
    assert [r.id for r in rows] == ["int-1", "int-2", "int-3"]  # by departure day; not rejected, not October's
    assert rows[0].days == 26 and rows[0].value == Money("1045.00") and rows[0].total_value == Money("1140.00")
    assert [(b.band, b.days) for b in rows[0].bands] == [("day 0", 1), ("days 1-10", 10), ("days 11-", 15)]
    assert rows[2].return_day is None and rows[2].bands == [] and rows[2].days == 0  # open: listed, no days
    assert [(s.reason, s.band, s.days) for s in summary] == [
        ("holiday", "day 0", 1),
        ("holiday", "days 1-10", 1),
        ("holiday", "return day", 1),
        ("hospital", "day 0", 1),
        ("hospital", "days 1-10", 10),
        ("hospital", "days 11-", 15),
    ]
    assert (tot.interruptions, tot.open, tot.days) == (3, 1, 29)
    dec_rows, _, _ = rules.interruptions([long], date(2026, 12, 1), date(2026, 12, 31), RULES)
    assert [(b.band, b.days, b.value) for b in dec_rows[0].bands] == [
        ("days 11-", 7, Money("0.00")),
        ("return day", 1, Money("95.00")),
    ]
    assert rows[0].value + dec_rows[0].value == long.value


def test_without_its_rule_the_days_are_grouped_by_percentage_and_a_day_paid_elsewhere_is_counted():
    i = interruption(date(2026, 7, 2), date(2026, 7, 17))
    days = [d.model_copy(update={"paid_elsewhere": "ev-17", "municipality": Money.zero()}) if d.return_day else d
            for d in i.days]  # fmt: skip
    i = i.model_copy(update={"days": days, "rule_id": "removed"})
    (row,), _, _ = rules.interruptions([i], date(2026, 7, 1), date(2026, 7, 31), RULES)
    assert [(b.band, b.days, b.paid_elsewhere) for b in row.bands] == [
        ("day 0", 1, 0),
        ("days at 0 %", 4, 0),
        ("days at 100 %", 10, 0),
        ("return day", 1, 1),
    ]
    assert row.value == Money("1045.00")


# ---------------------------------------------------------------- months


def test_the_month_range():
    assert rules.months("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert rules.month_span("2026-11", "2026-12") == (date(2026, 11, 1), date(2026, 12, 31))
    assert rules.month_span("2028-02", "2028-02") == (date(2028, 2, 1), date(2028, 2, 29))
    assert rules.range_problem("2026-01", "2026-12") is None  # twelve months
    assert rules.range_problem("2026-01", "2027-01") == ("query.to", "at most 12 months from 'from'")
    assert rules.range_problem("2026-10", "2026-09") == ("query.to", "must not be before from")
    with pytest.raises(ValueError):
        rules.months("2026-13", "2027-01")


# ---------------------------------------------------------------- CSV


def _read(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff") and "\r\n" in text
    return list(csv.reader(text.removeprefix("\ufeff").splitlines(), delimiter=";"))


def test_realisation_csv_is_for_finnish_excel():
    i = interruption(date(2026, 10, 2), date(2026, 10, 17), decision_number="D-1")
    events = [ev(1, EventStatus.settled), ev(4, EventStatus.draft, quantity="1.5", auto=True)]
    rows, total = rules.realisation(events, [i], {"D-1": entitlement()}, *OCT)
    table = _read(rules.realisation_csv(rows, total))
    assert table[0][:3] == ["Päätös", "Asiakas", "Palvelu"] and "Keskeneräiset yks." in table[0]
    hour = next(r for r in table if r[0] == "D-1" and r[6] == "h")
    assert hour[7] == "10,00 h / vko" and hour[8] == "2,00" and hour[9] == "64,00" and hour[13:15] == ["1,50", "1,50"]
    day = next(r for r in table if r[0] == "D-1" and r[6] == "vrk")
    assert day[15:] == ["16", "1140,00"] and day[9] == "0,00" and day[7] == ""  # recorded, not settled; not granted
    assert table[-3][0] == "Yhteensä" and table[-3][9] == "64,00" and table[-3][16] == "1140,00"
    assert [r[0] for r in table[-2:]] == ["Yhteensä (vrk)", "Yhteensä (h)"]


def test_interruptions_csv_is_for_finnish_excel_and_formula_safe():
    i = interruption(date(2026, 7, 2), date(2026, 7, 17), decision_number="=cmd|'/c calc'!A1")
    open_ = interruption(date(2026, 7, 20), None, id="int-2")
    rows, summary, tot = rules.interruptions([i, open_], date(2026, 7, 1), date(2026, 7, 31), RULES)
    table = _read(rules.interruptions_csv(rows, summary, tot))
    assert table[0][0] == "Keskeytys" and table[1][1].startswith("'=")  # never run as a formula
    assert table[1][5:10] == ["sairaala", "2.7.2026", "17.7.2026", "kirjattu", "lähtöpäivä (0)"]
    assert ["päivät 11-", "0", "4", "0,00"] == table[3][9:13] and table[4][9] == "paluupäivä"
    assert table[5][7:9] == ["avoin", "keskeneräinen"] and table[5][11] == "0"
    assert table[7][0] == "Yhteenveto" and table[-1][0] == "Yhteensä 2 keskeytystä" and table[-1][12] == "1140,00"


def test_csv_helpers():
    assert csv_fi.fi_decimal(Decimal("1234.5")) == "1234,50" and csv_fi.fi_decimal(Money("-3")) == "-3,00"
    assert csv_fi.fi_decimal(None) == ""
    assert [csv_fi.text_cell(x) for x in ("=1+1", "+358", "-2", "@a", "\tx", "ok", None)] == [
        "'=1+1", "'+358", "'-2", "'@a", "'\tx", "ok", "",
    ]  # fmt: skip
    assert csv_fi.to_csv([["a;b", "c"], ["1,5"]]) == '\ufeff"a;b";c\r\n1,5\r\n'
