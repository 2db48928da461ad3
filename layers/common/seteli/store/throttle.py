"""A small fixed-window counter for throttling (registrations per source address; guesses of
verification and citizen codes, where a right guess is given back). One item per (what, who,
window): ``THROTTLE#<what>#<who>`` / ``<window start>``, counted with an atomic ``ADD``
conditioned on the limit, and deleted by DynamoDB's TTL afterwards.

``who`` is stored hashed: a source address or an email is personal data, and the counter only has to
tell callers apart.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError

from seteli.errors import Throttled
from seteli.store import keys
from seteli.store.base import conditional_failed
from seteli.store.models import Item


class ThrottleItem(Item):
    """A counter; no version (the ADD is atomic and conditioned on the limit)."""

    kind = UnicodeAttribute(null=True)
    hits = NumberAttribute(null=True)
    ttl = NumberAttribute(null=True)


def window_start(at: datetime, window_seconds: int) -> int:
    """Epoch seconds of the start of the fixed window that holds ``at``."""
    epoch = int(at.timestamp())
    return epoch - epoch % window_seconds


def who_key(who: str) -> str:
    return hashlib.sha256(who.encode("utf-8")).hexdigest()[:20]


def hit(
    what: str,
    who: str,
    *,
    limit: int,
    window_seconds: int = 3600,
    at: datetime | None = None,
    message: str | None = None,
) -> int:
    """Count one attempt of ``who`` at ``what``; 429 (``Throttled``) when the window already holds
    ``limit`` attempts. Returns the count including this attempt."""
    at = at or datetime.now(UTC)
    start = window_start(at, window_seconds)
    item = ThrottleItem(keys.throttle_pk(what, who_key(who)), f"{start:012d}")
    try:
        item.update(
            actions=[
                ThrottleItem.hits.add(1),
                ThrottleItem.ttl.set(start + 2 * window_seconds),
                ThrottleItem.kind.set("throttle"),
            ],
            condition=ThrottleItem.hits.does_not_exist() | (ThrottleItem.hits < limit),
        )
    except UpdateError as exc:
        if conditional_failed(exc):
            wait = max(1, start + window_seconds - int(at.timestamp()))
            minutes = (wait + 59) // 60
            raise Throttled(
                message or f"too many attempts from here; try again in {minutes} minute{'s' if minutes != 1 else ''}"
            ) from exc
        raise
    return int(item.hits or 0)


def refund(what: str, who: str, *, window_seconds: int, at: datetime | None = None) -> None:
    """Give back one attempt counted by ``hit`` in the current window (a right code is no guess)."""
    start = window_start(at or datetime.now(UTC), window_seconds)
    item = ThrottleItem(keys.throttle_pk(what, who_key(who)), f"{start:012d}")
    try:
        item.update(actions=[ThrottleItem.hits.add(-1)], condition=ThrottleItem.hits > 0)
    except UpdateError as exc:
        if not conditional_failed(exc):
            raise  # the window turned meanwhile (no counter): nothing to give back


Guess = tuple[str, str, int]  # (what, who, limit per window)


def guess(attempts: list[Guess], *, window_seconds: int, message: str, at: datetime | None = None) -> None:
    """Count one guess of a code against each (what, who, limit): 429 with ``message`` when any of
    them is full. Atomic per counter, so a burst of parallel guesses cannot pass the limit. Call
    ``right_guess`` with the same attempts when the code was right."""
    for what, who, limit in attempts:
        hit(what, who, limit=limit, window_seconds=window_seconds, at=at, message=message)


def right_guess(attempts: list[Guess], *, window_seconds: int, at: datetime | None = None) -> None:
    for what, who, _ in attempts:
        refund(what, who, window_seconds=window_seconds, at=at)
