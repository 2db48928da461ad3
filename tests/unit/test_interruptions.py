"""Interruptions (spec section 8, seed 003 K4.3.5): the day split, per-day values and settlement month."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seteli.domain.money import Money
from seteli.domain.tenant import InterruptionRule
from seteli.rules.interruptions import (
    Split,
    add_months,
    band_label,
    settlement_month,
    split,
    total,
    value_days,
)

# Kouvola from 1.1.2016 (tenants/demo.yaml kouvola-2016): day 0 100 %, days 1-10 100 %, 11- 0 %, return 100 %.
KOUVOLA = InterruptionRule.model_validate(
    {
        "id": "kouvola-2016",
        "name": {"fi": "Keskeytyssääntö 1.1.2016 alkaen"},
        "valid_from": "2016-01-01",
        "departure_day_percent": 100,
        "bands": [{"from_day": 1, "to_day": 10, "percent": 100}, {"from_day": 11, "percent": 0}],
        "return_day_percent": 100,
    }
)
HALF = InterruptionRule.model_validate(
    {
        "id": "half",
        "name": {"fi": "Puolet"},
        "departure_day_percent": 50,
        "bands": [{"from_day": 1, "percent": 50}],
        "return_day_percent": 50,
    }
)
DEADLINE = 2  # tenants/demo.yaml calendar.provider_deadline_day


def flat(amount: str):
    return lambda _day: Money(amount)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# ---- the seed's 2.7.-17.7.2015 example (K4.3.5.1) ----------------------------------------------


def test_seed_july_example_splits_into_the_kouvola_bands():
    """Given the Kouvola rule and a hospital stay from 2.7.2015 back on 17.7.2015,
    when the interruption is split,
    then 2.7. is day 0 at 100 %, 3.7.-12.7. days 1-10 at 100 %, 13.7.-16.7. days 11-14 at 0 %
    and 17.7. the return day at 100 %."""
    s = split(KOUVOLA, date(2015, 7, 2), date(2015, 7, 17))

    assert [d.on for d in s] == days_between(date(2015, 7, 2), date(2015, 7, 17))
    assert s[0] == Split(date(2015, 7, 2), 0, 100, False, "day 0")
    assert [(d.day_number, d.percent, d.band) for d in s[1:11]] == [(n, 100, "days 1-10") for n in range(1, 11)]
    assert [d.on for d in s[1:11]] == days_between(date(2015, 7, 3), date(2015, 7, 12))
    assert [(d.on, d.day_number, d.percent, d.band) for d in s[11:15]] == [
        (date(2015, 7, 13 + i), 11 + i, 0, "days 11-") for i in range(4)
    ]
    assert s[-1] == Split(date(2015, 7, 17), 15, 100, True, "return day")
    assert [d.return_day for d in s].count(True) == 1


def test_seed_july_example_is_twelve_paid_days():
    """Given the July example and a day value of 95.00,
    when the days are valued,
    then 12 days are paid in full (day 0, days 1-10, the return day): 1140.00, the 0 % days zero."""
    days = value_days(split(KOUVOLA, date(2015, 7, 2), date(2015, 7, 17)), flat("95.00"))

    assert total(days) == Money("1140.00")
    assert [d.municipality for d in days].count(Money("95.00")) == 12
    assert all(d.municipality == Money.zero() for d in days if d.percent == 0)
    assert all(d.attendance_value == Money("95.00") for d in days)
    assert days[-1].return_day and days[-1].paid_elsewhere is None


def test_day_value_that_changes_mid_range_is_used_day_by_day():
    """Given a 95.00 voucher capped at the day's price, which drops from 120.00 to 90.55 on 10.7.2015,
    when the July example is valued,
    then 2.7.-9.7. are 95.00 each, 10.7.-12.7. and the return day 90.55 each: 760.00 + 362.20 = 1122.20."""

    def capped(day: date) -> Money:
        price = Money("120.00") if day < date(2015, 7, 10) else Money("90.55")
        return min(Money("95.00"), price)

    days = value_days(split(KOUVOLA, date(2015, 7, 2), date(2015, 7, 17)), capped)

    by_day = {d.on: d.municipality for d in days}
    assert by_day[date(2015, 7, 9)] == Money("95.00")
    assert by_day[date(2015, 7, 10)] == Money("90.55")
    assert by_day[date(2015, 7, 13)] == Money.zero()
    assert by_day[date(2015, 7, 17)] == Money("90.55")
    assert total(days) == Money("1122.20")


def test_return_day_paid_in_an_attendance_event_is_not_paid_twice():
    """Given the July example whose return day 17.7. is already in attendance event ev-1 (17.7.-31.7.),
    when the days are valued with that day paid elsewhere (and other days of the event outside the range),
    then the return day is zero and names ev-1, and the total is 11 x 95.00 = 1045.00."""
    elsewhere = {date(2015, 7, 17): "ev-1", date(2015, 7, 18): "ev-1", date(2015, 7, 1): "ev-0"}

    days = value_days(split(KOUVOLA, date(2015, 7, 2), date(2015, 7, 17)), flat("95.00"), elsewhere)

    assert days[-1].municipality == Money.zero()
    assert days[-1].paid_elsewhere == "ev-1"
    assert days[-1].attendance_value == Money("95.00")
    assert [d.paid_elsewhere for d in days[:-1]] == [None] * 15
    assert total(days) == Money("1045.00")


def test_july_example_settles_with_july_until_the_provider_deadline():
    """Given the July example (back on 17.7.2015),
    when its end is recorded on 17.7. or on the deadline day 2.8., then it is settled with July (paid in
    August); recorded on 3.8., it waits for August's run."""
    back = date(2015, 7, 17)
    assert settlement_month(back, date(2015, 7, 17), DEADLINE) == "2015-07"
    assert settlement_month(back, date(2015, 7, 31), DEADLINE) == "2015-07"
    assert settlement_month(back, date(2015, 8, 2), DEADLINE) == "2015-07"
    assert settlement_month(back, date(2015, 8, 3), DEADLINE) == "2015-08"
    assert settlement_month(back, date(2015, 10, 1), DEADLINE) == "2015-09"


