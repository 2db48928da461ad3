"""The real handlers, called with API Gateway events, on moto (tables from template.yaml)."""

import json
from pathlib import Path

import pytest

from tests.integration.apigw import call, event

pytestmark = pytest.mark.usefixtures("stack")


def test_health_needs_no_sign_in(fn):
    status, headers, body = call(fn("public"), event("GET", "/v1/health"))
    assert status == 200
    assert body["status"] == "ok" and body["tenant_id"] == "demo"


def test_public_services_come_from_the_tenant_file(fn):
    status, _, body = call(fn("public"), event("GET", "/v1/public/services"))
    assert status == 200
    ids = [s["id"] for s in body["items"]]
    assert {"assisted-living", "home-care", "cleaning"} <= set(ids)
    home = next(s for s in body["items"] if s["id"] == "home-care")
    weekday = next(c for c in home["contents"] if c["id"] == "home-care-weekday")
    assert weekday == {**weekday, "unit": "hour", "voucher_value": "32.00"}
    assert body["next"] is None


def test_public_services_in_swedish(fn):
    _, _, fi = call(fn("public"), event("GET", "/v1/public/services"))
    status, _, sv = call(fn("public"), event("GET", "/v1/public/services", query={"lang": "sv"}))
    assert status == 200
    assert [s["name"] for s in sv["items"]] != [s["name"] for s in fi["items"]]


def test_an_unknown_language_is_a_422_naming_the_field(fn):
    status, headers, body = call(fn("public"), event("GET", "/v1/public/services", query={"lang": "de"}))
    assert status == 422
    assert headers["content-type"] == "application/problem+json"
    assert body["status"] == 422 and body["title"] and body["detail"]
    assert body["errors"][0]["field"] == "query.lang"


def test_the_openapi_document_is_served(fn):
    status, headers, body = call(fn("public"), event("GET", "/v1/openapi.json"))
    assert status == 200
    assert "/v1/providers/{provider_id}" in body["paths"]
    status, headers, html = call(fn("public"), event("GET", "/v1/docs"))
    assert status == 200 and "swagger-ui" in html


def test_own_provider_is_visible_with_its_sites(fn):
    status, _, body = call(fn("providers"), event("GET", "/v1/providers/prv-aurinkohoiva", as_group="provider_user"))
    assert status == 200
    assert body["business_id"] == "2734561-5"
    assert {p["id"] for p in body["parts"]} == {"site-kyllo", "site-muurame"}
    assert all(60 < p["lat"] < 70 and 20 < p["lon"] < 32 for p in body["parts"])


def test_no_token_is_401(fn):
    status, headers, body = call(fn("providers"), event("GET", "/v1/providers/prv-aurinkohoiva"))
    assert status == 401
    assert headers["content-type"] == "application/problem+json"


def test_another_providers_data_is_403_whether_it_exists_or_not(fn):
    for other in ("prv-koivurinne", "prv-does-not-exist"):
        status, _, body = call(fn("providers"), event("GET", f"/v1/providers/{other}", as_group="provider_admin"))
        assert status == 403, other
        assert "own provider" in body["detail"]


def test_citizen_may_not_read_providers_through_this_route(fn):
    status, _, _ = call(fn("providers"), event("GET", "/v1/providers/prv-aurinkohoiva", as_group="citizen"))
    assert status == 403


def test_municipality_sees_every_provider_and_404_for_unknown(fn):
    status, _, body = call(fn("providers"), event("GET", "/v1/providers/prv-koivurinne", as_group="case_worker"))
    assert status == 200 and body["name"] == "Palvelukoti Koivurinne Oy"
    status, _, body = call(fn("providers"), event("GET", "/v1/providers/prv-nobody", as_group="case_worker"))
    assert status == 404 and body["status"] == 404


def test_malformed_provider_id_is_422(fn):
    status, _, body = call(fn("providers"), event("GET", "/v1/providers/NOT_AN_ID", as_group="case_worker"))
    assert status == 422
    assert body["errors"][0]["field"] == "path.provider_id"


def test_unknown_route_is_404_problem(fn):
    ev = event("GET", "/v1/applications/app-x/no-such-thing", as_group="case_worker")
    status, headers, body = call(fn("applications"), ev)
    assert status == 404
    assert headers["content-type"] == "application/problem+json"
    assert "GET /v1/applications/app-x/no-such-thing" in body["detail"]


