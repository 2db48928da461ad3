"""Commands of each flow, one module an area, registered into the ``seteli`` parser.

A module here defines ``register(sub, common, groups)``: ``sub`` is the top-level subparsers,
``common`` the parent parser with the global options (pass it as ``parents=[common]``), and
``groups`` the command groups that already exist (``groups["provider"]`` is the subparsers of
``seteli provider``), so an area can add ``seteli provider billing`` next to ``seteli provider get``.
A command is ``func(ctx) -> int`` (see ``seteli_client.cli.Ctx``: ``ctx.api(signed_in=True)``,
``ctx.emit(data, text)``).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil


def register_all(
    sub: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    groups: dict[str, argparse._SubParsersAction],
) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub, common, groups)
