"""Applications through the real applications handler on moto: a small home-care company applies,
is refused with the full list of what is missing, fixes it, submits, is returned once, resubmits and
is approved (its draft price list with it). Every 403 and 409 is proven."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from tests.factories import new_provider, provider_claims
from tests.integration.apigw import call, claims_for, event

pytestmark = pytest.mark.usefixtures("stack")

SERVICE = "home-care"
COMPANY_TYPES = (
    "trade-register-extract",
    "tax-debt-certificate",
    "pension-insurance-certificate",
    "liability-insurance",
)
SITE_TYPE = "self-monitoring-plan"


def _repos():
    from seteli.store import repositories

    return repositories()


def _now():
    return datetime.now(UTC)


@pytest.fixture
def company(stack, outbox):
    """A fresh home-care company with two sites, a unit and an employee; its admin's claims."""
    from seteli.domain.provider import PartKind, ProviderPart

    repos = _repos()
    pid, sites = new_provider(repos, name=f"Pikkuhoiva {uuid.uuid4().hex[:4]} Oy", sites=2)
    unit = ProviderPart(
        id=f"unit-{pid[-6:]}", provider_id=pid, kind=PartKind.unit, name="Kotihoitotiimi", site_id=sites[0]
    )
    employee = ProviderPart(
        id=f"emp-{pid[-6:]}", provider_id=pid, kind=PartKind.employee, name="Hanna Hoitaja", site_id=sites[0]
    )
    repos.providers.put_part(unit)
    repos.providers.put_part(employee)
    return {
        "pid": pid,
        "sites": sites,
        "unit": unit.id,
        "employee": employee.id,
        "admin": provider_claims(pid, "provider_admin"),
    }


def _add_user(pid: str, role: str, teams: list[str]) -> dict:
    from seteli.domain.users import ProviderUser

    claims = provider_claims(pid, role)
    now = _now()
    _repos().users.create(
        ProviderUser(
            subject=claims["sub"],
            provider_id=pid,
            email=claims["email"],
            name="Ulla Käyttäjä",
            role=role,
            teams=teams,
            created_at=now,
            updated_at=now,
        )
    )
    return claims


def _add_attachments(pid: str, site_ids: list[str]) -> None:
    from seteli.domain.attachments import Attachment, AttachmentStatus

    repos = _repos()
    now = _now()
    wanted = [(t, None) for t in COMPANY_TYPES] + [(SITE_TYPE, s) for s in site_ids]
    for type_id, part in wanted:
        repos.attachments.create(
            Attachment(
                id=f"att-{uuid.uuid4().hex[:10]}",
                provider_id=pid,
                type_id=type_id,
                name=type_id,
                part_id=part,
                status=AttachmentStatus.ready,
                filename=f"{type_id}.pdf",
                content_type="application/pdf",
                sniffed_type="application/pdf",
                size=1000,
                object_key=f"attachments/{pid}/{type_id}/1",
                object_n=1,
                created_by="test",
                created_at=now,
                updated_at=now,
                valid_until=date(2099, 12, 31),
            )
        )


def _add_price_list(pid: str, part_id: str | None = None):
    from seteli.domain.money import Money
    from seteli.domain.price_lists import StoredPriceList
    from seteli.rules.price_lists import PriceLevel

    now = _now()
    pl = StoredPriceList(
        id=f"pl-{uuid.uuid4().hex[:10]}",
        provider_id=pid,
        service_id=SERVICE,
        level=PriceLevel.part if part_id else PriceLevel.company,
        part_id=part_id,
        name="Hinnasto 2027",
        starts_on=date(2027, 1, 1),
        prices={"home-care-weekday": Money("34.00"), "home-care-evening": Money("38.00")},
        created_at=now,
        created_by="test",
        updated_at=now,
        updated_by="test",
    )
    return _repos().price_lists.create(pl)


def _fn(fn):
    return fn("applications")


def _apply(fn, claims, service=SERVICE, **body):
    return call(_fn(fn), event("POST", "/v1/applications", body={"service_id": service, **body}, claims=claims))


def _get(fn, app_id, claims):
    return call(_fn(fn), event("GET", f"/v1/applications/{app_id}", claims=claims))


def _post(fn, app_id, what, claims, **body):
    return call(_fn(fn), event("POST", f"/v1/applications/{app_id}/{what}", body=body, claims=claims))


