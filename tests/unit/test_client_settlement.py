"""`seteli job`, `seteli settlement` and `seteli invoice` against a simulated API (httpx.MockTransport)."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from seteli_client.commands import settlement as cmds
from tests import client_fakes
from tests.factories import client_token

PDF = b"%PDF-1.3\nmaksuerittely\n%%EOF\n"
CSV = (
    "record_type;run_month;payment_date;business_id;provider_name;iban;bic;service_id;amount;currency;"
    "reference;message;statement_id\r\n"
    "P;2026-10;2026-11-04;0112038-9;A Oy;FI2112345600000785;NDEAFIHH;home-care;1172.00;EUR;RF3826100112038903;"
    "Palveluseteli home-care 2026-10;stl-2026-10-prv-a~home-care\r\n"
    "P;2026-10;2026-11-04;0112038-9;A Oy;FI2112345600000785;NDEAFIHH;cleaning;60.50;EUR;RF0426100112038904;"
    "Palveluseteli cleaning 2026-10;stl-2026-10-prv-a~cleaning\r\n"
    "T;2026-10;2026-11-04;demo;Demokunta;;;;1232.50;EUR;;2;\r\n"
)
STATEMENT = {
    "id": "stl-2026-10-prv-a~home-care", "month": "2026-10", "provider_id": "prv-a", "service_id": "home-care",
    "mode": "self_billing", "events": 3, "interruptions": 0, "credits": 1, "events_total": "192.00",
    "interruptions_total": "0.00", "credits_total": "20.00", "own_share_total": "12.00", "total": "172.00",
    "carried_in": "0.00", "payable": "1172.00", "carried_out": "0.00", "reference": "RF3826100112038903",
    "status": "payable", "invoice": None,
}  # fmt: skip
LINE = {"kind": "credit", "record_id": "ev-1", "decision_number": "JKL-1", "first_day": "2026-10-05",
        "last_day": "2026-10-05", "quantity": None, "unit": None, "amount": "-20.00"}  # fmt: skip


def run_report(job: str, status: str, done: list[int], **kw) -> dict:
    return {
        "id": f"{job}#2026-10", "job": job, "month": "2026-10", "day": None, "status": status, "attempt": 1,
        "pages_total": 2, "pages_done": done, "counts": {"statements": 4}, "amounts": {"payable": "2593.34"},
        "deferred": [{"provider_id": "prv-b", "provider_name": "B Oy", "reason": "no billing information"}],
        "notes": ["prv-c: no events"], "files": {"finance_file": "settlements/2026-10/finance.csv"}, **kw,
    }  # fmt: skip


class FakeApi(client_fakes.RecordingApi):
    def __init__(self) -> None:
        super().__init__()
        self.polls = [run_report("settlement", "running", [0]), run_report("settlement", "done", [0, 1])]
        self.headers: list[httpx.Headers] = []
        self.pdf = PDF

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method, path, body, params = self.record(request)
        self.headers.append(request.headers)
        if path == "/v1/jobs/settlement" and method == "POST":
            return httpx.Response(202, json=run_report("settlement", "running", []))
        if path == "/v1/jobs/settlement":
            return httpx.Response(200, json=self.polls.pop(0))
        if path == "/v1/jobs/reminders" and method == "GET":
            return httpx.Response(200, json=run_report("reminders", "done", [0, 1], day=params.get("day")))
        if path == "/v1/jobs/reminders":
            return client_fakes.problem(403, "only the municipality's admins run the monthly jobs")
        if path == "/v1/settlements":
            return httpx.Response(200, json={"month": params["month"], "statements": [STATEMENT]})
        if path == f"/v1/settlements/statements/{STATEMENT['id']}":
            return httpx.Response(200, json={"statement": STATEMENT, "lines": [LINE]})
        if path.startswith("/v1/settlements/statements/"):
            return client_fakes.problem(404, "no such statement")
        if path in ("/v1/settlements/2026-10/providers/prv-a/pdf", "/v1/settlements/2026-10/providers/prv-x/pdf"):
            return httpx.Response(200, content=self.pdf, headers={"Content-Type": "application/pdf"})
        if path == "/v1/settlements/2026-10/finance-file":
            return httpx.Response(200, content=CSV.encode(), headers={"Content-Type": "text/csv; charset=utf-8"})
        if path == "/v1/settlements/2026-09/finance-file":
            return client_fakes.problem(403, "the finance file is the municipality's")
        if path == "/v1/providers/prv-a/invoice-references" and method == "POST":
            if body["service_id"] == "cleaning":
                return client_fakes.problem(409, "the statement is being settled: try again in a moment")
            return httpx.Response(200, json={**STATEMENT, "reference": "VAMHO2610011203898", "payable": "192.00"})
        if path == "/v1/providers/prv-a/invoice-references":
            return httpx.Response(200, json={"month": params["month"], "statements": [STATEMENT]})
        if path == "/v1/settlements/invoice-checks":
            if body["invoice_number"] == "":
                return client_fakes.problem(422, "invalid", field="body.invoice_number", errors=None)
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
    assert err.splitlines() == [
        "settlement [------------------------------] 0/2 pages",
        "settlement [###############---------------] 1/2 pages",
        "settlement [##############################] 2/2 pages",
    ]
    assert "settlement 2026-10: done (attempt 1, 2/2 pages)" in out
    assert "statements: 4" in out and "payable: 2 593,34 €" in out
    assert "B Oy (prv-b): no billing information" in out and "prv-c: no events" in out
    assert "finance_file: settlements/2026-10/finance.csv" in out
    assert api.calls[0][:3] == ("POST", "/v1/jobs/settlement", {"month": "2026-10"})
    assert [(c[0], c[3]) for c in api.calls[1:]] == [("GET", {"month": "2026-10"})] * 2
    assert not api.polls  # polled until done, and no further


def test_job_run_without_waiting_refused_and_bad_month(api, capsys):
    assert client_fakes.run(api, "--json", "job", "run", "settlement", "--no-wait") == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["status"] == "running" and err == ""
    assert api.calls == [("POST", "/v1/jobs/settlement", {}, {})]
    assert client_fakes.run(api, "job", "run", "reminders") == 1
    assert "403" in (err := capsys.readouterr().err) and "only the municipality's admins" in err
    assert client_fakes.run(api, "job", "run", "settlement", "--month", "10/2026") == 2
    assert "--month: give a month as YYYY-MM" in capsys.readouterr().err
    assert client_fakes.run(api, "job", "run", "payroll") == 2
    assert len(api.calls) == 2


def test_job_status_of_a_reminders_day(api, capsys):
    assert client_fakes.run(api, "job", "status", "reminders", "--month", "2026-10", "--day", "2026-10-20") == 0
    assert "reminders 2026-10 2026-10-20: done" in capsys.readouterr().out
    assert api.last("GET") == ("/v1/jobs/reminders", None, {"month": "2026-10", "day": "2026-10-20"})
    assert client_fakes.run(api, "job", "status", "reminders", "--day", "20.10.2026") == 2
    assert len(api.calls) == 1


def test_settlement_list_and_show(api, capsys):
    assert client_fakes.run(api, "settlement", "list", "--month", "2026-10", "--provider", "prv-a") == 0
    out = capsys.readouterr().out
    header = out.splitlines()[1].split()
    assert header[:5] == ["PROVIDER", "SERVICE", "EVENTS", "INTERRUPTIONS", "CREDITS"]
    assert "RF3826100112038903" in out and "1 172,00 €" in out and "172,00 €" in out and "payable" in out
    assert api.last("GET") == ("/v1/settlements", None, {"month": "2026-10", "provider_id": "prv-a"})
    assert client_fakes.run(api, "settlement", "show", STATEMENT["id"]) == 0
    out = capsys.readouterr().out
    assert "JKL-1" in out and "-20,00 €" in out and "credits 20,00 €" in out and "2026-10-05..2026-10-05" in out
    assert client_fakes.run(api, "settlement", "show", "stl-nope") == 1
    assert "404" in (err := capsys.readouterr().err) and "no such statement" in err


def test_settlement_pdf_default_provider_and_another(api, tmp_path, capsys):
    assert client_fakes.run(api, "settlement", "pdf", "--month", "2026-10", "-o", "m.pdf") == 0
    assert (tmp_path / "m.pdf").read_bytes() == PDF
    assert api.calls[-1][1] == "/v1/settlements/2026-10/providers/prv-a/pdf"  # the signed-in provider's
    assert api.headers[-1]["Accept"] == "application/pdf"
    assert "m.pdf" in capsys.readouterr().out
    api.pdf = base64.b64encode(PDF)  # through API Gateway without binary media types
    assert client_fakes.run(api, "settlement", "pdf", "--month", "2026-10", "--provider", "prv-x") == 0
    assert (tmp_path / "maksuerittely-2026-10-prv-x.pdf").read_bytes() == PDF


def test_settlement_finance_file(api, tmp_path, capsys):
    assert client_fakes.run(api, "settlement", "finance-file", "--month", "2026-10") == 0
    assert (tmp_path / "finance-2026-10.csv").read_bytes() == CSV.encode()
    assert "2 payments, 1 232,50 € in all" in capsys.readouterr().out
    assert client_fakes.run(api, "--json", "settlement", "finance-file", "--month", "2026-10", "-o", "f.csv") == 0
    assert json.loads(capsys.readouterr().out) == {"file": "f.csv", "payments": 2, "total": "1232.50"}
    assert client_fakes.run(api, "settlement", "finance-file", "--month", "2026-09", "-o", "x.csv") == 1
    assert "the finance file is the municipality's" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_invoice_reference_and_list(api, capsys):
    assert client_fakes.run(api, "invoice", "reference", "--service", "home-care", "--month", "2026-10") == 0
    out = capsys.readouterr().out
    assert "Viite / Reference:  VAMHO2610011203898" in out and "Summa / Total:      192,00 €" in out
    body = {"service_id": "home-care", "month": "2026-10"}
    assert api.last("POST") == ("/v1/providers/prv-a/invoice-references", body, {})
    assert client_fakes.run(api, "invoice", "reference", "--service", "cleaning", "--month", "2026-10") == 1
    assert "409" in (err := capsys.readouterr().err) and "try again in a moment" in err
    assert client_fakes.run(api, "invoice", "list", "--month", "2026-10") == 0
    assert "RF3826100112038903" in capsys.readouterr().out
    assert api.last("GET") == ("/v1/providers/prv-a/invoice-references", None, {"month": "2026-10"})


def test_invoice_check_matched_not_matched_and_refused(api, capsys):
    check = ("invoice", "check", "--reference", "RF38 2610 0112 0389 03", "--number", "INV-1", "--amount")
    assert client_fakes.run(api, *check, "1172,00") == 0
    assert "Matched: invoice INV-1" in capsys.readouterr().out
    assert api.last("POST")[1] == {"reference": "RF3826100112038903", "amount": "1172.00", "invoice_number": "INV-1"}
    assert client_fakes.run(api, *check, "1.00") == 1
    assert "body.amount: the invoice's total must be 1172.00 EUR" in capsys.readouterr().out
    assert client_fakes.run(api, "--json", *check, "1.00") == 1
    assert json.loads(capsys.readouterr().out)["matched"] is False
    n = len(api.calls)
    assert client_fakes.run(api, *check, "12 EUR") == 2
    assert "--amount" in capsys.readouterr().err and len(api.calls) == n
    assert client_fakes.run(api, "invoice", "check", "--reference", "RF38", "--amount", "1", "--number", "") == 1
    assert "body.invoice_number: invalid" in capsys.readouterr().err


def test_money_is_shown_the_finnish_way():
    assert cmds.eur("1234567.5") == "1 234 567,50 €" and cmds.eur("-20.00") == "-20,00 €" and cmds.eur(None) == "0,00 €"
    assert cmds.eur("999.99") == "999,99 €" and cmds.eur("1000") == "1 000,00 €"
    assert (
        cmds.bar("x", 3, 10, width=10) == "x [###-------] 3/10 pages"
        and cmds.bar("x", 0, 0, width=4) == "x [####] 0/0 pages"
    )
