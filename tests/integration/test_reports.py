"""The reports through the real settlement handler on moto (spec 15, seed 003 5.1 and 5.2):
customers and realisation with settled money and incomplete units (a draft, an unconfirmed
automatic event), interruptions per band as JSON and CSV, and who may read which.

Each test has a table of its own (``fresh_table``): a municipality's report without a provider goes
through every provider of the table, and the monthly jobs these tests run do too.
"""

from __future__ import annotations

import csv
import uuid
from datetime import UTC, date, datetime

import pytest

from seteli.services.jobs import HELSINKI
from tests.factories import provider_claims
from tests.integration.apigw import call, claims_for, event
from tests.integration.test_events import CARE_DAY, HOME, LIVING, WEEKDAY

MUNI = claims_for("municipality_admin")
CASE_WORKER = claims_for("case_worker")
CITIZEN = claims_for("citizen")
OCT = {"from": "2026-10", "to": "2026-10"}


@pytest.fixture
def repos(fresh_repos):
    return fresh_repos


@pytest.fixture
def w(fresh_world):
    return fresh_world


@pytest.fixture
def get(fn):
    def _get(path: str, claims: dict, **query):
        return call(fn("settlement"), event("GET", path, query={k: v for k, v in query.items()}, claims=claims))

    return _get


def fields(body) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


def with_billing(repos, pid: str) -> None:
    from seteli.domain.provider import Billing

    p = repos.providers.get(pid)
    email = f"laskut@{pid}.example"
    b = Billing(iban="FI2112345600000785", bic="NDEAFIHH", billing_email=email, send_payment_pdf=False)
    repos.providers.update(p.model_copy(update={"billing": b}))


def home_care_october(w, today):
    """A provider with billing, a 40 h / month voucher (32.00 EUR/h, price 34.00), three recorded
    2 h visits in October 2026 and a 1.5 h draft."""
    today(date(2026, 10, 30))
    pid, _, admin = w.provider(HOME, {WEEKDAY: "34.00"})
    with_billing(w.repos, pid)
    e = w.entitlement(
        pid,
        service=HOME,
        rows=[{"content_id": WEEKDAY, "amount": "40", "period": "month", "unit_value": "32.00"}],
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    )
    for d in ("05", "12", "19"):
        status, _, body = w.record(admin, e.decision_number, first_day=f"2026-10-{d}", start_time="09:00",
                                   end_time="11:00")  # fmt: skip
        assert status == 201 and body["status"] == "recorded", body
    status, _, body = w.record(
        admin, e.decision_number, first_day="2026-10-27", start_time="09:00", end_time="10:30", draft=True
    )
    assert status == 201 and body["status"] == "draft", body
    return pid, admin, e


def provider_user(repos, pid: str, teams: list[str]) -> dict:
    from seteli.domain.users import ProviderUser, UserRole

    sub = f"sub-{uuid.uuid4().hex[:12]}"
    at = datetime(2026, 1, 1, tzinfo=UTC)
    repos.users.create(
        ProviderUser(subject=sub, provider_id=pid, email=f"{sub}@{pid}.example", name="Ville", teams=teams,
                     role=UserRole.provider_user, created_at=at, updated_at=at)
    )  # fmt: skip
    return provider_claims(pid, "provider_user", sub=sub)


