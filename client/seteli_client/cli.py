"""`seteli`: the command line for providers and municipality staff.

  seteli health                               is the API up?
  seteli services [--lang fi|sv|en]           the municipality's services, contents and voucher values
  seteli login [--username EMAIL] [--password-stdin] [--as GROUP]
  seteli whoami [--show-token]                who you are signed in as
  seteli provider get [PROVIDER_ID]           a provider's data (default: your own)
  seteli reset-password [--username EMAIL]    forgot the password or locked out: a code by email
  seteli logout

A company's way in (each command has --help):
  seteli register ...                         register a company and its first admin (no sign-in)
  seteli provider update|billing|parts|subcontractors|obligations
  seteli users list|add|passivate|activate|teams|role
  seteli attachments upload|list|show|download|update|replace|remove|requirements
  seteli price-lists list|show|create|edit|delete|publish;  seteli price --service S --content C --on D
  seteli applications list|show|rounds|apply|edit|accept-rulebook|submit|decide
  seteli keys create|list|revoke              API keys for the provider's own systems
  seteli providers list                       every provider (municipality users)

Customers, entitlements, events (each command has --help):
  seteli customers|entitlements|reserve|reservations ...
  seteli event record|list|show|edit|delete|confirm|import   service events; import a CSV timesheet
  seteli interruption start|end|list|show|delete             a day-unit customer's absence
  seteli approval list|decide;  seteli credit file|list      the municipality's decisions
  seteli provider feedback list|reply;  seteli feedback list|show
  seteli me entitlements|events|proxies|feedback              citizens
  seteli mail [--last N]                      the emails a local stack has sent

Which API: --api-url URL (or SETELI_API_URL); --local [STATE_DIR] for a local `make run`
(reads STATE_DIR/local.json; without --local, .seteli/local.json in this directory or a parent is
used when found); else the API you last signed in to.

Providers' systems use an API key instead of signing in (`seteli keys create` makes one): set
SETELI_API_KEY, or pass --api-key-stdin and give the key on standard input (never as an argument:
it would show in the process list and the shell history).

Exit codes: 0 ok, 1 the API or Cognito refused (the reason is printed to stderr), 2 usage,
3 not signed in or the session has expired (run `seteli login`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from getpass import getpass
from typing import Any

import httpx

from seteli_client import auth, config
from seteli_client.sdk import (
    NotSignedIn,
    Seteli,
    SeteliApiError,
    SeteliConnectionError,
    SeteliError,
    signed_in_session,
)

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_AUTH = 0, 1, 2, 3
COMMANDS = ("login", "logout", "whoami", "health", "services", "provider", "reset-password")
GROUPS = ("municipality_admin", "case_worker", "provider_admin", "provider_user", "citizen")
LOGIN_HINT = "run `seteli login`"


class UsageError(Exception):
    """Exit code 2: the command line cannot be carried out as given."""


@dataclass
class Target:
    """The API to talk to, and the local stack's details when it is a local one."""

    api_url: str
    local: config.LocalInfo | None = None