def _patch(fn, app_id, claims, **body):
    return call(_fn(fn), event("PATCH", f"/v1/applications/{app_id}", body=body, claims=claims))


def _fields(body) -> list[str]:
    return [e["field"] for e in body["errors"]]


def test_a_small_home_care_company_applies_and_is_approved(fn, company, outbox):
    repos = _repos()
    admin, pid, sites = company["admin"], company["pid"], company["sites"]
    muni = claims_for("case_worker")

    status, headers, app = _apply(fn, admin)
    assert status == 201, app
    assert app["status"] == "draft" and app["provider_id"] == pid
    app_id = app["id"]
    assert headers["location"] == f"/v1/applications/{app_id}"

    # submit with nothing done: refused with the full list at once
    status, _, body = _post(fn, app_id, "submit", admin, version=app["version"])
    assert status == 422, body
    fields = _fields(body)
    assert "body.rulebook" in fields
    assert "body.site_ids" in fields
    assert "price_list" in fields
    for t in COMPANY_TYPES:
        assert f"attachments.company.{t}" in fields
    assert repos.applications.get(app_id).status.value == "draft"

    # the GET shows the same list and the eight steps
    status, _, detail = _get(fn, app_id, admin)
    assert status == 200
    assert [s["id"] for s in detail["steps"]] == [
        "company",
        "sites",
        "operating_areas",
        "units",
        "employees",
        "subcontractors",
        "price_list",
        "summary",
    ]
    assert {m["field"] for m in detail["missing"]} == set(fields)

    # select a site that is not this provider's: 422 naming it
    status, _, body = _patch(fn, app_id, admin, version=detail["version"], site_ids=[sites[0], "site-not-ours"])
    assert status == 422 and _fields(body) == ["body.site_ids[1]"]

    # fix: sites, unit, employee, areas, rulebook, attachments, a price list for one site only
    status, _, app = _patch(
        fn,
        app_id,
        admin,
        version=detail["version"],
        site_ids=sites,
        unit_ids=[company["unit"]],
        employee_ids=[company["employee"]],
        operating_areas=["Jyväskylä", "Muurame"],
    )
    assert status == 200, app
    assert app["site_ids"] == sites
    status, _, body = _post(fn, app_id, "accept-rulebook", admin, version=app["version"], rulebook_version="1999.1")
    assert status == 422 and _fields(body) == ["body.rulebook_version"] and "2026.1" in body["detail"]
    status, _, app = _post(fn, app_id, "accept-rulebook", admin, version=app["version"], rulebook_version="2026.1")
    assert status == 200 and app["rulebook"]["version"] == "2026.1"
    assert app["rulebook"]["accepted_by"]["subject"] == admin["sub"]
    _add_attachments(pid, sites)
    part_list = _add_price_list(pid, part_id=sites[0])

    status, _, body = _post(fn, app_id, "submit", admin, version=app["version"])
    assert status == 422
    assert _fields(body) == ["body.site_ids[1]"]  # the second site has no price list

    company_list = _add_price_list(pid)  # a company-level list covers every site
    outbox.sent.clear()
    status, _, done = _post(fn, app_id, "submit", admin, version=app["version"])
    assert status == 200, done
    app = done["application"]
    assert app["status"] == "submitted"
    assert app["signed_by"]["subject"] == admin["sub"] and app["signed_at"]
    assert app["decision_due"] is None  # the demo service is continuous
    assert "as they come" in done["message"]
    receipt = outbox.sent[-1]
    assert receipt.subject.startswith("Hakemus vastaanotettu")
    assert set(receipt.to) == {f"info@{pid}.example", admin["email"]}

    # locked
    status, _, body = _patch(fn, app_id, admin, version=app["version"], notes="late change")
    assert status == 409 and "locked" in body["detail"]
    status, _, body = _post(fn, app_id, "submit", admin, version=app["version"])
    assert status == 409
    # ... and so are its draft price lists: what the municipality reviews is what it approves
    new_list = {
        "service_id": SERVICE,
        "name": "Myöhäinen",
        "starts_on": "2027-02-01",
        "prices": {"home-care-weekday": "1.00"},
    }
    status, _, body = call(
        fn("providers"), event("POST", f"/v1/providers/{pid}/price-lists", body=new_list, claims=admin)
    )
    assert status == 409 and "under the municipality's review" in body["detail"]
    ev = event("DELETE", f"/v1/providers/{pid}/price-lists/{company_list.id}", query={"version": "1"}, claims=admin)
    status, _, body = call(fn("providers"), ev)
    assert status == 409 and "locked" in body["detail"]

    # in the municipality's queue
    status, _, queue = call(
        _fn(fn), event("GET", "/v1/applications", query={"service_id": SERVICE, "limit": "100"}, claims=muni)
    )
    assert status == 200 and app_id in [a["id"] for a in queue["items"]]

    # returned once with a comment and an email
    status, _, body = _post(fn, app_id, "decision", muni, version=app["version"], decision="return")
    assert status == 422 and _fields(body) == ["body.comment"]
    outbox.sent.clear()
    status, _, res = _post(
        fn,
        app_id,
        "decision",
        muni,
        version=app["version"],
        decision="return",
        comment="Lisää vastuuvakuutuksen liite.",
    )
    assert status == 200, res
    app = res["application"]
    assert app["status"] == "returned" and res["email_failed"] is False
    mail = outbox.sent[-1]
    assert "palautettu" in mail.subject and "Lisää vastuuvakuutuksen liite." in mail.text
    assert set(mail.to) == {f"info@{pid}.example", admin["email"]}

    # editable again; resubmit
    status, _, app = _patch(fn, app_id, admin, version=app["version"], notes="Liite lisätty.")
    assert status == 200 and app["notes"] == "Liite lisätty."
    status, _, done = _post(fn, app_id, "submit", admin, version=app["version"])
    assert status == 200, done
    app = done["application"]

    # approved with an email; the draft price lists approved with it; the provider active
    outbox.sent.clear()
    status, _, res = _post(fn, app_id, "decision", muni, version=app["version"], decision="approve")
    assert status == 200, res
    assert res["application"]["status"] == "approved"
    assert "hyväksytty" in outbox.sent[-1].subject
    lists = {pl.id: pl for pl in repos.price_lists.for_service(pid, SERVICE)}
    assert lists[company_list.id].approved and lists[part_list.id].approved
    assert lists[company_list.id].approved_by == muni["sub"]
    assert repos.providers.get(pid).status.value == "active"
    assert repos.applications.for_provider_service(pid, SERVICE).status.value == "approved"

    # every transition is recorded: who, when, comment
    status, _, detail = _get(fn, app_id, admin)
    steps = [(t["from"], t["to"]) for t in detail["transitions"]]
    assert steps == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "approved"),
    ]
    returned = detail["transitions"][2]
    assert returned["by"]["subject"] == muni["sub"] and returned["comment"] == "Lisää vastuuvakuutuksen liite."
    assert all(t["at"] for t in detail["transitions"])
    assert [t["seq"] for t in detail["transitions"]] == [1, 2, 3, 4, 5]

    # decided: nothing more to decide
    status, _, _ = _post(fn, app_id, "decision", muni, version=detail["version"], decision="reject", comment="x")
    assert status == 409


