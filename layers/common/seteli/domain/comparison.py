"""The public comparison data (spec 16, issue 7): what a citizen sees of a provider for one service.

One ``ComparisonEntry`` per provider and service, for providers whose application for the service
is approved and who have a price list valid today. The entry is a read model: it is computed by
``seteli.rules.comparison.entry_for`` from the provider, its sites, the approved application, the
price lists, its availability and its feedback, and kept in the table (``COMPARE#<service>``) by the
site publisher whenever one of those changes. The public API and the static site read the same
entries, and the site publishes them as open JSON (``data/<service>.json``, schema
``data/schema.json``; documented in docs/site.md).

Nothing here is personal: a provider is a company, its contact is its business contact, and the
quality figures are counts.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from seteli.domain.money import Money

SCHEMA_VERSION = 1


class PriceLevel(StrEnum):
    company = "company"  # the company's list, for every site without its own
    site = "site"  # the site's own list


class ComparisonSite(BaseModel):
    """A place where the service is given, with its prices per content (euros per content's unit)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    lat: float | None = None  # None: not on the map (still in the list)
    lon: float | None = None
    phone: str | None = None
    email: str | None = None
    prices: dict[str, Money]  # content id -> price per unit, the list valid today
    price_level: PriceLevel
    prices_from: date  # the list's first day
    next_prices_from: date | None = None  # a newer approved list starts on this day


class Availability(BaseModel):
    """How soon the provider can start (the provider keeps it current through the API).

    ``starts_within_days``: 0 = at once, n = within n days, None = no free places now (a queue).
    """

    model_config = ConfigDict(extra="forbid")

    starts_within_days: int | None = Field(default=None, ge=0, le=365)
    free_places: int | None = Field(default=None, ge=0, le=10000)
    note: str | None = Field(default=None, max_length=280)
    updated_at: datetime


class Quality(BaseModel):
    """Verified feedback of the last 12 months (only signed-in customers with a relation give it).

    ``answered_share``: of the feedback that needed a reply (reply asked, or a reclamation), the
    share replied to, 0..1 with two decimals; None when none needed one.
    """

    model_config = ConfigDict(extra="forbid")

    since: date
    until: date
    thanks: int = 0
    complaints: int = 0
    reclamations: int = 0
    needing_reply: int = 0
    answered: int = 0
    answered_share: Decimal | None = None


class ComparisonEntry(BaseModel):
    """One provider for one service, as the public sees it."""

    model_config = ConfigDict(extra="forbid")

    service_id: str
    provider_id: str
    name: str
    business_id: str
    description: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    # search attribute id -> value ids (only the service's attributes)
    search_attributes: dict[str, list[str]] = Field(default_factory=dict)
    # where it serves: the application's operating areas and its sites' cities, without repeats
    areas: list[str] = Field(default_factory=list)
    availability: Availability | None = None
    quality: Quality
    sites: list[ComparisonSite] = Field(min_length=1)
    updated_at: datetime  # when the entry was computed


class ComparisonFile(BaseModel):
    """The open JSON of one service (``data/<service_id>.json``)."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    tenant_id: str
    service_id: str
    generated_at: datetime
    entries: list[ComparisonEntry]


class StoredAvailability(Availability):
    """A provider's availability for one service as stored (with who changed it and the version)."""

    provider_id: str
    service_id: str
    updated_by: str
    version: int = 0


class SitePointer(BaseModel):
    """Which build of the site is live: the last full build (``base``) and, per path, the newer
    build that rewrote it since (``overrides``). Flipped in one conditional write, so a reader sees
    the old site or the new one, never a mix (docs/site.md "Publishing")."""

    model_config = ConfigDict(extra="forbid")

    base: str
    generation: int = 1  # a full build starts a new generation; a small build adds overrides to it
    overrides: dict[str, str] = Field(default_factory=dict)
    published_at: datetime
    builds: list[str] = Field(default_factory=list)  # the builds the pointer uses (base + overrides)
    retired: list[str] = Field(default_factory=list)  # the previous generation (deleted at the next full build)
    version: int = 0

    def build_of(self, path: str) -> str:
        """The build that serves ``path`` (what the CloudFront function does with the KeyValueStore)."""
        return self.overrides.get(path, self.base)
