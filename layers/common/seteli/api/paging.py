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


def start_key(
    cursor: str | None, secret: str, *, partition: str, index: str | None = None, sk_prefix: str = ""
) -> dict[str, Any] | None:
    """The LastEvaluatedKey of a Query from ``cursor``, checked to be one of *this* query's keys:
    signed by us, of the same index (``gsi1``, ``gsi2``; None: the table) and partition, and of an
    item whose sort key starts with ``sk_prefix``. 422 ``query.next`` otherwise."""
    bad = ValidationFailed("the paging cursor is not valid", [FieldError("query.next", "use the value of `next`")])
    try:
        key = decode_cursor(cursor, secret)
    except ValidationFailed:
        raise bad from None
    if key is None:
        return None
    wanted = {"pk", "sk"} | ({f"{index}pk", f"{index}sk"} if index else set())
    if set(key) != wanted or not all(isinstance(v, dict) and isinstance(v.get("S"), str) for v in key.values()):
        raise bad
    if key[f"{index}pk" if index else "pk"]["S"] != partition or not key["sk"]["S"].startswith(sk_prefix):
        raise bad
    return key
