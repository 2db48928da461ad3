"""The public comparison through the real handlers on moto: availability, the public providers
list, the read model's refresh and the site publisher's atomic publishing (spec 16, issue 7).

The publisher tests use a small fake renderer (one page per service and provider, whose bytes are
the entries' prices) so that what is published, and when, is plain; the real renderer is tested in
tests/unit/test_site_render.py and in the browser."""

from __future__ import annotations

from datetime import date

import orjson
import pytest

from seteli.adapters.site_store import S3SiteFiles
from seteli.domain.comparison import SitePointer
from seteli.domain.money import Money
from seteli.domain.provider import ProviderStatus
from seteli.errors import Conflict
from seteli.services import comparison, site_publisher
from tests.factories import approve, approved_price_list, new_provider, provider_claims
from tests.integration.apigw import call, claims_for, event

MUNI = claims_for("municipality_admin")
PRICES = {"home-care-weekday": "38.00", "home-care-evening": "44.00"}


def shown_provider(repos, *, sites: int = 1, prices=PRICES, service: str = "home-care"):
    pid, site_ids = new_provider(repos, sites=sites)
    approve(repos, pid, service, site_ids)
    approved_price_list(repos, pid, service, prices, date(2026, 1, 1))
    return pid, site_ids


# ---------------------------------------------------------------- availability


def put_availability(fn, pid, service, body, claims):
    return call(fn("providers"), event("PUT", f"/v1/providers/{pid}/availability/{service}", body=body, claims=claims))


def test_a_provider_tells_its_availability_and_the_public_sees_it(fn, stack, today):
    from seteli.store import repositories

    today(date(2026, 11, 23))
    repos = repositories()
    pid, _ = shown_provider(repos)
    me = provider_claims(pid)
    status, _, body = put_availability(fn, pid, "home-care", {"starts_within_days": 7, "free_places": 2}, me)
    assert status == 200, body
    assert body["version"] == 1 and body["starts_within_days"] == 7
    status, _, body = call(fn("providers"), event("GET", f"/v1/providers/{pid}/availability", claims=MUNI))
    assert status == 200 and [a["service_id"] for a in body["items"]] == ["home-care"]

    comparison.refresh_provider(repos, pid)
    providers = "/v1/public/services/home-care/providers"
    status, _, page = call(fn("public"), event("GET", providers, query={"limit": "200"}))
    assert status == 200
    mine = [e for e in page["items"] if e["provider_id"] == pid]
    while not mine and page["next"]:
        query = {"limit": "200", "next": page["next"]}
        status, _, page = call(fn("public"), event("GET", "/v1/public/services/home-care/providers", query=query))
        mine = [e for e in page["items"] if e["provider_id"] == pid]
    assert mine[0]["availability"]["starts_within_days"] == 7
    assert mine[0]["sites"][0]["prices"] == PRICES
    assert "personal_id" not in orjson.dumps(page).decode()


def test_availability_errors(fn, stack):
    from seteli.store import repositories

    repos = repositories()
    pid, _ = shown_provider(repos)
    other, _ = new_provider(repos)
    me = provider_claims(pid)
    ok = {"starts_within_days": 0}
    assert put_availability(fn, other, "home-care", ok, me)[0] == 403  # another provider's
    assert put_availability(fn, pid, "home-care", ok, MUNI)[0] == 403  # the municipality does not tell it
    status, _, body = put_availability(fn, pid, "no-such-service", ok, me)
    assert status == 404 and "no-such-service" in body["detail"]
    status, _, body = put_availability(fn, pid, "home-care", {"free_places": 3}, me)
    assert status == 422 and body["errors"][0]["field"] == "body.starts_within_days"
    status, _, body = put_availability(fn, pid, "home-care", {"starts_within_days": 400}, me)
    assert status == 422 and "starts_within_days" in str(body["errors"])
    assert put_availability(fn, pid, "home-care", ok, me)[0] == 200
    status, _, body = put_availability(fn, pid, "home-care", {**ok, "version": 0}, me)  # stale
    assert status == 409 and body["errors"][0]["field"] == "body.version"
    assert put_availability(fn, pid, "home-care", {**ok, "version": 1}, me)[0] == 200
    theirs = provider_claims(other)
    status, _, _ = call(fn("providers"), event("GET", f"/v1/providers/{pid}/availability", claims=theirs))
    assert status == 403


def test_the_public_list_answers_clearly(fn, stack):
    status, _, body = call(fn("public"), event("GET", "/v1/public/services/no-such/providers"))
    assert status == 404 and body["errors"][0]["field"] == "path.service_id"
    query = {"next": "not-a-cursor"}
    status, _, body = call(fn("public"), event("GET", "/v1/public/services/home-care/providers", query=query))
    assert status == 422 and body["errors"][0]["field"] == "query.next"
    status, _, body = call(fn("public"), event("GET", "/v1/public/services/home-care/providers", query={"limit": "0"}))
    assert status == 422


