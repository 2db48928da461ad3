"""`seteli price-lists list|show|create|edit|delete|publish` and `seteli price` against a simulated
API (httpx.MockTransport) that keeps versions and refuses edits of approved lists as the real one."""

from __future__ import annotations

import json

import httpx
import pytest

from tests import client_fakes

API = client_fakes.API
BASE = "/v1/providers/prv-a/price-lists"


problem = client_fakes.problem


def pl(id_: str, **kw) -> dict:
    base = {
        "id": id_,
        "provider_id": "prv-a",
        "service_id": "assisted-living",
        "level": "company",
        "part_id": None,
        "name": f"Hinnasto {id_}",
        "starts_on": "2027-01-01",
        "prices": {"care-day": "118.50"},
        "status": "draft",
        "notes": None,
        "valid_from": None,
        "valid_until": None,
        "version": 1,
    }
    return {**base, **kw}


class FakeApi(client_fakes.RecordingApi):
    def __init__(self) -> None:
        super().__init__()
        self.lists = {
            "pl-a": pl("pl-a", status="approved", starts_on="2015-01-01", valid_from="2015-01-01",
                       valid_until="2026-12-31", version=2),
            "pl-b": pl("pl-b", level="part", part_id="site-1", name="Toimipaikka"),
        }  # fmt: skip

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method, path, body, params = self.record(request)
        assert request.headers["Authorization"].startswith("Bearer ")
        if path == "/v1/providers/prv-a/prices":
            if params.get("on") == "2014-01-01":
                return problem(404, "provider prv-a has no approved price for care-day")
            return httpx.Response(
                200,
                json={"price": "118.50", "price_list_id": "pl-a", "level": "company", "part_id": None,
                      "valid_from": "2015-01-01", "valid_until": None, "provider_id": "prv-a",
                      "service_id": params["service_id"], "content_id": params["content_id"],
                      "on": params.get("on", "2026-11-23")},
            )  # fmt: skip
        if not path.startswith(BASE):
            return problem(403, "you may only see your own provider's price lists")
        rest = path.removeprefix(BASE).strip("/")
        if rest == "" and method == "GET":
            items = [x for x in self.lists.values() if params.get("status") in (None, x["status"])]
            return httpx.Response(200, json={"items": items, "next": None})
        if rest == "" and method == "POST":
            new = pl("pl-new", **body)
            self.lists["pl-new"] = new
            return httpx.Response(201, json=new)
        pid, _, action = rest.partition("/")
        if pid not in self.lists:
            return problem(404, f"no price list {pid}")
        cur = self.lists[pid]
        if method == "GET":
            return httpx.Response(200, json=cur)
        sent = body["version"] if body else int(params["version"])
        if sent != cur["version"]:
            return problem(409, "the price list changed meanwhile", "body.version")
        if method == "PATCH":
            if cur["status"] == "approved" and set(body) - {"version", "notes"}:
                return problem(409, "an approved price list is never edited; make a new list with a later start date")
            cur.update({k: v for k, v in body.items() if k != "version"}, version=cur["version"] + 1)
            return httpx.Response(200, json=cur)
        if method == "DELETE":
            del self.lists[pid]
            return httpx.Response(204)
        if action == "publish":
            cur.update(status="approved", valid_from=cur["starts_on"], version=cur["version"] + 1)
            return httpx.Response(200, json=cur)
        return problem(404, f"no route {method} {path}")


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in()
    return FakeApi()


def run(fake: FakeApi, *argv: str) -> int:
    return client_fakes.run(fake, *argv)


def test_list_shows_validity_and_filters(api, capsys):
    assert run(api, "price-lists", "list", "--service", "assisted-living", "--status", "approved") == 0
    path, _, params = api.last("GET")
    assert path == BASE and params == {"service_id": "assisted-living", "status": "approved"}
    out = capsys.readouterr().out
    assert "pl-a" in out and "2015-01-01 - 2026-12-31" in out and "pl-b" not in out
    assert run(api, "price-lists", "list") == 0
    out = capsys.readouterr().out
    assert "part site-1" in out and "draft" in out


def test_show_prints_prices_and_json_gives_the_object(api, capsys):
    assert run(api, "price-lists", "show", "pl-b") == 0
    out = capsys.readouterr().out
    assert "Toimipaikka" in out and "care-day" in out and "118.50 EUR" in out and "part site-1" in out
    assert run(api, "--json", "price-lists", "show", "pl-a") == 0
    assert json.loads(capsys.readouterr().out)["valid_until"] == "2026-12-31"


