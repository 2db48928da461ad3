"""Issue 6's story through the `seteli` CLI against the local runtime, as a new user would try it:
the month before this one is recorded (the demo's visits and one more), the municipality runs the
reminders and the settlement for it with a progress bar, downloads the finance file, and the
provider downloads its payment specification and sees only its own statements.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_a_month_is_settled_and_its_payment_material_downloaded(local_seteli, tmp_path):
    s = local_seteli
    today = datetime.now(ZoneInfo("Europe/Helsinki")).date()
    last = today.replace(day=1) - timedelta(days=1)
    month = f"{last:%Y-%m}"

    def run(*args: str, code: int = 0):
        res = s.seteli(*args)
        assert res.returncode == code, s.explain(res)
        return res

    def js(*args: str, code: int = 0):
        return json.loads(run("--json", *args, code=code).stdout)

    # ---- the provider records one more visit of last month (the 20th, a time nobody else took)
    run("login", "--as", "provider_admin")
    visit = date(last.year, last.month, 20)
    recorded = js("event", "record", "JKL-2026-0101", "--date", visit.isoformat(), "--start", "18:00", "--end", "19:00")
    assert recorded["status"] in ("recorded", "pending_approval"), recorded

    # ---- the municipality runs the reminders and the settlement of last month
    run("login", "--as", "municipality_admin")
    js("job", "run", "reminders", "--month", month)
    settled = run("job", "run", "settlement", "--month", month)
    assert "pages" in settled.stderr, s.explain(settled)  # the progress bar
    report = js("job", "status", "settlement", "--month", month)
    assert report["status"] == "done" and report["counts"]["statements"] >= 1, report
    statements = js("settlement", "list", "--month", month)["statements"]
    aurinko = [st for st in statements if st["provider_id"] == "prv-aurinkohoiva"]
    assert aurinko and all(st["reference"].startswith("RF") for st in aurinko)
    finance = tmp_path / "finance.csv"
    run("settlement", "finance-file", "--month", month, "-o", str(finance))
    text = finance.read_text(encoding="utf-8")
    assert text.startswith("record_type;") and aurinko[0]["reference"] in text

    # ---- the settled visit cannot be changed any more; a second run pays nothing twice
    run("login", "--as", "provider_admin")
    shown = js("event", "show", recorded["id"])
    if recorded["status"] == "recorded":
        assert shown["status"] == "settled"
    run("login", "--as", "municipality_admin")
    again = js("job", "run", "settlement", "--month", month)
    assert again["amounts"] == report["amounts"]

    # ---- the provider downloads its payment specification and sees only its own statements
    run("login", "--as", "provider_admin")
    pdf = tmp_path / "maksuerittely.pdf"
    run("settlement", "pdf", "--month", month, "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    own = js("settlement", "list", "--month", month)["statements"]
    assert own and {st["provider_id"] for st in own} == {"prv-aurinkohoiva"}