def test_second_application_for_the_same_service_is_a_409_naming_the_first(fn, company):
    status, _, first = _apply(fn, company["admin"])
    assert status == 201
    status, _, body = _apply(fn, company["admin"])
    assert status == 409
    assert first["id"] in body["detail"] and _fields(body) == ["body.service_id"]
    status, _, other = _apply(fn, company["admin"], service="cleaning")
    assert status == 201 and other["id"] != first["id"]


def test_a_rejected_company_may_apply_again_and_the_rejection_stays(fn, company):
    from seteli.domain.applications import ApplicationStatus

    repos = _repos()
    status, _, first = _apply(fn, company["admin"])
    assert status == 201
    stored = repos.applications.get(first["id"])
    repos.applications.change(stored.model_copy(update={"status": ApplicationStatus.rejected}))
    status, _, again = _apply(fn, company["admin"])
    assert status == 201, again
    assert again["id"] != first["id"] and again["status"] == "draft"
    assert repos.applications.get(first["id"]).status == ApplicationStatus.rejected
    assert repos.applications.for_provider_service(company["pid"], SERVICE).id == again["id"]
    status, _, body = _apply(fn, company["admin"])  # the new one is not rejected: one at a time
    assert status == 409 and again["id"] in body["detail"]


def test_unknown_service_is_a_422_naming_the_field(fn, company):
    status, _, body = _apply(fn, company["admin"], service="no-such-service")
    assert status == 422 and _fields(body) == ["body.service_id"]


