"""The reports (spec 15; seed 003 chapter 5).

seteli report realisation --from YYYY-MM --to YYYY-MM [--provider ID] [--service ID] [--content ID]
      [--part ID] [--customer CUSTOMER_ID] [--csv FILE]      customers and realisation
seteli report interruptions --service ID --from YYYY-MM --to YYYY-MM [--provider ID] [--part ID] [--csv FILE]

A provider's sign-in or API key reads its own provider's reports (``--provider`` is for municipality
users); at most 12 months. ``--csv FILE`` saves the CSV for Finnish Excel (``-``: standard output).
``--customer`` takes the customer's ``cus-...`` id, never a personal identity code.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from seteli_client.cli import EXIT_OK, Ctx, UsageError, _s, _table
from seteli_client.commands._common import group
from seteli_client.commands.settlement import eur

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
REALISATION = "/v1/reports/realisation"
INTERRUPTIONS = "/v1/reports/interruptions"


def _month(value: str | None, flag: str) -> str:
    if not value or not _MONTH.match(value):
        raise UsageError(f"{flag}: give a month as YYYY-MM")
    return value


def _params(ctx: Ctx, *names: str) -> dict:
    a = ctx.args
    out = {"from": _month(a.from_month, "--from"), "to": _month(a.to_month, "--to")}
    if out["to"] < out["from"]:
        raise UsageError("--to: the range ends before --from")
    for name in names:
        out[f"{name}_id"] = getattr(a, name, None)
    return out


def _save_csv(ctx: Ctx, path: str, params: dict, route: str, what: str) -> int:
    with ctx.api(signed_in=True) as api:
        res = api.request_raw("GET", route, params={**params, "format": "csv"}, headers={"Accept": "text/csv"})
    if path == "-":
        sys.stdout.write(res.content.decode("utf-8-sig"))
        return EXIT_OK
    Path(path).write_bytes(res.content)
    ctx.emit({"file": path}, f"Wrote the {what} report to {path}.")
    return EXIT_OK


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _q(text: str | None) -> str:
    return "" if text in (None, "0.00") else str(text)


def cmd_realisation(ctx: Ctx) -> int:
    params = _params(ctx, "provider", "service", "content", "part", "customer")
    if ctx.args.csv:
        return _save_csv(ctx, ctx.args.csv, params, REALISATION, "customers and realisation")
    with ctx.api(signed_in=True) as api:
        rep = api.get(REALISATION, params)
    rows = [
        [_s(r["decision_number"]), _s(r["customer_id"]), _s(r["content_id"]), _s(r["part_id"] or "company"),
         _s(r["granted"]) or "-", _s(r["used"]), eur(r["settled"]), eur(r["own_share"]), _q(r["pending"]),
         _q(r["incomplete"]) + (f" ({r['incomplete_auto']} auto)" if _q(r.get("incomplete_auto")) else ""),
         str(r["interruption_days"] or "")]
        for r in rep["rows"]
    ]  # fmt: skip
    if ctx.args.provider is None and any(r["provider_id"] != rep["rows"][0]["provider_id"] for r in rep["rows"]):
        for row, r in zip(rows, rep["rows"], strict=True):
            row[3] = f"{r['provider_id']} / {row[3]}"
    headers = ["DECISION", "CUSTOMER", "CONTENT", "PART", "GRANTED", "USED", "SETTLED", "OWN SHARE", "PENDING",
               "INCOMPLETE", "INT. DAYS"]  # fmt: skip
    t = rep["totals"]
    lines = [f"Customers and realisation {rep['from_month']}..{rep['to_month']}", *_table(rows, headers), ""]
    lines.append(
        f"{_n(t['customers'], 'customer')}, {_n(t['entitlements'], 'decision')}; settled {eur(t['settled'])}"
        + (f" (credited {eur(t['credited'])})" if t.get("credited", "0.00") != "0.00" else "")
        + f", own share {eur(t['own_share'])}; interruption days {t['interruption_days']}"
        + f" ({eur(t['interruption_value'])})"
    )
    for u in t.get("units", []):
        lines.append(f"  {u['unit']}: used {u['used']}, pending {u['pending']}, incomplete {u['incomplete']}")
    if any(_q(r["incomplete"]) for r in rep["rows"]):
        lines.append("Incomplete units are drafts (automatic events among them): confirm them or they are not paid.")
    ctx.emit(rep, "\n".join(lines) if rows else "No records in this range.")
    return EXIT_OK


def cmd_interruptions(ctx: Ctx) -> int:
    params = {**_params(ctx, "provider", "part"), "service_id": ctx.args.service}
    if ctx.args.csv:
        return _save_csv(ctx, ctx.args.csv, params, INTERRUPTIONS, "interruptions")
    with ctx.api(signed_in=True) as api:
        rep = api.get(INTERRUPTIONS, params)
    lines = [f"Interruptions of {rep['service_id']} {rep['from_month']}..{rep['to_month']}"]
    for i in rep["interruptions"]:
        back = i["return_day"] or "open"
        lines.append(
            f"{i['decision_number']}  {i['reason']}  {i['departure_day']}..{back}  {i['status']}"
            f"  {i['days']} d in range  {eur(i['value'])}"
        )
        lines += [
            f"    {b['band']}: {b['days']} d at {b['percent']} % = {eur(b['value'])}"
            + (f" ({b['paid_elsewhere']} paid in another record)" if b.get("paid_elsewhere") else "")
            for b in i["bands"]
        ]
    if rep["summary"]:
        lines.append("By reason and band:")
        for s in rep["summary"]:
            lines.append(f"    {s['reason']} {s['band']} at {s['percent']} %: {s['days']} d, {eur(s['value'])}")
    t = rep.get("totals")
    if t:
        lines.append(
            f"{_n(t['interruptions'], 'interruption')} ({t['open']} open), {_n(t['days'], 'day')}, {eur(t['value'])}"
        )
    ctx.emit(rep, "\n".join(lines) if rep["interruptions"] else "No interruptions in this range.")
    return EXIT_OK


def register(sub, common, groups) -> None:
    rep = group(sub, common, groups, "report", "reports: customers and realisation, interruptions")
    r = rep.add_parser("realisation", parents=[common], help="customers and realisation, with incomplete units")
    r.add_argument("--provider", metavar="PROVIDER_ID", help="one provider (municipality users); default: yours/all")
    r.add_argument("--service", metavar="SERVICE_ID")
    r.add_argument("--content", metavar="CONTENT_ID")
    r.add_argument("--part", metavar="PART_ID")
    r.add_argument("--customer", metavar="CUSTOMER_ID", help="the customer's cus-... id (never a personal ID)")
    r.add_argument("--csv", metavar="FILE", help="save the CSV for Excel instead ('-': standard output)")
    i = rep.add_parser("interruptions", parents=[common], help="interruptions of a service, days per band")
    i.add_argument("--service", metavar="SERVICE_ID", required=True)
    i.add_argument("--provider", metavar="PROVIDER_ID", help="one provider (municipality users); default: yours/all")
    i.add_argument("--part", metavar="PART_ID")
    i.add_argument("--csv", metavar="FILE", help="save the CSV for Excel instead ('-': standard output)")
    for p, fn in ((r, cmd_realisation), (i, cmd_interruptions)):
        p.add_argument("--from", dest="from_month", required=True, metavar="YYYY-MM")
        p.add_argument("--to", dest="to_month", required=True, metavar="YYYY-MM")
        p.set_defaults(func=fn)
