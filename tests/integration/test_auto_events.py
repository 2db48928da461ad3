"""The automatic events job on moto (spec 11, seed 003 K4.3.2): September's attendance gives
October's drafts on the night of 4.10., clipped to validity, death and an interruption's return
day; a rerun makes none; the provider lists them (``auto=true``) and confirms them in bulk, also
when their first day is further back than the recording window.

Each test has a table of its own (``fresh_table``): a run goes through every provider of the table.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from seteli.domain.money import Money
from seteli.services.jobs import HELSINKI
from tests.factories import provider_claims
from tests.integration.apigw import call, claims_for, event
from tests.integration.test_events import CARE_DAY, LIVING

OCT = "2026-10"
MUNI = claims_for("municipality_admin")
NIGHT_OF_THE_4TH = datetime(2026, 10, 4, 2, 30, tzinfo=HELSINKI)


@pytest.fixture
def repos(fresh_repos):
    return fresh_repos


@pytest.fixture
def w(fresh_world):
    return fresh_world


def run(repos, outbox=None, month=OCT, now=NIGHT_OF_THE_4TH):
    from seteli.services import jobs
    from seteli.services.tenant_config import current_tenant

    env = jobs.JobEnv(repos=repos, tenant=current_tenant(repos.tenant), now=now, email=outbox)
    return jobs.start("auto-events", month, "test", env=env, dispatcher=jobs.Inline(env))


def living(w, pid, valid_until=date(2026, 12, 31), valid_from=date(2026, 1, 1)):
    return w.entitlement(
        pid,
        service=LIVING,
        rows=[{"content_id": CARE_DAY, "amount": "31", "period": "month", "unit_value": "95.00"}],
        valid_from=valid_from,
        valid_until=valid_until,
    )


def september(w, admin, dn, part, first="2026-09-01", last="2026-09-30", giver="Hoitaja Helmi"):
    status, _, body = w.record(admin, dn, first_day=first, last_day=last, part_id=part, giver=giver)
    assert status == 201 and body["status"] == "recorded", body
    return body


def auto_items(repos, pid, month=OCT):
    """Every stored event of the provider's month (counting items, not trusting the job's report)."""
    return repos.events.for_provider_month(pid, month)


def test_september_gives_october_drafts_clipped_and_a_rerun_makes_none(w, today, repos):
    today(date(2026, 10, 3))
    pid, sites, admin = w.provider(LIVING, {CARE_DAY: "120.00"})
    full, short, dead, away, back, done = (living(w, pid) for _ in range(6))
    repos.entitlements.change(
        repos.entitlements.get(short.decision_number).model_copy(update={"valid_until": date(2026, 10, 15)})
    )
    e = repos.entitlements.get(dead.decision_number)
    repos.entitlements.change(e.model_copy(update={"closed_on": date(2026, 10, 21), "closed_reason": "death"}))
    prev = {}
    for e in (full, short, dead, done):
        prev[e.decision_number] = september(w, admin, e.decision_number, sites[0])
    september(w, admin, away.decision_number, sites[0], last="2026-09-19")
    september(w, admin, back.decision_number, sites[0], last="2026-09-24")
    # an open interruption: no draft; one that ended on 3.10.: the draft starts on the return day
    status, _, open_i = w.call(
        "POST",
        "/v1/interruptions",
        admin,
        body={
            "decision_number": away.decision_number,
            "reason": "hospital",
            "departure_day": "2026-09-20",
            "part_id": sites[0],
        },
    )
    assert status == 201 and open_i["status"] == "draft"
    body = {
        "decision_number": back.decision_number,
        "reason": "holiday",
        "departure_day": "2026-09-25",
        "return_day": "2026-10-03",
        "record": True,
        "part_id": sites[0],
    }
    status, _, ended = w.call("POST", "/v1/interruptions", admin, body=body)
    assert status == 201 and ended["status"] == "recorded", ended
    # October already begun for one customer
    status, _, oct_event = w.record(
        admin, done.decision_number, first_day="2026-10-01", last_day="2026-10-02", part_id=sites[0]
    )
    assert status == 201

    # When the job runs on the night of the 4th
    report = run(repos)
    assert report.status == "done"
    assert report.counts["created"] == 4, report.counts
    assert report.counts["skipped_open_interruption"] == 1 and report.counts["skipped_has_events"] == 1
    assert report.amounts["drafts_value"] == Money((31 + 15 + 20 + 28) * 95)

    # Then one draft per content row with the right days, part, giver and recorder
    drafts = {ev.decision_number: ev for ev in auto_items(repos, pid) if ev.auto}
    assert set(drafts) == {full.decision_number, short.decision_number, dead.decision_number, back.decision_number}
    span = {dn: (ev.first_day.day, ev.last_day.day, int(ev.quantity)) for dn, ev in drafts.items()}
    assert span[full.decision_number] == (1, 31, 31)
    assert span[short.decision_number] == (1, 15, 15)  # the validity ends on the 15th
    assert span[dead.decision_number] == (1, 20, 20)  # died on the 20th: closed on the 21st
    assert span[back.decision_number] == (3, 31, 29)  # back on 3.10.: the interruption pays that day
    for ev in drafts.values():
        assert ev.status.value == "draft" and ev.part_id == sites[0] and ev.giver == "Hoitaja Helmi"
        assert ev.provider_id == pid and ev.version == 1 and ev.id.startswith("ev-auto-")
        assert len(ev.lines) == int(ev.quantity) and ev.lines[0].price == Money("120.00")
    ev = drafts[full.decision_number]
    assert (
        ev.value == Money("2945.00")
        and ev.own_share == Money("775.00")
        and ev.created_by == prev[full.decision_number]["created_by"]
    )
    back_ev = drafts[back.decision_number]
    assert back_ev.lines[0].paid_elsewhere == ended["id"] and back_ev.value == Money(28 * 95)
    # the events can be read by id (their pointers were written)
    assert repos.events.get(ev.id).decision_number == full.decision_number

    # A rerun (the job started again) makes no second draft
    before = len(auto_items(repos, pid))
    again = run(repos)
    assert again.attempt == 2 and again.counts["created"] == 0 and again.counts["skipped_has_events"] == 5
    assert len(auto_items(repos, pid)) == before == 5

    # The provider sees them with the auto filter; another provider may not look
    status, _, listed = w.call("GET", "/v1/events", admin, query={"month": OCT, "status": "draft", "auto": "true"})
    assert status == 200 and sorted(x["id"] for x in listed["items"]) == sorted(x.id for x in drafts.values())
    status, _, others = w.call("GET", "/v1/events", admin, query={"month": OCT, "auto": "false"})
    assert [x["id"] for x in others["items"]] == [oct_event["id"]]
    stranger = provider_claims("prv-someone-else")
    status, _, _ = w.call("GET", "/v1/events", stranger, query={"month": OCT, "provider_id": pid})
    assert status == 403

    # and confirms them in bulk on 15.12., further back than the 60-day window reaches (16.10.)
    today(date(2026, 12, 15))
    ids = sorted(x.id for x in drafts.values())
    status, _, refused = w.call("POST", "/v1/events/record", stranger, body={"event_ids": ids[:1]})
    assert status == 200 and refused["results"][0]["ok"] is False and refused["results"][0]["status"] == 404
    status, _, out = w.call("POST", "/v1/events/record", admin, body={"event_ids": ids})
    assert status == 200, out
    assert all(r["ok"] for r in out["results"]), out
    assert {r["event"]["status"] for r in out["results"]} == {"recorded"}
    confirmed = repos.events.get(ev.id)
    assert confirmed.status.value == "recorded" and confirmed.version == 2 and confirmed.value == Money("2945.00")
    # a manual draft that old is still refused by the window
    status, _, old = w.record(admin, full.decision_number, first_day="2026-10-05", last_day="2026-10-06", draft=True)
    assert status == 422 and "too far back" in old["detail"] + str(old["errors"]), old


def test_no_price_on_a_day_skips_the_row_and_notes_it(w, today, repos):
    today(date(2026, 9, 30))
    pid, sites, admin = w.provider(LIVING, {CARE_DAY: "120.00"}, starts=date(2026, 1, 1))
    e = living(w, pid)
    september(w, admin, e.decision_number, sites[0])
    # the company's only list ends: a new approved list for another content only from 10.10.
    from tests.factories import approved_price_list

    approved_price_list(repos, pid, LIVING, {"other-content": "1.00"}, date(2026, 10, 10))
    report = run(repos)
    assert report.counts["created"] == 0 and report.counts["skipped_no_price"] == 1
    assert any(pid in n and CARE_DAY in n for n in report.notes)
    assert e.customer_id not in " ".join(report.notes)
    assert auto_items(repos, pid) == []


def test_the_job_through_the_api_and_who_may_start_it(fn, w, today, repos):
    today(date(2026, 9, 30))
    pid, sites, admin = w.provider(LIVING, {CARE_DAY: "120.00"})
    e = living(w, pid)
    september(w, admin, e.decision_number, None)
    today(date(2026, 10, 4))
    jobs = fn("jobs")
    status, _, refused = call(jobs, event("POST", "/v1/jobs/auto-events", body={"month": OCT}, claims=admin))
    assert status == 403
    status, _, body = call(jobs, event("POST", "/v1/jobs/auto-events", body={"month": OCT}, claims=MUNI))
    assert status == 202, body
    assert body["status"] == "done" and body["counts"]["created"] == 1
    (ev,) = auto_items(repos, pid)
    assert ev.auto and ev.part_id is None and (ev.first_day, ev.last_day) == (date(2026, 10, 1), date(2026, 10, 31))
    status, _, progress = call(jobs, event("GET", "/v1/jobs/auto-events", query={"month": OCT}, claims=MUNI))
    assert status == 200 and progress["counts"]["created"] == 1
