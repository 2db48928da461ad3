"""`seteli mail`: the emails a local Seteli (`make run`) "sent", as its SES emulator captured them.

  seteli mail [--last N] [--full]    newest first; --full prints the whole text of each

Only the local runtime keeps mail (GET /_local/mail.json of its API; the page /_local/mail shows
the same in a browser). A deployed Seteli sends real email and has no such route.
"""

from __future__ import annotations

import argparse
from typing import Any

from seteli_client.cli import EXIT_OK, Ctx, UsageError, _s
from seteli_client.sdk import SeteliApiError


def cmd_mail(ctx: Ctx) -> int:
    a = ctx.args
    with ctx.api() as api:
        try:
            data = api.request("GET", "/_local/mail.json", params={"last": a.last}) or {}
        except SeteliApiError as exc:
            if exc.status in (403, 404):
                raise UsageError(
                    "this API keeps no mail: only a local Seteli (`make run`) captures it; use --local"
                ) from exc
            raise
    items: list[dict[str, Any]] = [m for m in data.get("items") or [] if isinstance(m, dict)]
    lines: list[str] = []
    for m in items:
        lines.append(f"#{_s(m.get('n'))}  {_s(m.get('subject'))}")
        lines.append(f"    to {', '.join(_s(x) for x in m.get('to') or [])}")
        text = _s(m.get("text"))
        if a.full:
            lines += [f"    {line}" for line in text.splitlines()]
        else:
            first = next((line for line in text.splitlines() if line.strip()), "")
            lines.append(f"    {first[:100]}")
        lines.append("")
    ctx.emit(items, "\n".join(lines).rstrip() or "No emails yet.")
    return EXIT_OK


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser, groups: dict) -> None:
    p = sub.add_parser(
        "mail",
        parents=[common],
        help="emails a local Seteli sent (captured, newest first)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--last", type=int, default=10, metavar="N", help="the N newest (default 10)")
    p.add_argument("--full", action="store_true", help="the whole text of each email")
    p.set_defaults(func=cmd_mail)
