"""Company data through the real providers handler on moto: registration, the provider record,
billing, parts, subcontractors, the obligations check, and who may do what."""

from __future__ import annotations

import random
import uuid

import boto3
import pytest

from tests.factories import business_id, new_provider, provider_claims
from tests.integration.apigw import call, claims_for, event

pytestmark = pytest.mark.usefixtures("stack")

MUNICIPALITY_EMAIL = "palveluseteli@demokunta.example"  # tenants/demo.yaml notification_email
IBAN = "fi21 1234 5600 0007 85"
IBAN_GROUPS = "FI21 1234 5600 0007 85"


@pytest.fixture
def repos(stack):
    from seteli.store import repositories

    return repositories()


def _email(tag: str = "u") -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@testi.example"


def _ip() -> str:
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def _registration(**over) -> dict:
    body = {
        "name": f"Testihoiva {uuid.uuid4().hex[:6]} Oy",
        "business_id": business_id(),
        "address": {"street": "Kauppakatu 1", "postal_code": "40100", "city": "Jyväskylä"},
        "contact_name": "Kaisa Yhteys",
        "contact_email": _email("info"),
        "contact_phone": "+358 40 765 4321",
        "description": "Kotihoitoa Jyväskylässä.",
        "search_attributes": {"languages": ["finnish", "swedish"]},
        "site": {"lat": 62.2415, "lon": 25.7209, "code": "JKL1"},
        "admin": {"email": _email("admin"), "name": "Anna Admin"},
    }
    body.update(over)
    return body


def _register(fn, body: dict, ip: str | None = None):
    ev = event("POST", "/v1/providers", body=body)
    ev["requestContext"]["identity"]["sourceIp"] = ip or _ip()
    return call(fn("providers"), ev)


def _as(claims):
    return {"claims": claims}


def _get(fn, pid, claims):
    return call(fn("providers"), event("GET", f"/v1/providers/{pid}", claims=claims))


@pytest.fixture
def company(repos):
    """A fresh provider with two sites, and its admin's and user's claims."""
    pid, sites = new_provider(repos, sites=2)
    return pid, sites, provider_claims(pid, "provider_admin"), provider_claims(pid, "provider_user")


# ---------------------------------------------------------------- registration


def test_registration_creates_the_provider_its_site_and_its_admin(fn, repos, outbox, stack):
    body = _registration()
    status, headers, out = _register(fn, body)
    assert status == 201, out
    p = out["provider"]
    assert headers["location"] == f"/v1/providers/{p['id']}"
    assert p["status"] == "registered" and p["business_id"] == body["business_id"]
    assert p["search_attributes"] == {"languages": ["finnish", "swedish"]}
    assert p["contact_name"] == "Kaisa Yhteys"
    [site] = p["parts"]
    assert site["kind"] == "site" and site["name"] == body["name"] and site["address"]["city"] == "Jyväskylä"
    assert site["email"] == body["contact_email"] and site["code"] == "JKL1"
    assert p["obligations"]["status"] in ("ok", "documents_missing", "not_in_programme", "unknown")
    assert out["admin"]["email"] == body["admin"]["email"] and out["next_steps"]

    # the admin exists in the pool (group provider_admin) and as a user record, and can read the provider
    idp = boto3.client("cognito-idp", region_name=stack.region)
    groups = idp.admin_list_groups_for_user(UserPoolId=stack.env["USER_POOL_ID"], Username=body["admin"]["email"])
    assert [g["GroupName"] for g in groups["Groups"]] == ["provider_admin"]
    user = repos.users.get(p["id"], out["admin"]["subject"])
    assert user is not None and user.role == "provider_admin"
    claims = provider_claims(p["id"], "provider_admin", sub=out["admin"]["subject"])
    status, _, again = _get(fn, p["id"], claims)
    assert status == 200 and again["obligations"] == p["obligations"]
    assert repos.providers.by_business_id(body["business_id"]) == p["id"]

    to = {e.to[0]: e for e in outbox.sent}
    assert body["admin"]["email"] in to  # the invitation with the one-time password
    assert body["business_id"] in to[MUNICIPALITY_EMAIL].subject


