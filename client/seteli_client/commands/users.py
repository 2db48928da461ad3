"""`seteli users`: a provider's users (spec 14).

  seteli users list [--provider ID]                           the users, passive ones included
  seteli users add EMAIL --name NAME [--role ROLE] [--team SERVICE ...]
                                                              invite: a one-time password goes by email
  seteli users passivate EMAIL_OR_SUBJECT                     the user can no longer sign in (kept in the list)
  seteli users activate EMAIL_OR_SUBJECT                      reactivate a passive user
  seteli users teams EMAIL_OR_SUBJECT --set SERVICE ...       replace the service teams (--set alone: none)
  seteli users role EMAIL_OR_SUBJECT provider_admin|provider_user

The provider is your own (from your sign-in) unless --provider is given (municipality users read
any provider's users). Adding and changing users needs a provider admin.
"""

from __future__ import annotations

import argparse
from typing import Any

from seteli_client.cli import EXIT_OK, Ctx, UsageError, _s, _table
from seteli_client.commands._common import provider_id

ROLES = ("provider_user", "provider_admin")


def _provider(ctx: Ctx, api) -> str:
    return provider_id(ctx, api, api_key_refusal="with an API key give --provider PROVIDER_ID")


def _path(pid: str, subject: str | None = None) -> str:
    return f"/v1/providers/{pid}/users" + (f"/{subject}" if subject else "")


def _find(api, pid: str, who: str) -> dict[str, Any]:
    """A user by email (from the list) or by subject (GET)."""
    if "@" not in who:
        return api.request("GET", _path(pid, who))
    wanted = who.strip().casefold()
    for u in api.request("GET", _path(pid)).get("items") or []:
        if isinstance(u, dict) and _s(u.get("email")).casefold() == wanted:
            return u
    raise UsageError(f"provider {pid} has no user with the email {who.strip()}; see `seteli users list`")


def _teams(u: dict[str, Any]) -> str:
    return ", ".join(_s(t) for t in u.get("teams") or []) or "-"


def _line(u: dict[str, Any]) -> str:
    return f"{_s(u.get('email'))} ({_s(u.get('name'))}): {_s(u.get('role'))}, {_s(u.get('status'))}, teams {_teams(u)}"


def cmd_list(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        pid = _provider(ctx, api)
        users = [u for u in api.request("GET", _path(pid)).get("items") or [] if isinstance(u, dict)]
    rows = [
        [_s(u.get("email")), _s(u.get("name")), _s(u.get("role")), _s(u.get("status")), _teams(u), _s(u.get("subject"))]
        for u in users
    ]
    text = "\n".join(_table(rows, ["EMAIL", "NAME", "ROLE", "STATUS", "TEAMS", "SUBJECT"])) if rows else "No users."
    ctx.emit(users, text)
    return EXIT_OK


def cmd_add(ctx: Ctx) -> int:
    a = ctx.args
    body = {"email": a.email, "name": a.name, "role": a.role, "teams": list(dict.fromkeys(a.team or []))}
    with ctx.api(signed_in=True) as api:
        pid = _provider(ctx, api)
        u = api.request("POST", _path(pid), json=body)
    ctx.emit(
        u,
        f"Added {_line(u)}.\nA one-time password went to {_s(u.get('email'))}; "
        "the user chooses a new one at the first `seteli login`.",
    )
    return EXIT_OK


def _patch(ctx: Ctx, change: dict[str, Any], done: str) -> int:
    with ctx.api(signed_in=True) as api:
        pid = _provider(ctx, api)
        u = _find(api, pid, ctx.args.user)
        u = api.request("PATCH", _path(pid, _s(u.get("subject"))), json={"version": u.get("version"), **change})
    ctx.emit(u, f"{done}: {_line(u)}.")
    return EXIT_OK


def cmd_passivate(ctx: Ctx) -> int:
    return _patch(ctx, {"active": False}, "Passivated (can no longer sign in; kept in the list)")


def cmd_activate(ctx: Ctx) -> int:
    return _patch(ctx, {"active": True}, "Reactivated")


def cmd_teams(ctx: Ctx) -> int:
    if ctx.args.set is None:
        raise UsageError("give the teams with --set SERVICE ... (--set alone removes the user from every team)")
    return _patch(ctx, {"teams": list(dict.fromkeys(ctx.args.set))}, "Teams set")


def cmd_role(ctx: Ctx) -> int:
    return _patch(ctx, {"role": ctx.args.role}, "Role changed")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser, groups: dict) -> None:
    us = sub.add_parser(
        "users",
        parents=[common],
        help="a provider's users: list, add, passivate, activate, teams, role",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    uss = us.add_subparsers(dest="users_command", metavar="SUBCOMMAND", required=True)

    def parser(name: str, help_: str) -> argparse.ArgumentParser:
        p = uss.add_parser(name, parents=[common], help=help_)
        p.add_argument("--provider", metavar="PROVIDER_ID", help="another provider (default: your own)")
        return p

    ls = parser("list", "the users, passive ones included")
    ls.set_defaults(func=cmd_list)

    add = parser("add", "invite a user: a one-time password goes to the email")
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--name", required=True, help="the user's name")
    add.add_argument("--role", choices=ROLES, default="provider_user")
    add.add_argument(
        "--team",
        action="extend",
        nargs="+",
        metavar="SERVICE",
        help="service ids of the user's teams (`seteli services`)",
    )
    add.set_defaults(func=cmd_add)

    for name, help_, func in (
        ("passivate", "the user can no longer sign in (kept in the list as passive)", cmd_passivate),
        ("activate", "reactivate a passive user", cmd_activate),
    ):
        p = parser(name, help_)
        p.add_argument("user", metavar="EMAIL_OR_SUBJECT")
        p.set_defaults(func=func)

    tm = parser("teams", "replace the user's service teams")
    tm.add_argument("user", metavar="EMAIL_OR_SUBJECT")
    tm.add_argument("--set", nargs="*", metavar="SERVICE", help="the service ids (none: no team)")
    tm.set_defaults(func=cmd_teams)

    rl = parser("role", "make the user an admin or a plain user")
    rl.add_argument("user", metavar="EMAIL_OR_SUBJECT")
    rl.add_argument("role", choices=ROLES)
    rl.set_defaults(func=cmd_role)
