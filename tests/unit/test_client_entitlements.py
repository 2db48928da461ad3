"""`seteli customers add|get|update|find-by-id|death` and `seteli entitlements grant|grant-balance|
order|show|list|close|pdf` against a simulated API (httpx.MockTransport): personal identity codes
come from standard input, never the command line, and never go in a URL."""

from __future__ import annotations

import base64
import io

import httpx
import pytest

from seteli_client.cli import UsageError
from seteli_client.commands.entitlements import parse_content, parse_row, pdf_bytes
from tests import client_fakes

problem = client_fakes.problem
PID = "120345-312U"
PDF = b"%PDF-1.3\n...JKL-1...\n%%EOF\n"

CUSTOMER = {
    "id": "cus-1", "personal_id": PID, "first_names": "Aino", "last_name": "Lehtonen", "name": "Lehtonen Aino",
    "home_municipality": "Jyväskylä", "address": "Koulukatu 1", "postal_code": "40100", "city": "Jyväskylä",
    "phone": None, "email": None, "died_on": None, "created_at": "2026-05-01T09:00:00Z",
    "updated_at": "2026-05-01T09:00:00Z", "version": 3,
}  # fmt: skip


def entitlement(number: str = "JKL-1", **kw) -> dict:
    base = {
        "decision_number": number, "kind": "voucher", "state": "granted", "customer_id": "cus-1",
        "customer": {"id": "cus-1", "name": "Lehtonen Aino", "first_names": "Aino", "last_name": "Lehtonen",
                     "home_municipality": "Jyväskylä", "personal_id": PID, "died_on": None},
        "service_id": "home-care", "decision_date": "2026-05-01", "valid_from": "2026-05-01", "valid_until": None,
        "home_municipality": "Jyväskylä",
        "rows": [{"content_id": "home-care-weekday", "amount": "10.00", "period": "week", "unit_value": "32.00",
                  "total_value": "320.00"}],
        "balance": None, "verification_code": "KT7HQ4MRXA", "citizen_code": "AINO2026KT", "named_provider_id": None,
        "named_part_id": None, "notes": None, "closed_on": None, "closed_reason": None, "reserved_by": [],
        "reservations": [], "created_at": "2026-05-01T09:00:00Z", "updated_at": "2026-05-01T09:00:00Z", "version": 1,
    }  # fmt: skip
    return {**base, **kw}


class FakeApi(client_fakes.RecordingApi):
    def __init__(self, *, pdf_as_base64: bool = False) -> None:
        super().__init__()
        self.pdf_as_base64 = pdf_as_base64

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method, path, body, params = self.record(request)
        assert PID not in str(request.url)
        if path == "/v1/customers" and method == "POST":
            if body["personal_id"] == "dup":
                return problem(409, "a customer with this personal identity code exists already: cus-1",
                               "body.personal_id")  # fmt: skip
            return httpx.Response(201, json={**CUSTOMER, **{k: v for k, v in body.items() if k != "personal_id"}})
        if path == "/v1/customers/search":
            return httpx.Response(200, json={"items": [CUSTOMER] if body["personal_id"] == PID else [], "next": None})
        if path == "/v1/customers/cus-1" and method == "GET":
            return httpx.Response(200, json=CUSTOMER)
        if path == "/v1/customers/cus-1" and method == "PATCH":
            if body["version"] != CUSTOMER["version"]:
                return problem(409, "stale", "body.version")
            return httpx.Response(200, json={**CUSTOMER, **body, "version": 4})
        if path == "/v1/customers/cus-1/death":
            closed = [entitlement(state="closed", closed_on="2026-06-15", closed_reason="death")]
            return httpx.Response(
                200, json={"customer": {**CUSTOMER, "died_on": body["died_on"], "version": 4}, "closed": closed}
            )
        if path == "/v1/customers/cus-1/entitlements":
            return httpx.Response(200, json={"items": [entitlement(), entitlement("JKL-2")], "next": None})
        if path == "/v1/entitlements" and method == "POST":
            return httpx.Response(201, json=entitlement(body["decision_number"], kind=body["kind"]))
        if path == "/v1/entitlements/JKL-1" and method == "GET":
            return httpx.Response(200, json=entitlement())
        if path == "/v1/entitlements/JKL-1/close":
            return httpx.Response(200, json=entitlement(state="closed", closed_on=body.get("closed_on", "2026-05-10")))
        if path == "/v1/entitlements/JKL-1/provider-copy.pdf":
            content = base64.b64encode(PDF) if self.pdf_as_base64 else PDF
            return httpx.Response(200, content=content, headers={"Content-Type": "application/pdf"})
        return problem(404, f"no route {method} {path}")


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in()
    return FakeApi()


