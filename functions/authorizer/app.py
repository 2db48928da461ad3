"""The API's Lambda REQUEST authorizer: who is calling, from the Authorization header.

- ``Bearer <Cognito ID token>``: the RS256 signature against the user pool's JWKS, ``iss`` (the
  pool), ``aud`` (the app client), ``token_use`` ``id`` and ``exp``.
- ``ApiKey seteli_<key_id>_<secret>``: one GetItem of the key, its SHA-256 hash compared in
  constant time, not revoked, not past its ``expires_on`` (Helsinki date).

The answer allows ``execute-api:Invoke`` on the whole API (API Gateway caches it per Authorization
header for ``ReauthorizeEvery`` seconds, across routes) with a flat context of strings that
``seteli.api.auth.principal_from_event`` reads. Anything else is ``Exception("Unauthorized")``:
API Gateway's 401 (the template's UNAUTHORIZED gateway response). Neither the key nor the token is
ever logged.
"""

from __future__ import annotations

from typing import Any

import jwt

from seteli.config import Settings, settings
from seteli.observability import logger
from seteli.services import api_keys
from seteli.store import repositories

API_KEY_SCHEME = "apikey"
BEARER_SCHEME = "bearer"

_jwk_clients: dict[str, jwt.PyJWKClient] = {}
_static_keys: dict[str, Any] | None = None


class Refused(Exception):
    """Why a request is refused (logged without the credential); the gateway answers 401."""


def use_jwks(jwks: dict[str, Any] | None) -> None:
    """Verify tokens with these keys instead of fetching the pool's JWKS (the local runtime without
    the emulator's server, and tests: moto signs with the key pair it ships). None: fetch again."""
    global _static_keys
    _static_keys = {k.key_id: k for k in jwt.PyJWKSet.from_dict(jwks).keys} if jwks else None


def issuer(s: Settings) -> str:
    return f"https://cognito-idp.{s.region}.amazonaws.com/{s.user_pool_id}"


def jwks_url(s: Settings) -> str:
    if s.cognito_endpoint_url:  # the local emulator's server serves the pool's JWKS
        return f"{s.cognito_endpoint_url.rstrip('/')}/{s.user_pool_id}/.well-known/jwks.json"
    return f"{issuer(s)}/.well-known/jwks.json"


def _signing_key(token: str, s: Settings) -> Any:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError as exc:
        raise Refused("not a JWT") from exc
    if _static_keys is not None:
        key = _static_keys.get(kid)
        if key is None:
            raise Refused("signed by a key this pool does not have")
        return key.key
    url = jwks_url(s)
    client = _jwk_clients.get(url)
    if client is None:  # one client per cold start: it caches the keys
        client = _jwk_clients[url] = jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)
    try:
        return client.get_signing_key(kid).key
    except jwt.PyJWKClientError as exc:
        raise Refused("signed by a key this pool does not have") from exc


def verify_token(token: str, s: Settings | None = None) -> dict[str, Any]:
    """The ID token's claims, or Refused."""
    s = s or settings()
    if not s.user_pool_id or not s.user_pool_client_id:
        raise Refused("USER_POOL_ID / USER_POOL_CLIENT_ID not configured")
    key = _signing_key(token, s)
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=["RS256"],
            audience=s.user_pool_client_id,
            issuer=issuer(s),
            options={"require": ["exp", "iss", "aud", "sub", "token_use"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Refused("token expired") from exc
    except jwt.PyJWTError as exc:
        raise Refused(f"token refused: {type(exc).__name__}") from exc
    if claims.get("token_use") != "id":
        raise Refused("not an ID token")
    return claims


def token_context(claims: dict[str, Any]) -> dict[str, str]:
    groups = claims.get("cognito:groups") or []
    if isinstance(groups, str):
        groups = [groups]
    return {
        "sub": str(claims["sub"]),
        "username": str(claims.get("cognito:username") or claims.get("email") or claims["sub"]),
        "email": str(claims.get("email") or ""),
        "groups": ",".join(str(g) for g in groups),
        "provider_id": str(claims.get("custom:provider_id") or ""),
        "auth": "cognito",
    }


def key_context(record) -> dict[str, str]:
    return {
        "sub": f"apikey:{record.id}",
        "username": f"api key {record.name}",
        "email": "",
        "groups": "provider_admin",
        "provider_id": record.provider_id,
        "auth": "api_key",
        "key_id": record.id,
    }


def api_arn(method_arn: str) -> str:
    """``arn:...:<api-id>/<stage>/*/*`` from the method ARN: the answer is cached across routes."""
    head, _, rest = (method_arn or "").partition("/")
    stage = rest.split("/", 1)[0] if rest else "*"
    return f"{head}/{stage or '*'}/*/*"


def policy(principal_id: str, method_arn: str, context: dict[str, str]) -> dict[str, Any]:
    return {
        "principalId": principal_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": api_arn(method_arn)}],
        },
        "context": context,
    }


def authorization_header(event: dict[str, Any]) -> str | None:
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == "authorization":
            return value
    return None


def identify(authorization: str | None) -> dict[str, str]:
    """The context for a request carrying ``authorization``, or Refused."""
    if not authorization or not authorization.strip():
        raise Refused("no Authorization header")
    raw_scheme, _, credential = authorization.strip().partition(" ")
    scheme, credential = raw_scheme.lower(), credential.strip()
    if scheme == API_KEY_SCHEME:
        record = api_keys.authenticate(repositories(), credential)
        if record is None:
            raise Refused("API key unknown, wrong, revoked or expired")
        return key_context(record)
    if scheme == BEARER_SCHEME:
        return token_context(verify_token(credential))
    if not credential:  # a bare token, as API Gateway's Cognito authorizer also takes it
        return token_context(verify_token(raw_scheme))
    raise Refused("unknown Authorization scheme (use Bearer or ApiKey)")


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        ctx = identify(authorization_header(event))
    except Refused as exc:
        logger.info("request refused", extra={"reason": str(exc)})
        raise Exception("Unauthorized") from None  # API Gateway's 401 needs exactly this message
    return policy(ctx["sub"], event.get("methodArn", ""), ctx)


def jwks_given() -> bool:
    """Whether ``use_jwks`` handed keys in (the local gateway asks before handing moto's)."""
    return _static_keys is not None
