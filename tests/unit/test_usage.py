"""Used and remaining amounts of an entitlement in its current period (seteli.rules.usage)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from seteli.domain.entitlements import Balance, BalanceContent, Entitlement, EntitlementRow, Period
from seteli.domain.money import Money
from seteli.rules.usage import Charge, current_period, last_valid_day, usage

AT = datetime(2026, 1, 1, tzinfo=UTC)
MON, WED, SUN = date(2026, 11, 16), date(2026, 11, 18), date(2026, 11, 22)


def ent(rows=(), balance=None, kind="voucher", **kw) -> Entitlement:
    return Entitlement(
        decision_number="T-1",
        kind=kind,
        customer_id="cus-x",
        service_id="home-care",
        decision_date=date(2026, 1, 1),
        valid_from=kw.pop("valid_from", date(2026, 1, 1)),
        valid_until=kw.pop("valid_until", date(2026, 12, 31)),
        home_municipality="Jyväskylä",
        rows=list(rows),
        balance=balance,
        verification_code="V",
        citizen_code="C",
        created_at=AT,
        created_by="t",
        updated_at=AT,
        **kw,
    )


def row(amount="10", period=Period.week, value="32.00", content="hc") -> EntitlementRow:
    return EntitlementRow(content_id=content, amount=amount, period=period, unit_value=value)


def test_weekly_hours_used_this_week_leave_the_rest_in_hours_and_euros():
    e = ent([row("10", Period.week, "32.00")])
    charges = [
        Charge("hc", MON, Decimal("4")),
        Charge("hc", WED, Decimal("2")),
        Charge("hc", MON.replace(day=13), Decimal("9")),  # last week: not this week's
        Charge("other", WED, Decimal("5")),  # another content
    ]
    r = usage(e, charges, WED).rows[0]
    assert (r.period_start, r.period_end) == (MON, SUN)
    assert (r.granted, r.used, r.remaining) == (Decimal("10"), Decimal("6"), Decimal("4"))
    assert r.remaining_euros == Money("128.00")
    assert r.used_euros == Money("192.00")
    assert r.granted_euros == Money("320.00")


def test_nothing_charged_leaves_everything():
    r = usage(ent([row("20", Period.validity)]), [], WED).rows[0]
    assert r.used == 0 and r.remaining == Decimal("20") and r.remaining_euros == Money("640.00")
    assert (r.period_start, r.period_end) == (date(2026, 1, 1), date(2026, 12, 31))


def test_charged_euros_are_taken_as_given_and_remaining_never_below_zero():
    e = ent([row("3", Period.month, "50.00")])
    r = usage(e, [Charge("hc", date(2026, 11, 2), Decimal("4"), Money("150.00"))], WED).rows[0]
    assert r.used == Decimal("4") and r.remaining == 0 and r.remaining_euros == Money("0.00")
    assert r.used_euros == Money("150.00")
    assert (r.period_start, r.period_end) == (date(2026, 11, 1), date(2026, 11, 30))


def test_monthly_balance_voucher_in_euros():
    b = Balance(
        total_euros="250.00", recurrence=Period.month, contents=[BalanceContent(content_id="c", subsidy="20.00")]
    )
    e = ent(balance=b, kind="balance_voucher")
    charges = [Charge("c", date(2026, 11, 3), Decimal("3")), Charge("c", date(2026, 10, 30), Decimal("5"))]
    bu = usage(e, charges, WED).balance
    assert bu.used_euros == Money("60.00") and bu.remaining_euros == Money("190.00")
    assert bu.used_units == Decimal("3") and bu.total_units is None and bu.remaining_units is None
    assert (bu.period_start, bu.period_end) == (date(2026, 11, 1), date(2026, 11, 30))


def test_balance_voucher_in_units_over_the_validity():
    b = Balance(total_units="40", contents=[BalanceContent(content_id="c", subsidy="20.00")])
    e = ent(balance=b, kind="balance_voucher")
    bu = usage(e, [Charge("c", date(2026, 2, 3), Decimal("12.5"))], WED).balance
    assert bu.remaining_units == Decimal("27.5") and bu.remaining_euros is None and bu.used_euros == Money("250.00")


def test_periods_are_clipped_to_the_validity_and_clamped_outside_it():
    assert current_period(Period.week, date(2026, 11, 18), date(2026, 11, 20), WED) == (WED, date(2026, 11, 20))
    # before the start: the first period; after the end: the last one
    assert current_period(Period.month, date(2026, 12, 10), None, WED) == (date(2026, 12, 10), date(2026, 12, 31))
    assert current_period(Period.month, date(2026, 1, 1), date(2026, 3, 15), WED) == (
        date(2026, 3, 1),
        date(2026, 3, 15),
    )
    assert current_period(Period.validity, date(2026, 1, 1), None, WED) == (date(2026, 1, 1), None)


def test_a_closed_entitlement_ends_the_day_before_closing():
    e = ent([row()], closed_on=date(2026, 6, 1))
    assert last_valid_day(e) == date(2026, 5, 31)
    assert last_valid_day(ent([row()], valid_until=None)) is None


def test_a_week_across_new_year_is_an_iso_week():
    e = ent([row("10", Period.week)], valid_until=None)
    r = usage(e, [Charge("hc", date(2026, 12, 29), Decimal("1"))], date(2027, 1, 1)).rows[0]
    assert (r.period_start, r.period_end) == (date(2026, 12, 28), date(2027, 1, 3)) and r.used == 1
