"""Providers (palveluntuottaja) and their parts (tuottajanosa): sites, units, employees."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class PartKind(StrEnum):
    site = "site"  # toimipaikka
    unit = "unit"  # yksikkö
    employee = "employee"  # työntekijä


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: str
    postal_code: str = Field(pattern=r"^\d{5}$")
    city: str


class ProviderPart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    provider_id: str
    kind: PartKind = PartKind.site
    name: str
    address: Address | None = None
    lat: float | None = Field(default=None, ge=59.0, le=70.5)  # inside Finland
    lon: float | None = Field(default=None, ge=19.0, le=31.6)
    email: str | None = None
    code: str | None = None


class Provider(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    business_id: str
    description: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    address: Address | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 0
