"""`seteli me feedback`, `seteli provider feedback` and `seteli feedback` against a simulated API
(httpx.MockTransport)."""

from __future__ import annotations

import io
import json

import httpx
import pytest

from tests import client_fakes
from tests.factories import client_token


def feedback(i: int, **kw) -> dict:
    base = {
        "id": f"fb-{i}",
        "type": "reclamation",
        "text": f"Käynti {i} jäi väliin.",
        "provider_id": "prv-a",
        "provider_name": "Aurinkohoiva Oy",
        "part_id": None,
        "event_id": None,
        "customer_id": "cus-aino",
        "customer_name": "Virtanen Aino",
        "reply_requested": False,
        "needs_reply": True,
        "as_proxy": False,
        "given_by": None,
        "reply": None,
        "replied_at": None,
        "replied_by": None,
        "created_at": "2026-11-23T08:00:00Z",
        "version": 1,
    }
    return {**base, **kw}


class FakeApi(client_fakes.RecordingApi):
    def __init__(self) -> None:
        super().__init__()
        self.items = [feedback(i) for i in range(5, 0, -1)]
        self.replied: dict[str, str] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method, path, body, params = self.record(request)
        if path == "/v1/feedback" and method == "POST":
            if body["provider_id"] == "prv-stranger":
                return client_fakes.problem(422, "you have no relation with this provider", "body.provider_id")
            made = feedback(9, **{k: v for k, v in body.items() if k != "customer_id"})
            made.update(notified=["provider", "municipality"], email_failed=False, provider_name="Aurinkohoiva Oy")
            return httpx.Response(201, json=made)
        if path == "/v1/feedback" and method == "GET":
            start = int(params.get("next", "0"))
            size = int(params.get("limit", "50"))
            items = self.items
            if params.get("needs_reply") == "true":
                items = [f for f in items if f["needs_reply"]]
            page = items[start : start + size]
            more = start + size < len(items)
            return httpx.Response(200, json={"items": page, "next": str(start + size) if more else None})
        if path.startswith("/v1/feedback/fb-") and path.endswith("/reply"):
            fid = path.split("/")[3]
            if fid in self.replied:
                return client_fakes.problem(409, "this feedback has been replied to already: one reply only")
            if body["version"] != 3:
                return client_fakes.problem(409, "stale", "body.version")
            self.replied[fid] = body["text"]
            return httpx.Response(200, json=feedback(7, reply=body["text"], needs_reply=False, version=4))
        if path == "/v1/feedback/fb-7":
            return httpx.Response(200, json=feedback(7, version=3, reply=self.replied.get("fb-7")))
        return client_fakes.problem(404, "no such feedback")


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in(client_token(None, "citizen"))
    return FakeApi()


def test_a_citizen_gives_a_reclamation(api, capsys):
    argv = ["me", "feedback", "give", "--provider", "prv-a", "--type", "reclamation", "--text", " Myöhästyi. "]
    assert client_fakes.run(api, *argv, "--part", "site-1", "--event", "ev-1", "--reply-requested") == 0
    method, path, body, _ = api.calls[-1]
    assert (method, path) == ("POST", "/v1/feedback")
    assert body == {
        "type": "reclamation",
        "text": "Myöhästyi.",
        "provider_id": "prv-a",
        "reply_requested": True,
        "part_id": "site-1",
        "event_id": "ev-1",
    }
    out = capsys.readouterr().out
    assert "fb-9" in out and "Aurinkohoiva Oy" in out and "the provider and the municipality" in out


def test_a_proxy_gives_for_the_customer_and_reads_the_text_from_stdin(api, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO('Kiitos "hyvästä" hoidosta!\n'))
    argv = ["me", "feedback", "give", "--provider", "prv-a", "--type", "thanks", "--text-file", "-", "--for", "cus-mum"]
    assert client_fakes.run(api, *argv) == 0
    body = api.calls[-1][2]
    assert body["customer_id"] == "cus-mum" and body["text"] == 'Kiitos "hyvästä" hoidosta!'
    assert body["reply_requested"] is False and "part_id" not in body
    assert client_fakes.run(api, "me", "feedback", "give", "--provider", "prv-a", "--type", "thanks",
                            "--customer", "cus-mum", "--text", "x") == 0  # fmt: skip
    assert api.calls[-1][2]["customer_id"] == "cus-mum"


