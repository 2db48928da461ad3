"""Customers and entitlements for the municipality's case workers (spec 6).

  seteli customers add --first-names F --last-name L [--home-municipality M] [--address A]
                       [--postal-code P] [--city C] [--phone T] [--email E] [--personal-id-stdin]
  seteli customers get CUSTOMER_ID
  seteli customers update CUSTOMER_ID [--first-names ...] [--address ...] [--clear FIELD]
  seteli customers find-by-id [--personal-id-stdin]     find a customer by personal identity code
  seteli customers death CUSTOMER_ID --on YYYY-MM-DD     record a death: every entitlement closes next day

  seteli entitlements grant --customer C --number NO --service S --decision-date D --from D [--until D]
                            --row CONTENT:AMOUNT[:PERIOD[:UNIT_VALUE]] ... [--provider P]
  seteli entitlements grant-balance --customer C --number NO --service S --decision-date D --from D
                            (--total-euros 250.00 | --total-units 12) [--recurrence month]
                            --content CONTENT[:SUBSIDY] ... [--provider P ...]
  seteli entitlements order --customer C --number NO --service S --decision-date D --from D
                            --provider P --part PART --row ...
  seteli entitlements show NO
  seteli entitlements list --customer C
  seteli entitlements close NO --reason TEXT [--on YYYY-MM-DD]
  seteli entitlements pdf NO [-o FILE]                  the provider copy (tuottajan kappale)

A row is CONTENT:AMOUNT[:PERIOD[:UNIT_VALUE]], e.g. ``home-care-weekday:10:week:32.00`` (10 h a week
at 32.00 EUR/h); PERIOD is validity (default), week or month; without UNIT_VALUE the content's own
voucher value is used.

A personal identity code is never an argument (it would stay in the shell history and the process
list): type it at the hidden prompt, or give it on standard input with ``--personal-id-stdin``.
Changes send the version just read, so a change made by someone else meanwhile is refused (409)
instead of overwritten.
"""

from __future__ import annotations

import argparse
import base64
import binascii
from pathlib import Path
from typing import Any

from seteli_client.cli import EXIT_OK, Ctx, UsageError, _s, _table
from seteli_client.commands._common import group, personal_id_input

PERIODS = ("validity", "week", "month")
PERIOD_TEXT = {"validity": "validity", "week": "week", "month": "month"}
CUSTOMER_FIELDS = ("first_names", "last_name", "home_municipality", "address", "postal_code", "city", "phone", "email")


# ---------------------------------------------------------------- customers


def customer_text(c: dict[str, Any]) -> str:
    lines = [f"{c.get('name')}  ({c.get('id')})"]
    lines.append(f"  personal ID: {_s(c.get('personal_id')) or '-'}")
    lines.append(f"  home municipality: {_s(c.get('home_municipality')) or '-'}")
    address = " ".join(x for x in (c.get("address"), c.get("postal_code"), c.get("city")) if x)
    lines.append(f"  address: {address or '-'}")
    lines.append(f"  phone: {_s(c.get('phone')) or '-'}; email: {_s(c.get('email')) or '-'}")
    if c.get("died_on"):
        lines.append(f"  died on {c['died_on']}")
    lines.append(f"  version {c.get('version')}")
    return "\n".join(lines)


def _customer_fields(a: argparse.Namespace) -> dict[str, Any]:
    return {k: getattr(a, k) for k in CUSTOMER_FIELDS if getattr(a, k, None) is not None}


def cmd_customer_add(ctx: Ctx) -> int:
    body = {"personal_id": personal_id_input(ctx), **_customer_fields(ctx.args)}
    with ctx.api(signed_in=True) as api:
        c = api.request("POST", "/v1/customers", json=body)
    ctx.emit(c, f"Added customer {c.get('id')}.\n{customer_text(c)}")
    return EXIT_OK


