"""API keys, pure: the key's format, its hash, the expiry rules and who may manage keys.

The key is ``seteli_<key_id>_<secret>``: ``key_id`` 12 lower-case letters and digits (the stored
item's id, so the authorizer finds it with one GetItem), ``secret`` 32 random bytes as URL-safe
base64 (43 characters). The stored hash is SHA-256 of the whole key; comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from datetime import date, timedelta

from seteli.api.auth import MUNICIPALITY_ADMIN, PROVIDER_ADMIN, Principal
from seteli.errors import FieldError, Forbidden, ValidationFailed

PREFIX = "seteli_"
KEY_ID_LENGTH = 12
SECRET_BYTES = 32
MAX_DAYS = 365  # PSOP: a key is valid at most a year
NAME_MAX = 100
MAX_ACTIVE_KEYS = 20  # per provider: plenty for its systems, and a bound on what a list returns
_KEY_ID_ALPHABET = string.ascii_lowercase + string.digits
KEY_PATTERN = re.compile(r"^seteli_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")
KEY_ID_PATTERN = re.compile(r"^[a-z0-9]{12}$")


def new_key_id() -> str:
    return "".join(secrets.choice(_KEY_ID_ALPHABET) for _ in range(KEY_ID_LENGTH))


def new_key(key_id: str | None = None) -> tuple[str, str]:
    """(key_id, the whole key). The key is shown once and never stored."""
    key_id = key_id or new_key_id()
    return key_id, f"{PREFIX}{key_id}_{secrets.token_urlsafe(SECRET_BYTES)}"


def parse_key(key: str | None) -> str | None:
    """The key_id of a well-formed key, else None (nothing about the key is echoed anywhere)."""
    if not isinstance(key, str):
        return None
    m = KEY_PATTERN.match(key.strip())
    return m.group(1) if m else None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.strip().encode("utf-8")).hexdigest()


def key_matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_key(key), stored_hash or "")


def last4(key: str) -> str:
    return key.strip()[-4:]


def expiry_problem(expires_on: date | None, today: date) -> str | None:
    """Why ``expires_on`` is not acceptable for a new key (None if it is)."""
    if expires_on is None:
        return "required: the last day the key works (YYYY-MM-DD), at most a year ahead"
    if expires_on <= today:
        return "must be after today"
    if expires_on > today + timedelta(days=MAX_DAYS):
        return f"at most {MAX_DAYS} days ahead (a key is valid at most a year)"
    return None


def name_problem(name: str | None) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "required: what the key is for, e.g. the system that uses it"
    if len(name.strip()) > NAME_MAX:
        return f"at most {NAME_MAX} characters"
    if any(ord(c) < 32 for c in name):
        return "no control characters"
    return None


def validate_new_key(name: str | None, expires_on: date | None, today: date) -> None:
    errors = []
    if problem := name_problem(name):
        errors.append(FieldError("body.name", problem))
    if problem := expiry_problem(expires_on, today):
        errors.append(FieldError("body.expires_on", problem))
    if errors:
        raise ValidationFailed("the key cannot be created as given", errors=errors)


def is_usable(revoked: bool, expires_on: date, today: date) -> bool:
    """A key works until it is revoked, through its ``expires_on`` day (Helsinki)."""
    return not revoked and today <= expires_on


# ---------------------------------------------------------------- who may do what (before any read)


def ensure_can_read_keys(who: Principal, provider_id: str) -> None:
    """The provider's admin (a signed-in user) and municipality admins list and revoke keys; an API
    key itself may not list, create or revoke keys; another provider's user gets a 403."""
    if who.via_api_key:
        raise Forbidden("an API key cannot manage API keys: sign in as the provider's admin")
    if who.is_provider and who.provider_id != provider_id:
        raise Forbidden("you may only see your own provider's API keys")
    if PROVIDER_ADMIN in who.groups and who.is_provider:
        return
    if MUNICIPALITY_ADMIN in who.groups:
        return
    raise Forbidden("only the provider's admin (provider_admin) or a municipality admin may see API keys")


def ensure_can_revoke_keys(who: Principal, provider_id: str) -> None:
    ensure_can_read_keys(who, provider_id)


def ensure_can_create_keys(who: Principal, provider_id: str) -> None:
    if who.via_api_key:
        raise Forbidden("an API key cannot create API keys: sign in as the provider's admin")
    if who.is_provider and who.provider_id != provider_id:
        raise Forbidden("you may only manage your own provider's API keys")
    if not (who.is_provider and PROVIDER_ADMIN in who.groups):
        raise Forbidden("only the provider's admin (provider_admin) may create API keys")
