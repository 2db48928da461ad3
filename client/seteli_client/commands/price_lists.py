"""Price lists (hinnastot, spec 5): drafts, publishing, and the price of a content on a day.

  seteli price-lists list [--service S] [--status draft|approved]
  seteli price-lists show PRICE_LIST_ID
  seteli price-lists create --service S --name NAME --starts-on YYYY-MM-DD [--part PART_ID] [--notes TEXT]
                            --price CONTENT=AMOUNT [--price ...] | --from-file prices.json
  seteli price-lists edit PRICE_LIST_ID [--name ...] [--starts-on ...] [--part P | --company] [--notes ...]
                          [--price CONTENT=AMOUNT ...] [--from-file prices.json]
  seteli price-lists delete PRICE_LIST_ID        a draft only
  seteli price-lists publish PRICE_LIST_ID       a new list of a service you are approved for (provider admin)
  seteli price --service S --content C [--part P] [--on YYYY-MM-DD]

The provider is your own (from your sign-in) unless --provider is given. A draft is approved with
your application for the service; after that, new lists are published. An approved list is never
edited (only --notes): make a new list with a later start date. Changes send the version read, so
a change made by someone else meanwhile is refused (409) instead of overwritten.

``--from-file`` takes a JSON object of content id -> price ({"care-day": "118.50"}), or a whole
price list ({"service_id": ..., "name": ..., "starts_on": ..., "prices": {...}}); flags win.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from seteli_client.cli import EXIT_OK, Ctx, UsageError, _local_time, _s, _table
from seteli_client.commands._common import provider_flag as _provider_flag
from seteli_client.commands._common import provider_id as _provider_id

STATUSES = ("draft", "approved")


def _base(pid: str) -> str:
    return f"/v1/providers/{pid}/price-lists"


def _amount(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise UsageError(f"{where}: a price is an amount such as 32.50")
    return str(value).strip()


def _price_flags(values: list[str] | None) -> dict[str, str]:
    """``--price care-day=118.50`` (repeatable) -> {"care-day": "118.50"}."""
    out: dict[str, str] = {}
    for item in values or []:
        content, sep, amount = item.partition("=")
        if not sep or not content.strip() or not amount.strip():
            raise UsageError(f"--price takes CONTENT=AMOUNT, e.g. care-day=118.50 (got {item!r})")
        out[content.strip()] = amount.strip()
    return out


def _from_file(path: str | None) -> dict[str, Any]:
    """The file as body fields: {"prices": {...}, ...}; numbers are read exactly (never floats)."""
    if not path:
        return {}
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, ValueError) as exc:
        raise UsageError(f"--from-file: cannot read JSON from {path} ({exc})") from None
    if not isinstance(doc, dict):
        raise UsageError("--from-file must hold one JSON object")
    body = dict(doc) if isinstance(doc.get("prices"), dict) else {"prices": doc}
    body["prices"] = {str(k): _amount(v, f"--from-file prices.{k}") for k, v in body["prices"].items()}
    return body


def _set(body: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        body[key] = value


def _valid(pl: dict[str, Any]) -> str:
    if pl.get("valid_from") is None:
        return "-"
    until = pl.get("valid_until")
    return f"{pl['valid_from']} - {until if until else 'toistaiseksi'}"


def _where(pl: dict[str, Any]) -> str:
    return f"part {_s(pl.get('part_id'))}" if pl.get("level") == "part" else "company"


def _lists_table(rows: list[dict[str, Any]]) -> list[str]:
    table = [
        [
            _s(pl.get("id")),
            _s(pl.get("service_id")),
            _where(pl),
            _s(pl.get("name")),
            _s(pl.get("starts_on")),
            _s(pl.get("status")),
            _valid(pl),
        ]
        for pl in rows
    ]
    return _table(table, ["PRICE LIST", "SERVICE", "LEVEL", "NAME", "STARTS", "STATUS", "IN FORCE"])


def _list_text(pl: dict[str, Any]) -> str:
    lines = [f"{_s(pl.get('name'))}  {_s(pl.get('id'))}  [{_s(pl.get('status'))}]"]
    rows = [
        ("service", _s(pl.get("service_id"))),
        ("level", _where(pl)),
        ("starts on", _s(pl.get("starts_on"))),
        ("in force", _valid(pl)),
    ]
    if pl.get("approved_at"):
        rows.append(("approved", f"{_local_time(pl.get('approved_at'))} by {_s(pl.get('approved_by'))}"))
    if pl.get("notes"):
        rows.append(("notes", _s(pl.get("notes"))))
    rows.append(("version", _s(pl.get("version"))))
    lines += [f"  {k:10s} {v}" for k, v in rows]
    prices = pl.get("prices") or {}
    if prices:
        lines.append("  prices:")
        width = max(len(k) for k in prices)
        lines += [f"    {k.ljust(width)}  {v:>10} EUR" for k, v in prices.items()]
    return "\n".join(lines)


# ---------------------------------------------------------------- commands


def cmd_list(ctx: Ctx) -> int:
    a = ctx.args
    params = {k: v for k, v in (("service_id", a.service), ("status", a.status)) if v}
    with ctx.api(signed_in=True) as api:
        page = api.request("GET", _base(_provider_id(ctx, api)), params=params or None)
    rows = [x for x in (page or {}).get("items") or [] if isinstance(x, dict)]
    ctx.emit(rows, "\n".join(_lists_table(rows)) if rows else "No price lists.")
    return EXIT_OK


def cmd_show(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        pl = api.request("GET", f"{_base(_provider_id(ctx, api))}/{ctx.args.price_list_id}")
    ctx.emit(pl, _list_text(pl))
    return EXIT_OK


def cmd_create(ctx: Ctx) -> int:
    a = ctx.args
    body = _from_file(a.from_file)
    _set(body, "service_id", a.service)
    _set(body, "name", a.name)
    _set(body, "starts_on", a.starts_on)
    _set(body, "part_id", a.part)
    _set(body, "notes", a.notes)
    if a.price:
        body["prices"] = {**(body.get("prices") or {}), **_price_flags(a.price)}
    missing = [
        flag
        for flag, key in (("--service", "service_id"), ("--name", "name"), ("--starts-on", "starts_on"))
        if not body.get(key)
    ]
    if not body.get("prices"):
        missing.append("--price CONTENT=AMOUNT (or --from-file)")
    if missing:
        raise UsageError(f"a price list needs {', '.join(missing)}")
    with ctx.api(signed_in=True) as api:
        out = api.request("POST", _base(_provider_id(ctx, api)), json=body)
    ctx.emit(out, f"Draft price list {_s(out.get('id'))} made.\n" + _list_text(out))
    return EXIT_OK


def cmd_edit(ctx: Ctx) -> int:
    a = ctx.args
    body: dict[str, Any] = {}
    if a.from_file:
        body["prices"] = _from_file(a.from_file)["prices"]
    if a.price:
        body["prices"] = {**(body.get("prices") or {}), **_price_flags(a.price)}
    _set(body, "name", a.name)
    _set(body, "starts_on", a.starts_on)
    _set(body, "notes", a.notes)
    if a.part:
        body.update(level="part", part_id=a.part)
    if a.company:
        body.update(level="company", part_id=None)
    if not body:
        raise UsageError("nothing to change: give e.g. --name, --starts-on, --price or --notes")
    with ctx.api(signed_in=True) as api:
        path = f"{_base(_provider_id(ctx, api))}/{a.price_list_id}"
        current = api.request("GET", path)
        out = api.request("PATCH", path, json={"version": current.get("version"), **body})
    ctx.emit(out, "Saved.\n" + _list_text(out))
    return EXIT_OK


def cmd_delete(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        path = f"{_base(_provider_id(ctx, api))}/{ctx.args.price_list_id}"
        current = api.request("GET", path)
        api.request("DELETE", path, params={"version": current.get("version")})
    ctx.emit({"deleted": ctx.args.price_list_id}, f"Draft price list {ctx.args.price_list_id} deleted.")
    return EXIT_OK


def cmd_publish(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        path = f"{_base(_provider_id(ctx, api))}/{ctx.args.price_list_id}"
        current = api.request("GET", path)
        out = api.request("POST", f"{path}/publish", json={"version": current.get("version")})
    ctx.emit(out, f"Published: in force {_valid(out)}.\n" + _list_text(out))
    return EXIT_OK


def cmd_price(ctx: Ctx) -> int:
    a = ctx.args
    params = {"service_id": a.service, "content_id": a.content}
    _set(params, "part_id", a.part)
    _set(params, "on", a.on)
    with ctx.api(signed_in=True) as api:
        out = api.request("GET", f"/v1/providers/{_provider_id(ctx, api)}/prices", params=params)
    until = out.get("valid_until") or "toistaiseksi"
    text = (
        f"{_s(out.get('price'))} EUR  ({_s(out.get('content_id'))} on {_s(out.get('on'))}, "
        f"{_where(out)} list {_s(out.get('price_list_id'))}, in force {_s(out.get('valid_from'))} - {until})"
    )
    ctx.emit(out, text)
    return EXIT_OK


# ---------------------------------------------------------------- parser


def _price_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--price", action="append", metavar="CONTENT=AMOUNT", help="a content's unit price, e.g. care-day=118.50"
    )
    p.add_argument("--from-file", metavar="JSON", help="prices (or a whole list) as JSON; --price wins")


def register(
    sub: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    groups: dict[str, argparse._SubParsersAction],
) -> None:
    pl = sub.add_parser("price-lists", parents=[common], help="price lists (hinnastot): drafts and publishing")
    pls = pl.add_subparsers(dest="price_lists_command", metavar="SUBCOMMAND", required=True)

    ls = pls.add_parser("list", parents=[common], help="the price lists and the days each is in force")
    _provider_flag(ls)
    ls.add_argument("--service", metavar="SERVICE_ID", help="only this service's lists")
    ls.add_argument("--status", choices=STATUSES)
    ls.set_defaults(func=cmd_list)

    sh = pls.add_parser("show", parents=[common], help="one price list with its prices")
    sh.add_argument("price_list_id", metavar="PRICE_LIST_ID")
    _provider_flag(sh)
    sh.set_defaults(func=cmd_show)

    cr = pls.add_parser("create", parents=[common], help="make a draft price list")
    _provider_flag(cr)
    cr.add_argument("--service", metavar="SERVICE_ID")
    cr.add_argument("--name", help="e.g. Toimipaikkahinnasto 1-2027")
    cr.add_argument("--starts-on", metavar="YYYY-MM-DD", help="the first day in force")
    cr.add_argument("--part", metavar="PART_ID", help="a site's, unit's or employee's own list (default: company)")
    cr.add_argument("--notes", help="lisätiedot (may change any time)")
    _price_args(cr)
    cr.set_defaults(func=cmd_create)

    ed = pls.add_parser("edit", parents=[common], help="change a draft (an approved list: --notes only)")
    ed.add_argument("price_list_id", metavar="PRICE_LIST_ID")
    _provider_flag(ed)
    ed.add_argument("--name")
    ed.add_argument("--starts-on", metavar="YYYY-MM-DD")
    level = ed.add_mutually_exclusive_group()
    level.add_argument("--part", metavar="PART_ID", help="make it this part's list")
    level.add_argument("--company", action="store_true", help="make it the company-level list")
    ed.add_argument("--notes")
    _price_args(ed)
    ed.set_defaults(func=cmd_edit)

    de = pls.add_parser("delete", parents=[common], help="delete a draft")
    de.add_argument("price_list_id", metavar="PRICE_LIST_ID")
    _provider_flag(de)
    de.set_defaults(func=cmd_delete)

    pu = pls.add_parser("publish", parents=[common], help="approve a new list of an approved service (admin)")
    pu.add_argument("price_list_id", metavar="PRICE_LIST_ID")
    _provider_flag(pu)
    pu.set_defaults(func=cmd_publish)

    pr = sub.add_parser("price", parents=[common], help="the price of a service content on a day")
    _provider_flag(pr)
    pr.add_argument("--service", metavar="SERVICE_ID", required=True)
    pr.add_argument("--content", metavar="CONTENT_ID", required=True)
    pr.add_argument("--part", metavar="PART_ID", help="a site, unit or employee (default: company level)")
    pr.add_argument("--on", metavar="YYYY-MM-DD", help="the day (default: today)")
    pr.set_defaults(func=cmd_price)
