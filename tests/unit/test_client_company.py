"""`seteli register`, `seteli provider update|billing|parts|subcontractors|obligations` and
`seteli providers list` against a simulated API (httpx.MockTransport) that keeps versions as the real one."""

from __future__ import annotations

import json

import httpx
import pytest

from seteli_client import cli, config
from tests import client_fakes
from tests.factories import client_token as token

API = client_fakes.API
BASE = "/v1/providers/prv-a"


problem = client_fakes.problem


class FakeApi:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict | None, dict]] = []
        self.provider = {
            "id": "prv-a",
            "name": "A Oy",
            "business_id": "2734561-5",
            "status": "registered",
            "contact_email": "info@a.example",
            "address": {"street": "Katu 1", "postal_code": "40100", "city": "Jyväskylä"},
            "search_attributes": {"languages": ["finnish"]},
            "billing": None,
            "obligations": {
                "status": "ok",
                "checked_at": "2026-03-01T12:00:00Z",
                "details": ["fine"],
                "source": "fake",
            },
            "parts": [],
            "subcontractors": [],
            "version": 3,
        }
        self.parts = {
            "site-1": {"id": "site-1", "kind": "site", "name": "Keskusta", "active": True, "version": 2,
                       "address": {"street": "Katu 1", "postal_code": "40100", "city": "Jyväskylä"}},
            "unit-1": {"id": "unit-1", "kind": "unit", "name": "Old unit", "active": False, "version": 1,
                       "site_id": "site-1"},
        }  # fmt: skip
        self.subs = {
            "sub-1": {"id": "sub-1", "name": "Ali Oy", "business_id": "1043829-2", "active": True, "version": 1}
        }
        self.providers = [
            {"id": f"prv-{i}", "name": f"Yritys {i}", "business_id": "2734561-5", "status": "registered",
             "obligations_status": "ok" if i % 2 else None}
            for i in range(5)
        ]  # fmt: skip

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        path, method = request.url.path, request.method
        self.calls.append((method, path, body, dict(request.url.params)))
        if path == "/v1/providers" and method == "POST":
            assert "Authorization" not in request.headers  # registration needs no sign-in
            if body["business_id"] == "2734561-5":
                return problem(409, "already registered; ask your company's admin to add you", "body.business_id")
            p = {**self.provider, "name": body["name"], "business_id": body["business_id"], "id": "prv-new"}
            return httpx.Response(
                201,
                json={
                    "provider": p,
                    "admin": {"email": body["admin"]["email"], "subject": "s"},
                    "next_steps": ["Sign in."],
                },
            )
        assert request.headers["Authorization"].startswith("Bearer ")
        if path == "/v1/providers" and method == "GET":
            start = int(request.url.params.get("next") or 0)
            size = int(request.url.params.get("limit") or 50)
            items = self.providers[start : start + size]
            nxt = str(start + size) if start + size < len(self.providers) else None
            return httpx.Response(200, json={"items": items, "next": nxt})
        if not path.startswith(BASE):
            return problem(403, "you may only see your own provider's data")
        rest = path.removeprefix(BASE).strip("/")
        if rest == "" and method == "GET":
            return httpx.Response(200, json={**self.provider, "parts": list(self.parts.values())})
        if rest == "" and method == "PATCH":
            if body["version"] != self.provider["version"]:
                return problem(409, "the provider changed meanwhile", "body.version")
            self.provider.update({k: v for k, v in body.items() if k != "version"})
            self.provider["version"] += 1
            return httpx.Response(200, json=self.provider)
        if rest == "billing" and method == "PUT":
            self.provider["billing"] = {**body, "iban": "FI21 1234 5600 0007 85"}
            return httpx.Response(200, json=self.provider)
        if rest.startswith("parts/") and rest.endswith("/billing"):
            part = self.parts[rest.split("/")[1]]
            part["billing"] = {**body, "iban": "FI21 1234 5600 0007 85"} if method == "PUT" else None
            return httpx.Response(200, json=part)
        if rest == "parts" and method == "GET":
            return httpx.Response(200, json={"items": list(self.parts.values()), "next": None})
        if rest == "parts" and method == "POST":
            part = {**body, "id": f"{body['kind']}-new", "active": True, "version": 1}
            self.parts[part["id"]] = part
            return httpx.Response(201, json=part)
        if rest.startswith("parts/") and method == "PATCH":
            part = self.parts[rest.split("/")[1]]
            if body["version"] != part["version"]:
                return problem(409, "the part changed meanwhile", "body.version")
            part.update({k: v for k, v in body.items() if k != "version"})
            part["version"] += 1
            return httpx.Response(200, json=part)
        if rest == "subcontractors" and method == "GET":
            return httpx.Response(200, json={"items": list(self.subs.values()), "next": None})
        if rest == "subcontractors" and method == "POST":
            sub = {**body, "id": "sub-new", "active": True, "version": 1}
            return httpx.Response(201, json=sub)
        if rest.startswith("subcontractors/") and method == "PATCH":
            sub = self.subs[rest.split("/")[1]]
            sub.update({k: v for k, v in body.items() if k != "version"}, version=sub["version"] + 1)
            return httpx.Response(200, json=sub)
        if rest == "obligations" and method == "GET":
            return httpx.Response(200, json=self.provider["obligations"])
        if rest == "obligations-check" and method == "POST":
            return httpx.Response(
                200,
                json={
                    "status": "documents_missing",
                    "checked_at": "2026-03-02T08:00:00Z",
                    "details": ["tax"],
                    "source": "fake",
                },
            )
        return problem(404, f"no route {method} {path}")

    def last(self, method: str) -> tuple[str, dict | None]:
        call = [c for c in self.calls if c[0] == method][-1]
        return call[1], call[2]


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    fake = FakeApi()
    fake.sign_in = client_fakes.sign_in
    fake.sign_in(token())
    return fake


