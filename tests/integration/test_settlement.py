"""The settlement run through the real handlers on moto: POST /v1/jobs/settlement, the statements,
the payment PDF and email, the finance file, a settled event refusing changes, a rerun and a crash
in the middle, deferral without billing, and provider-invoice mode's references and matching.

Each test has a table of its own (``fresh_table``): a run goes through every provider of the table.
"""

from __future__ import annotations

from datetime import date

import pytest

from seteli.domain.money import Money
from tests.factories import provider_claims
from tests.integration.apigw import call, claims_for, event
from tests.integration.test_events import HOME, WEEKDAY

MUNI = claims_for("municipality_admin")
OCT = "2026-10"


@pytest.fixture
def repos(fresh_repos):
    return fresh_repos


@pytest.fixture
def w(fresh_world):
    return fresh_world


@pytest.fixture
def settlement(fn):
    return lambda method, path, claims, body=None, query=None: call(
        fn("settlement"), event(method, path, body=body, query=query, claims=claims)
    )


@pytest.fixture
def jobs(fn):
    return lambda method, path, claims, body=None, query=None: call(
        fn("jobs"), event(method, path, body=body, query=query, claims=claims)
    )


def with_billing(repos, pid: str, send_pdf: bool = True) -> None:
    from seteli.domain.provider import Billing

    p = repos.providers.get(pid)
    b = Billing(
        iban="FI2112345600000785", bic="NDEAFIHH", billing_email=f"laskut@{pid}.example", send_payment_pdf=send_pdf
    )
    repos.providers.update(p.model_copy(update={"billing": b}))


def october_home_care(w, today, hours=("09:00", "11:00")):
    """A provider with billing and three 2 h visits in October 2026 (32.00 EUR/h voucher, 34.00 price)."""
    today(date(2026, 10, 30))
    pid, _, admin = w.provider(HOME, {WEEKDAY: "34.00"})
    e = w.entitlement(
        pid,
        service=HOME,
        rows=[{"content_id": WEEKDAY, "amount": "40", "period": "month", "unit_value": "32.00"}],
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    )
    ids = []
    for d in ("05", "12", "19"):
        status, _, body = w.record(
            admin, e.decision_number, first_day=f"2026-10-{d}", start_time=hours[0], end_time=hours[1]
        )
        assert status == 201 and body["status"] == "recorded", body
        ids.append(body["id"])
    return pid, admin, e, ids


