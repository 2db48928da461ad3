"""Company data (spec 3): registration, the company's own data, billing, parts, subcontractors,
the obligations check, and the municipality's list of providers.

  seteli register --file company.json            register a company (no sign-in), or with flags:
  seteli register --name NAME --business-id Y --street S --postal-code P --city C --lat LAT --lon LON
                  --admin-email EMAIL --admin-name NAME [--contact-name ...] [--attr languages=finnish,swedish]
  seteli provider update [--name ...] [--contact-email ...] [--attr ATTR=V1,V2] [--clear-attr ATTR]
  seteli provider billing show | set --iban IBAN --bic BIC --email EMAIL [--site PART_ID] [--no-pdf]
                          | clear --site PART_ID
  seteli provider parts list | add --kind site|unit|employee --name NAME ... | update PART_ID ...
  seteli provider subcontractors list | add --name NAME --business-id Y ... | update SUB_ID ...
  seteli provider obligations [--refresh]        the latest contractor's-obligations check
  seteli providers list                          every provider (municipality users)

The provider is your own (from your sign-in) unless --provider is given (municipality users read
any provider). Changes need a provider admin; they send the version read, so a change made by
someone else meanwhile is refused (409) instead of overwritten.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from seteli_client.cli import EXIT_OK, Ctx, UsageError, _address, _local_time, _s, _table
from seteli_client.commands._common import group
from seteli_client.commands._common import provider_flag as _provider_flag
from seteli_client.commands._common import provider_id as _provider_id

KINDS = ("site", "unit", "employee")


# ---------------------------------------------------------------- helpers


def _base(pid: str) -> str:
    return f"/v1/providers/{pid}"


def _attrs(values: list[str] | None) -> dict[str, list[str]]:
    """``--attr languages=finnish,swedish`` (repeatable) -> {"languages": ["finnish", "swedish"]}."""
    out: dict[str, list[str]] = {}
    for item in values or []:
        attr, sep, vals = item.partition("=")
        if not sep or not attr.strip():
            raise UsageError(f"--attr takes ATTRIBUTE=VALUE[,VALUE...], e.g. languages=finnish,swedish (got {item!r})")
        out.setdefault(attr.strip(), []).extend(v.strip() for v in vals.split(",") if v.strip())
    return out


def _address_of(a: argparse.Namespace, prefix: str = "") -> dict[str, str] | None:
    parts = {k: getattr(a, f"{prefix}{k}", None) for k in ("street", "postal_code", "city")}
    given = {k: v for k, v in parts.items() if v}
    if not given:
        return None
    if len(given) != 3:
        flags = " ".join(f"--{prefix.replace('_', '-')}{k.replace('_', '-')}" for k in parts)
        raise UsageError(f"an address needs all of {flags}")
    return given


def _set(body: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        body[key] = value


def _billing_text(b: dict[str, Any] | None) -> str:
    if not isinstance(b, dict):
        return "-"
    pdf = "PDF by email" if b.get("send_payment_pdf") else "no PDF"
    return f"{_s(b.get('iban'))}  {_s(b.get('bic'))}  {_s(b.get('billing_email'))}  ({pdf})"


def _obligations_text(o: dict[str, Any] | None) -> str:
    if not isinstance(o, dict):
        return "not checked"
    return f"{_s(o.get('status'))} (checked {_local_time(o.get('checked_at'))})"


def _provider_text(p: dict[str, Any]) -> str:
    lines = [f"{_s(p.get('name'))} ({_s(p.get('business_id'))})  {_s(p.get('id'))}  [{_s(p.get('status'))}]"]
    if p.get("description"):
        lines.append(f"  {p['description']}")
    contact = ", ".join(
        x for x in (_s(p.get("contact_name")), _s(p.get("contact_email")), _s(p.get("contact_phone"))) if x
    )
    rows = [
        ("contact", contact or "-"),
        ("address", _address(p.get("address")) or "-"),
        ("billing", _billing_text(p.get("billing"))),
        ("obligations", _obligations_text(p.get("obligations"))),
    ]
    attrs = p.get("search_attributes") or {}
    if attrs:
        rows.append(("attributes", "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in attrs.items())))
    rows.append(("version", _s(p.get("version"))))
    lines += [f"  {k:12s} {v}" for k, v in rows]
    return "\n".join(lines)


def _parts_table(parts: list[dict[str, Any]]) -> list[str]:
    rows = [
        [
            _s(x.get("id")),
            _s(x.get("kind")),
            _s(x.get("name")),
            "active" if x.get("active", True) else "passive",
            _address(x.get("address")) or _s(x.get("site_id")),
            "own" if x.get("billing") else "",
        ]
        for x in parts
    ]
    return _table(rows, ["PART", "KIND", "NAME", "STATUS", "ADDRESS / SITE", "BILLING"])


def _subs_table(subs: list[dict[str, Any]]) -> list[str]:
    rows = [
        [
            _s(s.get("id")),
            _s(s.get("name")),
            _s(s.get("business_id")),
            "active" if s.get("active", True) else "passive",
            ", ".join(x for x in (_s(s.get("contact_name")), _s(s.get("contact_email"))) if x),
        ]
        for s in subs
    ]
    return _table(rows, ["SUBCONTRACTOR", "NAME", "BUSINESS ID", "STATUS", "CONTACT"])


def _items(page: Any) -> list[dict[str, Any]]:
    return [x for x in (page or {}).get("items") or [] if isinstance(x, dict)]


# ---------------------------------------------------------------- register


def _registration(a: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if a.file:
        try:
            body = json.loads(Path(a.file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"--file: cannot read JSON from {a.file} ({exc})") from None
        if not isinstance(body, dict):
            raise UsageError("--file must hold one JSON object")
    for key in ("name", "business_id", "contact_name", "contact_email", "contact_phone", "description"):
        _set(body, key, getattr(a, key))
    _set(body, "address", _address_of(a))
    if a.attr:
        body["search_attributes"] = {**(body.get("search_attributes") or {}), **_attrs(a.attr)}
    site = dict(body.get("site") or {})
    for flag, key in (
        ("site_name", "name"),
        ("lat", "lat"),
        ("lon", "lon"),
        ("site_email", "email"),
        ("site_code", "code"),
    ):
        _set(site, key, getattr(a, flag))
    _set(site, "address", _address_of(a, "site_"))
    body["site"] = site
    admin = dict(body.get("admin") or {})
    _set(admin, "email", a.admin_email)
    _set(admin, "name", a.admin_name)
    body["admin"] = admin
    missing = [
        flag
        for flag, present in (
            ("--name", body.get("name")),
            ("--business-id", body.get("business_id")),
            ("--street/--postal-code/--city", body.get("address")),
            ("--lat", site.get("lat") is not None),
            ("--lon", site.get("lon") is not None),
            ("--admin-email", admin.get("email")),
            ("--admin-name", admin.get("name")),
        )
        if not present
    ]
    if missing:
        raise UsageError(f"registration needs {', '.join(missing)} (or the same in --file)")
    return body


def cmd_register(ctx: Ctx) -> int:
    body = _registration(ctx.args)
    with ctx.api() as api:
        out = api.request("POST", "/v1/providers", json=body)
    p = out.get("provider") or {}
    lines = [f"Registered {_s(p.get('name'))} ({_s(p.get('business_id'))}) as {_s(p.get('id'))}."]
    admin = out.get("admin") or {}
    lines.append(f"The admin {_s(admin.get('email'))} got a one-time password by email.")
    lines.append(f"Obligations check: {_obligations_text(p.get('obligations'))}.")
    steps = out.get("next_steps") or []
    if steps:
        lines += ["", "Next:"] + [f"  {i}. {s}" for i, s in enumerate(steps, 1)]
    ctx.emit(out, "\n".join(lines))
    return EXIT_OK


# ---------------------------------------------------------------- the company


def cmd_update(ctx: Ctx) -> int:
    a = ctx.args
    with ctx.api(signed_in=True) as api:
        pid = _provider_id(ctx, api)
        current = api.request("GET", _base(pid))
        body: dict[str, Any] = {"version": current.get("version")}
        for key in ("name", "description", "contact_name", "contact_email", "contact_phone"):
            _set(body, key, getattr(a, key))
        _set(body, "address", _address_of(a))
        if a.attr or a.clear_attr:
            attrs = {k: list(v) for k, v in (current.get("search_attributes") or {}).items()}
            attrs.update(_attrs(a.attr))
            for gone in a.clear_attr or []:
                attrs.pop(gone, None)
            body["search_attributes"] = attrs
        if len(body) == 1:
            raise UsageError("nothing to change: give e.g. --name, --contact-email or --attr")
        out = api.request("PATCH", _base(pid), json=body)
    ctx.emit(out, "Saved.\n" + _provider_text(out))
    return EXIT_OK


def cmd_billing_show(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        p = api.request("GET", _base(_provider_id(ctx, api)))
    own = [x for x in p.get("parts") or [] if isinstance(x, dict) and x.get("billing")]
    lines = [f"company  {_billing_text(p.get('billing'))}"]
    lines += [f"site {_s(x.get('id'))} ({_s(x.get('name'))})  {_billing_text(x.get('billing'))}" for x in own]
    data = {"company": p.get("billing"), "sites": {x["id"]: x["billing"] for x in own}}
    ctx.emit(data, "\n".join(lines))
    return EXIT_OK


def cmd_billing_set(ctx: Ctx) -> int:
    a = ctx.args
    body: dict[str, Any] = {"iban": a.iban, "bic": a.bic, "billing_email": a.email, "send_payment_pdf": not a.no_pdf}
    _set(body, "reference_info", a.reference_info)
    with ctx.api(signed_in=True) as api:
        pid = _provider_id(ctx, api)
        if a.site:
            out = api.request("PUT", f"{_base(pid)}/parts/{a.site}/billing", json=body)
            text = f"Billing of site {a.site} saved: {_billing_text(out.get('billing'))}"
        else:
            out = api.request("PUT", f"{_base(pid)}/billing", json=body)
            text = f"Billing of the company saved: {_billing_text(out.get('billing'))}"
    ctx.emit(out, text + "\nThe municipality was notified (no approval is needed).")
    return EXIT_OK


def cmd_billing_clear(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        pid = _provider_id(ctx, api)
        out = api.request("DELETE", f"{_base(pid)}/parts/{ctx.args.site}/billing")
    ctx.emit(out, f"Site {ctx.args.site} has no billing of its own now: the company's applies.")
    return EXIT_OK


# ---------------------------------------------------------------- parts


def _part_body(a: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key in ("name", "lat", "lon", "email", "code", "phone", "description"):
        _set(body, key, getattr(a, key))
    _set(body, "site_id", a.site)
    _set(body, "address", _address_of(a))
    return body


def cmd_parts_list(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        parts = _items(api.request("GET", f"{_base(_provider_id(ctx, api))}/parts"))
    if not ctx.args.all:
        parts = [p for p in parts if p.get("active", True)]
    ctx.emit(parts, "\n".join(_parts_table(parts)) if parts else "No parts.")
    return EXIT_OK


def cmd_parts_add(ctx: Ctx) -> int:
    body = {"kind": ctx.args.kind, **_part_body(ctx.args)}
    with ctx.api(signed_in=True) as api:
        out = api.request("POST", f"{_base(_provider_id(ctx, api))}/parts", json=body)
    ctx.emit(out, f"Added {_s(out.get('kind'))} {_s(out.get('name'))}: {_s(out.get('id'))}")
    return EXIT_OK


def cmd_parts_update(ctx: Ctx) -> int:
    a = ctx.args
    body = _part_body(a)
    if a.passivate:
        body["active"] = False
    if a.activate:
        body["active"] = True
    if not body:
        raise UsageError("nothing to change: give e.g. --name, --email, --passivate")
    with ctx.api(signed_in=True) as api:
        pid = _provider_id(ctx, api)
        part = next((p for p in _items(api.request("GET", f"{_base(pid)}/parts")) if p.get("id") == a.part_id), None)
        if part is None:
            raise UsageError(f"provider {pid} has no part {a.part_id}; see `seteli provider parts list --all`")
        out = api.request("PATCH", f"{_base(pid)}/parts/{a.part_id}", json={"version": part.get("version"), **body})
    ctx.emit(out, "Saved.\n" + "\n".join(_parts_table([out])))
    return EXIT_OK


# ---------------------------------------------------------------- subcontractors


def _sub_body(a: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key in ("name", "business_id", "contact_name", "contact_email", "contact_phone", "description"):
        _set(body, key, getattr(a, key))
    return body


def cmd_subs_list(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        subs = _items(api.request("GET", f"{_base(_provider_id(ctx, api))}/subcontractors"))
    ctx.emit(subs, "\n".join(_subs_table(subs)) if subs else "No subcontractors.")
    return EXIT_OK


def cmd_subs_add(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        out = api.request("POST", f"{_base(_provider_id(ctx, api))}/subcontractors", json=_sub_body(ctx.args))
    ctx.emit(out, f"Added subcontractor {_s(out.get('name'))} ({_s(out.get('business_id'))}): {_s(out.get('id'))}")
    return EXIT_OK


def cmd_subs_update(ctx: Ctx) -> int:
    a = ctx.args
    body = _sub_body(a)
    if a.passivate:
        body["active"] = False
    if a.activate:
        body["active"] = True
    if not body:
        raise UsageError("nothing to change: give e.g. --name, --contact-email, --passivate")
    with ctx.api(signed_in=True) as api:
        pid = _provider_id(ctx, api)
        path = f"{_base(pid)}/subcontractors"
        sub = next((s for s in _items(api.request("GET", path)) if s.get("id") == a.sub_id), None)
        if sub is None:
            raise UsageError(
                f"provider {pid} has no subcontractor {a.sub_id}; see `seteli provider subcontractors list`"
            )
        out = api.request("PATCH", f"{path}/{a.sub_id}", json={"version": sub.get("version"), **body})
    ctx.emit(out, "Saved.\n" + "\n".join(_subs_table([out])))
    return EXIT_OK


# ---------------------------------------------------------------- obligations, the list


def cmd_obligations(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        pid = _provider_id(ctx, api)
        if ctx.args.refresh:
            out = api.request("POST", f"{_base(pid)}/obligations-check")
        else:
            out = api.request("GET", f"{_base(pid)}/obligations")
    lines = [f"{pid}: {_obligations_text(out)}"] + [f"  - {d}" for d in out.get("details") or []]
    ctx.emit(out, "\n".join(lines))
    return EXIT_OK


def cmd_providers_list(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        rows = [p for p in api.paginate("/v1/providers", limit=ctx.args.limit) if isinstance(p, dict)]
    table = [
        [
            _s(p.get("id")),
            _s(p.get("name")),
            _s(p.get("business_id")),
            _s(p.get("status")),
            _s(p.get("obligations_status")) or "not checked",
        ]
        for p in rows
    ]
    text = (
        "\n".join(_table(table, ["PROVIDER", "NAME", "BUSINESS ID", "STATUS", "OBLIGATIONS"]))
        if rows
        else "No providers."
    )
    ctx.emit(rows, text)
    return EXIT_OK


# ---------------------------------------------------------------- parser


def _company_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", help="the company's name")
    p.add_argument("--description")
    p.add_argument("--contact-name", help="the contact person")
    p.add_argument("--contact-email")
    p.add_argument("--contact-phone")
    _address_flags(p)
    p.add_argument(
        "--attr",
        action="append",
        metavar="ATTR=V1,V2",
        help="search attribute values, e.g. languages=finnish,swedish (repeatable)",
    )


def _address_flags(p: argparse.ArgumentParser, prefix: str = "") -> None:
    what = "the site's" if prefix else "the"
    p.add_argument(f"--{prefix}street", help=f"{what} street address")
    p.add_argument(f"--{prefix}postal-code", metavar="NNNNN")
    p.add_argument(f"--{prefix}city")


def _part_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name")
    _address_flags(p)
    p.add_argument("--lat", type=float, help="latitude (a site: inside Finland)")
    p.add_argument("--lon", type=float, help="longitude")
    p.add_argument("--email", help="a site's visible email, an employee's own")
    p.add_argument("--code", help="your own code for the part")
    p.add_argument("--phone")
    p.add_argument("--site", metavar="SITE_ID", help="a unit's or employee's site")
    p.add_argument("--description")


def _sub_flags(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument("--name", required=required)
    p.add_argument("--business-id", required=required, metavar="Y-TUNNUS")
    p.add_argument("--contact-name")
    p.add_argument("--contact-email")
    p.add_argument("--contact-phone")
    p.add_argument("--description")


def _active_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--passivate", action="store_true", help="passivate (kept, no longer in use)")
    g.add_argument("--activate", action="store_true", help="make active again")


def register(
    sub: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    groups: dict[str, argparse._SubParsersAction],
) -> None:
    rg = sub.add_parser("register", parents=[common], help="register a company (no sign-in)")
    rg.add_argument("--file", metavar="JSON", help="the registration as JSON (flags override its fields)")
    rg.add_argument("--business-id", metavar="Y-TUNNUS")
    _company_flags(rg)
    rg.add_argument("--site-name", help="the first site's name (default: the company's)")
    _address_flags(rg, "site-")
    rg.add_argument("--lat", type=float, help="the first site's latitude (inside Finland)")
    rg.add_argument("--lon", type=float, help="the first site's longitude")
    rg.add_argument("--site-email", help="the site's visible email (default: the contact email)")
    rg.add_argument("--site-code", help="your own code for the site")
    rg.add_argument("--admin-email", help="the first admin user's email (the user name)")
    rg.add_argument("--admin-name")
    rg.set_defaults(func=cmd_register)

    prs = groups["provider"]
    up = prs.add_parser("update", parents=[common], help="change the company's data (provider admin)")
    _provider_flag(up)
    _company_flags(up)
    up.add_argument("--clear-attr", action="append", metavar="ATTR", help="remove a search attribute's values")
    up.set_defaults(func=cmd_update)

    bl = prs.add_parser("billing", parents=[common], help="billing details: show, set, clear a site's own")
    bls = bl.add_subparsers(dest="billing_command", metavar="SUBCOMMAND", required=True)
    b_show = bls.add_parser("show", parents=[common], help="the company's and the sites' own billing")
    _provider_flag(b_show)
    b_show.set_defaults(func=cmd_billing_show)
    b_set = bls.add_parser("set", parents=[common], help="set the billing details (the municipality is notified)")
    _provider_flag(b_set)
    b_set.add_argument("--iban", required=True)
    b_set.add_argument("--bic", required=True)
    b_set.add_argument("--email", required=True, help="the billing email")
    b_set.add_argument("--reference-info", help="what the payment's message should say")
    b_set.add_argument("--site", metavar="PART_ID", help="a site's own billing (wins over the company's)")
    b_set.add_argument("--no-pdf", action="store_true", help="do not send the payment specification PDF by email")
    b_set.set_defaults(func=cmd_billing_set)
    b_clear = bls.add_parser("clear", parents=[common], help="remove a site's own billing (the company's applies)")
    _provider_flag(b_clear)
    b_clear.add_argument("--site", metavar="PART_ID", required=True)
    b_clear.set_defaults(func=cmd_billing_clear)

    pt = prs.add_parser("parts", parents=[common], help="sites, units and employees")
    pts = pt.add_subparsers(dest="parts_command", metavar="SUBCOMMAND", required=True)
    p_list = pts.add_parser("list", parents=[common], help="the parts (active ones; --all for passive too)")
    _provider_flag(p_list)
    p_list.add_argument("--all", action="store_true", help="passive parts too")
    p_list.set_defaults(func=cmd_parts_list)
    p_add = pts.add_parser("add", parents=[common], help="add a site, unit or employee")
    _provider_flag(p_add)
    p_add.add_argument("--kind", choices=KINDS, required=True)
    _part_flags(p_add)
    p_add.set_defaults(func=cmd_parts_add)
    p_up = pts.add_parser("update", parents=[common], help="change or passivate a part")
    p_up.add_argument("part_id", metavar="PART_ID")
    _provider_flag(p_up)
    _part_flags(p_up)
    _active_flags(p_up)
    p_up.set_defaults(func=cmd_parts_update)

    sc = prs.add_parser("subcontractors", parents=[common], help="subcontractors (alihankkijat)")
    scs = sc.add_subparsers(dest="subcontractors_command", metavar="SUBCOMMAND", required=True)
    s_list = scs.add_parser("list", parents=[common], help="the subcontractors")
    _provider_flag(s_list)
    s_list.set_defaults(func=cmd_subs_list)
    s_add = scs.add_parser("add", parents=[common], help="add a subcontractor")
    _provider_flag(s_add)
    _sub_flags(s_add, required=True)
    s_add.set_defaults(func=cmd_subs_add)
    s_up = scs.add_parser("update", parents=[common], help="change or passivate a subcontractor")
    s_up.add_argument("sub_id", metavar="SUB_ID")
    _provider_flag(s_up)
    _sub_flags(s_up, required=False)
    _active_flags(s_up)
    s_up.set_defaults(func=cmd_subs_update)

    ob = prs.add_parser("obligations", parents=[common], help="the contractor's-obligations check (tilaajavastuu)")
    _provider_flag(ob)
    ob.add_argument("--refresh", action="store_true", help="ask the register again now")
    ob.set_defaults(func=cmd_obligations)

    ls = group(sub, common, groups, "providers", "every provider (municipality users)").add_parser(
        "list", parents=[common], help="the providers with status and obligations"
    )
    ls.add_argument("--limit", type=int, default=50, help="page size (1-100)")
    ls.set_defaults(func=cmd_providers_list)