def test_registration_defaults_and_business_id_forms(fn):
    raw = business_id()
    body = _registration(business_id=" " + raw.replace("-", "") + " ")
    body["site"] = {"name": "Toimipiste Keskusta", "lat": 62.24, "lon": 25.72, "email": "keskusta@testi.example"}
    status, _, out = _register(fn, body)
    assert status == 201, out
    assert out["provider"]["business_id"] == raw  # stored as 1234567-8
    assert out["provider"]["parts"][0]["name"] == "Toimipiste Keskusta"
    assert out["provider"]["parts"][0]["email"] == "keskusta@testi.example"


def test_a_registered_business_id_is_409_and_nothing_is_written(fn, stack):
    first = _registration()
    assert _register(fn, first)[0] == 201
    for bid in (first["business_id"], "2734561-5"):  # a fresh one, and a demo provider's
        second = _registration(business_id=bid)
        status, _, out = _register(fn, second)
        assert status == 409, out
        assert out["errors"] == [
            {"field": "body.business_id", "message": "already registered; ask your company's admin to add you"}
        ]
        idp = boto3.client("cognito-idp", region_name=stack.region)
        with pytest.raises(idp.exceptions.UserNotFoundException):
            idp.admin_get_user(UserPoolId=stack.env["USER_POOL_ID"], Username=second["admin"]["email"])


def test_the_business_id_guard_holds_even_when_the_index_lags(repos):
    """Two registrations racing past the index query: the guard item refuses the second one."""
    from datetime import UTC, datetime

    from seteli.domain.provider import Provider, ProviderPart
    from seteli.errors import Conflict

    pid, _ = new_provider(repos)
    taken = repos.providers.get(pid).business_id
    at = datetime.now(UTC)
    twin = Provider(id=f"{pid}-twin", name="Kaksonen Oy", business_id=taken, created_at=at, updated_at=at)
    site = ProviderPart(id=f"site-{pid}-twin", provider_id=twin.id, name="S", lat=62.2, lon=25.7)
    with pytest.raises(Conflict) as err:
        repos.providers.create(twin, [site])
    assert err.value.errors[0].field == "body.business_id"
    assert repos.providers.get(twin.id) is None and repos.providers.part(twin.id, site.id) is None


def test_a_taken_admin_email_is_409_before_anything_is_written(fn, repos):
    first = _registration()
    assert _register(fn, first)[0] == 201
    second = _registration(admin={"email": first["admin"]["email"].upper(), "name": "Toinen"})
    status, _, out = _register(fn, second)
    assert status == 409
    assert out["errors"][0]["field"] == "body.admin.email"
    assert repos.providers.by_business_id(second["business_id"]) is None


def test_a_failed_admin_invitation_leaves_no_provider(fn, repos):
    from seteli.adapters.identity import FakeIdentity, use_identity

    class Refusing(FakeIdentity):
        def create_user(self, *a, **k):
            raise RuntimeError("pool down")

    use_identity(Refusing())
    try:
        body = _registration()
        status, _, out = _register(fn, body)
    finally:
        use_identity(None)
    assert status == 500
    assert repos.providers.by_business_id(body["business_id"]) is None
    assert _register(fn, body)[0] == 201  # the business ID is free again


def test_bad_registration_fields_are_422_naming_the_field_without_the_value(fn):
    body = _registration(business_id="1234567-2")
    status, _, out = _register(fn, body)
    assert status == 422
    assert out["errors"][0]["field"] == "body.business_id" and "check digit" in out["errors"][0]["message"]
    assert "1234567-2" not in str(out)

    body = _registration()
    body["site"] = {"lat": 52.52, "lon": 13.40}  # Berlin
    status, _, out = _register(fn, body)
    assert status == 422 and {e["field"] for e in out["errors"]} == {"body.site.lat", "body.site.lon"}

    status, _, out = _register(fn, _registration(search_attributes={"pets": ["dogs"]}))
    assert status == 422 and out["errors"][0]["field"] == "body.search_attributes.pets"
    status, _, out = _register(fn, _registration(search_attributes={"languages": ["klingon"]}))
    assert status == 422 and out["errors"][0]["field"] == "body.search_attributes.languages"
    status, _, out = _register(fn, _registration(admin={"email": "not-an-email", "name": "X"}))
    assert status == 422 and out["errors"][0]["field"] == "body.admin.email"
    body = _registration()
    del body["site"]
    status, _, out = _register(fn, body)
    assert status == 422 and out["errors"][0]["field"] == "body.site"


