"""What the demo data of `make run` promises (issue 3): approved providers with price lists for several
services, the price on a date answered by the rules, and one application waiting for review.

The demo is seeded into the test stack by tests/conftest.py exactly as `make run` seeds it."""

from __future__ import annotations

from datetime import date

from local.demo import AURINKO, KOIVURINNE, KOTIAPU, SIISTI, WAITING_APPLICATION
from tests.integration.apigw import call, event

DEMO = (AURINKO, KOTIAPU, KOIVURINNE, SIISTI)


def _get(fn, name: str, path: str, query: dict | None = None, group: str = "case_worker"):
    return call(fn(name), event("GET", path, query=query, as_group=group))


def _price(fn, provider_id: str, service_id: str, content_id: str, on: str, part_id: str | None = None):
    query = {"service_id": service_id, "content_id": content_id, "on": on, **({"part_id": part_id} if part_id else {})}
    return _get(fn, "providers", f"/v1/providers/{provider_id}/prices", query)


def test_three_active_providers_with_approved_price_lists_for_several_services(fn):
    status, _, page = _get(fn, "providers", "/v1/providers", {"limit": "100"})
    assert status == 200, page
    by_id = {p["id"]: p for p in page["items"]}
    assert {by_id[p]["status"] for p in (AURINKO, KOIVURINNE, SIISTI)} == {"active"}
    assert by_id[KOTIAPU]["status"] == "registered"  # waits for its first decision

    services: set[str] = set()
    for pid in (AURINKO, KOIVURINNE, SIISTI):
        status, _, lists = _get(fn, "providers", f"/v1/providers/{pid}/price-lists", {"status": "approved"})
        assert status == 200, lists
        assert lists["items"], f"{pid} has no approved price list"
        services |= {pl["service_id"] for pl in lists["items"]}
    assert len(services) >= 3, services
    status, _, apps = _get(fn, "applications", "/v1/applications", {"status": "approved", "limit": "100"})
    assert status == 200, apps
    approved = {(a["provider_id"], a["service_id"]) for a in apps["items"] if a["provider_id"] in DEMO}
    assert {(AURINKO, "assisted-living"), (AURINKO, "home-care"), (SIISTI, "cleaning")} <= approved


def test_the_attachments_are_real_files_in_the_bucket(fn):
    from seteli.adapters.files import files

    status, _, atts = _get(fn, "providers", f"/v1/providers/{AURINKO}/attachments")
    assert status == 200, atts
    items = atts["items"]
    assert {a["type_id"] for a in items} >= {"trade-register-extract", "liability-insurance", "self-monitoring-plan"}
    assert all(a["status"] == "ready" for a in items)
    one = next(a for a in items if a["type_id"] == "liability-insurance")
    status, _, full = _get(fn, "providers", f"/v1/providers/{AURINKO}/attachments/{one['id']}")
    assert status == 200 and full["download_url"], full
    from seteli.store import repositories

    att = repositories().attachments.get(AURINKO, one["id"])
    assert files().read_head(att.object_key, 8).startswith(b"%PDF-")
    assert files().head(att.object_key) == att.size


def test_the_price_on_a_date_follows_the_rules(fn):
    # Aurinkohoiva's home care: the 2026 list until 30.6., the newer list from 1.7.
    status, _, out = _price(fn, AURINKO, "home-care", "home-care-weekday", "2026-06-30")
    assert status == 200, out
    assert (out["price"], out["price_list_id"], out["valid_until"]) == (
        "34.00",
        "pl-aurinko-home-care-2026",
        "2026-06-30",
    )
    status, _, out = _price(fn, AURINKO, "home-care", "home-care-weekday", "2026-07-01")
    assert status == 200, out
    assert (out["price"], out["price_list_id"], out["valid_until"]) == ("35.50", "pl-aurinko-home-care-2026-07", None)
    # before any list: no price
    status, _, out = _price(fn, AURINKO, "home-care", "home-care-weekday", "2025-12-31")
    assert status == 404, out
    # Koivurinne: the Laukaa site's own list wins over the company's; another site gets the company's
    status, _, out = _price(fn, KOIVURINNE, "assisted-living", "care-day", "2026-03-15", part_id="site-laukaa")
    assert status == 200 and (out["price"], out["level"]) == ("94.50", "part"), out
    status, _, out = _price(fn, KOIVURINNE, "assisted-living", "care-day", "2026-03-15", part_id="site-vaajakoski")
    assert status == 200 and (out["price"], out["level"]) == ("97.00", "company"), out


