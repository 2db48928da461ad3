"""`seteli event|interruption|approval|credit` against a simulated API (httpx.MockTransport): the
request each command sends (dates and times normalised, the version read first) and what it prints."""

from __future__ import annotations

import json

import httpx
import pytest

from tests import client_fakes

problem = client_fakes.problem


def event(eid: str, **kw) -> dict:
    base = {
        "id": eid,
        "decision_number": "JKL-2026-0101",
        "customer_id": "cus-1",
        "service_id": "home-care",
        "content_id": "home-care-weekday",
        "unit": "hour",
        "provider_id": "prv-a",
        "part_id": "site-kyllo",
        "first_day": "2026-11-02",
        "last_day": "2026-11-02",
        "start_time": "09:00:00",
        "end_time": "11:15:00",
        "quantity": "2.25",
        "lines": [
            {"on": "2026-11-02", "quantity": "2.25", "price": "34.00", "unit_value": "32.00",
             "municipality": "72.00", "own_share": "4.50", "paid_elsewhere": None},
        ],
        "price_total": "76.50",
        "value": "72.00",
        "own_share": "4.50",
        "travel_km": None,
        "travel": "0.00",
        "status": "recorded",
        "giver": "me@a.example",
        "notes": None,
        "overrun": None,
        "approval": None,
        "credit_id": None,
        "version": 1,
    }  # fmt: skip
    base["last_day"] = kw.get("first_day", base["first_day"])
    return {**base, **kw}


OVERRUN = {
    "period": "week",
    "period_start": "2026-11-09",
    "period_end": "2026-11-15",
    "granted": "10.00 h",
    "before": "8.50 h",
    "with_this": "10.75 h",
    "message": "week 9.11.-15.11.2026: 10.75 h of 10.00 h granted",
}


def interruption(iid: str, **kw) -> dict:
    base = {
        "id": iid,
        "decision_number": "JKL-2026-0102",
        "customer_id": "cus-2",
        "service_id": "assisted-living",
        "content_id": "care-day",
        "provider_id": "prv-a",
        "part_id": "site-laukaa",
        "reason": "hospital",
        "departure_day": "2026-11-05",
        "return_day": None,
        "rule_id": "hospital",
        "days": [],
        "value": "0.00",
        "status": "draft",
        "notes": None,
        "version": 1,
    }
    return {**base, **kw}


def split(departure: int, back: int) -> list[dict]:
    days = []
    for n, d in enumerate(range(departure, back + 1)):
        ret = d == back
        pct = 100 if ret or n <= 10 else 0
        days.append(
            {"on": f"2026-11-{d:02d}", "day_number": n, "return_day": ret, "percent": pct,
             "attendance_value": "95.00", "municipality": "95.00" if pct else "0.00", "paid_elsewhere": None}
        )  # fmt: skip
    return days


