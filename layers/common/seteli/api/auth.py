"""Who is calling: claims of the Cognito ID token as API Gateway's authorizer passes them."""

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


@dataclass(frozen=True)
class Principal:
    subject: str
    username: str
    email: str | None
    groups: frozenset[str]
    provider_id: str | None = None

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


def principal_from_event(event: dict[str, Any]) -> Principal | None:
    ctx = event.get("requestContext") or {}
    authorizer = ctx.get("authorizer") or {}
    return principal_from_claims(authorizer.get("claims"))


def require_principal(event: dict[str, Any]) -> Principal:
    p = principal_from_event(event)
    if p is None:
        raise Unauthorized("sign in first: send a Cognito ID token as 'Authorization: Bearer <token>'")
    return p


def require_group(p: Principal, *groups: str) -> None:
    if not p.has_any(*groups):
        raise Forbidden(f"this needs one of the roles: {', '.join(groups)}")
