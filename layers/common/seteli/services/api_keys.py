"""API keys (issue 3): a provider's admin creates, lists and revokes keys for its own systems;
municipality admins list and revoke them; the authorizer checks a key on every request.

Every permission check runs before anything is read (a 403 never tells whether another provider or
key exists). The key itself is returned once by ``create_key`` and exists nowhere else.
"""

from __future__ import annotations

from datetime import date, datetime

from seteli import clock
from seteli.api.auth import Principal
from seteli.clock import now
from seteli.domain.api_keys import ApiKey
from seteli.errors import Conflict, Forbidden, NotFound
from seteli.rules import api_keys as rules


def today(at: datetime | None = None) -> date:
    """Today in Finland (keys expire at the end of their day, Helsinki time)."""
    return clock.today(at)


def _ensure_active_admin(repos, who: Principal, provider_id: str) -> None:
    """Tokens live for an hour: the user record tells whether the admin was passivated or demoted."""
    me = repos.users.get(provider_id, who.subject)
    if me is not None and not me.is_active_admin:
        raise Forbidden("your account is no longer an active admin of the provider")


def create_key(
    repos, who: Principal, provider_id: str, *, name: str, expires_on: date, on: date | None = None
) -> tuple[ApiKey, str]:
    """The new key's record and the key itself (to show once)."""
    rules.ensure_can_create_keys(who, provider_id)
    on = on or today()
    rules.validate_new_key(name, expires_on, on)
    if repos.providers.get(provider_id) is None:
        raise NotFound("no such provider")
    _ensure_active_admin(repos, who, provider_id)
    active = [k for k in repos.api_keys.list(provider_id) if k.status(on) == "active"]
    if len(active) >= rules.MAX_ACTIVE_KEYS:
        raise Conflict(f"the provider has {len(active)} active API keys already: revoke one first")
    key_id, key = rules.new_key()
    record = ApiKey(
        id=key_id,
        provider_id=provider_id,
        name=name.strip(),
        hash=rules.hash_key(key),
        last4=rules.last4(key),
        created_by=who.subject,
        created_at=now(),
        expires_on=expires_on,
    )
    return repos.api_keys.create(record), key


def list_keys(repos, who: Principal, provider_id: str) -> list[ApiKey]:
    rules.ensure_can_read_keys(who, provider_id)
    if who.is_provider:
        _ensure_active_admin(repos, who, provider_id)
    return repos.api_keys.list(provider_id)


def revoke_key(repos, who: Principal, provider_id: str, key_id: str) -> ApiKey:
    """Revoke (kept for audit). Revoking a revoked key changes nothing and answers the key."""
    rules.ensure_can_revoke_keys(who, provider_id)
    if who.is_provider:
        _ensure_active_admin(repos, who, provider_id)
    key = repos.api_keys.get(key_id) if rules.KEY_ID_PATTERN.match(key_id or "") else None
    if key is None or key.provider_id != provider_id:
        raise NotFound("no such API key for this provider")
    if key.revoked:
        return key
    return repos.api_keys.update(key.model_copy(update={"revoked_at": now(), "revoked_by": who.subject}))


def current_key(repos, who: Principal) -> ApiKey:
    """The API key making the request (what ``seteli whoami`` shows for a key)."""
    if not who.via_api_key or not who.key_id:
        raise NotFound("this request is not signed with an API key (signed-in users: `seteli whoami`)")
    key = repos.api_keys.get(who.key_id)
    if key is None:
        raise NotFound("no such API key")
    return key


def authenticate(repos, key: str | None, on: date | None = None) -> ApiKey | None:
    """The key's record when ``key`` is a valid, unrevoked, unexpired key; None otherwise."""
    key_id = rules.parse_key(key)
    if key_id is None:
        return None
    record = repos.api_keys.get(key_id)
    if record is None or not rules.key_matches(key, record.hash):
        return None
    if not rules.is_usable(record.revoked, record.expires_on, on or today()):
        return None
    return record
