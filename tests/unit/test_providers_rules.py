"""Pure rules of company data: billing_for, search attributes, parts, the last site, access,
the fake obligations register, and the throttle's window arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from seteli.adapters.obligations import FakeRegister
from seteli.api.auth import Principal
from seteli.domain.provider import (
    Address,
    Billing,
    ObligationsState,
    PartKind,
    Provider,
    ProviderPart,
)
from seteli.domain.tenant import SearchAttribute, SearchValue, Text
from seteli.errors import Forbidden
from seteli.rules import access
from seteli.rules.providers import (
    active_sites,
    billing_for,
    email_problem,
    in_finland,
    last_site_problem,
    normalise_search_attributes,
    part_problems,
    search_attribute_problems,
    slug,
)
from seteli.store.throttle import who_key, window_start

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ADDRESS = Address(street="Kauppakatu 1", postal_code="40100", city="Jyväskylä")


def billing(bic: str) -> Billing:
    return Billing(iban="FI2112345600000785", bic=bic, billing_email="laskut@x.example")


def provider(b: Billing | None = None) -> Provider:
    return Provider(id="prv-a", name="A Oy", business_id="2734561-5", billing=b, created_at=AT, updated_at=AT)


def part(pid: str, kind: PartKind = PartKind.site, **kw) -> ProviderPart:
    base = {"address": ADDRESS, "lat": 62.24, "lon": 25.74} if kind == PartKind.site else {}
    return ProviderPart(id=pid, provider_id="prv-a", kind=kind, name=pid, **{**base, **kw})


# ---------------------------------------------------------------- billing_for


def test_billing_for_the_site_wins_then_the_units_site_then_the_company():
    company, own = billing("COMPANYX"), billing("SITEXXXX")
    site_with = part("site-1", billing=own)
    site_without = part("site-2")
    unit = part("unit-1", PartKind.unit, site_id="site-1")
    assert billing_for(provider(company)) is company
    assert billing_for(provider(company), site_with) is own
    assert billing_for(provider(company), site_without) is company
    assert billing_for(provider(company), unit, site=site_with) is own
    assert billing_for(provider(company), unit) is company
    assert billing_for(provider(None), site_without) is None  # settlement moves the payment to the next run
    assert billing_for(provider(None), site_with) is own


# ---------------------------------------------------------------- search attributes

ATTRS = [
    SearchAttribute(
        id="languages",
        name=Text(fi="Kielet"),
        values=[SearchValue(id="finnish", fi="suomi"), SearchValue(id="swedish", fi="ruotsi")],
    ),
    SearchAttribute(id="pets", name=Text(fi="Lemmikit"), values=[SearchValue(fi="koira")]),  # no id: the text
]


def test_search_attributes_must_be_the_tenants():
    assert search_attribute_problems({"languages": ["finnish"], "pets": ["koira"]}, ATTRS) == []
    errors = search_attribute_problems({"languages": ["finnish", "klingon"], "colour": ["red"]}, ATTRS)
    assert [e.field for e in errors] == ["body.search_attributes.languages", "body.search_attributes.colour"]
    assert "finnish, swedish" in errors[0].message
    assert "klingon" not in errors[0].message


def test_search_attributes_are_normalised():
    got = normalise_search_attributes({"languages": ["swedish", "finnish", "swedish"], "pets": []})
    assert got == {"languages": ["swedish", "finnish"]}


# ---------------------------------------------------------------- parts


def test_a_site_needs_an_address_and_coordinates_in_finland():
    assert part_problems(part("s"), []) == []
    bare = ProviderPart(id="s", provider_id="prv-a", kind=PartKind.site, name="S")
    assert {e.field for e in part_problems(bare, [])} == {"body.address", "body.lat"}
    assert in_finland(60.17, 24.94) and in_finland(69.9, 27.0)
    assert not in_finland(52.5, 13.4) and not in_finland(None, 25.0)
    assert [e.field for e in part_problems(part("s", site_id="other"), [], field="body.site")] == ["body.site.site_id"]


def test_units_and_employees_name_an_active_site_of_the_provider():
    site, passive = part("site-1"), part("site-2", active=False)
    emp = part("emp-1", PartKind.employee)
    assert part_problems(part("u", PartKind.unit, site_id="site-1"), [site]) == []
    assert part_problems(part("u", PartKind.unit), [site]) == []  # a unit without a site is fine
    for bad in ("site-x", "emp-1"):
        errors = part_problems(part("u", PartKind.unit, site_id=bad), [site, emp])
        assert [e.field for e in errors] == ["body.site_id"]
    errors = part_problems(part("u", PartKind.unit, site_id="site-2"), [site, passive])
    assert errors[0].message == "the site is passive"
    errors = part_problems(part("u", PartKind.unit, billing=billing("X")), [])
    assert errors[0].field == "body.billing"


def test_the_last_active_site_cannot_be_passivated():
    a, b = part("site-1"), part("site-2")
    unit = part("unit-1", PartKind.unit)
    off = a.model_copy(update={"active": False})
    assert last_site_problem(a, off, [a, b]) is None
    assert "last active site" in last_site_problem(a, off, [a, b.model_copy(update={"active": False}), unit])
    assert last_site_problem(a, a.model_copy(update={"name": "x"}), [a]) is None
    assert last_site_problem(unit, unit.model_copy(update={"active": False}), [a, unit]) is None
    assert [p.id for p in active_sites([a, unit, off])] == ["site-1"]


def test_slugs_and_emails():
    assert slug("Palvelukoti Äänekoski Oy") == "palvelukoti-aanekoski-oy"
    assert slug("!!!") == "x" and len(slug("a" * 100)) == 24
    assert email_problem(None) is None and email_problem("a@b.fi") is None
    assert email_problem("not-an-email") and email_problem("a@b")


# ---------------------------------------------------------------- access


def who(*groups: str, provider_id: str | None = None) -> Principal:
    return Principal(subject="s", username="s", email=None, groups=frozenset(groups), provider_id=provider_id)


def test_only_the_providers_admin_changes_company_data():
    access.ensure_can_change_provider(who("provider_admin", provider_id="prv-a"), "prv-a")
    refused = [
        who("provider_user", provider_id="prv-a"),
        who("provider_admin", provider_id="prv-b"),
        who("municipality_admin"),
        who("case_worker"),
        who("citizen"),
    ]
    for p in refused:
        with pytest.raises(Forbidden):
            access.ensure_can_change_provider(p, "prv-a")
    with pytest.raises(Forbidden, match="own provider"):
        access.ensure_can_change_provider(who("provider_admin", provider_id="prv-b"), "prv-a")


def test_obligations_check_and_the_list():
    access.ensure_can_check_obligations(who("case_worker"), "prv-a")
    access.ensure_can_check_obligations(who("provider_admin", provider_id="prv-a"), "prv-a")
    for p in (who("provider_user", provider_id="prv-a"), who("provider_admin", provider_id="prv-b"), who("citizen")):
        with pytest.raises(Forbidden):
            access.ensure_can_check_obligations(p, "prv-a")
    access.ensure_municipality(who("municipality_admin"))
    with pytest.raises(Forbidden):
        access.ensure_municipality(who("provider_admin", provider_id="prv-a"))


# ---------------------------------------------------------------- the fake register


def test_fake_register_is_deterministic_by_the_business_id():
    reg = FakeRegister(clock=lambda: AT)
    assert reg.check("2734561-5").status == ObligationsState.ok  # ...1-5: 1
    assert reg.check("2956127-4").status == ObligationsState.documents_missing  # ...7-4
    assert reg.check("1234568-0").status == ObligationsState.not_in_programme  # ...8-0
    assert reg.check("1043829-2").status == ObligationsState.unknown  # ...9-2
    got = reg.check("2956127-4")
    assert got.checked_at == AT and got.details and got.business_id == "2956127-4"
    reg = FakeRegister({"2734561-5": "not_in_programme"})
    assert reg.check("2734561-5").status == ObligationsState.not_in_programme
    assert reg.calls == ["2734561-5"]


# ---------------------------------------------------------------- throttle


def test_throttle_windows_and_hashed_callers():
    assert window_start(datetime(2026, 3, 1, 12, 59, 59, tzinfo=UTC), 3600) == int(AT.timestamp())
    assert window_start(datetime(2026, 3, 1, 13, 0, tzinfo=UTC), 3600) == int(AT.timestamp()) + 3600
    key = who_key("192.0.2.1")
    assert "192" not in key and len(key) == 20 and key == who_key("192.0.2.1") != who_key("192.0.2.2")
