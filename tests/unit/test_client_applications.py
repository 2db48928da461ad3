"""`seteli applications` and `seteli mail` against a simulated API (httpx.MockTransport)."""

from __future__ import annotations

import json

import httpx
import pytest

from seteli_client import cli
from tests import client_fakes

API = client_fakes.API
MISSING = [
    {"field": "body.rulebook", "message": "accept the rulebook home-care (version 2026.1) before submitting"},
    {"field": "attachments.company.tax-debt-certificate", "message": "Verovelkatodistus at company level is missing"},
    {"field": "body.site_ids", "message": "select at least one site that offers the service"},
]


class FakeApi:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict | None, dict]] = []
        self.app = {
            "id": "app-1",
            "provider_id": "prv-a",
            "service_id": "home-care",
            "status": "draft",
            "version": 3,
            "decision_due": None,
            "submitted_at": None,
            "steps": [
                {
                    "number": 1,
                    "id": "company",
                    "name": "Yritys / Company",
                    "complete": True,
                    "items": [],
                    "missing": [],
                },
                {
                    "number": 2,
                    "id": "sites",
                    "name": "Toimipaikat / Sites",
                    "complete": False,
                    "items": [],
                    "missing": [],
                },
            ],
            "missing": list(MISSING),
            "transitions": [
                {
                    "seq": 1,
                    "from": None,
                    "to": "draft",
                    "by": {"subject": "sub-me", "name": "Anna"},
                    "at": "2026-11-23T10:00:00Z",
                }
            ],
            "rulebook_current": {"rulebook_id": "home-care", "current_version": "2026.1"},
        }
        self.refuse_submit = True

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        path, method = request.url.path, request.method
        self.calls.append((method, path, body, dict(request.url.params)))
        if path == "/_local/mail.json":
            items = [
                {"n": 2, "subject": "Hakemus hyväksytty", "to": ["info@a.example"], "text": "Hei,\n\nhyväksytty."},
                {"n": 1, "subject": "Hakemus vastaanotettu", "to": ["info@a.example"], "text": "Hei,\n"},
            ]
            return httpx.Response(200, json={"items": items[: int(request.url.params.get("last", 10))], "count": 2})
        assert request.headers["Authorization"].startswith("Bearer ")
        if path == "/v1/applications" and method == "GET":
            return httpx.Response(200, json={"items": [self.app], "next": None})
        if path == "/v1/applications" and method == "POST":
            return httpx.Response(201, json={**self.app, "service_id": body["service_id"]})
        if path == "/v1/applications/app-1" and method == "GET":
            return httpx.Response(200, json=self.app)
        if body and body.get("version") != self.app["version"]:
            return self.problem(
                409, "the application changed meanwhile", [{"field": "body.version", "message": "stale"}]
            )
        if path == "/v1/applications/app-1" and method == "PATCH":
            self.app.update({k: v for k, v in body.items() if k != "version"})
            self.app["version"] += 1
            return httpx.Response(200, json=self.app)
        if path == "/v1/applications/app-1/accept-rulebook":
            self.app["version"] += 1
            return httpx.Response(200, json=self.app)
        if path == "/v1/applications/app-1/submit":
            if self.refuse_submit:
                return self.problem(422, "the application cannot be submitted yet: 3 thing(s) missing", MISSING)
            self.app.update(status="submitted", version=self.app["version"] + 1)
            return httpx.Response(200, json={"application": self.app, "message": "Submitted.", "email_failed": False})
        if path == "/v1/applications/app-1/decision":
            self.app.update(
                status={"approve": "approved", "return": "returned", "reject": "rejected"}[body["decision"]]
            )
            return httpx.Response(200, json={"application": self.app, "email_failed": False})
        return self.problem(404, "no such resource")

    @staticmethod
    def problem(status: int, detail: str, errors: list | None = None) -> httpx.Response:
        return client_fakes.problem(status, detail, errors=errors or [])


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in(username="me")
    return FakeApi()


