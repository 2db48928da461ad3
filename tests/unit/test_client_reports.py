"""`seteli report realisation|interruptions` against a simulated API (httpx.MockTransport)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests import client_fakes

ROW = {
    "decision_number": "JKL-1", "customer_id": "cus-1", "service_id": "home-care", "content_id": "weekday",
    "provider_id": "prv-a", "part_id": None, "unit": "hour", "granted": "10.00 h / week", "used": "6.00",
    "settled": "192.00", "credited": "0.00", "own_share": "12.00", "pending": "0.00", "incomplete": "1.50",
    "incomplete_auto": "1.50", "interruption_days": 0, "interruption_value": "0.00",
}  # fmt: skip
REALISATION = {
    "from_month": "2026-10", "to_month": "2026-10", "first_day": "2026-10-01", "last_day": "2026-10-31",
    "provider_id": None,
    "rows": [ROW, {**ROW, "decision_number": "JKL-2", "provider_id": "prv-b", "part_id": "site-b", "incomplete": "0.00",
                   "incomplete_auto": "0.00", "settled": "1234.50"}],
    "totals": {"entitlements": 2, "customers": 1, "settled": "1426.50", "credited": "64.00", "own_share": "24.00",
               "interruption_days": 0, "interruption_value": "0.00",
               "units": [{"unit": "hour", "used": "12.00", "pending": "0.00", "incomplete": "1.50"}]},
}  # fmt: skip
INTERRUPTIONS = {
    "service_id": "assisted-living", "from_month": "2026-10", "to_month": "2026-10", "first_day": "2026-10-01",
    "last_day": "2026-10-31", "provider_id": "prv-a",
    "interruptions": [
        {"id": "int-1", "decision_number": "JKL-2", "customer_id": "cus-2", "content_id": "care-day",
         "provider_id": "prv-a", "part_id": None, "reason": "hospital", "departure_day": "2026-10-02",
         "return_day": "2026-10-17", "status": "recorded", "days": 16, "value": "1140.00", "total_value": "1140.00",
         "bands": [{"band": "days 11-", "percent": 0, "days": 4, "value": "0.00", "paid_elsewhere": 0},
                   {"band": "return day", "percent": 100, "days": 1, "value": "0.00", "paid_elsewhere": 1}]},
        {"id": "int-2", "decision_number": "JKL-3", "customer_id": "cus-3", "content_id": "care-day",
         "provider_id": "prv-a", "part_id": None, "reason": "holiday", "departure_day": "2026-10-25",
         "return_day": None, "status": "draft", "days": 0, "value": "0.00", "total_value": "0.00", "bands": []},
    ],
    "summary": [{"reason": "hospital", "band": "days 11-", "percent": 0, "days": 4, "value": "0.00"}],
    "totals": {"interruptions": 2, "open": 1, "days": 16, "value": "1140.00"},
}  # fmt: skip
CSV = "\ufeffPäätös;Asiakas\r\nJKL-1;cus-1\r\n"


class FakeApi(client_fakes.RecordingApi):
    def __call__(self, request: httpx.Request) -> httpx.Response:
        _, path, _, params = self.record(request)
        if params.get("provider_id") == "prv-other":
            return client_fakes.problem(403, "you may read only your own provider's reports")
        if params.get("format") == "csv":
            return httpx.Response(200, content=CSV.encode(), headers={"Content-Type": "text/csv; charset=utf-8"})
        if path == "/v1/reports/realisation":
            return httpx.Response(200, json=REALISATION)
        if path == "/v1/reports/interruptions":
            return httpx.Response(200, json=INTERRUPTIONS)
        return client_fakes.problem(404, "no such route")


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in()
    return FakeApi()


OCT = ("--from", "2026-10", "--to", "2026-10")


def test_realisation_is_a_table_with_totals(api, capsys):
    assert client_fakes.run(api, "report", "realisation", *OCT, "--service", "home-care", "--customer", "cus-1") == 0
    out = capsys.readouterr().out
    assert "JKL-1" in out and "10.00 h / week" in out and "1.50 (1.50 auto)" in out and "192,00 €" in out
    assert "prv-b / site-b" in out  # several providers: each row names its own
    assert "1 234,50 €" in out and "(credited 64,00 €)" in out and "hour: used 12.00" in out
    assert "Incomplete units are drafts" in out
    _, _, params = api.last("GET")
    assert params == {"from": "2026-10", "to": "2026-10", "service_id": "home-care", "customer_id": "cus-1"}
    assert client_fakes.run(api, "--json", "report", "realisation", *OCT) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["settled"] == "1426.50"


def test_realisation_csv_to_a_file_or_standard_output(api, tmp_path, capsys):
    assert client_fakes.run(api, "report", "realisation", *OCT, "--csv", "r.csv") == 0
    assert (tmp_path / "r.csv").read_bytes() == CSV.encode()  # as the API sent it: Excel needs the BOM
    assert "Wrote the customers and realisation report to r.csv." in capsys.readouterr().out
    assert api.last("GET")[2]["format"] == "csv"
    assert client_fakes.run(api, "report", "realisation", *OCT, "--csv", "-") == 0
    assert capsys.readouterr().out == "Päätös;Asiakas\r\nJKL-1;cus-1\r\n"


def test_refusals_and_bad_months(api, capsys):
    assert client_fakes.run(api, "report", "realisation", *OCT, "--provider", "prv-other") == 1
    assert "only your own provider" in capsys.readouterr().err
    calls = len(api.calls)
    assert client_fakes.run(api, "report", "realisation", "--from", "10/2026", "--to", "2026-10") == 2
    assert "--from: give a month as YYYY-MM" in capsys.readouterr().err
    assert client_fakes.run(api, "report", "realisation", "--from", "2026-10", "--to", "2026-09") == 2
    assert "--to" in capsys.readouterr().err
    assert len(api.calls) == calls  # refused before asking the API
    assert client_fakes.run(api, "report", "interruptions", *OCT) == 2  # the report is per service
    assert "required: --service" in capsys.readouterr().err


def test_interruptions_by_band_and_open_ones(api, capsys):
    args = ("report", "interruptions", "--service", "assisted-living", *OCT, "--part", "site-1")
    assert client_fakes.run(api, *args) == 0
    out = capsys.readouterr().out
    assert "JKL-2  hospital  2026-10-02..2026-10-17  recorded  16 d in range  1 140,00 €" in out
    assert "days 11-: 4 d at 0 % = 0,00 €" in out and "(1 paid in another record)" in out
    assert "2026-10-25..open  draft" in out and "2 interruptions (1 open), 16 days, 1 140,00 €" in out
    assert "hospital days 11- at 0 %: 4 d" in out
    _, _, params = api.last("GET")
    assert params["service_id"] == "assisted-living" and params["part_id"] == "site-1"
