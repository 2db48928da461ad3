"""The own-share specification (omavastuuerittely) and the citizen's events.

  seteli entitlements own-share NO [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--csv FILE | --pdf FILE]
        the customer's own share per event (default period: this month): a table, or a CSV file
        for Excel (';', decimal comma), or a printable PDF
  seteli me events [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--for CUSTOMER_ID]
        your service events, newest first (default: this month and the two before)

Municipality users read any entitlement's specification, a provider the lines of its own events of
an entitlement it has reserved, a citizen their own (or a customer's they act for).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from seteli_client.cli import EXIT_OK, Ctx, UsageError, _s, _table
from seteli_client.commands._common import group
from seteli_client.commands.entitlements import pdf_bytes

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UNIT = {"hour": "h", "day": "d", "month": "mo", "piece": "pcs", "m2_month": "m2/mo"}
STATUS = {"pending_approval": "PENDING APPROVAL"}


def _period(ctx: Ctx) -> dict[str, str]:
    out = {}
    for name in ("from", "to"):
        value = getattr(ctx.args, f"{name}_day", None)
        if value:
            if not _DATE.match(value):
                raise UsageError(f"--{name}: give a day as YYYY-MM-DD")
            out[name] = value
    return out


def _when(x: dict) -> str:
    first, last = _s(x.get("first_day")), _s(x.get("last_day"))
    text = first if first == last or not last else f"{first}..{last}"
    if x.get("start_time") and x.get("end_time"):
        text += f" {x['start_time']}-{x['end_time']}"
    return text


def _flag(x: dict) -> str:
    if x.get("credited"):
        return "credited"
    return STATUS.get(_s(x.get("status")), _s(x.get("status")))


def own_share_text(spec: dict) -> str:
    head = (
        f"Own-share specification {spec.get('decision_number')}  {_s(spec.get('service_name'))}  "
        f"{_s(spec.get('customer_name'))}  {spec.get('period_start')}..{spec.get('period_end')}"
    )
    lines = [head]
    if spec.get("provider_id"):
        lines.append(f"(only the lines of provider {spec['provider_id']})")
    rows = [
        [
            _when(x),
            _s(x.get("content_name")),
            _s(x.get("provider_name")),
            f"{_s(x.get('quantity'))} {UNIT.get(_s(x.get('unit')), _s(x.get('unit')))}",
            _s(x.get("unit_price")),
            _s(x.get("unit_value")),
            _s(x.get("price_total")),
            _s(x.get("municipality")),
            _s(x.get("own_share")),
            _flag(x),
        ]
        for x in spec.get("lines") or []
    ]
    if not rows:
        lines.append("No events in this period.")
    else:
        value = {"subsidy": "SUBSIDY", "contract_price": "CONTRACT"}.get(_s(spec.get("value_kind")), "VOUCHER")
        headers = ["DATE", "CONTENT", "PROVIDER", "QTY", "PRICE", value, "TOTAL", "MUNICIPALITY", "OWN SHARE", "STATUS"]
        lines += _table(rows, headers)
    t = spec.get("totals") or {}
    lines.append(
        f"Total: price {_s(t.get('price_total'))}, municipality pays {_s(t.get('municipality'))}, "
        f"own share {_s(t.get('own_share'))} EUR"
    )
    if t.get("pending_lines"):
        lines.append(f"  of which pending approval: own share {_s(t.get('pending_own_share'))} EUR")
    if t.get("credited_lines"):
        lines.append(f"  credited lines not in the totals: {t['credited_lines']}")
    return "\n".join(lines)


def cmd_own_share(ctx: Ctx) -> int:
    a = ctx.args
    params = _period(ctx)
    path = f"/v1/entitlements/{a.decision_number}/own-share"
    if a.csv or a.pdf:
        accept = "text/csv" if a.csv else "application/pdf"
        target = Path(a.csv or a.pdf)
        with ctx.api(signed_in=True) as api:
            res = api.request_raw("GET", path, params=params, headers={"Accept": accept})
        data = res.content if a.csv else pdf_bytes(res.content)
        target.write_bytes(data)
        what = "CSV" if a.csv else "PDF"
        ctx.emit({"file": str(target), "bytes": len(data)}, f"Wrote the own-share specification ({what}) to {target}.")
        return EXIT_OK
    with ctx.api(signed_in=True) as api:
        spec = api.request("GET", path, params=params)
    ctx.emit(spec, own_share_text(spec))
    return EXIT_OK


def events_text(items: list[dict[str, Any]]) -> str:
    if not items:
        return "No events."
    rows = [
        [
            _when(x),
            _s(x.get("service_name")),
            _s(x.get("content_name")) + (" (interruption)" if x.get("record") == "interruption" else ""),
            _s(x.get("provider_name")),
            f"{_s(x.get('quantity'))} {UNIT.get(_s(x.get('unit')), _s(x.get('unit')))}",
            _flag(x),
            _s(x.get("value")),
            _s(x.get("own_share")),
        ]
        for x in items
    ]
    headers = ["DATE", "SERVICE", "CONTENT", "PROVIDER", "QTY", "STATUS", "MUNICIPALITY", "OWN SHARE"]
    return "\n".join(_table(rows, headers))


def cmd_events(ctx: Ctx) -> int:
    params: dict[str, Any] = _period(ctx)
    if ctx.args.for_customer:
        params["customer_id"] = ctx.args.for_customer
    with ctx.api(signed_in=True) as api:
        page = api.request("GET", "/v1/me/events", params=params)
    items = page.get("items", [])
    ctx.emit(items, events_text(items))
    return EXIT_OK


def _period_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="from_day", metavar="YYYY-MM-DD", help="first day")
    p.add_argument("--to", dest="to_day", metavar="YYYY-MM-DD", help="last day")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser, groups: dict) -> None:
    ens = group(sub, common, groups, "entitlements", "vouchers, balance vouchers and orders")
    os_ = ens.add_parser(
        "own-share", parents=[common], help="the customer's own-share specification (omavastuuerittely)"
    )
    os_.add_argument("decision_number", metavar="NO")
    _period_options(os_)
    out = os_.add_mutually_exclusive_group()
    out.add_argument("--csv", metavar="FILE", help="save as CSV for Excel (';', decimal comma)")
    out.add_argument("--pdf", metavar="FILE", help="save as a printable PDF")
    os_.set_defaults(func=cmd_own_share)

    me = group(sub, common, groups, "me", "your own entitlements, events, proxies and feedback (citizens)")
    ev = me.add_parser("events", parents=[common], help="your service events, newest first")
    _period_options(ev)
    ev.add_argument(
        "--for", "--customer", dest="for_customer", metavar="CUSTOMER_ID", help="a customer you act for (proxy)"
    )
    ev.set_defaults(func=cmd_events)