def test_create_with_price_flags(api, capsys):
    code = run(
        api, "price-lists", "create", "--service", "assisted-living", "--name", "Toimipaikkahinnasto 1-2027",
        "--starts-on", "2027-01-01", "--part", "site-1", "--notes", "alv 0 %",
        "--price", "care-day=118.50", "--price", "extra=0",
    )  # fmt: skip
    assert code == 0
    _, body, _ = api.last("POST")
    assert body == {
        "service_id": "assisted-living",
        "name": "Toimipaikkahinnasto 1-2027",
        "starts_on": "2027-01-01",
        "part_id": "site-1",
        "notes": "alv 0 %",
        "prices": {"care-day": "118.50", "extra": "0"},
    }
    assert "Draft price list pl-new made" in capsys.readouterr().out


def test_create_from_a_file_keeps_amounts_exact_and_flags_win(api, tmp_path):
    (tmp_path / "prices.json").write_text('{"care-day": 118.10, "meals": "12.00"}', encoding="utf-8")
    argv = ["price-lists", "create", "--service", "s", "--name", "n", "--starts-on", "2027-01-01"]
    assert run(api, *argv, "--from-file", "prices.json", "--price", "meals=13.00") == 0
    _, body, _ = api.last("POST")
    assert body["prices"] == {"care-day": "118.10", "meals": "13.00"}  # never the float 118.1
    whole = {"service_id": "s2", "name": "Koko", "starts_on": "2027-02-01", "prices": {"care-day": "1.00"}}
    (tmp_path / "list.json").write_text(json.dumps(whole), encoding="utf-8")
    assert run(api, "price-lists", "create", "--from-file", "list.json", "--name", "Lippu") == 0
    _, body, _ = api.last("POST")
    assert body == {**whole, "name": "Lippu"}


def test_create_needs_its_fields_and_a_well_formed_price(api, capsys):
    assert run(api, "price-lists", "create", "--service", "s", "--price", "care-day=1") == 2
    err = capsys.readouterr().err
    assert "--name" in err and "--starts-on" in err
    argv = ["price-lists", "create", "--service", "s", "--name", "n", "--starts-on", "2027-01-01"]
    assert run(api, *argv, "--price", "care-day") == 2
    assert "CONTENT=AMOUNT" in capsys.readouterr().err
    assert run(api, *argv) == 2
    assert not [c for c in api.calls if c[0] == "POST"]


def test_edit_sends_the_version_read_and_an_approved_list_refuses(api, capsys):
    assert run(api, "price-lists", "edit", "pl-b", "--price", "care-day=120.00", "--company") == 0
    path, body, _ = api.last("PATCH")
    assert path == f"{BASE}/pl-b"
    assert body == {"version": 1, "prices": {"care-day": "120.00"}, "level": "company", "part_id": None}
    assert api.lists["pl-b"]["version"] == 2
    capsys.readouterr()
    assert run(api, "price-lists", "edit", "pl-a", "--name", "Uusi") == 1
    assert "never edited" in capsys.readouterr().err
    assert run(api, "price-lists", "edit", "pl-a", "--notes", "Ateriat sisältyvät") == 0
    assert api.lists["pl-a"]["notes"] == "Ateriat sisältyvät"
    assert run(api, "price-lists", "edit", "pl-a") == 2


def test_delete_and_publish_send_the_version_read(api, capsys):
    assert run(api, "price-lists", "publish", "pl-b") == 0
    path, body, _ = api.last("POST")
    assert path == f"{BASE}/pl-b/publish" and body == {"version": 1}
    assert "Published: in force 2027-01-01 - toistaiseksi" in capsys.readouterr().out
    api.lists["pl-c"] = pl("pl-c", version=4)
    assert run(api, "price-lists", "delete", "pl-c") == 0
    path, _, params = api.last("DELETE")
    assert path == f"{BASE}/pl-c" and params == {"version": "4"}
    assert "pl-c" not in api.lists


def test_price_asks_the_day_and_part(api, capsys):
    code = run(api, "price", "--service", "assisted-living", "--content", "care-day", "--part", "site-1",
               "--on", "2016-01-02")  # fmt: skip
    assert code == 0
    path, _, params = api.last("GET")
    assert path == "/v1/providers/prv-a/prices"
    assert params == {
        "service_id": "assisted-living",
        "content_id": "care-day",
        "part_id": "site-1",
        "on": "2016-01-02",
    }
    out = capsys.readouterr().out
    assert "118.50 EUR" in out and "toistaiseksi" in out and "pl-a" in out
    assert run(api, "price", "--service", "s", "--content", "care-day", "--on", "2014-01-01") == 1
    assert "no approved price" in capsys.readouterr().err


def test_another_provider_is_given_with_provider(api, capsys):
    assert run(api, "price-lists", "list", "--provider", "prv-b") == 1
    assert api.last("GET")[0] == "/v1/providers/prv-b/price-lists"
    assert "own provider" in capsys.readouterr().err