def test_other_provider_and_outsiders_get_403(fn, company):
    status, _, app = _apply(fn, company["admin"])
    app_id = app["id"]
    other_pid, _ = new_provider(_repos())
    other = provider_claims(other_pid, "provider_admin")
    assert _get(fn, app_id, other)[0] == 403
    assert _get(fn, "app-000000000000", other)[0] == 403  # the same answer whether it exists or not
    assert _patch(fn, app_id, other, version=app["version"], notes="x")[0] == 403
    assert _post(fn, app_id, "submit", other, version=app["version"])[0] == 403
    # applying for another provider
    assert _apply(fn, other, service="cleaning", provider_id=company["pid"])[0] == 403
    # a citizen
    assert _get(fn, app_id, claims_for("citizen"))[0] == 403
    # the municipality reads but does not apply or edit
    assert _get(fn, app_id, claims_for("case_worker"))[0] == 200
    assert _apply(fn, claims_for("municipality_admin"), provider_id=company["pid"])[0] == 403
    assert _patch(fn, app_id, claims_for("case_worker"), version=app["version"], notes="x")[0] == 403


def test_provider_cannot_decide_and_only_the_admin_submits(fn, company):
    status, _, app = _apply(fn, company["admin"])
    app_id = app["id"]
    user = _add_user(company["pid"], "provider_user", [SERVICE])
    for who in (company["admin"], user):
        status, _, body = _post(fn, app_id, "decision", who, version=app["version"], decision="approve")
        assert status == 403, body
    status, _, body = _post(fn, app_id, "submit", user, version=app["version"])
    assert status == 403 and "provider_admin" in body["detail"]
    # the team member may edit the steps
    status, _, body = _patch(fn, app_id, user, version=app["version"], operating_areas=["Jyväskylä"])
    assert status == 200, body


def test_user_not_in_the_team_gets_403(fn, company):
    status, _, app = _apply(fn, company["admin"])
    outsider = _add_user(company["pid"], "provider_user", ["cleaning"])
    assert _get(fn, app["id"], outsider)[0] == 403
    assert _apply(fn, outsider, service="assisted-living")[0] == 403
    status, _, listed = call(_fn(fn), event("GET", "/v1/applications", claims=outsider))
    assert status == 200 and app["id"] not in [a["id"] for a in listed["items"]]
    status, _, listed = call(_fn(fn), event("GET", "/v1/applications", claims=company["admin"]))
    assert [a["id"] for a in listed["items"]] == [app["id"]]


def test_stale_version_is_a_409(fn, company):
    status, _, app = _apply(fn, company["admin"])
    status, _, changed = _patch(fn, app["id"], company["admin"], version=app["version"], notes="one")
    assert status == 200 and changed["version"] == app["version"] + 1
    status, _, body = _patch(fn, app["id"], company["admin"], version=app["version"], notes="two")
    assert status == 409 and _fields(body) == ["body.version"]
    status, _, body = _post(
        fn, app["id"], "accept-rulebook", company["admin"], version=app["version"], rulebook_version="2026.1"
    )
    assert status == 409


def test_a_failed_email_does_not_undo_the_decision(fn, company, monkeypatch):
    from seteli.adapters.email import use_sender
    from seteli.services import applications as svc

    monkeypatch.setattr(svc, "attachment_problems", lambda *a, **k: [])
    admin, pid, sites = company["admin"], company["pid"], company["sites"]
    _add_price_list(pid)
    status, _, app = _apply(fn, admin)
    _, _, app = _patch(fn, app["id"], admin, version=app["version"], site_ids=sites[:1])
    _, _, app = _post(fn, app["id"], "accept-rulebook", admin, version=app["version"], rulebook_version="2026.1")
    status, _, done = _post(fn, app["id"], "submit", admin, version=app["version"])
    assert status == 200, done

    class Broken:
        def send(self, email):
            raise RuntimeError("SES is down")

    use_sender(Broken())
    muni = claims_for("municipality_admin")
    status, _, res = _post(
        fn, app["id"], "decision", muni, version=done["application"]["version"], decision="reject", comment="Ei."
    )
    assert status == 200, res
    assert res["application"]["status"] == "rejected" and res["email_failed"] is True
    transitions = _repos().applications.transitions(app["id"])
    assert transitions[-1].to_status.value == "rejected" and transitions[-1].email_failed is True


