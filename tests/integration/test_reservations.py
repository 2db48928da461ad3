"""Reservations and the providers' view of customers through the real handler on moto.

Entitlements, customers, approved applications and price lists are written straight through the
repositories (the grant endpoint is tested on its own); every test makes its own providers,
customers and decision numbers, and its own source address (the failure throttle counts per
source as well as per provider).
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from seteli.rules.entitlements import state
from tests.factories import approve, approved_price_list, new_provider, provider_claims
from tests.integration.apigw import call, claims_for, event

AT = datetime(2026, 1, 2, 9, tzinfo=UTC)
SERVICE = "home-care"
WEEKDAY, EVENING = "home-care-weekday", "home-care-evening"
ERRANDS = "errand-help"
HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def personal_id(rng: random.Random | None = None) -> str:
    """A random syntactically valid henkilötunnus (check character computed; not a real person)."""
    rng = rng or random.Random()
    d, m, y, n = rng.randint(1, 28), rng.randint(1, 12), rng.randint(0, 99), rng.randint(2, 899)
    digits = f"{d:02d}{m:02d}{y:02d}{n:03d}"
    return f"{digits[:6]}-{digits[6:]}{HETU_CHECK[int(digits) % 31]}"


@pytest.fixture
def handler(fn):
    """The entitlements function, or (while app.py does not include this router yet) a local app
    built the same way with only this router."""
    from pathlib import Path

    app_py = Path(__file__).resolve().parents[2] / "functions" / "entitlements" / "app.py"
    if "entitlements_reservations" in app_py.read_text(encoding="utf-8"):
        return fn("entitlements")
    fn("entitlements")  # puts functions/entitlements on sys.path
    import entitlements_reservations

    from seteli.api.app import create_app, make_handler

    app = create_app("entitlements-test")
    app.include_router(entitlements_reservations.router)
    return make_handler(app)


@pytest.fixture
def repos(stack):
    from seteli.store import repositories

    return repositories()


class World:
    """One test's providers, customers and entitlements."""

    def __init__(self, handler, repos) -> None:
        self.handler, self.repos = handler, repos
        self.source = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"

    def call(self, method: str, path: str, claims: dict, body=None, query=None):
        ev = event(method, path, body=body, query=query, claims=claims)
        ev["requestContext"]["identity"]["sourceIp"] = self.source
        return call(self.handler, ev)

    # -- providers
    def provider(self, *, approved: bool = True, priced: bool = True, service: str = SERVICE, content: str = WEEKDAY):

        pid, sites = new_provider(self.repos)
        if approved:
            approve(self.repos, pid, service, sites)
        if priced:
            approved_price_list(self.repos, pid, service, {content: "31.50"}, date(2025, 1, 1))
        return pid, sites, provider_claims(pid, "provider_admin")

    # -- customers and entitlements
    def customer(self, last: str | None = None, first: str = "Aino", code: str | None = None):
        from seteli.config import settings
        from seteli.domain.entitlements import Customer
        from seteli.rules.customers import personal_id_hash, personal_id_secret

        code = code or personal_id()
        cid = f"cus-t{uuid.uuid4().hex[:10]}"
        last = last or f"Testinen{uuid.uuid4().hex[:6]}"
        self.repos.customers.create(
            Customer(
                id=cid,
                personal_id=code,
                personal_id_hash=personal_id_hash(code, personal_id_secret(settings())),
                first_names=first,
                last_name=last,
                home_municipality="Jyväskylä",
                created_at=AT,
                created_by="cw",
                updated_at=AT,
            )
        )
        return cid, code

    def entitlement(self, customer_id: str, *, kind: str = "voucher", **kw):
        from seteli.domain.entitlements import Balance, Entitlement, EntitlementRow

        number = f"T-{uuid.uuid4().hex[:8].upper()}"
        rows, balance = [], None
        if kind == "balance_voucher":
            balance = Balance.model_validate(
                {
                    "total_euros": "250.00",
                    "recurrence": "month",
                    "contents": [{"content_id": ERRANDS, "subsidy": "20.00"}],
                    "provider_ids": kw.pop("provider_ids", []),
                }
            )
        else:
            rows = [
                EntitlementRow(content_id=WEEKDAY, amount="10", period="week", unit_value="32.00"),
                EntitlementRow(content_id=EVENING, amount="4", period="month", unit_value="36.00"),
            ]
        args = dict(
            decision_number=number,
            kind=kind,
            customer_id=customer_id,
            service_id=ERRANDS if kind == "balance_voucher" else SERVICE,
            decision_date=date(2026, 1, 1),
            valid_from=date(2026, 1, 1),
            valid_until=date.today() + timedelta(days=200),
            home_municipality="Jyväskylä",
            rows=rows,
            balance=balance,
            verification_code=uuid.uuid4().hex[:10].upper(),
            citizen_code=uuid.uuid4().hex[:10].upper(),
            created_at=AT,
            created_by="cw",
            updated_at=AT,
        )
        args.update(kw)
        e = self.repos.entitlements.create(Entitlement(**args))
        return e

    def reserve(self, claims, e, code: str | None = "right", **kw):
        body = {
            "decision_number": e.decision_number,
            "content_id": kw.pop("content_id", ERRANDS if e.kind == "balance_voucher" else WEEKDAY),
            "accept_terms": True,
            **kw,
        }
        if code == "right":
            body["verification_code"] = e.verification_code
        elif code is not None:
            body["verification_code"] = code
        return self.call("POST", "/v1/reservations", claims, body=body)


