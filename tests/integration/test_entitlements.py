"""The municipality's side of entitlements through the real handler on moto: customers, grants of
vouchers, balance vouchers and orders, reading, closing, death and the provider copy.

Every test makes its own customers, providers and decision numbers (the moto stack is shared). One
stack is one municipality (tenant): there is no second tenant to reach through it, so "another
tenant's data" cannot be asked for here at all; another provider's and a citizen's access are tested.
"""

from __future__ import annotations

import base64
import random
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.factories import approve, new_provider, provider_claims
from tests.integration.apigw import call, claims_for, event

AT = datetime(2026, 1, 2, 9, tzinfo=UTC)
HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
TODAY = date.today()
CW = claims_for("case_worker")
ADMIN = claims_for("municipality_admin")
CITIZEN = claims_for("citizen")


def personal_id(rng: random.Random | None = None) -> str:
    """A random syntactically valid henkilötunnus (check character computed; not a real person)."""
    rng = rng or random.Random()
    d, m, y, n = rng.randint(1, 28), rng.randint(1, 12), rng.randint(0, 99), rng.randint(2, 899)
    digits = f"{d:02d}{m:02d}{y:02d}{n:03d}"
    return f"{digits[:6]}-{digits[6:]}{HETU_CHECK[int(digits) % 31]}"


def number() -> str:
    return f"T-{uuid.uuid4().hex[:10].upper()}"


class Api:
    """Calls through the handler; remembers every answer so a test can check none leaks a code."""

    def __init__(self, handler) -> None:
        self.handler = handler
        self.bodies: list[str] = []

    def __call__(self, method: str, path: str, claims: dict | None = CW, body=None, query=None):
        status, headers, data = call(self.handler, event(method, path, body=body, query=query, claims=claims))
        self.bodies.append(str(data))
        return status, headers, data


@pytest.fixture
def api(fn):
    return Api(fn("entitlements"))


@pytest.fixture
def repos(stack):
    from seteli.store import repositories

    return repositories()


def add_customer(api: Api, code: str | None = None, **kw) -> tuple[dict, str]:
    code = code or personal_id()
    body = {
        "personal_id": code,
        "first_names": "Aino Maria",
        "last_name": f"Testinen{uuid.uuid4().hex[:6]}",
        "home_municipality": "Jyväskylä",
        "address": "Koulukatu 11 a 2",
        "postal_code": "40100",
        "city": "Jyväskylä",
        **kw,
    }
    status, _, c = api("POST", "/v1/customers", body=body)
    assert status == 201, c
    return c, code


def approved_provider(repos, service: str = "home-care", *, approved: bool = True) -> tuple[str, list[str]]:
    pid, sites = new_provider(repos)
    if approved:
        approve(repos, pid, service, sites)
    return pid, sites


def voucher(customer_id: str, **kw) -> dict:
    body = {
        "decision_number": number(),
        "customer_id": customer_id,
        "service_id": "home-care",
        "decision_date": (TODAY - timedelta(days=3)).isoformat(),
        "valid_from": (TODAY - timedelta(days=10)).isoformat(),
        "valid_until": (TODAY + timedelta(days=200)).isoformat(),
        "rows": [
            {"content_id": "home-care-weekday", "amount": "10.00", "period": "week", "unit_value": "32.00"},
            {"content_id": "home-care-evening", "amount": "7.50", "period": "month", "unit_value": "31.15"},
        ],
    }
    body.update(kw)
    return body


def balance_voucher(customer_id: str, **kw) -> dict:
    body = voucher(customer_id, kind="balance_voucher", service_id="errand-help", rows=[])
    body["balance"] = {
        "total_euros": "250.00",
        "recurrence": "month",
        "contents": [{"content_id": "errand-help", "subsidy": "20.00"}],
    }
    body.update(kw)
    return body


def fields(problem: dict) -> list[str]:
    return [e["field"] for e in problem.get("errors", [])]


# ---------------------------------------------------------------- customers


