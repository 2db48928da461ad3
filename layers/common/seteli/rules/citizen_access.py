"""Sign-in without bank ID for one entitlement (Palse): the decision number and the citizen code on
the decision letter give a short-lived access token for that one entitlement. Pure.

The token is ``sca1.<payload>.<signature>``: the payload (base64url JSON ``{"d": decision number,
"e": expiry in epoch seconds}``) signed with HMAC-SHA256. It grants reading that entitlement's
citizen view and giving feedback on it (issue 5), nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta

from seteli.rules.entitlements import codes_match, normalise_code  # noqa: F401 - the codes of the letters

PREFIX = "sca1"
TOKEN_LIFETIME = timedelta(minutes=30)


def citizen_access_secret(settings) -> str:
    """The key that signs citizen access tokens of this stack, derived from its identity like the
    paging cursor key (``seteli.services.providers.cursor_secret``). Before production it belongs in
    Secrets Manager: anyone who can derive it can mint tokens. Changing it only ends open tokens."""
    basis = f"seteli-citizen-access:{settings.tenant_id}:{settings.table_name}:{settings.user_pool_id or ''}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(payload: str, secret: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), f"{PREFIX}.{payload}".encode(), hashlib.sha256).digest())


def access_token(decision_number: str, secret: str, expires: datetime) -> str:
    """A token for ``decision_number`` valid until ``expires`` (an aware datetime)."""
    body = json.dumps({"d": decision_number, "e": int(expires.timestamp())}, separators=(",", ":"))
    payload = _b64(body.encode("utf-8"))
    return f"{PREFIX}.{payload}.{_sign(payload, secret)}"


def check_access_token(token: str, secret: str, now: datetime) -> str | None:
    """The decision number ``token`` grants access to, or None when it is forged, malformed or expired."""
    try:
        prefix, payload, signature = (token or "").split(".")
    except ValueError:
        return None
    if prefix != PREFIX or not hmac.compare_digest(signature.encode("utf-8"), _sign(payload, secret).encode("utf-8")):
        return None
    try:
        data = json.loads(_unb64(payload))
        number, expires = str(data["d"]), int(data["e"])
    except (ValueError, KeyError, TypeError):
        return None
    if now.timestamp() >= expires:
        return None
    return number
