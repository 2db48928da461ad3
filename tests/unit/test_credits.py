"""Credits (spec section 10, seed 003 K4.3.8): when a credit is deducted, and a run's payment and carry."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seteli.domain.money import Money
from seteli.rules.credits import carry, deduct_in, provider_payment

TWENTY = Money("20.00")


def test_seed_april_to_june_example():
    """Given two correct 20 EUR events in each of April, May and June 2016, an erroneous third one in
    April, and a credit for it filed on 10 May,
    when each month's run pays its events minus the credits deducted in that month,
    then the provider is paid 60.00 in April, 20.00 in May and 40.00 in June."""
    events = {"2016-04": [TWENTY, TWENTY, TWENTY], "2016-05": [TWENTY, TWENTY], "2016-06": [TWENTY, TWENTY]}
    credits = [(deduct_in(date(2016, 5, 10), "2016-04"), TWENTY)]

    paid = {}
    carried = Money.zero()
    for month, amounts in events.items():
        run_total = provider_payment(amounts, [amount for when, amount in credits if when == month])
        paid[month], carried = carry(run_total, carried)

    assert paid == {"2016-04": Money("60.00"), "2016-05": Money("20.00"), "2016-06": Money("40.00")}
    assert carried == Money.zero()


def test_negative_total_carries_until_paid_off():
    """Given a provider with a 20.00 event and a 50.00 credit in one run,
    when the runs are paid one after another,
    then nothing is paid and -30.00 is carried; a 20.00 run leaves -10.00; a 40.00 run pays 30.00."""
    first = provider_payment([TWENTY], [Money("50.00")])
    assert first == Money("-30.00")

    assert carry(first, Money.zero()) == (Money.zero(), Money("-30.00"))
    assert carry(TWENTY, Money("-30.00")) == (Money.zero(), Money("-10.00"))
    assert carry(Money("40.00"), Money("-10.00")) == (Money("30.00"), Money.zero())
    assert carry(Money("10.00"), Money("-10.00")) == (Money.zero(), Money.zero())


def test_carry_and_payment_refuse_wrong_signs():
    """Given a positive carried amount or a negative credit, when used, then a ValueError says why."""
    with pytest.raises(ValueError, match="zero or negative"):
        carry(TWENTY, Money("0.01"))
    with pytest.raises(ValueError, match="positive amount"):
        provider_payment([TWENTY], [Money("-1.00")])


def test_payment_with_nothing_is_zero():
    """Given no events and no credits, when totalled, then the payment is 0.00."""
    assert provider_payment([], []) == Money.zero()


@pytest.mark.parametrize(
    ("filed_on", "event_month", "expected"),
    [
        (date(2016, 5, 10), "2016-04", "2016-05"),  # the seed: filed in May for April -> May
        (date(2016, 4, 3), "2016-03", "2016-04"),  # approved with a credit on 3 April for March -> April
        (date(2016, 3, 25), "2016-03", "2016-04"),  # filed in the event's own month -> never that month
        (date(2016, 7, 1), "2016-04", "2016-07"),  # filed late -> the month it was filed in
        (date(2016, 12, 20), "2016-12", "2017-01"),  # year end
        (date(2016, 1, 2), "2015-12", "2016-01"),
    ],
)
def test_deduct_in(filed_on, event_month, expected):
    """Given a credit filed on a day for an event of a month,
    when its settlement month is worked out,
    then it is the later of the filing month and the month after the event's."""
    assert deduct_in(filed_on, event_month) == expected


@pytest.mark.parametrize("bad", ["2016-13", "2016-4", "april", "2016/04", ""])
def test_deduct_in_refuses_a_bad_month(bad):
    """Given an event month that is not YYYY-MM, when used, then a ValueError."""
    with pytest.raises(ValueError, match="YYYY-MM"):
        deduct_in(date(2016, 5, 10), bad)


MONEY = st.integers(min_value=-(10**7), max_value=10**7).map(Money.from_cents)
OWED = st.integers(min_value=-(10**7), max_value=0).map(Money.from_cents)


@given(MONEY, OWED)
def test_carry_keeps_every_cent(total, carried_in):
    """Given any run total and any carried debt, when carried,
    then nothing negative is paid, nothing positive is carried, at most one of them is non-zero,
    and together they are the total plus the debt."""
    now, out = carry(total, carried_in)
    assert now >= Money.zero() >= out
    assert now == Money.zero() or out == Money.zero()
    assert now + out == total + carried_in
