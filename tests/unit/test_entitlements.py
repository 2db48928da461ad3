"""seteli.rules.entitlements: codes, states, the grant's validation, closing, death closures and the
provider copy's rows (against the demo tenant's services)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from seteli.domain.entitlements import (
    Balance,
    BalanceContent,
    Entitlement,
    EntitlementKind,
    EntitlementRow,
    EntitlementState,
    Period,
    total_value,
)
from seteli.domain.money import Money
from seteli.domain.tenant_file import load_tenant_yaml
from seteli.rules import entitlements as r
from tests.factories import entitlement

AT = datetime(2026, 5, 1, 9, tzinfo=UTC)
TODAY = date(2026, 5, 10)
TENANT = load_tenant_yaml(Path(__file__).resolve().parents[2] / "tenants" / "demo.yaml")


def ent(**kw) -> Entitlement:
    return entitlement(**kw)


def grant(**kw) -> r.Grant:
    base = dict(
        kind=EntitlementKind.voucher,
        service_id="home-care",
        decision_date=date(2026, 5, 1),
        valid_from=date(2026, 5, 1),
        valid_until=date(2026, 12, 31),
        rows=(r.GrantRow("home-care-weekday", Decimal("10"), Period.week, Money("32.00")),),
    )
    base.update(kw)
    return r.Grant(**base)


def problems(g: r.Grant) -> dict[str, str]:
    return {e.field: e.message for e in r.validate_grant(g, TENANT, TODAY)}


def balance(**kw) -> r.GrantBalance:
    base = dict(
        total_euros=Money("250.00"),
        recurrence=Period.month,
        contents=(r.GrantContent("errand-help", Money("20.00")),),
    )
    base.update(kw)
    return r.GrantBalance(**base)


def balance_grant(**kw) -> r.Grant:
    return grant(kind=EntitlementKind.balance_voucher, service_id="errand-help", rows=(), balance=balance(**kw))


# ---------------------------------------------------------------- codes


def test_codes_use_the_unambiguous_alphabet_and_length_and_differ():
    codes = {r.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == r.CODE_LENGTH == 10
        assert set(code) <= set(r.CODE_ALPHABET)
    assert not set("01OIL2Z5S8B") & set(r.CODE_ALPHABET)


def test_codes_match_normalised_and_never_empty():
    assert r.codes_match("kt7h-q4mr xa", "KT7HQ4MRXA")
    assert not r.codes_match("KT7HQ4MRXC", "KT7HQ4MRXA")
    assert not r.codes_match("", "")
    assert not r.codes_match(None, "KT7HQ4MRXA")
    assert not r.codes_match("KT7HQ4MRXA", None)
    assert not r.codes_match("----------", None)


# ---------------------------------------------------------------- states


@pytest.mark.parametrize(
    ("changes", "on", "used_up", "expected"),
    [
        ({}, TODAY, False, EntitlementState.granted),
        ({"valid_from": date(2026, 6, 1)}, TODAY, False, EntitlementState.granted),  # not started: not closed
        ({"reserved_by": ["prv-a"]}, TODAY, False, EntitlementState.open),
        ({"used": True}, TODAY, False, EntitlementState.open),
        ({}, TODAY, True, EntitlementState.closed),
        ({"valid_until": date(2026, 5, 9)}, TODAY, False, EntitlementState.closed),
        ({"valid_until": date(2026, 5, 10)}, TODAY, False, EntitlementState.granted),  # last valid day
        ({"valid_until": None}, date(2099, 1, 1), False, EntitlementState.granted),
        ({"closed_on": date(2026, 5, 10), "reserved_by": ["prv-a"]}, TODAY, False, EntitlementState.closed),
        ({"closed_on": date(2026, 5, 11), "reserved_by": ["prv-a"]}, TODAY, False, EntitlementState.open),
    ],
)
def test_state_table(changes, on, used_up, expected):
    assert r.state(ent(**changes), on, used_up=used_up) is expected


# ---------------------------------------------------------------- validating a grant


def test_a_good_voucher_grant_has_no_problems_and_takes_missing_values_from_the_tenant():
    g = grant(rows=(r.GrantRow("home-care-weekday", Decimal("20")), r.GrantRow("home-care-evening", Decimal("4"))))
    assert problems(g) == {}
    rows = r.granted_rows(g, TENANT)
    assert [(x.content_id, x.unit_value, x.period) for x in rows] == [
        ("home-care-weekday", Money("32.00"), Period.validity),
        ("home-care-evening", Money("36.00"), Period.validity),
    ]
    assert problems(grant(valid_until=None)) == {}
    assert problems(grant(decision_date=TODAY)) == {}
    assert problems(grant(decision_date=date(2026, 5, 5), valid_from=date(2026, 4, 1))) == {}  # afterwards


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"service_id": "no-such"}, "body.service_id"),
        ({"service_id": "errand-help"}, "body.kind"),  # a balance-voucher service granted as a voucher
        ({"decision_date": TODAY + timedelta(days=1)}, "body.decision_date"),
        ({"valid_until": date(2026, 4, 30)}, "body.valid_until"),
        ({"rows": ()}, "body.rows"),
        ({"rows": (r.GrantRow("cleaning", Decimal("1"), unit_value=Money("25.00")),)}, "body.rows[0].content_id"),
        ({"rows": (r.GrantRow("home-care-weekday", Decimal("0")),)}, "body.rows[0].amount"),
        ({"rows": (r.GrantRow("home-care-weekday", Decimal("-1")),)}, "body.rows[0].amount"),
        ({"rows": (r.GrantRow("home-care-weekday", Decimal("1"), unit_value=Money("0")),)}, "body.rows[0].unit_value"),
        (
            {"rows": (r.GrantRow("home-care-weekday", Decimal("1")), r.GrantRow("home-care-weekday", Decimal("2")))},
            "body.rows[1].content_id",
        ),
        ({"balance": balance()}, "body.balance"),
        ({"named_part_id": "site-1"}, "body.named_part_id"),
    ],
)
def test_each_voucher_problem_names_its_field(changes, field):
    assert field in problems(grant(**changes))


def test_a_row_needs_a_unit_value_when_the_content_has_no_fixed_one():
    from seteli.domain.tenant import Content, Service, Text, Unit

    service = next(s for s in TENANT.services if s.id == "home-care")
    free = Content(id="free-care", name=Text(fi="Vapaa"), unit=Unit.hour)
    tenant = TENANT.model_copy(
        update={
            "services": [
                Service.model_validate({**service.model_dump(), "contents": [*service.contents, free]})
                if s.id == "home-care"
                else s
                for s in TENANT.services
            ]
        }
    )
    found = {e.field for e in r.validate_grant(grant(rows=(r.GrantRow("free-care", Decimal("2")),)), tenant, TODAY)}
    assert found == {"body.rows[0].unit_value"}
    g = grant(rows=(r.GrantRow("free-care", Decimal("2"), unit_value=Money("30.00")),))
    assert r.validate_grant(g, tenant, TODAY) == []


def test_orders_name_the_provider_and_its_part():
    order = grant(kind=EntitlementKind.order)
    assert set(problems(order)) == {"body.named_provider_id", "body.named_part_id"}
    assert problems(replace(order, named_provider_id="prv-a", named_part_id="site-1")) == {}
    assert set(problems(replace(order, named_provider_id="prv-a"))) == {"body.named_part_id"}
    assert problems(grant(named_provider_id="prv-a")) == {}  # a voucher may name its provider


def test_a_good_balance_voucher_and_its_defaults():
    g = balance_grant(contents=(r.GrantContent("errand-help"),), provider_ids=("prv-a", "prv-b"))
    assert problems(g) == {}
    b = r.granted_balance(g, TENANT)
    assert b == Balance(
        total_euros=Money("250.00"),
        recurrence=Period.month,
        contents=[BalanceContent(content_id="errand-help", subsidy=Money("20.00"))],
        provider_ids=["prv-a", "prv-b"],
    )
    assert problems(balance_grant(total_euros=None, total_units=Decimal("12"))) == {}
    assert r.granted_balance(grant(), TENANT) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"total_euros": None}, "body.balance.total_euros"),  # neither
        ({"total_units": Decimal("10")}, "body.balance.total_euros"),  # both
        ({"total_euros": Money("0.00")}, "body.balance.total_euros"),
        ({"total_euros": None, "total_units": Decimal("0")}, "body.balance.total_units"),
        ({"contents": ()}, "body.balance.contents"),
        ({"contents": (r.GrantContent("home-care-weekday", Money("1.00")),)}, "body.balance.contents[0].content_id"),
        (
            {"contents": (r.GrantContent("errand-help"), r.GrantContent("errand-help"))},
            "body.balance.contents[1].content_id",
        ),
        ({"contents": (r.GrantContent("errand-help", Money("0.00")),)}, "body.balance.contents[0].subsidy"),
        ({"provider_ids": ("prv-a", "prv-a")}, "body.balance.provider_ids[1]"),
    ],
)
def test_each_balance_problem_names_its_field(changes, field):
    assert field in problems(balance_grant(**changes))


def test_balance_voucher_shape_problems():
    assert "body.balance" in problems(grant(kind=EntitlementKind.balance_voucher, service_id="errand-help", rows=()))
    g = balance_grant()
    assert "body.rows" in problems(replace(g, rows=grant().rows))
    assert "body.kind" in problems(replace(g, service_id="home-care"))
    named = replace(balance_grant(provider_ids=("prv-a",)), named_provider_id="prv-b")
    assert "body.named_provider_id" in problems(named)
    assert problems(replace(balance_grant(provider_ids=("prv-a",)), named_provider_id="prv-a")) == {}


# ---------------------------------------------------------------- closing and death


def test_closing_rules():
    e = ent()
    assert r.closing_problems(e, TODAY, TODAY) == []
    assert r.closing_problems(e, date(2026, 5, 1), TODAY) == []  # on the first day: never valid
    assert r.closing_problems(e, date(2026, 12, 31), TODAY) == []  # the last day no longer valid
    assert [(s, f.field) for s, f in r.closing_problems(e, date(2026, 4, 30), TODAY)] == [(422, "body.closed_on")]
    assert [(s, f.field) for s, f in r.closing_problems(e, date(2027, 1, 1), TODAY)] == [(422, "body.closed_on")]
    done = r.closed(e, TODAY, "moved", "cw", AT)
    assert (done.closed_on, done.closed_reason, done.closed_by) == (TODAY, "moved", "cw")
    assert [(s, f.field) for s, f in r.closing_problems(done, TODAY, TODAY)] == [(409, "path.decision_number")]
    ended = ent(valid_until=date(2026, 5, 9))
    assert [s for s, _ in r.closing_problems(ended, date(2026, 5, 5), TODAY)] == [409]
    assert r.closing_problems(ent(valid_until=None), date(2099, 1, 1), TODAY) == []


def test_death_closes_at_the_next_day_keeping_earlier_closings_and_ended_ones():
    died = date(2026, 6, 14)
    running = ent(decision_number="A")
    open_ended = ent(decision_number="B", valid_until=None)
    closed_earlier = ent(decision_number="C", closed_on=date(2026, 6, 1))
    closed_later = ent(decision_number="D", closed_on=date(2026, 9, 1))
    ended_before = ent(decision_number="E", valid_until=date(2026, 6, 10))
    ends_on_death_day = ent(decision_number="F", valid_until=died)
    ends_next_day = ent(decision_number="G", valid_until=died + timedelta(days=1))
    later = ent(decision_number="H", valid_from=date(2026, 8, 1))
    changed = r.death_closures(
        [running, open_ended, closed_earlier, closed_later, ended_before, ends_on_death_day, ends_next_day, later],
        died,
        by="cw",
        at=AT,
    )
    assert [e.decision_number for e in changed] == ["A", "B", "D", "G", "H"]
    for e in changed:
        assert e.closed_on == date(2026, 6, 15) and e.closed_reason == r.DEATH_REASON and e.closed_by == "cw"
        assert r.state(e, date(2026, 6, 15)) is EntitlementState.closed
        assert e.updated_at == AT
    assert r.death_closures([], died) == []


# ---------------------------------------------------------------- the provider copy's rows


def test_total_value_is_amount_times_unit_value_half_up():
    assert total_value(EntitlementRow(content_id="x", amount="10", unit_value="32.00")) == Decimal("320.00")
    assert total_value(EntitlementRow(content_id="x", amount="7.5", unit_value="31.15")) == Decimal("233.63")
    assert total_value(EntitlementRow(content_id="x", amount="0.25", unit_value="0.02")) == Decimal("0.01")  # 0.005


def test_provider_copy_rows_name_contents_units_and_totals():
    e = ent(
        rows=[
            EntitlementRow(content_id="home-care-weekday", amount="20", period="validity", unit_value="32.00"),
            EntitlementRow(content_id="home-care-evening", amount="7.5", period="week", unit_value="31.15"),
        ]
    )
    rows = r.provider_copy_rows(e, TENANT)
    assert [(x.content_name, x.amount, x.period, x.unit, x.unit_value, x.total_value) for x in rows] == [
        ("Kotihoito arkisin klo 7-18", Decimal("20.00"), Period.validity, "hour", Decimal("32.00"), Decimal("640.00")),
        ("Kotihoito iltaisin klo 18-22", Decimal("7.50"), Period.week, "hour", Decimal("31.15"), Decimal("233.63")),
    ]
    assert r.provider_copy_rows(e, TENANT, "sv")[0].content_name == "Hemvård vardagar kl. 7-18"


def test_provider_copy_rows_of_a_balance_voucher_and_of_an_unknown_content():
    b = ent(
        kind=EntitlementKind.balance_voucher,
        service_id="errand-help",
        rows=[],
        balance=Balance(total_euros="250.00", contents=[BalanceContent(content_id="errand-help", subsidy="20.00")]),
    )
    [row] = r.provider_copy_rows(b, TENANT)
    assert (row.content_name, row.amount, row.unit_value, row.total_value) == (
        "Asiointiapu", None, Decimal("20.00"), None
    )  # fmt: skip
    gone = ent(rows=[EntitlementRow(content_id="retired", amount="1", unit_value="5.00")])
    [row] = r.provider_copy_rows(gone, TENANT)
    assert (row.content_name, row.unit, row.total_value) == ("retired", "", Decimal("5.00"))