def test_realisation_used_settled_own_share_and_incomplete_units_and_who_reads_it(w, today, get, fn):
    """Given October's visits settled on 4.11. and a draft left, when the municipality and the
    provider read the customers-and-realisation report, then the settled money, own share and the
    incomplete units are there; another provider and a citizen are refused."""
    pid, admin, e = home_care_october(w, today)
    other_pid, other_admin, other = home_care_october(w, today)
    today(date(2026, 11, 4))
    status, _, run = call(fn("jobs"), event("POST", "/v1/jobs/settlement", body={"month": "2026-10"}, claims=MUNI))
    assert status == 202 and run["status"] == "done", run

    status, _, rep = get("/v1/reports/realisation", MUNI, **OCT)
    assert status == 200, rep
    assert {r["provider_id"] for r in rep["rows"]} == {pid, other_pid} and rep["provider_id"] is None
    (row,) = [r for r in rep["rows"] if r["decision_number"] == e.decision_number]
    assert row["granted"] == "40.00 h / month" and row["unit"] == "hour" and row["customer_id"] == e.customer_id
    assert row["used"] == "6.00" and row["settled"] == "192.00" and row["own_share"] == "12.00"  # 6 h x 2.00
    assert row["incomplete"] == "1.50" and row["incomplete_auto"] == "0.00" and row["pending"] == "0.00"
    t = rep["totals"]
    assert t["settled"] == "384.00" and t["customers"] == 2 and t["entitlements"] == 2
    assert t["units"] == [{"unit": "hour", "used": "12.00", "pending": "0.00", "incomplete": "3.00"}]
    assert (rep["first_day"], rep["last_day"]) == ("2026-10-01", "2026-10-31")
    status, _, rep = get("/v1/reports/realisation", CASE_WORKER, provider_id=other_pid, **OCT)
    assert status == 200 and [r["decision_number"] for r in rep["rows"]] == [other.decision_number]
    status, _, rep = get("/v1/reports/realisation", MUNI, customer_id=e.customer_id, service_id=HOME, **OCT)
    assert status == 200 and [r["decision_number"] for r in rep["rows"]] == [e.decision_number]
    status, _, rep = get("/v1/reports/realisation", MUNI, **{"from": "2026-09", "to": "2026-09"})
    assert status == 200 and rep["rows"] == [] and rep["totals"]["settled"] == "0.00"

    # the provider reads its own (the default), as CSV for Excel too
    status, _, rep = get("/v1/reports/realisation", admin, **OCT)
    assert status == 200 and [r["decision_number"] for r in rep["rows"]] == [e.decision_number]
    assert rep["provider_id"] == pid
    status, headers, text = get("/v1/reports/realisation", admin, provider_id=pid, format="csv", **OCT)
    assert status == 200 and headers["content-type"] == "text/csv; charset=utf-8"
    assert headers["content-disposition"] == 'attachment; filename="toteuma-2026-10-2026-10.csv"'
    table = list(csv.reader(text.removeprefix("\ufeff").splitlines(), delimiter=";"))
    assert text.startswith("\ufeffPäätös;") and table[1][0] == e.decision_number
    assert table[1][7:10] == ["40,00 h / kk", "6,00", "192,00"] and table[1][13] == "1,50"
    assert other.decision_number not in text

    # another provider's report, a citizen: 403 before anything is read
    for claims, query in ((admin, {"provider_id": other_pid}), (other_admin, {"provider_id": "prv-no-such"}),
                          (CITIZEN, {})):  # fmt: skip
        status, _, body = get("/v1/reports/realisation", claims, **query, **OCT)
        assert status == 403, body
        assert other.decision_number not in str(body)
    # bad ranges and filters: 422 naming the field, never echoing the value
    for query, field in (
        ({"from": "2025-10", "to": "2026-10"}, "query.to"),  # 13 months
        ({"from": "2026-10", "to": "2026-09"}, "query.to"),
        ({"from": "10/2026", "to": "2026-10"}, "query.from"),
        ({**OCT, "customer_id": "010101-123N"}, "query.customer_id"),  # never a personal identity code
        ({**OCT, "service_id": "no-such-service"}, "query.service_id"),
        ({**OCT, "format": "xlsx"}, "query.format"),
    ):
        status, _, body = get("/v1/reports/realisation", MUNI, **query)
        assert status == 422 and field in fields(body), (query, body)
        assert "010101-123N" not in str(body)
    status, _, body = get("/v1/reports/realisation", MUNI, **{"from": "2026-01", "to": "2026-12"})
    assert status == 200  # twelve months is the most


def run_auto_events(repos):
    from seteli.services import jobs
    from seteli.services.tenant_config import current_tenant

    now = datetime(2026, 10, 4, 2, 30, tzinfo=HELSINKI)
    env = jobs.JobEnv(repos=repos, tenant=current_tenant(repos.tenant), now=now, email=None)
    return jobs.start("auto-events", "2026-10", "test", env=env, dispatcher=jobs.Inline(env))


