"""Time, the one way: instants are UTC, days are Finnish (Europe/Helsinki).

A light module (no boto3, no pynamodb): every layer may import it at module level.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


def now() -> datetime:
    """This instant, in UTC."""
    return datetime.now(UTC)


def today(at: datetime | None = None) -> date:
    """The day in Finland at ``at`` (default: now). A day-bound rule (expiry, validity, price
    changes) uses this date, never the server's or UTC's."""
    return (at or now()).astimezone(HELSINKI).date()
