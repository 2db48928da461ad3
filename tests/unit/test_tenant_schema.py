"""The tenant schema refuses what would break money or references, and says where the problem is."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from pydantic import ValidationError

from seteli.domain.money import Money
from seteli.domain.tenant import InterruptionReason, InterruptionRule, Tenant
from seteli.domain.tenant_file import load_tenant_yaml, parse_tenant_yaml

BASE: dict = {
    "id": "t",
    "name": {"fi": "Testikunta"},
    "settlement_mode": "self_billing",
    "rulebooks": [{"id": "rb", "version": "1", "title": {"fi": "Sääntökirja"}}],
    "attachment_types": [{"id": "trade-register-extract", "name": {"fi": "Kaupparekisteriote"}}],
    "search_attributes": [{"id": "languages", "name": {"fi": "Kielet"}, "values": [{"id": "fi", "fi": "suomi"}]}],
    "interruption_rules": [
        {
            "id": "rule",
            "name": {"fi": "Sääntö"},
            "departure_day_percent": 100,
            "bands": [{"from_day": 1, "to_day": 10, "percent": 100}, {"from_day": 11, "percent": 0}],
            "return_day_percent": 100,
        }
    ],
    "services": [
        {
            "id": "housing",
            "name": {"fi": "Palveluasuminen"},
            "rulebook": "rb",
            "auto_events": True,
            "interruptions": {"hospital": "rule"},
            "mandatory_attachments": {"company": ["trade-register-extract"]},
            "search_attributes": ["languages"],
            "contents": [{"id": "care-day", "name": {"fi": "Hoitopäivä"}, "unit": "day", "voucher_value": "95.00"}],
        },
        {
            "id": "home-care",
            "name": {"fi": "Kotihoito"},
            "rulebook": "rb",
            "contents": [{"id": "weekday", "name": {"fi": "Arkipäivä"}, "unit": "hour", "voucher_value": "32.00"}],
        },
    ],
}


def tenant(**changes) -> dict:
    d = copy.deepcopy(BASE)
    d.update(changes)
    return d


def refused(data: dict) -> str:
    with pytest.raises(ValidationError) as err:
        Tenant.model_validate(data)
    return str(err.value)


def test_the_base_tenant_is_valid_and_survives_the_json_round_trip():
    t = Tenant.model_validate(tenant())
    assert t.service("housing").content("care-day").voucher_value == Money("95.00")
    assert Tenant.model_validate_json(t.model_dump_json()) == t


# --- money ---------------------------------------------------------------------------------------


def test_float_money_is_refused():
    d = tenant()
    d["services"][1]["contents"][0]["voucher_value"] = 32.0
    assert "not a float" in refused(d)


def test_float_travel_rate_is_refused():
    assert "not a float" in refused(tenant(travel_rate_per_km=0.59))


def test_more_than_two_decimals_is_refused():
    d = tenant()
    d["services"][1]["contents"][0]["voucher_value"] = "32.005"
    assert "two decimals" in refused(d)


def test_negative_voucher_value_is_refused():
    d = tenant()
    d["services"][1]["contents"][0]["voucher_value"] = "-1.00"
    assert "negative" in refused(d)


# --- interruption bands ------------------------------------------------------------------------


def _rule(bands: list[dict]) -> dict:
    return {**BASE["interruption_rules"][0], "bands": bands}


@pytest.mark.parametrize(
    "bands, words",
    [
        (
            [{"from_day": 1, "to_day": 10, "percent": 100}, {"from_day": 12, "percent": 0}],
            "must be 11",
        ),  # gap
        (
            [{"from_day": 1, "to_day": 10, "percent": 100}, {"from_day": 10, "percent": 0}],
            "must be 11",
        ),  # overlap
        ([{"from_day": 2, "percent": 0}], "must be 1"),  # day 1 missing
        ([{"from_day": 1, "percent": 100}, {"from_day": 2, "percent": 0}], "only the last band"),
        ([{"from_day": 1, "to_day": 10, "percent": 100}], "open-ended"),
        (
            [{"from_day": 1, "to_day": 0, "percent": 100}, {"from_day": 1, "percent": 0}],
            "greater than or equal",
        ),
    ],
)
def test_bands_with_gaps_or_overlaps_are_refused(bands, words):
    with pytest.raises(ValidationError) as err:
        InterruptionRule.model_validate(_rule(bands))
    assert words in str(err.value)


def test_band_percent_over_100_is_refused():
    with pytest.raises(ValidationError):
        InterruptionRule.model_validate(_rule([{"from_day": 1, "percent": 101}]))


def test_percent_for_day_reads_departure_bands_and_return():
    rule = InterruptionRule.model_validate(
        {
            **_rule([{"from_day": 1, "to_day": 3, "percent": 80}, {"from_day": 4, "percent": 0}]),
            "departure_day_percent": 50,
        }
    )
    assert [rule.percent_for_day(d) for d in range(6)] == [50, 80, 80, 80, 0, 0]
    assert rule.percent_for_day(2, return_day=True) == 100
    with pytest.raises(ValueError):
        rule.percent_for_day(-1)


def test_interruptions_need_a_day_unit_content():
    d = tenant()
    d["services"][1]["interruptions"] = {"holiday": "rule"}
    assert "day-unit" in refused(d)


def test_auto_events_need_a_day_unit_content():
    d = tenant()
    d["services"][1]["auto_events"] = True
    assert "auto_events: automatic events are for day-unit contents only" in refused(d)


def test_unknown_interruption_reason_is_refused():
    d = tenant()
    d["services"][0]["interruptions"] = {"sairaala": "rule"}
    assert "hospital" in refused(d)


def test_tenant_finds_the_rule_for_a_service_and_reason():
    t = Tenant.model_validate(tenant())
    assert t.interruption_rule("housing", InterruptionReason.hospital).id == "rule"
    assert t.interruption_rule("housing", "holiday") is None
    assert t.interruption_rule("no-such-service", "other") is None


# --- references and duplicates -------------------------------------------------------------------


def test_unknown_rulebook_is_refused_with_its_place():
    d = tenant()
    d["services"][1]["rulebook"] = "siivous"
    msg = refused(d)
    assert "services[1].rulebook" in msg and "unknown rulebook siivous" in msg


@pytest.mark.parametrize(
    "change, words",
    [
        (
            lambda d: d["services"][0]["interruptions"].update(hospital="nope"),
            "unknown interruption rule nope",
        ),
        (
            lambda d: d["services"][0]["mandatory_attachments"]["company"].append("nope"),
            "unknown attachment type nope",
        ),
        (lambda d: d["services"][0]["search_attributes"].append("nope"), "unknown search attribute nope"),
        (lambda d: d.update(general_rulebook="nope"), "unknown rulebook nope"),
    ],
)
def test_unknown_references_are_refused(change, words):
    d = tenant()
    change(d)
    assert words in refused(d)


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda d: d["services"].append(copy.deepcopy(d["services"][1])), "service ids repeat: home-care"),
        (lambda d: d["rulebooks"].append(copy.deepcopy(d["rulebooks"][0])), "rulebook ids repeat: rb"),
        (
            lambda d: d["services"][1]["contents"].append(copy.deepcopy(d["services"][1]["contents"][0])),
            "content ids repeat: weekday",
        ),
        (
            lambda d: d["interruption_rules"].append(copy.deepcopy(d["interruption_rules"][0])),
            "interruption rule ids repeat: rule",
        ),
        (
            lambda d: d["attachment_types"].append(copy.deepcopy(d["attachment_types"][0])),
            "attachment type ids repeat",
        ),
        (
            lambda d: d["search_attributes"][0]["values"].append({"id": "fi", "fi": "suomi 2"}),
            "value ids repeat: fi",
        ),
        (
            lambda d: d["services"][0]["mandatory_attachments"]["company"].append("trade-register-extract"),
            "repeats",
        ),
    ],
)
def test_duplicate_ids_are_refused(change, words):
    d = tenant()
    change(d)
    assert words in refused(d)


def test_bad_id_is_refused():
    d = tenant()
    d["services"][1]["id"] = "Kotihoito"
    assert "pattern" in refused(d)


def test_unknown_field_is_refused():
    d = tenant()
    d["services"][1]["voucher_value"] = "32.00"
    assert "Extra inputs are not permitted" in refused(d)


# --- settlement modes -------------------------------------------------------------------------------


def test_provider_invoice_needs_a_prefix_per_service():
    msg = refused(tenant(settlement_mode="provider_invoice"))
    assert "services[0].invoice_reference_prefix" in msg and "services[1].invoice_reference_prefix" in msg


def test_provider_invoice_prefixes_must_be_unique():
    d = tenant(settlement_mode="provider_invoice")
    d["services"][0]["invoice_reference_prefix"] = "VAMHA"
    d["services"][1]["invoice_reference_prefix"] = "VAMHA"
    assert "VAMHA repeats" in refused(d)
    d["services"][1]["invoice_reference_prefix"] = "VAMHE"
    Tenant.model_validate(d)


def test_prefix_is_capitals_and_digits():
    d = tenant(settlement_mode="provider_invoice")
    d["services"][0]["invoice_reference_prefix"] = "vamha"
    d["services"][1]["invoice_reference_prefix"] = "VAMHE"
    assert "pattern" in refused(d)


# --- what a content may have, by kind of service ----------------------------------------------------


def _with_content(kind: str, **content) -> dict:
    d = tenant()
    d["services"][1]["kind"] = kind
    d["services"][1]["contents"] = [{"id": "c", "name": {"fi": "C"}, "unit": "hour", **content}]
    return d


def test_balance_voucher_content_has_a_subsidy():
    t = Tenant.model_validate(_with_content("balance_voucher", subsidy="20.00"))
    c = t.service("home-care").content("c")
    assert c.subsidy == Money("20.00") and c.voucher_value is None
    assert c.municipality_value() == Money("20.00")


@pytest.mark.parametrize(
    "kind, content, words",
    [
        ("balance_voucher", {"voucher_value": "20.00"}, "contents[0].voucher_value: a balance voucher"),
        ("voucher", {"subsidy": "20.00"}, "contents[0].subsidy: only balance-voucher"),
        ("purchased_service", {"voucher_value": "20.00"}, "contract price"),
        ("purchased_service", {"no_own_share": True}, "only for voucher services"),
        ("voucher", {"customer_pays": True, "voucher_value": "20.00"}, "pays in full"),
    ],
)
def test_content_amounts_must_fit_the_kind_of_service(kind, content, words):
    assert words in refused(_with_content(kind, **content))


def test_travel_compensation_needs_a_rate():
    d = tenant()
    d["services"][1]["travel_compensation"] = True
    assert "travel_rate_per_km" in refused(d)
    d["travel_rate_per_km"] = "0.59"
    Tenant.model_validate(d)


# --- other checks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"map_center": [25.7473, 62.2426]}, "not in Finland"),  # lat and lon swapped
        ({"languages": ["sv", "en"]}, "Finnish (fi)"),
        ({"languages": ["fi", "de"]}, "unknown language"),
        ({"calendar": {"provider_deadline_day": 5, "municipality_deadline_day": 3}}, "in that order"),
        ({"calendar": {"reminder_days": [1, 3]}}, "reminder_days[1]"),
        ({"calendar": {"settlement_day": 31}}, "less than or equal to 28"),
        ({"home_municipality_code": "91"}, "pattern"),
    ],
)
def test_tenant_level_checks(changes, words):
    assert words in refused(tenant(**changes))


def test_application_rounds_must_be_in_order_and_not_overlap():
    d = tenant()
    d["services"][1]["applications"] = {
        "rounds": [{"opens": "2026-12-15", "closes": "2026-12-02", "decisions_by": "2026-12-23"}]
    }
    assert "open before it closes" in refused(d)
    d["services"][1]["applications"] = {
        "continuous": False,
        "rounds": [
            {"opens": "2026-12-02", "closes": "2026-12-15", "decisions_by": "2026-12-23"},
            {"opens": "2026-12-10", "closes": "2027-01-15", "decisions_by": "2027-01-29"},
        ],
    }
    assert "rounds[1]: overlaps" in refused(d)


def test_price_change_window_must_start_before_it_ends():
    d = tenant()
    d["rulebooks"][0]["price_change_window"] = ["2023-03-31", "2023-03-04"]
    assert "price_change_window" in refused(d)
    d["rulebooks"][0]["price_change_window"] = ["2023-03-04", "2023-03-31"]
    assert Tenant.model_validate(d).rulebook("rb").price_change_window[1].day == 31


# --- the file loader --------------------------------------------------------------------------------

GOOD_YAML = """\
id: t
name: {fi: Testikunta}
settlement_mode: self_billing
rulebooks:
  - {id: rb, version: "1", title: {fi: Sääntökirja}}
