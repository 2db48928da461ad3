"""Price lists through the real providers handler on moto: drafts, approval, publishing, the price
on a day (spec 5; seed 003 K1.3.7 and K2.4)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from tests.factories import new_provider, provider_claims
from tests.integration.apigw import call, claims_for, event

pytestmark = pytest.mark.usefixtures("stack")

SERVICE = "assisted-living"  # content care-day; rulebook assisted-living
CONTENT = "care-day"
OTHER_SERVICE = "home-care"  # contents home-care-weekday, home-care-evening
TODAY = date(2026, 11, 23)


@pytest.fixture
def company(stack):
    """A fresh provider with two sites, its admin's claims, and a user in the home-care team only."""
    from seteli.domain.users import ProviderUser, UserRole
    from seteli.store import repositories

    repos = repositories()
    pid, sites = new_provider(repos, sites=2)
    admin_sub, user_sub = f"sub-{uuid.uuid4().hex[:10]}", f"sub-{uuid.uuid4().hex[:10]}"
    at = datetime.now(UTC)
    for sub, role, teams in (
        (admin_sub, UserRole.provider_admin, []),
        (user_sub, UserRole.provider_user, [OTHER_SERVICE]),
    ):
        repos.users.create(
            ProviderUser(
                subject=sub,
                provider_id=pid,
                email=f"{sub}@{pid}.example",
                name="Testi",
                role=role,
                teams=teams,
                created_at=at,
                updated_at=at,
            )
        )
    return {
        "pid": pid,
        "sites": sites,
        "admin": provider_claims(pid, "provider_admin", sub=admin_sub),
        "user": provider_claims(pid, "provider_user", sub=user_sub),
    }


@pytest.fixture
def approved(monkeypatch):
    """Services the provider is approved for (the applications area decides this for real) and today."""
    from seteli.services import price_lists as svc

    services: set[tuple[str, str]] = set()
    monkeypatch.setattr(svc, "service_approved", lambda repos, pid, sid: (pid, sid) in services)
    monkeypatch.setattr(svc, "today_in_helsinki", lambda: TODAY)
    return services


def _lists(pid: str) -> str:
    return f"/v1/providers/{pid}/price-lists"


def _create(fn, c, claims=None, **body):
    body = {
        "service_id": SERVICE,
        "name": "Toimipaikkahinnasto 1-2027",
        "starts_on": "2027-01-01",
        "prices": {CONTENT: "118.50"},
        **body,
    }
    return call(fn("providers"), event("POST", _lists(c["pid"]), body=body, claims=claims or c["admin"]))


def _patch(fn, c, pl_id, claims=None, **body):
    path = f"{_lists(c['pid'])}/{pl_id}"
    return call(fn("providers"), event("PATCH", path, body=body, claims=claims or c["admin"]))


def _publish(fn, c, pl, claims=None):
    path = f"{_lists(c['pid'])}/{pl['id']}/publish"
    return call(fn("providers"), event("POST", path, body={"version": pl["version"]}, claims=claims or c["admin"]))


def _price(fn, c, claims=None, **query):
    query = {"service_id": SERVICE, "content_id": CONTENT, **query}
    path = f"/v1/providers/{c['pid']}/prices"
    return call(fn("providers"), event("GET", path, query=query, claims=claims or c["admin"]))


def _approve_application(pid: str, service_id: str = SERVICE) -> int:
    """What the application's approval does with the drafts: one transaction (here without the application)."""
    from seteli.services.price_lists import approval_items
    from seteli.store import repositories
    from seteli.store.base import transact

    items = approval_items(repositories(), pid, service_id, at=datetime.now(UTC), by="sub-municipality")
    transact(items, "changed meanwhile")
    return len(items)


# ---------------------------------------------------------------- drafts


