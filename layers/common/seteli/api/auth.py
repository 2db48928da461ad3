"""Who is calling, as API Gateway's authorizer passes it to the handler.

Two shapes arrive in ``requestContext.authorizer``:

- ``claims``: the Cognito ID token's claims (API Gateway's Cognito user pool authorizer, the sample
  events and older tests);
- a flat string map from our Lambda REQUEST authorizer (functions/authorizer): ``sub``,
  ``username``, ``email``, ``groups`` (comma-separated), ``provider_id``, ``auth`` ("cognito" or
  "api_key") and, for an API key, ``key_id``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from seteli.errors import Forbidden, Unauthorized

MUNICIPALITY_ADMIN = "municipality_admin"
CASE_WORKER = "case_worker"
PROVIDER_ADMIN = "provider_admin"
PROVIDER_USER = "provider_user"
CITIZEN = "citizen"
GROUPS = (MUNICIPALITY_ADMIN, CASE_WORKER, PROVIDER_ADMIN, PROVIDER_USER, CITIZEN)
MUNICIPALITY_GROUPS = frozenset({MUNICIPALITY_ADMIN, CASE_WORKER})
PROVIDER_GROUPS = frozenset({PROVIDER_ADMIN, PROVIDER_USER})
COGNITO = "cognito"
API_KEY = "api_key"


@dataclass(frozen=True)
class Principal:
    subject: str
    username: str
    email: str | None
    groups: frozenset[str]
    provider_id: str | None = None
    auth: str = "cognito"  # "cognito" (a signed-in user) or "api_key" (a provider's machine key)
    key_id: str | None = None  # the API key's id when auth == "api_key"

    @property
    def via_api_key(self) -> bool:
        return self.auth == API_KEY

    @via_api_key.setter
    def via_api_key(self, value: bool) -> None:
        # frozen: only object.__setattr__ reaches this (tests flagging a principal after the fact)
        object.__setattr__(self, "auth", API_KEY if value else COGNITO)

    @property
    def is_municipality(self) -> bool:
        return bool(self.groups & MUNICIPALITY_GROUPS)

    @property
    def is_provider(self) -> bool:
        return bool(self.groups & PROVIDER_GROUPS) and self.provider_id is not None

    def has_any(self, *groups: str) -> bool:
        return bool(self.groups & set(groups))


def parse_groups(value: Any) -> frozenset[str]:
    """``cognito:groups`` arrives as a list (token), ``"a,b"`` (REST authorizer) or ``"[a b]"``."""
    if value is None:
        return frozenset()
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(str(v) for v in value)
    text = str(value).strip().strip("[]")
    return frozenset(g for g in re.split(r"[,\s]+", text) if g)


def principal_from_claims(claims: dict[str, Any] | None) -> Principal | None:
    if not claims or not claims.get("sub"):
        return None
    if claims.get("token_use") not in (None, "id"):
        return None
    return Principal(
        subject=str(claims["sub"]),
        username=str(claims.get("cognito:username") or claims.get("email") or claims["sub"]),
        email=claims.get("email"),
        groups=parse_groups(claims.get("cognito:groups")),
        provider_id=claims.get("custom:provider_id") or None,
    )


def principal_from_context(context: dict[str, Any] | None) -> Principal | None:
    """The flat context of the Lambda authorizer (every value a string)."""
    if not context or not context.get("sub"):
        return None
    auth = str(context.get("auth") or COGNITO)
    if auth not in (COGNITO, API_KEY):
        return None
    key_id = str(context.get("key_id") or "") or None
    if auth == API_KEY and key_id is None:
        return None
    return Principal(
        subject=str(context["sub"]),
        username=str(context.get("username") or context.get("email") or context["sub"]),
        email=str(context.get("email") or "") or None,
        groups=parse_groups(context.get("groups")),
        provider_id=str(context.get("provider_id") or "") or None,
        auth=auth,
        key_id=key_id if auth == API_KEY else None,
    )


def principal_from_event(event: dict[str, Any]) -> Principal | None:
    ctx = event.get("requestContext") or {}
    authorizer = ctx.get("authorizer") or {}
    if authorizer.get("claims"):
        return principal_from_claims(authorizer.get("claims"))
    return principal_from_context(authorizer)


def require_principal(event: dict[str, Any]) -> Principal:
    p = principal_from_event(event)
    if p is None:
        raise Unauthorized(
            "sign in first: send a Cognito ID token as 'Authorization: Bearer <token>' "
            "or an API key as 'Authorization: ApiKey <key>'"
        )
    return p


def require_group(p: Principal, *groups: str) -> None:
    if not p.has_any(*groups):
        raise Forbidden(f"this needs one of the roles: {', '.join(groups)}")