def test_customer_is_created_read_and_found_by_personal_id_in_a_body(api):
    c, code = add_customer(api, phone="040 123 4567")
    assert c["id"].startswith("cus-") and c["personal_id"] == code and c["version"] == 1
    assert c["name"].endswith("Aino Maria") and c["phone"] == "040 123 4567"
    status, _, got = api("GET", f"/v1/customers/{c['id']}", claims=ADMIN)
    assert status == 200 and got["id"] == c["id"]
    status, _, page = api("POST", "/v1/customers/search", body={"personal_id": code.lower()})
    assert status == 200 and [x["id"] for x in page["items"]] == [c["id"]]
    status, _, page = api("POST", "/v1/customers/search", body={"personal_id": personal_id()})
    assert status == 200 and page["items"] == []


def test_a_second_customer_with_the_same_personal_id_is_a_409_that_never_echoes_it(api):
    c, code = add_customer(api)
    status, _, problem = api("POST", "/v1/customers", body={"personal_id": code, "first_names": "B", "last_name": "C"})
    assert status == 409
    assert c["id"] in problem["detail"] and fields(problem) == ["body.personal_id"]
    assert code not in str(problem)


def test_two_case_workers_adding_the_same_person_at_once_make_one_customer(api, monkeypatch):
    """The first one's lookup saw nobody; the guard item written with the customer still says no."""
    from seteli.store.entitlements import CustomerRepository

    code = personal_id()
    real = CustomerRepository.by_personal_id_hash
    calls = []

    def late(self, digest):  # the second adder looked before the first had written
        calls.append(digest)
        return None if len(calls) == 1 else real(self, digest)

    first = api("POST", "/v1/customers", body={"personal_id": code, "first_names": "A", "last_name": "Eka"})
    assert first[0] == 201
    monkeypatch.setattr(CustomerRepository, "by_personal_id_hash", late)
    status, _, problem = api(
        "POST", "/v1/customers", body={"personal_id": code, "first_names": "A", "last_name": "Toka"}
    )
    assert status == 409 and first[2]["id"] in problem["detail"] and fields(problem) == ["body.personal_id"]
    assert code not in str(problem) and len(calls) == 2


def test_an_invalid_personal_id_is_a_422_without_the_value(api):
    bad = "131052-308A"  # wrong check character
    for method, path, body in (
        ("POST", "/v1/customers", {"personal_id": bad, "first_names": "A", "last_name": "B"}),
        ("POST", "/v1/customers/search", {"personal_id": bad}),
    ):
        status, _, problem = api(method, path, body=body)
        assert status == 422 and fields(problem) == ["body.personal_id"], problem
        assert bad not in str(problem) and "131052" not in str(problem)


def test_customers_are_the_municipalitys_only(api, repos):
    c, code = add_customer(api)
    pid, _ = new_provider(repos)
    for claims in (provider_claims(pid), CITIZEN):
        assert api("POST", "/v1/customers", claims=claims, body={"personal_id": personal_id(), "first_names": "A",
                   "last_name": "B"})[0] == 403  # fmt: skip
        assert api("GET", f"/v1/customers/{c['id']}", claims=claims)[0] == 403
        assert api("GET", "/v1/customers/cus-nobody", claims=claims)[0] == 403  # same answer: nothing revealed
        assert api("POST", "/v1/customers/search", claims=claims, body={"personal_id": code})[0] == 403
        assert api("GET", f"/v1/customers/{c['id']}/entitlements", claims=claims)[0] == 403
        assert api("PATCH", f"/v1/customers/{c['id']}", claims=claims, body={"phone": "1", "version": 1})[0] == 403
        death = {"died_on": TODAY.isoformat(), "version": 1}
        assert api("POST", f"/v1/customers/{c['id']}/death", claims=claims, body=death)[0] == 403
    assert api("GET", "/v1/customers/cus-nobody")[0] == 404


def test_patch_changes_details_refuses_the_personal_id_and_a_stale_version(api):
    c, code = add_customer(api)
    path = f"/v1/customers/{c['id']}"
    status, _, got = api("PATCH", path, body={"address": "Uusikatu 1", "phone": None, "version": c["version"]})
    assert status == 200 and got["address"] == "Uusikatu 1" and got["version"] == c["version"] + 1
    assert got["last_name"] == c["last_name"]
    status, _, problem = api("PATCH", path, body={"address": "Vanha 2", "version": c["version"]})
    assert status == 409 and fields(problem) == ["body.version"]
    status, _, problem = api("PATCH", path, body={"personal_id": personal_id(), "version": got["version"]})
    assert status == 422 and fields(problem) == ["body.personal_id"]
    status, _, problem = api("PATCH", path, body={"last_name": "  ", "version": got["version"]})
    assert status == 422 and fields(problem) == ["body.last_name"]
    assert api("GET", path)[2]["personal_id"] == code