def test_a_draft_is_made_edited_and_deleted(fn, company):
    c = company
    status, headers, pl = _create(fn, c, part_id=c["sites"][0], notes="Hinnat sisältävät alv:n")
    assert status == 201, pl
    assert headers["location"] == f"{_lists(c['pid'])}/{pl['id']}"
    assert pl["level"] == "part" and pl["part_id"] == c["sites"][0]
    assert pl["prices"] == {CONTENT: "118.50"} and pl["status"] == "draft"
    assert pl["valid_from"] is None and pl["valid_until"] is None and pl["version"] == 1

    # moving the start moves the item (a new sort key) in one transaction, and versions keep counting
    status, _, moved = _patch(fn, c, pl["id"], version=1, starts_on="2027-02-01", prices={CONTENT: "120"})
    assert status == 200, moved
    assert moved["starts_on"] == "2027-02-01" and moved["prices"] == {CONTENT: "120.00"}
    assert moved["version"] == 2 and moved["notes"] == "Hinnat sisältävät alv:n"
    status, _, page = call(fn("providers"), event("GET", _lists(c["pid"]), claims=c["admin"]))
    assert [x["id"] for x in page["items"]] == [pl["id"]]

    # the stale version 1 is refused on both the moved item and a delete
    status, _, body = _patch(fn, c, pl["id"], version=1, name="Uusi nimi")
    assert status == 409 and body["errors"] == [{"field": "body.version", "message": "stale: read again"}]
    path = f"{_lists(c['pid'])}/{pl['id']}"
    status, _, body = call(fn("providers"), event("DELETE", path, query={"version": "1"}, claims=c["admin"]))
    assert status == 409 and body["errors"][0]["field"] == "query.version"

    # switching to company level drops the part
    status, _, comp = _patch(fn, c, pl["id"], version=2, level="company")
    assert status == 200 and comp["level"] == "company" and comp["part_id"] is None

    status, _, _ = call(fn("providers"), event("DELETE", path, query={"version": "3"}, claims=c["admin"]))
    assert status == 204
    status, _, body = call(fn("providers"), event("GET", path, claims=c["admin"]))
    assert status == 404


def test_invalid_fields_are_422_naming_each(fn, company):
    c = company
    status, _, body = _create(
        fn,
        c,
        service_id="no-such-service",
        prices={CONTENT: "1.00"},
    )
    assert status == 422 and {e["field"] for e in body["errors"]} == {"body.service_id"}

    status, _, body = _create(
        fn,
        c,
        level="part",
        prices={CONTENT: "12.345", "home-care-weekday": "30.00"},
        name="  ",
    )
    assert status == 422
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"body.part_id", f"body.prices.{CONTENT}", "body.prices.home-care-weekday", "body.name"}
    assert "12.345" not in str(body)

    for prices, message in (({CONTENT: "-1.00"}, "negative"), ({CONTENT: "abc"}, "euros")):
        status, _, body = _create(fn, c, prices=prices)
        assert status == 422 and message in body["errors"][0]["message"], body
    status, _, body = _create(fn, c, prices={CONTENT: 118.5})  # a JSON number is never money
    assert status == 422 and body["errors"][0]["field"] == f"body.prices.{CONTENT}"
    status, _, body = _create(fn, c, prices={})
    assert status == 422 and body["errors"][0]["field"] == "body.prices"
    status, _, body = _create(fn, c, starts_on="1.1.2027")
    assert status == 422 and body["errors"][0]["field"] == "body.starts_on"
    status, _, body = _create(fn, c, part_id="site-nobody")
    assert status == 422 and body["errors"][0]["field"] == "body.part_id"
    status, _, body = _create(fn, c, level="company", part_id=c["sites"][0])
    assert status == 422 and body["errors"][0]["field"] == "body.part_id"