def test_registrations_are_throttled_per_source_address(fn, monkeypatch):
    from seteli.services import providers

    monkeypatch.setattr(providers, "REGISTRATIONS_PER_WINDOW", 2)
    ip = _ip()
    unknown = {"search_attributes": {"pets": ["dogs"]}}  # refused later, but counted
    assert _register(fn, _registration(**unknown), ip)[0] == 422
    assert _register(fn, _registration(**unknown), ip)[0] == 422
    status, _, out = _register(fn, _registration(), ip)
    assert status == 429 and "try again" in out["detail"]
    assert _register(fn, _registration(), _ip())[0] == 201  # another address is not affected


# ---------------------------------------------------------------- the municipality's list


def test_municipality_lists_providers_by_name_in_pages(fn):
    seen: list[dict] = []
    cursor = None
    for _ in range(3):
        query = {"limit": "2", **({"next": cursor} if cursor else {})}
        status, _, page = call(fn("providers"), event("GET", "/v1/providers", query=query, as_group="case_worker"))
        assert status == 200, page
        assert len(page["items"]) == 2
        seen += page["items"]
        cursor = page["next"]
        assert cursor
    order = [f"{p['name'].casefold()}#{p['id']}" for p in seen]  # as gsi2 sorts them
    assert order == sorted(order) and len({p["id"] for p in seen}) == 6
    status, _, page = call(
        fn("providers"), event("GET", "/v1/providers", query={"limit": "100"}, as_group="case_worker")
    )
    demo = {p["id"]: p for p in page["items"]}
    assert demo["prv-aurinkohoiva"]["status"] == "active"  # approved in the demo data


def test_the_list_shows_the_obligations_status(fn):
    status, _, out = _register(fn, _registration(name="AAAA Ensimmäinen Oy"))
    pid = out["provider"]["id"]
    status, _, page = call(
        fn("providers"), event("GET", "/v1/providers", query={"limit": "100"}, as_group="municipality_admin")
    )
    row = next(p for p in page["items"] if p["id"] == pid)
    assert row["obligations_status"] == out["provider"]["obligations"]["status"]
    assert row["obligations_checked_at"]


def test_only_municipality_users_list_providers_and_a_forged_cursor_is_422(fn):
    for group in ("provider_admin", "provider_user", "citizen"):
        status, _, _ = call(fn("providers"), event("GET", "/v1/providers", as_group=group))
        assert status == 403, group
    status, _, out = call(
        fn("providers"), event("GET", "/v1/providers", query={"next": "AAAA"}, as_group="case_worker")
    )
    assert status == 422 and out["errors"][0]["field"] == "query.next"


# ---------------------------------------------------------------- company data


def test_admin_changes_company_data_with_the_version_read(fn, company):
    pid, _, admin, user = company
    _, _, p = _get(fn, pid, admin)
    body = {
        "version": p["version"],
        "name": "Uusi Nimi Oy",
        "contact_name": "Pekka Yhteys",
        "description": None,
        "search_attributes": {"specialities": ["memory-disorders", "memory-disorders"]},
    }
    status, _, out = call(fn("providers"), event("PATCH", f"/v1/providers/{pid}", body=body, claims=admin))
    assert status == 200, out
    assert out["name"] == "Uusi Nimi Oy" and out["contact_name"] == "Pekka Yhteys" and out["description"] is None
    assert out["search_attributes"] == {"specialities": ["memory-disorders"]}
    assert out["version"] == p["version"] + 1

    status, _, out = call(fn("providers"), event("PATCH", f"/v1/providers/{pid}", body=body, claims=admin))
    assert status == 409 and out["errors"][0]["field"] == "body.version"


def test_company_data_refusals(fn, company, repos):
    pid, _, admin, user = company
    other, _ = new_provider(repos)
    v = _get(fn, pid, admin)[2]["version"]
    patch = f"/v1/providers/{pid}"
    for claims in (user, provider_claims(other, "provider_admin"), claims_for("case_worker"), claims_for("citizen")):
        status, _, _ = call(fn("providers"), event("PATCH", patch, body={"version": v, "name": "X"}, claims=claims))
        assert status == 403
    status, _, out = call(
        fn("providers"), event("PATCH", patch, body={"version": v, "business_id": "1234567-8"}, claims=admin)
    )
    assert status == 422 and out["errors"][0]["field"] == "body.business_id"
    body = {"version": v, "search_attributes": {"languages": ["finnish"], "pets": ["cats"]}}
    status, _, out = call(fn("providers"), event("PATCH", patch, body=body, claims=admin))
    assert status == 422 and [e["field"] for e in out["errors"]] == ["body.search_attributes.pets"]
    status, _, out = call(fn("providers"), event("PATCH", patch, body={"version": v, "name": None}, claims=admin))
    assert status == 422 and out["errors"][0]["field"] == "body.name"