def test_the_settlement_run_pays_the_month_once_with_a_pdf_email_and_finance_file(w, today, jobs, settlement, outbox):
    pid, admin, e, ids = october_home_care(w, today)
    with_billing(w.repos, pid)
    draft_status, _, draft = w.record(
        admin, e.decision_number, first_day="2026-10-26", start_time="09:00", end_time="10:00", draft=True
    )
    assert draft_status == 201 and draft["status"] == "draft"
    today(date(2026, 11, 4))

    # When the municipality runs October's settlement
    status, _, run = jobs("POST", "/v1/jobs/settlement", MUNI, body={"month": OCT})
    assert status == 202, (run, run.get("errors"))
    assert run["status"] == "done" and run["counts"]["statements"] == 1 and run["counts"]["events"] == 3
    assert run["amounts"]["payable"] == "192.00"  # 3 x 2 h x 32.00; the draft waits
    assert run["files"]["finance_file"].endswith(".csv")

    # Then the statement, visible to the municipality and the provider, not to another provider
    status, _, listed = settlement("GET", "/v1/settlements", MUNI, query={"month": OCT})
    assert status == 200
    (st,) = [s for s in listed["statements"] if s["provider_id"] == pid]
    assert st["payable"] == "192.00" and st["status"] == "payable" and st["reference"].startswith("RF")
    status, _, own = settlement("GET", "/v1/settlements", admin, query={"month": OCT})
    assert status == 200 and [s["id"] for s in own["statements"]] == [st["id"]]
    other = provider_claims("prv-someone-else", "provider_admin")
    status, _, _ = settlement("GET", "/v1/settlements", other, query={"month": OCT, "provider_id": pid})
    assert status == 403
    status, _, one = settlement("GET", f"/v1/settlements/statements/{st['id']}", admin)
    assert status == 200 and sorted(line["record_id"] for line in one["lines"]) == sorted(ids)

    # the events are settled: no edit, no deletion
    status, _, ev = w.call("GET", f"/v1/events/{ids[0]}", admin)
    assert ev["status"] == "settled" and ev["settlement_id"] == st["id"]
    status, _, refused = w.call("DELETE", f"/v1/events/{ids[0]}", admin, query={"version": str(ev["version"])})
    assert status == 409

    # the payment PDF was emailed once, and can be downloaded
    mails = [m for m in outbox.sent if f"laskut@{pid}.example" in m.to]
    assert len(mails) == 1 and mails[0].attachments[0].data.startswith(b"%PDF")
    status, headers, pdf = settlement("GET", f"/v1/settlements/{OCT}/providers/{pid}/pdf", admin)
    assert status == 200 and headers["content-type"] == "application/pdf"

    # the finance file has the payment row with its RF reference
    status, headers, csv_text = settlement("GET", f"/v1/settlements/{OCT}/finance-file", MUNI)
    assert status == 200 and st["reference"] in csv_text and "192.00" in csv_text
    status, _, _ = settlement("GET", f"/v1/settlements/{OCT}/finance-file", admin)
    assert status == 403

    # a second run of the month changes nothing and sends nothing
    status, _, again = jobs("POST", "/v1/jobs/settlement", MUNI, body={"month": OCT})
    assert status == 202 and again["attempt"] == 1 and again["amounts"] == run["amounts"]
    assert len([m for m in outbox.sent if f"laskut@{pid}.example" in m.to]) == 1
    status, _, progress = jobs("GET", "/v1/jobs/settlement", MUNI, query={"month": OCT})
    assert status == 200 and progress["status"] == "done" and progress["pages_done"] == [0]
    status, _, _ = jobs("GET", "/v1/jobs/settlement", admin, query={"month": OCT})
    assert status == 403


def test_a_crash_in_the_middle_and_a_rerun_pay_exactly_once(w, today, monkeypatch):
    from seteli.services import jobs as jobs_svc
    from seteli.store.settlement import SettlementRepository

    pid, admin, e, ids = october_home_care(w, today)
    with_billing(w.repos, pid, send_pdf=False)
    today(date(2026, 11, 4))
    real = SettlementRepository._settle_chunk

    def one_then_dead(chunk, statement_ids):
        real(chunk[:1], statement_ids)  # one record moved into the begun statement, then the Lambda dies
        raise RuntimeError("the Lambda timed out")

    monkeypatch.setattr(SettlementRepository, "_settle_chunk", staticmethod(one_then_dead))
    env = jobs_svc.job_env()
    with pytest.raises(RuntimeError):
        jobs_svc.start("settlement", OCT, "test", env=env, dispatcher=jobs_svc.Inline(env))
    assert jobs_svc.report(f"settlement#{OCT}", env=env).status == "running"
    monkeypatch.setattr(SettlementRepository, "_settle_chunk", staticmethod(real))
    # the run is started again: it resumes the page, finishes the begun statement
    done = jobs_svc.start("settlement", OCT, "test", env=env, dispatcher=jobs_svc.Inline(env))
    assert done.status == "done"
    (st,) = w.repos.settlement.of_month(OCT, pid)
    assert st.payable == Money("192.00") and st.events == 3 and st.status == "payable"
    assert all(w.repos.events.get(i).status == "settled" for i in ids)