@pytest.fixture
def w(handler, repos):
    return World(handler, repos)


def fields(body) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


# ---------------------------------------------------------------- reserving


def test_reserve_with_the_code_writes_reservation_and_relation(w):
    pid, sites, admin = w.provider()
    cid, _ = w.customer()
    e = w.entitlement(cid)
    status, headers, body = w.reserve(admin, e, part_id=sites[0], info="alkaa maanantaina")
    assert status == 201, body
    assert headers["location"] == f"/v1/reservations/{e.decision_number}"
    assert body["provider_id"] == pid and body["part_id"] == sites[0] and body["content_id"] == WEEKDAY
    assert body["customer_id"] == cid and body["accepted_terms"] is True and body["version"] == 1
    relation = w.repos.provider_customers.get(pid, cid)
    assert relation.has_open_reservation and relation.reserved_until == e.valid_until
    assert relation.name_key.startswith(w.repos.customers.get(cid).last_name.casefold())
    stored = w.repos.entitlements.get(e.decision_number)
    assert stored.version == e.version + 1 and stored.used is False  # `used` is for charged events
    assert stored.reserved_by == [pid] and str(state(stored, stored.valid_from)) == "open"
    assert str(state(e, e.valid_from)) == "granted"
    status, _, listed = w.call("GET", "/v1/reservations", admin)
    assert status == 200 and [r["decision_number"] for r in listed["items"]] == [e.decision_number]


def test_wrong_code_and_unknown_number_are_the_same_answer_and_count(w):
    pid, _, admin = w.provider()
    cid, _ = w.customer()
    e = w.entitlement(cid)
    s1, _, wrong = w.reserve(admin, e, code="WRONG12345")
    s2, _, unknown = w.reserve(admin, e.model_copy(update={"decision_number": "NO-SUCH-1"}))
    s3, _, nocode = w.reserve(admin, e, code=None)
    assert s1 == s2 == s3 == 404
    assert wrong["detail"] == unknown["detail"] == nocode["detail"]
    assert wrong["errors"] == unknown["errors"]
    assert "verification code" in wrong["detail"]
    from seteli.store import keys
    from seteli.store.throttle import ThrottleItem, who_key

    rows = list(ThrottleItem.query(keys.throttle_pk("reserve-provider", who_key(pid))))
    assert sum(int(r.hits) for r in rows) == 3