class Ctx:
    def __init__(self, args: argparse.Namespace, transport: httpx.BaseTransport | None) -> None:
        self.args = args
        self.transport = transport
        self._target: Target | None = None
        self._api_key: str | None = None

    @property
    def api_key(self) -> str | None:
        """The API key to sign with: ``--api-key-stdin`` (one line of standard input, read once),
        else SETELI_API_KEY; None signs in with the saved session."""
        if self._api_key is None:
            if getattr(self.args, "api_key_stdin", False):
                line = sys.stdin.readline().strip()
                if not line:
                    raise UsageError("--api-key-stdin: no API key on standard input")
                self._api_key = line
            else:
                self._api_key = os.environ.get("SETELI_API_KEY", "").strip()
        return self._api_key or None

    # -------------------------------------------------------- where

    def target(self) -> Target:
        if self._target is None:
            self._target = self._resolve_target()
        return self._target

    def _resolve_target(self) -> Target:
        a = self.args
        if a.api_url:
            return Target(a.api_url.rstrip("/"))
        if a.local is not None:
            where = a.local or config.find_local() or config.LOCAL_STATE_DIR
            info = config.load_local(where)
            return Target(info.api_url, info)
        env = os.environ.get("SETELI_API_URL")
        if env:
            return Target(env.rstrip("/"))
        found = config.find_local()
        if found:
            info = config.load_local(found)
            return Target(info.api_url, info)
        session = config.load_session()
        if session:
            return Target(session.api_url.rstrip("/"))
        raise UsageError(
            "which API? Give --api-url URL or set SETELI_API_URL; for a local Seteli run `make run` "
            "and use --local (or run seteli inside the checkout)"
        )

    def cognito(self, timeout: float = 15) -> auth.Cognito:
        """Cognito of the target: the flags, else local.json, else the environment, else the session's."""
        a, t = self.args, self.target()
        session = config.load_session()
        same = session if session and session.api_url.rstrip("/") == t.api_url else None
        local = t.local

        def pick(flag: str, local_value: str | None, env: str, session_value: str | None) -> str | None:
            return getattr(a, flag, None) or local_value or os.environ.get(env) or session_value or None

        client_id = pick("client_id", local and local.client_id, "SETELI_CLIENT_ID", same and same.client_id)
        region = pick("region", local and local.region, "SETELI_REGION", same and same.region)
        endpoint = pick(
            "cognito_endpoint",
            local and local.cognito_endpoint,
            "SETELI_COGNITO_ENDPOINT",
            same and same.cognito_endpoint,
        )
        if not client_id:
            raise UsageError(
                "signing in needs the user pool's app client id: give --client-id (or SETELI_CLIENT_ID) and "
                "--region; your municipality's Seteli admin has them (stack outputs)"
            )
        return auth.Cognito(
            client_id, region or config.DEFAULT_REGION, endpoint, timeout=timeout, transport=self.transport
        )

    # -------------------------------------------------------- who

    def session(self) -> config.Session:
        """The saved session for the target, refreshed when the ID token has expired."""
        return signed_in_session(self.target().api_url, transport=self.transport)

    def api(self, signed_in: bool = False) -> Seteli:
        t = self.target()
        if signed_in and self.api_key:
            return Seteli(t.api_url, api_key=self.api_key, transport=self.transport)
        token = self.session().id_token if signed_in else None
        return Seteli(t.api_url, token=token, transport=self.transport)

    # -------------------------------------------------------- output

    def emit(self, data: Any, text: str) -> None:
        if self.args.json:
            print(json.dumps(data, indent=2, ensure_ascii=False))
        elif text:
            print(text)


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    return datetime.fromtimestamp(epoch).astimezone().strftime("%Y-%m-%d %H:%M %Z")


def _local_time(value: Any) -> str:
    """An API timestamp (ISO 8601, UTC) as Finnish local time, ``YYYY-MM-DD HH:MM``; '' if none."""
    if not value:
        return ""
    from zoneinfo import ZoneInfo

    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if at.tzinfo is None:
        return at.strftime("%Y-%m-%d %H:%M")
    return at.astimezone(ZoneInfo("Europe/Helsinki")).strftime("%Y-%m-%d %H:%M")


def _table(rows: list[list[str]], headers: list[str], indent: str = "") -> list[str]:
    widths = [len(h) for h in headers]
    for r in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, r, strict=True)]

    def line(cells: list[str]) -> str:
        return (indent + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))).rstrip()

    return [line(headers), *(line(r) for r in rows)]


def _s(value: Any) -> str:
    return "" if value is None else str(value)


# ---------------------------------------------------------------- login


def _read_stdin_line(what: str) -> str:
    line = sys.stdin.readline()
    if not line:
        raise UsageError(f"--password-stdin: no {what} on standard input")
    return line.rstrip("\r\n")