def test_a_provider_without_billing_is_deferred_and_paid_next_month(w, today, jobs):
    pid, admin, e, ids = october_home_care(w, today)
    today(date(2026, 11, 4))
    status, _, run = jobs("POST", "/v1/jobs/settlement", MUNI, body={"month": OCT})
    assert status == 202 and [d["provider_id"] for d in run["deferred"]] == [pid]
    assert run["amounts"]["deferred"] == "192.00" and "statements" not in run["counts"]
    assert w.repos.events.get(ids[0]).status == "recorded"
    # billing is filled in; November's run pays October's events
    with_billing(w.repos, pid)
    today(date(2026, 12, 4))
    status, _, nov = jobs("POST", "/v1/jobs/settlement", MUNI, body={"month": "2026-11"})
    assert status == 202 and nov["amounts"]["payable"] == "192.00" and nov["deferred"] == []


def test_a_credit_filed_after_the_run_is_deducted_in_the_next(w, today, jobs, settlement):
    pid, admin, e, ids = october_home_care(w, today)
    with_billing(w.repos, pid, send_pdf=False)
    today(date(2026, 11, 4))
    jobs("POST", "/v1/jobs/settlement", MUNI, body={"month": OCT})
    today(date(2026, 11, 10))
    status, _, cr = w.call("POST", "/v1/credits", MUNI, body={"event_id": ids[0], "reason": "double visit"})
    assert status == 201, cr
    today(date(2026, 12, 4))
    status, _, nov = jobs("POST", "/v1/jobs/settlement", MUNI, body={"month": "2026-11"})
    (st,) = w.repos.settlement.of_month("2026-11", pid)
    assert (st.credits, st.total, st.payable, st.carried_out) == (1, Money("-64.00"), Money("0.00"), Money("-64.00"))


@pytest.fixture
def invoice_mode(repos):
    from seteli.domain.tenant import SettlementMode
    from seteli.services import tenant_config

    tenant = repos.tenant.get()
    services = [s.model_copy(update={"invoice_reference_prefix": f"VAM{s.id[:2].upper()}"}) for s in tenant.services]
    repos.tenant.put(
        tenant.model_copy(update={"settlement_mode": SettlementMode.provider_invoice, "services": services})
    )
    tenant_config.forget()
    yield
    tenant_config.forget()


def test_provider_invoice_mode_reference_total_and_matching(w, today, settlement, invoice_mode):
    pid, admin, e, ids = october_home_care(w, today)
    today(date(2026, 11, 2))
    path = f"/v1/providers/{pid}/invoice-references"
    status, _, early = settlement("POST", path, admin, body={"service_id": HOME, "month": "2026-11"})
    assert status == 422 and early["errors"][0]["field"] == "body.month"
    status, _, ref = settlement("POST", path, admin, body={"service_id": HOME, "month": OCT})
    assert status == 200, ref
    assert ref["reference"].startswith("VAMHO") and ref["payable"] == "192.00" and ref["status"] == "awaiting_invoice"
    status, _, again = settlement("POST", path, admin, body={"service_id": HOME, "month": OCT})
    assert again["reference"] == ref["reference"] and again["payable"] == "192.00"
    other = provider_claims("prv-someone-else", "provider_admin")
    status, _, _ = settlement("POST", path, other, body={"service_id": HOME, "month": OCT})
    assert status == 403

    check = {"reference": ref["reference"], "amount": "190.00", "invoice_number": "1001"}
    status, _, wrong = settlement("POST", "/v1/settlements/invoice-checks", MUNI, body=check)
    assert status == 200 and wrong["matched"] is False and wrong["problems"][0]["field"] == "body.amount"
    spaced = " ".join(ref["reference"][i : i + 4] for i in range(0, len(ref["reference"]), 4))
    status, _, ok = settlement(
        "POST", "/v1/settlements/invoice-checks", MUNI, body={**check, "reference": spaced, "amount": "192.00"}
    )
    assert status == 200 and ok["matched"] is True and ok["statement"]["status"] == "invoice_matched"
    status, _, twice = settlement("POST", "/v1/settlements/invoice-checks", MUNI, body={**check, "amount": "192.00"})
    assert status == 409
    status, _, _ = settlement("POST", "/v1/settlements/invoice-checks", admin, body=check)
    assert status == 403