def test_another_provider_a_citizen_and_a_user_outside_the_team_get_403(fn, company):
    c = company
    _, _, pl = _create(fn, c)
    stranger = provider_claims(new_provider_id(), "provider_admin")
    status, _, body = _create(fn, c, claims=stranger)
    assert status == 403 and "own provider" in body["detail"]
    for method, path in (
        ("GET", _lists(c["pid"])),
        ("GET", f"{_lists(c['pid'])}/{pl['id']}"),
        ("GET", f"{_lists(c['pid'])}/pl-does-not-exist"),  # the same 403: nothing is revealed
    ):
        status, _, _ = call(fn("providers"), event(method, path, claims=stranger))
        assert status == 403
    status, _, _ = _patch(fn, c, pl["id"], claims=stranger, version=1, name="x")
    assert status == 403
    status, _, _ = call(fn("providers"), event("GET", _lists(c["pid"]), claims=claims_for("citizen")))
    assert status == 403
    status, _, _ = _create(fn, c, claims=claims_for("municipality_admin"))
    assert status == 403

    # the user is in the home-care team, not in assisted-living's
    status, _, body = _create(fn, c, claims=c["user"])
    assert status == 403 and "team" in body["detail"]
    status, _, _ = _patch(fn, c, pl["id"], claims=c["user"], version=1, name="x")
    assert status == 403
    status, _, _ = call(fn("providers"), event("GET", f"{_lists(c['pid'])}/{pl['id']}", claims=c["user"]))
    assert status == 403
    # ... but makes home-care's lists, and the list shows it only those
    status, _, mine = _create(fn, c, claims=c["user"], service_id=OTHER_SERVICE, prices={"home-care-weekday": "34.00"})
    assert status == 201, mine
    status, _, page = call(fn("providers"), event("GET", _lists(c["pid"]), claims=c["user"]))
    assert status == 200 and [x["id"] for x in page["items"]] == [mine["id"]]
    # the admin and the municipality see both
    for claims in (c["admin"], claims_for("case_worker")):
        status, _, page = call(fn("providers"), event("GET", _lists(c["pid"]), claims=claims))
        assert status == 200 and {x["id"] for x in page["items"]} == {pl["id"], mine["id"]}
    status, _, page = call(
        fn("providers"),
        event("GET", _lists(c["pid"]), query={"service_id": OTHER_SERVICE}, claims=claims_for("case_worker")),
    )
    assert [x["id"] for x in page["items"]] == [mine["id"]]


# ---------------------------------------------------------------- approval and validity


def test_spec_example_k137_the_list_valid_on_the_event_day_prices_it(fn, company):
    # Given list A from 1.1.2015 and list B from 1.1.2016 for the same site, approved with the application
    c = company
    site = c["sites"][0]
    _, _, a = _create(fn, c, part_id=site, name="Toimipaikkahinnasto 1-2015", starts_on="2015-01-01")
    _, _, b = _create(
        fn, c, part_id=site, name="Toimipaikkahinnasto 1-2016", starts_on="2016-01-01", prices={CONTENT: "125.00"}
    )
    assert _approve_application(c["pid"]) == 4  # two lists and their guards
    # When an event on 15.12.2015 is priced (recorded in January 2016: it does not matter)
    status, _, price = _price(fn, c, part_id=site, on="2015-12-15")
    # Then list A prices it, and A is in force until the day before B starts
    assert status == 200, price
    assert price["price"] == "118.50" and price["price_list_id"] == a["id"] and price["level"] == "part"
    assert (price["valid_from"], price["valid_until"]) == ("2015-01-01", "2015-12-31")
    # And an event on 2.1.2016 is priced by B, which is in force until further notice
    status, _, price = _price(fn, c, part_id=site, on="2016-01-02")
    assert (price["price"], price["price_list_id"], price["valid_until"]) == ("125.00", b["id"], None)
    # Before A there is no price: a clear 404
    status, _, body = _price(fn, c, part_id=site, on="2014-12-31")
    assert status == 404 and "no approved price" in body["detail"]
    # The list shows the same validity
    status, _, page = call(fn("providers"), event("GET", _lists(c["pid"]), claims=claims_for("case_worker")))
    by_id = {x["id"]: x for x in page["items"]}
    assert (by_id[a["id"]]["valid_from"], by_id[a["id"]]["valid_until"]) == ("2015-01-01", "2015-12-31")
    assert by_id[b["id"]]["status"] == "approved" and by_id[b["id"]]["approved_by"] == "sub-municipality"


