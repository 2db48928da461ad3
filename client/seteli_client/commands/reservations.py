"""Reservations (palveluvaraus) and customers as a provider sees them (seed 003 K4.1-4.2).

  seteli reserve DECISION_NUMBER --content C [--part P] --accept-terms [--info TEXT]
                 [--code-stdin | --named]        activate and reserve an entitlement
  seteli reservations list [--all]               your provider's reservations, newest first
  seteli reservations cancel DECISION_NUMBER     cancel your reservation (nothing charged yet)
  seteli customers search QUERY                  your customers by name or decision number
  seteli customers lookup --personal-id-stdin    your customer by personal identity code
  seteli customers number CUSTOMER_ID NUMBER     set your own customer number (shown on invoices)

The verification code (on the provider copy) is a credential and a personal identity code is
personal data: neither is ever an argument (it would stay in the shell history and the process
list). Give them on standard input (``--code-stdin``, ``--personal-id-stdin``) or type them at the
prompt. ``--named``: the decision names your provider, so no code is needed. With
``--api-key-stdin`` as well, the code (or personal ID) is the first line and the key the second.
"""

from __future__ import annotations

import argparse
from typing import Any

from seteli_client.cli import EXIT_OK, Ctx, UsageError, _local_time, _s, _table
from seteli_client.commands._common import group, secret_input

# ---------------------------------------------------------------- reservations


def reservation_text(r: dict[str, Any]) -> str:
    where = f"part {r['part_id']}" if r.get("part_id") else "the company"
    return (
        f"Reserved {r.get('decision_number')} for content {r.get('content_id')} at {where} "
        f"(customer {r.get('customer_id')}, {_local_time(r.get('reserved_at'))})."
    )


def cmd_reserve(ctx: Ctx) -> int:
    a = ctx.args
    if not a.accept_terms:
        raise UsageError(
            "--accept-terms: reserving accepts the terms and forms the contract with the customer; "
            "give --accept-terms to do so"
        )
    body: dict[str, Any] = {"decision_number": a.decision_number, "content_id": a.content, "accept_terms": True}
    if not a.named:
        body["verification_code"] = secret_input(
            ctx, flag="--code-stdin", prompt="Verification code (on the provider copy): ", what="verification code"
        )
    if a.part:
        body["part_id"] = a.part
    if a.info:
        body["info"] = a.info
    with ctx.api(signed_in=True) as api:
        r = api.request("POST", "/v1/reservations", json=body)
    ctx.emit(r, reservation_text(r))
    return EXIT_OK


def _reservations(api, include_cancelled: bool) -> list[dict[str, Any]]:
    params = {"include_cancelled": "true"} if include_cancelled else None
    return api.request("GET", "/v1/reservations", params=params).get("items") or []


