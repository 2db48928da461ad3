"""`seteli keys` and signing in with an API key, against a simulated API (httpx.MockTransport)."""

from __future__ import annotations

import io
import json
import time

import httpx
import pytest

from seteli_client import config
from seteli_client.sdk import Seteli, SeteliApiError
from tests import client_fakes
from tests.factories import client_token as token

API = client_fakes.API
KEY = "seteli_abcdefghijkl_" + "S" * 43


class FakeApi:
    """Keys of provider prv-a; a bearer token manages them, the key reads itself and the provider."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict | None, str]] = []
        self.keys: dict[str, dict] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        path, authz = request.url.path, request.headers.get("Authorization", "")
        self.calls.append((request.method, path, body, authz))
        if authz == f"ApiKey {KEY}":
            if path == "/v1/providers/api-keys/current":
                return httpx.Response(200, json=self.record("abcdefghijkl", "ERP", "2027-01-31"))
            if path == "/v1/providers/prv-a":
                return httpx.Response(200, json={"id": "prv-a", "name": "Aurinkohoiva Oy", "parts": []})
            return self.problem(403, "an API key cannot manage API keys: sign in as the provider's admin")
        if not authz.startswith("Bearer "):
            return httpx.Response(401, json={"message": "Unauthorized"})
        base = "/v1/providers/prv-a/api-keys"
        if not path.startswith(base):
            return self.problem(403, "you may only manage your own provider's API keys")
        rest = path.removeprefix(base).strip("/")
        if request.method == "POST" and not rest:
            if body["expires_on"] > "2030-01-01":
                return self.problem(422, "at most 365 days ahead", "body.expires_on")
            key_id = f"k{len(self.keys):011d}"
            self.keys[key_id] = self.record(key_id, body["name"], body["expires_on"])
            return httpx.Response(201, json={**self.keys[key_id], "key": f"seteli_{key_id}_{'x' * 43}"})
        if request.method == "GET" and not rest:
            return httpx.Response(200, json={"items": list(self.keys.values()), "next": None})
        if request.method == "DELETE" and rest in self.keys:
            self.keys[rest].update(status="revoked", revoked_at="2026-05-01T10:00:00Z")
            return httpx.Response(200, json=self.keys[rest])
        return self.problem(404, "no such API key for this provider")

    @staticmethod
    def record(key_id: str, name: str, expires_on: str) -> dict:
        return {
            "id": key_id,
            "provider_id": "prv-a",
            "name": name,
            "status": "active",
            "last4": "SSSS",
            "created_by": "sub-me",
            "created_at": "2026-04-01T08:00:00Z",
            "expires_on": expires_on,
            "revoked_at": None,
            "revoked_by": None,
            "version": 1,
        }

    problem = staticmethod(client_fakes.problem)


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    fake = FakeApi()
    client_fakes.sign_in()
    return fake


def run(fake: FakeApi, *argv: str) -> int:
    return client_fakes.run(fake, *argv)


def test_create_prints_the_key_once_with_a_warning(api, capsys):
    assert run(api, "keys", "create", "--name", "ERP", "--expires-on", "2027-01-31") == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"seteli_k00000000000_{'x' * 43}"  # stdout: only the key (for a secret store)
    assert "shown only this once" in err and "k00000000000" in err and "2027-01-31" in err
    method, path, body, authz = api.calls[-1]
    assert (method, path, body) == ("POST", "/v1/providers/prv-a/api-keys", {"name": "ERP", "expires_on": "2027-01-31"})
    assert authz.startswith("Bearer ")
    assert run(api, "--json", "keys", "create", "--name", "Kassa", "--expires-on", "2027-02-01") == 0
    assert json.loads(capsys.readouterr().out)["key"].startswith("seteli_k00000000001_")


def test_create_refuses_a_bad_date_locally_and_shows_the_apis_field_error(api, capsys):
    assert run(api, "keys", "create", "--name", "ERP", "--expires-on", "31.1.2027") == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err and api.calls == []
    assert run(api, "keys", "create", "--name", "ERP", "--expires-on", "2031-01-01") == 1
    assert "body.expires_on: at most 365 days ahead" in capsys.readouterr().err


def test_list_and_revoke(api, capsys):
    run(api, "keys", "create", "--name", "ERP", "--expires-on", "2027-01-31")
    capsys.readouterr()
    assert run(api, "keys", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "STATUS", "EXPIRES", "CREATED", "ENDS"]
    assert lines[1].split()[:4] == ["k00000000000", "ERP", "active", "2027-01-31"]
    assert "x" * 43 not in "\n".join(lines)
    assert run(api, "keys", "revoke", "k00000000000") == 0
    assert "Revoked API key k00000000000" in capsys.readouterr().out
    assert api.calls[-1][:2] == ("DELETE", "/v1/providers/prv-a/api-keys/k00000000000")
    assert run(api, "keys", "revoke", "k99999999999") == 1
    assert run(api, "keys", "list", "--provider", "prv-b") == 1
    assert "own provider" in capsys.readouterr().err


def test_a_municipality_admin_names_the_provider(api, capsys):
    config.save_session(
        config.Session(
            id_token=token(None, "municipality_admin"), expires_at=time.time() + 3600, api_url=API, username="a@k.fi"
        )
    )
    assert run(api, "keys", "list") == 2
    assert "--provider" in capsys.readouterr().err


def test_the_key_from_the_environment_or_stdin_replaces_the_sign_in(api, capsys, monkeypatch):
    config.delete_session()
    monkeypatch.setenv("SETELI_API_KEY", KEY)
    assert run(api, "provider", "get", "prv-a") == 0
    assert api.calls[-1][3] == f"ApiKey {KEY}"
    monkeypatch.delenv("SETELI_API_KEY")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{KEY}\n"))
    assert run(api, "--api-key-stdin", "provider", "get", "prv-a") == 0
    assert api.calls[-1][3] == f"ApiKey {KEY}"
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert run(api, "--api-key-stdin", "provider", "get", "prv-a") == 2
    assert "no API key on standard input" in capsys.readouterr().err


def test_whoami_with_a_key_shows_the_keys_name(api, capsys, monkeypatch):
    monkeypatch.setenv("SETELI_API_KEY", KEY)
    assert run(api, "whoami") == 0
    out = capsys.readouterr().out
    assert "Signed in with api key ERP" in out and "prv-a" in out and "2027-01-31" in out and KEY not in out
    assert run(api, "--json", "whoami") == 0
    who = json.loads(capsys.readouterr().out)
    assert who["auth"] == "api_key" and who["username"] == "api key ERP" and who["key_id"] == "abcdefghijkl"


def test_a_key_cannot_manage_keys(api, capsys, monkeypatch):
    monkeypatch.setenv("SETELI_API_KEY", KEY)
    assert run(api, "keys", "list") == 2  # no provider to take from a token
    assert "cannot manage API keys" in capsys.readouterr().err
    assert run(api, "keys", "list", "--provider", "prv-a") == 1  # the API refuses
    assert "cannot manage API keys" in capsys.readouterr().err


def test_a_refused_key_is_exit_3_with_a_hint(api, capsys, monkeypatch):
    monkeypatch.setenv("SETELI_API_KEY", "seteli_wrong")
    assert run(api, "provider", "get", "prv-a") == 3
    assert "check the API key" in capsys.readouterr().err


def test_the_sdk_sends_the_key_as_authorization():
    seen = []

    def handler(request):
        seen.append(request)
        return FakeApi()(request)

    s = Seteli(API, api_key=KEY, transport=httpx.MockTransport(handler))
    assert s.whoami()["provider_id"] == "prv-a"
    assert seen[0].headers["Authorization"] == f"ApiKey {KEY}"
    with pytest.raises(SeteliApiError) as exc:
        s.create_api_key("prv-a", "x", "2027-01-01")
    assert exc.value.status == 403


def test_with_a_key_the_provider_comes_from_the_key(api, capsys, monkeypatch):
    monkeypatch.setenv("SETELI_API_KEY", KEY)
    run(api, "--json", "provider", "parts", "list")
    paths = [c[1] for c in api.calls]
    assert paths[0] == "/v1/providers/api-keys/current"  # which provider the key belongs to
    assert paths[1] == "/v1/providers/prv-a/parts"