# ---------------------------------------------------------------- grants


def test_case_worker_grants_a_voucher_with_codes_and_values(api):
    c, code = add_customer(api)
    body = voucher(c["id"])
    status, headers, e = api("POST", "/v1/entitlements", body=body)
    assert status == 201, e
    assert headers["location"] == f"/v1/entitlements/{body['decision_number']}"
    assert e["kind"] == "voucher" and e["state"] == "granted" and e["home_municipality"] == "Jyväskylä"
    assert len(e["verification_code"]) == 10 and len(e["citizen_code"]) == 10
    assert e["verification_code"] != e["citizen_code"]
    assert [(r["amount"], r["unit_value"], r["total_value"]) for r in e["rows"]] == [
        ("10.00", "32.00", "320.00"),
        ("7.50", "31.15", "233.63"),  # 233.625 half-up
    ]
    assert e["customer"]["personal_id"] == code and e["version"] == 1
    status, _, got = api("GET", f"/v1/entitlements/{body['decision_number']}", claims=ADMIN)
    assert status == 200 and got["verification_code"] == e["verification_code"]
    status, _, page = api("GET", f"/v1/customers/{c['id']}/entitlements")
    assert status == 200 and [x["decision_number"] for x in page["items"]] == [body["decision_number"]]


def test_unit_value_defaults_to_the_contents_voucher_value_and_validity_may_be_open_ended(api):
    c, _ = add_customer(api)
    body = voucher(c["id"], valid_until=None, rows=[{"content_id": "home-care-weekday", "amount": "20"}])
    status, _, e = api("POST", "/v1/entitlements", body=body)
    assert status == 201, e
    assert e["valid_until"] is None
    assert e["rows"] == [
        {"content_id": "home-care-weekday", "amount": "20.00", "period": "validity", "unit_value": "32.00",
         "total_value": "640.00"}
    ]  # fmt: skip


def test_a_duplicate_decision_number_is_a_409_naming_it(api):
    c, _ = add_customer(api)
    body = voucher(c["id"])
    assert api("POST", "/v1/entitlements", body=body)[0] == 201
    status, _, problem = api("POST", "/v1/entitlements", body={**body, "customer_id": c["id"]})
    assert status == 409 and fields(problem) == ["body.decision_number"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service_id": "no-such-service"}, "body.service_id"),
        ({"rows": [{"content_id": "cleaning", "amount": "1", "unit_value": "25.00"}]}, "body.rows[0].content_id"),
        ({"rows": [{"content_id": "home-care-weekday", "amount": "0"}]}, "body.rows[0].amount"),
        ({"rows": [{"content_id": "home-care-weekday", "amount": "-2"}]}, "body.rows[0].amount"),
        (
            {"rows": [{"content_id": "home-care-weekday", "amount": "1", "unit_value": "0.00"}]},
            "body.rows[0].unit_value",
        ),
        ({"rows": []}, "body.rows"),
        ({"rows": [{"content_id": "home-care-weekday", "amount": "1" * 40}]}, "body.rows.0.amount"),
        (
            {"rows": [{"content_id": "home-care-weekday", "amount": "1", "unit_value": "1e400"}]},
            "body.rows.0.unit_value",
        ),
        ({"decision_date": (TODAY + timedelta(days=1)).isoformat()}, "body.decision_date"),
        ({"valid_until": (TODAY - timedelta(days=30)).isoformat()}, "body.valid_until"),
        ({"customer_id": "cus-nobody"}, "body.customer_id"),
        ({"named_provider_id": "prv-nobody"}, "body.named_provider_id"),
        ({"kind": "balance_voucher"}, "body.kind"),
        ({"valid_from": "2026-02-30"}, "body.valid_from"),
        ({"rows": [{"content_id": "home-care-weekday", "amount": 1.5}]}, "body.rows.0.amount"),
    ],
)
def test_bad_grants_are_422_naming_the_field(api, change, field):
    c, code = add_customer(api)
    status, _, problem = api("POST", "/v1/entitlements", body={**voucher(c["id"]), **change})
    assert status == 422, problem
    assert field in fields(problem)
    assert code not in str(problem)


