"""The citizen's side through the real handlers on moto: /v1/me/entitlements with used and remaining,
proxies, and the citizen-code access without bank ID (POST /v1/public/entitlement-access)."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from tests.factories import new_provider, provider_claims
from tests.integration.apigw import call, claims_for, event

HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def hetu() -> str:
    """A random valid personal identity code (born in the 1900s, random individual number)."""
    d = date(1930, 1, 1) + timedelta(days=random.randint(0, 25000))
    ddmmyy, nnn = d.strftime("%d%m%y"), random.randint(100, 899)
    return f"{ddmmyy}-{nnn}{HETU_CHECK[int(f'{ddmmyy}{nnn}') % 31]}"


def new_customer(repos, first: str = "Aino Maria") -> tuple[str, str]:
    from seteli.domain.entitlements import Customer
    from seteli.rules.customers import personal_id_hash, personal_id_secret

    cid, pid, at = f"cus-t{uuid.uuid4().hex[:10]}", hetu(), datetime.now(UTC)
    repos.customers.create(
        Customer(
            id=cid,
            personal_id=pid,
            personal_id_hash=personal_id_hash(pid, personal_id_secret(repos.settings)),
            first_names=first,
            last_name="Testinen",
            created_at=at,
            created_by="test",
            updated_at=at,
        )
    )
    return cid, pid


def new_entitlement(repos, customer_id: str, *, balance: bool = False, code: str = "ABCD2345XY") -> str:
    from seteli.domain.entitlements import Balance, Entitlement, EntitlementRow

    number, at, today = f"T-{uuid.uuid4().hex[:10].upper()}", datetime.now(UTC), date.today()
    kw = (
        {
            "kind": "balance_voucher",
            "service_id": "errand-help",
            "balance": Balance(
                total_euros="250.00", recurrence="month", contents=[{"content_id": "errand-help", "subsidy": "20.00"}]
            ),
        }
        if balance
        else {
            "kind": "voucher",
            "service_id": "home-care",
            "rows": [EntitlementRow(content_id="home-care-weekday", amount="10", period="week", unit_value="32.00")],
        }
    )
    repos.entitlements.create(
        Entitlement(
            decision_number=number,
            customer_id=customer_id,
            decision_date=today - timedelta(days=20),
            valid_from=today - timedelta(days=14),
            valid_until=today + timedelta(days=300),
            home_municipality="Jyväskylä",
            verification_code="VERIFY7788",
            citizen_code=code,
            created_at=at,
            created_by="test",
            updated_at=at,
            **kw,
        )
    )
    return number


def citizen(sub: str | None = None, email: str | None = None) -> dict:
    c = claims_for("citizen")
    sub = sub or f"sub-{uuid.uuid4().hex}"
    c.update(sub=sub, email=email or f"{sub}@example.fi", **{"cognito:username": sub})
    return c


def citizen_user(email: str) -> str:
    """A citizen user in the (moto) pool; returns its sub."""
    from seteli.adapters.identity import identity

    return identity().create_user(email, "Relative", "citizen", None)


@pytest.fixture
def me(fn, stack):
    """A linked citizen with a voucher and a balance voucher."""
    from seteli.store import repositories

    repos = repositories()
    cid, pid = new_customer(repos)
    sub = f"sub-{uuid.uuid4().hex}"
    repos.citizens.link(sub, cid)
    voucher = new_entitlement(repos, cid)
    balance = new_entitlement(repos, cid, balance=True)
    return {"customer_id": cid, "personal_id": pid, "claims": citizen(sub), "voucher": voucher, "balance": balance}


def get(fn, path, claims, query=None):
    return call(fn("citizen"), event("GET", path, claims=claims, query=query))


def test_own_entitlements_with_used_and_remaining(fn, me, monkeypatch):
    from seteli.rules.usage import Charge
    from seteli.services import citizens

    today = date.today()
    monday = today - timedelta(days=today.weekday())

    def charged(repos, e):
        if e.kind == "voucher":
            return [Charge("home-care-weekday", monday, Decimal("6"))]
        return [Charge("errand-help", today, Decimal("3"))]

    monkeypatch.setattr(citizens, "charged_events", charged)
    status, headers, body = get(fn, "/v1/me/entitlements", me["claims"])
    assert status == 200, body
    by_number = {e["decision_number"]: e for e in body["items"]}
    assert set(by_number) == {me["voucher"], me["balance"]}
    v = by_number[me["voucher"]]
    assert v["service_name"] and v["kind"] == "voucher" and v["state"] in ("granted", "open")
    assert v["customer_first_name"] == "Aino" and v["customer_id"] == me["customer_id"]
    r = v["rows"][0]
    assert (r["granted"], r["used"], r["remaining"], r["remaining_euros"]) == ("10.00", "6.00", "4.00", "128.00")
    assert r["period"] == "week" and r["period_start"] == monday.isoformat() and r["content_name"]
    b = by_number[me["balance"]]["balance"]
    assert (b["total_euros"], b["used_euros"], b["remaining_euros"]) == ("250.00", "60.00", "190.00")
    text = json.dumps(body)
    for secret in (me["personal_id"], "VERIFY7788", "ABCD2345XY", "verification_code", "citizen_code"):
        assert secret not in text


def test_nothing_used_yet_without_events(fn, me):
    status, _, body = get(fn, "/v1/me/entitlements", me["claims"])
    assert status == 200
    rows = [r for e in body["items"] for r in e["rows"]]
    assert rows and all(r["used"] == "0.00" and r["remaining"] == r["granted"] for r in rows)


def test_a_sign_in_not_linked_is_a_404_naming_the_way_out(fn, stack):
    status, _, body = get(fn, "/v1/me/entitlements", citizen())
    assert status == 404 and "not linked to a customer" in body["detail"]
    status, _, body = call(fn("citizen"), event("POST", "/v1/me/proxies", body={"email": "x@y.fi"}, claims=citizen()))
    assert status == 404


@pytest.mark.parametrize("group", ["municipality_admin", "case_worker", "provider_admin", "provider_user"])
def test_only_citizens_have_a_me(fn, me, group):
    from seteli.store import repositories

    claims = claims_for(group)
    if group.startswith("provider"):
        claims = provider_claims(new_provider(repositories())[0], group)
    for path in ("/v1/me/entitlements", "/v1/me/proxies"):
        status, _, body = get(fn, path, claims, {"customer_id": me["customer_id"]} if "ent" in path else None)
        assert status == 403, (path, body)
        assert me["customer_id"] not in json.dumps(body)


def test_a_proxy_reads_the_customers_entitlements_and_no_one_elses(fn, me, stack):
    from seteli.store import repositories

    email = f"relative-{uuid.uuid4().hex[:8]}@example.fi"
    rel_sub = citizen_user(email)
    rel = citizen(rel_sub, email)
    # before the grant: 403, the same as for a customer that does not exist
    s1, _, b1 = get(fn, "/v1/me/entitlements", rel, {"customer_id": me["customer_id"]})
    s2, _, b2 = get(fn, "/v1/me/entitlements", rel, {"customer_id": "cus-nobody-at-all"})
    assert s1 == s2 == 403 and b1["detail"] == b2["detail"]

    status, _, grant = call(
        fn("citizen"), event("POST", "/v1/me/proxies", body={"email": email.upper()}, claims=me["claims"])
    )
    assert status == 201, grant
    assert grant["id"] == rel_sub and grant["email"] == email

    status, _, body = get(fn, "/v1/me/entitlements", rel, {"customer_id": me["customer_id"]})
    assert status == 200 and {e["decision_number"] for e in body["items"]} == {me["voucher"], me["balance"]}
    # another customer's: 403
    other, _ = new_customer(repositories())
    new_entitlement(repositories(), other)
    status, _, body = get(fn, "/v1/me/entitlements", rel, {"customer_id": other})
    assert status == 403
    # the relative is not linked themself: their own entitlements are a 404
    assert get(fn, "/v1/me/entitlements", rel)[0] == 404

    _, _, mine = get(fn, "/v1/me/proxies", me["claims"])
    assert [g["id"] for g in mine["acting_for_me"]] == [rel_sub] and mine["customer_id"] == me["customer_id"]
    _, _, theirs = get(fn, "/v1/me/proxies", rel)
    assert [c["customer_id"] for c in theirs["acts_for"]] == [me["customer_id"]] and theirs["acting_for_me"] == []
    # twice: 409
    status, _, body = call(fn("citizen"), event("POST", "/v1/me/proxies", body={"email": email}, claims=me["claims"]))
    assert status == 409 and body["errors"][0]["field"] == "body.email"

    # the customer revokes: the relative loses access
    status, _, _ = call(fn("citizen"), event("DELETE", f"/v1/me/proxies/{rel_sub}", claims=me["claims"]))
    assert status == 204
    assert get(fn, "/v1/me/entitlements", rel, {"customer_id": me["customer_id"]})[0] == 403
    assert get(fn, "/v1/me/proxies", me["claims"])[2]["acting_for_me"] == []
    assert call(fn("citizen"), event("DELETE", f"/v1/me/proxies/{rel_sub}", claims=me["claims"]))[0] == 404


def test_a_proxy_cannot_add_proxies_for_the_customer(fn, me, stack):
    from seteli.store import repositories

    email = f"relative-{uuid.uuid4().hex[:8]}@example.fi"
    rel_sub = citizen_user(email)
    repositories().citizens.grant_proxy(
        rel_sub, me["customer_id"], {"email": email, "valid_until": None, "granted_at": datetime.now(UTC).isoformat()}
    )
    third = f"third-{uuid.uuid4().hex[:8]}@example.fi"
    citizen_user(third)
    rel = citizen(rel_sub, email)
    # no way to name the customer in the body ...
    body = {"email": third, "customer_id": me["customer_id"]}
    status, _, problem = call(fn("citizen"), event("POST", "/v1/me/proxies", body=body, claims=rel))
    assert status == 422
    # ... and without it the grant would be for the relative's own customer, which they are not
    status, _, problem = call(fn("citizen"), event("POST", "/v1/me/proxies", body={"email": third}, claims=rel))
    assert status == 404
    assert [g["id"] for g in get(fn, "/v1/me/proxies", me["claims"])[2]["acting_for_me"]] == [rel_sub]
    # the relative may give up their own role (DELETE with the customer id)
    assert call(fn("citizen"), event("DELETE", f"/v1/me/proxies/{me['customer_id']}", claims=rel))[0] == 204
    assert get(fn, "/v1/me/proxies", me["claims"])[2]["acting_for_me"] == []


def test_an_expired_authorisation_grants_nothing(fn, me):
    from seteli.store import repositories

    rel_sub = f"sub-{uuid.uuid4().hex}"
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    repositories().citizens.grant_proxy(
        rel_sub, me["customer_id"], {"valid_until": yesterday, "granted_at": datetime.now(UTC).isoformat()}
    )
    assert get(fn, "/v1/me/entitlements", citizen(rel_sub), {"customer_id": me["customer_id"]})[0] == 403
    assert get(fn, "/v1/me/proxies", citizen(rel_sub))[2]["acts_for"] == []


def test_proxy_grants_are_validated(fn, me, stack):
    post = lambda body: call(fn("citizen"), event("POST", "/v1/me/proxies", body=body, claims=me["claims"]))  # noqa: E731
    status, _, body = post({"email": f"nobody-{uuid.uuid4().hex[:6]}@example.fi"})
    assert status == 422 and body["errors"][0]["field"] == "body.email"
    provider_email = f"pu-{uuid.uuid4().hex[:6]}@example.fi"
    from seteli.adapters.identity import identity

    identity().create_user(provider_email, "Hoitaja", "provider_user", "prv-x")
    assert post({"email": provider_email})[0] == 422  # not a citizen
    email = f"relative-{uuid.uuid4().hex[:8]}@example.fi"
    citizen_user(email)
    status, _, body = post({"email": email, "valid_until": "2020-01-01"})
    assert status == 422 and body["errors"][0]["field"] == "body.valid_until"
    assert post({"email": email, "valid_until": "01.01.2030"})[0] == 422


# ---------------------------------------------------------------- citizen code


def access(fn, number: str, code: str, ip: str):
    ev = event("POST", "/v1/public/entitlement-access", body={"decision_number": number, "citizen_code": code})
    ev["requestContext"]["identity"]["sourceIp"] = ip
    return call(fn("citizen"), ev)


def ip() -> str:
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def test_citizen_code_gives_the_view_and_a_token_for_that_entitlement(fn, me):
    from seteli.services.citizens import decision_number_of
    from seteli.store import repositories

    status, headers, body = access(fn, me["voucher"], "abcd-2345 xy", ip())
    assert status == 200, body
    e = body["entitlement"]
    assert e["decision_number"] == me["voucher"] and e["customer_first_name"] == "Aino"
    assert e["customer_id"] is None and e["rows"][0]["remaining"] == "10.00"
    assert decision_number_of(body["access_token"], repositories()) == me["voucher"]
    assert headers.get("cache-control") == "no-store"
    text = json.dumps(body)
    for secret in (me["personal_id"], "Testinen", "VERIFY7788", "ABCD2345XY", me["customer_id"]):
        assert secret not in text


def test_wrong_code_and_unknown_number_get_the_same_answer(fn, me):
    source = ip()
    s1, _, b1 = access(fn, me["voucher"], "WRONG00000", source)
    s2, _, b2 = access(fn, f"T-NOPE{uuid.uuid4().hex[:6]}", "ABCD2345XY", source)
    assert s1 == s2 == 404 and b1 == b2
    assert b1["detail"] == "no entitlement with this decision number and code"


def test_failed_guesses_are_throttled_per_number_and_per_source(fn, me):
    for i in range(5):
        assert access(fn, me["voucher"], f"WRONG{i:05d}", ip())[0] == 404
    status, _, body = access(fn, me["voucher"], "ABCD2345XY", ip())  # even the right code, from elsewhere
    assert status == 429, body
    # another entitlement from one address: 10 failures, then 429
    source = ip()
    for i in range(10):
        assert access(fn, f"T-X{i}{uuid.uuid4().hex[:6]}", "WRONG", source)[0] == 404
    assert access(fn, me["balance"], "ABCD2345XY", source)[0] == 429
    assert access(fn, me["balance"], "ABCD2345XY", ip())[0] == 200


def test_right_codes_do_not_use_up_the_attempts(fn, me):
    source = ip()
    for _ in range(7):
        assert access(fn, me["balance"], "ABCD2345XY", source)[0] == 200


def test_entitlement_access_body_is_validated(fn, stack):
    ev = event("POST", "/v1/public/entitlement-access", body={"decision_number": "X"})
    status, _, body = call(fn("citizen"), ev)
    assert status == 422 and body["errors"][0]["field"] == "body.citizen_code"
