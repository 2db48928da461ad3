"""`seteli users` against a simulated API (httpx.MockTransport) that keeps versions as the real one."""

from __future__ import annotations

import json

import httpx
import pytest

from seteli_client import cli, config
from tests import client_fakes
from tests.factories import client_token as token

API = client_fakes.API


class FakeApi:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict | None]] = []
        self.users = {
            "s-1": self.user("s-1", "anna@a.example", "provider_admin"),
            "s-2": self.user("s-2", "ville@a.example", "provider_user", teams=["home-care"]),
        }

    @staticmethod
    def user(subject, email, role, teams=(), active=True, version=1) -> dict:
        return {
            "subject": subject,
            "provider_id": "prv-a",
            "email": email,
            "name": email.split("@")[0].title(),
            "role": role,
            "active": active,
            "status": "active" if active else "passive",
            "teams": list(teams),
            "version": version,
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        path = request.url.path
        self.calls.append((request.method, path, body))
        assert request.headers["Authorization"].startswith("Bearer ")
        base = "/v1/providers/prv-a/users"
        if not path.startswith(base):
            return self.problem(403, "you may only see your own provider's users")
        rest = path.removeprefix(base).strip("/")
        if request.method == "GET" and not rest:
            return httpx.Response(200, json={"items": list(self.users.values()), "next": None})
        if request.method == "POST" and not rest:
            if any(u["email"] == body["email"].lower() for u in self.users.values()):
                return self.problem(409, "a user with this email exists already", "body.email")
            u = self.user("s-new", body["email"].lower(), body["role"], body["teams"])
            self.users["s-new"] = u
            return httpx.Response(201, json=u)
        u = self.users.get(rest)
        if u is None:
            return self.problem(404, f"no user {rest}")
        if request.method == "GET":
            return httpx.Response(200, json=u)
        if request.method == "PATCH":
            if body["version"] != u["version"]:
                return self.problem(409, "the user changed meanwhile; read it again", "body.version")
            for k in ("active", "teams", "role", "name"):
                if k in body:
                    u[k] = body[k]
            u["status"] = "active" if u["active"] else "passive"
            u["version"] += 1
            return httpx.Response(200, json=u)
        return self.problem(405, "no")

    problem = staticmethod(client_fakes.problem)


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    fake = FakeApi()
    fake.sign_in = client_fakes.sign_in
    fake.sign_in(token())
    return fake


def run(fake: FakeApi, *argv: str) -> int:
    return client_fakes.run(fake, *argv)


def test_list_shows_the_users_of_my_provider(api, capsys):
    api.users["s-2"].update(active=False, status="passive")
    assert run(api, "users", "list") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["EMAIL", "NAME", "ROLE", "STATUS", "TEAMS", "SUBJECT"]
    ville = next(line for line in out.splitlines() if line.startswith("ville@"))
    assert "passive" in ville and "home-care" in ville and "s-2" in ville
    assert api.calls == [("GET", "/v1/providers/prv-a/users", None)]


def test_list_as_json_and_for_another_provider(api, capsys):
    assert run(api, "users", "list", "--json") == 0
    assert [u["subject"] for u in json.loads(capsys.readouterr().out)] == ["s-1", "s-2"]
    assert run(api, "users", "list", "--provider", "prv-b") == 1
    assert "your own provider" in capsys.readouterr().err


def test_a_municipality_user_must_name_the_provider(api, capsys):
    api.sign_in(token(None, "case_worker"))
    assert run(api, "users", "list") == 2
    assert "--provider" in capsys.readouterr().err
    assert api.calls == []


def test_add_sends_the_invitation(api, capsys):
    args = (
        "users",
        "add",
        "Uusi@A.example",
        "--name",
        "Uusi",
        "--team",
        "home-care",
        "cleaning",
        "--team",
        "home-care",
    )
    assert run(api, *args) == 0
    method, path, body = api.calls[-1]
    assert (method, path) == ("POST", "/v1/providers/prv-a/users")
    assert body == {
        "email": "Uusi@A.example",
        "name": "Uusi",
        "role": "provider_user",
        "teams": ["home-care", "cleaning"],
    }
    out = capsys.readouterr().out
    assert "uusi@a.example" in out and "one-time password" in out


def test_add_an_admin_and_a_taken_email(api, capsys):
    assert run(api, "users", "add", "x@a.example", "--name", "X", "--role", "provider_admin") == 0
    assert api.calls[-1][2]["role"] == "provider_admin" and api.calls[-1][2]["teams"] == []
    assert run(api, "users", "add", "anna@a.example", "--name", "A") == 1
    assert "exists already" in capsys.readouterr().err
    assert run(api, "users", "add", "y@a.example") == 2  # --name is required


def test_passivate_by_email_patches_with_the_version_read(api, capsys):
    assert run(api, "users", "passivate", "VILLE@a.example") == 0
    assert api.calls[-1] == ("PATCH", "/v1/providers/prv-a/users/s-2", {"version": 1, "active": False})
    assert "Passivated" in capsys.readouterr().out and api.users["s-2"]["status"] == "passive"
    assert run(api, "users", "activate", "s-2") == 0
    assert api.calls[-2] == ("GET", "/v1/providers/prv-a/users/s-2", None)
    assert api.calls[-1] == ("PATCH", "/v1/providers/prv-a/users/s-2", {"version": 2, "active": True})


def test_an_unknown_email_is_a_usage_error(api, capsys):
    assert run(api, "users", "passivate", "nobody@a.example") == 2
    assert "no user with the email" in capsys.readouterr().err
    assert all(m == "GET" for m, _, _ in api.calls)


def test_teams_set_and_clear(api, capsys):
    assert run(api, "users", "teams", "ville@a.example", "--set", "cleaning", "home-care") == 0
    assert api.calls[-1][2] == {"version": 1, "teams": ["cleaning", "home-care"]}
    assert "Teams set" in capsys.readouterr().out
    assert run(api, "users", "teams", "ville@a.example", "--set") == 0
    assert api.calls[-1][2] == {"version": 2, "teams": []}
    assert run(api, "users", "teams", "ville@a.example") == 2


def test_role_change_and_a_stale_version(api, capsys):
    assert run(api, "users", "role", "s-2", "provider_admin") == 0
    assert api.calls[-1][2] == {"version": 1, "role": "provider_admin"}
    assert run(api, "users", "role", "s-2", "boss") == 2
    real = api.__call__

    def racing(request):  # someone else changes the user between our read and our write
        if request.method == "PATCH":
            api.users["s-2"]["version"] += 1
        return real(request)

    capsys.readouterr()
    assert cli.main(["--api-url", API, "users", "passivate", "s-2"], transport=httpx.MockTransport(racing)) == 1
    assert "changed meanwhile" in capsys.readouterr().err


def test_not_signed_in(api, capsys):
    config.delete_session()
    assert run(api, "users", "list") == 3
