"""API keys: machine access for a provider's own systems (PSOP offers a key valid at most a year).

A key is ``seteli_<key_id>_<secret>``. Only a SHA-256 hash of the whole key is stored; the secret is
shown once, when the key is created. A key acts as its provider's admin for the API, except that it
cannot create or revoke keys. It stops working when revoked (kept for audit) or after its
``expires_on`` date (Europe/Helsinki).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class ApiKey(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str  # the key_id: 12 lower-case letters and digits, part of the key itself
    provider_id: str
    name: str
    hash: str  # SHA-256 hex of the whole key; never the key
    last4: str | None = None  # the secret's last 4 characters, to tell keys apart in a list
    created_by: str  # the admin's Cognito sub
    created_at: datetime
    expires_on: date  # the last day the key works
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    version: int = Field(default=0)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def status(self, today: date) -> str:
        """active, revoked or expired (on ``today``, a Helsinki date)."""
        if self.revoked:
            return "revoked"
        if today > self.expires_on:
            return "expired"
        return "active"