def test_throttled_after_too_many_failures_even_with_the_right_code(w, monkeypatch):
    from seteli.services import reservations as svc

    monkeypatch.setattr(svc, "FAILURES_PER_PROVIDER", 3)
    _, _, admin = w.provider()
    cid, _ = w.customer()
    e = w.entitlement(cid)
    assert w.reserve(admin, e)[0] == 201  # a success does not count
    other = w.entitlement(cid)
    for _ in range(3):
        assert w.reserve(admin, other, code="GUESS00000")[0] == 404
    status, _, body = w.reserve(admin, other)
    assert status == 429 and "try again" in body["detail"]
    # another provider from another address is not affected
    _, _, admin2 = w.provider()
    w.source = "192.0.2.77"
    assert w.reserve(admin2, other)[0] == 201


def test_named_provider_reserves_without_the_code(w):
    pid, _, admin = w.provider()
    _, _, other_admin = w.provider()
    cid, _ = w.customer()
    e = w.entitlement(cid, named_provider_id=pid)
    assert w.reserve(other_admin, e, code=None)[0] == 404
    status, _, body = w.reserve(admin, e, code=None)
    assert status == 201 and body["provider_id"] == pid


def test_not_approved_no_price_closed_and_bad_content_or_part(w):
    cid, _ = w.customer()
    _, _, not_approved = w.provider(approved=False)
    e = w.entitlement(cid)
    status, _, body = w.reserve(not_approved, e)
    assert status == 409 and fields(body) == ["body.decision_number"] and SERVICE in body["detail"]

    _, _, unpriced = w.provider(priced=False)
    status, _, body = w.reserve(unpriced, e)
    assert status == 409 and fields(body) == ["body.content_id"] and "price list" in body["detail"]

    pid, sites, admin = w.provider()  # prices weekday only
    status, _, body = w.reserve(admin, e, content_id=EVENING)
    assert status == 409 and fields(body) == ["body.content_id"]
    status, _, body = w.reserve(admin, e, content_id="care-day")
    assert status == 422 and fields(body) == ["body.content_id"]
    status, _, body = w.reserve(admin, e, part_id="site-not-ours")
    assert status == 422 and fields(body) == ["body.part_id"]
    status, _, body = w.reserve(admin, e, accept_terms=False)
    assert status == 422 and fields(body) == ["body.accept_terms"]

    closed = w.entitlement(cid, closed_on=date.today() - timedelta(days=1), closed_reason="test")
    status, _, body = w.reserve(admin, closed)
    assert status == 409 and "closed" in body["detail"]
    ended = w.entitlement(cid, valid_until=date.today() - timedelta(days=1))
    assert w.reserve(admin, ended)[0] == 409
    assert w.repos.entitlements.with_reservations(e.decision_number)[1] == []  # nothing written


def test_a_voucher_is_reserved_once(w):
    _, _, first = w.provider()
    _, _, second = w.provider()
    cid, _ = w.customer()
    e = w.entitlement(cid)
    assert w.reserve(first, e)[0] == 201
    status, _, body = w.reserve(second, e)
    assert status == 409 and "already reserved by another provider" in body["detail"]
    status, _, body = w.reserve(first, e)
    assert status == 409 and "by you" in body["detail"]


def test_balance_voucher_by_two_providers_and_only_named_ones(w):
    a, _, admin_a = w.provider(service=ERRANDS, content=ERRANDS)
    b, _, admin_b = w.provider(service=ERRANDS, content=ERRANDS)
    _, _, admin_c = w.provider(service=ERRANDS, content=ERRANDS)
    cid, _ = w.customer()
    e = w.entitlement(cid, kind="balance_voucher")
    assert w.reserve(admin_a, e)[0] == 201
    assert w.reserve(admin_b, e)[0] == 201
    assert w.reserve(admin_a, e)[0] == 409
    assert {r.provider_id for r in w.repos.entitlements.with_reservations(e.decision_number)[1]} == {a, b}
    named = w.entitlement(cid, kind="balance_voucher", provider_ids=[a])
    status, _, body = w.reserve(admin_c, named)
    assert status == 409 and "names" in body["detail"]
    assert w.reserve(admin_a, named)[0] == 201