def run(fake: FakeApi, *argv: str) -> int:
    return client_fakes.run(fake, *argv)


def test_list_passes_the_filters(api, capsys):
    assert run(api, "applications", "list", "--status", "submitted", "--service", "home-care") == 0
    method, path, _, params = api.calls[-1]
    assert (method, path) == ("GET", "/v1/applications")
    assert params["status"] == "submitted" and params["service_id"] == "home-care"
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["APPLICATION", "SERVICE", "PROVIDER", "STATUS"]
    assert "app-1" in out


def test_apply_sends_the_service(api, capsys):
    assert run(api, "applications", "apply", "--service", "cleaning") == 0
    assert api.calls[-1][:3] == ("POST", "/v1/applications", {"service_id": "cleaning"})
    assert "Created app-1" in capsys.readouterr().out


def test_edit_reads_the_version_first_and_splits_the_ids(api, capsys):
    assert run(api, "applications", "edit", "app-1", "--sites", "s1, s2", "--areas", "Jyväskylä,Muurame") == 0
    assert [c[0] for c in api.calls] == ["GET", "PATCH"]
    assert api.calls[-1][2] == {"version": 3, "site_ids": ["s1", "s2"], "operating_areas": ["Jyväskylä", "Muurame"]}


def test_edit_without_changes_is_a_usage_error(api, capsys):
    assert run(api, "applications", "edit", "app-1") == 2
    assert api.calls == []


def test_accept_rulebook_sends_the_current_version(api, capsys):
    assert run(api, "applications", "accept-rulebook", "app-1") == 0
    assert api.calls[-1][2] == {"version": 3, "rulebook_version": "2026.1"}
    assert "version 2026.1" in capsys.readouterr().out


def test_submit_prints_every_missing_thing(api, capsys):
    assert run(api, "applications", "submit", "app-1") == 1
    err = capsys.readouterr().err
    for m in MISSING:
        assert f"- {m['field']}: {m['message']}" in err
    assert "seteli applications show app-1" in err


def test_submit_when_complete(api, capsys):
    api.refuse_submit = False
    assert run(api, "applications", "submit", "app-1") == 0
    assert api.calls[-1][2] == {"version": 3}
    assert "submitted" in capsys.readouterr().out


def test_show_lists_steps_missing_and_history(api, capsys):
    assert run(api, "applications", "show", "app-1") == 0
    out = capsys.readouterr().out
    assert "1. [ok] Yritys / Company" in out and "2. [!!] Toimipaikat / Sites" in out
    assert "- body.site_ids: select at least one site" in out
    assert "new -> draft  by Anna" in out


def test_decide_needs_a_comment_to_return(api, capsys):
    assert run(api, "applications", "decide", "app-1", "return") == 2
    assert api.calls == []
    assert run(api, "applications", "decide", "app-1", "return", "--comment", "Liite puuttuu") == 0
    assert api.calls[-1][2] == {"version": 3, "decision": "return", "comment": "Liite puuttuu"}
    assert "returned" in capsys.readouterr().out


def test_stale_version_is_reported(api, capsys):
    def stale(request):
        res = api(request)
        if request.method == "GET":
            data = json.loads(res.content)
            data["version"] = 1
            return httpx.Response(200, json=data)
        return res

    assert cli.main(["--api-url", API, "applications", "submit", "app-1"], transport=httpx.MockTransport(stale)) == 1
    assert "changed meanwhile" in capsys.readouterr().err


def test_mail_lists_the_newest(api, capsys):
    assert run(api, "mail", "--last", "1") == 0
    method, path, _, params = api.calls[-1]
    assert (method, path, params) == ("GET", "/_local/mail.json", {"last": "1"})
    out = capsys.readouterr().out
    assert "#2  Hakemus hyväksytty" in out and "vastaanotettu" not in out
    assert run(api, "mail", "--json") == 0
    assert [m["n"] for m in json.loads(capsys.readouterr().out)] == [2, 1]