class FakeApi(client_fakes.RecordingApi):
    def __init__(self) -> None:
        super().__init__()
        self.events = {
            "ev-1": event("ev-1"),
            "ev-2": event("ev-2", first_day="2026-11-03", last_day="2026-11-03", status="draft", version=2),
            "ev-3": event(
                "ev-3", decision_number="JKL-2026-0102", content_id="care-day", unit="day", first_day="2026-11-01",
                last_day="2026-11-04", start_time=None, end_time=None, quantity="4.00", value="380.00",
                own_share="0.00", travel_km="8.40", travel="3.36", status="settled",
            ),
            "ev-4": event("ev-4", first_day="2026-11-13", status="pending_approval", overrun=OVERRUN, version=3),
            "ev-5": event("ev-5", first_day="2026-11-20", status="rejected", value="64.00"),
        }  # fmt: skip
        self.interruptions = {"int-1": interruption("int-1")}
        self.approval_pages = 2

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method, path, body, params = self.record(request)
        parts = path.strip("/").split("/")
        if path == "/v1/events" and method == "POST":
            if body["decision_number"] == "JKL-NONE":
                return problem(404, "no reservation of JKL-NONE by your provider", "body.decision_number")
            status = "draft" if body.get("draft") else "recorded"
            new = event("ev-new", first_day=body["first_day"], status=status)
            if body["first_day"] == "2026-11-13":
                new.update(status="pending_approval", overrun=OVERRUN)
            return httpx.Response(201, json=new)
        if path == "/v1/events" and method == "GET":
            items = [e for e in self.events.values() if e["first_day"].startswith(params["month"])]
            if params.get("status"):
                items = [e for e in items if e["status"] == params["status"]]
            return httpx.Response(200, json={"items": items, "next": None})
        if path == "/v1/events/record" and method == "POST":
            results = []
            for i, eid in enumerate(body["event_ids"]):
                ev = self.events.get(eid)
                if ev is None or ev["status"] != "draft":
                    results.append({"index": i, "ok": False, "status": 409, "created": False, "event": None,
                                    "detail": "only a draft is confirmed", "errors": [
                                        {"field": "path.event_id", "message": "not a draft"}]})  # fmt: skip
                    continue
                ev.update(status="recorded", version=ev["version"] + 1)
                results.append({"index": i, "ok": True, "status": 200, "created": False, "event": ev,
                                "detail": None, "errors": []})  # fmt: skip
            ok = sum(r["ok"] for r in results)
            return httpx.Response(
                200, json={"results": results, "created": 0, "unchanged": ok, "refused": len(results) - ok}
            )
        if parts[:2] == ["v1", "events"] and len(parts) >= 3:
            ev = self.events.get(parts[2])
            if ev is None:
                return problem(404, f"no event {parts[2]}")
            if len(parts) == 4 and parts[3] == "approval":
                if body["version"] != ev["version"]:
                    return problem(409, "stale", "body.version")
                status = "rejected" if body["decision"] == "reject" else "approved"
                credit_id = "cr-" + ev["id"] if body["decision"] == "approve_with_credit" else None
                ev.update(status=status, credit_id=credit_id, version=ev["version"] + 1,
                          approval={"decision": body["decision"], "comment": body.get("comment")})  # fmt: skip
                return httpx.Response(200, json=ev)
            if method == "GET":
                return httpx.Response(200, json=ev)
            if method == "PATCH":
                if body["version"] != ev["version"]:
                    return problem(409, "the event has changed since you read it", "body.version")
                ev.update({k: v for k, v in body.items() if k != "version"}, version=ev["version"] + 1)
                return httpx.Response(200, json=ev)
            if method == "DELETE":
                if int(params["version"]) != ev["version"]:
                    return problem(409, "stale", "query.version")
                del self.events[parts[2]]
                return httpx.Response(204)
        if path == "/v1/interruptions" and method == "POST":
            i = interruption("int-new", departure_day=body["departure_day"], reason=body["reason"])
            if body.get("return_day"):
                i.update(return_day=body["return_day"], days=split(5, 17), value="1235.00")
            if body.get("record"):
                i["status"] = "recorded"
            return httpx.Response(201, json=i)
        if path == "/v1/interruptions" and method == "GET":
            return httpx.Response(200, json={"items": list(self.interruptions.values()), "next": None})
        if parts[:2] == ["v1", "interruptions"] and len(parts) == 3:
            i = self.interruptions.get(parts[2])
            if i is None:
                return problem(404, f"no interruption {parts[2]}")
            if method == "GET":
                return httpx.Response(200, json=i)
            if method == "PATCH":
                if body["version"] != i["version"]:
                    return problem(409, "stale", "body.version")
                i.update(return_day=body["return_day"], days=split(5, 17), value="1235.00", version=i["version"] + 1)
                if body.get("record"):
                    i["status"] = "recorded"
                return httpx.Response(200, json=i)
            if method == "DELETE":
                if int(params["version"]) != i["version"]:
                    return problem(409, "stale", "query.version")
                del self.interruptions[parts[2]]
                return httpx.Response(204)
        if path == "/v1/approvals":
            if params.get("next") == "page2":
                return httpx.Response(200, json={"items": [self.events["ev-4"]], "next": None})
            waiting = [event("ev-9", first_day="2026-11-12", status="pending_approval", overrun=OVERRUN)]
            return httpx.Response(200, json={"items": waiting, "next": "page2" if self.approval_pages > 1 else None})
        if path == "/v1/credits" and method == "POST":
            ev = self.events.get(body["event_id"])
            if ev is None or ev["status"] not in ("settled", "paid"):
                return problem(409, "the event is recorded: a credit corrects a settled event", "body.event_id")
            return httpx.Response(201, json=credit(ev, body["reason"]))
        if path == "/v1/credits" and method == "GET":
            return httpx.Response(200, json={"items": [credit(self.events["ev-3"], "twice")], "next": None})
        return problem(404, f"no route {method} {path}")


def credit(ev: dict, reason: str) -> dict:
    return {
        "id": "cr-" + ev["id"],
        "event_id": ev["id"],
        "decision_number": ev["decision_number"],
        "provider_id": "prv-a",
        "amount": "383.36",
        "deduct_in": "2026-12",
        "reason": reason,
        "status": "open",
        "version": 1,
    }