def test_only_municipality_users_grant(api, repos):
    c, _ = add_customer(api)
    pid, _ = new_provider(repos)
    for claims in (provider_claims(pid), provider_claims(pid, "provider_user"), CITIZEN):
        assert api("POST", "/v1/entitlements", claims=claims, body=voucher(c["id"]))[0] == 403
    assert api("POST", "/v1/entitlements", claims=None, body=voucher(c["id"]))[0] == 401


def test_balance_voucher_with_total_recurrence_contents_and_providers(api, repos):
    c, _ = add_customer(api)
    p1, _ = approved_provider(repos, "errand-help")
    p2, _ = approved_provider(repos, "errand-help")
    body = balance_voucher(c["id"])
    body["balance"]["provider_ids"] = [p1, p2]
    status, _, e = api("POST", "/v1/entitlements", body=body)
    assert status == 201, e
    assert e["balance"]["total_euros"] == "250.00" and e["balance"]["recurrence"] == "month"
    assert e["balance"]["contents"] == [{"content_id": "errand-help", "subsidy": "20.00"}]
    assert e["balance"]["provider_ids"] == [p1, p2] and e["rows"] == []
    # subsidy from the tenant when not given; units instead of euros
    body = balance_voucher(c["id"])
    body["balance"] = {"total_units": "12", "contents": [{"content_id": "errand-help"}]}
    status, _, e = api("POST", "/v1/entitlements", body=body)
    assert status == 201, e
    assert e["balance"]["total_units"] == "12.00" and e["balance"]["contents"][0]["subsidy"] == "20.00"


def test_balance_voucher_problems_name_their_fields(api):
    c, _ = add_customer(api)
    body = balance_voucher(c["id"])
    body["balance"] = {
        "total_euros": "250.00",
        "total_units": "10",
        "contents": [{"content_id": "errand-help"}, {"content_id": "errand-help", "subsidy": "0.00"}],
        "provider_ids": ["prv-nobody"],
    }
    status, _, problem = api("POST", "/v1/entitlements", body=body)
    assert status == 422
    assert {
        "body.balance.total_euros",
        "body.balance.contents[1].content_id",
        "body.balance.contents[1].subsidy",
        "body.balance.provider_ids[0]",
    } <= set(fields(problem))


def test_an_order_reserves_the_part_and_emails_the_decision_number(api, repos, outbox):
    c, code = add_customer(api, first_names="Aino Maria", last_name="Lehtonen")
    pid, sites = approved_provider(repos)
    part = repos.providers.part(pid, sites[0])
    repos.providers.update_part(part.model_copy(update={"email": f"toimipaikka@{pid}.example"}))
    body = voucher(c["id"], kind="order", named_provider_id=pid, named_part_id=sites[0])
    status, _, e = api("POST", "/v1/entitlements", body=body)
    assert status == 201, e
    no = body["decision_number"]
    assert e["state"] == "open" and e["reserved_by"] == [pid]
    assert e["reservations"][0]["by_municipality"] is True and e["reservations"][0]["part_id"] == sites[0]

    claims = provider_claims(pid)
    status, _, page = call(api.handler, event("GET", "/v1/reservations", claims=claims))
    assert status == 200
    mine = [r for r in page["items"] if r["decision_number"] == no]
    assert mine and mine[0]["by_municipality"] and mine[0]["content_id"] == "home-care-weekday"
    relation = repos.provider_customers.get(pid, c["id"])
    assert relation is not None and relation.has_open_reservation

    sent = [m for m in outbox.sent if no in m.subject]
    assert len(sent) == 1 and sent[0].to == (f"toimipaikka@{pid}.example",)
    text = sent[0].subject + sent[0].text
    assert no in text and "A. L." in text and "Kotihoito" in text
    assert code not in text and code[:6] not in text and "Lehtonen" not in text

    # the provider reads it: no codes, no personal ID, the name
    status, _, seen = api("GET", f"/v1/entitlements/{no}", claims=claims)
    assert status == 200
    assert seen["verification_code"] is None and seen["citizen_code"] is None
    assert seen["customer"]["personal_id"] is None and seen["customer"]["last_name"] == "Lehtonen"
    assert code not in str(seen)


