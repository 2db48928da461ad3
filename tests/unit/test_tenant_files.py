"""The tenant files in tenants/ are valid and hold what the seeds and the demo data need."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel

from seteli.domain import tenant as schema
from seteli.domain.money import Money
from seteli.domain.tenant import (
    InterruptionReason,
    ServiceKind,
    SettlementMode,
    Tenant,
    Text,
    Unit,
)
from seteli.domain.tenant_file import load_tenant_yaml

TENANTS = Path(__file__).resolve().parents[2] / "tenants"
FILES = sorted(TENANTS.glob("*.yaml"))


def load(name: str) -> Tenant:
    return load_tenant_yaml(TENANTS / f"{name}.yaml")


def texts(node) -> list[Text]:
    """Every Text inside a model."""
    if isinstance(node, Text):
        return [node]
    if isinstance(node, BaseModel):
        return [t for name in type(node).model_fields for t in texts(getattr(node, name))]
    if isinstance(node, list | tuple):
        return [t for item in node for t in texts(item)]
    if isinstance(node, dict):
        return [t for item in node.values() for t in texts(item)]
    return []


def test_the_four_tenant_files_exist():
    assert {f.stem for f in FILES} >= {"demo", "kouvola", "helsinki", "keski-suomi"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_tenant_file_validates_and_survives_storage(path: Path):
    t = load_tenant_yaml(path)
    assert t.id == path.stem
    assert Tenant.model_validate_json(t.model_dump_json()) == t


# --- demo ------------------------------------------------------------------------------------------

DEMO_CONTENTS = {
    # service: (kind, auto_events, {content: (unit, voucher value, subsidy)})
    "assisted-living": (ServiceKind.voucher, True, {"care-day": (Unit.day, "95.00", None)}),
    "service-housing": (ServiceKind.voucher, True, {"housing-day": (Unit.day, "60.00", None)}),
    "home-care": (
        ServiceKind.voucher,
        False,
        {"home-care-weekday": (Unit.hour, "32.00", None), "home-care-evening": (Unit.hour, "36.00", None)},
    ),
    "cleaning": (ServiceKind.voucher, False, {"cleaning": (Unit.hour, "25.00", None)}),
    "errand-help": (ServiceKind.balance_voucher, False, {"errand-help": (Unit.hour, None, "20.00")}),
}


def test_demo_has_the_ids_the_demo_data_uses():
    t = load("demo")
    assert t.id == "demo"
    assert (t.name.fi, t.name.sv, t.name.en) == ("Demokunta", "Demokommun", "Demo municipality")
    assert t.settlement_mode == SettlementMode.self_billing
    assert t.languages == ["fi", "sv", "en"]
    assert t.map_center == (62.2426, 25.7473)
    assert [s.id for s in t.services] == list(DEMO_CONTENTS)
    for service_id, (kind, auto, contents) in DEMO_CONTENTS.items():
        s = t.service(service_id)
        assert (s.kind, s.auto_events) == (kind, auto), service_id
        assert [c.id for c in s.contents] == list(contents), service_id
        for content_id, (unit, value, subsidy) in contents.items():
            c = s.content(content_id)
            assert c.unit == unit, content_id
            assert c.voucher_value == (Money(value) if value else None), content_id
            assert c.subsidy == (Money(subsidy) if subsidy else None), content_id


def test_demo_housing_is_interrupted_by_the_kouvola_rule():
    t = load("demo")
    for service_id in ("assisted-living", "service-housing"):
        s = t.service(service_id)
        assert s.interruptions == {r: "kouvola-2016" for r in InterruptionReason}
        assert t.interruption_rule(service_id, "hospital").id == "kouvola-2016"
    assert not t.service("home-care").interruptions


def test_demo_has_attributes_attachments_and_a_rulebook_per_service():
    t = load("demo")
    attrs = {a.id: a for a in t.search_attributes}
    assert {v.fi for v in attrs["languages"].values} == {"suomi", "ruotsi", "englanti"}
    assert "muistisairaudet" in {v.fi for v in attrs["specialities"].values}
    types = {a.id for a in t.attachment_types}
    assert {"trade-register-extract", "tax-debt-certificate", "self-monitoring-plan"} <= types
    for s in t.services:
        assert s.mandatory_attachments.company, s.id
        assert t.rulebook(s.rulebook).version, s.id
    assert len({s.rulebook for s in t.services}) == len(t.services)


def test_demo_texts_are_in_finnish_swedish_and_english():
    missing = [t.fi for t in texts(load("demo")) if not (t.sv and t.en)]
    assert missing == []


# --- kouvola -------------------------------------------------------------------------------------


def interruption_percents(t: Tenant, service_id: str, reason: str, departure: date, back: date) -> list[int]:
    """Percent paid for each day from the departure day to the return day (spec section 8)."""
    rule = t.interruption_rule(service_id, reason)
    days = (back - departure).days
    return [rule.percent_for_day(n, return_day=(n == days)) for n in range(days + 1)]


def test_kouvola_rule_reproduces_the_spec_bands():
    t = load("kouvola")
    rule = t.interruption_rule("assisted-living", "hospital")
    assert rule.valid_from == date(2016, 1, 1)
    assert rule.percent_for_day(0) == 100  # departure day
    assert all(rule.percent_for_day(n) == 100 for n in range(1, 11))  # days 1-10
    assert all(rule.percent_for_day(n) == 0 for n in range(11, 400))  # day 11 onwards
    assert rule.percent_for_day(14, return_day=True) == 100  # return day


def test_kouvola_worked_example_hospital_2_7_to_17_7():
    # K4.3.5.1: 2.7. day 0 100 %; 3.-12.7. days 1-10 100 %; 13.-16.7. 0 %; 17.7. return 100 %.
    percents = interruption_percents(
        load("kouvola"), "assisted-living", "hospital", date(2015, 7, 2), date(2015, 7, 17)
    )
    by_day = {date(2015, 7, 2) + timedelta(days=i): p for i, p in enumerate(percents)}
    assert by_day[date(2015, 7, 2)] == 100
    assert [by_day[date(2015, 7, d)] for d in range(3, 13)] == [100] * 10
    assert [by_day[date(2015, 7, d)] for d in range(13, 17)] == [0] * 4
    assert by_day[date(2015, 7, 17)] == 100
    assert len(percents) == 16


def test_kouvola_housing_services_follow_psop():
    t = load("kouvola")
    assert t.settlement_mode == SettlementMode.self_billing
    assert [s.id for s in t.services] == ["assisted-living", "service-housing"]
    cal = t.calendar
    assert (cal.auto_events_day, cal.reminder_days, cal.provider_deadline_day) == (4, [1, 2], 2)
    assert (cal.municipality_deadline_day, cal.settlement_day, cal.event_window_days_back) == (3, 4, 60)
    for s in t.services:
        assert s.auto_events
        assert set(s.interruptions) == set(InterruptionReason)
        assert len(set(s.interruptions.values())) == 1  # the seed gives one rule for all reasons
        assert s.mandatory_attachments.company and s.mandatory_attachments.site
        assert t.rulebook(s.rulebook).version
    assert t.service("assisted-living").content("care-fee-day").unit == Unit.day
    # "asiakas maksaa" contents carry no voucher value
    paid_by_customer = [c for c in t.service("assisted-living").contents if c.customer_pays]
    assert len(paid_by_customer) == 16 and all(c.voucher_value is None for c in paid_by_customer)
    assert {c.unit for c in t.service("service-housing").contents} == {Unit.day, Unit.month}
    # a. differs: a 24-hour permit for assisted living, registration for service housing
    assert "avi-permit-24h" in t.service("assisted-living").mandatory_attachments.site
    assert "avi-register-certificate" in t.service("service-housing").mandatory_attachments.site


# --- helsinki ------------------------------------------------------------------------------------

HELSINKI_SERVICES = [  # seed 000, in its order
    "lapsiperheiden kotipalvelu",
    "suun terveydenhuolto",
    "terveysasemien lääkäripalvelut",
    "vatsan alueen tähystystutkimukset",
    "toimintaterapia (aikuiset ja lapset)",
    "fysioterapia",
    "lymfaterapia",
    "rintamaveteraanien avokuntoutus",
    "peruukkipalvelu",
    "ikääntyneiden palveluasuminen",
    "iäkkäiden henkilöiden päivätoiminta",
    "ikääntyneiden omaishoidon tuen lyhytaikainen ympärivuorokautinen hoito hoitoyksikössä",
    "ikääntyneen omaishoidon tuen kotiin annettava tuntilomitus",
    "kotihoito",
    "kotisiivous",
    "alle 65-vuotiaiden omaishoidon tuen kotiin annettava tuntilomitus",
    "omaishoidon tuki/alle 65-vuotiaiden lyhytaikainen ympärivuorokautinen hoito hoitoyksikössä",
    "vaikeavammaisen päivätoiminta",
    "vammaispalvelulain mukainen palveluasuminen",
    "vammaisten harkinnanvarainen lyhytaikainen hoito hoitoyksikössä",
    "vammaisten henkilökohtainen apu",
]


def test_helsinki_has_exactly_the_21_services_of_the_seed():
    t = load("helsinki")
    assert len(t.services) == 21
    assert len({s.id for s in t.services}) == 21
    names = [re.sub(r"\s*/\s*", "/", s.name.fi).lower() for s in t.services]
    assert names == HELSINKI_SERVICES
    for s in t.services:
        assert s.contents and all(c.voucher_value is not None for c in s.contents), s.id


def test_helsinki_family_home_help_has_the_december_round():
    t = load("helsinki")
    apps = t.service("family-home-help").applications
    assert not apps.continuous
    [r] = apps.rounds
    assert (r.opens, r.closes, r.decisions_by) == (date(2026, 12, 2), date(2026, 12, 15), date(2026, 12, 23))
    others = [s for s in t.services if s.id != "family-home-help"]
    assert all(s.applications.continuous and not s.applications.rounds for s in others)


# --- keski-suomi -----------------------------------------------------------------------------------


def test_keski_suomi_invoices_with_unique_prefixes():
    t = load("keski-suomi")
    assert t.settlement_mode == SettlementMode.provider_invoice
    prefixes = [s.invoice_reference_prefix for s in t.services]
    assert all(prefixes) and len(set(prefixes)) == len(prefixes)


def test_keski_suomi_support_services_of_the_seed():
    t = load("keski-suomi")
    support = {"cleaning": "Siivous", "clothing-care": "Vaatehuolto", "errand-help": "Asiointiapu"}
    for service_id, name in support.items():
        s = t.service(service_id)
        assert s.name.fi == name
        assert s.rulebook == "support-services"
        assert s.applications.continuous and len(s.applications.rounds) == 1
        assert all(c.unit == Unit.hour for c in s.contents)
    assert t.general_rulebook == "general"


def test_keski_suomi_keeps_the_seeds_voucher_copy_and_price_change_window():
    t = load("keski-suomi")
    c = t.service("family-home-help").content("regular-weekday")
    assert (c.unit, c.voucher_value, c.no_own_share) == (Unit.hour, Money("32.00"), True)
    assert c.voucher_value.times(20) == Money("640.00")  # 20 h x 32.00 EUR/h on the voucher copy
    window = t.rulebook(t.service("short-term-service-housing").rulebook).price_change_window
    assert window == (date(2023, 3, 4), date(2023, 3, 31))


# --- the guide ------------------------------------------------------------------------------------


def test_readme_explains_every_field():
    readme = (TENANTS / "README.md").read_text(encoding="utf-8")
    models = [v for v in vars(schema).values() if isinstance(v, type) and issubclass(v, BaseModel)]
    fields = {name for m in models for name in m.model_fields}
    missing = sorted(f for f in fields if not re.search(rf"\b{re.escape(f)}\b", readme))
    assert missing == []
