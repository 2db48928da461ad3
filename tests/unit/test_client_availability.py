"""`seteli provider availability list|set` against a simulated API (httpx.MockTransport)."""

from __future__ import annotations

import httpx
import pytest

from tests import client_fakes

SAVED = {
    "provider_id": "prv-a", "service_id": "home-care", "starts_within_days": 7, "free_places": 2, "note": None,
    "updated_at": "2026-11-23T10:00:00Z", "updated_by": "sub", "version": 2,
}  # fmt: skip


class FakeApi(client_fakes.RecordingApi):
    def __call__(self, request: httpx.Request) -> httpx.Response:
        method, path, body, _ = self.record(request)
        if path == "/v1/providers/prv-a/availability" and method == "GET":
            return httpx.Response(200, json={"items": [{**SAVED, "version": 1}]})
        if path == "/v1/providers/prv-a/availability/home-care" and method == "PUT":
            return httpx.Response(200, json={**SAVED, **{k: v for k, v in body.items() if k != "version"}})
        if path.startswith("/v1/providers/prv-a/availability/"):
            return client_fakes.problem(404, "no service nope in this municipality", "path.service_id")
        return client_fakes.problem(403, "you may only see your own provider's data")


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in()
    return FakeApi()


def test_list_shows_how_soon(api, capsys):
    assert client_fakes.run(api, "provider", "availability", "list", "--provider", "prv-a") == 0
    out = capsys.readouterr().out
    assert "home-care" in out and "within 7 days" in out


def test_set_sends_the_version_read(api, capsys):
    args = ("provider", "availability", "set", "home-care", "--days", "3", "--places", "2", "--provider", "prv-a")
    assert client_fakes.run(api, *args) == 0
    method, _, body, _ = api.calls[-1]
    assert method == "PUT" and body == {"starts_within_days": 3, "free_places": 2, "note": None, "version": 1}
    assert "within 3 days" in capsys.readouterr().out
    assert client_fakes.run(api, "provider", "availability", "set", "home-care", "--queue", "--provider", "prv-a") == 0
    assert api.calls[-1][2]["starts_within_days"] is None
    assert client_fakes.run(api, "provider", "availability", "set", "home-care", "--now", "--provider", "prv-a") == 0
    assert api.calls[-1][2]["starts_within_days"] == 0


def test_set_refuses_unclear_input(api, capsys):
    base = ("provider", "availability", "set", "home-care", "--provider", "prv-a")
    assert client_fakes.run(api, *base) == 2  # neither --days, --now nor --queue
    assert client_fakes.run(api, *base, "--now", "--queue") == 2
    assert client_fakes.run(api, *base, "--days", "400") == 2
    assert client_fakes.run(api, "provider", "availability", "set", "nope", "--now", "--provider", "prv-a") == 1
    assert "no service nope" in capsys.readouterr().err
