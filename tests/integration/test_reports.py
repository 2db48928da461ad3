"""The reports through the real settlement handler on moto: customers and realisation (with
incomplete units), interruptions per band, JSON and CSV, and who may read which."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import provider_claims
from tests.integration.apigw import call, claims_for, event
from tests.integration.test_events import CARE_DAY, LIVING
from tests.integration.test_settlement import MUNI, october_home_care, with_billing


@pytest.fixture
def repos(fresh_repos):
    return fresh_repos


@pytest.fixture
def w(fresh_world):
    return fresh_world


@pytest.fixture
def get(fn):
    return lambda path, claims, **query: call(fn("settlement"), event("GET", path, query=query, claims=claims))


def test_realisation_shows_used_settled_own_share_and_incomplete_units(w, today, get, fn):
    pid, admin, e, ids = october_home_care(w, today)
    with_billing(w.repos, pid, send_pdf=False)
    draft_status, _, draft = w.record(
        admin, e.decision_number, first_day="2026-10-27", start_time="09:00", end_time="10:30", draft=True
    )
    assert draft_status == 201
    today(date(2026, 11, 4))
    call(fn("jobs"), event("POST", "/v1/jobs/settlement", body={"month": "2026-10"}, claims=MUNI))

    status, _, rep = get("/v1/reports/realisation", MUNI, **{"from": "2026-10", "to": "2026-10"})
    assert status == 200, rep
    (row,) = [r for r in rep["rows"] if r["decision_number"] == e.decision_number]
    assert row["granted"] == "40.00 hour / month" and row["used"] == "6.00"
    assert row["settled"] == "192.00" and row["own_share"] == "12.00"  # 6 h x (34.00 - 32.00)
    assert row["incomplete"] == "1.50" and row["pending"] == "0.00"
    assert rep["totals"]["settled"] == "192.00"

    # the provider reads its own, as CSV too; another provider and a citizen may not
    status, headers, text = get(
        "/v1/reports/realisation", admin, **{"from": "2026-10", "to": "2026-10", "format": "csv"}
    )
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert e.decision_number in text and "192,00" in text and "1,50" in text and text.startswith("\ufeffPäätös")
    other = provider_claims("prv-someone-else", "provider_admin")
    status, _, _ = get("/v1/reports/realisation", other, **{"from": "2026-10", "to": "2026-10", "provider_id": pid})
    assert status == 403
    status, _, _ = get("/v1/reports/realisation", claims_for("citizen"), **{"from": "2026-10", "to": "2026-10"})
    assert status == 403
    # at most 12 months, in order
    status, _, body = get("/v1/reports/realisation", MUNI, **{"from": "2025-01", "to": "2026-10"})
    assert status == 422 and body["errors"][0]["field"] == "query.to"
    status, _, body = get("/v1/reports/realisation", MUNI, **{"from": "2026-10", "to": "2026-09"})
    assert status == 422


def test_interruptions_report_days_per_band(w, today, get):
    today(date(2026, 10, 20))
    pid, _, admin = w.provider(LIVING, {CARE_DAY: "100.00"})
    e = w.entitlement(
        pid,
        service=LIVING,
        rows=[{"content_id": CARE_DAY, "amount": "31", "period": "month", "unit_value": "95.00"}],
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    )
    status, _, i = w.call(
        "POST",
        "/v1/interruptions",
        admin,
        body={"decision_number": e.decision_number, "reason": "hospital", "departure_day": "2026-10-02"},
    )
    assert status == 201, i
    status, _, ended = w.call(
        "PATCH",
        f"/v1/interruptions/{i['id']}",
        admin,
        body={"version": i["version"], "return_day": "2026-10-17", "record": True},
    )
    assert status == 200, ended
    status, _, rep = get("/v1/reports/interruptions", admin, service_id=LIVING, **{"from": "2026-10", "to": "2026-10"})
    assert status == 200, rep
    (line,) = rep["interruptions"]
    assert [(b["band"], b["percent"], b["days"]) for b in line["bands"]] == [
        ("day 0", 100, 1),
        ("days 1-10", 100, 10),
        ("days 11-14", 0, 4),
        ("return day", 100, 1),
    ]
    assert line["value"] == "1140.00" and {(s["percent"], s["days"]) for s in rep["summary"]} == {(100, 12), (0, 4)}
    status, _, text = get(
        "/v1/reports/interruptions", MUNI, service_id=LIVING, format="csv", **{"from": "2026-10", "to": "2026-10"}
    )
    assert status == 200 and "days 11-14" in text
    status, _, _ = get("/v1/reports/interruptions", MUNI, **{"from": "2026-10", "to": "2026-10"})
    assert status == 422  # the report is per service
