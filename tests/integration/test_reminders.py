"""The reminders job on moto (spec 11): on the 1st and 2nd of M+1, each provider with drafts,
unconfirmed automatic events or open interruptions of month M gets one email listing them (by
decision number, days and id: no names, no personal IDs); a rerun the same day sends nothing, the
next reminder day sends again.

Each test has a table of its own (``fresh_table``): a run goes through every provider of the table.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from seteli.services.jobs import HELSINKI
from tests.integration.apigw import call, claims_for, event
from tests.integration.test_auto_events import living, september
from tests.integration.test_auto_events import run as run_auto
from tests.integration.test_events import CARE_DAY, LIVING

OCT = "2026-10"
MUNI = claims_for("municipality_admin")


@pytest.fixture
def repos(fresh_repos):
    return fresh_repos


@pytest.fixture
def w(fresh_world):
    return fresh_world


def remind(repos, outbox, day: date):
    from seteli.services import jobs
    from seteli.services.tenant_config import current_tenant

    now = datetime(day.year, day.month, day.day, 7, tzinfo=HELSINKI)
    env = jobs.JobEnv(repos=repos, tenant=current_tenant(repos.tenant), now=now, email=outbox)
    return jobs.start("reminders", OCT, "test", env=env, dispatcher=jobs.Inline(env))


def to(outbox, address: str):
    return [m for m in outbox.sent if address in m.to]


def test_each_provider_with_something_missing_gets_one_email_a_reminder_day(w, today, repos, outbox):
    # A: an automatic event not confirmed, its own draft and an open interruption
    today(date(2026, 9, 30))
    a, sites, admin_a = w.provider(LIVING, {CARE_DAY: "120.00"})
    e1, e2, e3 = living(w, a), living(w, a), living(w, a)
    september(w, admin_a, e1.decision_number, sites[0])
    run_auto(repos)
    (auto_ev,) = [ev for ev in repos.events.for_provider_month(a, OCT) if ev.auto]
    today(date(2026, 10, 20))
    status, _, draft = w.record(admin_a, e2.decision_number, first_day="2026-10-05", last_day="2026-10-06", draft=True)
    assert status == 201 and draft["status"] == "draft"
    status, _, away = w.call(
        "POST",
        "/v1/interruptions",
        admin_a,
        body={"decision_number": e3.decision_number, "reason": "hospital", "departure_day": "2026-10-12"},
    )
    assert status == 201 and away["status"] == "draft"
    # B: everything recorded; C: only an open interruption, no contact email but a billing email
    b, sites_b, admin_b = w.provider(LIVING, {CARE_DAY: "120.00"})
    eb = living(w, b)
    w.record(admin_b, eb.decision_number, first_day="2026-10-01", last_day="2026-10-19")
    c, _, admin_c = w.provider(LIVING, {CARE_DAY: "120.00"})
    ec = living(w, c)
    status, _, away_c = w.call(
        "POST",
        "/v1/interruptions",
        admin_c,
        body={"decision_number": ec.decision_number, "reason": "holiday", "departure_day": "2026-10-28"},
    )
    assert status == 201
    from seteli.domain.provider import Billing

    pc = repos.providers.get(c)
    billing = Billing(iban="FI2112345600000785", bic="NDEAFIHH", billing_email=f"laskut@{c}.example")
    repos.providers.update(pc.model_copy(update={"contact_email": None, "billing": billing}))

    # When the reminders run on 1.11.
    report = remind(repos, outbox, date(2026, 11, 1))
    assert report.status == "done" and report.id == "reminders#2026-10#01"
    assert report.counts["sent"] == 2 and report.counts["nothing_missing"] == 1, report.counts
    assert (report.counts["auto"], report.counts["drafts"], report.counts["interruptions"]) == (1, 1, 2)

    # Then A gets one email listing the three, C one at its billing address, B none
    (mail_a,) = to(outbox, f"info@{a}.example")
    assert "2026-10" in mail_a.subject and "3" in mail_a.subject
    for item in (auto_ev.id, draft["id"], away["id"], e1.decision_number, e2.decision_number, e3.decision_number):
        assert item in mail_a.text
    assert "1.10.2026-31.10.2026" in mail_a.text and "12.10.2026-" in mail_a.text
    assert "2.11.2026" in mail_a.text and "seteli event confirm --month 2026-10" in mail_a.text
    customer = repos.customers.get(e1.customer_id)
    assert customer.last_name not in mail_a.text and customer.personal_id not in mail_a.text
    (mail_c,) = to(outbox, f"laskut@{c}.example")
    assert away_c["id"] in mail_c.text and draft["id"] not in mail_c.text
    assert to(outbox, f"info@{b}.example") == []

    # A rerun the same day sends nothing (the guard), the run of 2.11. sends again
    again = remind(repos, outbox, date(2026, 11, 1))
    assert again.attempt == 2 and again.counts["sent"] == 0 and again.counts["already_sent"] == 2
    assert len(outbox.sent) == 2
    second = remind(repos, outbox, date(2026, 11, 2))
    assert second.id == "reminders#2026-10#02" and second.attempt == 1 and second.counts["sent"] == 2
    assert len(to(outbox, f"info@{a}.example")) == 2 and len(to(outbox, f"laskut@{c}.example")) == 2

    # once A confirms and ends everything, there is nothing to remind it of
    today(date(2026, 11, 2))
    status, _, out = w.call("POST", "/v1/events/record", admin_a, body={"event_ids": [auto_ev.id, draft["id"]]})
    assert all(r["ok"] for r in out["results"]), out
    i = repos.events.get_interruption(away["id"])
    status, _, ended = w.call(
        "PATCH",
        f"/v1/interruptions/{i.id}",
        admin_a,
        body={"version": i.version, "return_day": "2026-10-30", "record": True},
    )
    assert status == 200, ended
    third = remind(repos, outbox, date(2026, 11, 2))  # the 2nd's run started again
    assert third.counts["sent"] == 0 and third.counts["nothing_missing"] == 2 and third.counts["already_sent"] == 1
    assert len(outbox.sent) == 4


def test_the_reminders_through_the_api(fn, w, today, repos, outbox):
    today(date(2026, 10, 20))
    a, _, admin = w.provider(LIVING, {CARE_DAY: "120.00"})
    e = living(w, a)
    status, _, draft = w.record(admin, e.decision_number, first_day="2026-10-05", draft=True)
    assert status == 201
    today(date(2026, 11, 1))
    jobs = fn("jobs")
    status, _, _ = call(jobs, event("POST", "/v1/jobs/reminders", body={"month": OCT}, claims=admin))
    assert status == 403
    status, _, body = call(jobs, event("POST", "/v1/jobs/reminders", body={"month": OCT}, claims=MUNI))
    assert status == 202, body
    assert body["counts"]["sent"] == 1 and body["day"] == "2026-11-01"
    (mail,) = to(outbox, f"info@{a}.example")
    assert draft["id"] in mail.text
    status, _, progress = call(
        jobs, event("GET", "/v1/jobs/reminders", query={"month": OCT, "day": "2026-11-01"}, claims=MUNI)
    )
    assert status == 200 and progress["counts"]["sent"] == 1