def _ask(prompt: str) -> str:
    """A line from standard input; the prompt goes to stderr so that stdout stays clean for --json."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        raise UsageError("no answer on standard input (not a terminal?)")
    return line.strip()


def _ask_new_password(ctx: Ctx, why: str) -> str:
    _err(f"{why} Choose a new password: {auth.PASSWORD_RULES}.")
    if ctx.args.password_stdin:
        return _read_stdin_line("new password (the second line)")
    for _ in range(3):
        first = getpass("New password: ")
        problems = auth.password_problems(first)
        if problems:
            _err(f"The password needs {', '.join(problems)}.")
            continue
        if getpass("New password again: ") != first:
            _err("The passwords differ.")
            continue
        return first
    raise UsageError("no acceptable new password given")


def _pick_user(ctx: Ctx, local: config.LocalInfo) -> tuple[str, str | None]:
    """List the local demo users and let the user pick one by number (or type an email)."""
    _err(f"Demo users of the local Seteli ({local.path}):")
    for i, u in enumerate(local.users, 1):
        _err(f"  {i}. {u.group:19s} {u.username}")
    answer = _ask("Sign in as (number or email): ")
    if answer.isdigit() and 1 <= int(answer) <= len(local.users):
        u = local.users[int(answer) - 1]
        return u.username, u.password or None
    if not answer or answer.isdigit():
        raise UsageError(f"pick a number from 1 to {len(local.users)}, or type an email")
    return answer, None


def cmd_login(ctx: Ctx) -> int:
    a, t = ctx.args, ctx.target()
    username, password = a.username, None
    if a.as_group:
        if t.local is None or not t.local.users:
            raise UsageError(
                "--as needs a local Seteli with demo users (`make run`, then --local or run in the checkout)"
            )
        match = t.local.users_in(a.as_group)
        if not match:
            groups = ", ".join(sorted({u.group for u in t.local.users}))
            raise UsageError(f"no demo user in group {a.as_group!r}; groups: {groups}")
        username, password = match[0].username, match[0].password or None
    elif not username:
        if t.local is not None and t.local.users:
            username, password = _pick_user(ctx, t.local)
        else:
            username = _ask("Email: ")
    if not username:
        raise UsageError("give --username EMAIL")
    if a.password_stdin:
        password = _read_stdin_line("password")
    elif password is None:
        password = getpass(f"Password for {username}: ")

    with ctx.cognito() as cog:
        result = cog.sign_in(username, password)
        for _ in range(6):
            if isinstance(result, auth.Tokens):
                break
            if result.name == "NEW_PASSWORD_REQUIRED":
                new = _ask_new_password(ctx, "This is your first sign-in (or the password was reset).")
                try:
                    result = cog.new_password(result, new)
                except auth.InvalidNewPassword as exc:
                    if a.password_stdin:
                        raise
                    _err(str(exc))
            elif result.name in ("SOFTWARE_TOKEN_MFA", "SMS_MFA"):
                code = _ask("Authentication code: ")
                result = cog.respond(result, {f"{result.name}_CODE": code})
            else:
                raise auth.AuthError(f"Cognito asks for {result.name}, which this client cannot answer yet.")
        if not isinstance(result, auth.Tokens):
            raise auth.AuthError("Sign-in did not finish.")
        session = config.Session(
            id_token=result.id_token,
            expires_at=result.expires_at,
            api_url=t.api_url,
            username=username,
            refresh_token=result.refresh_token,
            client_id=cog.client_id,
            region=cog.region,
            cognito_endpoint=cog.url,
        )
    path = config.save_session(session)
    who = auth.identity(session.id_token)
    roles = ", ".join(who["groups"]) or "no groups"
    provider = f", provider {who['provider_id']}" if who["provider_id"] else ""
    ctx.emit(
        {**who, "api_url": t.api_url, "session_file": str(path)},
        f"Signed in as {who['username'] or username} ({roles}{provider}) to {t.api_url}.\n"
        f"The session is kept in {path}; the sign-in is valid until {_when(session.expires_at)} "
        "and renews itself until `seteli logout`.",
    )
    return EXIT_OK


def cmd_logout(ctx: Ctx) -> int:
    s = config.load_session()
    # Best effort: revoke the refresh token so that a copied session file is worthless. Only on AWS:
    # the local emulator (moto) has no RevokeToken and would log a traceback for it.
    on_aws = s is not None and ".amazonaws.com" in (s.cognito_endpoint or auth.cognito_endpoint(s.region))
    if s is not None and s.refresh_token and s.client_id and on_aws:
        try:
            with auth.Cognito(s.client_id, s.region, s.cognito_endpoint, timeout=3, transport=ctx.transport) as c:
                c.revoke(s.refresh_token)
        except (auth.AuthError, httpx.HTTPError):
            pass
    removed = config.delete_session()
    ctx.emit({"signed_out": removed}, "Signed out." if removed else "Was not signed in.")
    return EXIT_OK


def _whoami_key(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        who = api.whoami()
    rows = [
        ("groups", ", ".join(who["groups"]) or "-"),
        ("provider", who["provider_id"] or "-"),
        ("key id", who["key_id"] or "-"),
        ("API", ctx.target().api_url),
        ("valid through", who["expires_on"] or "-"),
    ]
    text = f"Signed in with {who['username']}\n" + "\n".join(f"  {k:13s} {v}" for k, v in rows)
    ctx.emit({**who, "api_url": ctx.target().api_url}, text)
    return EXIT_OK


def cmd_whoami(ctx: Ctx) -> int:
    if ctx.api_key and not ctx.args.show_token:
        return _whoami_key(ctx)
    s = ctx.session()
    if ctx.args.show_token:
        print(s.id_token)
        return EXIT_OK
    who = auth.identity(s.id_token)
    rows = [
        ("groups", ", ".join(who["groups"]) or "-"),
        ("provider", who["provider_id"] or "-"),
        ("API", s.api_url),
        ("valid until", _when(s.expires_at)),
    ]
    text = f"Signed in as {who['username']}\n" + "\n".join(f"  {k:12s} {v}" for k, v in rows)
    ctx.emit({**who, "api_url": s.api_url}, text)
    return EXIT_OK


def cmd_health(ctx: Ctx) -> int:
    t0 = time.perf_counter()
    with ctx.api() as api:
        h = api.health()
    ms = (time.perf_counter() - t0) * 1000
    h = h if isinstance(h, dict) else {"status": _s(h)}
    status = _s(h.get("status")) or "?"
    ctx.emit(
        h,
        f"{status}: tenant {h.get('tenant_id') or '-'}, version {h.get('version') or '-'} "
        f"({ctx.target().api_url}, {ms:.0f} ms)",
    )
    return EXIT_OK if status == "ok" else EXIT_API


def _value(c: dict[str, Any]) -> str:
    unit = c.get("unit")
    per = f"/{unit}" if unit else ""
    if c.get("voucher_value") not in (None, ""):
        return f"{c['voucher_value']} €{per}"
    if c.get("subsidy") not in (None, ""):
        return f"subsidy {c['subsidy']} €{per}"
    if c.get("customer_pays"):
        return "customer pays"
    return "-"


def cmd_services(ctx: Ctx) -> int:
    with ctx.api() as api:
        services = api.public_services(ctx.args.lang)
    lines: list[str] = []
    for s in services:
        if not isinstance(s, dict):
            continue
        if lines:
            lines.append("")
        kind = s.get("kind")
        lines.append(f"{_s(s.get('id'))}  {_s(s.get('name'))}" + (f"  [{kind}]" if kind else ""))
        contents = [c for c in s.get("contents") or [] if isinstance(c, dict)]
        rows = [[_s(c.get("id")), _s(c.get("name")), _s(c.get("unit")), _value(c)] for c in contents]
        if rows:
            lines += _table(rows, ["CONTENT", "NAME", "UNIT", "VOUCHER VALUE"], indent="    ")
        else:
            lines.append("    (no contents)")
    ctx.emit(services, "\n".join(lines) if lines else "No services.")
    return EXIT_OK


def _address(a: Any) -> str:
    if not isinstance(a, dict):
        return ""
    return ", ".join(x for x in (_s(a.get("street")), f"{_s(a.get('postal_code'))} {_s(a.get('city'))}".strip()) if x)


def cmd_provider_get(ctx: Ctx) -> int:
    provider_id = ctx.args.provider_id
    api = ctx.api(signed_in=True)
    with api:
        if not provider_id:
            from seteli_client.commands._common import provider_id as own_provider

            provider_id = own_provider(ctx, api)
        p = api.get_provider(provider_id)
    lines = [f"{_s(p.get('name'))} ({_s(p.get('business_id'))})  {_s(p.get('id'))}"]
    if p.get("description"):
        lines.append(f"  {p['description']}")
    status = _s(p.get("status"))
    obligations = p.get("obligations") if isinstance(p.get("obligations"), dict) else None
    if status:
        checked = f"; obligations check: {_s(obligations.get('status'))}" if obligations else ""
        lines.append(f"  status   {status}{checked}")
    contact = ", ".join(x for x in (_s(p.get("contact_email")), _s(p.get("contact_phone"))) if x)
    if contact:
        lines.append(f"  contact  {contact}")
    if _address(p.get("address")):
        lines.append(f"  address  {_address(p.get('address'))}")
    parts = [x for x in p.get("parts") or [] if isinstance(x, dict)]
    if parts:
        lines.append("")
        rows = [[_s(x.get("id")), _s(x.get("kind")), _s(x.get("name")), _address(x.get("address"))] for x in parts]
        lines += _table(rows, ["PART", "KIND", "NAME", "ADDRESS"], indent="  ")
    ctx.emit(p, "\n".join(lines))
    return EXIT_OK


def cmd_reset_password(ctx: Ctx) -> int:
    username = ctx.args.username or _ask("Email: ")
    if not username:
        raise UsageError("give --username EMAIL")
    with ctx.cognito() as cog:
        res = cog.forgot_password(username)
        dest = (res.get("CodeDeliveryDetails") or {}).get("Destination")
        _err(f"A code was sent to {dest or 'your email'}, if the account exists.")
        code = _ask("Code from the email: ")
        new = _ask_new_password(ctx, "Setting a new password also unlocks the account.")
        cog.confirm_forgot_password(username, code, new)
    ctx.emit({"password_reset": True, "username": username}, f"Password changed. Now {LOGIN_HINT}.")
    return EXIT_OK


# ---------------------------------------------------------------- parser


def _global_options(p: argparse.ArgumentParser, suppress: bool) -> None:
    d = {"default": argparse.SUPPRESS} if suppress else {}
    p.add_argument("--api-url", metavar="URL", help="the API's base URL (env SETELI_API_URL)", **d)
    p.add_argument(
        "--local",
        nargs="?",
        const="",
        metavar="STATE_DIR",
        help="use a local Seteli: reads STATE_DIR/local.json (default: .seteli here or in a parent)",
        **d,
    )
    p.add_argument("--json", action="store_true", help="machine-readable output", **d)
    p.add_argument(
        "--api-key-stdin",
        action="store_true",
        help="read an API key from standard input and use it instead of the sign-in (or set SETELI_API_KEY)",
        **d,
    )


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="seteli", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _global_options(ap, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    sub = ap.add_subparsers(dest="command", metavar="COMMAND", required=True)

    lg = sub.add_parser("login", parents=[common], help="sign in (Cognito user name and password)")
    who = lg.add_mutually_exclusive_group()
    who.add_argument("--username", "-u", metavar="EMAIL")
    who.add_argument(
        "--as", dest="as_group", metavar="GROUP", help=f"a local demo user of this group ({', '.join(GROUPS)})"
    )
    lg.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (a second line: the new password, when one is required)",
    )
    _cognito_options(lg)
    lg.set_defaults(func=cmd_login)

    sub.add_parser("logout", parents=[common], help="sign out: forget the session").set_defaults(func=cmd_logout)

    wh = sub.add_parser("whoami", parents=[common], help="who you are signed in as")
    wh.add_argument("--show-token", action="store_true", help="print the ID token (for curl); keep it secret")
    wh.set_defaults(func=cmd_whoami)

    sub.add_parser("health", parents=[common], help="is the API up?").set_defaults(func=cmd_health)

    sv = sub.add_parser("services", parents=[common], help="the services, their contents and voucher values")
    sv.add_argument("--lang", choices=["fi", "sv", "en"], default="fi")
    sv.set_defaults(func=cmd_services)

    pr = sub.add_parser("provider", parents=[common], help="provider data")
    prs = pr.add_subparsers(dest="provider_command", metavar="SUBCOMMAND", required=True)
    pg = prs.add_parser("get", parents=[common], help="a provider's company data and parts (default: your own)")
    pg.add_argument("provider_id", nargs="?", metavar="PROVIDER_ID")
    pg.set_defaults(func=cmd_provider_get)

    rp = sub.add_parser("reset-password", parents=[common], help="set a new password with a code sent by email")
    rp.add_argument("--username", "-u", metavar="EMAIL")
    rp.add_argument("--password-stdin", action="store_true", help="read the new password from standard input")
    _cognito_options(rp)
    rp.set_defaults(func=cmd_reset_password)

    from seteli_client.commands import register_all

    register_all(sub, common, {"provider": prs})
    return ap


def _cognito_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--client-id", help="the user pool's app client id (env SETELI_CLIENT_ID)")
    p.add_argument("--region", help="the user pool's region (env SETELI_REGION, default eu-north-1)")
    p.add_argument("--cognito-endpoint", metavar="URL", help="another Cognito endpoint (env SETELI_COGNITO_ENDPOINT)")


def _normalise(argv: list[str], commands: frozenset[str] = frozenset(COMMANDS)) -> list[str]:
    """``--local`` followed by a command or an option means "--local without STATE_DIR"."""
    out = []
    for i, arg in enumerate(argv):
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        looks_like_dir = nxt is not None and ("/" in nxt or os.path.isdir(nxt)) and nxt not in commands
        if arg == "--local" and not looks_like_dir:
            out.append("--local=")
        else:
            out.append(arg)
    return out


def _command_names(parser: argparse.ArgumentParser) -> frozenset[str]:
    """Every top-level command, those of the per-area modules included."""
    names = set(COMMANDS)
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        names.update(getattr(action, "choices", None) or ())
    return frozenset(names)


def main(argv: list[str] | None = None, *, transport: httpx.BaseTransport | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(_normalise(argv, _command_names(parser)))
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USAGE
    ctx = Ctx(args, transport)
    try:
        return args.func(ctx)
    except UsageError as exc:
        _err(f"seteli: {exc}")
        return EXIT_USAGE
    except config.ConfigError as exc:
        _err(f"seteli: {exc}")
        return EXIT_USAGE
    except NotSignedIn as exc:
        _err(f"{exc} To sign in, {LOGIN_HINT}.")
        return EXIT_AUTH
    except SeteliApiError as exc:
        if args.json:
            _err(json.dumps(exc.to_dict(), indent=2, ensure_ascii=False))
        else:
            _err(f"Error: {exc}")
        if exc.status == 401:
            _err("The API did not accept the credentials: " + ("check the API key." if ctx.api_key else LOGIN_HINT))
            return EXIT_AUTH
        return EXIT_API
    except SeteliConnectionError as exc:
        hint = " Is the local Seteli running (`make run`)?" if ctx._target and ctx._target.local else ""
        _err(f"Error: {exc}.{hint}")
        return EXIT_API
    except auth.AuthError as exc:
        _err(str(exc))
        return EXIT_API
    except SeteliError as exc:
        _err(f"Error: {exc}")
        return EXIT_API
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
