"""Issue 3's story through the `seteli` CLI against the local runtime, as a user would drive it:

a small home-care company registers, fills in its data, applies to a service, is returned once for a
document, completes, and is approved; its price list then applies by the event's date.

Dates are relative to today (Europe/Helsinki): attachments must be valid today, and the price list
starts on the first day of the month after next.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

ADMIN = "pirjo@hoivapuro.example"
NEW_PASSWORD = "Hoivapuro-2026-uusi"
SERVICE = "home-care"


def _month_after_next(today: date) -> date:
    return (today.replace(day=1) + timedelta(days=62)).replace(day=1)


def test_a_home_care_company_registers_applies_is_returned_once_and_approved(local_seteli, tmp_path):
    s = local_seteli
    today = datetime.now(ZoneInfo("Europe/Helsinki")).date()
    valid_from, valid_until = (today - timedelta(days=30)).isoformat(), (today + timedelta(days=365)).isoformat()
    starts = _month_after_next(today)
    pdf = tmp_path / "todistus.pdf"
    from local.demo import demo_pdf

    pdf.write_bytes(demo_pdf("Todistus"))

    def run(*args: str, code: int = 0, input: str | None = None):  # noqa: A002
        res = s.seteli(*args, input=input)
        assert res.returncode == code, s.explain(res)
        return res

    def js(*args: str, input: str | None = None):  # noqa: A002
        return json.loads(run("--json", *args, input=input).stdout)

    # ---- registration (no sign-in), the admin's one-time password by email, the first sign-in
    out = run(
        "register",
        "--business-id", "2468023-1",
        "--name", "Hoivapuro Oy",
        "--contact-name", "Pirjo Puro",
        "--contact-email", "info@hoivapuro.example",
        "--contact-phone", "+358 40 765 4321",
        "--street", "Puistokatu 3", "--postal-code", "40100", "--city", "Jyväskylä",
        "--lat", "62.2415", "--lon", "25.7482",
        "--admin-email", ADMIN, "--admin-name", "Pirjo Puro",
    ).stdout  # fmt: skip
    match = re.search(r"as (prv-\S+)\.", out)
    assert match and "one-time password" in out, out
    pid = match.group(1)

    invite = next(m for m in js("mail", "--last", "10") if ADMIN in m["to"])
    temporary = re.search(r"Kertakäyttöinen salasana: (\S+)", invite["text"]).group(1)
    run("login", "--username", ADMIN, "--password-stdin", input=f"Wrong-{temporary}\n", code=1)
    out = run("login", "--username", ADMIN, "--password-stdin", input=f"{temporary}\n{NEW_PASSWORD}\n").stdout
    assert f"provider {pid}" in out and "provider_admin" in out, out

    # ---- company data: a second site, billing
    first_site = js("provider", "get")["parts"][0]["id"]
    out = run(
        "provider", "parts", "add", "--kind", "site", "--name", "Hoivapuro Kuokkala",
        "--street", "Kuokkalantie 10", "--postal-code", "40520", "--city", "Jyväskylä",
        "--lat", "62.2160", "--lon", "25.7390",
    ).stdout  # fmt: skip
    second_site = re.search(r"(site-\S+)", out).group(1)
    out = run(
        "provider",
        "billing",
        "set",
        "--iban",
        "FI4950009420028730",
        "--bic",
        "OKOYFIHH",
        "--email",
        "laskut@hoivapuro.example",
    ).stdout
    assert "FI49 5000 9420 0287 30" in out, out

    # ---- attachments: everything but the liability insurance
    for type_id in ("trade-register-extract", "tax-debt-certificate", "pension-insurance-certificate"):
        run(
            "attachments",
            "upload",
            "--type",
            type_id,
            "--valid-from",
            valid_from,
            "--valid-until",
            valid_until,
            str(pdf),
        )
    for site in (first_site, second_site):
        run("attachments", "upload", "--type", "self-monitoring-plan", "--part", site, str(pdf))
    out = run("attachments", "requirements", "--service", SERVICE).stdout
    assert "Missing or not valid (1)" in out and "Liability insurance" in out, out

    # ---- a draft price list and the application
    pl = js(
        "price-lists", "create", "--service", SERVICE, "--name", "Kotihoito",
        "--starts-on", starts.isoformat(), "--price", "home-care-weekday=33.90", "--price", "home-care-evening=37.50",
    )  # fmt: skip
    assert pl["status"] == "draft"
    app = js("applications", "apply", "--service", SERVICE)["id"]
    run("applications", "edit", app, "--sites", f"{first_site},{second_site}", "--areas", "Jyväskylä,Muurame")
    out = run("applications", "accept-rulebook", app).stdout
    assert "2026.1" in out, out

    # submit is refused with what is missing, all of it and only that
    res = run("applications", "submit", app, code=1)
    assert "1 thing(s) missing" in res.stderr and "attachments.company.liability-insurance" in res.stderr, s.explain(
        res
    )

    # the liability insurance, which runs out soon, and the submit goes through
    soon = (today + timedelta(days=20)).isoformat()
    att = js(
        "attachments",
        "upload",
        "--type",
        "liability-insurance",
        "--valid-from",
        valid_from,
        "--valid-until",
        soon,
        str(pdf),
    )
    out = run("applications", "submit", app).stdout
    assert "submitted" in out, out

    # ---- the case worker sees it in the queue (with the demo's waiting one) and returns it once
    run("login", "--as", "case_worker")
    out = run("applications", "list").stdout
    assert app in out and "app-kotiapu-cleaning" in out, out
    run("applications", "decide", app, "return", code=2)  # a return needs a comment
    comment = "Vastuuvakuutus päättyy pian: lähettäkää uusittu vakuutustodistus."
    out = run("applications", "decide", app, "return", "--comment", comment).stdout
    assert "returned" in out, out

    # ---- the provider reads why, renews the insurance and submits again
    run("login", "--username", ADMIN, "--password-stdin", input=f"{NEW_PASSWORD}\n")
    out = run("applications", "show", app).stdout
    assert "returned" in out and comment in out, out
    run("attachments", "replace", att["id"], str(pdf))
    out = run("attachments", "update", att["id"], "--valid-until", valid_until).stdout
    assert valid_until in out, out
    out = run("applications", "submit", app).stdout
    assert "submitted" in out, out

    # ---- approved by the case worker: the company is active, the emails tell the story
    run("login", "--as", "case_worker")
    out = run("applications", "decide", app, "approve").stdout
    assert "approved" in out and "emailed" in out, out
    mail = [m for m in js("mail", "--last", "10") if ADMIN in m["to"]]
    subjects = [m["subject"] for m in mail]
    assert any(x.startswith("Hakemus hyväksytty") for x in subjects), subjects
    assert any(x.startswith("Hakemus palautettu") for x in subjects), subjects
    assert any(comment in m["text"] for m in mail if m["subject"].startswith("Hakemus palautettu"))
    assert js("provider", "get", pid)["status"] == "active"

    # ---- its price list applies by the event's date
    out = run(
        "price", "--provider", pid, "--service", SERVICE, "--content", "home-care-weekday", "--on", starts.isoformat()
    ).stdout
    assert out.startswith("33.90 EUR") and pl["id"] in out, out
    before = (starts - timedelta(days=1)).isoformat()
    res = run(
        "price", "--provider", pid, "--service", SERVICE, "--content", "home-care-weekday", "--on", before, code=1
    )
    assert "no approved price" in res.stderr, s.explain(res)

    run("login", "--username", ADMIN, "--password-stdin", input=f"{NEW_PASSWORD}\n")
    out = run("price", "--service", SERVICE, "--content", "home-care-evening", "--on", starts.isoformat()).stdout
    assert out.startswith("37.50 EUR"), out
    out = run("applications", "list").stdout
    assert app in out and "approved" in out, out