def test_a_passive_admin_may_no_longer_change_data(fn, repos):
    from seteli.adapters.identity import identity
    from seteli.services.users import invite_user

    pid, _ = new_provider(repos)
    admin = invite_user(repos, identity(), provider_id=pid, email=_email(), name="A", role="provider_admin")
    repos.users.update(admin.model_copy(update={"active": False}))
    claims = provider_claims(pid, "provider_admin", sub=admin.subject)
    v = _get(fn, pid, claims)[2]["version"]
    status, _, out = call(
        fn("providers"), event("PATCH", f"/v1/providers/{pid}", body={"version": v, "name": "X"}, claims=claims)
    )
    assert status == 403 and "no longer" in out["detail"]


def test_provider_users_read_everything_of_their_own_provider_only(fn, company):
    pid, _, admin, user = company
    status, _, p = _get(fn, pid, user)
    assert status == 200
    assert {"billing", "obligations", "parts", "subcontractors", "search_attributes", "status"} <= set(p)
    status, _, out = _get(fn, "prv-aurinkohoiva", user)
    assert status == 403


# ---------------------------------------------------------------- billing


def test_billing_is_set_validated_and_the_municipality_is_told(fn, company, outbox, repos):
    pid, sites, admin, user = company
    body = {"iban": IBAN, "bic": "ndeafihh", "billing_email": "laskut@testi.example", "reference_info": "Seteli"}
    status, _, out = call(fn("providers"), event("PUT", f"/v1/providers/{pid}/billing", body=body, claims=admin))
    assert status == 200, out
    b = out["billing"]
    assert b["iban"] == IBAN_GROUPS and b["bic"] == "NDEAFIHH" and b["send_payment_pdf"] is True
    [mail] = [e for e in outbox.sent if e.to == (MUNICIPALITY_EMAIL,)]
    assert "FI21 1234 5600 0007 85" not in mail.text and "FI** **** **** **07 85" in mail.text
    assert repos.providers.get(pid).billing.iban == "FI2112345600000785"

    stale = {**body, "version": out["version"] - 1}
    status, _, err = call(fn("providers"), event("PUT", f"/v1/providers/{pid}/billing", body=stale, claims=admin))
    assert status == 409 and err["errors"][0]["field"] == "body.version"

    bad = {**body, "iban": "FI21 1234 5600 0007 86", "bic": "NDEA"}
    status, _, err = call(fn("providers"), event("PUT", f"/v1/providers/{pid}/billing", body=bad, claims=admin))
    assert status == 422
    assert {e["field"] for e in err["errors"]} == {"body.iban", "body.bic"}
    assert "0007 86" not in str(err)

    for claims in (user, claims_for("case_worker"), provider_claims("prv-aurinkohoiva")):
        status, _, _ = call(fn("providers"), event("PUT", f"/v1/providers/{pid}/billing", body=body, claims=claims))
        assert status == 403


def test_a_site_has_its_own_billing_which_wins(fn, company, outbox, repos):
    from seteli.rules.providers import billing_for

    pid, sites, admin, _ = company
    company_billing = {"iban": IBAN, "bic": "NDEAFIHH", "billing_email": "laskut@testi.example"}
    call(fn("providers"), event("PUT", f"/v1/providers/{pid}/billing", body=company_billing, claims=admin))
    site_billing = {
        "iban": "FI64 1234 5600 0000 11",
        "bic": "OKOYFIHH",
        "billing_email": "site@testi.example",
        "send_payment_pdf": False,
    }
    path = f"/v1/providers/{pid}/parts/{sites[0]}/billing"
    status, _, part = call(fn("providers"), event("PUT", path, body=site_billing, claims=admin))
    assert status == 200, part
    assert part["billing"]["iban"] == "FI64 1234 5600 0000 11" and part["billing"]["send_payment_pdf"] is False
    provider = repos.providers.get(pid)
    parts = {p.id: p for p in repos.providers.parts(pid)}
    assert billing_for(provider, parts[sites[0]]).bic == "OKOYFIHH"
    assert billing_for(provider, parts[sites[1]]).bic == "NDEAFIHH"
    assert any("Toimipaikka 1" in e.subject for e in outbox.sent if e.to == (MUNICIPALITY_EMAIL,))

    status, _, part = call(fn("providers"), event("DELETE", path, claims=admin))
    assert status == 200 and part["billing"] is None
    status, _, _ = call(fn("providers"), event("DELETE", path, claims=admin))
    assert status == 404

    unit = _add_part(fn, pid, admin, kind="unit", name="Yksikkö A", site_id=sites[0])[2]
    status, _, err = call(
        fn("providers"),
        event("PUT", f"/v1/providers/{pid}/parts/{unit['id']}/billing", body=site_billing, claims=admin),
    )
    assert status == 422 and err["errors"][0]["field"] == "path.part_id"


