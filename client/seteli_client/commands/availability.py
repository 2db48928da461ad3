"""Availability (spec 16): how soon the provider can start, shown on the public comparison site.

seteli provider availability list [--provider ID]
seteli provider availability set SERVICE_ID (--days N | --now | --queue) [--places N] [--note TEXT]

``--now`` is 0 days; ``--queue`` says there are no free places now. The change is on the site
within a minute (within seconds locally).
"""

from __future__ import annotations

from seteli_client.cli import EXIT_OK, Ctx, UsageError, _s, _table
from seteli_client.commands._common import group, provider_flag, provider_id


def _path(pid: str) -> str:
    return f"/v1/providers/{pid}/availability"


def _when(a: dict) -> str:
    days = a.get("starts_within_days")
    if days is None:
        return "no free places (queue)"
    return "at once" if days == 0 else f"within {days} days"


def cmd_list(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        items = api.request("GET", _path(provider_id(ctx, api)))["items"]
    rows = [[a["service_id"], _when(a), _s(a.get("free_places")), _s(a.get("note")), str(a["version"])] for a in items]
    headers = ["SERVICE", "CAN START", "PLACES", "NOTE", "VERSION"]
    text = "\n".join(_table(rows, headers)) if rows else "No availability told yet."
    ctx.emit({"items": items}, text)
    return EXIT_OK


def cmd_set(ctx: Ctx) -> int:
    a = ctx.args
    chosen = [x for x in (a.days is not None, a.now, a.queue) if x]
    if len(chosen) != 1:
        raise UsageError("say one of --days N, --now or --queue")
    days = 0 if a.now else (None if a.queue else a.days)
    if days is not None and not 0 <= days <= 365:
        raise UsageError("--days: 0..365")
    with ctx.api(signed_in=True) as api:
        pid = provider_id(ctx, api)
        current = {x["service_id"]: x for x in api.request("GET", _path(pid))["items"]}
        version = current.get(a.service_id, {}).get("version", 0)
        body = {"starts_within_days": days, "free_places": a.places, "note": a.note, "version": version}
        saved = api.request("PUT", f"{_path(pid)}/{a.service_id}", json=body)
    ctx.emit(saved, f"{a.service_id}: can start {_when(saved)}. The comparison site shows it within a minute.")
    return EXIT_OK


def register(sub, common, groups) -> None:
    provider = group(sub, common, groups, "provider", "your company")
    av = provider.add_parser("availability", parents=[common], help="how soon you can start (the comparison site)")
    avs = av.add_subparsers(dest="availability_command", metavar="SUBCOMMAND", required=True)
    lst = avs.add_parser("list", parents=[common], help="your availability per service")
    provider_flag(lst)
    lst.set_defaults(func=cmd_list)
    st = avs.add_parser("set", parents=[common], help="tell how soon you can start a service")
    st.add_argument("service_id", metavar="SERVICE_ID")
    provider_flag(st)
    st.add_argument("--days", type=int, help="can start within N days")
    st.add_argument("--now", action="store_true", help="can start at once")
    st.add_argument("--queue", action="store_true", help="no free places now")
    st.add_argument("--places", type=int, help="free places, if you count them")
    st.add_argument("--note", help="a short public note (at most 280 characters)")
    st.set_defaults(func=cmd_set)