# ---- the seed's 5.11.-8.12. example (K4.3.5.4) --------------------------------------------------


def test_seed_november_december_example_splits_34_days():
    """Given an interruption from 5.11.2015 back on 8.12.2015,
    when it is split by the Kouvola rule,
    then it has 34 days: day 0 5.11., days 1-10 6.11.-15.11., 0 % 16.11.-7.12., return day 8.12."""
    s = split(KOUVOLA, date(2015, 11, 5), date(2015, 12, 8))

    assert len(s) == 34
    assert (s[0].on, s[0].day_number, s[0].percent, s[0].band) == (date(2015, 11, 5), 0, 100, "day 0")
    paid_band = [d for d in s if d.band == "days 1-10"]
    assert [d.on for d in paid_band] == days_between(date(2015, 11, 6), date(2015, 11, 15))
    unpaid = [d for d in s if d.percent == 0]
    assert [d.on for d in unpaid] == days_between(date(2015, 11, 16), date(2015, 12, 7))
    assert {d.band for d in unpaid} == {"days 11-"}
    assert (s[-1].on, s[-1].day_number, s[-1].percent, s[-1].return_day) == (date(2015, 12, 8), 33, 100, True)
    assert total(value_days(s, flat("95.00"))) == Money("1140.00")


def test_seed_november_december_example_is_paid_in_january():
    """Given the 5.11.-8.12.2015 interruption,
    when its end is recorded on 8.12. (the earliest possible) or by 2.1.2016,
    then it is settled with December, i.e. in the run in January; recorded on 3.1.2016, with January.
    An end recorded too early (in November) still cannot settle before the return day's month."""
    back = date(2015, 12, 8)
    assert settlement_month(back, date(2015, 12, 8), DEADLINE) == "2015-12"
    assert add_months(settlement_month(back, date(2015, 12, 8), DEADLINE), 1) == "2016-01"  # the run's month
    assert settlement_month(back, date(2016, 1, 2), DEADLINE) == "2015-12"
    assert settlement_month(back, date(2016, 1, 3), DEADLINE) == "2016-01"
    assert settlement_month(back, date(2015, 11, 30), DEADLINE) == "2015-12"


def test_settlement_month_follows_the_tenants_deadline_day():
    """Given a tenant whose providers have until the 5th,
    when an end is recorded on 5.8. or 6.8. for a return on 17.7.,
    then the 5th still counts for July and the 6th for August; a deadline outside 1-28 is refused."""
    assert settlement_month(date(2015, 7, 17), date(2015, 8, 5), 5) == "2015-07"
    assert settlement_month(date(2015, 7, 17), date(2015, 8, 6), 5) == "2015-08"
    with pytest.raises(ValueError, match="deadline"):
        settlement_month(date(2015, 7, 17), date(2015, 8, 6), 0)


# ---- rounding, edges ----------------------------------------------------------------------------


def test_half_percent_rounds_half_up_per_day_and_the_total_is_the_sum_of_days():
    """Given a 50 % rule and a day value of 33.33 over three days,
    when valued, then each day is 16.665 -> 16.67 (half-up per day) and the total 50.01,
    not the rounded product 99.99 x 50 % = 50.00."""
    days = value_days(split(HALF, date(2016, 3, 1), date(2016, 3, 3)), flat("33.33"))

    assert [d.municipality for d in days] == [Money("16.67")] * 3
    assert total(days) == Money("50.01")
    assert Money("99.99").times(Decimal("0.5")) == Money("50.00")  # what the sum is not