def test_part_level_wins_and_other_parts_get_the_company_price(fn, company):
    c = company
    site1, site2 = c["sites"]
    _create(fn, c, name="Yrityshinnasto", starts_on="2020-01-01", prices={CONTENT: "100.00"})
    _create(fn, c, part_id=site1, starts_on="2021-01-01", prices={CONTENT: "110.00"})
    _approve_application(c["pid"])
    status, _, price = _price(fn, c, claims=claims_for("citizen"), part_id=site1, on="2021-06-01")
    assert status == 200 and (price["price"], price["level"], price["part_id"]) == ("110.00", "part", site1)
    status, _, price = _price(fn, c, part_id=site1, on="2020-06-01")  # before the site's own list
    assert (price["price"], price["level"]) == ("100.00", "company")
    status, _, price = _price(fn, c, part_id=site2, on="2021-06-01")
    assert (price["price"], price["level"], price["part_id"]) == ("100.00", "company", None)
    status, _, body = _price(fn, c, content_id="home-care-weekday")
    assert status == 422 and body["errors"][0]["field"] == "query.content_id"


def test_drafts_never_price_anything(fn, company):
    c = company
    _create(fn, c, starts_on="2020-01-01")
    status, _, body = _price(fn, c, on="2024-01-01")
    assert status == 404


def test_an_approved_list_is_never_edited_only_its_notes(fn, company):
    c = company
    _, _, pl = _create(fn, c, starts_on="2020-01-01")
    _approve_application(c["pid"])
    status, _, body = _patch(fn, c, pl["id"], version=2, prices={CONTENT: "1.00"})
    assert status == 409
    assert body["detail"] == "an approved price list is never edited; make a new list with a later start date"
    status, _, body = _patch(fn, c, pl["id"], version=2, notes="Ateriat sisältyvät hintaan")
    assert status == 200 and body["notes"] == "Ateriat sisältyvät hintaan" and body["version"] == 3
    assert body["status"] == "approved" and body["prices"] == {CONTENT: "118.50"}
    path = f"{_lists(c['pid'])}/{pl['id']}"
    status, _, body = call(fn("providers"), event("DELETE", path, query={"version": "3"}, claims=c["admin"]))
    assert status == 409 and "never deleted" in body["detail"]


def test_two_drafts_of_one_site_with_the_same_start_cannot_be_approved(fn, company):
    c = company
    _create(fn, c, part_id=c["sites"][0], starts_on="2020-01-01")
    _create(fn, c, part_id=c["sites"][0], starts_on="2020-01-01", name="Toinen")
    from seteli.errors import Conflict

    with pytest.raises(Conflict, match="must be after"):
        _approve_application(c["pid"])


# ---------------------------------------------------------------- publishing


def test_the_admin_publishes_a_new_list_which_supersedes_the_old_one(fn, company, approved):
    c = company
    _, _, old = _create(fn, c, starts_on="2025-01-01")
    _approve_application(c["pid"])
    approved.add((c["pid"], SERVICE))
    _, _, new = _create(fn, c, starts_on="2027-01-01", prices={CONTENT: "130.00"})
    status, _, body = _publish(fn, c, new)
    assert status == 200, body
    assert body["status"] == "approved" and body["approved_by"] == c["admin"]["sub"] and body["approved_at"]
    assert (body["valid_from"], body["valid_until"]) == ("2027-01-01", None)
    status, _, got = call(fn("providers"), event("GET", f"{_lists(c['pid'])}/{old['id']}", claims=c["admin"]))
    assert got["valid_until"] == "2026-12-31"
    assert _price(fn, c, on="2026-12-31")[2]["price"] == "118.50"
    assert _price(fn, c, on="2027-01-01")[2]["price"] == "130.00"
    # publishing again: it is approved already
    status, _, body = _publish(fn, c, {**new, "version": body["version"]})
    assert status == 409 and "approved already" in body["detail"]


