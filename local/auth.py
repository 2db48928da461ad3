"""Verify a Cognito ID token the way API Gateway's Cognito authorizer does, against the local pool.

moto signs its tokens with a fixed key pair it ships; the public half (the JWKS its server serves at
``/<pool id>/.well-known/jwks.json``) is what we verify with. Checked: the RS256 signature, ``iss``
(the pool), ``aud`` (the app client), ``token_use`` (an ID token; a REST API Cognito authorizer
without OAuth scopes takes only ID tokens) and expiry.

The claims reach the handler as API Gateway's REST (payload 1.0) Cognito authorizer passes them in
``requestContext.authorizer.claims``: every value a string, ``cognito:groups`` joined with commas
(``"a,b"``; the bracketed ``"[a b]"`` form is HTTP API's JWT authorizer), booleans ``"true"``, and
``exp``/``iat`` as dates (``"Fri Jul 29 18:52:53 UTC 2016"``) while ``auth_time`` stays the number.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt


class InvalidToken(Exception):
    """The request is refused with the gateway's UNAUTHORIZED answer; ``message`` is API Gateway's."""

    def __init__(self, reason: str, message: str = "Unauthorized") -> None:
        super().__init__(reason)
        self.message = message


@lru_cache(maxsize=1)
def moto_jwks() -> dict[str, Any]:
    """The public keys moto signs Cognito tokens with (what its server serves as the pool's JWKS)."""
    import moto

    path = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-public.json.gz"
    if path.exists():
        return json.loads(gzip.decompress(path.read_bytes()))
    return json.loads(path.with_suffix("").read_text(encoding="utf-8"))


def fetch_jwks(endpoint: str, user_pool_id: str) -> dict[str, Any]:
    """The pool's JWKS from a running moto server (what AWS serves at the issuer's well-known URL)."""
    import httpx

    res = httpx.get(f"{endpoint.rstrip('/')}/{user_pool_id}/.well-known/jwks.json", timeout=10)
    res.raise_for_status()
    return res.json()


class TokenVerifier:
    def __init__(
        self,
        region: str,
        user_pool_id: str,
        client_id: str,
        jwks: dict[str, Any] | None = None,
        leeway_s: int = 0,
    ) -> None:
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        self.client_id = client_id
        self.leeway_s = leeway_s
        self.keys = {k.key_id: k for k in jwt.PyJWKSet.from_dict(jwks or moto_jwks()).keys}

    @classmethod
    def for_resources(cls, resources, jwks: dict[str, Any] | None = None) -> TokenVerifier:
        return cls(resources.region, resources.user_pool_id, resources.client_id, jwks)

    def verify(self, authorization: str | None) -> dict[str, Any]:
        """The token's payload, or InvalidToken."""
        if not authorization or not authorization.strip():
            raise InvalidToken("no Authorization header")
        token = authorization.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"not a JWT: {exc}") from exc
        key = self.keys.get(header.get("kid"))
        if key is None:
            raise InvalidToken("signed by a key this pool does not have")
        try:
            payload = jwt.decode(
                token,
                key=key.key,
                algorithms=["RS256"],
                audience=self.client_id,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iss", "aud", "sub", "token_use"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("expired", "The incoming token has expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if payload.get("token_use") != "id":
            raise InvalidToken("not an ID token (an access token needs OAuth scopes on the method)")
        return payload

    def claims(self, authorization: str | None) -> dict[str, str]:
        """``requestContext.authorizer.claims`` for a request carrying ``authorization``."""
        return api_gateway_claims(self.verify(authorization))


def as_authorizer_claims(payload: dict[str, Any]) -> dict[str, str]:
    """Every claim a string: lists comma-joined, booleans ``true``/``false``, numbers as digits."""
    out = {}
    for k, v in payload.items():
        if isinstance(v, list | tuple):
            out[k] = ",".join(str(x) for x in v)
        elif isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif isinstance(v, dict):
            out[k] = json.dumps(v, separators=(",", ":"))
        else:
            out[k] = str(v)
    return out


def _gateway_date(epoch: Any) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def api_gateway_claims(payload: dict[str, Any]) -> dict[str, str]:
    """The claims exactly as the REST Cognito authorizer hands them over (``exp``/``iat`` as dates)."""
    out = as_authorizer_claims(payload)
    for k in ("exp", "iat"):
        if isinstance(payload.get(k), int | float):
            out[k] = _gateway_date(payload[k])
    return out