@pytest.fixture
def api(tmp_path, monkeypatch):
    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in()
    return FakeApi()


def run(fake: FakeApi, *argv: str) -> int:
    return client_fakes.run(fake, *argv)


def calls(fake: FakeApi, method: str) -> list:
    return [c for c in fake.calls if c[0] == method]


# ---------------------------------------------------------------- events


def test_record_an_hour_visit_sends_iso_dates_and_prints_the_money(api, capsys):
    argv = ["event", "record", "JKL-2026-0101", "--date", "2.11.2026", "--start", "9.00", "--end", "11:15"]
    assert run(api, *argv, "--km", "8,4", "--part", "site-kyllo", "--notes", "avain ovella") == 0
    path, body, _ = api.last("POST")
    assert path == "/v1/events"
    assert body == {
        "decision_number": "JKL-2026-0101",
        "first_day": "2026-11-02",
        "start_time": "09:00",
        "end_time": "11:15",
        "travel_km": "8.40",
        "part_id": "site-kyllo",
        "notes": "avain ovella",
    }
    out = capsys.readouterr().out
    assert "Recorded ev-new" in out
    assert "units 2.25 h" in out and "value 72.00 €" in out and "own share 4.50 €" in out
    assert "status recorded" in out


def test_record_a_day_range_as_a_draft(api, capsys):
    assert run(api, "event", "record", "JKL-2026-0102", "--date", "2026-11-01", "--to", "30.11.2026", "--draft") == 0
    _, body, _ = api.last("POST")
    assert body == {"decision_number": "JKL-2026-0102", "first_day": "2026-11-01", "last_day": "2026-11-30",
                    "draft": True}  # fmt: skip
    out = capsys.readouterr().out
    assert "Saved the draft" in out and "seteli event confirm ev-new" in out


def test_record_over_the_granted_amount_prints_the_overrun(api, capsys):
    assert (
        run(api, "event", "record", "JKL-2026-0101", "--date", "13.11.2026", "--start", "9:00", "--end", "11:15") == 0
    )
    out = capsys.readouterr().out
    assert "status pending_approval" in out
    assert "waits for the municipality's approval: week 9.11.-15.11.2026: 10.75 h of 10.00 h granted" in out


def test_record_refuses_bad_input_before_calling(api, capsys):
    base = ["event", "record", "JKL-2026-0101"]
    assert run(api, *base, "--date", "31.11.2026") == 2
    assert "--date: not a calendar date" in capsys.readouterr().err
    assert run(api, *base, "--date", "2.11.2026", "--start", "9:00") == 2
    assert "--start and --end" in capsys.readouterr().err
    assert run(api, *base, "--date", "2.11.2026", "--start", "25:00", "--end", "26:00") == 2
    assert "--start: not a time of day" in capsys.readouterr().err
    assert run(api, *base, "--date", "2.11.2026", "--start", "9:5", "--end", "10") == 2
    assert "--start: not a time: write 9:00" in capsys.readouterr().err
    assert run(api, *base, "--date", "2.11.2026", "--quantity", "1.234") == 2
    assert "at most two decimals" in capsys.readouterr().err
    assert api.calls == []


def test_record_api_refusal_exits_1(api, capsys):
    assert run(api, "event", "record", "JKL-NONE", "--date", "2.11.2026") == 1
    assert "no reservation of JKL-NONE" in capsys.readouterr().err


def test_list_a_month_with_totals(api, capsys):
    assert run(api, "event", "list", "--month", "2026-11", "--customer", "JKL-2026-0101") == 0
    _, _, params = api.last("GET")
    assert params == {"month": "2026-11", "decision_number": "JKL-2026-0101"}
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "DATE", "DECISION", "CONTENT", "UNITS", "VALUE", "OWN", "SHARE", "STATUS"]
    assert any("ev-1" in ln and "2026-11-02 09:00-11:15" in ln and "2.25 h" in ln and "72.00 €" in ln for ln in lines)
    assert any("ev-3" in ln and "2026-11-01 - 2026-11-04" in ln and "4 d" in ln for ln in lines)
    total = lines[-1]
    # ev-5 is rejected: not counted; 72 + 72 + 380 + 72 = 596.00; own share 3 x 4.50 (ev-3 has none)
    assert total.startswith("Total: 5 events; 4 d, 6.75 h; value 596.00 €, own share 13.50 €, travel 3.36 €")
    assert "1 rejected not counted" in total and "1 drafts" in total and "1 wait for approval" in total