def test_publishing_is_refused_in_the_past_on_the_same_start_and_when_stale(fn, company, approved):
    c = company
    _create(fn, c, starts_on="2027-01-01")
    _approve_application(c["pid"])
    approved.add((c["pid"], SERVICE))
    _, _, today = _create(fn, c, starts_on=TODAY.isoformat())
    status, _, body = _publish(fn, c, today)
    assert status == 409 and body["errors"][0]["field"] == "starts_on" and "after today" in body["detail"]
    _, _, twin = _create(fn, c, starts_on="2027-01-01")
    status, _, body = _publish(fn, c, twin)
    assert status == 409 and "must be after 2027-01-01" in body["detail"]
    _, _, later = _create(fn, c, starts_on="2027-06-01")
    status, _, body = _publish(fn, c, {**later, "version": 7})
    assert status == 409 and body["errors"] == [{"field": "body.version", "message": "stale: read again"}]


def test_publishing_needs_the_admin_and_an_approved_service(fn, company, approved):
    c = company
    _, _, draft = _create(fn, c, claims=c["admin"], service_id=OTHER_SERVICE, prices={"home-care-weekday": "34.00"})
    status, _, body = _publish(fn, c, draft, claims=c["user"])
    assert status == 403 and "admin" in body["detail"]
    status, _, body = _publish(fn, c, draft, claims=provider_claims(new_provider_id()))
    assert status == 403
    status, _, body = _publish(fn, c, draft)  # not approved for home-care
    assert status == 409 and "not approved for service" in body["detail"]
    approved.add((c["pid"], OTHER_SERVICE))
    status, _, body = _publish(fn, c, draft)
    assert status == 200 and body["status"] == "approved"


def test_publishing_outside_the_rulebooks_price_change_window_is_refused(fn, company, approved, monkeypatch):
    from seteli.services import price_lists as svc
    from seteli.services.tenant_config import current_tenant
    from seteli.store import repositories

    real = current_tenant(repositories().tenant)
    rulebooks = [
        r.model_copy(update={"price_change_window": (date(2026, 10, 1), date(2026, 10, 31))})
        if r.id == "assisted-living"
        else r
        for r in real.rulebooks
    ]
    monkeypatch.setattr(svc, "_tenant", lambda repos: real.model_copy(update={"rulebooks": rulebooks}))
    c = company
    approved.add((c["pid"], SERVICE))
    _, _, draft = _create(fn, c, starts_on="2027-01-01")
    status, _, body = _publish(fn, c, draft)
    assert status == 409 and body["errors"][0]["field"] == "window"
    assert "2026-10-01" in body["detail"] and "2026-10-31" in body["detail"]
    monkeypatch.setattr(svc, "today_in_helsinki", lambda: date(2026, 10, 31))
    status, _, body = _publish(fn, c, draft)
    assert status == 200 and body["status"] == "approved"


def new_provider_id() -> str:
    from seteli.store import repositories

    return new_provider(repositories())[0]


def test_sites_without_prices_sees_drafts(company):
    from seteli.api.auth import principal_from_claims
    from seteli.rules.price_lists import sites_without_prices
    from seteli.services.price_lists import create_price_list
    from seteli.store import repositories

    c = company
    repos = repositories()
    who = principal_from_claims(c["admin"])
    create_price_list(
        repos, who, c["pid"], service_id=SERVICE, name="S1", starts_on=date(2027, 1, 1),
        prices={CONTENT: "1.00"}, part_id=c["sites"][0],
    )  # fmt: skip
    stored = repos.price_lists.for_service(c["pid"], SERVICE)
    assert sites_without_prices(stored, c["sites"]) == [c["sites"][1]]  # the applications area passes these
    assert sites_without_prices([pl.rule() for pl in stored], c["sites"]) == [c["sites"][1]]