def cmd_list(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        items = _reservations(api, ctx.args.all)
    rows = [
        [
            _s(r.get("decision_number")),
            _s(r.get("content_id")),
            _s(r.get("part_id")) or "company",
            _s(r.get("customer_id")),
            _local_time(r.get("reserved_at")),
            ("cancelled " + _local_time(r.get("cancelled_at")))
            if r.get("cancelled_at")
            else ("order" if r.get("by_municipality") else "reserved"),
        ]
        for r in items
    ]
    text = (
        "\n".join(_table(rows, ["DECISION", "CONTENT", "PART", "CUSTOMER", "RESERVED", "STATE"]))
        if rows
        else ("No reservations.")
    )
    ctx.emit({"items": items}, text)
    return EXIT_OK


def cmd_cancel(ctx: Ctx) -> int:
    number = ctx.args.decision_number
    with ctx.api(signed_in=True) as api:
        mine = [r for r in _reservations(api, False) if r.get("decision_number") == number]
        if not mine:
            raise UsageError(f"you have no reservation of {number} (see `seteli reservations list`)")
        done = api.request("DELETE", f"/v1/reservations/{number}", params={"version": mine[0]["version"]})
    ctx.emit(done, f"Cancelled your reservation of {number}; the entitlement is free for another reservation.")
    return EXIT_OK


# ---------------------------------------------------------------- customers


def customers_text(items: list[dict[str, Any]], *, with_personal_id: bool = False) -> str:
    if not items:
        return "No customers found (a provider finds only its own customers)."
    lines: list[str] = []
    for c in items:
        head = f"{c.get('name')}  ({c.get('id')})"
        if with_personal_id and c.get("personal_id"):
            head += f"  {c['personal_id']}"
        lines.append(head)
        lines.append(
            f"  home municipality: {_s(c.get('home_municipality')) or '-'}; "
            f"your customer number: {_s(c.get('customer_number')) or '-'}"
        )
        rows = [
            [
                _s(e.get("decision_number")),
                _s(e.get("service_id")),
                _s(e.get("content_id")),
                f"{_s(e.get('valid_from'))} - {_s(e.get('valid_until')) or 'toistaiseksi'}",
                _s(e.get("state")),
            ]
            for e in c.get("entitlements") or []
        ]
        if rows:
            lines += _table(rows, ["DECISION", "SERVICE", "CONTENT", "VALID", "STATE"], indent="  ")
    return "\n".join(lines)


def cmd_search(ctx: Ctx) -> int:
    q = ctx.args.query.strip()
    if not q:
        raise UsageError("give a name or a decision number to search for")
    with ctx.api(signed_in=True) as api:
        page = api.request("GET", "/v1/customers", params={"q": q, "limit": ctx.args.limit})
    items = page.get("items") or []
    ctx.emit(page, customers_text(items))
    return EXIT_OK


def cmd_lookup(ctx: Ctx) -> int:
    code = secret_input(
        ctx, flag="--personal-id-stdin", prompt="Personal identity code: ", what="personal identity code"
    )
    with ctx.api(signed_in=True) as api:
        page = api.request("POST", "/v1/customers/lookup", json={"personal_id": code})
    ctx.emit(page, customers_text(page.get("items") or [], with_personal_id=True))
    return EXIT_OK


def cmd_number(ctx: Ctx) -> int:
    a = ctx.args
    body: dict[str, Any] = {"customer_number": None if a.remove else a.number}
    if a.number is None and not a.remove:
        raise UsageError("give the NUMBER, or --remove to remove your customer number")
    if a.version is not None:
        body["version"] = a.version
    with ctx.api(signed_in=True) as api:
        c = api.request("PUT", f"/v1/customers/{a.customer_id}/number", json=body)
    number = c.get("customer_number")
    text = (
        f"Your customer number of {c.get('name')} ({c.get('id')}) is now {number}."
        if number
        else f"Removed your customer number of {c.get('name')} ({c.get('id')})."
    )
    ctx.emit(c, text)
    return EXIT_OK


# ---------------------------------------------------------------- parsers


def _add(group: argparse._SubParsersAction, name: str, **kw) -> argparse.ArgumentParser | None:
    """A subcommand, unless another module has one of that name already (argparse refuses twice)."""
    if name in group.choices:
        return None
    return group.add_parser(name, **kw)


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser, groups: dict) -> None:
    rv = sub.add_parser("reserve", parents=[common], help="activate and reserve an entitlement (providers)")
    rv.add_argument("decision_number", metavar="DECISION_NUMBER")
    rv.add_argument("--content", required=True, metavar="CONTENT_ID", help="the one content reserved")
    rv.add_argument("--part", metavar="PART_ID", help="the site, unit or employee reserving (default: the company)")
    code = rv.add_mutually_exclusive_group()
    code.add_argument("--code-stdin", action="store_true", help="read the verification code from standard input")
    code.add_argument("--named", action="store_true", help="the decision names your provider: no code needed")
    rv.add_argument(
        "--accept-terms", action="store_true", help="accept the terms and the forming of the contract (required)"
    )
    rv.add_argument("--info", metavar="TEXT", help="lisätiedot for the reservation")
    rv.set_defaults(func=cmd_reserve)

    rs = sub.add_parser("reservations", parents=[common], help="your provider's reservations")
    rss = rs.add_subparsers(dest="reservations_command", metavar="SUBCOMMAND", required=True)
    ls = rss.add_parser("list", parents=[common], help="your reservations, newest first")
    ls.add_argument("--all", action="store_true", help="also the cancelled ones")
    ls.set_defaults(func=cmd_list)
    cn = rss.add_parser("cancel", parents=[common], help="cancel your reservation (nothing charged yet)")
    cn.add_argument("decision_number", metavar="DECISION_NUMBER")
    cn.set_defaults(func=cmd_cancel)

    customers = group(sub, common, groups, "customers", "customers")
    se = _add(customers, "search", parents=[common], help="your customers by name or decision number (providers)")
    if se is not None:
        se.add_argument("query", metavar="QUERY", help="name words or a decision number (never a personal ID)")
        se.add_argument("--limit", type=int, default=50, help="at most this many (1-100)")
        se.set_defaults(func=cmd_search)
    lk = _add(customers, "lookup", parents=[common], help="your customer by personal identity code (providers)")
    if lk is not None:
        lk.add_argument("--personal-id-stdin", action="store_true", help="read the code from standard input")
        lk.set_defaults(func=cmd_lookup)
    nu = _add(customers, "number", parents=[common], help="set your own customer number (providers)")
    if nu is not None:
        nu.add_argument("customer_id", metavar="CUSTOMER_ID")
        nu.add_argument("number", metavar="NUMBER", nargs="?", help="your customer number")
        nu.add_argument("--remove", action="store_true", help="remove your customer number")
        nu.add_argument("--version", type=int, help="the version you read (a stale one is refused)")
        nu.set_defaults(func=cmd_number)
