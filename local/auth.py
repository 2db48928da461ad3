"""Verify a Cognito ID token the way API Gateway's Cognito authorizer does, against the local pool.

moto signs its tokens with a fixed key pair it ships; the public half (its JWKS) is what we verify
with. The claims are handed to the handler as API Gateway hands them: every value a string,
``cognito:groups`` joined with commas.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import jwt


class InvalidToken(Exception):
    pass


def _moto_jwks() -> dict[str, Any]:
    import moto

    path = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-public.json.gz"
    return json.loads(gzip.decompress(path.read_bytes()))


class TokenVerifier:
    def __init__(self, region: str, user_pool_id: str, client_id: str, jwks: dict[str, Any] | None = None) -> None:
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        self.client_id = client_id
        self.keys = {k.key_id: k for k in jwt.PyJWKSet.from_dict(jwks or _moto_jwks()).keys}

    def claims(self, authorization: str | None) -> dict[str, str]:
        if not authorization:
            raise InvalidToken("no Authorization header")
        token = authorization.removeprefix("Bearer ").strip()
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self.keys.get(kid)
            if key is None:
                raise InvalidToken("unknown signing key")
            payload = jwt.decode(
                token,
                key=key.key,
                algorithms=["RS256"],
                audience=self.client_id,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "aud", "sub", "token_use"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if payload.get("token_use") != "id":
            raise InvalidToken("not an ID token")
        return as_authorizer_claims(payload)


def as_authorizer_claims(payload: dict[str, Any]) -> dict[str, str]:
    out = {}
    for k, v in payload.items():
        if isinstance(v, list):
            out[k] = ",".join(str(x) for x in v)
        elif isinstance(v, bool):
            out[k] = "true" if v else "false"
        else:
            out[k] = str(v)
    return out
