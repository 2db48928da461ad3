"""Providers (palveluntuottaja) and their parts (tuottajanosa): sites, units, employees; their
billing details, subcontractors (alihankkija) and the latest obligations check (tilaajavastuu)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from seteli.domain.geo import LAT_RANGE, LON_RANGE


class PartKind(StrEnum):
    site = "site"  # toimipaikka
    unit = "unit"  # yksikkö
    employee = "employee"  # työntekijä


class ProviderStatus(StrEnum):
    """Where a company is in its life with the municipality.

    ``registered``: the company registered itself (or was added by the municipality) and may apply;
    ``active``: at least one application approved (set by the application review);
    ``passive``: no longer operating with the municipality (kept for history and settlements).
    """

    registered = "registered"
    active = "active"
    passive = "passive"


class ObligationsState(StrEnum):
    """Result of the contractor's-obligations check (tilaajavastuu, spec 3.5)."""

    ok = "ok"  # in the programme and its statutory documents are in order
    documents_missing = "documents_missing"  # in the programme, but some documents are missing or expired
    not_in_programme = "not_in_programme"  # not in "Luotettava Kumppani": the documents come as attachments
    unknown = "unknown"  # the register could not answer (checked again later)


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: str = Field(min_length=1, max_length=200)
    postal_code: str = Field(pattern=r"^\d{5}$")
    city: str = Field(min_length=1, max_length=100)


class Billing(BaseModel):
    """Where the municipality pays (spec 3.2). ``iban`` and ``bic`` are stored validated and compact."""

    model_config = ConfigDict(extra="forbid")

    iban: str
    bic: str
    reference_info: str | None = None  # what the payment's message or reference should say
    billing_email: str
    send_payment_pdf: bool = True  # the payment specification PDF by email ("maksuerittely")
    updated_at: datetime | None = None
    updated_by: str | None = None  # the subject of the user who changed it


class ProviderPart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    provider_id: str
    kind: PartKind = PartKind.site
    name: str
    address: Address | None = None
    lat: float | None = Field(default=None, ge=LAT_RANGE[0], le=LAT_RANGE[1])  # inside Finland
    lon: float | None = Field(default=None, ge=LON_RANGE[0], le=LON_RANGE[1])
    email: str | None = None  # a site's visible (notification) email; an employee's own
    code: str | None = None  # the provider's own code for the part
    phone: str | None = None
    site_id: str | None = None  # a unit's or employee's site
    description: str | None = None
    active: bool = True  # parts are passivated, never deleted (events and price lists point at them)
    billing: Billing | None = None  # a site's own billing: wins over the company's
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0


class Provider(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    business_id: str
    status: ProviderStatus = ProviderStatus.registered
    description: str | None = None
    contact_name: str | None = None  # the contact person
    contact_email: str | None = None
    contact_phone: str | None = None
    address: Address | None = None
    # search attribute id -> value ids (lisätiedot: filters on the public site)
    search_attributes: dict[str, list[str]] = Field(default_factory=dict)
    billing: Billing | None = None
    registered_by: str | None = None  # the first admin's email (registration)
    created_at: datetime
    updated_at: datetime
    version: int = 0


class Subcontractor(BaseModel):
    """A provider's subcontractor (alihankkija); its documents are attachments of the provider."""

    model_config = ConfigDict(extra="forbid")

    id: str
    provider_id: str
    name: str
    business_id: str
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    description: str | None = None
    active: bool = True
    created_at: datetime
    updated_at: datetime
    version: int = 0


class ObligationsStatus(BaseModel):
    """The latest obligations check of a provider (one item per provider, replaced by each check)."""

    model_config = ConfigDict(extra="forbid")

    business_id: str
    status: ObligationsState
    checked_at: datetime
    details: list[str] = Field(default_factory=list)
    source: str = "fake"  # which register answered
    version: int = 0
