"""`seteli me ...` and `seteli entitlement-access` against a simulated API (httpx.MockTransport)."""

from __future__ import annotations

import io
import json

import httpx
import pytest

from tests import client_fakes
from tests.factories import client_token

ENTITLEMENT = {
    "decision_number": "JKL-2026-0101",
    "kind": "voucher",
    "customer_id": "cus-aino",
    "customer_first_name": "Aino",
    "service_id": "home-care",
    "service_name": "Kotihoito",
    "decision_date": "2026-01-18",
    "valid_from": "2026-02-01",
    "valid_until": "2027-01-31",
    "closed_on": None,
    "state": "open",
    "rows": [
        {
            "content_id": "home-care-weekday",
            "content_name": "Kotihoito arkisin",
            "unit": "hour",
            "period": "week",
            "period_start": "2026-11-23",
            "period_end": "2026-11-29",
            "unit_value": "32.00",
            "granted": "10.00",
            "used": "6.00",
            "remaining": "4.00",
            "granted_euros": "320.00",
            "used_euros": "192.00",
            "remaining_euros": "128.00",
        }
    ],
    "balance": None,
}
BALANCE = {
    **ENTITLEMENT,
    "decision_number": "JKL-2026-0103",
    "kind": "balance_voucher",
    "rows": [],
    "balance": {
        "recurrence": "month",
        "period_start": "2026-11-01",
        "period_end": "2026-11-30",
        "contents": [{"content_id": "errand-help", "content_name": "Asiointiapu", "unit": "hour", "subsidy": "20.00"}],
        "total_euros": "250.00",
        "used_euros": "60.00",
        "remaining_euros": "190.00",
        "total_units": None,
        "used_units": "3.00",
        "remaining_units": None,
    },
}


class FakeApi:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict, object, str]] = []
        self.grants: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        path, authz = request.url.path, request.headers.get("Authorization", "")
        self.calls.append((request.method, path, dict(request.url.params), body, authz))
        if path == "/v1/public/entitlement-access":
            if body == {"decision_number": "JKL-2026-0101", "citizen_code": "AINO2026KT"}:
                out = {**ENTITLEMENT, "customer_id": None}
                return httpx.Response(
                    200,
                    json={"entitlement": out, "access_token": "sca1.x.y", "expires_at": "2026-11-23T10:30:00Z"},
                )
            return client_fakes.problem(404, "no entitlement with this decision number and code")
        if not authz.startswith("Bearer "):
            return httpx.Response(401, json={"message": "Unauthorized"})
        if path == "/v1/me/entitlements":
            if request.url.params.get("customer_id") == "cus-other":
                return client_fakes.problem(403, "you may not act for this customer")
            return httpx.Response(200, json={"items": [ENTITLEMENT, BALANCE], "next": None})
        if path == "/v1/me/proxies" and request.method == "GET":
            return httpx.Response(
                200,
                json={
                    "customer_id": "cus-aino",
                    "acts_for": [{"customer_id": "cus-mum", "name": "Lehtonen Anna", "valid_until": None}],
                    "acting_for_me": self.grants,
                },
            )
        if path == "/v1/me/proxies" and request.method == "POST":
            grant = {"id": "sub-rel", "email": body["email"], "valid_until": body.get("valid_until"), "granted_at": "x"}
            self.grants.append(grant)
            return httpx.Response(201, json=grant)
        if path == "/v1/me/proxies/sub-rel" and request.method == "DELETE":
            return httpx.Response(204)
        return client_fakes.problem(404, "no such authorisation of yours")


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in(client_token(None, "citizen"))
    return FakeApi()


def test_my_entitlements_show_used_and_remaining(api, capsys):
    assert client_fakes.run(api, "me", "entitlements") == 0
    out = capsys.readouterr().out
    assert "JKL-2026-0101" in out and "Kotihoito arkisin" in out and "this week" in out
    assert "128.00" in out and "190.00 of 250.00 EUR remaining" in out
    assert api.calls[-1][:3] == ("GET", "/v1/me/entitlements", {})


def test_for_a_customer_i_act_for_and_a_refusal(api, capsys):
    assert client_fakes.run(api, "me", "entitlements", "--for", "cus-mum") == 0
    assert api.calls[-1][2] == {"customer_id": "cus-mum"}
    assert client_fakes.run(api, "me", "entitlements", "--for", "cus-other") == 1
    assert "may not act for this customer" in capsys.readouterr().err


def test_json_output(api, capsys):
    assert client_fakes.run(api, "--json", "me", "entitlements") == 0
    assert [e["decision_number"] for e in json.loads(capsys.readouterr().out)] == ["JKL-2026-0101", "JKL-2026-0103"]


def test_proxies_add_list_remove(api, capsys):
    assert client_fakes.run(api, "me", "proxies", "add", "sisko@example.fi", "--valid-until", "2027-06-30") == 0
    assert api.calls[-1][3] == {"email": "sisko@example.fi", "valid_until": "2027-06-30"}
    assert "sisko@example.fi may now act for you until 2027-06-30" in capsys.readouterr().out
    assert client_fakes.run(api, "me", "proxies", "list") == 0
    out = capsys.readouterr().out
    assert "cus-mum" in out and "Lehtonen Anna" in out and "sub-rel" in out
    assert client_fakes.run(api, "me", "proxies", "remove", "sub-rel") == 0
    assert api.calls[-1][:2] == ("DELETE", "/v1/me/proxies/sub-rel")
    assert client_fakes.run(api, "me", "proxies", "add", "x@y.fi", "--valid-until", "30.6.2027") == 2


def test_entitlement_access_reads_the_code_from_stdin_without_signing_in(api, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("AINO2026KT\n"))
    assert client_fakes.run(api, "entitlement-access", "JKL-2026-0101", "--code-stdin") == 0
    out = capsys.readouterr().out
    assert "Hello Aino" in out and "Kotihoito" in out and "AINO2026KT" not in out
    method, path, _, body, authz = api.calls[-1]
    assert (method, path, authz) == ("POST", "/v1/public/entitlement-access", "")
    assert body["citizen_code"] == "AINO2026KT"
    monkeypatch.setattr("sys.stdin", io.StringIO("WRONG\n"))
    assert client_fakes.run(api, "entitlement-access", "JKL-2026-0101", "--code-stdin") == 1
    assert "no entitlement with this decision number and code" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert client_fakes.run(api, "entitlement-access", "JKL-2026-0101", "--code-stdin") == 2