def test_list_for_the_municipality_names_the_provider_and_status(api, capsys):
    assert run(api, "event", "list", "--month", "11/2026", "--provider", "prv-a", "--status", "draft") == 0
    _, _, params = api.last("GET")
    assert params == {"month": "2026-11", "provider_id": "prv-a", "status": "draft"}
    assert run(api, "event", "list", "--month", "2026-10") == 0
    assert "No events in 2026-10." in capsys.readouterr().out
    assert run(api, "event", "list", "--month", "marraskuu") == 2


def test_list_json(api, capsys):
    assert run(api, "event", "list", "--month", "2026-11", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["month"] == "2026-11" and len(data["items"]) == 5


def test_show_prints_the_lines(api, capsys):
    assert run(api, "event", "show", "ev-1") == 0
    out = capsys.readouterr().out
    assert "ev-1: JKL-2026-0101 home-care-weekday 2026-11-02 09:00-11:15 at site-kyllo" in out
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("2026-11-02 "))
    assert line.split() == ["2026-11-02", "2.25", "34.00", "€", "32.00", "€", "72.00", "€", "4.50", "€"]
    assert "version 1" in out


def test_show_a_pending_event_has_its_overrun(api, capsys):
    assert run(api, "event", "show", "ev-4") == 0
    assert "10.75 h of 10.00 h granted" in capsys.readouterr().out


def test_edit_reads_the_version_and_sends_only_the_changes(api, capsys):
    assert run(api, "event", "edit", "ev-1", "--start", "8:30", "--end", "10.30", "--notes", "") == 0
    assert [c[0] for c in api.calls] == ["GET", "PATCH"]
    path, body, _ = api.last("PATCH")
    assert path == "/v1/events/ev-1"
    assert body == {"version": 1, "start_time": "08:30", "end_time": "10:30", "notes": None}
    assert "Changed ev-1" in capsys.readouterr().out


def test_edit_needs_a_change_and_a_stale_version_is_refused(api, capsys, monkeypatch):
    assert run(api, "event", "edit", "ev-1") == 2
    assert "nothing to change" in capsys.readouterr().err

    original = api.__call__

    def racing(request):  # someone else changes the event between our read and our write
        if request.method == "PATCH":
            api.events["ev-1"]["version"] = 7
        return original(request)

    assert client_fakes.run(racing, "event", "edit", "ev-1", "--km", "3") == 1
    assert "changed since you read it" in capsys.readouterr().err


def test_delete_sends_the_version(api, capsys):
    assert run(api, "event", "delete", "ev-2") == 0
    path, _, params = api.last("DELETE")
    assert path == "/v1/events/ev-2" and params == {"version": "2"}
    assert "Deleted ev-2" in capsys.readouterr().out
    assert run(api, "event", "delete", "ev-2") == 1


def test_confirm_by_ids_reports_refusals(api, capsys):
    assert run(api, "event", "confirm", "ev-2", "ev-1") == 1
    path, body, _ = api.last("POST")
    assert path == "/v1/events/record" and body == {"event_ids": ["ev-2", "ev-1"]}
    out = capsys.readouterr().out
    assert "Confirmed 1 of 2 events; 1 refused:" in out
    assert "ev-1: only a draft is confirmed [path.event_id: not a draft]" in out


def test_confirm_a_month_lists_the_drafts_and_sends_batches_of_100(api, capsys):
    for n in range(150):
        eid = f"ev-d{n:03d}"
        api.events[eid] = event(eid, first_day="2026-11-10", status="draft")
    assert run(api, "event", "confirm", "--month", "2026-11") == 0
    assert calls(api, "GET")[0][3] == {"month": "2026-11", "status": "draft"}
    posts = calls(api, "POST")
    assert [len(c[2]["event_ids"]) for c in posts] == [100, 51]
    assert "Confirmed 151 of 151 events." in capsys.readouterr().out
    assert run(api, "event", "confirm", "--month", "2026-11") == 0
    assert "No drafts in 2026-11." in capsys.readouterr().out


def test_confirm_needs_ids_or_a_month(api, capsys):
    assert run(api, "event", "confirm") == 2
    assert run(api, "event", "confirm", "ev-1", "--month", "2026-11") == 2
    assert api.calls == []


# ---------------------------------------------------------------- interruptions


def test_interruption_start_a_draft(api, capsys):
    assert run(api, "interruption", "start", "JKL-2026-0102", "--reason", "hospital", "--departure", "5.11.2026") == 0
    path, body, _ = api.last("POST")
    assert path == "/v1/interruptions"
    assert body == {"decision_number": "JKL-2026-0102", "reason": "hospital", "departure_day": "2026-11-05"}
    out = capsys.readouterr().out
    assert "Started int-new" in out and "not back yet" in out and "split by day comes with the return day" in out


