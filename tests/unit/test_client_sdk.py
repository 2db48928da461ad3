"""The SDK (seteli_client.sdk) against a simulated API: httpx.MockTransport, no network."""

from __future__ import annotations

import base64
import json
import time
import uuid

import httpx
import pytest

from seteli_client.sdk import NotSignedIn, Seteli, SeteliApiError, SeteliConnectionError, SeteliError

API = "http://api.test"


def jwt(claims: dict) -> str:
    def enc(d: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")

    return f"{enc({'alg': 'RS256', 'kid': 'k'})}.{enc(claims)}.c2ln"


def api(handler, **kw) -> tuple[Seteli, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return Seteli(API, transport=httpx.MockTransport(record), **kw), seen


def problem(status: int, title: str, detail: str, errors: list | None = None) -> httpx.Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "errors": errors or []}
    return httpx.Response(status, json=body, headers={"Content-Type": "application/problem+json"})


# ---------------------------------------------------------------- errors


def test_problem_json_becomes_seteli_api_error_with_field_errors():
    errors = [
        {"field": "body.contents.0.unit", "message": "must be one of hour, day, visit"},
        {"field": "query.limit", "message": "at most 100"},
    ]
    s, _ = api(lambda r: problem(422, "Invalid input", "the input is not valid", errors))
    with pytest.raises(SeteliApiError) as ei:
        s.request("POST", "/v1/providers", json={})
    e = ei.value
    assert (e.status, e.title, e.detail, e.type) == (422, "Invalid input", "the input is not valid", "about:blank")
    assert e.errors == errors
    lines = str(e).splitlines()
    assert lines[0] == "422 Invalid input: the input is not valid"
    assert lines[1:] == ["  - body.contents.0.unit: must be one of hour, day, visit", "  - query.limit: at most 100"]
    assert e.to_dict()["errors"] == errors


def test_api_gateway_message_becomes_seteli_api_error():
    s, _ = api(lambda r: httpx.Response(403, json={"message": "Forbidden"}))
    with pytest.raises(SeteliApiError) as ei:
        s.health()
    assert ei.value.status == 403
    assert ei.value.title == "Forbidden"
    assert ei.value.errors == []
    assert str(ei.value) == "403 Forbidden"

    s, _ = api(lambda r: httpx.Response(401, json={"message": "Unauthorized"}))
    with pytest.raises(SeteliApiError) as ei:
        s.get_provider("prv-a")
    assert (ei.value.status, ei.value.title) == (401, "Unauthorized")


def test_non_json_error_body_is_kept_readable():
    s, _ = api(lambda r: httpx.Response(502, text="<html>Bad gateway</html>"))
    with pytest.raises(SeteliApiError) as ei:
        s.health()
    assert ei.value.status == 502
    assert "Bad gateway" in str(ei.value)


def test_unreachable_api_is_a_connection_error():
    def boom(request):
        raise httpx.ConnectError("connection refused", request=request)

    s, _ = api(boom)
    with pytest.raises(SeteliConnectionError, match="cannot reach http://api.test"):
        s.health()


# ---------------------------------------------------------------- plumbing


def test_paginate_follows_next_until_null():
    pages = {None: (["a", "b"], "c1"), "c1": (["c"], "c2"), "c2": (["d"], None)}

    def handler(r: httpx.Request) -> httpx.Response:
        assert r.url.params["status"] == "submitted"
        assert r.url.params["limit"] == "2"
        items, nxt = pages[r.url.params.get("next")]
        return httpx.Response(200, json={"items": items, "next": nxt})

    s, seen = api(handler)
    assert list(s.paginate("/v1/applications", {"status": "submitted"}, limit=2)) == ["a", "b", "c", "d"]
    assert [r.url.params.get("next") for r in seen] == [None, "c1", "c2"]


def test_paginate_stops_on_a_repeated_cursor():
    s, seen = api(lambda r: httpx.Response(200, json={"items": [1], "next": "same"}))
    with pytest.raises(SeteliError, match="same `next` cursor twice"):
        list(s.paginate("/v1/feedback"))
    assert len(seen) == 2


def test_idempotency_key_given_generated_or_absent():
    s, seen = api(lambda r: httpx.Response(201, json={"ok": True}))
    s.post("/v1/reservations", {"x": 1}, idempotency_key="k-1")
    s.post("/v1/reservations", {"x": 1}, idempotent=True)
    s.post("/v1/reservations", {"x": 1})
    assert seen[0].headers["Idempotency-Key"] == "k-1"
    generated = uuid.UUID(seen[1].headers["Idempotency-Key"])
    assert generated.version == 4
    assert "Idempotency-Key" not in seen[2].headers
    assert json.loads(seen[0].content) == {"x": 1}


def test_bearer_token_or_api_key_header():
    s, seen = api(lambda r: httpx.Response(200, json={}), token="tok")
    s.get_provider("prv-a")
    assert seen[0].headers["Authorization"] == "Bearer tok"

    s, seen = api(lambda r: httpx.Response(200, json={}), token="tok", api_key="key-123")
    s.get_provider("prv-a")
    assert seen[0].headers["Authorization"] == "ApiKey key-123"  # the key wins over the token


def test_request_returns_json_text_or_none():
    def handler(r: httpx.Request) -> httpx.Response:
        if r.url.path == "/v1/none":
            return httpx.Response(204)
        if r.url.path == "/v1/csv":
            return httpx.Response(200, text="a;b\n1;2\n", headers={"Content-Type": "text/csv"})
        return httpx.Response(200, json={"status": "ok", "tenant_id": "demo", "version": "0.1.0"})

    s, _ = api(handler)
    assert s.health() == {"status": "ok", "tenant_id": "demo", "version": "0.1.0"}
    assert s.request("DELETE", "/v1/none") is None
    assert s.request("GET", "/v1/csv") == "a;b\n1;2\n"


def test_operations_use_their_paths_and_quote_ids():
    s, seen = api(lambda r: httpx.Response(200, json={"items": [{"id": "home-care"}], "next": None}))
    assert s.public_services(lang="sv") == [{"id": "home-care"}]
    s.get_provider("a/../b")
    s.openapi()
    assert seen[0].url.path == "/v1/public/services"
    assert seen[0].url.params["lang"] == "sv"
    assert seen[1].url.raw_path == b"/v1/providers/a%2F..%2Fb"
    assert seen[2].url.path == "/v1/openapi.json"


def test_whoami_decodes_the_id_token_locally():
    exp = int(time.time()) + 600
    token = jwt(
        {
            "sub": "s-1",
            "email": "p@a.example",
            "cognito:username": "s-1",
            "cognito:groups": ["provider_admin"],
            "custom:provider_id": "prv-a",
            "exp": exp,
        }
    )
    s, seen = api(lambda r: httpx.Response(500), token=token)
    who = s.whoami()
    assert who["username"] == "p@a.example"
    assert who["groups"] == ["provider_admin"]
    assert who["provider_id"] == "prv-a"
    assert who["expired"] is False
    assert who["expires_at"].startswith(time.strftime("%Y-%m-%d", time.gmtime(exp)))
    assert seen == []  # no request

    expired = Seteli(API, token=jwt({"sub": "x", "exp": int(time.time()) - 5})).whoami()
    assert expired["expired"] is True
    with pytest.raises(NotSignedIn):
        Seteli(API).whoami()


def test_from_local_reads_local_json(tmp_path):
    (tmp_path / "local.json").write_text(
        json.dumps(
            {
                "api_url": "http://127.0.0.1:9/",
                "region": "eu-north-1",
                "client_id": "c",
                "users": [{"username": "u@x.fi", "password": "p", "group": "citizen", "provider_id": None}],
            }
        )
    )
    s = Seteli.from_local(tmp_path, token="t")
    assert s.api_url == "http://127.0.0.1:9"
    assert s.token == "t"
    assert s.local is not None and s.local.users[0].group == "citizen"
    assert s.local.client_id == "c"


def test_api_url_with_a_stage_path_keeps_it():
    seen = []
    s = Seteli(
        "https://abc.execute-api.eu-north-1.amazonaws.com/prod/",
        transport=httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200, json={})),
    )
    s.health()
    assert str(seen[0].url) == "https://abc.execute-api.eu-north-1.amazonaws.com/prod/v1/health"