def run(fake, *argv: str) -> int:
    return client_fakes.run(fake, *argv)


def stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


# ---------------------------------------------------------------- parsing


def test_rows_and_contents_parse():
    assert parse_row("home-care-weekday:10:week:32.00") == {
        "content_id": "home-care-weekday", "amount": "10", "period": "week", "unit_value": "32.00"
    }  # fmt: skip
    assert parse_row("care-day:7,5") == {"content_id": "care-day", "amount": "7.5"}
    assert parse_row("x:1::25,50") == {"content_id": "x", "amount": "1", "unit_value": "25.50"}
    for bad in ("x", ":1", "x:1:fortnight", "a:1:week:2:3"):
        with pytest.raises(UsageError):
            parse_row(bad)
    assert parse_content("errand-help:20.00") == {"content_id": "errand-help", "subsidy": "20.00"}
    assert parse_content("errand-help") == {"content_id": "errand-help"}


def test_pdf_bytes_as_sent_or_base64():
    assert pdf_bytes(PDF) == PDF
    assert pdf_bytes(base64.b64encode(PDF)) == PDF
    with pytest.raises(UsageError):
        pdf_bytes(b"<html>")


# ---------------------------------------------------------------- customers


def test_customers_add_reads_the_personal_id_from_stdin(api, capsys, monkeypatch):
    stdin(monkeypatch, f"{PID}\n")
    argv = ["customers", "add", "--first-names", "Aino", "--last-name", "Lehtonen", "--home-municipality", "Jyväskylä"]
    assert run(api, *argv, "--personal-id-stdin") == 0
    path, body, _ = api.last("POST")
    assert path == "/v1/customers"
    assert body == {
        "personal_id": PID,
        "first_names": "Aino",
        "last_name": "Lehtonen",
        "home_municipality": "Jyväskylä",
    }
    assert "Added customer cus-1" in capsys.readouterr().out


def test_customers_add_without_stdin_or_terminal_is_a_usage_error(api, capsys, monkeypatch):
    stdin(monkeypatch, "")
    assert run(api, "customers", "add", "--first-names", "A", "--last-name", "B") == 2
    assert "--personal-id-stdin" in capsys.readouterr().err
    assert api.calls == []


def test_a_duplicate_personal_id_shows_the_problem(api, capsys, monkeypatch):
    stdin(monkeypatch, "dup\n")
    assert run(api, "customers", "add", "--first-names", "A", "--last-name", "B", "--personal-id-stdin") != 0
    err = capsys.readouterr().err
    assert "409" in err and "cus-1" in err and "body.personal_id" in err


def test_customers_find_by_id_posts_the_code_in_the_body(api, capsys, monkeypatch):
    stdin(monkeypatch, f"{PID}\n")
    assert run(api, "customers", "find-by-id", "--personal-id-stdin") == 0
    path, body, params = api.last("POST")
    assert (path, body, params) == ("/v1/customers/search", {"personal_id": PID}, {})
    assert "Lehtonen Aino" in capsys.readouterr().out
    stdin(monkeypatch, "010101-123N\n")
    assert run(api, "customers", "find-by-id", "--personal-id-stdin") == 0
    assert "No customer" in capsys.readouterr().out


def test_customers_get_update_and_death_send_the_version_read(api, capsys):
    assert run(api, "customers", "get", "cus-1") == 0
    assert "Lehtonen Aino" in capsys.readouterr().out
    assert run(api, "customers", "update", "cus-1", "--address", "Uusikatu 2", "--clear", "phone") == 0
    path, body, _ = api.last("PATCH")
    assert body == {"address": "Uusikatu 2", "phone": None, "version": 3}
    assert run(api, "customers", "update", "cus-1", "--address", "X", "--version", "1") != 0
    assert "409" in capsys.readouterr().err
    assert run(api, "customers", "update", "cus-1") == 2
    assert run(api, "customers", "update", "cus-1", "--clear", "last-name") == 2
    assert run(api, "customers", "death", "cus-1", "--on", "2026-06-14") == 0
    path, body, _ = api.last("POST")
    assert (path, body) == ("/v1/customers/cus-1/death", {"died_on": "2026-06-14", "version": 3})
    out = capsys.readouterr().out
    assert "Closed 1 entitlement(s) from 2026-06-15" in out and "JKL-1" in out


def test_customers_help_lists_both_municipality_and_provider_commands(api, capsys):
    assert run(api, "customers", "--help") == 0
    out = capsys.readouterr().out
    for name in ("add", "get", "update", "find-by-id", "death", "search", "lookup", "number"):
        assert name in out