# ---------------------------------------------------------------- the read model


def test_refresh_writes_only_what_changed(fresh_repos, today):
    today(date(2026, 11, 23))
    repos = fresh_repos
    pid, site_ids = shown_provider(repos, sites=2)
    assert comparison.refresh_provider(repos, pid) == {"home-care"}
    assert comparison.refresh_provider(repos, pid) == set()  # nothing changed: nothing written
    [entry] = repos.comparison.entries("home-care")
    assert [s.id for s in entry.sites] == site_ids
    # a site's own list from December: shown only from then on
    approved_price_list(repos, pid, "home-care", {"home-care-weekday": "35.00"}, date(2026, 12, 1), part_id=site_ids[0])
    assert comparison.refresh_provider(repos, pid) == {"home-care"}  # next_prices_from changed
    today(date(2026, 12, 1))
    assert comparison.refresh_provider(repos, pid) == {"home-care"}
    [entry] = repos.comparison.entries("home-care")
    assert entry.sites[0].prices["home-care-weekday"] == Money("35.00") and entry.sites[0].price_level == "site"
    # passive: off the site
    provider = repos.providers.get(pid)
    repos.providers.update(provider.model_copy(update={"status": ProviderStatus.passive}))
    assert comparison.refresh_provider(repos, pid) == {"home-care"}
    assert repos.comparison.entries("home-care") == []


# ---------------------------------------------------------------- publishing


def fake_render(tenant, entries, generated_at, today_, only):
    """One page per service (the providers and their weekday prices) and per provider."""
    services = only[0] if only else {s.id for s in tenant.services}
    out = {}
    for sid in services:
        rows = sorted(f"{e.provider_id}={e.sites[0].prices.get('home-care-weekday')}" for e in entries.get(sid, []))
        out[f"fi/{sid}/index.html"] = ("\n".join(rows) or "-").encode()
    providers = only[1] if only else {e.provider_id for es in entries.values() for e in es}
    for pid in providers:
        mine = [f"{e.service_id}:{e.name}" for es in entries.values() for e in es if e.provider_id == pid]
        out[f"fi/providers/{pid}.html"] = ("\n".join(sorted(mine)) or "-").encode()
    if not only:
        out["index.html"] = b"front"
    return out


@pytest.fixture
def site_files(stack):
    import os

    return S3SiteFiles(os.environ["SITE_BUCKET"], os.environ["AWS_REGION"], workers=1)


def live(repos, files, path):
    """What a reader gets for ``path``: resolved through the pointer, as CloudFront does."""
    pointer = repos.comparison.pointer()
    return files.get(pointer.build_of(path), path)


def test_publish_full_then_only_the_changed_files(fresh_repos, site_files, today):
    today(date(2026, 11, 23))
    repos = fresh_repos
    pid, _ = shown_provider(repos)
    other, _ = shown_provider(repos, prices={"home-care-weekday": "40.00"})
    first = site_publisher.publish_full(repos, site_files, fake_render)
    assert first.mode == "full" and first.generation == 1
    rows = live(repos, site_files, "fi/home-care/index.html").decode().split("\n")
    assert rows == sorted([f"{other}=40.00", f"{pid}=38.00"])
    # nothing the public sees changed: nothing published
    assert site_publisher.publish_changes(repos, site_files, fake_render, {pid}).mode == "unchanged"
    # a new price from today: the service page and the provider's page, nothing else
    approved_price_list(repos, pid, "home-care", {"home-care-weekday": "39.00"}, date(2026, 11, 23))
    second = site_publisher.publish_changes(repos, site_files, fake_render, {pid})
    assert second.mode == "changes" and second.services == ["home-care"]
    pointer = repos.comparison.pointer()
    assert pointer.base == first.build_id and pointer.generation == 1
    assert set(pointer.overrides) == {"fi/home-care/index.html"}  # the provider page's bytes did not change
    assert f"{pid}=39.00" in live(repos, site_files, "fi/home-care/index.html").decode()
    assert live(repos, site_files, "index.html") == b"front"  # still the full build's
    # the next full build folds the overrides in, and the generation before the last goes
    third = site_publisher.publish_full(repos, site_files, fake_render)
    pointer = repos.comparison.pointer()
    assert pointer.generation == 2 and pointer.overrides == {} and pointer.base == third.build_id
    assert set(pointer.retired) == {first.build_id, second.build_id}
    site_publisher.publish_full(repos, site_files, fake_render)
    assert site_files.get(first.build_id, "index.html") is None  # deleted: nobody reads it
    assert site_files.get(third.build_id, "index.html") == b"front"  # the previous one stays a while


