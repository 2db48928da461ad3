"""Paging: ``limit`` and an opaque ``next`` cursor (a DynamoDB LastEvaluatedKey, signed)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from seteli.errors import FieldError, ValidationFailed

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next: str | None = Field(default=None, description="Pass as `next` to get the following page; null at the end")


def encode_cursor(key: dict[str, Any] | None, secret: str) -> str | None:
    if not key:
        return None
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode()
    mac = hmac.new(secret.encode(), raw, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(mac + raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, secret: str) -> dict[str, Any] | None:
    if not cursor:
        return None
    bad = ValidationFailed("the paging cursor is not valid", [FieldError("next", "use the value of `next` as given")])
    try:
        blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, TypeError):
        raise bad from None
    mac, raw = blob[:12], blob[12:]
    if not hmac.compare_digest(mac, hmac.new(secret.encode(), raw, hashlib.sha256).digest()[:12]):
        raise bad
    try:
        key = json.loads(raw)
    except ValueError:
        raise bad from None
    if not isinstance(key, dict):
        raise bad
    return key


def gsi2_start_key(cursor: str | None, secret: str, *, gsi2pk: str, sk: str) -> dict[str, Any] | None:
    """The LastEvaluatedKey of a gsi2 Query from ``cursor``, checked to be one of *this* query's
    keys (signed by us, the same partition and item type): 422 ``query.next`` otherwise."""
    bad = ValidationFailed("the paging cursor is not valid", [FieldError("query.next", "use the value of `next`")])
    try:
        key = decode_cursor(cursor, secret)
    except ValidationFailed:
        raise bad from None
    if key is None:
        return None
    wanted = {"pk", "sk", "gsi2pk", "gsi2sk"}
    if set(key) != wanted or not all(isinstance(v, dict) and isinstance(v.get("S"), str) for v in key.values()):
        raise bad
    if key["gsi2pk"]["S"] != gsi2pk or key["sk"]["S"] != sk:
        raise bad
    return key
