"""seteli.rules.reservations: activation codes, refusals in their fixed order, the 3-year rule."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from seteli.domain.entitlements import (
    Balance,
    BalanceContent,
    Entitlement,
    EntitlementKind,
    EntitlementRow,
    ProviderCustomer,
    Reservation,
)
from seteli.rules import reservations as r
from tests.factories import entitlement

AT = datetime(2026, 5, 1, 9, tzinfo=UTC)
TODAY = date(2026, 5, 10)


def ent(**kw) -> Entitlement:
    rows = [EntitlementRow(content_id="weekday", amount="10", period="week", unit_value="32.00")]
    return entitlement(**{"rows": rows, **kw})


def balance(provider_ids=()) -> Balance:
    return Balance(
        total_euros="250.00",
        contents=[BalanceContent(content_id="errand", subsidy="20.00")],
        provider_ids=list(provider_ids),
    )


def res(provider_id="prv-b", cancelled=False, **kw) -> Reservation:
    return Reservation(
        decision_number="JKL-1",
        provider_id=provider_id,
        content_id="weekday",
        customer_id="cus-1",
        reserved_at=AT,
        reserved_by="x",
        cancelled_at=AT if cancelled else None,
        **kw,
    )


def check(e, reservations=(), **kw):
    args = dict(
        provider_id="prv-a",
        part_id=None,
        content_id="weekday",
        part_active=True,
        approved=True,
        priced=True,
        today=TODAY,
    )
    args.update(kw)
    return r.refusals(e, list(reservations), **args)


# ---------------------------------------------------------------- codes


def test_code_accepted_needs_the_right_code_in_any_spacing_or_case():
    e = ent()
    assert r.code_accepted("KT7HQ4MRXA", e, "prv-a")
    assert r.code_accepted(" kt7h-q4mr xa ", e, "prv-a")
    assert not r.code_accepted("KT7HQ4MRXB", e, "prv-a")
    assert not r.code_accepted(None, e, "prv-a")
    assert not r.code_accepted("", e, "prv-a")
    assert not r.code_accepted("ÄÄÄ", e, "prv-a")  # non-ASCII compares (as bytes), never raises


def test_unknown_entitlement_is_never_accepted():
    assert not r.code_accepted("----------", None, "prv-a")
    assert not r.code_accepted(None, None, "prv-a")


def test_named_provider_needs_no_code_but_others_do():
    e = ent(named_provider_id="prv-a")
    assert r.code_accepted(None, e, "prv-a")
    assert not r.code_accepted(None, e, "prv-b")
    assert r.code_accepted("KT7HQ4MRXA", e, "prv-b")


# ---------------------------------------------------------------- refusals


def test_nothing_to_refuse():
    assert check(ent()) == []
    kw = dict(provider_id="prv-a", part_id=None, content_id="weekday", part_active=True, approved=True, priced=True)
    assert r.refusal(ent(), [], **kw, today=TODAY) is None


@pytest.mark.parametrize(
    ("e", "closed"),
    [
        (ent(closed_on=TODAY), True),
        (ent(closed_on=date(2026, 5, 11)), False),  # closes tomorrow: still open today
        (ent(valid_until=date(2026, 5, 9)), True),
        (ent(valid_until=TODAY), False),  # the last day is a valid day
        (ent(valid_until=None), False),  # open-ended
    ],
)
def test_closed(e, closed):
    assert r.is_closed(e, TODAY) is closed
    found = check(e)
    assert (bool(found) and found[0].reason == "closed" and found[0].status == 409) is closed


def test_content_must_be_granted():
    (only,) = check(ent(), content_id="evening")
    assert (only.reason, only.status, only.field) == ("content", 422, "body.content_id")
    assert "weekday" in only.message


def test_balance_voucher_contents():
    e = ent(kind=EntitlementKind.balance_voucher, rows=[], balance=balance())
    assert check(e, content_id="errand") == []
    assert check(e, content_id="weekday")[0].reason == "content"


def test_part_must_be_active_and_the_company_always_is():
    (only,) = check(ent(), part_id="site-x", part_active=False)
    assert (only.reason, only.status, only.field) == ("part", 422, "body.part_id")
    assert check(ent(), part_id=None, part_active=False) == []


def test_voucher_reserved_once_by_anyone():
    (only,) = check(ent(), [res("prv-b")])
    assert (only.reason, only.status) == ("reserved", 409)
    assert "another provider" in only.message
    assert "by you" in check(ent(), [res("prv-a")])[0].message
    assert check(ent(), [res("prv-b", cancelled=True)]) == []  # a cancelled one frees it


def test_balance_voucher_by_several_providers_once_each():
    e = ent(kind=EntitlementKind.balance_voucher, rows=[], balance=balance())
    assert check(e, [res("prv-b")], content_id="errand") == []
    (only,) = check(e, [res("prv-a")], content_id="errand")
    assert only.reason == "reserved"


def test_balance_voucher_naming_providers():
    e = ent(kind=EntitlementKind.balance_voucher, rows=[], balance=balance(["prv-b"]))
    (only,) = check(e, content_id="errand")
    assert (only.reason, only.status) == ("other_providers", 409)
    assert check(e, content_id="errand", provider_id="prv-b") == []


def test_not_approved_and_no_price():
    (only,) = check(ent(), approved=False)
    assert (only.reason, only.status, only.field) == ("not_approved", 409, "body.decision_number")
    assert "home-care" in only.message
    (only,) = check(ent(), priced=False)
    assert (only.reason, only.status, only.field) == ("no_price", 409, "body.content_id")
    assert TODAY.isoformat() in only.message


def test_price_day_is_the_first_valid_day_when_the_validity_starts_later():
    assert r.price_day(ent(valid_from=date(2026, 6, 1)), TODAY) == date(2026, 6, 1)
    assert r.price_day(ent(), TODAY) == TODAY


def test_refusals_come_in_the_fixed_order():
    e = ent(closed_on=TODAY)
    found = check(e, [res("prv-b")], content_id="x", part_id="p", part_active=False, approved=False, priced=False)
    assert [f.reason for f in found] == ["closed", "content", "part", "reserved", "not_approved", "no_price"]
    assert [f.reason for f in found] == [x for x in r.REFUSAL_ORDER if x in {f.reason for f in found}]
    assert r.refusal(e, [], provider_id="prv-a", part_id=None, content_id="x", part_active=True,
                     approved=False, priced=False, today=TODAY).reason == "closed"  # fmt: skip


# ---------------------------------------------------------------- providers' view of customers


def rel(**kw) -> ProviderCustomer:
    return ProviderCustomer(provider_id="prv-a", customer_id="cus-1", name_key="lehtonen aino", updated_at=AT, **kw)


def test_visible_with_a_valid_reservation():
    assert r.visible_to_provider(rel(has_open_reservation=True, reserved_until=TODAY), TODAY)
    assert r.visible_to_provider(rel(has_open_reservation=True, reserved_until=None), TODAY)
    assert not r.visible_to_provider(rel(has_open_reservation=True, reserved_until=date(2026, 5, 9)), TODAY)
    assert not r.visible_to_provider(rel(has_open_reservation=False, reserved_until=None), TODAY)
    assert not r.visible_to_provider(None, TODAY)


def test_three_year_rule_boundary():
    assert r.visible_to_provider(rel(last_event_on=date(2023, 5, 10)), TODAY)  # exactly 3 years ago
    assert not r.visible_to_provider(rel(last_event_on=date(2023, 5, 9)), TODAY)  # a day more
    assert r.visible_to_provider(rel(last_event_on=TODAY), TODAY)


def test_years_before_a_leap_day():
    assert r.years_before(date(2028, 2, 29)) == date(2025, 2, 28)
    assert r.years_before(date(2026, 3, 1)) == date(2023, 3, 1)


def test_match_name():
    assert r.match_name("lehtonen aino", "Aino")
    assert r.match_name("lehtonen aino", "LEHTO ain")
    assert not r.match_name("lehtonen aino", "Aino Virtanen")
    assert not r.match_name("lehtonen aino", "   ")
    assert r.name_key("Mäkinen", "Eino") == "mäkinen eino"


def test_query_shapes():
    assert r.looks_like_personal_id("120345-312U")
    assert r.looks_like_personal_id(" 010101a123x ")
    assert not r.looks_like_personal_id("JKL-2026-0101")
    assert r.looks_like_decision_number("JKL-2026-0101")
    assert not r.looks_like_decision_number("Lehtonen")
    assert not r.looks_like_decision_number("Aino 2")
    assert r.municipality_name_prefix("Lehtonen Aino") == "lehtonen#aino"
    assert r.municipality_name_prefix("Lehtonen") == "lehtonen"
    assert r.municipality_name_prefix(" ") == ""


def test_reserved_until_keeps_the_latest_end_and_open_ended_wins():
    assert r.reserved_until(None, date(2026, 12, 31)) == date(2026, 12, 31)
    current = rel(has_open_reservation=True, reserved_until=date(2027, 1, 31))
    assert r.reserved_until(current, date(2026, 12, 31)) == date(2027, 1, 31)
    assert r.reserved_until(current, None) is None
    assert r.reserved_until(rel(has_open_reservation=True), date(2026, 12, 31)) is None
    assert r.reserved_until(rel(has_open_reservation=False, reserved_until=date(2030, 1, 1)), TODAY) == TODAY


def test_held_until_is_the_latest_last_valid_day_and_open_ended_wins():
    ends = [ent(valid_until=date(2027, 1, 31)), ent(valid_until=date(2027, 6, 30), closed_on=date(2027, 3, 1))]
    assert r.held_until([]) == (False, None)
    assert r.held_until(ends) == (True, date(2027, 2, 28))
    assert r.held_until([*ends, ent(valid_until=None)]) == (True, None)
    assert r.held_until([ent(valid_until=None, closed_on=date(2026, 12, 1))]) == (True, date(2026, 11, 30))
