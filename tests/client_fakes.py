"""What the client tests share: a simulated API answers through httpx.MockTransport, a clean
config directory per test, and a saved session signed in with an unsigned test token."""

from __future__ import annotations

import json
import time

import httpx

from seteli_client import cli, config
from tests.factories import client_token

API = "http://api.test"


def problem(status: int, detail: str, field: str | None = None, errors: list | None = None) -> httpx.Response:
    """An RFC 9457 problem answer as the API gives it."""
    if errors is None:
        errors = [{"field": field, "message": detail}] if field else []
    return httpx.Response(
        status,
        json={"type": "about:blank", "title": "x", "status": status, "detail": detail, "errors": errors},
        headers={"Content-Type": "application/problem+json"},
    )


def isolate(tmp_path, monkeypatch) -> None:
    """No API, key or session from the machine running the tests leaks in."""
    for var in ("SETELI_API_URL", "SETELI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SETELI_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.chdir(tmp_path)


def sign_in(token: str | None = None, username: str = "me@a.example") -> None:
    """Save a session for API, as `seteli login` would."""
    config.save_session(
        config.Session(id_token=token or client_token(), expires_at=time.time() + 3600, api_url=API, username=username)
    )


def run(handler, *argv: str) -> int:
    """`seteli --api-url API <argv>` against ``handler`` (a callable taking an httpx.Request)."""
    return cli.main(["--api-url", API, *argv], transport=httpx.MockTransport(handler))


class RecordingApi:
    """Base of a simulated API: ``record`` keeps each request's (method, path, JSON body, query);
    ``last`` gives the latest of a method's."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict | None, dict]] = []

    def record(self, request: httpx.Request) -> tuple[str, str, dict | None, dict]:
        body = json.loads(request.content) if request.content else None
        call = (request.method, request.url.path, body, dict(request.url.params))
        self.calls.append(call)
        return call

    def last(self, method: str) -> tuple[str, dict | None, dict]:
        call = [c for c in self.calls if c[0] == method][-1]
        return call[1], call[2], call[3]