def test_an_order_goes_to_the_company_email_when_the_part_has_none(api, repos, outbox):
    c, _ = add_customer(api)
    pid, sites = approved_provider(repos)
    body = voucher(c["id"], kind="order", named_provider_id=pid, named_part_id=sites[0])
    assert api("POST", "/v1/entitlements", body=body)[0] == 201
    sent = [m for m in outbox.sent if body["decision_number"] in m.subject]
    assert [m.to for m in sent] == [(f"info@{pid}.example",)]


def test_order_refusals(api, repos):
    c, _ = add_customer(api)
    pid, sites = approved_provider(repos)
    unapproved, others = approved_provider(repos, approved=False)
    status, _, problem = api("POST", "/v1/entitlements", body=voucher(c["id"], kind="order"))
    assert status == 422 and {"body.named_provider_id", "body.named_part_id"} <= set(fields(problem))
    body = voucher(c["id"], kind="order", named_provider_id=pid, named_part_id="site-nowhere")
    status, _, problem = api("POST", "/v1/entitlements", body=body)
    assert status == 422 and fields(problem) == ["body.named_part_id"]
    body = voucher(c["id"], kind="order", named_provider_id=unapproved, named_part_id=others[0])
    status, _, problem = api("POST", "/v1/entitlements", body=body)
    assert status == 409 and fields(problem) == ["body.named_provider_id"]
    body = voucher(c["id"], named_provider_id=pid, named_part_id=sites[0])  # a voucher names no part
    status, _, problem = api("POST", "/v1/entitlements", body=body)
    assert status == 422 and fields(problem) == ["body.named_part_id"]


def test_a_named_provider_reads_the_voucher_and_its_copy_and_others_get_404(api, repos):
    c, _ = add_customer(api)
    pid, _ = approved_provider(repos)
    other, _ = new_provider(repos)
    body = voucher(c["id"], named_provider_id=pid)
    status, _, e = api("POST", "/v1/entitlements", body=body)
    assert status == 201 and e["named_provider_id"] == pid
    no = body["decision_number"]
    assert api("GET", f"/v1/entitlements/{no}", claims=provider_claims(pid, "provider_admin"))[0] == 200
    assert api("GET", f"/v1/entitlements/{no}/provider-copy.pdf", claims=provider_claims(pid))[0] == 200
    for path in (f"/v1/entitlements/{no}", f"/v1/entitlements/{no}/provider-copy.pdf"):
        status, _, problem = api("GET", path, claims=provider_claims(other))
        assert status == 404
        unknown = api("GET", path.replace(no, "T-NOSUCHNUMBER"), claims=provider_claims(other))[2]
        assert unknown["detail"].replace("T-NOSUCHNUMBER", no) == problem["detail"]  # the same answer
        assert api("GET", path, claims=CITIZEN)[0] == 403


def test_a_provider_holding_a_reservation_reads_it(api, repos):
    """The reservation is written as E2's reserve writes it (the grant test does not depend on price lists)."""
    from seteli.domain.entitlements import Reservation
    from seteli.store.entitlements import reservation_item

    c, _ = add_customer(api)
    pid, _ = approved_provider(repos)
    body = voucher(c["id"])
    assert api("POST", "/v1/entitlements", body=body)[0] == 201
    no = body["decision_number"]
    claims = provider_claims(pid)
    assert api("GET", f"/v1/entitlements/{no}", claims=claims)[0] == 404
    e = repos.entitlements.get(no)
    res = Reservation(decision_number=no, provider_id=pid, content_id="home-care-weekday", customer_id=c["id"],
                      reserved_at=AT, reserved_by="t")  # fmt: skip
    repos.entitlements.change(e.model_copy(update={"reserved_by": [pid]}), extra=[(reservation_item(res), True)])
    status, _, seen = api("GET", f"/v1/entitlements/{no}", claims=claims)
    assert status == 200 and seen["state"] == "open" and seen["verification_code"] is None
    assert [r["provider_id"] for r in seen["reservations"]] == [pid]