def test_interruption_start_recorded_needs_the_return_day(api, capsys):
    argv = ["interruption", "start", "JKL-2026-0102", "--reason", "holiday", "--departure", "2026-11-05", "--record"]
    assert run(api, *argv) == 2
    assert "--record needs the --return day" in capsys.readouterr().err
    assert run(api, *argv, "--return", "17.11.2026") == 0
    _, body, _ = api.last("POST")
    assert body["return_day"] == "2026-11-17" and body["record"] is True
    out = capsys.readouterr().out
    assert "Recorded int-new" in out and "return day" in out


def test_interruption_end_reads_the_version_and_records(api, capsys):
    assert run(api, "interruption", "end", "int-1", "--return", "17.11.2026") == 0
    path, body, _ = api.last("PATCH")
    assert path == "/v1/interruptions/int-1"
    assert body == {"version": 1, "return_day": "2026-11-17", "record": True}
    out = capsys.readouterr().out
    assert "Ended int-1" in out and "value 1235.00 €" in out
    rows = [ln.split() for ln in out.splitlines() if ln.strip().startswith("2026-11-")]
    assert rows[0][:4] == ["2026-11-05", "day", "0", "100"]
    assert rows[11][:4] == ["2026-11-16", "day", "11", "0"]
    assert rows[-1][:4] == ["2026-11-17", "return", "day", "100"]


def test_interruption_end_as_draft(api):
    assert run(api, "interruption", "end", "int-1", "--return", "2026-11-17", "--draft") == 0
    _, body, _ = api.last("PATCH")
    assert "record" not in body


def test_interruption_list_show_delete(api, capsys):
    assert run(api, "interruption", "list", "--since", "1.11.2026") == 0
    _, _, params = api.last("GET")
    assert params == {"since": "2026-11-01"}
    out = capsys.readouterr().out
    assert "int-1" in out and "hospital" in out and "draft" in out
    assert run(api, "interruption", "show", "int-1") == 0
    assert "from 2026-11-05 (day 0)" in capsys.readouterr().out
    assert run(api, "interruption", "delete", "int-1") == 0
    _, _, params = api.last("DELETE")
    assert params == {"version": "1"}
    assert run(api, "interruption", "list") == 0
    assert "No interruptions." in capsys.readouterr().out


# ---------------------------------------------------------------- approvals and credits


def test_approval_list_follows_the_pages(api, capsys):
    assert run(api, "approval", "list") == 0
    gets = calls(api, "GET")
    assert [c[3] for c in gets] == [{"limit": "100"}, {"limit": "100", "next": "page2"}]
    out = capsys.readouterr().out
    assert "ev-9" in out and "ev-4" in out and "10.75 h of 10.00 h granted" in out and "2 waiting" in out


def test_approval_decide_with_credit_reads_the_version(api, capsys):
    assert run(api, "approval", "decide", "ev-4", "approve-with-credit", "--comment", "korjattu") == 0
    path, body, _ = api.last("POST")
    assert path == "/v1/events/ev-4/approval"
    assert body == {"decision": "approve_with_credit", "version": 3, "comment": "korjattu"}
    out = capsys.readouterr().out
    assert "Approved with a credit request: ev-4" in out and "credit request cr-ev-4" in out


def test_approval_decide_reject_and_a_bad_choice(api, capsys):
    assert run(api, "approval", "decide", "ev-4", "reject") == 0
    _, body, _ = api.last("POST")
    assert body == {"decision": "reject", "version": 3}
    assert run(api, "approval", "decide", "ev-4", "maybe") == 2


def test_credit_file_and_list(api, capsys):
    assert run(api, "credit", "file", "ev-3", "--reason", "recorded twice") == 0
    _, body, _ = api.last("POST")
    assert body == {"event_id": "ev-3", "reason": "recorded twice"}
    assert "Credit request cr-ev-3: 383.36 € of event ev-3" in capsys.readouterr().out
    assert run(api, "credit", "file", "ev-1", "--reason", "x") == 1
    assert "a credit corrects a settled event" in capsys.readouterr().err
    assert run(api, "credit", "list", "--provider", "prv-a") == 0
    _, _, params = api.last("GET")
    assert params == {"provider_id": "prv-a"}
    out = capsys.readouterr().out
    assert "cr-ev-3" in out and "2026-12" in out and "open" in out
