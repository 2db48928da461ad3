"""`seteli applications`: apply to a service, fill in the steps, submit; the municipality decides.

  seteli applications list [--status S] [--service S]    yours (provider) / the queue (municipality; default submitted)
  seteli applications show ID                            the eight steps, what is missing, the history
  seteli applications rounds [--service S]               application rounds and whether a service takes applications now
  seteli applications apply --service S                  a draft application to the service
  seteli applications edit ID [--sites a,b] [--units ..] [--employees ..] [--subcontractors ..] [--areas ..] [--notes T]
  seteli applications accept-rulebook ID                 accept the service's rulebook in its current version
  seteli applications submit ID                          sign and submit (provider admin); prints what is missing
  seteli applications decide ID approve|return|reject [--comment TEXT]    (municipality; a comment for return/reject)

Every change reads the application first and sends the version read: a change made meanwhile by
someone else is refused (409), never overwritten.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from seteli_client.cli import EXIT_API, EXIT_OK, Ctx, UsageError, _local_time, _s, _table
from seteli_client.sdk import SeteliApiError

STATUSES = ("draft", "submitted", "returned", "approved", "rejected")
DECISIONS = ("approve", "return", "reject")


def _path(app_id: str | None = None, what: str | None = None) -> str:
    return "/v1/applications" + (f"/{app_id}" if app_id else "") + (f"/{what}" if what else "")


def _ids(value: str | None) -> list[str] | None:
    """``a,b`` -> ["a", "b"]; an empty string clears the selection; None: not given."""
    if value is None:
        return None
    return [x.strip() for x in value.split(",") if x.strip()]


def _line(a: dict[str, Any]) -> str:
    due = f", decision by {a['decision_due']}" if a.get("decision_due") else ""
    where = f"{_s(a.get('service_id'))}, provider {_s(a.get('provider_id'))}"
    return f"{_s(a.get('id'))} ({where}): {_s(a.get('status'))}{due}"


def _missing_lines(errors: list[dict[str, Any]], indent: str = "  ") -> list[str]:
    return [f"{indent}- {_s(e.get('field'))}: {_s(e.get('message'))}" for e in errors]


def cmd_list(ctx: Ctx) -> int:
    a = ctx.args
    params = {"status": a.status, "service_id": a.service, "limit": 100}
    items: list[dict[str, Any]] = []
    with ctx.api(signed_in=True) as api:
        while True:
            page = api.request("GET", _path(), params=params) or {}
            items += [x for x in page.get("items") or [] if isinstance(x, dict)]
            if not page.get("next"):
                break
            params["next"] = page["next"]
    rows = [
        [_s(x.get("id")), _s(x.get("service_id")), _s(x.get("provider_id")), _s(x.get("status")),
         _local_time(x.get("submitted_at")), _s(x.get("decision_due"))]
        for x in items
    ]  # fmt: skip
    text = (
        "\n".join(_table(rows, ["APPLICATION", "SERVICE", "PROVIDER", "STATUS", "SUBMITTED", "DECISION BY"]))
        if rows
        else "No applications."
    )
    ctx.emit(items, text)
    return EXIT_OK


def _show_text(d: dict[str, Any]) -> str:
    lines = [_line(d)]
    for step in d.get("steps") or []:
        mark = "ok" if step.get("complete") else "!!"
        lines.append(f"  {step.get('number')}. [{mark}] {_s(step.get('name'))}")
        for it in step.get("items") or []:
            detail = f" ({it['detail']})" if it.get("detail") else ""
            name = f" {it['name']}" if it.get("name") and it.get("name") != it.get("id") else ""
            lines.append(f"       {_s(it.get('id'))}{name}{detail}")
    missing = d.get("missing") or []
    if d.get("status") in ("draft", "returned"):
        if missing:
            lines.append("Missing before it can be submitted:")
            lines += _missing_lines(missing)
        else:
            lines.append(f"Ready to submit: `seteli applications submit {_s(d.get('id'))}` (provider admin).")
    if d.get("decision_comment"):
        lines.append(f"Municipality's comment: {d['decision_comment']}")
    history = d.get("transitions") or []
    if history:
        lines.append("History:")
        for t in history:
            who = (t.get("by") or {}).get("name") or (t.get("by") or {}).get("subject")
            frm = t.get("from") or "new"
            comment = f": {t['comment']}" if t.get("comment") else ""
            failed = " (email not sent)" if t.get("email_failed") else ""
            lines.append(f"  {_local_time(t.get('at'))}  {frm} -> {_s(t.get('to'))}  by {_s(who)}{comment}{failed}")
    return "\n".join(lines)


def cmd_show(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        d = api.request("GET", _path(ctx.args.id))
    ctx.emit(d, _show_text(d))
    return EXIT_OK


def cmd_rounds(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        services = api.request("GET", _path(None, "rounds"), params={"service_id": ctx.args.service}) or []
    lines: list[str] = []
    for s in services:
        how = "continuous" if s.get("continuous") else "in rounds only"
        lines.append(f"{_s(s.get('service_id'))}  {_s(s.get('name'))}: {how}; now {_s(s.get('intake'))}")
        for r in s.get("rounds") or []:
            lines.append(
                f"    {_s(r.get('opens'))} .. {_s(r.get('closes'))}, decisions by {_s(r.get('decisions_by'))}"
                f"  ({_s(r.get('phase'))})"
            )
    ctx.emit(services, "\n".join(lines) or "No services.")
    return EXIT_OK


def cmd_apply(ctx: Ctx) -> int:
    body = {"service_id": ctx.args.service}
    if ctx.args.provider:
        body["provider_id"] = ctx.args.provider
    with ctx.api(signed_in=True) as api:
        a = api.request("POST", _path(), json=body)
    ctx.emit(
        a,
        f"Created {_line(a)}.\nNext: `seteli applications edit {a.get('id')} --sites ...`, "
        f"`seteli applications accept-rulebook {a.get('id')}`, then `seteli applications show {a.get('id')}`.",
    )
    return EXIT_OK


def cmd_edit(ctx: Ctx) -> int:
    a = ctx.args
    change: dict[str, Any] = {}
    for flag, key in (
        ("sites", "site_ids"),
        ("units", "unit_ids"),
        ("employees", "employee_ids"),
        ("subcontractors", "subcontractor_ids"),
        ("areas", "operating_areas"),
    ):
        value = _ids(getattr(a, flag))
        if value is not None:
            change[key] = value
    if a.notes is not None:
        change["notes"] = a.notes
    if not change:
        raise UsageError("nothing to change: give --sites, --units, --employees, --subcontractors, --areas or --notes")
    with ctx.api(signed_in=True) as api:
        current = api.request("GET", _path(a.id))
        d = api.request("PATCH", _path(a.id), json={"version": current.get("version"), **change})
    ctx.emit(d, f"Saved {_line(d)}.")
    return EXIT_OK


def cmd_accept_rulebook(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        current = api.request("GET", _path(ctx.args.id))
        rb = current.get("rulebook_current") or {}
        version = ctx.args.rulebook_version or rb.get("current_version")
        d = api.request(
            "POST",
            _path(ctx.args.id, "accept-rulebook"),
            json={"version": current.get("version"), "rulebook_version": version},
        )
    general = f" and the general rulebook {rb['general_rulebook_id']}" if rb.get("general_rulebook_id") else ""
    ctx.emit(d, f"Accepted the rulebook {_s(rb.get('rulebook_id'))} version {_s(version)}{general}.")
    return EXIT_OK


def cmd_submit(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        current = api.request("GET", _path(ctx.args.id))
        try:
            done = api.request("POST", _path(ctx.args.id, "submit"), json={"version": current.get("version")})
        except SeteliApiError as exc:
            if exc.status != 422 or ctx.args.json:
                raise
            print(f"Not submitted: {exc.detail or exc.title}", file=sys.stderr)
            print("\n".join(_missing_lines(exc.errors)), file=sys.stderr)
            print(f"See `seteli applications show {ctx.args.id}`.", file=sys.stderr)
            return EXIT_API
    text = f"{_line(done.get('application') or {})}.\n{_s(done.get('message'))}"
    if done.get("email_failed"):
        text += "\n(The receipt email could not be sent.)"
    ctx.emit(done, text)
    return EXIT_OK


def cmd_decide(ctx: Ctx) -> int:
    a = ctx.args
    if a.decision in ("return", "reject") and not (a.comment or "").strip():
        raise UsageError(f"--comment is required to {a.decision}: tell the provider why")
    with ctx.api(signed_in=True) as api:
        current = api.request("GET", _path(a.id))
        body: dict[str, Any] = {"version": current.get("version"), "decision": a.decision}
        if a.comment:
            body["comment"] = a.comment
        done = api.request("POST", _path(a.id, "decision"), json=body)
    text = f"{_line(done.get('application') or {})}."
    text += "\nThe provider's email could not be sent." if done.get("email_failed") else "\nThe provider was emailed."
    ctx.emit(done, text)
    return EXIT_OK


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser, groups: dict) -> None:
    ap = sub.add_parser(
        "applications",
        parents=[common],
        help="applications to services: list, show, apply, edit, accept-rulebook, submit, decide",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    aps = ap.add_subparsers(dest="applications_command", metavar="SUBCOMMAND", required=True)

    ls = aps.add_parser("list", parents=[common], help="your applications, or the municipality's queue")
    ls.add_argument("--status", choices=STATUSES, help="only this status (municipality default: submitted)")
    ls.add_argument("--service", metavar="SERVICE", help="only this service")
    ls.set_defaults(func=cmd_list)

    sh = aps.add_parser("show", parents=[common], help="the steps, what is missing, the history")
    sh.add_argument("id", metavar="ID")
    sh.set_defaults(func=cmd_show)

    rd = aps.add_parser("rounds", parents=[common], help="application rounds per service")
    rd.add_argument("--service", metavar="SERVICE")
    rd.set_defaults(func=cmd_rounds)

    ay = aps.add_parser("apply", parents=[common], help="start a draft application to a service")
    ay.add_argument("--service", required=True, metavar="SERVICE", help="the service id (`seteli services`)")
    ay.add_argument("--provider", metavar="PROVIDER_ID", help="default: your own provider")
    ay.set_defaults(func=cmd_apply)

    ed = aps.add_parser("edit", parents=[common], help="fill in the steps (comma-separated ids; '' clears)")
    ed.add_argument("id", metavar="ID")
    ed.add_argument("--sites", metavar="IDS", help="step 2: site ids")
    ed.add_argument("--areas", metavar="AREAS", help="step 3: operating areas")
    ed.add_argument("--units", metavar="IDS", help="step 4: unit ids")
    ed.add_argument("--employees", metavar="IDS", help="step 5: employee ids")
    ed.add_argument("--subcontractors", metavar="IDS", help="step 6: subcontractor ids")
    ed.add_argument("--notes", metavar="TEXT")
    ed.set_defaults(func=cmd_edit)

    ar = aps.add_parser("accept-rulebook", parents=[common], help="accept the service's rulebook (current version)")
    ar.add_argument("id", metavar="ID")
    ar.add_argument("--rulebook-version", metavar="V", help="default: the current version the API reports")
    ar.set_defaults(func=cmd_accept_rulebook)

    sb = aps.add_parser("submit", parents=[common], help="sign and submit (provider admin)")
    sb.add_argument("id", metavar="ID")
    sb.set_defaults(func=cmd_submit)

    dc = aps.add_parser("decide", parents=[common], help="approve, return or reject (municipality)")
    dc.add_argument("id", metavar="ID")
    dc.add_argument("decision", choices=DECISIONS)
    dc.add_argument("--comment", metavar="TEXT", help="required for return and reject; the provider reads it")
    dc.set_defaults(func=cmd_decide)