# ---------------------------------------------------------------- closing and death


def test_case_worker_closes_an_entitlement_once(api, repos):
    c, _ = add_customer(api)
    body = voucher(c["id"])
    e = api("POST", "/v1/entitlements", body=body)[2]
    path = f"/v1/entitlements/{body['decision_number']}/close"
    pid, _ = new_provider(repos)
    assert api("POST", path, claims=provider_claims(pid), body={"reason": "x", "version": 1})[0] == 403
    status, _, problem = api("POST", path, body={"reason": "muutti", "version": e["version"] + 5})
    assert status == 409 and fields(problem) == ["body.version"]
    status, _, problem = api("POST", path, body={"reason": "x", "closed_on": "2000-01-01", "version": e["version"]})
    assert status == 422 and fields(problem) == ["body.closed_on"]
    status, _, closed = api("POST", path, body={"reason": "muutti toiselle paikkakunnalle", "version": e["version"]})
    assert status == 200, closed
    assert closed["state"] == "closed" and closed["closed_on"] == TODAY.isoformat()
    assert closed["closed_reason"] == "muutti toiselle paikkakunnalle" and closed["version"] == e["version"] + 1
    status, _, problem = api("POST", path, body={"reason": "again", "version": closed["version"]})
    assert status == 409 and fields(problem) == ["path.decision_number"]
    assert api("POST", "/v1/entitlements/T-NOSUCH/close", body={"reason": "x", "version": 1})[0] == 404


def test_a_recorded_death_closes_every_entitlement_at_the_next_day_in_one_go(api, repos):
    c, code = add_customer(api)
    died = TODAY - timedelta(days=2)
    numbers = []
    for body in (voucher(c["id"]), voucher(c["id"], valid_until=None), balance_voucher(c["id"])):
        assert api("POST", "/v1/entitlements", body=body)[0] == 201
        numbers.append(body["decision_number"])
    ended = voucher(c["id"], valid_from=(TODAY - timedelta(days=30)).isoformat(),
                    valid_until=(TODAY - timedelta(days=5)).isoformat())  # fmt: skip
    assert api("POST", "/v1/entitlements", body=ended)[0] == 201

    path = f"/v1/customers/{c['id']}/death"
    status, _, problem = api("POST", path, body={"died_on": (TODAY + timedelta(days=1)).isoformat(), "version": 1})
    assert status == 422 and fields(problem) == ["body.died_on"]
    status, _, problem = api("POST", path, body={"died_on": died.isoformat(), "version": c["version"] + 3})
    assert status == 409 and fields(problem) == ["body.version"]
    assert all(repos.entitlements.get(n).closed_on is None for n in numbers)  # nothing half-written

    status, _, done = api("POST", path, body={"died_on": died.isoformat(), "version": c["version"]})
    assert status == 200, done
    assert done["customer"]["died_on"] == died.isoformat()
    assert sorted(x["decision_number"] for x in done["closed"]) == sorted(numbers)
    for n in numbers:
        e = repos.entitlements.get(n)
        assert e.closed_on == died + timedelta(days=1) and e.closed_reason == "death"
        assert api("GET", f"/v1/entitlements/{n}")[2]["state"] == "closed"
    assert repos.entitlements.get(ended["decision_number"]).closed_on is None  # it had ended already

    assert api("POST", path, body={"died_on": died.isoformat(), "version": done["customer"]["version"]})[0] == 409
    status, _, problem = api("POST", "/v1/entitlements", body=voucher(c["id"]))
    assert status == 409 and fields(problem) == ["body.customer_id"]
    assert code not in str(problem)


# ---------------------------------------------------------------- the provider copy


