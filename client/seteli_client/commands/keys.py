"""`seteli keys`: API keys for a provider's own systems (PSOP: a key is valid at most a year).

  seteli keys create --name NAME --expires-on YYYY-MM-DD [--provider ID]   prints the key ONCE
  seteli keys list [--provider ID]
  seteli keys revoke KEY_ID [--provider ID]

The provider's admin creates, lists and revokes its keys (signed in with `seteli login`; a key
cannot manage keys); a municipality admin lists and revokes with --provider. A system then uses the
key with SETELI_API_KEY=... or --api-key-stdin.
"""

from __future__ import annotations

import argparse
import re
import sys

from seteli_client.cli import EXIT_OK, Ctx, UsageError, _s, _table
from seteli_client.commands._common import provider_id

NO_KEYS_WITH_A_KEY = "an API key cannot manage API keys: sign in as the provider's admin (`seteli login`)"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STORE_WARNING = (
    "Store this key now, e.g. in your system's secret store: it is shown only this once and cannot be "
    "read again. Anyone holding it acts for your company in Seteli (all but billing details, users and keys) "
    "until it expires or is revoked (`seteli keys revoke ID`)."
)


def _provider_id(ctx: Ctx, api) -> str:
    return provider_id(ctx, api, api_key_refusal=NO_KEYS_WITH_A_KEY)


def cmd_create(ctx: Ctx) -> int:
    a = ctx.args
    if not _DATE.match(a.expires_on or ""):
        raise UsageError("--expires-on: give the last day the key works as YYYY-MM-DD (at most a year ahead)")
    with ctx.api(signed_in=True) as api:
        pid = _provider_id(ctx, api)
        created = api.create_api_key(pid, a.name, a.expires_on)
    if ctx.args.json:
        ctx.emit(created, "")
    else:
        print(created["key"])
    print(
        f"Created API key {created.get('id')} ({created.get('name')}) for {created.get('provider_id')}, "
        f"valid through {created.get('expires_on')}.\n{STORE_WARNING}",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_list(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        pid = _provider_id(ctx, api)
        keys = api.list_api_keys(pid)
    rows = [
        [
            _s(k.get("id")),
            _s(k.get("name")),
            _s(k.get("status")),
            _s(k.get("expires_on")),
            _s(k.get("created_at"))[:10],
            f"…{k['last4']}" if k.get("last4") else "",
        ]
        for k in keys
    ]
    text = "\n".join(_table(rows, ["ID", "NAME", "STATUS", "EXPIRES", "CREATED", "ENDS"])) if rows else "No API keys."
    ctx.emit(keys, text)
    return EXIT_OK


def cmd_revoke(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        pid = _provider_id(ctx, api)
        key = api.revoke_api_key(pid, ctx.args.key_id)
    ctx.emit(
        key,
        f"Revoked API key {key.get('id')} ({key.get('name')}); it stops working within a minute. "
        "It stays in the list for audit.",
    )
    return EXIT_OK


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser, groups: dict) -> None:
    kp = sub.add_parser("keys", parents=[common], help="API keys for your company's own systems")
    ks = kp.add_subparsers(dest="keys_command", metavar="SUBCOMMAND", required=True)

    def provider_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--provider", metavar="PROVIDER_ID", help="the provider (default: your own)")

    c = ks.add_parser("create", parents=[common], help="create a key (printed once: store it)")
    c.add_argument("--name", required=True, help="what the key is for, e.g. the system that uses it")
    c.add_argument("--expires-on", required=True, metavar="YYYY-MM-DD", help="its last day, at most a year ahead")
    provider_option(c)
    c.set_defaults(func=cmd_create)

    ls = ks.add_parser("list", parents=[common], help="the provider's keys (never the keys themselves)")
    provider_option(ls)
    ls.set_defaults(func=cmd_list)

    rv = ks.add_parser("revoke", parents=[common], help="revoke a key (kept for audit)")
    rv.add_argument("key_id", metavar="KEY_ID")
    provider_option(rv)
    rv.set_defaults(func=cmd_revoke)