def test_one_complete_application_waits_in_the_municipalitys_queue(fn, monkeypatch):
    from seteli.services import applications as svc

    status, _, queue = _get(fn, "applications", "/v1/applications", {"service_id": "cleaning", "limit": "100"})
    assert status == 200, queue
    demo = [a for a in queue["items"] if a["provider_id"] in DEMO]
    assert [(a["id"], a["provider_id"], a["service_id"], a["status"]) for a in demo] == [
        (WAITING_APPLICATION, KOTIAPU, "cleaning", "submitted")
    ]
    assert not any(a["provider_id"] in DEMO for a in _queue(fn, "home-care") + _queue(fn, "assisted-living"))

    monkeypatch.setattr(svc, "today_in_helsinki", lambda: date(2026, 11, 23))  # the demo's dates are fixed
    status, _, app = _get(fn, "applications", f"/v1/applications/{WAITING_APPLICATION}")
    assert status == 200, app
    assert app["missing"] == [], app["missing"]
    assert [(t["from"], t["to"]) for t in app["transitions"]] == [(None, "draft"), ("draft", "submitted")]
    status, _, lists = _get(fn, "providers", f"/v1/providers/{KOTIAPU}/price-lists", {"service_id": "cleaning"})
    assert status == 200 and [pl["status"] for pl in lists["items"]] == ["draft"], lists


def _queue(fn, service_id: str) -> list[dict]:
    status, _, page = _get(fn, "applications", "/v1/applications", {"service_id": service_id, "limit": "100"})
    assert status == 200, page
    return page["items"]


def test_seeding_again_changes_nothing(stack):
    from local.demo import seed_demo
    from seteli.config import settings
    from seteli.store import repositories

    repos = repositories()

    def state():
        return {
            pid: (
                repos.providers.get(pid).version,
                sorted((a.id, a.version) for a in repos.applications.for_provider(pid)),
                sorted((pl.id, pl.version) for pl in repos.price_lists.for_provider(pid)),
                sorted((a.id, a.version) for a in repos.attachments.for_provider(pid)),
            )
            for pid in DEMO
        }

    before = state()
    assert seed_demo(settings()) == 0
    assert state() == before


def test_demo_customers_hold_each_kind_of_entitlement(stack):
    """Issue 4's demo: a reserved voucher, a municipality's order, a balance voucher, and a voucher
    that waits for a provider (its code is in the README)."""
    from local.demo import CUSTOMERS, ENTITLEMENTS
    from seteli.clock import today
    from seteli.rules.entitlements import state
    from seteli.store import repositories

    repos = repositories()
    for cid, *_ in CUSTOMERS:
        assert repos.customers.get(cid) is not None, cid
    kinds = {}
    for number, kind, cid, *_rest, reservation in ENTITLEMENTS:
        ent, reservations = repos.entitlements.with_reservations(number)
        assert ent is not None and ent.customer_id == cid, number
        kinds[kind] = kinds.get(kind, 0) + 1
        assert [r.provider_id for r in reservations] == ([reservation[0]] if reservation else [])
        assert ent.reserved_by == [r.provider_id for r in reservations]
        assert str(state(ent, today())) == ("open" if reservation else "granted"), number
        if reservation:
            relation = repos.provider_customers.get(reservation[0], cid)
            assert relation is not None and relation.has_open_reservation
    assert set(kinds) == {"voucher", "order", "balance_voucher"}


def test_demo_events_show_each_story(stack):
    """Issue 5's demo: last month's home-care visits with one waiting for approval (10 h/week),
    care days around a hospital stay whose return day is paid once, errands on the balance voucher;
    and this month's care days as an unconfirmed draft. Seeding again adds nothing."""
    from local.demo import _demo_months, seed_events
    from seteli.clock import today
    from seteli.config import settings
    from seteli.domain.money import Money
    from seteli.store import repositories

    repos = repositories()
    last, this = _demo_months(today())
    aino = repos.events.events_between("JKL-2026-0101", last, this)
    assert [e.status.value for e in aino].count("pending_approval") == 1
    assert all(e.travel_km is None or e.travel > Money.zero() for e in aino)
    (stay,) = repos.events.interruptions_of("JKL-2026-0102")
    assert stay.status.value == "recorded" and len(stay.days) == 8
    eino = repos.events.events_between("JKL-2026-0102", last, this)
    paid_elsewhere = [ln.on for e in eino for ln in e.lines if ln.paid_elsewhere]
    assert paid_elsewhere == [stay.return_day]
    if today().day > 1:
        drafts = [e for e in repos.events.events_between("JKL-2026-0102", this, today()) if e.status.value == "draft"]
        assert len(drafts) == 1
    assert len(repos.events.events_between("JKL-2026-0103", last, this)) == 2
    assert seed_events(settings()) == 0