def test_give_usage_errors_and_an_api_refusal(api, capsys):
    give = ["me", "feedback", "give", "--provider", "prv-a", "--type", "complaint"]
    calls = len(api.calls)
    assert client_fakes.run(api, *give) == 2  # no text
    assert client_fakes.run(api, *give, "--text", "   ") == 2
    assert client_fakes.run(api, *give, "--text", "x" * 4001) == 2
    assert client_fakes.run(api, *give, "--text", "x", "--text-file", "-") == 2
    assert client_fakes.run(api, *give[:-1], "praise", "--text", "x") == 2  # not a type
    assert client_fakes.run(api, *give, "--text-file", "/no/such/file") == 2
    assert len(api.calls) == calls  # nothing was sent
    capsys.readouterr()
    argv = ["me", "feedback", "give", "--provider", "prv-stranger", "--type", "thanks", "--text", "x"]
    assert client_fakes.run(api, *argv) == 1
    assert "you have no relation with this provider" in capsys.readouterr().err


def test_lists_follow_the_pages_and_filter(api, capsys):
    assert client_fakes.run(api, "me", "feedback", "list", "--for", "cus-mum") == 0
    out = capsys.readouterr().out
    assert all(f"fb-{i}" in out for i in range(1, 6)) and "reply needed" in out and "Aurinkohoiva Oy" in out
    assert "Virtanen Aino" not in out  # the citizen's own table has no customer column
    assert api.calls[-1][3] == {"customer_id": "cus-mum", "limit": "100"}

    api.items[0] = feedback(5, needs_reply=False, reply="Vastattu")
    assert client_fakes.run(api, "provider", "feedback", "list", "--needs-reply", "--limit", "2") == 0
    out = capsys.readouterr().out
    assert "fb-4" in out and "fb-3" in out and "fb-5" not in out and "fb-2" not in out
    assert "Virtanen Aino" in out
    assert api.calls[-1][3] == {"needs_reply": "true", "limit": "2"}

    assert client_fakes.run(api, "--json", "feedback", "list", "--provider", "prv-a", "--limit", "3") == 0
    assert [f["id"] for f in json.loads(capsys.readouterr().out)] == ["fb-5", "fb-4", "fb-3"]
    assert api.calls[-1][3] == {"provider_id": "prv-a", "limit": "3"}

    api.items = []
    assert client_fakes.run(api, "feedback", "list", "--customer", "cus-x") == 0
    assert "No feedback." in capsys.readouterr().out
    assert client_fakes.run(api, "feedback", "list", "--limit", "0") == 2


def test_the_provider_replies_with_the_version_read_first(api, capsys):
    argv = ["provider", "feedback", "reply", "fb-7", "--text", "Pahoittelemme."]
    assert client_fakes.run(api, *argv) == 0
    assert [c[:2] for c in api.calls[-2:]] == [("GET", "/v1/feedback/fb-7"), ("POST", "/v1/feedback/fb-7/reply")]
    assert api.calls[-1][2] == {"text": "Pahoittelemme.", "version": 3}
    assert "Replied to fb-7" in capsys.readouterr().out
    assert client_fakes.run(api, *argv) == 1
    assert "one reply only" in capsys.readouterr().err
    assert client_fakes.run(api, "provider", "feedback", "reply", "fb-7") == 2  # no text


def test_show(api, capsys):
    assert client_fakes.run(api, "feedback", "show", "fb-7") == 0
    out = capsys.readouterr().out
    assert "fb-7: reclamation (reklamaatio)" in out and "Käynti 7 jäi väliin." in out
    assert "Waiting for the provider's reply." in out and "Virtanen Aino (cus-aino)" in out
    api.replied["fb-7"] = "Korjattu."
    assert client_fakes.run(api, "provider", "feedback", "show", "fb-7") == 0
    assert "Korjattu." in capsys.readouterr().out
    assert client_fakes.run(api, "feedback", "show", "fb-nothing") == 1
    assert "no such feedback" in capsys.readouterr().err


def test_the_citizen_commands_stay_beside_the_feedback(api, capsys):
    """`seteli me` keeps its own subcommands with feedback added."""
    from seteli_client.cli import build_parser

    me = build_parser()._subparsers._group_actions[0].choices["me"]
    names = set(me._subparsers._group_actions[0].choices)
    assert {"entitlements", "proxies", "feedback"} <= names