# ---------------------------------------------------------------- parts


def _add_part(fn, pid, claims, **body):
    return call(fn("providers"), event("POST", f"/v1/providers/{pid}/parts", body=body, claims=claims))


SITE = {
    "kind": "site",
    "name": "Toimipaikka Keskusta",
    "address": {"street": "Kauppakatu 5", "postal_code": "40100", "city": "Jyväskylä"},
    "lat": 62.2426,
    "lon": 25.7473,
    "email": "keskusta@testi.example",
    "code": "K1",
}


def test_parts_sites_units_and_employees(fn, company):
    pid, sites, admin, user = company
    status, headers, site = _add_part(fn, pid, admin, **SITE)
    assert status == 201, site
    assert headers["location"].endswith(site["id"]) and site["active"] and site["version"] == 1
    status, _, unit = _add_part(fn, pid, admin, kind="unit", name="Muistiyksikkö", site_id=site["id"])
    assert status == 201 and unit["site_id"] == site["id"]
    status, _, emp = _add_part(fn, pid, admin, kind="employee", name="Hanna Hoitaja", email="hanna@testi.example")
    assert status == 201 and emp["kind"] == "employee"

    status, _, page = call(fn("providers"), event("GET", f"/v1/providers/{pid}/parts", claims=user))
    assert status == 200
    assert {p["id"] for p in page["items"]} == {*sites, site["id"], unit["id"], emp["id"]}

    status, _, err = _add_part(fn, pid, admin, kind="site", name="Ilman osoitetta")
    assert status == 422 and {e["field"] for e in err["errors"]} == {"body.address", "body.lat"}
    status, _, err = _add_part(fn, pid, admin, kind="unit", name="X", site_id=emp["id"])
    assert status == 422 and err["errors"][0]["field"] == "body.site_id"
    status, _, err = _add_part(fn, pid, admin, kind="unit", name="X", site_id="site-of-someone-else")
    assert status == 422 and err["errors"][0]["field"] == "body.site_id"
    status, _, err = _add_part(fn, pid, admin, **{**SITE, "lat": 48.85, "lon": 2.35})
    assert status == 422

    patch = f"/v1/providers/{pid}/parts/{unit['id']}"
    body = {"version": unit["version"], "name": "Muistiyksikkö B", "code": "M-B"}
    status, _, out = call(fn("providers"), event("PATCH", patch, body=body, claims=admin))
    assert status == 200 and out["name"] == "Muistiyksikkö B" and out["version"] == unit["version"] + 1
    status, _, err = call(fn("providers"), event("PATCH", patch, body=body, claims=admin))
    assert status == 409 and err["errors"][0]["field"] == "body.version"

    for claims in (user, claims_for("case_worker"), provider_claims("prv-aurinkohoiva")):
        assert _add_part(fn, pid, claims, **SITE)[0] == 403
        assert call(fn("providers"), event("PATCH", patch, body=body, claims=claims))[0] == 403
    status, _, _ = call(fn("providers"), event("GET", f"/v1/providers/{pid}/parts", as_group="provider_user"))
    assert status == 403


def test_the_last_active_site_cannot_be_passivated(fn, company):
    pid, sites, admin, _ = company
    parts = {
        p["id"]: p for p in call(fn("providers"), event("GET", f"/v1/providers/{pid}/parts", claims=admin))[2]["items"]
    }
    first, second = (parts[s] for s in sites)
    status, _, out = call(
        fn("providers"),
        event(
            "PATCH",
            f"/v1/providers/{pid}/parts/{first['id']}",
            body={"version": first["version"], "active": False},
            claims=admin,
        ),
    )
    assert status == 200 and out["active"] is False
    status, _, err = call(
        fn("providers"),
        event(
            "PATCH",
            f"/v1/providers/{pid}/parts/{second['id']}",
            body={"version": second["version"], "active": False},
            claims=admin,
        ),
    )
    assert status == 409 and err["errors"][0]["field"] == "body.active"
    # a unit cannot be put on a passive site
    status, _, err = _add_part(fn, pid, admin, kind="unit", name="Y", site_id=first["id"])
    assert status == 422 and err["errors"][0]["field"] == "body.site_id"


