"""Issue 4's story through the `seteli` CLI against the local runtime, as its users would drive it:

a home-care company activates the demo voucher waiting for a provider with the verification code
from the provider copy (a wrong code first), finds its new customer and gives them its own customer
number; the demo citizen sees her entitlements with what remains, and a holder without bank ID opens
one entitlement with the citizen code of the decision letter.

The demo data's codes are fixed (local/demo.py DEMO_CODES) so that the README can use them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_a_provider_reserves_with_the_code_and_the_citizen_sees_her_entitlements(local_seteli):
    s = local_seteli

    def run(*args: str, code: int = 0, input: str | None = None):  # noqa: A002
        res = s.seteli(*args, input=input)
        assert res.returncode == code, s.explain(res)
        return res

    def js(*args: str, input: str | None = None):  # noqa: A002
        return json.loads(run("--json", *args, input=input).stdout)

    # ---- Aurinkohoiva's admin activates JKL-2026-0104 (Toivo Nieminen's home-care voucher)
    run("login", "--as", "provider_admin")
    reserve = ("reserve", "JKL-2026-0104", "--content", "home-care-weekday", "--part", "site-kyllo")
    wrong = run(*reserve, "--accept-terms", "--code-stdin", input="TN20HOMEKX\n", code=1)
    assert "no open entitlement with this decision number and verification code" in wrong.stderr, s.explain(wrong)
    no_terms = run(*reserve, "--code-stdin", input="TN20HOMEKV\n", code=2)
    assert "accept" in no_terms.stderr
    out = run(*reserve, "--accept-terms", "--code-stdin", input="tn20-homekv\n").stdout  # as typed off paper
    assert "JKL-2026-0104" in out, out
    again = run(*reserve, "--accept-terms", "--code-stdin", input="TN20HOMEKV\n", code=1)
    assert "reserved" in again.stderr, s.explain(again)
    listed = js("reservations", "list")["items"]
    assert "JKL-2026-0104" in [r["decision_number"] for r in listed]

    # ---- the new customer, found by name, gets the company's own customer number
    found = js("customers", "search", "Nieminen")["items"]
    assert [c["id"] for c in found] == ["cus-toivo-nieminen"], found
    assert "personal_id" not in found[0] or found[0]["personal_id"] is None  # only a personal-ID lookup shows it
    held = {e["decision_number"]: e["state"] for e in found[0]["entitlements"]}
    assert held == {"JKL-2026-0104": "open"}, held
    numbered = js("customers", "number", "cus-toivo-nieminen", "AH-1042")
    assert numbered["customer_number"] == "AH-1042"
    # a customer of another provider (Koivurinne's order) is not found at all
    assert js("customers", "search", "Mäkinen")["items"] == []

    # ---- the demo citizen (Aino Lehtonen) sees her voucher with granted, used and remaining
    run("login", "--as", "citizen")
    mine = js("me", "entitlements")
    mine_by_number = {e["decision_number"]: e for e in mine}
    assert set(mine_by_number) == {"JKL-2026-0101"}, mine_by_number  # nobody else's
    weekday = next(r for r in mine_by_number["JKL-2026-0101"]["rows"] if r["content_id"] == "home-care-weekday")
    assert weekday["granted"] == weekday["remaining"] and weekday["unit_value"] == "32.00"
    run("logout")

    # ---- without bank ID: the decision letter's citizen code opens that one entitlement
    bad = run("entitlement-access", "JKL-2026-0101", "--code-stdin", input="AINO2026XX\n", code=1)
    assert "AINO" not in bad.stderr and "no entitlement with this decision number and code" in bad.stderr
    opened = js("entitlement-access", "JKL-2026-0101", "--code-stdin", input="aino 2026 kt\n")
    assert opened["entitlement"]["decision_number"] == "JKL-2026-0101"
    assert opened["entitlement"]["customer_first_name"] == "Aino"


def _personal_id(birth: str, serial: int) -> str:
    """A syntactically valid henkilötunnus of a fictitious person (the check character computed)."""
    digits = f"{birth}{serial:03d}"
    return f"{birth}-{serial:03d}{'0123456789ABCDEFHJKLMNPRSTUVWXY'[int(digits) % 31]}"


def test_a_case_worker_grants_a_voucher_and_an_order_and_records_a_death(local_seteli, tmp_path):
    s = local_seteli
    today = datetime.now(ZoneInfo("Europe/Helsinki")).date()
    until = (today + timedelta(days=180)).isoformat()
    hetu = _personal_id("140233", 417)

    def run(*args: str, code: int = 0, input: str | None = None):  # noqa: A002
        res = s.seteli(*args, input=input)
        assert res.returncode == code, s.explain(res)
        assert hetu not in res.stderr  # no error message carries it (the municipality's own answers do)
        return res

    def js(*args: str, input: str | None = None):  # noqa: A002
        return json.loads(run("--json", *args, input=input).stdout)

    # ---- the case worker adds the customer (the personal ID on standard input, never an argument)
    run("login", "--as", "case_worker")
    person = ("--first-names", "Lempi", "--last-name", "Koskinen", "--home-municipality", "Jyväskylä")
    customer = js("customers", "add", *person, "--personal-id-stdin", input=f"{hetu}\n")
    cid = customer["id"]
    twice = run("customers", "add", *person, "--personal-id-stdin", input=f"{hetu}\n", code=1)
    assert cid in twice.stderr, s.explain(twice)
    assert [c["id"] for c in js("customers", "find-by-id", "--personal-id-stdin", input=f"{hetu}\n")["items"]] == [cid]

    # ---- a voucher: the answer carries the codes for the provider copy and the decision letter
    when = ("--decision-date", today.isoformat(), "--from", today.isoformat(), "--until", until)
    voucher = js(
        "entitlements", "grant", "--customer", cid, "--number", "JKL-2026-0200", "--service", "home-care",
        *when, "--row", "home-care-weekday:10:week:32.00",
    )  # fmt: skip
    code = voucher["verification_code"]
    assert voucher["state"] == "granted" and voucher["citizen_code"] and code
    copy = tmp_path / "kappale.pdf"
    run("entitlements", "pdf", "JKL-2026-0200", "-o", str(copy))
    assert copy.read_bytes().startswith(b"%PDF") and b"JKL-2026-0200" in copy.read_bytes()

    # ---- an order from Koivurinne's Laukaa site: the site is told the entitlement number by email
    order = js(
        "entitlements", "order", "--customer", cid, "--number", "JKL-2026-0201", "--service", "assisted-living",
        *when, "--provider", "prv-koivurinne", "--part", "site-laukaa", "--row", "care-day:31:month:95.00",
    )  # fmt: skip
    assert order["state"] == "open" and order["reserved_by"] == ["prv-koivurinne"]
    told = [m for m in js("mail", "--last", "5") if "JKL-2026-0201" in m["text"]]
    assert told and hetu not in told[0]["text"] and "Koskinen" not in told[0]["text"]

    # ---- Aurinkohoiva activates the voucher with the code from the provider copy
    run("login", "--as", "provider_admin")
    run(
        "reserve", "JKL-2026-0200", "--content", "home-care-weekday", "--part", "site-kyllo", "--accept-terms",
        "--code-stdin", input=f"{code}\n",
    )  # fmt: skip
    seen = js("entitlements", "show", "JKL-2026-0200")
    assert hetu not in json.dumps(seen) and hetu not in json.dumps(js("customers", "search", "Koskinen"))
    assert seen["state"] == "open" and seen.get("verification_code") is None and seen.get("citizen_code") is None
    run("entitlements", "show", "JKL-2026-0201", code=1)  # Koivurinne's order is none of Aurinkohoiva's business

    # ---- a recorded death closes both the next day
    run("login", "--as", "case_worker")
    died = (today - timedelta(days=1)).isoformat()
    out = js("customers", "death", cid, "--on", died)
    assert sorted(e["decision_number"] for e in out["closed"]) == ["JKL-2026-0200", "JKL-2026-0201"]
    for number in ("JKL-2026-0200", "JKL-2026-0201"):
        shown = js("entitlements", "show", number)
        assert shown["state"] == "closed" and shown["closed_on"] == today.isoformat(), shown
