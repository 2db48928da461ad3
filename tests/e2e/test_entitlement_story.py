"""Issue 4's story through the `seteli` CLI against the local runtime, as its users would drive it:

a home-care company activates the demo voucher waiting for a provider with the verification code
from the provider copy (a wrong code first), finds its new customer and gives them its own customer
number; the demo citizen sees her entitlements with what remains, and a holder without bank ID opens
one entitlement with the citizen code of the decision letter.

The demo data's codes are fixed (local/demo.py DEMO_CODES) so that the README can use them.
"""

from __future__ import annotations

import json

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