def test_who_may_reserve(w):
    pid, _, admin = w.provider()
    other, _, _ = w.provider()
    cid, _ = w.customer()
    e = w.entitlement(cid)
    for group in ("case_worker", "municipality_admin", "citizen"):
        status, _, _ = w.reserve(claims_for(group), e)
        assert status == 403, group
    status, _, body = w.reserve(admin, e, provider_id=other)
    assert status == 403 and "own provider" in body["detail"]
    # the provider's API key (as the Lambda authorizer passes it) may reserve
    ev = event("POST", "/v1/reservations", body={"decision_number": e.decision_number, "accept_terms": True,
               "verification_code": e.verification_code, "content_id": WEEKDAY})  # fmt: skip
    ev["requestContext"]["identity"]["sourceIp"] = w.source
    ev["requestContext"]["authorizer"] = {"sub": "apikey:k1", "groups": "provider_admin", "provider_id": pid,
                                          "auth": "api_key", "key_id": "k1"}  # fmt: skip
    status, _, body = call(w.handler, ev)
    assert status == 201 and body["reserved_by"] == "apikey:k1"
    assert w.call("GET", "/v1/reservations", claims_for("case_worker"))[0] == 403


def test_provider_user_needs_the_service_team(w):
    from seteli.domain.users import ProviderUser

    pid, _, _ = w.provider()
    cid, _ = w.customer()
    e = w.entitlement(cid)
    sub = f"sub-{uuid.uuid4().hex[:8]}"
    user = dict(provider_id=pid, subject=sub, email=f"{sub}@x.example", name="Hoitaja", role="provider_user")
    w.repos.users.create(ProviderUser(**user, teams=["assisted-living"], created_at=AT, updated_at=AT))
    claims = provider_claims(pid, "provider_user", sub=sub)
    status, _, body = w.reserve(claims, e)
    assert status == 403 and SERVICE in body["detail"]
    member = f"sub-{uuid.uuid4().hex[:8]}"
    user.update(subject=member, email=f"{member}@x.example")
    w.repos.users.create(ProviderUser(**user, teams=[SERVICE], created_at=AT, updated_at=AT))
    assert w.reserve(provider_claims(pid, "provider_user", sub=member), e)[0] == 201


def test_cancel_own_reservation_frees_the_voucher(w):
    pid, _, admin = w.provider()
    second_pid, _, second = w.provider()
    cid, _ = w.customer()
    e = w.entitlement(cid)
    _, _, r = w.reserve(admin, e)
    path = f"/v1/reservations/{e.decision_number}"
    assert w.call("DELETE", path, second, query={"version": "1"})[0] == 404
    assert w.call("DELETE", path, admin, query={"version": "7"})[0] == 409
    status, _, body = w.call("DELETE", path, admin, query={"version": str(r["version"])})
    assert status == 200 and body["cancelled_at"] is not None
    assert not w.repos.provider_customers.get(pid, cid).has_open_reservation
    assert w.repos.entitlements.get(e.decision_number).reserved_by == []
    assert w.reserve(second, e)[0] == 201
    assert w.repos.entitlements.get(e.decision_number).reserved_by == [second_pid]
    _, _, listed = w.call("GET", "/v1/reservations", admin, query={"include_cancelled": "true"})
    assert [x["cancelled_at"] is not None for x in listed["items"]] == [True]
    assert w.call("GET", "/v1/reservations", admin)[2]["items"] == []


# ---------------------------------------------------------------- customers as providers see them


def test_provider_finds_only_its_own_customers(w):
    pid, _, admin = w.provider()
    _, _, other_admin = w.provider()
    last = f"Hakunen{uuid.uuid4().hex[:6]}"
    cid, code = w.customer(last=last, first="Helmi Sofia")
    e = w.entitlement(cid)
    assert w.reserve(admin, e)[0] == 201

    status, _, body = w.call("GET", "/v1/customers", admin, query={"q": f"helmi {last[:9]}"})
    assert status == 200
    (found,) = body["items"]
    assert found["id"] == cid and found["home_municipality"] == "Jyväskylä" and found["personal_id"] is None
    assert [x["decision_number"] for x in found["entitlements"]] == [e.decision_number]
    assert found["entitlements"][0]["state"] == "open"

    status, _, body = w.call("GET", "/v1/customers", admin, query={"q": e.decision_number})
    assert status == 200 and [x["id"] for x in body["items"]] == [cid]

    # another provider: empty, not 403, by name, decision number and personal ID
    for q in (last, e.decision_number):
        status, _, body = w.call("GET", "/v1/customers", other_admin, query={"q": q})
        assert status == 200 and body["items"] == []
    status, _, body = w.call("POST", "/v1/customers/lookup", other_admin, body={"personal_id": code})
    assert status == 200 and body["items"] == []

    status, _, body = w.call("POST", "/v1/customers/lookup", admin, body={"personal_id": code})
    assert status == 200 and body["items"][0]["id"] == cid and body["items"][0]["personal_id"] == code


