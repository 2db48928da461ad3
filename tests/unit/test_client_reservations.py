"""`seteli reserve`, `seteli reservations list|cancel` and `seteli customers search|lookup|number`
against a simulated API (httpx.MockTransport): codes and personal IDs come from standard input,
never the command line, and never go in a URL."""

from __future__ import annotations

import io
import json

import httpx
import pytest

from tests import client_fakes

problem = client_fakes.problem
PID = "120345-312U"


def reservation(number: str, **kw) -> dict:
    base = {
        "decision_number": number,
        "provider_id": "prv-a",
        "part_id": "site-1",
        "content_id": "home-care-weekday",
        "customer_id": "cus-1",
        "accepted_terms": True,
        "by_municipality": False,
        "info": None,
        "reserved_at": "2026-05-01T09:00:00Z",
        "reserved_by": "sub-me",
        "cancelled_at": None,
        "version": 1,
    }
    return {**base, **kw}


CUSTOMER = {
    "id": "cus-1",
    "name": "Lehtonen Aino",
    "first_names": "Aino",
    "last_name": "Lehtonen",
    "home_municipality": "Jyväskylä",
    "customer_number": None,
    "entitlements": [
        {"decision_number": "JKL-1", "kind": "voucher", "service_id": "home-care", "valid_from": "2026-02-01",
         "valid_until": None, "state": "open", "content_id": "home-care-weekday", "part_id": "site-1",
         "reserved_at": "2026-05-01T09:00:00Z"},
    ],
    "personal_id": None,
    "version": 3,
}  # fmt: skip


class FakeApi(client_fakes.RecordingApi):
    def __init__(self) -> None:
        super().__init__()
        self.reservations = {"JKL-1": reservation("JKL-1")}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method, path, body, params = self.record(request)
        assert PID not in str(request.url)
        if path == "/v1/reservations" and method == "POST":
            if body.get("verification_code") not in ("KT7HQ4MRXA", None):
                return problem(404, "no open entitlement with this decision number and verification code",
                               "body.decision_number")  # fmt: skip
            new = reservation(body["decision_number"], content_id=body["content_id"], part_id=body.get("part_id"))
            self.reservations[body["decision_number"]] = new
            return httpx.Response(201, json=new)
        if path == "/v1/reservations" and method == "GET":
            items = [r for r in self.reservations.values() if params.get("include_cancelled") or not r["cancelled_at"]]
            return httpx.Response(200, json={"items": items, "next": None})
        if path.startswith("/v1/reservations/") and method == "DELETE":
            r = self.reservations[path.rsplit("/", 1)[1]]
            if int(params["version"]) != r["version"]:
                return problem(409, "stale", "query.version")
            r.update(cancelled_at="2026-05-02T09:00:00Z", version=r["version"] + 1)
            return httpx.Response(200, json=r)
        if path == "/v1/customers" and method == "GET":
            found = [CUSTOMER] if params["q"] in ("aino", "JKL-1") else []
            return httpx.Response(200, json={"items": found, "next": None})
        if path == "/v1/customers/lookup":
            found = [{**CUSTOMER, "personal_id": PID}] if body["personal_id"] == PID else []
            return httpx.Response(200, json={"items": found, "next": None})
        if path == "/v1/customers/cus-1/number" and method == "PUT":
            return httpx.Response(200, json={**CUSTOMER, "customer_number": body["customer_number"], "version": 4})
        return problem(404, f"no route {method} {path}")


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in()
    return FakeApi()


def run(fake: FakeApi, *argv: str) -> int:
    return client_fakes.run(fake, *argv)


def stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_reserve_reads_the_code_from_stdin(api, capsys, monkeypatch):
    stdin(monkeypatch, "KT7HQ4MRXA\n")
    argv = ["reserve", "JKL-2", "--content", "home-care-weekday", "--part", "site-1", "--code-stdin"]
    assert run(api, *argv, "--accept-terms", "--info", "maanantaisin") == 0
    path, body, _ = api.last("POST")
    assert path == "/v1/reservations"
    assert body == {
        "decision_number": "JKL-2",
        "content_id": "home-care-weekday",
        "accept_terms": True,
        "verification_code": "KT7HQ4MRXA",
        "part_id": "site-1",
        "info": "maanantaisin",
    }
    assert "Reserved JKL-2" in capsys.readouterr().out


def test_reserve_wrong_code_is_an_api_error(api, capsys, monkeypatch):
    stdin(monkeypatch, "WRONG\n")
    assert run(api, "reserve", "JKL-2", "--content", "c", "--code-stdin", "--accept-terms") == 1
    assert "no open entitlement" in capsys.readouterr().err


def test_reserve_needs_terms_and_a_code_unless_named(api, capsys, monkeypatch):
    stdin(monkeypatch, "KT7HQ4MRXA\n")
    assert run(api, "reserve", "JKL-2", "--content", "c", "--code-stdin") == 2
    assert "--accept-terms" in capsys.readouterr().err
    stdin(monkeypatch, "")
    assert run(api, "reserve", "JKL-2", "--content", "c", "--accept-terms") == 2  # not a terminal, no flag
    assert "--code-stdin" in capsys.readouterr().err
    assert run(api, "reserve", "JKL-2", "--content", "c", "--code-stdin", "--accept-terms") == 2
    assert not [c for c in api.calls if c[0] == "POST"]
    assert run(api, "reserve", "JKL-3", "--content", "c", "--named", "--accept-terms") == 0
    _, body, _ = api.last("POST")
    assert "verification_code" not in body


def test_reservations_list_and_cancel_send_the_version(api, capsys):
    assert run(api, "reservations", "list") == 0
    out = capsys.readouterr().out
    assert "JKL-1" in out and "site-1" in out and "reserved" in out
    assert run(api, "reservations", "cancel", "JKL-1") == 0
    path, _, params = api.last("DELETE")
    assert path == "/v1/reservations/JKL-1" and params == {"version": "1"}
    assert "Cancelled" in capsys.readouterr().out
    assert run(api, "reservations", "list") == 0
    assert "No reservations" in capsys.readouterr().out
    assert run(api, "--json", "reservations", "list", "--all") == 0
    assert json.loads(capsys.readouterr().out)["items"][0]["cancelled_at"]
    assert run(api, "reservations", "cancel", "JKL-9") == 2


def test_customers_search_shows_entitlements(api, capsys):
    assert run(api, "customers", "search", "aino") == 0
    _, _, params = api.last("GET")
    assert params == {"q": "aino", "limit": "50"}
    out = capsys.readouterr().out
    assert "Lehtonen Aino" in out and "JKL-1" in out and "toistaiseksi" in out
    assert run(api, "customers", "search", "nobody") == 0
    assert "No customers found" in capsys.readouterr().out


def test_customers_lookup_sends_the_personal_id_in_the_body_only(api, capsys, monkeypatch):
    stdin(monkeypatch, f"{PID}\n")
    assert run(api, "customers", "lookup", "--personal-id-stdin") == 0
    path, body, params = api.last("POST")
    assert path == "/v1/customers/lookup" and body == {"personal_id": PID} and params == {}
    assert PID in capsys.readouterr().out
    stdin(monkeypatch, "")
    assert run(api, "customers", "lookup", "--personal-id-stdin") == 2


def test_customer_number(api, capsys):
    assert run(api, "customers", "number", "cus-1", "A-1001", "--version", "3") == 0
    path, body, _ = api.last("PUT")
    assert path == "/v1/customers/cus-1/number" and body == {"customer_number": "A-1001", "version": 3}
    assert "is now A-1001" in capsys.readouterr().out
    assert run(api, "customers", "number", "cus-1", "--remove") == 0
    assert api.last("PUT")[1] == {"customer_number": None}
    assert run(api, "customers", "number", "cus-1") == 2