def test_jobs_need_a_municipality_admin(fn, fresh_table):
    ev = event("POST", "/v1/jobs/settlement", body={"month": "2026-10"}, as_group="provider_admin")
    assert call(fn("jobs"), ev)[0] == 403
    status, _, body = call(
        fn("jobs"), event("POST", "/v1/jobs/settlement", body={"month": "2026-10"}, as_group="municipality_admin")
    )
    assert status == 202 and body["job"] == "settlement" and body["month"] == "2026-10" and body["status"] == "done"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/jobs/settlement", {"month": "2026-13"}, "body.month"),
        ("/v1/jobs/settlement", {"month": 202610}, "body.month"),
        ("/v1/jobs/payday", {"month": "2026-10"}, "path.job"),
        ("/v1/jobs/settlement", "{not json", "body"),
    ],
)
def test_bad_job_requests_are_422_naming_the_field(fn, path, body, field):
    status, headers, problem = call(fn("jobs"), event("POST", path, body=body, as_group="municipality_admin"))
    assert status == 422, problem
    assert headers["content-type"] == "application/problem+json"
    assert any(e["field"].startswith(field) for e in problem["errors"]), problem


def test_scheduled_job_invocation(fn):
    from tests.integration.apigw import FakeContext

    result = fn("jobs")({"job": "reminders", "month": "2026-10"}, FakeContext())
    assert result["job"] == "reminders" and result["month"] == "2026-10"


def test_site_publisher_builds_and_publishes_the_demo_site(fn, fresh_table):
    """The nightly event through the real handler and the real renderer: every service's page in
    every language, the open data, and the pointer moved to the build."""
    from local.demo import seed_demo
    from seteli.config import settings
    from seteli.store import repositories
    from tests.integration.apigw import FakeContext

    seed_demo(settings())
    result = fn("site_publisher")({"job": "site"}, FakeContext())
    assert result["mode"] == "full" and result["generation"] == 1
    pointer = repositories().comparison.pointer()
    assert pointer.base == result["build_id"]
    from seteli.adapters.site_store import S3SiteFiles

    files = S3SiteFiles(settings().site_bucket, settings().region, workers=1)
    page = files.get(pointer.base, "fi/home-care/index.html").decode()
    assert "Hoivapolku Oy" in page and 'lang="fi"' in page  # a site-only demo company is on the list
    assert files.get(pointer.base, "sv/home-care/index.html") is not None
    assert b"Hoivapolku Oy" in files.get(pointer.base, "data/home-care.json")
    again = fn("site_publisher")({"job": "site-changes"}, FakeContext())
    assert again["mode"] == "unchanged"  # nothing the public sees changed since
    # one provider's availability: its service's pages and its own, nothing else
    a = repositories().comparison.availability("prv-aurinkohoiva")["home-care"]
    repositories().comparison.put_availability(a.model_copy(update={"starts_within_days": 30}))
    small = fn("site_publisher")({"providers": ["prv-aurinkohoiva"]}, FakeContext())
    assert small["mode"] == "changes" and small["services"] == ["home-care"]
    changed = set(repositories().comparison.pointer().overrides)
    assert "data/home-care.json" in changed and "fi/providers/prv-aurinkohoiva.html" in changed
    assert changed <= {"data/home-care.json"} | {
        f"{lang}/{page}"
        for lang in ("fi", "sv", "en")
        for page in ("home-care/index.html", "providers/prv-aurinkohoiva.html")
    }, changed


def test_without_a_tenant_configuration_the_api_says_503(fn, stack):
    from seteli.config import settings
    from seteli.services import tenant_config
    from seteli.store.keys import TENANT_CONFIG_SK, TENANT_PK
    from seteli.store.models import TenantConfigItem
    from tools.load_tenant import load_tenant_file

    TenantConfigItem.get(TENANT_PK, TENANT_CONFIG_SK).delete()
    tenant_config.forget()
    try:
        status, headers, body = call(fn("public"), event("GET", "/v1/public/services"))
        assert status == 503
        assert "load_tenant" in body["detail"]
    finally:
        load_tenant_file(Path(__file__).parents[2] / "tenants" / "demo.yaml", settings().table_name)
        tenant_config.forget()


def test_problem_bodies_never_echo_a_personal_identity_code(fn):
    hetu = "131052-308T"
    status, _, body = call(
        fn("jobs"), event("POST", "/v1/jobs/settlement", body={"month": hetu}, as_group="municipality_admin")
    )
    assert status == 422
    assert hetu not in json.dumps(body)
