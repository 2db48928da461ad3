"""Feedback (palaute, seed 003 K4.4): thanks, complaints and reclamations, and the provider's reply.

  seteli me feedback give --provider P --type thanks|complaint|reclamation (--text T | --text-file F)
                     [--part PART] [--event EVENT] [--reply-requested] [--for CUSTOMER_ID]
                                                 give feedback (citizens; --for: a customer you act for)
  seteli me feedback list [--for CUSTOMER_ID]    the feedback about you (or a customer you act for)
  seteli provider feedback list [--needs-reply]  your provider's feedback, newest first
  seteli provider feedback show FEEDBACK_ID      one with its reply
  seteli provider feedback reply FEEDBACK_ID (--text T | --text-file F)
                                                 reply, once (the version is read first)
  seteli feedback list [--provider P] [--customer C] [--needs-reply]
                                                 the municipality's view: all feedback
  seteli feedback show FEEDBACK_ID               one, as your role sees it

``--text-file -`` reads the text from standard input (a long text, or one with quotes).
"""

from __future__ import annotations

import argparse
import sys
from itertools import islice
from pathlib import Path
from typing import Any

from seteli_client.cli import EXIT_OK, Ctx, UsageError, _local_time, _s, _table
from seteli_client.commands._common import group

TYPES = ("thanks", "complaint", "reclamation")
TYPE_FI = {"thanks": "kiitos", "complaint": "moite", "reclamation": "reklamaatio"}
MAX_TEXT = 4000