def test_the_provider_copy_is_a_pdf_with_the_decision_number(api):
    c, code = add_customer(api)
    body = voucher(c["id"])
    e = api("POST", "/v1/entitlements", body=body)[2]
    no = body["decision_number"]
    res = fn_raw(api, "GET", f"/v1/entitlements/{no}/provider-copy.pdf")
    assert res["statusCode"] == 200 and res["isBase64Encoded"] is True
    headers = {k.lower(): v[0] for k, v in res["multiValueHeaders"].items()}
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"] == f'attachment; filename="{no}-tuottajan-kappale.pdf"'
    pdf = base64.b64decode(res["body"])
    assert pdf.startswith(b"%PDF")
    assert no.encode() in pdf and e["verification_code"].encode() in pdf
    assert b"320,00" in pdf and b"233,63" in pdf
    assert code.encode() not in pdf  # the copy carries no personal identity code
    assert api("GET", "/v1/entitlements/T-NOSUCH/provider-copy.pdf")[0] == 404


def fn_raw(api: Api, method: str, path: str, claims: dict = CW) -> dict:
    from tests.integration.apigw import FakeContext

    return api.handler(event(method, path, claims=claims), FakeContext())


def test_no_error_body_ever_carries_a_personal_id(api):
    """Run the error paths with one code and look for it (and its birth-date part) in every answer."""
    code = personal_id()
    c, _ = add_customer(api, code=code)
    api("POST", "/v1/customers", body={"personal_id": code, "first_names": "A", "last_name": "B"})
    api("POST", "/v1/customers", body={"personal_id": code[:-1] + "?", "first_names": "A", "last_name": "B"})
    api("POST", "/v1/customers/search", body={"personal_id": code + "X"})
    api("PATCH", f"/v1/customers/{c['id']}", body={"personal_id": code, "version": 1})
    api("POST", "/v1/entitlements", body=voucher(c["id"], service_id="nope"))
    errors = [b for b in api.bodies if "'status': 4" in b]
    assert len(errors) == 5
    assert not [b for b in errors if code in b or code[:6] in b]


# ---------------------------------------------------------------- the providers' view after a closing


def _finds(api: Api, pid: str, last_name: str) -> bool:
    status, _, page = call(
        api.handler, event("GET", "/v1/customers", query={"q": last_name}, claims=provider_claims(pid))
    )
    assert status == 200
    return bool(page["items"])


def test_closing_the_last_order_ends_the_providers_view_of_the_customer(api, repos):
    last = f"Suljettu{uuid.uuid4().hex[:6]}"
    c, _ = add_customer(api, last_name=last)
    pid, sites = approved_provider(repos)
    first = voucher(c["id"], kind="order", named_provider_id=pid, named_part_id=sites[0], valid_until=None)
    second = voucher(c["id"], kind="order", named_provider_id=pid, named_part_id=sites[0])
    for body in (first, second):
        assert api("POST", "/v1/entitlements", body=body)[0] == 201
    assert _finds(api, pid, last)

    close = {"closed_on": TODAY.isoformat(), "reason": "muutti pois", "version": 1}
    assert api("POST", f"/v1/entitlements/{first['decision_number']}/close", body=close)[0] == 200
    relation = repos.provider_customers.get(pid, c["id"])
    assert relation.has_open_reservation and relation.reserved_until == date.fromisoformat(second["valid_until"])
    assert _finds(api, pid, last)  # the second order still holds

    assert api("POST", f"/v1/entitlements/{second['decision_number']}/close", body=close)[0] == 200
    relation = repos.provider_customers.get(pid, c["id"])
    assert relation.reserved_until == TODAY - timedelta(days=1)
    assert not _finds(api, pid, last)  # no valid order and no events: gone from the provider's search


def test_a_recorded_death_ends_the_providers_view_the_next_day(api, repos):
    last = f"Kuollut{uuid.uuid4().hex[:6]}"
    c, _ = add_customer(api, last_name=last)
    pid, sites = approved_provider(repos)
    order = voucher(c["id"], kind="order", named_provider_id=pid, named_part_id=sites[0], valid_until=None)
    assert api("POST", "/v1/entitlements", body=order)[0] == 201
    died = TODAY - timedelta(days=3)
    status, _, _ = api(
        "POST", f"/v1/customers/{c['id']}/death", body={"died_on": died.isoformat(), "version": c["version"]}
    )
    assert status == 200
    assert repos.provider_customers.get(pid, c["id"]).reserved_until == died
    assert not _finds(api, pid, last)
