"""`seteli job`, `seteli settlement` and `seteli invoice` against a simulated API (httpx.MockTransport)."""

from __future__ import annotations

import json

import httpx
import pytest

from seteli_client.commands import settlement as cmds
from tests import client_fakes
from tests.factories import client_token

PDF = b"%PDF-1.3\nmaksuerittely\n%%EOF\n"
CSV = "record_type;run_month\r\nP;2026-10\r\nT;2026-10\r\n"
STATEMENT = {
    "id": "stl-2026-10-prv-a~home-care", "month": "2026-10", "provider_id": "prv-a", "service_id": "home-care",
    "mode": "self_billing", "events": 3, "interruptions": 0, "credits": 1, "events_total": "192.00",
    "interruptions_total": "0.00", "credits_total": "20.00", "own_share_total": "12.00", "total": "172.00",
    "carried_in": "0.00", "payable": "1172.00", "carried_out": "0.00", "reference": "RF3826100112038903",
    "status": "payable",
}  # fmt: skip


def run_report(status: str, done: list[int]) -> dict:
    return {
        "id": "settlement#2026-10", "job": "settlement", "month": "2026-10", "status": status, "attempt": 1,
        "pages_total": 2, "pages_done": done, "counts": {"statements": 4}, "amounts": {"payable": "2593.34"},
        "deferred": [{"provider_id": "prv-b", "provider_name": "B Oy", "reason": "no billing information"}],
        "notes": [], "files": {"finance_file": "settlements/2026-10/finance.csv"},
    }  # fmt: skip


class FakeApi(client_fakes.RecordingApi):
    def __init__(self) -> None:
        super().__init__()
        self.polls = [run_report("running", [0]), run_report("done", [0, 1])]
        self.accepts: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method, path, body, params = self.record(request)
        self.accepts.append(request.headers.get("Accept", ""))
        if path == "/v1/jobs/settlement" and method == "POST":
            return httpx.Response(202, json=run_report("running", []))
        if path == "/v1/jobs/settlement":
            return httpx.Response(200, json=self.polls.pop(0) if self.polls else run_report("done", [0, 1]))
        if path == "/v1/jobs/reminders":
            return client_fakes.problem(403, "only the municipality's admins run the monthly jobs")
        if path == "/v1/settlements":
            return httpx.Response(200, json={"month": params["month"], "statements": [STATEMENT]})
        if path == f"/v1/settlements/statements/{STATEMENT['id']}":
            line = {"kind": "credit", "record_id": "ev-1", "decision_number": "JKL-1", "first_day": "2026-10-05",
                    "last_day": "2026-10-05", "quantity": None, "unit": None, "amount": "-20.00"}  # fmt: skip
            return httpx.Response(200, json={"statement": STATEMENT, "lines": [line]})
        if path == "/v1/settlements/2026-10/providers/prv-a/pdf":
            return httpx.Response(200, content=PDF, headers={"Content-Type": "application/pdf"})
        if path == "/v1/settlements/2026-10/finance-file":
            return httpx.Response(200, content=CSV.encode(), headers={"Content-Type": "text/csv"})
        if path == "/v1/providers/prv-a/invoice-references":
            return httpx.Response(200, json={**STATEMENT, "reference": "VAMHO2610011203898"})
        if path == "/v1/settlements/invoice-checks":
            if body["amount"] == "1172.00":
                return httpx.Response(200, json={"matched": True, "problems": [], "statement": STATEMENT})
            problems = [{"field": "body.amount", "reason": "the invoice's total must be 1172.00 EUR"}]
            return httpx.Response(200, json={"matched": False, "problems": problems, "statement": STATEMENT})
        return client_fakes.problem(404, "no such route")


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in(client_token("prv-a", "provider_admin"))
    monkeypatch.setattr(cmds, "POLL_S", 0)
    return FakeApi()


def test_job_run_follows_the_progress_and_summarises(api, capsys):
    assert client_fakes.run(api, "job", "run", "settlement", "--month", "2026-10") == 0
    out, err = capsys.readouterr()
    assert "[###############---------------] 1/2 pages" in err and "2/2 pages" in err
    assert "payable: 2 593,34 €" in out and "deferred: B Oy (prv-b): no billing information" in out
    assert api.calls[0][:3] == ("POST", "/v1/jobs/settlement", {"month": "2026-10"})
    assert [c[0] for c in api.calls] == ["POST", "GET", "GET"]


def test_job_run_without_waiting_and_refused(api, capsys):
    assert client_fakes.run(api, "--json", "job", "run", "settlement", "--no-wait") == 0
    assert json.loads(capsys.readouterr().out)["status"] == "running" and api.calls[-1][2] == {}
    assert client_fakes.run(api, "job", "run", "reminders") == 1
    assert "only the municipality's admins" in capsys.readouterr().err
    assert client_fakes.run(api, "job", "run", "settlement", "--month", "10/2026") == 2


def test_settlement_list_show_pdf_and_finance_file(api, tmp_path, capsys):
    assert client_fakes.run(api, "settlement", "list", "--month", "2026-10") == 0
    out = capsys.readouterr().out
    assert "RF3826100112038903" in out and "1 172,00 €" in out and "3/0/1" in out
    assert client_fakes.run(api, "settlement", "show", STATEMENT["id"]) == 0
    assert "credit" in capsys.readouterr().out
    assert client_fakes.run(api, "settlement", "pdf", "--month", "2026-10", "-o", "m.pdf") == 0
    assert (tmp_path / "m.pdf").read_bytes() == PDF and api.accepts[-1] == "application/pdf"
    assert client_fakes.run(api, "settlement", "finance-file", "--month", "2026-10") == 0
    assert (tmp_path / "finance-2026-10.csv").read_bytes() == CSV.encode()
    assert "Wrote 1 payments" in capsys.readouterr().out


def test_invoice_reference_and_check(api, capsys):
    assert client_fakes.run(api, "invoice", "reference", "--service", "home-care", "--month", "2026-10") == 0
    out = capsys.readouterr().out
    assert "VAMHO2610011203898" in out and "1 172,00 €" in out
    assert api.calls[-1][2] == {"service_id": "home-care", "month": "2026-10"}
    assert client_fakes.run(api, "invoice", "check", "--reference", "X", "--amount", "1172.00", "--number", "1") == 0
    assert "Matched" in capsys.readouterr().out
    assert client_fakes.run(api, "invoice", "check", "--reference", "X", "--amount", "1.00", "--number", "1") == 1
    assert "body.amount: the invoice's total must be 1172.00 EUR" in capsys.readouterr().out


def test_money_is_shown_the_finnish_way():
    assert cmds.eur("1234567.5") == "1 234 567,50 €" and cmds.eur("-20.00") == "-20,00 €" and cmds.eur(None) == "0,00 €"