def test_interruptions_per_band_and_unconfirmed_auto_events_as_incomplete(w, today, get, repos):
    """Given assisted living with September's attendance (so an automatic October draft nobody has
    confirmed), the seed's hospital stay 2.10.-17.10. and an interruption still open, when the
    reports are read, then the draft is incomplete, the interruption is split by the rule's bands
    and the open one is listed without days."""
    today(date(2026, 10, 3))
    pid, sites, admin = w.provider(LIVING, {CARE_DAY: "100.00"})

    def living():
        return w.entitlement(
            pid,
            service=LIVING,
            rows=[{"content_id": CARE_DAY, "amount": "31", "period": "month", "unit_value": "95.00"}],
            valid_from=date(2026, 1, 1),
            valid_until=date(2026, 12, 31),
        )

    away, auto, still = living(), living(), living()
    status, _, body = w.record(admin, auto.decision_number, first_day="2026-09-01", last_day="2026-09-30")
    assert status == 201, body
    assert run_auto_events(repos).counts["created"] == 1

    today(date(2026, 10, 28))
    status, _, i = w.call("POST", "/v1/interruptions", admin,
                          body={"decision_number": away.decision_number, "reason": "hospital",
                                "departure_day": "2026-10-02"})  # fmt: skip
    assert status == 201, i
    status, _, ended = w.call("PATCH", f"/v1/interruptions/{i['id']}", admin,
                              body={"version": i["version"], "return_day": "2026-10-17", "record": True})  # fmt: skip
    assert status == 200 and ended["value"] == "1140.00", ended
    status, _, open_i = w.call("POST", "/v1/interruptions", admin,
                               body={"decision_number": still.decision_number, "reason": "holiday",
                                     "departure_day": "2026-10-25"})  # fmt: skip
    assert status == 201, open_i

    # customers and realisation: the automatic draft is incomplete, the interruption's days are there
    status, _, rep = get("/v1/reports/realisation", admin, service_id=LIVING, **OCT)
    assert status == 200, rep
    rows = {r["decision_number"]: r for r in rep["rows"]}
    drafted = rows[auto.decision_number]
    assert drafted["incomplete"] == "31.00" and drafted["incomplete_auto"] == "31.00" and drafted["used"] == "0.00"
    assert drafted["granted"] == "31.00 days / month"
    assert rows[away.decision_number]["interruption_days"] == 16
    assert rows[away.decision_number]["interruption_value"] == "1140.00"
    assert still.decision_number not in rows  # open: no days yet

    # interruptions: days per band of the tenant's rule (Kouvola: 100 % days 0-10 and the return day)
    status, _, rep = get("/v1/reports/interruptions", admin, service_id=LIVING, **OCT)
    assert status == 200, rep
    lines = {x["decision_number"]: x for x in rep["interruptions"]}
    line = lines[away.decision_number]
    assert [(b["band"], b["percent"], b["days"], b["value"]) for b in line["bands"]] == [
        ("day 0", 100, 1, "95.00"),
        ("days 1-10", 100, 10, "950.00"),
        ("days 11-", 0, 4, "0.00"),
        ("return day", 100, 1, "95.00"),
    ]
    assert line["value"] == line["total_value"] == "1140.00" and line["return_day"] == "2026-10-17"
    assert lines[still.decision_number]["return_day"] is None and lines[still.decision_number]["bands"] == []
    assert {(s["reason"], s["band"], s["days"]) for s in rep["summary"]} == {
        ("hospital", "day 0", 1), ("hospital", "days 1-10", 10), ("hospital", "days 11-", 4),
        ("hospital", "return day", 1),
    }  # fmt: skip
    assert rep["totals"] == {"interruptions": 2, "open": 1, "days": 16, "value": "1140.00"}
    # the same for the municipality, and as CSV; September holds none of them
    status, headers, text = get("/v1/reports/interruptions", MUNI, service_id=LIVING, provider_id=pid, format="csv",
                                **OCT)  # fmt: skip
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert f"keskeytykset-{LIVING}-2026-10-2026-10.csv" in headers["content-disposition"]
    assert "päivät 11-;0;4;0,00" in text and "avoin" in text and "Yhteenveto" in text
    status, _, rep = get("/v1/reports/interruptions", MUNI, service_id=LIVING, **{"from": "2026-09", "to": "2026-09"})
    assert status == 200 and rep["interruptions"] == []

    # who: a user outside the service's team, another provider, a citizen; the service is required
    outsider = provider_user(repos, pid, teams=[HOME])
    insider = provider_user(repos, pid, teams=[LIVING])
    status, _, body = get("/v1/reports/interruptions", outsider, service_id=LIVING, **OCT)
    assert status == 403 and "team" in body["detail"]
    status, _, rep = get("/v1/reports/realisation", outsider, **OCT)
    assert status == 200 and rep["rows"] == []  # the services of its teams only
    status, _, rep = get("/v1/reports/interruptions", insider, service_id=LIVING, **OCT)
    assert status == 200 and len(rep["interruptions"]) == 2
    other = provider_claims(f"prv-other{uuid.uuid4().hex[:6]}", "provider_admin")
    for claims, query in ((other, {"provider_id": pid}), (CITIZEN, {})):
        status, _, body = get("/v1/reports/interruptions", claims, service_id=LIVING, **query, **OCT)
        assert status == 403 and away.decision_number not in str(body)
    status, _, body = get("/v1/reports/interruptions", MUNI, **OCT)
    assert status == 422 and "query.service_id" in fields(body)
    status, _, body = get("/v1/reports/interruptions", MUNI, service_id="no-such-service", **OCT)
    assert status == 422 and "query.service_id" in fields(body)
