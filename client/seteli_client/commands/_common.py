"""What several command modules share (no ``register``: not a command module itself)."""

from __future__ import annotations

from seteli_client import auth
from seteli_client.cli import Ctx, UsageError


def provider_id(ctx: Ctx, api) -> str:
    """``--provider`` if given, else the caller's own provider: from the ID token's claims, or, when
    a provider's system signs with an API key, from what the API says of that key."""
    pid = getattr(ctx.args, "provider", None)
    if pid:
        return pid
    if ctx.api_key:
        pid = (api.current_api_key() or {}).get("provider_id")
    else:
        pid = auth.identity(api.token or "").get("provider_id")
    if not pid:
        raise UsageError("your sign-in belongs to no provider: give --provider PROVIDER_ID")
    return pid
