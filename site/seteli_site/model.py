"""The renderer's input (docs/site.md "The renderer")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from seteli.domain.comparison import ComparisonEntry
from seteli.domain.tenant import Tenant


@dataclass
class SiteInput:
    """Everything a build needs: the tenant, its entries per service, when, and the Helsinki date."""

    tenant: Tenant
    entries: dict[str, list[ComparisonEntry]]  # service id -> entries; every service of the tenant
    generated_at: datetime  # aware; shown in Helsinki time
    today: date  # Helsinki date (availability "updated N days ago")


@dataclass(frozen=True)
class Changes:
    """What changed since the last build: only these services' and providers' files are rendered
    (plus the front pages and ``data/index.json``)."""

    services: frozenset[str] | set[str] = field(default_factory=frozenset)
    providers: frozenset[str] | set[str] = field(default_factory=frozenset)
