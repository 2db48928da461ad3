"""The reports (spec 15).

seteli report realisation --from YYYY-MM --to YYYY-MM [--provider ID] [--service ID] [--content ID]
      [--part ID] [--customer CUSTOMER_ID] [--csv FILE]      customers and realisation
seteli report interruptions --service ID --from YYYY-MM --to YYYY-MM [--provider ID] [--csv FILE]
"""

from __future__ import annotations

from pathlib import Path

from seteli_client.cli import EXIT_OK, Ctx, _s, _table
from seteli_client.commands._common import group
from seteli_client.commands.settlement import _month, eur


def _params(ctx: Ctx, *names: str) -> dict:
    a = ctx.args
    out = {"from": _month(a.from_month), "to": _month(a.to_month)}
    for name in names:
        out[f"{name}_id"] = getattr(a, name, None)
    return out


def _save_csv(ctx: Ctx, path: str, params: dict, route: str, what: str) -> int:
    with ctx.api(signed_in=True) as api:
        res = api.request_raw("GET", route, params={**params, "format": "csv"}, headers={"Accept": "text/csv"})
    Path(path).write_bytes(res.content)
    ctx.emit({"file": path}, f"Wrote the {what} report to {path}.")
    return EXIT_OK


def cmd_realisation(ctx: Ctx) -> int:
    params = _params(ctx, "provider", "service", "content", "part", "customer")
    if ctx.args.csv:
        return _save_csv(ctx, ctx.args.csv, params, "/v1/reports/realisation", "realisation")
    with ctx.api(signed_in=True) as api:
        rep = api.get("/v1/reports/realisation", params)
    rows = [
        [_s(r["decision_number"]), _s(r["content_id"]), _s(r["provider_id"]), _s(r["granted"]), _s(r["used"]),
         eur(r["settled"]), eur(r["own_share"]), _s(r["pending"]), _s(r["incomplete"]), str(r["interruption_days"])]
        for r in rep["rows"]
    ]  # fmt: skip
    headers = [
        "DECISION",
        "CONTENT",
        "PROVIDER",
        "GRANTED",
        "USED",
        "SETTLED",
        "OWN SHARE",
        "PENDING",
        "INCOMPLETE",
        "INT. DAYS",
    ]
    t = rep["totals"]
    text = "\n".join(
        [f"Customers and realisation {rep['from_month']}..{rep['to_month']}", *_table(rows, headers),
         f"Settled {eur(t['settled'])}, own share {eur(t['own_share'])}, interruption days {t['interruption_days']}"]
    )  # fmt: skip
    ctx.emit(rep, text if rows else "No records in this range.")
    return EXIT_OK


def cmd_interruptions(ctx: Ctx) -> int:
    params = {**_params(ctx, "provider"), "service_id": ctx.args.service}
    if ctx.args.csv:
        return _save_csv(ctx, ctx.args.csv, params, "/v1/reports/interruptions", "interruptions")
    with ctx.api(signed_in=True) as api:
        rep = api.get("/v1/reports/interruptions", params)
    lines = [f"Interruptions of {rep['service_id']} {rep['from_month']}..{rep['to_month']}"]
    for i in rep["interruptions"]:
        lines.append(
            f"{i['decision_number']} {i['reason']} {i['departure_day']}..{i['return_day'] or 'open'} {eur(i['value'])}"
        )
        lines += [f"    {b['band']}: {b['days']} d at {b['percent']} % = {eur(b['value'])}" for b in i["bands"]]
    lines += [f"{s['reason']} at {s['percent']} %: {s['days']} d, {eur(s['value'])}" for s in rep["summary"]]
    ctx.emit(rep, "\n".join(lines) if rep["interruptions"] else "No interruptions in this range.")
    return EXIT_OK


def register(sub, common, groups) -> None:
    rep = group(sub, common, groups, "report", "reports: customers and realisation, interruptions")
    r = rep.add_parser("realisation", parents=[common], help="customers and realisation, with incomplete units")
    for flag in ("--provider", "--service", "--content", "--part", "--customer"):
        r.add_argument(flag)
    r.add_argument("--csv", metavar="FILE", help="write a CSV file for Excel instead")
    i = rep.add_parser("interruptions", parents=[common], help="interruptions of a service, days per band")
    i.add_argument("--service", required=True)
    i.add_argument("--provider")
    i.add_argument("--csv", metavar="FILE")
    for p, fn in ((r, cmd_realisation), (i, cmd_interruptions)):
        p.add_argument("--from", dest="from_month", required=True, metavar="YYYY-MM")
        p.add_argument("--to", dest="to_month", required=True, metavar="YYYY-MM")
        p.set_defaults(func=fn)
