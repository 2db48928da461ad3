"""Service events, interruptions, approvals and credits (spec 7-10; seed 003 K4.3).

Providers:
  seteli event record DECISION_NUMBER --date D [--to D] [--start HH:MM --end HH:MM] [--quantity N]
                [--content C] [--part P] [--km KM] [--giver NAME] [--notes TEXT] [--draft]
                                                 record one event; prints units, value, own share, status
  seteli event list [--month YYYY-MM] [--customer DECISION_NUMBER] [--status S] [--auto]
                                                 a month's events, totals (--auto: the automatic ones)
  seteli event show EVENT_ID                     one event with its lines (a line a day)
  seteli event edit EVENT_ID [--date D] [--to D] [--start T] [--end T] ...       change it until settled
  seteli event delete EVENT_ID                   delete it until settled
  seteli event confirm EVENT_ID [EVENT_ID ...] | --month YYYY-MM                  drafts become recorded
  seteli event import FILE.csv [--dry-run] [--batch N] [--report OUT.csv] [--draft]
                                                 a month of events from a CSV file (docs/csv-import.md)
  seteli interruption start DECISION_NUMBER --reason hospital|holiday|other --departure D
                [--return D] [--record]          an absence (day 0 = the departure day)
  seteli interruption end INTERRUPTION_ID --return D   the return day; records it (--draft: not yet)
  seteli interruption list|show|delete ...       the split by day: day number, percent, value
Municipality:
  seteli approval list                           events over their granted amount, waiting
  seteli approval decide EVENT_ID approve|reject|approve-with-credit [--comment TEXT]
  seteli credit file EVENT_ID --reason TEXT      deduct a settled event's whole value next settlement
  seteli credit list [--provider P]              credit requests (a provider sees its own)

Dates as 2026-11-02 or 2.11.2026; times as 09:00 or 9.00. Units and money are computed by the
API, never typed (only pieces and square metres take --quantity). Whatever changes an event reads
its version first, so a change made meanwhile by someone else is refused (409), never overwritten.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from seteli_client.cli import EXIT_API, EXIT_OK, Ctx, UsageError, _s, _table
from seteli_client.commands._common import group, provider_flag
from seteli_client.commands.events_import import MAX_BATCH, cmd_import, hhmm, parse_amount, parse_date, parse_time

STATUSES = ("draft", "recorded", "pending_approval", "approved", "settled", "paid", "rejected")
REASONS = ("hospital", "holiday", "other")
DECISIONS = {"approve": "approve", "reject": "reject", "approve-with-credit": "approve_with_credit"}
UNIT_WORD = {"hour": "h", "day": "d", "piece": "pcs", "month": "mo", "m2_month": "m²/mo"}


def _seg(value: str) -> str:
    """One path segment: an id can never reach another resource."""
    return quote(str(value), safe="")


# ---------------------------------------------------------------- values in and out


def _date_arg(text: str | None, flag: str) -> str | None:
    if text is None:
        return None
    try:
        return parse_date(text).isoformat()
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None


def _time_arg(text: str | None, flag: str) -> str | None:
    if text is None:
        return None
    try:
        return hhmm(parse_time(text))
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None


def _amount_arg(text: str | None, flag: str) -> str | None:
    if text is None:
        return None
    try:
        return f"{parse_amount(text):.2f}"
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None


def _month_arg(text: str | None) -> str:
    if not text:
        return datetime.now(ZoneInfo("Europe/Helsinki")).strftime("%Y-%m")
    s = text.strip()
    for fmt in ("%Y-%m", "%m/%Y", "%m.%Y"):
        try:
            return datetime.strptime(s, fmt).strftime("%Y-%m")
        except ValueError:
            continue
    raise UsageError("--month: write 2026-11 (or 11/2026)")


def _dec(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal("0")
    except InvalidOperation:
        return Decimal("0")


def eur(value: Any) -> str:
    return f"{_dec(value):.2f} €"


def _number(q: Decimal) -> str:
    return str(int(q)) if q == q.to_integral_value() else f"{q.normalize():f}"


def units(ev: dict[str, Any]) -> str:
    unit = _s(ev.get("unit"))
    return f"{_number(_dec(ev.get('quantity')))} {UNIT_WORD.get(unit, unit)}".strip()


def _hm(value: Any) -> str:
    return _s(value)[:5]


def when(ev: dict[str, Any]) -> str:
    """2026-11-02 09:00-11:15, or 2026-11-01 - 2026-11-30."""
    first, last = _s(ev.get("first_day")), _s(ev.get("last_day"))
    text = first if not last or last == first else f"{first} - {last}"
    if ev.get("start_time"):
        text += f" {_hm(ev.get('start_time'))}-{_hm(ev.get('end_time'))}"
    return text


def event_text(ev: dict[str, Any], verb: str = "") -> str:
    head = f"{verb} {ev.get('id')}" if verb else _s(ev.get("id"))
    lines = [
        f"{head}: {_s(ev.get('decision_number'))} {_s(ev.get('content_id'))} {when(ev)}"
        + (f" at {ev['part_id']}" if ev.get("part_id") else ""),
        f"  units {units(ev)}; value {eur(ev.get('value'))} (the municipality pays), "
        f"own share {eur(ev.get('own_share'))} (the customer pays)"
        + (f"; travel {eur(ev.get('travel'))} for {_s(ev.get('travel_km'))} km" if ev.get("travel_km") else ""),
        f"  status {_s(ev.get('status'))}",
    ]
    overrun = ev.get("overrun") if isinstance(ev.get("overrun"), dict) else None
    if ev.get("status") == "pending_approval" and overrun:
        lines.append(f"  waits for the municipality's approval: {_s(overrun.get('message'))}")
    approval = ev.get("approval") if isinstance(ev.get("approval"), dict) else None
    if approval:
        comment = f" ({approval['comment']})" if approval.get("comment") else ""
        lines.append(f"  the municipality's decision: {_s(approval.get('decision'))}{comment}")
    if ev.get("credit_id"):
        lines.append(f"  credit request {ev['credit_id']}")
    if ev.get("status") == "draft":
        lines.append(f"  a draft is never settled: `seteli event confirm {ev.get('id')}` records it")
    return "\n".join(lines)


def _result_lines(results: Iterable[dict[str, Any]], ids: list[str]) -> tuple[list[str], int, int]:
    """The refused items of a bulk answer; (lines, ok, refused)."""
    lines, ok, refused = [], 0, 0
    for r in results:
        if r.get("ok"):
            ok += 1
            continue
        refused += 1
        i = r.get("index")
        eid = ids[i] if isinstance(i, int) and 0 <= i < len(ids) else "?"
        errors = " ".join(f"[{e.get('field')}: {e.get('message')}]" for e in r.get("errors") or [])
        lines.append(f"  {eid}: {_s(r.get('detail')) or 'refused'} {errors}".rstrip())
    return lines, ok, refused


# ---------------------------------------------------------------- events


def cmd_record(ctx: Ctx) -> int:
    a = ctx.args
    body: dict[str, Any] = {"decision_number": a.decision_number, "first_day": _date_arg(a.date, "--date")}
    optional = {
        "last_day": _date_arg(a.to, "--to"),
        "start_time": _time_arg(a.start, "--start"),
        "end_time": _time_arg(a.end, "--end"),
        "quantity": _amount_arg(a.quantity, "--quantity"),
        "travel_km": _amount_arg(a.km, "--km"),
        "content_id": a.content,
        "part_id": a.part,
        "giver": a.giver,
        "notes": a.notes,
    }
    if (a.start is None) != (a.end is None):
        raise UsageError("give both --start and --end (an hour-unit visit), or neither")
    body |= {k: v for k, v in optional.items() if v not in (None, "")}
    if a.draft:
        body["draft"] = True
    with ctx.api(signed_in=True) as api:
        res = api.request_raw("POST", "/v1/events", json=body)
    ev = res.json()
    verb = "Saved the draft" if ev.get("status") == "draft" else "Recorded"
    if res.status_code == 200:
        verb = "Already recorded"
    ctx.emit(ev, event_text(ev, verb))
    return EXIT_OK


def _month_events(
    api, ctx: Ctx, month: str, status: str | None = None, auto: bool | None = None
) -> list[dict[str, Any]]:
    a = ctx.args
    params = {
        "month": month,
        "provider_id": getattr(a, "provider", None),
        "decision_number": getattr(a, "customer", None),
        "status": status,
        "auto": "true" if auto else None,
    }
    page = api.request("GET", "/v1/events", params=params) or {}
    return [e for e in page.get("items") or [] if isinstance(e, dict)]


def totals_text(items: list[dict[str, Any]]) -> str:
    counted = [e for e in items if e.get("status") != "rejected"]
    per_unit: dict[str, Decimal] = {}
    for e in counted:
        u = UNIT_WORD.get(_s(e.get("unit")), _s(e.get("unit")))
        per_unit[u] = per_unit.get(u, Decimal("0")) + _dec(e.get("quantity"))
    value = sum((_dec(e.get("value")) for e in counted), Decimal("0"))
    own = sum((_dec(e.get("own_share")) for e in counted), Decimal("0"))
    travel = sum((_dec(e.get("travel")) for e in counted), Decimal("0"))
    amount = ", ".join(f"{_number(q)} {u}" for u, q in per_unit.items()) or "0"
    text = f"{len(items)} events; {amount}; value {eur(value)}, own share {eur(own)}"
    if travel:
        text += f", travel {eur(travel)}"
    notes = []
    rejected = len(items) - len(counted)
    if rejected:
        notes.append(f"{rejected} rejected not counted")
    drafts = sum(1 for e in items if e.get("status") == "draft")
    if drafts:
        notes.append(f"{drafts} drafts are not settled until confirmed")
    pending = sum(1 for e in items if e.get("status") == "pending_approval")
    if pending:
        notes.append(f"{pending} wait for approval")
    return text + (f" ({'; '.join(notes)})" if notes else "")


def cmd_list(ctx: Ctx) -> int:
    a = ctx.args
    month = _month_arg(a.month)
    with ctx.api(signed_in=True) as api:
        items = _month_events(api, ctx, month, a.status, auto=getattr(a, "auto", False) or None)
    items.sort(key=lambda e: (_s(e.get("first_day")), _s(e.get("start_time")), _s(e.get("decision_number"))))
    rows = [
        [
            _s(e.get("id")),
            when(e),
            _s(e.get("decision_number")),
            _s(e.get("content_id")),
            units(e),
            eur(e.get("value")),
            eur(e.get("own_share")),
            _s(e.get("status")),
        ]
        for e in items
    ]
    if rows:
        headers = ["ID", "DATE", "DECISION", "CONTENT", "UNITS", "VALUE", "OWN SHARE", "STATUS"]
        text = "\n".join([*_table(rows, headers), "", "Total: " + totals_text(items)])
    else:
        text = f"No events in {month}."
    ctx.emit({"month": month, "items": items}, text)
    return EXIT_OK


def lines_text(ev: dict[str, Any]) -> list[str]:
    rows = [
        [
            _s(ln.get("on")),
            _number(_dec(ln.get("quantity"))),
            eur(ln.get("price")),
            eur(ln.get("unit_value")),
            eur(ln.get("municipality")),
            eur(ln.get("own_share")),
            f"paid in {ln['paid_elsewhere']}" if ln.get("paid_elsewhere") else "",
        ]
        for ln in ev.get("lines") or []
        if isinstance(ln, dict)
    ]
    if not rows:
        return []
    return _table(rows, ["DAY", "UNITS", "PRICE", "UNIT VALUE", "MUNICIPALITY", "OWN SHARE", ""], indent="  ")


def cmd_show(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        ev = api.request("GET", f"/v1/events/{_seg(ctx.args.event_id)}")
    extra = [
        f"  giver {_s(ev.get('giver'))}" + (f"; notes: {ev['notes']}" if ev.get("notes") else ""),
        f"  price {eur(ev.get('price_total'))}; customer {_s(ev.get('customer_id'))}; version {_s(ev.get('version'))}",
    ]
    table = lines_text(ev)
    ctx.emit(ev, "\n".join([event_text(ev), *extra, *([""] + table if table else [])]))
    return EXIT_OK


def cmd_edit(ctx: Ctx) -> int:
    a = ctx.args
    changes: dict[str, Any] = {}
    given = {
        "first_day": (a.date, _date_arg),
        "last_day": (a.to, _date_arg),
        "start_time": (a.start, _time_arg),
        "end_time": (a.end, _time_arg),
        "quantity": (a.quantity, _amount_arg),
        "travel_km": (a.km, _amount_arg),
    }
    flags = {"first_day": "--date", "last_day": "--to", "start_time": "--start", "end_time": "--end",
             "quantity": "--quantity", "travel_km": "--km"}  # fmt: skip
    for name, (value, parse) in given.items():
        if value is None:
            continue
        # '' clears an optional value (the range's last day, km, quantity)
        changes[name] = None if value == "" and name != "first_day" else parse(value, flags[name])
    for name, value in (("part_id", a.part), ("giver", a.giver), ("notes", a.notes)):
        if value is not None:
            changes[name] = value or None
    if not changes:
        raise UsageError(
            "nothing to change: give --date, --to, --start, --end, --quantity, --km, --part, --giver or --notes"
        )
    path = f"/v1/events/{_seg(a.event_id)}"
    with ctx.api(signed_in=True) as api:
        current = api.request("GET", path)
        ev = api.request("PATCH", path, json={"version": current["version"], **changes})
    ctx.emit(ev, event_text(ev, "Changed"))
    return EXIT_OK


def cmd_delete(ctx: Ctx) -> int:
    path = f"/v1/events/{_seg(ctx.args.event_id)}"
    with ctx.api(signed_in=True) as api:
        current = api.request("GET", path)
        api.request("DELETE", path, params={"version": current["version"]})
    ctx.emit(
        {"deleted": ctx.args.event_id},
        f"Deleted {ctx.args.event_id} ({_s(current.get('decision_number'))} {when(current)}, {units(current)}).",
    )
    return EXIT_OK


def cmd_confirm(ctx: Ctx) -> int:
    a = ctx.args
    if bool(a.event_ids) == bool(a.month):
        raise UsageError("give the EVENT_IDs to confirm, or --month YYYY-MM for all the drafts of a month")
    with ctx.api(signed_in=True) as api:
        if a.month:
            month = _month_arg(a.month)
            ids = [_s(e.get("id")) for e in _month_events(api, ctx, month, "draft") if e.get("status") == "draft"]
            if not ids:
                ctx.emit({"month": month, "confirmed": 0, "refused": 0, "results": []}, f"No drafts in {month}.")
                return EXIT_OK
        else:
            ids = list(dict.fromkeys(a.event_ids))
        results: list[dict[str, Any]] = []
        for i in range(0, len(ids), MAX_BATCH):
            chunk = ids[i : i + MAX_BATCH]
            answer = api.request("POST", "/v1/events/record", json={"event_ids": chunk}) or {}
            for r in answer.get("results") or []:
                results.append({**r, "index": i + int(r.get("index", 0))})
    refusals, ok, refused = _result_lines(results, ids)
    waiting = [
        r["event"]["id"] for r in results if r.get("ok") and (r.get("event") or {}).get("status") == "pending_approval"
    ]
    lines = [f"Confirmed {ok} of {len(ids)} events" + (f"; {refused} refused:" if refused else ".")]
    lines += refusals
    if waiting:
        lines.append(f"Waiting for the municipality's approval (over the granted amount): {', '.join(waiting)}")
    ctx.emit({"confirmed": ok, "refused": refused, "results": results}, "\n".join(lines))
    return EXIT_API if refused else EXIT_OK


# ---------------------------------------------------------------- interruptions


def days_text(i: dict[str, Any]) -> list[str]:
    rows = []
    for d in i.get("days") or []:
        if not isinstance(d, dict):
            continue
        label = "return day" if d.get("return_day") else f"day {_s(d.get('day_number'))}"
        note = f"paid in {d['paid_elsewhere']}" if d.get("paid_elsewhere") else ""
        rows.append(
            [
                _s(d.get("on")),
                label,
                f"{_s(d.get('percent'))} %",
                eur(d.get("attendance_value")),
                eur(d.get("municipality")),
                note,
            ]
        )
    if not rows:
        return ["  (the split by day comes with the return day)"]
    return _table(rows, ["DAY", "NUMBER", "PERCENT", "ATTENDANCE", "PAID", ""], indent="  ")


def interruption_text(i: dict[str, Any], verb: str = "") -> str:
    head = f"{verb} {i.get('id')}" if verb else _s(i.get("id"))
    back = _s(i.get("return_day")) or "not back yet"
    lines = [
        f"{head}: {_s(i.get('decision_number'))} {_s(i.get('content_id'))}, {_s(i.get('reason'))} "
        f"from {_s(i.get('departure_day'))} (day 0), return day {back}",
        f"  value {eur(i.get('value'))}; status {_s(i.get('status'))}; rule {_s(i.get('rule_id'))}",
    ]
    if i.get("status") == "draft":
        lines.append(
            f"  a draft is never settled: `seteli interruption end {i.get('id')} --return D` records it"
            if not i.get("return_day")
            else f"  a draft is never settled: `seteli interruption end {i.get('id')} --return {i['return_day']}`"
        )
    if i.get("notes"):
        lines.append(f"  notes: {i['notes']}")
    return "\n".join([*lines, "", *days_text(i)])


def cmd_int_start(ctx: Ctx) -> int:
    a = ctx.args
    if a.record and not a.return_day:
        raise UsageError("--record needs the --return day (until then the interruption stays a draft)")
    body: dict[str, Any] = {
        "decision_number": a.decision_number,
        "reason": a.reason,
        "departure_day": _date_arg(a.departure, "--departure"),
    }
    optional = {
        "return_day": _date_arg(a.return_day, "--return"),
        "content_id": a.content,
        "part_id": a.part,
        "notes": a.notes,
    }
    body |= {k: v for k, v in optional.items() if v}
    if a.record:
        body["record"] = True
    with ctx.api(signed_in=True) as api:
        i = api.request("POST", "/v1/interruptions", json=body)
    ctx.emit(i, interruption_text(i, "Recorded" if i.get("status") != "draft" else "Started"))
    return EXIT_OK


def cmd_int_end(ctx: Ctx) -> int:
    a = ctx.args
    path = f"/v1/interruptions/{_seg(a.interruption_id)}"
    with ctx.api(signed_in=True) as api:
        current = api.request("GET", path)
        body: dict[str, Any] = {"version": current["version"], "return_day": _date_arg(a.return_day, "--return")}
        if not a.draft:
            body["record"] = True
        i = api.request("PATCH", path, json=body)
    ctx.emit(i, interruption_text(i, "Ended" if not a.draft else "Set the return day of"))
    return EXIT_OK


def cmd_int_list(ctx: Ctx) -> int:
    a = ctx.args
    params = {"provider_id": a.provider, "since": _date_arg(a.since, "--since")}
    with ctx.api(signed_in=True) as api:
        page = api.request("GET", "/v1/interruptions", params=params) or {}
    items = [i for i in page.get("items") or [] if isinstance(i, dict)]
    rows = [
        [
            _s(i.get("id")),
            _s(i.get("decision_number")),
            _s(i.get("reason")),
            _s(i.get("departure_day")),
            _s(i.get("return_day")) or "-",
            str(len(i.get("days") or [])) if i.get("days") else "-",
            eur(i.get("value")),
            _s(i.get("status")),
        ]
        for i in items
    ]
    headers = ["ID", "DECISION", "REASON", "DEPARTURE", "RETURN", "DAYS", "VALUE", "STATUS"]
    ctx.emit({"items": items}, "\n".join(_table(rows, headers)) if rows else "No interruptions.")
    return EXIT_OK


def cmd_int_show(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        i = api.request("GET", f"/v1/interruptions/{_seg(ctx.args.interruption_id)}")
    ctx.emit(i, interruption_text(i))
    return EXIT_OK


def cmd_int_delete(ctx: Ctx) -> int:
    path = f"/v1/interruptions/{_seg(ctx.args.interruption_id)}"
    with ctx.api(signed_in=True) as api:
        current = api.request("GET", path)
        api.request("DELETE", path, params={"version": current["version"]})
    ctx.emit({"deleted": ctx.args.interruption_id}, f"Deleted the interruption {ctx.args.interruption_id}.")
    return EXIT_OK


# ---------------------------------------------------------------- the municipality: approvals and credits


def cmd_approval_list(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        items = [e for e in api.paginate("/v1/approvals", limit=100) if isinstance(e, dict)]
    lines: list[str] = []
    for e in items:
        lines.append(
            f"{_s(e.get('id'))}  {when(e)}  {_s(e.get('decision_number'))}  {_s(e.get('provider_id'))}  "
            f"{_s(e.get('content_id'))}  {units(e)}  {eur(e.get('value'))}"
        )
        overrun = e.get("overrun") if isinstance(e.get("overrun"), dict) else {}
        if overrun.get("message"):
            lines.append(f"  {overrun['message']}")
    text = "\n".join(lines) if lines else "No events wait for approval."
    if items:
        text += f"\n\n{len(items)} waiting: `seteli approval decide EVENT_ID approve|reject|approve-with-credit`"
    ctx.emit({"items": items}, text)
    return EXIT_OK


def cmd_approval_decide(ctx: Ctx) -> int:
    a = ctx.args
    path = f"/v1/events/{_seg(a.event_id)}"
    with ctx.api(signed_in=True) as api:
        current = api.request("GET", path)
        body: dict[str, Any] = {"decision": DECISIONS[a.decision], "version": current["version"]}
        if a.comment:
            body["comment"] = a.comment
        ev = api.request("POST", f"{path}/approval", json=body)
    verb = {"approve": "Approved", "reject": "Rejected", "approve-with-credit": "Approved with a credit request:"}
    ctx.emit(ev, event_text(ev, verb[a.decision]))
    return EXIT_OK


def credit_text(c: dict[str, Any], verb: str = "") -> str:
    head = f"{verb} {c.get('id')}" if verb else _s(c.get("id"))
    return (
        f"{head}: {eur(c.get('amount'))} of event {_s(c.get('event_id'))} ({_s(c.get('decision_number'))}) "
        f"deducted in the settlement of {_s(c.get('deduct_in'))}; {_s(c.get('status'))}"
    )


def cmd_credit_file(ctx: Ctx) -> int:
    a = ctx.args
    reason = (a.reason or "").strip()
    if not reason:
        raise UsageError("--reason: say why the event is credited")
    with ctx.api(signed_in=True) as api:
        c = api.request("POST", "/v1/credits", json={"event_id": a.event_id, "reason": reason})
    ctx.emit(c, credit_text(c, "Credit request"))
    return EXIT_OK


def cmd_credit_list(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        page = api.request("GET", "/v1/credits", params={"provider_id": ctx.args.provider}) or {}
    items = [c for c in page.get("items") or [] if isinstance(c, dict)]
    rows = [
        [
            _s(c.get("id")),
            _s(c.get("event_id")),
            _s(c.get("decision_number")),
            eur(c.get("amount")),
            _s(c.get("deduct_in")),
            _s(c.get("status")),
            _s(c.get("reason")),
        ]
        for c in items
    ]
    headers = ["ID", "EVENT", "DECISION", "AMOUNT", "DEDUCT IN", "STATUS", "REASON"]
    ctx.emit({"items": items}, "\n".join(_table(rows, headers)) if rows else "No credit requests.")
    return EXIT_OK


# ---------------------------------------------------------------- parsers


def _event_fields(p: argparse.ArgumentParser, *, edit: bool) -> None:
    p.add_argument("--date", required=not edit, metavar="DATE", help="the service date, or a range's first day")
    p.add_argument("--to", metavar="DATE", help="day units: the range's last day (same month)")
    p.add_argument("--start", metavar="HH:MM", help="hour units: the visit's start")
    p.add_argument("--end", metavar="HH:MM", help="hour units: the visit's end")
    p.add_argument("--quantity", metavar="N", help="pieces or square metres only (days and hours are computed)")
    p.add_argument("--part", metavar="PART_ID", help="the site, unit or employee (default: the reservation's)")
    p.add_argument("--km", metavar="KM", help="round-trip kilometres for the travel compensation")
    p.add_argument("--giver", metavar="NAME", help="who gave the service (default: you)")
    p.add_argument("--notes", metavar="TEXT", help="lisätiedot")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser, groups: dict) -> None:
    ev = group(sub, common, groups, "event", "service events: record, list, confirm, import a CSV (providers)")
    rc = ev.add_parser("record", parents=[common], help="record one event (units and money are computed)")
    rc.add_argument("decision_number", metavar="DECISION_NUMBER")
    rc.add_argument("--content", metavar="CONTENT_ID", help="default: the content your reservation covers")
    _event_fields(rc, edit=False)
    rc.add_argument("--draft", action="store_true", help="save it unfinished (never settled until confirmed)")
    rc.set_defaults(func=cmd_record)

    ls = ev.add_parser("list", parents=[common], help="a month's events with totals")
    ls.add_argument("--month", metavar="YYYY-MM", help="default: this month")
    ls.add_argument("--customer", metavar="DECISION_NUMBER", help="one customer's entitlement only")
    ls.add_argument("--status", choices=STATUSES)
    ls.add_argument(
        "--auto", action="store_true", help="only the automatic events (made on the 4th, drafts to confirm)"
    )
    provider_flag(ls)
    ls.set_defaults(func=cmd_list)

    sh = ev.add_parser("show", parents=[common], help="one event with its lines")
    sh.add_argument("event_id", metavar="EVENT_ID")
    sh.set_defaults(func=cmd_show)

    ed = ev.add_parser("edit", parents=[common], help="change an event until it is settled ('' clears a value)")
    ed.add_argument("event_id", metavar="EVENT_ID")
    _event_fields(ed, edit=True)
    ed.set_defaults(func=cmd_edit)

    de = ev.add_parser("delete", parents=[common], help="delete an event until it is settled")
    de.add_argument("event_id", metavar="EVENT_ID")
    de.set_defaults(func=cmd_delete)

    cf = ev.add_parser("confirm", parents=[common], help="drafts become recorded: by id, or a whole month")
    cf.add_argument("event_ids", nargs="*", metavar="EVENT_ID")
    cf.add_argument("--month", metavar="YYYY-MM", help="every draft of the month")
    cf.add_argument("--customer", metavar="DECISION_NUMBER", help="with --month: one customer's drafts only")
    cf.set_defaults(func=cmd_confirm)

    im = ev.add_parser(
        "import",
        parents=[common],
        help="record events from a CSV file (see docs/csv-import.md); exit 1 when a row is refused",
    )
    im.add_argument("file", metavar="FILE.csv", help="the CSV file ('-' for standard input)")
    im.add_argument("--dry-run", action="store_true", help="check the file only; send nothing")
    im.add_argument("--batch", type=int, default=MAX_BATCH, metavar="N", help=f"rows a call (1-{MAX_BATCH})")
    im.add_argument("--report", metavar="OUT.csv", help="write every row's result to this CSV file")
    im.add_argument("--draft", action="store_true", help="save the events as drafts (confirm them later)")
    im.set_defaults(func=cmd_import)

    it = group(sub, common, groups, "interruption", "interruptions of day-unit services (providers)")
    st = it.add_parser("start", parents=[common], help="the customer left (day 0 = the departure day)")
    st.add_argument("decision_number", metavar="DECISION_NUMBER")
    st.add_argument("--reason", required=True, choices=REASONS)
    st.add_argument("--departure", required=True, metavar="DATE", help="the day the customer left")
    st.add_argument("--return", dest="return_day", metavar="DATE", help="the day the customer came back")
    st.add_argument("--record", action="store_true", help="record it now (needs --return); else a draft")
    st.add_argument("--content", metavar="CONTENT_ID")
    st.add_argument("--part", metavar="PART_ID")
    st.add_argument("--notes", metavar="TEXT")
    st.set_defaults(func=cmd_int_start)

    en = it.add_parser("end", parents=[common], help="the customer is back: set the return day and record it")
    en.add_argument("interruption_id", metavar="INTERRUPTION_ID")
    en.add_argument("--return", dest="return_day", required=True, metavar="DATE")
    en.add_argument("--draft", action="store_true", help="set the return day but do not record it yet")
    en.set_defaults(func=cmd_int_end)

    il = it.add_parser("list", parents=[common], help="your provider's interruptions")
    il.add_argument("--since", metavar="DATE", help="departed on or after")
    provider_flag(il)
    il.set_defaults(func=cmd_int_list)

    ish = it.add_parser("show", parents=[common], help="one interruption split by day")
    ish.add_argument("interruption_id", metavar="INTERRUPTION_ID")
    ish.set_defaults(func=cmd_int_show)

    idl = it.add_parser("delete", parents=[common], help="delete an interruption until it is settled")
    idl.add_argument("interruption_id", metavar="INTERRUPTION_ID")
    idl.set_defaults(func=cmd_int_delete)

    ap = group(sub, common, groups, "approval", "events over their granted amount (municipality)")
    ap.add_parser("list", parents=[common], help="the events waiting for approval").set_defaults(func=cmd_approval_list)
    dc = ap.add_parser("decide", parents=[common], help="approve, reject, or approve with a credit request")
    dc.add_argument("event_id", metavar="EVENT_ID")
    dc.add_argument("decision", choices=list(DECISIONS))
    dc.add_argument("--comment", metavar="TEXT")
    dc.set_defaults(func=cmd_approval_decide)

    cr = group(sub, common, groups, "credit", "credit requests: a settled event's value deducted")
    cf2 = cr.add_parser("file", parents=[common], help="file a credit request for a settled event")
    cf2.add_argument("event_id", metavar="EVENT_ID")
    cf2.add_argument("--reason", required=True, metavar="TEXT")
    cf2.set_defaults(func=cmd_credit_file)
    cl = cr.add_parser("list", parents=[common], help="credit requests (municipality: --provider)")
    provider_flag(cl)
    cl.set_defaults(func=cmd_credit_list)