services:
  - id: home-care
    name: {fi: Kotihoito}
    rulebook: rb
    contents:
      - id: weekday
        name: {fi: Arkipäivä}
        unit: hour
        voucher_value: "32.00"
"""


def test_load_tenant_yaml_reads_a_file(tmp_path: Path):
    f = tmp_path / "t.yaml"
    f.write_text(GOOD_YAML, encoding="utf-8")
    t = load_tenant_yaml(f)
    assert t.service("home-care").content("weekday").voucher_value == Money("32.00")


def _problems(text: str) -> str:
    with pytest.raises(ValueError) as err:
        parse_tenant_yaml(text)
    assert not isinstance(err.value, ValidationError)
    return str(err.value)


def test_error_names_the_location_and_line_of_each_bad_field():
    text = GOOD_YAML.replace("unit: hour", "unit: hours").replace('voucher_value: "32.00"', "voucher_value: 32.00")
    msg = _problems(text)
    assert "the tenant file has 2 problems" in msg
    assert "services[0].contents[0].unit (line 13): Input should be 'day', 'hour'" in msg
    assert "(got 'hours')" in msg
    assert 'services[0].contents[0].voucher_value (line 14): use a decimal string such as "32.00", not a float' in msg


def test_error_names_the_location_of_a_cross_reference():
    msg = _problems(GOOD_YAML.replace("rulebook: rb", "rulebook: siivous"))
    assert "services[0].rulebook (line 9): service home-care: unknown rulebook siivous (known: rb)" in msg


def test_error_names_the_location_inside_a_nested_rule():
    text = GOOD_YAML + (
        "interruption_rules:\n"
        "  - id: r\n"
        "    name: {fi: R}\n"
        "    departure_day_percent: 100\n"
        "    bands:\n"
        "      - {from_day: 1, to_day: 10, percent: 100}\n"
        "      - {from_day: 12, percent: 0}\n"
        "    return_day_percent: 100\n"
    )
    msg = _problems(text)
    assert "interruption_rules[0].bands[1].from_day (line 21): must be 11" in msg


def test_error_explains_missing_and_unknown_fields_and_unquoted_versions():
    text = GOOD_YAML.replace("settlement_mode: self_billing\n", "settlemnt_mode: self_billing\n").replace(
        'version: "1"', "version: 2016-01-01"
    )
    msg = _problems(text)
    assert "settlement_mode (line 1): this field is required" in msg
    assert "settlemnt_mode (line 3): unknown field" in msg
    assert "rulebooks[0].version (line 5)" in msg and 'put it in quotes ("2016-01-01")' in msg


def test_repeated_yaml_key_is_refused_with_its_line():
    msg = _problems(GOOD_YAML.replace("name: {fi: Testikunta}", "name: {fi: Testikunta, fi: Toinen}"))
    assert "line 2: 'fi' is given twice" in msg


def test_yaml_syntax_error_gives_line_and_column():
    msg = _problems(GOOD_YAML + "  - [unclosed\n")
    assert "not valid YAML" in msg and "line" in msg


def test_the_file_must_be_a_mapping():
    assert "must be a mapping" in _problems("- id: t\n")
    assert "must be a mapping" in _problems("")


def test_anchors_and_aliases_work():
    text = GOOD_YAML.replace("    rulebook: rb\n", "    rulebook: &rb rb\n") + (
        "  - id: cleaning\n    name: {fi: Siivous}\n    rulebook: *rb\n"
        "    contents: [{id: c, name: {fi: C}, unit: hour}]\n"
    )
    assert parse_tenant_yaml(text).service("cleaning").rulebook == "rb"
