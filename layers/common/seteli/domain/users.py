"""Provider users (spec 14): who signs in for a provider, in which role, on which service teams.

The sign-in itself lives in Cognito (email is the user name); the record here holds what the
system decides with: the role, whether the user is active, and the service teams. A passivated
user stays in the list (``active`` false) and can be reactivated.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class UserRole(StrEnum):
    provider_admin = "provider_admin"  # pääkäyttäjä: manages the company's data and users
    provider_user = "provider_user"  # käyttäjä: works on the services of its teams


ROLES = tuple(r.value for r in UserRole)


class ProviderUser(BaseModel):
    model_config = ConfigDict(extra="ignore")

    subject: str  # the Cognito ``sub``
    provider_id: str
    email: str
    name: str
    role: UserRole
    active: bool = True
    teams: list[str] = Field(default_factory=list)  # service ids of the tenant
    invited_by: str | None = None  # subject of the admin who added the user (None: registration, demo)
    passivated_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 0

    @property
    def is_admin(self) -> bool:
        return self.role == UserRole.provider_admin

    @property
    def is_active_admin(self) -> bool:
        return self.active and self.is_admin