# ---------------------------------------------------------------- entitlements


def test_grant_a_voucher_with_rows_and_a_named_provider(api, capsys):
    argv = ["entitlements", "grant", "--customer", "cus-1", "--number", "JKL-9", "--service", "home-care",
            "--decision-date", "2026-05-01", "--from", "2026-05-01", "--row", "home-care-weekday:10:week:32.00",
            "--row", "home-care-evening:4", "--provider", "prv-a"]  # fmt: skip
    assert run(api, *argv) == 0
    path, body, _ = api.last("POST")
    assert path == "/v1/entitlements"
    assert body == {
        "kind": "voucher", "decision_number": "JKL-9", "customer_id": "cus-1", "service_id": "home-care",
        "decision_date": "2026-05-01", "valid_from": "2026-05-01", "valid_until": None,
        "rows": [{"content_id": "home-care-weekday", "amount": "10", "period": "week", "unit_value": "32.00"},
                 {"content_id": "home-care-evening", "amount": "4"}],
        "named_provider_id": "prv-a",
    }  # fmt: skip
    out = capsys.readouterr().out
    assert "Granted JKL-9" in out and "KT7HQ4MRXA" in out and "AINO2026KT" in out and "320.00 EUR" in out


def test_grant_a_balance_voucher(api, capsys):
    base = ["entitlements", "grant-balance", "--customer", "cus-1", "--number", "JKL-8", "--service", "errand-help",
            "--decision-date", "2026-05-01", "--from", "2026-05-01", "--until", "2026-12-31"]  # fmt: skip
    argv = [*base, "--total-euros", "250,00", "--recurrence", "month", "--content", "errand-help:20.00"]
    assert run(api, *argv, "--provider", "prv-a", "--provider", "prv-b") == 0
    _, body, _ = api.last("POST")
    assert body["kind"] == "balance_voucher" and body["valid_until"] == "2026-12-31"
    assert body["balance"] == {
        "recurrence": "month", "contents": [{"content_id": "errand-help", "subsidy": "20.00"}],
        "total_euros": "250.00", "provider_ids": ["prv-a", "prv-b"],
    }  # fmt: skip
    assert run(api, *base, "--content", "errand-help") == 2  # neither total
    assert run(api, *base, "--content", "errand-help", "--total-euros", "1", "--total-units", "2") == 2


def test_order_names_the_provider_and_part(api):
    argv = ["entitlements", "order", "--customer", "cus-1", "--number", "JKL-7", "--service", "home-care",
            "--decision-date", "2026-05-01", "--from", "2026-05-01", "--provider", "prv-a", "--part", "site-1",
            "--row", "home-care-weekday:10:week"]  # fmt: skip
    assert run(api, *argv) == 0
    _, body, _ = api.last("POST")
    assert body["kind"] == "order" and body["named_provider_id"] == "prv-a" and body["named_part_id"] == "site-1"
    assert body["rows"] == [{"content_id": "home-care-weekday", "amount": "10", "period": "week"}]


def test_show_list_and_close(api, capsys):
    assert run(api, "entitlements", "show", "JKL-1") == 0
    out = capsys.readouterr().out
    assert "JKL-1  voucher  granted" in out and "until further notice" in out
    assert run(api, "entitlements", "list", "--customer", "cus-1") == 0
    out = capsys.readouterr().out
    assert "JKL-1" in out and "JKL-2" in out
    assert run(api, "entitlements", "close", "JKL-1", "--reason", "muutti pois", "--on", "2026-06-01") == 0
    path, body, _ = api.last("POST")
    assert (path, body) == ("/v1/entitlements/JKL-1/close", {"reason": "muutti pois", "version": 1,
                                                              "closed_on": "2026-06-01"})  # fmt: skip
    assert "Closed JKL-1 from 2026-06-01" in capsys.readouterr().out


@pytest.mark.parametrize("as_base64", [False, True])
def test_pdf_writes_the_decoded_bytes(tmp_path, monkeypatch, capsys, as_base64):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in()
    fake = FakeApi(pdf_as_base64=as_base64)
    assert run(fake, "entitlements", "pdf", "JKL-1") == 0
    assert (tmp_path / "JKL-1-tuottajan-kappale.pdf").read_bytes() == PDF
    assert run(fake, "entitlements", "pdf", "JKL-1", "-o", str(tmp_path / "copy.pdf")) == 0
    assert (tmp_path / "copy.pdf").read_bytes() == PDF
    assert "copy.pdf" in capsys.readouterr().out