def test_passivating_a_site_while_another_changes_is_a_conflict(repos, company):
    """The other active sites are condition-checked at the versions read: no race leaves zero sites."""
    from seteli.errors import Conflict

    pid, sites, _, _ = company
    parts = {p.id: p for p in repos.providers.parts(pid)}
    a, b = parts[sites[0]], parts[sites[1]]
    repos.providers.update_part(b.model_copy(update={"code": "changed"}))  # b moves on meanwhile
    with pytest.raises(Conflict):
        repos.providers.update_part(a.model_copy(update={"active": False}), unchanged=[b])
    assert repos.providers.part(pid, a.id).active


# ---------------------------------------------------------------- subcontractors


def test_subcontractors(fn, company):
    pid, _, admin, user = company
    path = f"/v1/providers/{pid}/subcontractors"
    bid = business_id()
    body = {"name": "Alihankinta Oy", "business_id": bid.replace("-", ""), "contact_email": "ali@testi.example"}
    status, headers, sub = call(fn("providers"), event("POST", path, body=body, claims=admin))
    assert status == 201, sub
    assert sub["business_id"] == bid and headers["location"].endswith(sub["id"])
    status, _, err = call(fn("providers"), event("POST", path, body=body, claims=admin))
    assert status == 409 and err["errors"][0]["field"] == "body.business_id"
    status, _, err = call(fn("providers"), event("POST", path, body={**body, "business_id": "1234567-2"}, claims=admin))
    assert status == 422 and err["errors"][0]["field"] == "body.business_id"

    status, _, page = call(fn("providers"), event("GET", path, claims=user))
    assert status == 200 and [s["id"] for s in page["items"]] == [sub["id"]]
    status, _, p = _get(fn, pid, user)
    assert [s["id"] for s in p["subcontractors"]] == [sub["id"]]

    patch = f"{path}/{sub['id']}"
    status, _, out = call(
        fn("providers"), event("PATCH", patch, body={"version": sub["version"], "active": False}, claims=admin)
    )
    assert status == 200 and out["active"] is False
    status, _, err = call(
        fn("providers"), event("PATCH", patch, body={"version": sub["version"], "name": "Y"}, claims=admin)
    )
    assert status == 409
    for claims in (user, claims_for("municipality_admin"), provider_claims("prv-aurinkohoiva")):
        assert call(fn("providers"), event("POST", path, body=body, claims=claims))[0] == 403
    assert call(fn("providers"), event("GET", path, as_group="citizen"))[0] == 403


# ---------------------------------------------------------------- obligations


def test_obligations_check_refreshes_and_shows_everywhere(fn, company, repos):
    from seteli.adapters.obligations import FakeRegister, use_register

    pid, _, admin, user = company
    bid = repos.providers.get(pid).business_id
    check = f"/v1/providers/{pid}/obligations-check"
    status, _, err = call(fn("providers"), event("GET", f"/v1/providers/{pid}/obligations", claims=user))
    assert status == 404  # made by the factory: never checked
    use_register(FakeRegister({bid: "documents_missing"}))
    try:
        status, _, out = call(fn("providers"), event("POST", check, as_group="case_worker"))
        assert status == 200 and out["status"] == "documents_missing" and out["details"]
        status, _, out = call(fn("providers"), event("POST", check, claims=admin))
        assert status == 200
    finally:
        use_register(None)
    status, _, p = _get(fn, pid, user)
    assert p["obligations"]["status"] == "documents_missing"
    status, _, page = call(
        fn("providers"), event("GET", "/v1/providers", query={"limit": "100"}, as_group="case_worker")
    )
    rows = [r for r in page["items"] if r["id"] == pid]
    assert not rows or rows[0]["obligations_status"] == "documents_missing"
    for claims in (user, claims_for("citizen"), provider_claims("prv-aurinkohoiva")):
        assert call(fn("providers"), event("POST", check, claims=claims))[0] == 403