def test_from_session_refreshes_an_expired_sign_in(tmp_path, monkeypatch):
    from seteli_client import config

    monkeypatch.setenv("SETELI_CONFIG_DIR", str(tmp_path))
    with pytest.raises(NotSignedIn):
        Seteli.from_session()
    config.save_session(
        config.Session(
            id_token=jwt({"sub": "x", "exp": int(time.time()) - 10}),
            expires_at=time.time() - 10,
            api_url=API,
            username="u@x.fi",
            refresh_token="rt-1",
            client_id="client-1",
            cognito_endpoint="http://cognito.test",
        )
    )
    fresh = jwt({"sub": "x", "email": "u@x.fi", "exp": int(time.time()) + 3600})
    calls = []

    def handler(r: httpx.Request) -> httpx.Response:
        calls.append(r)
        if r.url.host == "cognito.test":
            body = json.loads(r.content)
            assert r.headers["X-Amz-Target"] == "AWSCognitoIdentityProviderService.InitiateAuth"
            assert body["AuthFlow"] == "REFRESH_TOKEN_AUTH" and body["AuthParameters"] == {"REFRESH_TOKEN": "rt-1"}
            return httpx.Response(200, json={"AuthenticationResult": {"IdToken": fresh, "ExpiresIn": 3600}})
        return httpx.Response(200, json={"status": "ok"})

    s = Seteli.from_session(transport=httpx.MockTransport(handler))
    assert s.token == fresh
    s.health()
    assert calls[-1].headers["Authorization"] == f"Bearer {fresh}"
    assert config.load_session().id_token == fresh
    assert config.load_session().refresh_token == "rt-1"
    with pytest.raises(NotSignedIn, match="not to https://other.example"):
        Seteli.from_session("https://other.example")