def cmd_customer_get(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        c = api.request("GET", f"/v1/customers/{ctx.args.customer_id}")
    ctx.emit(c, customer_text(c))
    return EXIT_OK


def cmd_customer_update(ctx: Ctx) -> int:
    a = ctx.args
    changes: dict[str, Any] = _customer_fields(a)
    for name in a.clear or []:
        key = name.replace("-", "_")
        if key not in CUSTOMER_FIELDS or key in ("first_names", "last_name"):
            raise UsageError(f"--clear {name}: not a field that can be emptied")
        changes[key] = None
    if not changes:
        raise UsageError("nothing to change: give e.g. --address, --phone or --clear FIELD")
    with ctx.api(signed_in=True) as api:
        version = a.version
        if version is None:
            version = api.request("GET", f"/v1/customers/{a.customer_id}")["version"]
        c = api.request("PATCH", f"/v1/customers/{a.customer_id}", json={**changes, "version": version})
    ctx.emit(c, f"Changed customer {c.get('id')}.\n{customer_text(c)}")
    return EXIT_OK


def cmd_customer_find(ctx: Ctx) -> int:
    code = personal_id_input(ctx)
    with ctx.api(signed_in=True) as api:
        page = api.request("POST", "/v1/customers/search", json={"personal_id": code})
    items = page.get("items") or []
    text = "\n".join(customer_text(c) for c in items) if items else "No customer with this personal identity code."
    ctx.emit(page, text)
    return EXIT_OK


def cmd_customer_death(ctx: Ctx) -> int:
    a = ctx.args
    with ctx.api(signed_in=True) as api:
        version = a.version
        if version is None:
            version = api.request("GET", f"/v1/customers/{a.customer_id}")["version"]
        done = api.request("POST", f"/v1/customers/{a.customer_id}/death", json={"died_on": a.on, "version": version})
    closed = done.get("closed") or []
    lines = [f"Recorded the death of {done['customer'].get('name')} ({done['customer'].get('id')}) on {a.on}."]
    if closed:
        lines.append(f"Closed {len(closed)} entitlement(s) from {closed[0].get('closed_on')}:")
        lines += [f"  {e.get('decision_number')}  {e.get('service_id')}" for e in closed]
    else:
        lines.append("No entitlement needed closing.")
    ctx.emit(done, "\n".join(lines))
    return EXIT_OK


# ---------------------------------------------------------------- entitlements


def parse_row(text: str) -> dict[str, Any]:
    """``CONTENT:AMOUNT[:PERIOD[:UNIT_VALUE]]`` -> a row of the grant."""
    parts = [p.strip() for p in text.split(":")]
    if len(parts) < 2 or len(parts) > 4 or not parts[0] or not parts[1]:
        raise UsageError(
            f"--row takes CONTENT:AMOUNT[:PERIOD[:UNIT_VALUE]], e.g. home-care-weekday:10:week:32.00 (got {text!r})"
        )
    row: dict[str, Any] = {"content_id": parts[0], "amount": parts[1].replace(",", ".")}
    if len(parts) >= 3 and parts[2]:
        if parts[2] not in PERIODS:
            raise UsageError(f"--row {text!r}: the period is one of {', '.join(PERIODS)}")
        row["period"] = parts[2]
    if len(parts) == 4 and parts[3]:
        row["unit_value"] = parts[3].replace(",", ".")
    return row


def parse_content(text: str) -> dict[str, Any]:
    """``CONTENT[:SUBSIDY]`` -> a balance voucher's content."""
    content, _, subsidy = (p.strip() for p in text.partition(":"))
    if not content:
        raise UsageError(f"--content takes CONTENT[:SUBSIDY], e.g. errand-help:20.00 (got {text!r})")
    out: dict[str, Any] = {"content_id": content}
    if subsidy:
        out["subsidy"] = subsidy.replace(",", ".")
    return out


def _grant_base(a: argparse.Namespace, kind: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": kind,
        "decision_number": a.number,
        "customer_id": a.customer,
        "service_id": a.service,
        "decision_date": a.decision_date,
        "valid_from": a.valid_from,
        "valid_until": a.until,
    }
    if a.home_municipality:
        body["home_municipality"] = a.home_municipality
    if a.notes:
        body["notes"] = a.notes
    return body


def money(value: Any) -> str:
    return "" if value is None else f"{value} EUR"


def entitlement_text(e: dict[str, Any]) -> str:
    c = e.get("customer") or {}
    who = f"{c.get('name')} ({e.get('customer_id')})" if c else _s(e.get("customer_id"))
    if c.get("personal_id"):
        who += f", {c['personal_id']}"
    until = _s(e.get("valid_until")) or "until further notice"
    lines = [
        f"{e.get('decision_number')}  {e.get('kind')}  {e.get('state')}",
        f"  customer: {who}",
        f"  service: {e.get('service_id')}; home municipality: {e.get('home_municipality')}",
        f"  decided {e.get('decision_date')}; valid {e.get('valid_from')} - {until}",
    ]
    if e.get("closed_on"):
        lines.append(f"  closed from {e['closed_on']}: {_s(e.get('closed_reason'))}")
    if e.get("verification_code"):
        lines.append(f"  verification code (provider copy): {e['verification_code']}")
    if e.get("citizen_code"):
        lines.append(f"  citizen code (decision letter): {e['citizen_code']}")
    if e.get("named_provider_id"):
        part = f", part {e['named_part_id']}" if e.get("named_part_id") else ""
        lines.append(f"  named provider: {e['named_provider_id']}{part}")
    rows = [
        [_s(r.get("content_id")), _s(r.get("amount")), _s(r.get("period")), money(r.get("unit_value")),
         money(r.get("total_value"))]
        for r in e.get("rows") or []
    ]  # fmt: skip
    if rows:
        lines += _table(rows, ["CONTENT", "AMOUNT", "PER", "UNIT VALUE", "TOTAL"], indent="  ")
    b = e.get("balance")
    if b:
        total = money(b.get("total_euros")) if b.get("total_euros") else f"{b.get('total_units')} units"
        lines.append(f"  balance: {total} per {PERIOD_TEXT.get(b.get('recurrence'), b.get('recurrence'))}")
        lines += [f"    {x.get('content_id')}: subsidy {money(x.get('subsidy'))}" for x in b.get("contents") or []]
        if b.get("provider_ids"):
            lines.append(f"    providers: {', '.join(b['provider_ids'])}")
    for r in e.get("reservations") or []:
        state = "cancelled" if r.get("cancelled_at") else ("ordered" if r.get("by_municipality") else "reserved")
        lines.append(f"  {state} by {r.get('provider_id')} ({r.get('part_id') or 'company'}) for {r.get('content_id')}")
    lines.append(f"  version {e.get('version')}")
    return "\n".join(lines)


def _grant(ctx: Ctx, body: dict[str, Any]) -> int:
    with ctx.api(signed_in=True) as api:
        e = api.request("POST", "/v1/entitlements", json=body)
    ctx.emit(e, f"Granted {e.get('decision_number')}.\n{entitlement_text(e)}")
    return EXIT_OK


def cmd_grant(ctx: Ctx) -> int:
    a = ctx.args
    body = _grant_base(a, "voucher")
    body["rows"] = [parse_row(r) for r in a.row]
    if a.provider:
        body["named_provider_id"] = a.provider
    return _grant(ctx, body)


def cmd_grant_balance(ctx: Ctx) -> int:
    a = ctx.args
    if (a.total_euros is None) == (a.total_units is None):
        raise UsageError("give exactly one of --total-euros and --total-units")
    body = _grant_base(a, "balance_voucher")
    balance: dict[str, Any] = {"recurrence": a.recurrence, "contents": [parse_content(c) for c in a.content]}
    if a.total_euros is not None:
        balance["total_euros"] = a.total_euros.replace(",", ".")
    else:
        balance["total_units"] = a.total_units.replace(",", ".")
    balance["provider_ids"] = list(a.provider or [])
    body["balance"] = balance
    return _grant(ctx, body)


def cmd_order(ctx: Ctx) -> int:
    a = ctx.args
    body = _grant_base(a, "order")
    body["rows"] = [parse_row(r) for r in a.row]
    body["named_provider_id"] = a.provider
    body["named_part_id"] = a.part
    return _grant(ctx, body)


def cmd_show(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        e = api.request("GET", f"/v1/entitlements/{ctx.args.decision_number}")
    ctx.emit(e, entitlement_text(e))
    return EXIT_OK


def cmd_list(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        page = api.request("GET", f"/v1/customers/{ctx.args.customer}/entitlements")
    items = page.get("items") or []
    rows = [
        [_s(e.get("decision_number")), _s(e.get("kind")), _s(e.get("service_id")), _s(e.get("state")),
         f"{_s(e.get('valid_from'))} - {_s(e.get('valid_until')) or 'until further notice'}"]
        for e in items
    ]  # fmt: skip
    text = "\n".join(_table(rows, ["DECISION", "KIND", "SERVICE", "STATE", "VALID"])) if rows else "No entitlements."
    ctx.emit(page, text)
    return EXIT_OK


def cmd_close(ctx: Ctx) -> int:
    a = ctx.args
    path = f"/v1/entitlements/{a.decision_number}"
    with ctx.api(signed_in=True) as api:
        version = a.version
        if version is None:
            version = api.request("GET", path)["version"]
        body: dict[str, Any] = {"reason": a.reason, "version": version}
        if a.on:
            body["closed_on"] = a.on
        e = api.request("POST", f"{path}/close", json=body)
    ctx.emit(e, f"Closed {e.get('decision_number')} from {e.get('closed_on')} (no longer valid from that day).")
    return EXIT_OK


def pdf_bytes(content: bytes) -> bytes:
    """The PDF of an answer: as sent, or base64-decoded when API Gateway passed the Lambda's base64
    body through as text (an API without ``application/pdf`` among its binary media types)."""
    if content.startswith(b"%PDF"):
        return content
    try:
        decoded = base64.b64decode(content, validate=False)
    except (binascii.Error, ValueError):
        decoded = b""
    if not decoded.startswith(b"%PDF"):
        raise UsageError("the answer was not a PDF")
    return decoded


def cmd_pdf(ctx: Ctx) -> int:
    a = ctx.args
    target = Path(a.output or f"{a.decision_number}-tuottajan-kappale.pdf")
    with ctx.api(signed_in=True) as api:
        res = api.request_raw(
            "GET", f"/v1/entitlements/{a.decision_number}/provider-copy.pdf", headers={"Accept": "application/pdf"}
        )
    pdf = pdf_bytes(res.content)
    target.write_bytes(pdf)
    ctx.emit({"file": str(target), "bytes": len(pdf)}, f"Wrote the provider copy of {a.decision_number} to {target}.")
    return EXIT_OK


# ---------------------------------------------------------------- parsers


def _customer_options(p: argparse.ArgumentParser, *, required: bool) -> None:
    p.add_argument("--first-names", dest="first_names", required=required, metavar="NAMES")
    p.add_argument("--last-name", dest="last_name", required=required, metavar="NAME")
    p.add_argument("--home-municipality", dest="home_municipality", metavar="NAME", help="kotikunta")
    p.add_argument("--address", metavar="STREET")
    p.add_argument("--postal-code", dest="postal_code", metavar="CODE")
    p.add_argument("--city", metavar="CITY")
    p.add_argument("--phone", metavar="PHONE")
    p.add_argument("--email", metavar="EMAIL")


def _grant_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--customer", required=True, metavar="CUSTOMER_ID")
    p.add_argument("--number", required=True, metavar="DECISION_NUMBER", help="the decision number (päätösnumero)")
    p.add_argument("--service", required=True, metavar="SERVICE_ID")
    p.add_argument("--decision-date", dest="decision_date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--from", dest="valid_from", required=True, metavar="YYYY-MM-DD", help="first valid day")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="last valid day (default: until further notice)")
    p.add_argument("--home-municipality", dest="home_municipality", metavar="NAME", help="default: the customer's")
    p.add_argument("--notes", metavar="TEXT")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser, groups: dict) -> None:
    customers = group(sub, common, groups, "customers", "customers")
    pid_help = "read the personal identity code from standard input (else a hidden prompt)"

    add = customers.add_parser("add", parents=[common], help="add a customer (municipality)")
    _customer_options(add, required=True)
    add.add_argument("--personal-id-stdin", action="store_true", help=pid_help)
    add.set_defaults(func=cmd_customer_add)

    get = customers.add_parser("get", parents=[common], help="a customer's details (municipality)")
    get.add_argument("customer_id", metavar="CUSTOMER_ID")
    get.set_defaults(func=cmd_customer_get)

    up = customers.add_parser("update", parents=[common], help="change a customer's details (municipality)")
    up.add_argument("customer_id", metavar="CUSTOMER_ID")
    _customer_options(up, required=False)
    up.add_argument("--clear", action="append", metavar="FIELD", help="empty a field (e.g. phone); repeatable")
    up.add_argument("--version", type=int, help="the version you read (default: read it now)")
    up.set_defaults(func=cmd_customer_update)

    fi = customers.add_parser("find-by-id", parents=[common], help="find a customer by personal identity code")
    fi.add_argument("--personal-id-stdin", action="store_true", help=pid_help)
    fi.set_defaults(func=cmd_customer_find)

    de = customers.add_parser("death", parents=[common], help="record a death: every entitlement closes next day")
    de.add_argument("customer_id", metavar="CUSTOMER_ID")
    de.add_argument("--on", required=True, metavar="YYYY-MM-DD", help="the date of death")
    de.add_argument("--version", type=int, help="the version you read (default: read it now)")
    de.set_defaults(func=cmd_customer_death)

    ens = group(sub, common, groups, "entitlements", "vouchers, balance vouchers and orders")
    row_help = "CONTENT:AMOUNT[:PERIOD[:UNIT_VALUE]], e.g. home-care-weekday:10:week:32.00; repeatable"

    gr = ens.add_parser("grant", parents=[common], help="grant a voucher (palveluseteli)")
    _grant_options(gr)
    gr.add_argument("--row", action="append", required=True, metavar="ROW", help=row_help)
    gr.add_argument("--provider", metavar="PROVIDER_ID", help="the provider chosen: it activates without the code")
    gr.set_defaults(func=cmd_grant)

    gb = ens.add_parser("grant-balance", parents=[common], help="grant a balance voucher (saldoseteli)")
    _grant_options(gb)
    gb.add_argument("--total-euros", dest="total_euros", metavar="EUR", help="e.g. 250.00")
    gb.add_argument("--total-units", dest="total_units", metavar="N", help="e.g. 12 (hours)")
    gb.add_argument("--recurrence", choices=PERIODS, default="validity", help="the total per validity, week or month")
    gb.add_argument("--content", action="append", required=True, metavar="CONTENT[:SUBSIDY]", help="repeatable")
    gb.add_argument("--provider", action="append", metavar="PROVIDER_ID", help="a provider it may be used with")
    gb.set_defaults(func=cmd_grant_balance)

    od = ens.add_parser("order", parents=[common], help="order a purchased service from a provider part")
    _grant_options(od)
    od.add_argument("--provider", required=True, metavar="PROVIDER_ID")
    od.add_argument("--part", required=True, metavar="PART_ID", help="the site, unit or employee")
    od.add_argument("--row", action="append", required=True, metavar="ROW", help=row_help)
    od.set_defaults(func=cmd_order)

    sh = ens.add_parser("show", parents=[common], help="one entitlement")
    sh.add_argument("decision_number", metavar="DECISION_NUMBER")
    sh.set_defaults(func=cmd_show)

    ls = ens.add_parser("list", parents=[common], help="a customer's entitlements")
    ls.add_argument("--customer", required=True, metavar="CUSTOMER_ID")
    ls.set_defaults(func=cmd_list)

    cl = ens.add_parser("close", parents=[common], help="close an entitlement (case worker)")
    cl.add_argument("decision_number", metavar="DECISION_NUMBER")
    cl.add_argument("--reason", required=True, metavar="TEXT")
    cl.add_argument("--on", metavar="YYYY-MM-DD", help="the first day it is no longer valid (default today)")
    cl.add_argument("--version", type=int, help="the version you read (default: read it now)")
    cl.set_defaults(func=cmd_close)

    pd = ens.add_parser("pdf", parents=[common], help="save the provider copy (tuottajan kappale) as a PDF")
    pd.add_argument("decision_number", metavar="DECISION_NUMBER")
    pd.add_argument("-o", "--output", metavar="FILE", help="default: <number>-tuottajan-kappale.pdf")
    pd.set_defaults(func=cmd_pdf)