def run(fake: FakeApi, *argv: str) -> int:
    return client_fakes.run(fake, *argv)


REGISTER = [
    "register",
    "--name", "Uusi Hoiva Oy",
    "--business-id", "3018452-5",
    "--street", "Katu 2", "--postal-code", "40100", "--city", "Jyväskylä",
    "--lat", "62.24", "--lon", "25.74",
    "--admin-email", "anna@uusi.example", "--admin-name", "Anna",
    "--attr", "languages=finnish,swedish",
]  # fmt: skip


def test_register_with_flags_needs_no_sign_in(api, capsys):
    config.delete_session()
    assert run(api, *REGISTER) == 0
    _, body = api.last("POST")
    assert body["business_id"] == "3018452-5"
    assert body["address"] == {"street": "Katu 2", "postal_code": "40100", "city": "Jyväskylä"}
    assert body["site"] == {"lat": 62.24, "lon": 25.74}
    assert body["admin"] == {"email": "anna@uusi.example", "name": "Anna"}
    assert body["search_attributes"] == {"languages": ["finnish", "swedish"]}
    out = capsys.readouterr().out
    assert "Registered Uusi Hoiva Oy" in out and "prv-new" in out and "one-time password" in out


def test_register_from_a_file_and_flags_override(api, tmp_path, capsys):
    doc = {
        "name": "Tiedostosta Oy",
        "business_id": "3018452-5",
        "address": {"street": "Katu 3", "postal_code": "40100", "city": "Jyväskylä"},
        "site": {"name": "Toimipiste", "lat": 62.1, "lon": 25.6},
        "admin": {"email": "a@t.example", "name": "A"},
    }
    (tmp_path / "reg.json").write_text(json.dumps(doc), encoding="utf-8")
    assert run(api, "--json", "register", "--file", "reg.json", "--site-code", "T1") == 0
    _, body = api.last("POST")
    assert body["site"] == {"name": "Toimipiste", "lat": 62.1, "lon": 25.6, "code": "T1"}
    assert json.loads(capsys.readouterr().out)["provider"]["name"] == "Tiedostosta Oy"


def test_register_usage_errors_and_a_taken_business_id(api, capsys):
    assert run(api, "register", "--name", "X") == 2
    assert "--business-id" in capsys.readouterr().err
    assert run(api, *REGISTER, "--site-street", "Only street") == 2
    assert "--site-postal-code" in capsys.readouterr().err
    assert run(api, *REGISTER[:4], "2734561-5", *REGISTER[5:]) == 1
    err = capsys.readouterr().err
    assert "409" in err and "body.business_id" in err


def test_update_sends_the_version_read_and_merges_attributes(api, capsys):
    code = run(
        api, "provider", "update", "--contact-name", "Pekka", "--attr", "specialities=couples", "--clear-attr", "x"
    )
    assert code == 0
    _, body = api.last("PATCH")
    assert body == {
        "version": 3,
        "contact_name": "Pekka",
        "search_attributes": {"languages": ["finnish"], "specialities": ["couples"]},
    }
    assert "Saved." in capsys.readouterr().out
    assert run(api, "provider", "update") == 2


