"""Money: Decimal arithmetic, half-up to the cent, never floats."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from seteli.domain.money import Money, QuantityField, min_money, round_cents


def test_seed_001_example_20_hours_at_32_euros_is_640():
    # Given a voucher value of 32.00 EUR/h, when 20 h are used, then the value is 640.00 EUR
    assert Money("32.00").times(20) == Money("640.00")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("-0.005", "-0.01"), ("1.125", "1.13")],
)
def test_rounding_is_half_up_to_the_cent(amount, expected):
    assert round_cents(amount) == Decimal(expected)
    assert str(Money(amount)) == expected


def test_quarter_hours_times_voucher_value():
    # 2.25 h x 32.00 = 72.00; 2.25 h x 33.33 = 74.9925 -> 74.99
    assert Money("32.00").times("2.25") == Money("72.00")
    assert Money("33.33").times("2.25") == Money("74.99")


def test_percent_band_of_a_day():
    assert Money("95.00").times(Decimal("0.5")) == Money("47.50")


def test_money_is_stored_as_integer_cents():
    assert Money("12.34").cents == 1234
    assert Money.from_cents(1234) == Money("12.34")


def test_min_money_caps_at_the_price():
    assert min_money(Money("32.00"), Money("30.50")) == Money("30.50")


class _M(BaseModel):
    value: Money
    qty: QuantityField


def test_api_money_is_a_decimal_string_and_floats_are_refused():
    m = _M.model_validate({"value": "32.00", "qty": "2.25"})
    assert m.model_dump(mode="json") == {"value": "32.00", "qty": "2.25"}
    with pytest.raises(ValidationError):
        _M.model_validate({"value": 32.1, "qty": "1"})
    with pytest.raises(ValidationError):
        _M.model_validate({"value": "32.001", "qty": "1"})
    with pytest.raises(ValidationError):
        _M.model_validate({"value": "abc", "qty": "1"})


@given(st.lists(st.integers(min_value=-(10**9), max_value=10**9), max_size=30))
def test_sum_of_money_is_sum_of_cents(cents):
    assert sum((Money.from_cents(c) for c in cents), Money.zero()).cents == sum(cents)


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=10**4))
def test_times_matches_decimal_half_up(cents, hundredths):
    qty = Decimal(hundredths) / 100
    expected = (Decimal(cents) / 100 * qty).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert Money.from_cents(cents).times(qty).amount == expected


@pytest.mark.parametrize("typed", ["1" * 40, "1e400", "-1e30", "1234567890123.00"])
def test_huge_numbers_are_a_validation_error_not_a_crash(typed):
    class M(BaseModel):
        price: Money
        amount: QuantityField

    for field in ("price", "amount"):
        body = {"price": "1.00", "amount": "1", field: typed}
        with pytest.raises(ValidationError) as err:
            M.model_validate(body)
        [error] = err.value.errors()
        assert error["loc"] == (field,) and "too large" in error["msg"] and typed not in error["msg"]


def test_the_largest_allowed_amount_still_rounds():
    assert round_cents("999999999999.995") == Decimal("1000000000000.00")
