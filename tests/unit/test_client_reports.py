"""`seteli report realisation|interruptions` against a simulated API (httpx.MockTransport)."""

from __future__ import annotations

import httpx
import pytest

from tests import client_fakes

REALISATION = {
    "from_month": "2026-10", "to_month": "2026-10",
    "rows": [{"decision_number": "JKL-1", "customer_id": "cus-1", "service_id": "home-care", "content_id": "weekday",
              "provider_id": "prv-a", "part_id": None, "unit": "hour", "granted": "10.00 hour / week", "used": "6.00",
              "settled": "192.00", "own_share": "12.00", "pending": "0.00", "incomplete": "1.50",
              "interruption_days": 0, "interruption_value": "0.00"}],
    "totals": {"settled": "192.00", "own_share": "12.00", "interruption_days": 0, "interruption_value": "0.00"},
}  # fmt: skip
INTERRUPTIONS = {
    "service_id": "assisted-living", "from_month": "2026-10", "to_month": "2026-10",
    "interruptions": [{"id": "int-1", "decision_number": "JKL-2", "provider_id": "prv-a", "part_id": None,
                       "reason": "hospital", "departure_day": "2026-10-02", "return_day": "2026-10-17",
                       "status": "recorded", "value": "1140.00",
                       "bands": [{"band": "days 11-14", "percent": 0, "days": 4, "value": "0.00"}]}],
    "summary": [{"reason": "hospital", "percent": 0, "days": 4, "value": "0.00"}],
}  # fmt: skip


class FakeApi(client_fakes.RecordingApi):
    def __call__(self, request: httpx.Request) -> httpx.Response:
        _, path, _, params = self.record(request)
        if params.get("format") == "csv":
            return httpx.Response(200, content="\ufeffPäätös;x\r\n".encode(), headers={"Content-Type": "text/csv"})
        if path == "/v1/reports/realisation":
            if params.get("provider_id") == "prv-other":
                return client_fakes.problem(403, "you may read only your own provider's reports")
            return httpx.Response(200, json=REALISATION)
        if path == "/v1/reports/interruptions":
            return httpx.Response(200, json=INTERRUPTIONS)
        return client_fakes.problem(404, "no such route")


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in()
    return FakeApi()


def test_realisation_table_csv_and_refusal(api, tmp_path, capsys):
    assert client_fakes.run(api, "report", "realisation", "--from", "2026-10", "--to", "2026-10") == 0
    out = capsys.readouterr().out
    assert "JKL-1" in out and "192,00 €" in out and "1.50" in out and "10.00 hour / week" in out
    assert client_fakes.run(api, "report", "realisation", "--from", "2026-10", "--to", "2026-10", "--csv", "r.csv") == 0
    assert (tmp_path / "r.csv").read_bytes().startswith("\ufeffPäätös".encode())
    assert api.calls[-1][3]["format"] == "csv"
    assert (
        client_fakes.run(
            api, "report", "realisation", "--from", "2026-10", "--to", "2026-10", "--provider", "prv-other"
        )
        == 1
    )
    assert "only your own provider" in capsys.readouterr().err
    assert client_fakes.run(api, "report", "realisation", "--from", "10/2026", "--to", "2026-10") == 2


def test_interruptions_by_band(api, capsys):
    args = ("report", "interruptions", "--service", "assisted-living", "--from", "2026-10", "--to", "2026-10")
    assert client_fakes.run(api, *args) == 0
    out = capsys.readouterr().out
    assert "days 11-14: 4 d at 0 %" in out and "1 140,00 €" in out
    assert api.calls[-1][3]["service_id"] == "assisted-living"