def test_billing_set_for_the_company_and_a_site(api, capsys):
    assert run(api, "provider", "billing", "set", "--iban", "FI2112345600000785", "--bic", "NDEAFIHH",
               "--email", "laskut@a.example") == 0  # fmt: skip
    path, body = api.last("PUT")
    assert path == f"{BASE}/billing"
    assert body == {
        "iban": "FI2112345600000785",
        "bic": "NDEAFIHH",
        "billing_email": "laskut@a.example",
        "send_payment_pdf": True,
    }
    assert "FI21 1234 5600 0007 85" in capsys.readouterr().out
    assert run(api, "provider", "billing", "set", "--iban", "FI2112345600000785", "--bic", "NDEAFIHH",
               "--email", "s@a.example", "--site", "site-1", "--no-pdf") == 0  # fmt: skip
    path, body = api.last("PUT")
    assert path == f"{BASE}/parts/site-1/billing" and body["send_payment_pdf"] is False
    capsys.readouterr()
    assert run(api, "provider", "billing", "show") == 0
    assert "site site-1" in capsys.readouterr().out
    assert run(api, "provider", "billing", "clear", "--site", "site-1") == 0
    assert api.last("DELETE")[0] == f"{BASE}/parts/site-1/billing"


def test_parts_list_add_and_update(api, capsys):
    assert run(api, "provider", "parts", "list") == 0
    out = capsys.readouterr().out
    assert "site-1" in out and "unit-1" not in out  # passive parts only with --all
    assert run(api, "provider", "parts", "list", "--all") == 0
    assert "unit-1" in capsys.readouterr().out

    assert run(api, "provider", "parts", "add", "--kind", "employee", "--name", "Hanna", "--site", "site-1") == 0
    _, body = api.last("POST")
    assert body == {"kind": "employee", "name": "Hanna", "site_id": "site-1"}
    assert run(api, "provider", "parts", "add", "--kind", "site", "--name", "S", "--street", "K 1",
               "--postal-code", "40100", "--city", "Jkl", "--lat", "62.2", "--lon", "25.7") == 0  # fmt: skip
    _, body = api.last("POST")
    assert body["address"] == {"street": "K 1", "postal_code": "40100", "city": "Jkl"} and body["lat"] == 62.2

    assert run(api, "provider", "parts", "update", "site-1", "--passivate") == 0
    assert api.last("PATCH") == (f"{BASE}/parts/site-1", {"version": 2, "active": False})
    assert run(api, "provider", "parts", "update", "nope", "--name", "X") == 2
    assert run(api, "provider", "parts", "update", "site-1") == 2


def test_a_stale_part_is_reported(api, capsys):
    real = api.__call__

    def racing(request: httpx.Request) -> httpx.Response:
        res = real(request)
        if request.method == "GET" and request.url.path.endswith("/parts"):
            api.parts["site-1"]["version"] += 1  # someone else saved meanwhile
        return res

    assert cli.main(["--api-url", API, "provider", "parts", "update", "site-1", "--name", "X"],
                    transport=httpx.MockTransport(racing)) == 1  # fmt: skip
    assert "409" in capsys.readouterr().err


def test_subcontractors(api, capsys):
    assert run(api, "provider", "subcontractors", "list") == 0
    assert "Ali Oy" in capsys.readouterr().out
    assert run(api, "provider", "subcontractors", "add", "--name", "Uusi Ali", "--business-id", "2956127-4") == 0
    assert api.last("POST")[1] == {"name": "Uusi Ali", "business_id": "2956127-4"}
    assert run(api, "provider", "subcontractors", "update", "sub-1", "--passivate") == 0
    assert api.last("PATCH") == (f"{BASE}/subcontractors/sub-1", {"version": 1, "active": False})
    assert run(api, "provider", "subcontractors", "add", "--name", "X") == 2  # --business-id is required


def test_obligations_read_and_refresh(api, capsys):
    assert run(api, "provider", "obligations") == 0
    assert "prv-a: ok" in capsys.readouterr().out
    assert run(api, "provider", "obligations", "--refresh") == 0
    assert api.last("POST")[0] == f"{BASE}/obligations-check"
    out = capsys.readouterr().out
    assert "documents_missing" in out and "- tax" in out


def test_providers_list_follows_the_pages(api, capsys):
    api.sign_in(token(None, "case_worker"))
    assert run(api, "providers", "list", "--limit", "2") == 0
    out = capsys.readouterr().out
    assert all(f"prv-{i}" in out for i in range(5)) and "not checked" in out
    assert [c[3].get("next") for c in api.calls] == [None, "2", "4"]
    assert run(api, "--json", "providers", "list") == 0
    assert len(json.loads(capsys.readouterr().out)) == 5


def test_another_provider_and_a_municipality_user_without_provider(api, capsys):
    assert run(api, "provider", "parts", "list", "--provider", "prv-b") == 1
    assert "403" in capsys.readouterr().err
    api.sign_in(token(None, "case_worker"))
    assert run(api, "provider", "obligations") == 2
    assert "--provider" in capsys.readouterr().err
