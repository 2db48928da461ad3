"""`seteli entitlements own-share` and `seteli me events` against a simulated API (httpx.MockTransport)."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests import client_fakes
from tests.factories import client_token

PDF = b"%PDF-1.3\n...JKL-1...\n%%EOF\n"
CSV = "\ufeffPäivä;Palvelusisältö\r\n9.3.2026;Kotihoito\r\n".encode()
LINE = {
    "record": "event", "record_id": "ev-1", "first_day": "2026-03-09", "last_day": "2026-03-09",
    "start_time": "08:00", "end_time": "12:00", "content_id": "home-care-weekday", "content_name": "Kotihoito arkisin",
    "provider_id": "prv-a", "provider_name": "Aurinkohoiva Oy", "part_id": None, "part_name": None,
    "quantity": "20.00", "unit": "hour", "unit_price": "34.00", "unit_value": "32.00", "price_total": "680.00",
    "municipality": "640.00", "own_share": "40.00", "travel": "0.00", "status": "recorded",
    "pending_approval": False, "credited": False, "paid_elsewhere": None, "note": None,
}  # fmt: skip
PENDING = {**LINE, "record_id": "ev-2", "first_day": "2026-03-11", "last_day": "2026-03-11", "quantity": "2.25",
           "status": "pending_approval", "pending_approval": True, "own_share": "4.50"}  # fmt: skip
SPEC = {
    "decision_number": "JKL-1", "kind": "voucher", "service_id": "home-care", "service_name": "Kotihoito",
    "customer_name": "Lehtonen Aino", "period_start": "2026-03-01", "period_end": "2026-03-31",
    "value_kind": "voucher_value", "provider_id": None, "lines": [LINE, PENDING],
    "totals": {"price_total": "756.50", "municipality": "712.00", "own_share": "44.50", "travel": "0.00",
               "pending_municipality": "72.00", "pending_own_share": "4.50", "lines": 2, "pending_lines": 1,
               "credited_lines": 0},
}  # fmt: skip
EVENT = {
    "id": "ev-1", "record": "event", "decision_number": "JKL-1", "service_id": "home-care",
    "service_name": "Kotihoito", "content_id": "home-care-weekday", "content_name": "Kotihoito arkisin",
    "provider_id": "prv-a", "provider_name": "Aurinkohoiva Oy", "part_name": None, "first_day": "2026-03-11",
    "last_day": "2026-03-11", "start_time": "09:00", "end_time": "11:15", "quantity": "2.25", "unit": "hour",
    "status": "pending_approval", "pending_approval": True, "credited": False, "reason": None,
    "price_total": "76.50", "value": "72.00", "own_share": "4.50",
}  # fmt: skip


class FakeApi(client_fakes.RecordingApi):
    def __init__(self, *, pdf_as_base64: bool = False) -> None:
        super().__init__()
        self.pdf_as_base64 = pdf_as_base64
        self.accepts: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        _, path, _, params = self.record(request)
        self.accepts.append(request.headers.get("Accept", ""))
        if path == "/v1/entitlements/JKL-1/own-share":
            if params.get("from") == "2026-03-31":
                return client_fakes.problem(422, "the period ends before it starts", "query.to")
            accept = request.headers.get("Accept", "")
            if accept == "application/pdf":
                body = base64.b64encode(PDF) if self.pdf_as_base64 else PDF
                return httpx.Response(200, content=body, headers={"Content-Type": "application/pdf"})
            if accept == "text/csv":
                return httpx.Response(200, content=CSV, headers={"Content-Type": "text/csv; charset=utf-8"})
            return httpx.Response(200, json=SPEC)
        if path == "/v1/entitlements/JKL-X/own-share":
            return client_fakes.problem(404, "no entitlement JKL-X that you may see")
        if path == "/v1/me/events":
            if params.get("customer_id") == "cus-other":
                return client_fakes.problem(403, "you may not act for this customer")
            return httpx.Response(200, json={"items": [EVENT], "next": None})
        return client_fakes.problem(404, "no such route")


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in()
    return FakeApi()


def test_own_share_table_with_totals_and_pending(api, capsys):
    assert (
        client_fakes.run(api, "entitlements", "own-share", "JKL-1", "--from", "2026-03-01", "--to", "2026-03-31") == 0
    )
    out = capsys.readouterr().out
    assert "JKL-1" in out and "Kotihoito arkisin" in out and "2026-03-09 08:00-12:00" in out
    assert "640.00" in out and "40.00" in out and "PENDING APPROVAL" in out
    assert "own share 44.50 EUR" in out and "pending approval: own share 4.50" in out
    assert api.calls[-1][3] == {"from": "2026-03-01", "to": "2026-03-31"}


def test_own_share_json_and_default_period(api, capsys):
    assert client_fakes.run(api, "--json", "entitlements", "own-share", "JKL-1") == 0
    assert json.loads(capsys.readouterr().out)["totals"]["own_share"] == "44.50"
    assert api.calls[-1][3] == {}


def test_own_share_csv_is_saved_as_sent(api, tmp_path, capsys):
    assert client_fakes.run(api, "entitlements", "own-share", "JKL-1", "--csv", "x.csv") == 0
    assert (tmp_path / "x.csv").read_bytes() == CSV and api.accepts[-1] == "text/csv"
    assert "Wrote the own-share specification (CSV) to x.csv" in capsys.readouterr().out


@pytest.mark.parametrize("as_base64", [False, True])
def test_own_share_pdf_is_saved_decoded(tmp_path, monkeypatch, capsys, as_base64):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in()
    api = FakeApi(pdf_as_base64=as_base64)
    assert client_fakes.run(api, "entitlements", "own-share", "JKL-1", "--pdf", "x.pdf") == 0
    assert (tmp_path / "x.pdf").read_bytes() == PDF and api.accepts[-1] == "application/pdf"


def test_own_share_refusals(api, capsys):
    assert client_fakes.run(api, "entitlements", "own-share", "JKL-X") == 1
    assert "no entitlement JKL-X" in capsys.readouterr().err
    assert client_fakes.run(api, "entitlements", "own-share", "JKL-1", "--from", "2026-03-31") == 1
    assert client_fakes.run(api, "entitlements", "own-share", "JKL-1", "--from", "1.3.2026") == 2
    assert "--from: give a day as YYYY-MM-DD" in capsys.readouterr().err
    assert client_fakes.run(api, "entitlements", "own-share", "JKL-1", "--csv", "a", "--pdf", "b") == 2
    assert "not allowed with argument --csv" in capsys.readouterr().err


def test_my_events(tmp_path, monkeypatch, capsys):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in(client_token(None, "citizen"))
    api = FakeApi()
    assert client_fakes.run(api, "me", "events", "--from", "2026-03-01") == 0
    out = capsys.readouterr().out
    assert "2026-03-11 09:00-11:15" in out and "Aurinkohoiva Oy" in out and "PENDING APPROVAL" in out
    assert "4.50" in out and api.calls[-1][1:] == ("/v1/me/events", None, {"from": "2026-03-01"})
    assert client_fakes.run(api, "me", "events", "--customer", "cus-mum") == 0
    assert api.calls[-1][3] == {"customer_id": "cus-mum"}
    assert client_fakes.run(api, "me", "events", "--for", "cus-other") == 1
    assert "may not act for this customer" in capsys.readouterr().err
    assert client_fakes.run(api, "--json", "me", "events") == 0
    assert json.loads(capsys.readouterr().out)[0]["id"] == "ev-1"