def test_a_crash_before_the_flip_leaves_the_old_site(fresh_repos, site_files, today):
    today(date(2026, 11, 23))
    repos = fresh_repos
    pid, _ = shown_provider(repos)
    site_publisher.publish_full(repos, site_files, fake_render)
    before = repos.comparison.pointer()
    approved_price_list(repos, pid, "home-care", {"home-care-weekday": "41.00"}, date(2026, 11, 23))

    class Crashing(S3SiteFiles):
        def put_build(self, build_id, files):
            super().put_build(build_id, dict(list(files.items())[:1]))
            raise ConnectionError("the network went")

    crashing = Crashing(site_files.bucket, site_files.region, workers=1)
    with pytest.raises(ConnectionError):
        site_publisher.publish_changes(repos, crashing, fake_render, {pid})
    assert repos.comparison.pointer() == before  # the old site, whole
    assert b"38.00" in live(repos, site_files, "fi/home-care/index.html")
    # the entry was refreshed before the crash; the nightly full build publishes it
    site_publisher.publish_full(repos, site_files, fake_render)
    assert b"41.00" in live(repos, site_files, "fi/home-care/index.html")


def test_the_pointer_moves_on_the_version_read(fresh_repos, site_files, today):
    today(date(2026, 11, 23))
    repos = fresh_repos
    shown_provider(repos)
    site_publisher.publish_full(repos, site_files, fake_render)
    pointer = repos.comparison.pointer()
    repos.comparison.put_pointer(pointer)  # another publisher flipped meanwhile
    with pytest.raises(Conflict):
        repos.comparison.put_pointer(pointer)
    with pytest.raises(Conflict):
        repos.comparison.put_pointer(SitePointer(base="x", published_at=pointer.published_at))  # not new any more


def test_many_changed_files_make_a_full_build(fresh_repos, site_files, today, monkeypatch):
    today(date(2026, 11, 23))
    repos = fresh_repos
    pid, _ = shown_provider(repos)
    site_publisher.publish_full(repos, site_files, fake_render)
    monkeypatch.setattr(site_publisher, "MAX_CHANGED", 0)
    approved_price_list(repos, pid, "home-care", {"home-care-weekday": "42.00"}, date(2026, 11, 23))
    done = site_publisher.publish_changes(repos, site_files, fake_render, {pid})
    assert done.mode == "full" and "published in full" in done.reason
    assert repos.comparison.pointer().generation == 2


def test_the_stream_names_the_providers(fn, stack):
    handler_module = __import__("sys").modules.get("seteli_fn_site_publisher")
    if handler_module is None:
        fn("site_publisher")
        handler_module = __import__("sys").modules["seteli_fn_site_publisher"]
    records = [
        {"dynamodb": {"Keys": {"pk": {"S": "PROVIDER#prv-a"}, "sk": {"S": "PRICELIST#home-care#2026-01-01#pl-1"}}}},
        {
            "dynamodb": {
                "Keys": {"pk": {"S": "APPLICATION#app-1"}, "sk": {"S": "APPLICATION"}},
                "OldImage": {
                    "pk": {"S": "APPLICATION#app-1"},
                    "sk": {"S": "APPLICATION"},
                    "gsi1pk": {"S": "PROVIDER#prv-b#APPLICATIONS"},
                },
            }
        },
        {"dynamodb": {"Keys": {"pk": {"S": "PROVIDER#prv-c"}, "sk": {"S": "USER#x"}}}},
        {"dynamodb": {"Keys": {"pk": {"S": "COMPARE#home-care"}, "sk": {"S": "PROVIDER#prv-d"}}}},
    ]
    assert handler_module.providers_in(records) == {"prv-a", "prv-b"}
    assert handler_module.lambda_handler({"Records": records[2:]}, None)["mode"] == "unchanged"


def test_quality_counts_the_last_twelve_months_of_feedback(fresh_repos, today):
    from datetime import UTC, datetime

    from seteli.domain.events import Feedback, FeedbackType

    today(date(2026, 11, 23))
    repos = fresh_repos
    pid, _ = shown_provider(repos)

    def give(n: int, at: datetime, type_: FeedbackType, reply: str | None = None) -> None:
        repos.feedback.create(
            Feedback(id=f"fb-q{n}-{pid[-6:]}", type=type_, text="x", customer_id=f"cus-q{n}", provider_id=pid,
                     given_by="sub", reply=reply, created_at=at)
        )  # fmt: skip

    give(1, datetime(2025, 11, 23, 21, 59, tzinfo=UTC), FeedbackType.thanks)  # 23.11.2025 in Helsinki: too old
    give(2, datetime(2025, 11, 23, 22, 0, tzinfo=UTC), FeedbackType.thanks)  # 24.11.2025 00:00 in Helsinki
    give(3, datetime(2026, 6, 1, 9, tzinfo=UTC), FeedbackType.reclamation, reply="Korjattu.")
    give(4, datetime(2026, 7, 1, 9, tzinfo=UTC), FeedbackType.reclamation)
    comparison.refresh_provider(repos, pid)
    [entry] = repos.comparison.entries("home-care")
    q = entry.quality
    assert (q.thanks, q.complaints, q.reclamations, q.needing_reply, q.answered) == (1, 0, 2, 2, 1)
    assert str(q.answered_share) == "0.50"