def test_same_day_interruption_is_one_day_at_the_departure_percent():
    """Given a rule with departure 70 % and return 30 %,
    when the customer leaves and returns on the same day,
    then there is one day, day 0 at 70 %, not flagged as the return day."""
    rule = InterruptionRule.model_validate(
        {
            "id": "r",
            "name": {"fi": "R"},
            "departure_day_percent": 70,
            "bands": [{"from_day": 1, "percent": 0}],
            "return_day_percent": 30,
        }
    )
    assert split(rule, date(2016, 5, 4), date(2016, 5, 4)) == [Split(date(2016, 5, 4), 0, 70, False, "day 0")]


def test_next_day_return_is_day_0_and_the_return_day():
    """Given the same 70/30 rule, when the customer returns the next day,
    then day 0 is 70 % and day 1 is the return day at 30 % (its band does not apply)."""
    rule = InterruptionRule.model_validate(
        {
            "id": "r",
            "name": {"fi": "R"},
            "departure_day_percent": 70,
            "bands": [{"from_day": 1, "percent": 0}],
            "return_day_percent": 30,
        }
    )
    assert split(rule, date(2016, 5, 4), date(2016, 5, 5)) == [
        Split(date(2016, 5, 4), 0, 70, False, "day 0"),
        Split(date(2016, 5, 5), 1, 30, True, "return day"),
    ]


def test_return_before_departure_is_refused():
    """Given a return day before the departure day, when split, then a ValueError says so."""
    with pytest.raises(ValueError, match="return day is before the departure day"):
        split(KOUVOLA, date(2015, 7, 17), date(2015, 7, 2))


def test_band_labels():
    """Given bands 1-10, 5-5 and 11-, when labelled, then "days 1-10", "day 5" and "days 11-"."""
    assert [band_label(b) for b in KOUVOLA.bands] == ["days 1-10", "days 11-"]
    rule = InterruptionRule.model_validate(
        {
            "id": "r",
            "name": {"fi": "R"},
            "departure_day_percent": 100,
            "bands": [{"from_day": 1, "to_day": 1, "percent": 80}, {"from_day": 2, "percent": 0}],
            "return_day_percent": 100,
        }
    )
    assert band_label(rule.bands[0]) == "day 1"
    assert [s.band for s in split(rule, date(2016, 1, 1), date(2016, 1, 4))] == [
        "day 0",
        "day 1",
        "days 2-",
        "return day",
    ]


# ---- properties ---------------------------------------------------------------------------------


@st.composite
def rules(draw) -> InterruptionRule:
    widths = draw(st.lists(st.integers(min_value=1, max_value=15), max_size=4))
    bands, start = [], 1
    for width in widths:
        bands.append({"from_day": start, "to_day": start + width - 1, "percent": draw(st.integers(0, 100))})
        start += width
    bands.append({"from_day": start, "percent": draw(st.integers(0, 100))})
    return InterruptionRule.model_validate(
        {
            "id": "any",
            "name": {"fi": "Mikä tahansa"},
            "departure_day_percent": draw(st.integers(0, 100)),
            "bands": bands,
            "return_day_percent": draw(st.integers(0, 100)),
        }
    )


DEPARTURES = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))
LENGTHS = st.integers(min_value=0, max_value=120)
CENTS = st.integers(min_value=0, max_value=50_000)


@given(rules(), DEPARTURES, LENGTHS)
def test_split_covers_each_day_once_in_order_with_the_rules_percent(rule, departure, length):
    """Given any rule and range, when split, then every day from departure to return is there exactly
    once and in order, numbered from 0, only the last (of a range longer than a day) is the return day,
    and every percentage is the rule's for that day."""
    back = departure + timedelta(days=length)
    s = split(rule, departure, back)

    assert [d.on for d in s] == days_between(departure, back)
    assert [d.day_number for d in s] == list(range(length + 1))
    assert [d.return_day for d in s] == [length > 0 and n == length for n in range(length + 1)]
    for d in s:
        assert d.percent == rule.percent_for_day(d.day_number, return_day=d.return_day)


@given(rules(), DEPARTURES, LENGTHS, st.lists(CENTS, min_size=1, max_size=7), st.booleans())
def test_value_is_the_sum_of_half_up_days(rule, departure, length, cents, return_paid_elsewhere):
    """Given any rule, range and day values (varying by weekday), when valued,
    then each day is its value x percent / 100 half-up to the cent (zero if paid elsewhere),
    and the total is their sum."""
    back = departure + timedelta(days=length)

    def value(day: date) -> Money:
        return Money.from_cents(cents[day.toordinal() % len(cents)])

    elsewhere = {back: "ev-x"} if return_paid_elsewhere else None
    days = value_days(split(rule, departure, back), value, elsewhere)

    expected_sum = Decimal("0.00")
    for d in days:
        expected = (value(d.on).amount * d.percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if return_paid_elsewhere and d.on == back:
            expected = Decimal("0.00")
            assert d.paid_elsewhere == "ev-x"
        assert d.municipality.amount == expected
        expected_sum += expected
    assert total(days).amount == expected_sum
