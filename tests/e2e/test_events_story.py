"""Issue 5's story through the `seteli` CLI against the local runtime, as its users would drive it:

Aurinkohoiva's admin imports a week of home-care visits for Aino Lehtonen from a CSV file (a bad row
refused locally, an unknown decision number refused by the API, the visit that makes the week 10.5 h
waits for approval) and runs the same file again without duplicates; the case worker approves the
visit with a credit request; Aino sees her events and gives a reclamation; the company replies once.
Dates are this month's (the recording window is the current month and 60 days back).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _week(today: date) -> date:
    """A Monday of this month whose week lies inside the month (the 8th-14th always holds one)."""
    d = today.replace(day=8)
    return d + timedelta(days=(7 - d.weekday()) % 7)


def test_a_provider_imports_a_week_the_municipality_decides_the_citizen_complains(local_seteli, tmp_path):
    from datetime import datetime

    s = local_seteli
    today = datetime.now(ZoneInfo("Europe/Helsinki")).date()
    monday = _week(today)

    def run(*args: str, code: int = 0, input: str | None = None):  # noqa: A002
        res = s.seteli(*args, input=input)
        assert res.returncode == code, s.explain(res)
        return res

    def js(*args: str, code: int = 0, input: str | None = None):  # noqa: A002
        return json.loads(run("--json", *args, code=code, input=input).stdout)

    # ---- the company's timesheet as a CSV file (Finnish dates, semicolons)
    visits = [("8:30", "10:45"), ("8:30", "10:30"), ("9:00", "11:15"), ("8:30", "10:30"), ("9:00", "11:00")]
    rows = ["decision_number;content;part;first_day;start;end;km;giver"]
    for n, (start, end) in enumerate(visits):
        d = monday + timedelta(days=n)
        rows.append(f"JKL-2026-0101;home-care-weekday;site-kyllo;{d.day}.{d.month}.{d.year};{start};{end};8,4;Anna")
    rows.append(f"JKL-2026-0101;home-care-weekday;site-kyllo;{monday.day}.{monday.month}.{monday.year};11:00;10:00;;")
    rows.append(f"JKL-2099-0001;home-care-weekday;;{monday.day}.{monday.month}.{monday.year};12:00;13:00;;")
    sheet = tmp_path / "viikko.csv"
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")

    run("login", "--as", "provider_admin")
    first = run("event", "import", str(sheet), code=1)  # something was refused: exit 1
    assert "created 5" in first.stdout + first.stderr, s.explain(first)
    assert "row 6" in first.stdout + first.stderr and "row 7" in first.stdout + first.stderr
    again = run("event", "import", str(sheet), code=1)
    assert "created 0" in again.stdout + again.stderr and "already there 5" in again.stdout + again.stderr

    month = f"{monday:%Y-%m}"
    listed = js("event", "list", "--month", month, "--customer", "JKL-2026-0101")
    events = listed["items"] if isinstance(listed, dict) else listed
    mine = sorted((e for e in events if monday <= date.fromisoformat(e["first_day"]) <= monday + timedelta(days=4)),
                  key=lambda e: e["first_day"])  # fmt: skip
    assert [e["status"] for e in mine] == ["recorded"] * 4 + ["pending_approval"], mine
    assert mine[0]["quantity"] == "2.25" and mine[0]["value"] == "72.00" and mine[0]["travel"] == "4.96"
    friday = mine[-1]

    # ---- the case worker approves the Friday visit with a credit request for next month
    run("login", "--as", "case_worker")
    queue = js("approval", "list")
    pending = queue["items"] if isinstance(queue, dict) else queue
    assert friday["id"] in [e["id"] for e in pending]
    decided = js("approval", "decide", friday["id"], "approve-with-credit", "--comment", "ylitys 30 min")
    assert decided["status"] == "approved" and decided["credit_id"] == f"cr-{friday['id']}"
    credits = js("credit", "list", "--provider", "prv-aurinkohoiva")
    credits = credits["items"] if isinstance(credits, dict) else credits
    assert [c["event_id"] for c in credits] == [friday["id"]] and credits[0]["amount"] == "68.96"

    # ---- Aino sees her visits and complains about one; the company answers once
    run("login", "--as", "citizen")
    seen = json.dumps(js("me", "events"))
    assert friday["id"] in seen or monday.isoformat() in seen
    given = js(
        "me", "feedback", "give", "--provider", "prv-aurinkohoiva", "--type", "reclamation",
        "--text", "Hoitaja myöhästyi tunnin.", "--event", mine[1]["id"],
    )  # fmt: skip
    assert given["type"] == "reclamation"
    run("login", "--as", "provider_admin")
    waiting = js("provider", "feedback", "list", "--needs-reply")
    waiting = waiting["items"] if isinstance(waiting, dict) else waiting
    assert given["id"] in [f["id"] for f in waiting]
    js("provider", "feedback", "reply", given["id"], "--text", "Pahoittelemme, korjaamme aikataulun.")
    twice = run("provider", "feedback", "reply", given["id"], "--text", "Toinen vastaus", code=1)
    assert "one reply" in twice.stderr or "already" in twice.stderr, s.explain(twice)
    mails = js("mail", "--last", "10")
    assert any(given["id"] in m["text"] for m in mails)
