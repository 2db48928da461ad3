"""`seteli me` and `seteli entitlement-access`: the citizen's side.

  seteli me entitlements [--for CUSTOMER_ID]     your entitlements (or a customer's you act for)
  seteli me proxies list                         whom you act for, and who acts for you
  seteli me proxies add EMAIL [--valid-until D]  let a relative (their own Seteli sign-in) act for you
  seteli me proxies remove ID                    a relative's id, or the customer id you act for
  seteli entitlement-access DECISION_NUMBER --code-stdin
                                                 one entitlement with the citizen code on the letter
                                                 (no sign-in); the code is read from standard input

The citizen code is a credential: it is never an argument (it would stay in the shell history).
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from seteli_client.cli import EXIT_OK, Ctx, UsageError, _local_time, _s, _table
from seteli_client.commands._common import group, secret_input

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIOD = {"validity": "validity", "week": "this week", "month": "this month"}


def _span(start: Any, end: Any) -> str:
    return f"{_s(start)} – {_s(end) or 'until further notice'}"


def entitlement_text(e: dict) -> str:
    lines = [
        f"{e.get('decision_number')}  {_s(e.get('service_name'))} ({_s(e.get('kind'))})  "
        f"{_span(e.get('valid_from'), e.get('valid_until'))}  {_s(e.get('state'))}"
    ]
    rows = [
        [
            _s(r.get("content_name") or r.get("content_id")),
            PERIOD.get(r.get("period"), _s(r.get("period"))),
            _s(r.get("granted")),
            _s(r.get("used")),
            _s(r.get("remaining")),
            _s(r.get("unit_value")),
            _s(r.get("remaining_euros")),
        ]
        for r in e.get("rows") or []
    ]
    if rows:
        headers = ["CONTENT", "PERIOD", "GRANTED", "USED", "REMAINING", "EUR/UNIT", "REMAINING EUR"]
        lines += _table(rows, headers, indent="  ")
    b = e.get("balance")
    if b:
        when = PERIOD.get(b.get("recurrence"), _s(b.get("recurrence")))
        span = _span(b.get("period_start"), b.get("period_end"))
        if b.get("total_euros") is not None:
            lines.append(
                f"  Balance {when}: {b.get('remaining_euros')} of {b.get('total_euros')} EUR remaining "
                f"({b.get('used_euros')} used; {span})"
            )
        if b.get("total_units") is not None:
            lines.append(f"  Balance {when}: {b.get('remaining_units')} of {b.get('total_units')} units remaining")
        for c in b.get("contents") or []:
            lines.append(f"  - {_s(c.get('content_name') or c.get('content_id'))}: {_s(c.get('subsidy'))} EUR/unit")
    return "\n".join(lines)


def cmd_entitlements(ctx: Ctx) -> int:
    params = {"customer_id": ctx.args.for_customer} if ctx.args.for_customer else None
    with ctx.api(signed_in=True) as api:
        page = api.request("GET", "/v1/me/entitlements", params=params)
    items = page.get("items", [])
    text = "\n\n".join(entitlement_text(e) for e in items) if items else "No entitlements."
    ctx.emit(items, text)
    return EXIT_OK


def cmd_proxies_list(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        p = api.request("GET", "/v1/me/proxies")
    lines = []
    acts_for = [[_s(a.get("customer_id")), _s(a.get("name")), _s(a.get("valid_until"))] for a in p.get("acts_for", [])]
    lines.append("You act for:" if acts_for else "You act for nobody else.")
    if acts_for:
        lines += _table(acts_for, ["CUSTOMER", "NAME", "UNTIL"], indent="  ")
    mine = [[_s(g.get("id")), _s(g.get("email")), _s(g.get("valid_until"))] for g in p.get("acting_for_me", [])]
    if p.get("customer_id") is None:
        lines.append("Your sign-in is not linked to a customer yet; ask the municipality.")
    else:
        lines.append("Acting for you:" if mine else "Nobody acts for you.")
        if mine:
            lines += _table(mine, ["ID", "EMAIL", "UNTIL"], indent="  ")
    ctx.emit(p, "\n".join(lines))
    return EXIT_OK


def cmd_proxies_add(ctx: Ctx) -> int:
    a = ctx.args
    body: dict[str, Any] = {"email": a.email}
    if a.valid_until:
        if not _DATE.match(a.valid_until):
            raise UsageError("--valid-until: give the last day as YYYY-MM-DD")
        body["valid_until"] = a.valid_until
    with ctx.api(signed_in=True) as api:
        grant = api.request("POST", "/v1/me/proxies", json=body)
    until = f" until {grant['valid_until']}" if grant.get("valid_until") else ""
    ctx.emit(
        grant,
        f"{grant.get('email')} may now act for you{until} (id {grant.get('id')}; remove with "
        f"`seteli me proxies remove {grant.get('id')}`).",
    )
    return EXIT_OK


def cmd_proxies_remove(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        api.request("DELETE", f"/v1/me/proxies/{ctx.args.id}")
    ctx.emit({"removed": ctx.args.id}, f"Removed the authorisation {ctx.args.id}.")
    return EXIT_OK


def _code(ctx: Ctx) -> str:
    return secret_input(ctx, flag="--code-stdin", prompt="Citizen code (on the decision letter): ", what="citizen code")


def cmd_entitlement_access(ctx: Ctx) -> int:
    code = _code(ctx)
    with ctx.api() as api:
        out = api.request(
            "POST",
            "/v1/public/entitlement-access",
            json={"decision_number": ctx.args.decision_number, "citizen_code": code},
        )
    e = out.get("entitlement") or {}
    name = e.get("customer_first_name")
    head = f"Hello {name}! " if name else ""
    until = _local_time(out.get("expires_at"))
    text = f"{head}Your entitlement:\n{entitlement_text(e)}\n\nAccess for feedback valid until {until} (Finnish time)."
    ctx.emit(out, text)
    return EXIT_OK


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser, groups: dict) -> None:
    ms = group(sub, common, groups, "me", "your own entitlements, events, proxies and feedback (citizens)")

    ent = ms.add_parser("entitlements", parents=[common], help="your entitlements with used and remaining amounts")
    ent.add_argument("--for", dest="for_customer", metavar="CUSTOMER_ID", help="a customer you act for (proxy)")
    ent.set_defaults(func=cmd_entitlements)

    px = ms.add_parser("proxies", parents=[common], help="relatives acting for you, and whom you act for")
    pxs = px.add_subparsers(dest="proxies_command", metavar="SUBCOMMAND", required=True)
    pxs.add_parser("list", parents=[common], help="whom you act for, and who acts for you").set_defaults(
        func=cmd_proxies_list
    )
    add = pxs.add_parser("add", parents=[common], help="let a relative act for you (their Seteli sign-in's email)")
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--valid-until", metavar="YYYY-MM-DD", help="the last day (default: until you remove it)")
    add.set_defaults(func=cmd_proxies_add)
    rm = pxs.add_parser("remove", parents=[common], help="remove a relative's (ID) or your own (CUSTOMER_ID) role")
    rm.add_argument("id", metavar="ID")
    rm.set_defaults(func=cmd_proxies_remove)

    acc = sub.add_parser(
        "entitlement-access", parents=[common], help="one entitlement with the citizen code on its letter (no sign-in)"
    )
    acc.add_argument("decision_number", metavar="DECISION_NUMBER")
    acc.add_argument("--code-stdin", action="store_true", help="read the citizen code from standard input")
    acc.set_defaults(func=cmd_entitlement_access)
