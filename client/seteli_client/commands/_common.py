"""What several command modules share (no ``register``: not a command module itself)."""

from __future__ import annotations

import argparse
import getpass
import sys

from seteli_client import auth
from seteli_client.cli import Ctx, UsageError


def group(sub: argparse._SubParsersAction, common: argparse.ArgumentParser, groups: dict, name: str, help_text: str):
    """The subcommands of `seteli <name>`: the ones another module made already, else made here (and
    kept in ``groups``), so that modules add to a group whatever order they are registered in."""
    if name not in groups:
        parser = sub.add_parser(name, parents=[common], help=help_text)
        groups[name] = parser.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND", required=True)
    return groups[name]


def provider_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--provider", metavar="PROVIDER_ID", help="another provider (municipality users); default: yours")


def provider_id(ctx: Ctx, api, *, api_key_refusal: str | None = None) -> str:
    """``--provider`` if given, else the caller's own provider: from the ID token's claims, or, when
    a provider's system signs with an API key, from what the API says of that key. Where a key may
    not act at all, ``api_key_refusal`` says why."""
    pid = getattr(ctx.args, "provider", None)
    if pid:
        return pid
    if ctx.api_key and api_key_refusal:
        raise UsageError(api_key_refusal)
    if ctx.api_key:
        pid = (api.current_api_key() or {}).get("provider_id")
    else:
        pid = auth.identity(api.token or "").get("provider_id")
    if not pid:
        raise UsageError("your sign-in belongs to no provider: give --provider PROVIDER_ID")
    return pid


def secret_input(ctx: Ctx, *, flag: str, prompt: str, what: str) -> str:
    """A credential or a personal identity code, never an argument (it would stay in the shell
    history and the process list): one line of standard input with ``flag``, or typed at a hidden
    prompt on a terminal."""
    if getattr(ctx.args, flag.removeprefix("--").replace("-", "_"), False):
        value = sys.stdin.readline().strip()
        if not value:
            raise UsageError(f"{flag}: no {what} on standard input")
        return value
    if sys.stdin.isatty():
        value = getpass.getpass(prompt).strip()
        if not value:
            raise UsageError(f"no {what} given")
        return value
    raise UsageError(f"give the {what} on standard input with {flag}")


def personal_id_input(ctx: Ctx) -> str:
    """A personal identity code: ``--personal-id-stdin`` or a hidden prompt."""
    prompt = "Personal identity code (henkilötunnus): "
    return secret_input(ctx, flag="--personal-id-stdin", prompt=prompt, what="personal identity code")