def test_rounds_are_listed_per_service(fn, company):
    status, _, body = call(
        _fn(fn), event("GET", "/v1/applications/rounds", query={"service_id": SERVICE}, claims=company["admin"])
    )
    assert status == 200, body
    assert body[0]["service_id"] == SERVICE and body[0]["continuous"] is True and body[0]["intake"] == "continuous"
    status, _, body = call(
        _fn(fn), event("GET", "/v1/applications/rounds", query={"service_id": "nope"}, claims=company["admin"])
    )
    assert status == 422


def test_queue_pages_with_a_cursor_and_refuses_a_forged_one(fn):
    muni = claims_for("municipality_admin")
    status, _, page = call(
        _fn(fn), event("GET", "/v1/applications", query={"status": "draft", "limit": "1"}, claims=muni)
    )
    assert status == 200 and len(page["items"]) <= 1
    status, _, body = call(_fn(fn), event("GET", "/v1/applications", query={"next": "forged"}, claims=muni))
    assert status == 422 and _fields(body) == ["query.next"]


@pytest.fixture
def helsinki_rounds(monkeypatch):
    """home-care takes applications only in the round 2.12.-15.12.2026, decisions by 23.12.2026."""
    from seteli.domain.tenant import ApplicationRound, Applications
    from seteli.services import applications as svc

    real = svc._tenant

    def tenant(repos):
        t = real(repos)
        rounds = Applications(
            continuous=False,
            rounds=[
                ApplicationRound(opens=date(2026, 12, 2), closes=date(2026, 12, 15), decisions_by=date(2026, 12, 23))
            ],
        )
        services = [s.model_copy(update={"applications": rounds}) if s.id == SERVICE else s for s in t.services]
        return t.model_copy(update={"services": services})

    monkeypatch.setattr(svc, "_tenant", tenant)
    monkeypatch.setattr(svc, "attachment_problems", lambda *a, **k: [])

    def on(day: date) -> None:
        monkeypatch.setattr(svc, "today_in_helsinki", lambda: day)

    return on


def _ready(fn, company) -> dict:
    admin = company["admin"]
    _add_price_list(company["pid"])
    _, _, app = _apply(fn, admin)
    _, _, app = _patch(fn, app["id"], admin, version=app["version"], site_ids=company["sites"][:1])
    _, _, app = _post(fn, app["id"], "accept-rulebook", admin, version=app["version"], rulebook_version="2026.1")
    return app


def test_submit_inside_a_round_is_decided_by_its_date(fn, company, helsinki_rounds):
    helsinki_rounds(date(2026, 12, 10))
    app = _ready(fn, company)
    status, _, done = _post(fn, app["id"], "submit", company["admin"], version=app["version"])
    assert status == 200, done
    assert done["application"]["decision_due"] == "2026-12-23"
    assert done["application"]["round"] == {"opens": "2026-12-02", "closes": "2026-12-15", "decisions_by": "2026-12-23"}


def test_submit_before_a_round_waits_for_it(fn, company, helsinki_rounds):
    helsinki_rounds(date(2026, 12, 1))
    app = _ready(fn, company)
    status, _, done = _post(fn, app["id"], "submit", company["admin"], version=app["version"])
    assert status == 200, done
    assert done["application"]["status"] == "submitted" and done["application"]["decision_due"] == "2026-12-23"
    assert "waits for the round" in done["message"]


def test_submit_when_no_round_is_coming_is_refused_naming_the_service(fn, company, helsinki_rounds):
    helsinki_rounds(date(2026, 12, 16))
    app = _ready(fn, company)
    status, _, body = _post(fn, app["id"], "submit", company["admin"], version=app["version"])
    assert status == 422, body
    assert _fields(body) == ["body.service_id"] and f"service {SERVICE} takes no applications now" in body["detail"]
    status, _, rounds = call(
        _fn(fn), event("GET", "/v1/applications/rounds", query={"service_id": SERVICE}, claims=company["admin"])
    )
    assert rounds[0]["intake"] == "closed" and rounds[0]["rounds"][0]["phase"] == "deciding"
