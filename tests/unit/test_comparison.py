"""The public comparison's rules (spec 12 and 16): who is shown, with what prices, the own share per
unit, the quality figures, and which table changes reach the site."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from seteli.domain.applications import Actor, Application, ApplicationStatus
from seteli.domain.comparison import Availability, ComparisonSite
from seteli.domain.events import Feedback, FeedbackType
from seteli.domain.money import Money
from seteli.domain.provider import Address, PartKind, Provider, ProviderPart, ProviderStatus
from seteli.domain.tenant import Content
from seteli.domain.tenant_file import load_tenant_yaml
from seteli.rules import comparison as rules
from seteli.rules.price_lists import PriceLevel, PriceList, PriceListStatus

TENANT = load_tenant_yaml(Path(__file__).resolve().parents[2] / "tenants" / "demo.yaml")
HOME_CARE = next(s for s in TENANT.services if s.id == "home-care")
AT = datetime(2026, 11, 23, 10, tzinfo=UTC)
TODAY = date(2026, 11, 23)


# ---------------------------------------------------------------- own share per unit (spec 12)


def content(**kw) -> Content:
    return Content.model_validate({"id": "c", "name": {"fi": "C"}, "unit": "hour", **kw})


@pytest.mark.parametrize(
    ("price", "value", "flags", "expected"),
    [
        ("38.50", "32.00", {}, "6.50"),  # price - voucher value
        ("30.00", "32.00", {}, "0.00"),  # never below zero
        ("32.00", "32.00", {}, "0.00"),
        ("38.50", "32.00", {"customer_pays": True}, "38.50"),  # the customer pays it all
        ("38.50", "32.00", {"no_own_share": True}, "0.00"),  # no own share for this content
        ("38.51", "32.005", {}, "6.50"),  # the value is money: 32.005 is 32.01 (half up)
    ],
)
def test_unit_own_share(price, value, flags, expected):
    assert rules.unit_own_share(content(**flags), Money(price), Money(value)) == Money(expected)


def test_unit_own_share_without_a_value_is_unknown():
    assert rules.unit_own_share(content(), Money("38.50"), None) is None
    assert rules.unit_own_share(content(customer_pays=True), Money("38.50"), None) == Money("38.50")


def test_calculator_values_prefer_the_graded_values():
    assert content(voucher_value="32.00").calculator_values() == [Money("32.00")]
    assert content(subsidy="20.00").calculator_values() == [Money("20.00")]
    graded = content(voucher_value="32.00", voucher_values=["28.00", "32.00", "36.00"])
    assert graded.calculator_values() == [Money("28.00"), Money("32.00"), Money("36.00")]
    assert content().calculator_values() == []
    with pytest.raises(ValueError, match="negative"):
        content(voucher_values=["-1.00"])


# ---------------------------------------------------------------- quality


def fb(day: date, type_: FeedbackType, *, reply_requested=False, replied=False, n=0) -> Feedback:
    at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return Feedback(
        id=f"fb-{day.isoformat()}-{n}",
        type=type_,
        text="x",
        customer_id="cus-1",
        provider_id="prv-1",
        reply_requested=reply_requested,
        given_by="sub",
        reply="kiitos" if replied else None,
        created_at=at,
    )


def test_quality_window_is_the_last_twelve_months():
    assert rules.quality_window(TODAY) == (date(2025, 11, 24), TODAY)
    assert rules.quality_window(date(2028, 2, 29)) == (date(2027, 3, 1), date(2028, 2, 29))


def test_quality_counts_and_answered_share():
    given = [
        fb(date(2025, 11, 23), FeedbackType.thanks),  # a day too old
        fb(date(2025, 11, 24), FeedbackType.thanks),
        fb(date(2026, 5, 1), FeedbackType.thanks, n=1),
        fb(date(2026, 6, 1), FeedbackType.complaint, reply_requested=True, replied=True),
        fb(date(2026, 7, 1), FeedbackType.complaint),  # no reply asked: not in the share
        fb(date(2026, 8, 1), FeedbackType.reclamation),  # a reclamation always needs one
        fb(date(2026, 9, 1), FeedbackType.reclamation, replied=True),
    ]
    q = rules.quality(given, TODAY)
    assert (q.thanks, q.complaints, q.reclamations) == (2, 2, 2)
    assert (q.needing_reply, q.answered) == (3, 2)
    assert q.answered_share == Decimal("0.67")  # 2/3 half up to hundredths
    assert rules.quality([], TODAY).answered_share is None


# ---------------------------------------------------------------- who is shown, with what


def provider(**kw) -> Provider:
    base = dict(
        id="prv-1",
        name="Kotiapu Oy",
        business_id="1234567-1",
        status=ProviderStatus.active,
        description="Kotihoitoa Jyväskylässä",
        search_attributes={"languages": ["finnish", "swedish"], "not-of-home-care": ["x"]},
        created_at=AT,
        updated_at=AT,
    )
    base.update(kw)
    return Provider(**base)


def site(id_: str, city: str = "Jyväskylä", **kw) -> ProviderPart:
    return ProviderPart(
        id=id_,
        provider_id="prv-1",
        kind=PartKind.site,
        name=f"Toimipaikka {id_}",
        address=Address(street="Katu 1", postal_code="40100", city=city),
        lat=62.24,
        lon=25.74,
        **kw,
    )


def application(status=ApplicationStatus.approved, site_ids=(), areas=("Muurame",)) -> Application:
    return Application(
        id="app-1",
        provider_id="prv-1",
        service_id="home-care",
        status=status,
        site_ids=list(site_ids),
        operating_areas=list(areas),
        created_by=Actor(subject="u"),
        created_at=AT,
        updated_at=AT,
    )


def price_list(prices: dict[str, str], starts: date, part_id: str | None = None, id_: str | None = None, **kw):
    return PriceList(
        id=id_ or f"pl-{starts.isoformat()}-{part_id}",
        provider_id="prv-1",
        service_id="home-care",
        level=PriceLevel.part if part_id else PriceLevel.company,
        part_id=part_id,
        name="Hinnasto",
        starts_on=starts,
        prices={k: Money(v) for k, v in prices.items()},
        status=kw.get("status", PriceListStatus.approved),
    )


COMPANY = price_list({"home-care-weekday": "38.00", "home-care-evening": "44.00"}, date(2026, 1, 1))


def entry(**kw):
    args = dict(
        service=HOME_CARE,
        provider=provider(),
        parts=[site("s1"), site("s2", city="Muurame")],
        application=application(),
        lists=[COMPANY],
        availability=None,
        feedback=[],
    )
    args.update(kw)
    return rules.entry_for(*args.values(), today=TODAY, now=AT)


def test_an_approved_provider_with_a_valid_list_is_shown_per_site():
    e = entry()
    assert e is not None and e.provider_id == "prv-1" and e.service_id == "home-care"
    assert [s.id for s in e.sites] == ["s1", "s2"]
    assert e.sites[0].prices == {"home-care-weekday": Money("38.00"), "home-care-evening": Money("44.00")}
    assert e.sites[0].price_level == "company" and e.sites[0].prices_from == date(2026, 1, 1)
    assert e.search_attributes == {"languages": ["finnish", "swedish"]}  # only the service's attributes
    assert e.areas == ["Muurame", "Jyväskylä"]  # operating areas, then the sites' cities, no repeats


@pytest.mark.parametrize(
    "kw",
    [
        {"application": None},
        {"application": application(status=ApplicationStatus.submitted)},
        {"application": application(status=ApplicationStatus.rejected)},
        {"provider": provider(status=ProviderStatus.passive)},
        {"lists": []},
        {"lists": [price_list({"home-care-weekday": "38.00"}, date(2026, 12, 1))]},  # starts later
        {"lists": [price_list({"home-care-weekday": "38.00"}, date(2026, 1, 1), status=PriceListStatus.draft)]},
        {"parts": [site("s1", active=False)]},
    ],
    ids=["no-application", "submitted", "rejected", "passive", "no-list", "future-list", "draft-list", "passive-site"],
)
def test_not_shown(kw):
    assert entry(**kw) is None


def test_the_sites_own_list_wins_and_a_newer_list_is_announced():
    own = price_list({"home-care-weekday": "35.00"}, date(2026, 6, 1), part_id="s2")
    later = price_list({"home-care-weekday": "39.00", "home-care-evening": "45.00"}, date(2027, 1, 1))
    e = entry(lists=[COMPANY, own, later])
    s1, s2 = e.sites
    assert s1.prices["home-care-weekday"] == Money("38.00") and s1.price_level == "company"
    assert s2.prices == {"home-care-weekday": Money("35.00"), "home-care-evening": Money("44.00")}
    assert s2.price_level == "site" and s2.prices_from == date(2026, 6, 1)
    assert s1.next_prices_from == date(2027, 1, 1) == s2.next_prices_from


def test_the_application_names_the_sites():
    e = entry(application=application(site_ids=["s2"]))
    assert [s.id for s in e.sites] == ["s2"]


def test_a_site_without_any_price_is_left_out():
    own_other_service = price_list({"home-care-weekday": "35.00"}, date(2026, 6, 1), part_id="s2")
    e = entry(lists=[own_other_service], parts=[site("s1"), site("s2")])
    assert [s.id for s in e.sites] == ["s2"]


def test_same_entry_ignores_when_it_was_computed():
    a = entry()
    b = rules.entry_for(
        HOME_CARE,
        provider(),
        [site("s1"), site("s2", city="Muurame")],
        application(),
        [COMPANY],
        None,
        [],
        today=TODAY,
        now=datetime(2026, 11, 24, tzinfo=UTC),
    )
    assert rules.same_entry(a, b)
    assert not rules.same_entry(a, entry(provider=provider(name="Toinen Oy")))
    assert rules.same_entry(None, None) and not rules.same_entry(a, None)


def test_availability_is_carried_and_checked():
    a = Availability(starts_within_days=14, free_places=2, updated_at=AT)
    assert entry(availability=a).availability == a
    assert rules.availability_problems(None, 3)[0].field == "body.starts_within_days"
    assert rules.availability_problems(5, 0)[0].field == "body.free_places"
    assert rules.availability_problems(0, None) == [] and rules.availability_problems(None, None) == []


def test_sites_are_public_data_only():
    assert set(ComparisonSite.model_fields) == {
        "id", "name", "street", "postal_code", "city", "lat", "lon", "phone", "email",
        "prices", "price_level", "prices_from", "next_prices_from",
    }  # fmt: skip


# ---------------------------------------------------------------- which changes reach the site


@pytest.mark.parametrize(
    ("pk", "sk", "gsi1pk", "expected"),
    [
        ("PROVIDER#prv-1", "PROFILE", None, "prv-1"),
        ("PROVIDER#prv-1", "PART#site-1", None, "prv-1"),
        ("PROVIDER#prv-1", "PRICELIST#home-care#2026-01-01#pl-1", "PRICELISTID#pl-1", "prv-1"),
        ("PROVIDER#prv-1", "AVAILABILITY#home-care", None, "prv-1"),
        ("PROVIDER#prv-1", "USER#abc", None, None),  # users are not public
        ("PROVIDER#prv-1", "STATEMENT#home-care#2026-10", None, None),
        ("APPLICATION#app-1", "APPLICATION", "PROVIDER#prv-2#APPLICATIONS", "prv-2"),
        ("APPLICATION#app-1", "TRANSITION#2026", None, None),
        ("FEEDBACK#fb-1", "FEEDBACK", "PROVIDER#prv-3#FEEDBACK", "prv-3"),
        ("COMPARE#home-care", "PROVIDER#prv-1", None, None),  # its own output: never a loop
        ("SITE", "POINTER", None, None),
    ],
)
def test_provider_of_change(pk, sk, gsi1pk, expected):
    assert rules.provider_of_change(pk, sk, gsi1pk) == expected