def test_personal_ids_never_in_a_url_nor_echoed(w):
    _, _, admin = w.provider()
    code = personal_id()
    status, _, body = w.call("GET", "/v1/customers", admin, query={"q": code})
    assert status == 422 and fields(body) == ["query.q"] and "lookup" in body["detail"]
    assert code not in str(body)
    bad = code[:-1] + ("A" if code[-1] != "A" else "B")
    status, _, body = w.call("POST", "/v1/customers/lookup", admin, body={"personal_id": bad})
    assert status == 422 and fields(body) == ["body.personal_id"] and bad not in str(body)


def test_three_year_rule_and_expired_reservations(w):
    from seteli.domain.entitlements import ProviderCustomer

    pid, _, admin = w.provider()
    today = date.today()
    seen = {}
    cases = {
        "recent": {"last_event_on": today - timedelta(days=365 * 3 - 5)},
        "old": {"last_event_on": today - timedelta(days=365 * 3 + 5)},
        "expired": {"has_open_reservation": True, "reserved_until": today - timedelta(days=1)},
    }
    last = f"Kolmivuo{uuid.uuid4().hex[:6]}"
    for label, kw in cases.items():
        cid, _ = w.customer(last=last, first=label.capitalize())
        w.repos.provider_customers.save(
            ProviderCustomer(
                provider_id=pid, customer_id=cid, name_key=f"{last} {label}".casefold(), updated_at=AT, **kw
            )
        )
        seen[cid] = label
    _, _, body = w.call("GET", "/v1/customers", admin, query={"q": last})
    assert [seen[x["id"]] for x in body["items"]] == ["recent"]


def test_customer_number(w):
    pid, _, admin = w.provider()
    _, _, other_admin = w.provider()
    cid, _ = w.customer()
    e = w.entitlement(cid)
    w.reserve(admin, e)
    path = f"/v1/customers/{cid}/number"
    status, _, body = w.call("PUT", path, admin, body={"customer_number": "A-1001"})
    assert status == 200 and body["customer_number"] == "A-1001"
    version = body["version"]
    assert w.call("PUT", path, admin, body={"customer_number": "A-1002", "version": version - 1})[0] == 409
    status, _, body = w.call("PUT", path, admin, body={"customer_number": "A-1002", "version": version})
    assert status == 200 and body["customer_number"] == "A-1002"
    assert w.repos.provider_customers.get(pid, cid).customer_number == "A-1002"
    assert w.call("PUT", path, other_admin, body={"customer_number": "X"})[0] == 404
    assert w.call("PUT", path, claims_for("case_worker"), body={"customer_number": "X"})[0] == 403
    _, _, body = w.call("GET", "/v1/customers", admin, query={"q": e.decision_number})
    assert body["items"][0]["customer_number"] == "A-1002"


def test_municipality_searches_all_customers_by_name(w):
    last = f"Kuntala{uuid.uuid4().hex[:6]}"
    cid, _ = w.customer(last=last, first="Eino")
    status, _, body = w.call("GET", "/v1/customers", claims_for("case_worker"), query={"q": f"{last} eino"})
    assert status == 200 and [x["id"] for x in body["items"]] == [cid]
    assert body["items"][0]["personal_id"] is None
    assert w.call("GET", "/v1/customers", claims_for("citizen"), query={"q": last})[0] == 403
    assert w.call("POST", "/v1/customers/lookup", claims_for("case_worker"), body={"personal_id": "x"})[0] in (403, 422)