def _text(ctx: Ctx) -> str:
    a = ctx.args
    if a.text is not None and a.text_file is not None:
        raise UsageError("give the text either with --text or with --text-file, not both")
    if a.text_file is not None:
        try:
            text = sys.stdin.read() if a.text_file == "-" else Path(a.text_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--text-file: cannot read {a.text_file}: {exc.strerror}") from None
    elif a.text is not None:
        text = a.text
    else:
        raise UsageError("give the text with --text TEXT or --text-file FILE (- for standard input)")
    text = text.strip()
    if not text:
        raise UsageError("the text is empty")
    if len(text) > MAX_TEXT:
        raise UsageError(f"the text is {len(text)} characters: at most {MAX_TEXT}")
    return text


def _state(f: dict[str, Any]) -> str:
    if f.get("reply") is not None:
        return "replied"
    return "reply needed" if f.get("needs_reply") else "-"


def _short(text: Any, width: int = 48) -> str:
    one = " ".join(_s(text).split())
    return one if len(one) <= width else one[: width - 1] + "…"


def _list_text(items: list[dict[str, Any]], who: str) -> str:
    if not items:
        return "No feedback."
    rows = []
    for f in items:
        whom = _s(f.get("customer_name") or f.get("customer_id")) if who != "citizen" else ""
        about = _s(f.get("provider_name") or f.get("provider_id"))
        row = [_s(f.get("id")), _local_time(f.get("created_at")), _s(f.get("type")), _state(f)]
        if who == "provider":
            row.append(whom)
        elif who == "municipality":
            row += [about, whom]
        else:
            row.append(about)
        row.append(_short(f.get("text")))
        rows.append(row)
    headers = ["FEEDBACK", "GIVEN", "TYPE", "REPLY"]
    headers += {"provider": ["CUSTOMER"], "municipality": ["PROVIDER", "CUSTOMER"]}.get(who, ["PROVIDER"])
    return "\n".join(_table(rows, [*headers, "TEXT"]))


def show_text(f: dict[str, Any]) -> str:
    lines = [
        f"{_s(f.get('id'))}: {_s(f.get('type'))} ({TYPE_FI.get(f.get('type'), '')}) about "
        f"{_s(f.get('provider_name') or f.get('provider_id'))}, given {_local_time(f.get('created_at'))}"
        + (" by a proxy" if f.get("as_proxy") else "")
    ]
    if f.get("customer_name") or f.get("customer_id"):
        lines.append(f"Customer: {_s(f.get('customer_name') or '-')} ({_s(f.get('customer_id'))})")
    if f.get("part_id"):
        lines.append(f"Part: {f['part_id']}")
    if f.get("event_id"):
        lines.append(f"Service event: {f['event_id']}")
    lines += ["", _s(f.get("text")), ""]
    if f.get("reply") is not None:
        lines.append(f"Reply ({_local_time(f.get('replied_at'))}):")
        lines.append(_s(f.get("reply")))
    elif f.get("needs_reply"):
        lines.append("Waiting for the provider's reply.")
    else:
        lines.append("No reply asked.")
    return "\n".join(lines)


# ---------------------------------------------------------------- commands


def cmd_give(ctx: Ctx) -> int:
    a = ctx.args
    body: dict[str, Any] = {
        "type": a.type,
        "text": _text(ctx),
        "provider_id": a.provider,
        "reply_requested": bool(a.reply_requested),
    }
    for key, value in (("part_id", a.part), ("event_id", a.event), ("customer_id", a.for_customer)):
        if value:
            body[key] = value
    with ctx.api(signed_in=True) as api:
        f = api.request("POST", "/v1/feedback", json=body)
    told = {"provider": "the provider", "municipality": "the municipality"}
    notified = [told.get(n, n) for n in f.get("notified") or []]
    lines = [f"Thank you: your feedback {f.get('id')} ({f.get('type')}) about {_s(f.get('provider_name'))} is saved."]
    if f.get("needs_reply"):
        lines.append("The provider replies to it; see the reply with `seteli me feedback list`.")
    if notified:
        lines.append(f"Emailed: {' and '.join(notified)}.")
    if f.get("email_failed"):
        lines.append("An email could not be sent; the feedback is saved all the same.")
    ctx.emit(f, "\n".join(lines))
    return EXIT_OK


def _list(ctx: Ctx, params: dict[str, Any], who: str) -> int:
    params = {k: v for k, v in params.items() if v is not None}
    most = ctx.args.limit
    if most < 1:
        raise UsageError("--limit: at least 1")
    with ctx.api(signed_in=True) as api:
        pages = api.paginate("/v1/feedback", params, limit=min(most, 100))
        items = [f for f in islice(pages, most) if isinstance(f, dict)]
    ctx.emit(items, _list_text(items, who))
    return EXIT_OK


def _needs_reply(ctx: Ctx) -> str | None:
    return "true" if getattr(ctx.args, "needs_reply", False) else None


def cmd_my_list(ctx: Ctx) -> int:
    return _list(ctx, {"customer_id": ctx.args.for_customer}, "citizen")


def cmd_provider_list(ctx: Ctx) -> int:
    return _list(ctx, {"needs_reply": _needs_reply(ctx)}, "provider")


def cmd_list(ctx: Ctx) -> int:
    a = ctx.args
    return _list(
        ctx, {"provider_id": a.provider, "customer_id": a.customer, "needs_reply": _needs_reply(ctx)}, "municipality"
    )


def cmd_show(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        f = api.request("GET", f"/v1/feedback/{ctx.args.feedback_id}")
    ctx.emit(f, show_text(f))
    return EXIT_OK


def cmd_reply(ctx: Ctx) -> int:
    text = _text(ctx)
    path = f"/v1/feedback/{ctx.args.feedback_id}"
    with ctx.api(signed_in=True) as api:
        current = api.request("GET", path)
        f = api.request("POST", f"{path}/reply", json={"text": text, "version": current.get("version")})
    ctx.emit(f, f"Replied to {f.get('id')} ({f.get('type')}). One reply only: it cannot be changed.")
    return EXIT_OK


# ---------------------------------------------------------------- parsers


def _limit(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", type=int, default=100, metavar="N", help="at most N, newest first (default 100)")


def _text_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--text", metavar="TEXT", help=f"the text (at most {MAX_TEXT} characters)")
    p.add_argument("--text-file", metavar="FILE", help="read the text from FILE (- for standard input)")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser, groups: dict) -> None:
    # citizens: seteli me feedback ...
    mf = group(sub, common, groups, "me", "your own entitlements, events, proxies and feedback (citizens)").add_parser(
        "feedback", parents=[common], help="give feedback to a provider, and read it"
    )
    mfs = mf.add_subparsers(dest="me_feedback_command", metavar="SUBCOMMAND", required=True)
    give = mfs.add_parser("give", parents=[common], help="thanks, a complaint or a reclamation about a provider")
    give.add_argument("--provider", required=True, metavar="PROVIDER_ID", help="the provider it is about")
    give.add_argument("--type", required=True, choices=TYPES, help="reclamation: the provider must reply")
    _text_options(give)
    give.add_argument("--part", metavar="PART_ID", help="a part of the provider (site, unit, employee)")
    give.add_argument("--event", metavar="EVENT_ID", help="one service event it is about")
    give.add_argument("--reply-requested", action="store_true", help="ask the provider to reply")
    give.add_argument("--for", "--customer", dest="for_customer", metavar="CUSTOMER_ID", help="a customer you act for")
    give.set_defaults(func=cmd_give)
    ml = mfs.add_parser("list", parents=[common], help="the feedback about you, with the replies")
    ml.add_argument("--for", "--customer", dest="for_customer", metavar="CUSTOMER_ID", help="a customer you act for")
    _limit(ml)
    ml.set_defaults(func=cmd_my_list)

    # providers: seteli provider feedback ...
    pf = groups["provider"].add_parser("feedback", parents=[common], help="your customers' feedback, and replies")
    pfs = pf.add_subparsers(dest="provider_feedback_command", metavar="SUBCOMMAND", required=True)
    pl = pfs.add_parser("list", parents=[common], help="your provider's feedback, newest first")
    pl.add_argument("--needs-reply", action="store_true", help="only those waiting for your reply")
    _limit(pl)
    pl.set_defaults(func=cmd_provider_list)
    ps = pfs.add_parser("show", parents=[common], help="one feedback with its reply")
    ps.add_argument("feedback_id", metavar="FEEDBACK_ID")
    ps.set_defaults(func=cmd_show)
    pr = pfs.add_parser("reply", parents=[common], help="reply to feedback (once: it cannot be changed)")
    pr.add_argument("feedback_id", metavar="FEEDBACK_ID")
    _text_options(pr)
    pr.set_defaults(func=cmd_reply)

    # the municipality: seteli feedback ...
    fb = sub.add_parser("feedback", parents=[common], help="all feedback and replies (municipality)")
    fbs = fb.add_subparsers(dest="feedback_command", metavar="SUBCOMMAND", required=True)
    fl = fbs.add_parser("list", parents=[common], help="all feedback, newest first")
    fl.add_argument("--provider", metavar="PROVIDER_ID", help="one provider's")
    fl.add_argument("--customer", metavar="CUSTOMER_ID", help="one customer's")
    fl.add_argument("--needs-reply", action="store_true", help="only those waiting for the provider's reply")
    _limit(fl)
    fl.set_defaults(func=cmd_list)
    fs = fbs.add_parser("show", parents=[common], help="one feedback with its reply")
    fs.add_argument("feedback_id", metavar="FEEDBACK_ID")
    fs.set_defaults(func=cmd_show)
