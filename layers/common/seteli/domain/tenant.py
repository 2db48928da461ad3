"""The tenant configuration schema: a municipality's services as data (tenants/*.yaml).

A tenant file is validated here, stored in the stack's table as JSON by the loader
(``python -m seteli.tools.load_tenant``), and read back by every handler that needs it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from seteli.domain.money import Money

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """Text in Finnish first, Swedish and English optional (falls back to Finnish)."""

    fi: str = Field(min_length=1)
    sv: str | None = None
    en: str | None = None

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.fi


class Unit(StrEnum):
    day = "day"  # vrk
    hour = "hour"  # h
    month = "month"  # kk
    piece = "piece"  # kpl
    m2_month = "m2_month"  # m2/kk


class ServiceKind(StrEnum):
    voucher = "voucher"  # palveluseteli
    balance_voucher = "balance_voucher"  # saldoseteli
    purchased_service = "purchased_service"  # ostopalvelu


class SettlementMode(StrEnum):
    self_billing = "self_billing"  # PSOP: the system pays by settled events
    provider_invoice = "provider_invoice"  # Palse: the provider's invoice must match


class InterruptionReason(StrEnum):
    hospital = "hospital"
    holiday = "holiday"
    other = "other"


class Band(Strict):
    """Days ``from_day``..``to_day`` of an interruption (day 1 = the day after departure)."""

    from_day: int = Field(ge=1)
    to_day: int | None = Field(default=None, ge=1)
    percent: int = Field(ge=0, le=100)


class InterruptionRule(Strict):
    id: Slug
    name: Text
    valid_from: date | None = None
    departure_day_percent: int = Field(ge=0, le=100)
    bands: list[Band] = Field(min_length=1)
    return_day_percent: int = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _contiguous(self) -> Self:
        expected = 1
        for i, band in enumerate(self.bands):
            if band.from_day != expected:
                raise ValueError(f"bands[{i}] must start at day {expected} (no gaps, no overlaps)")
            last = i == len(self.bands) - 1
            if band.to_day is None and not last:
                raise ValueError(f"bands[{i}]: only the last band may be open-ended")
            if band.to_day is not None and band.to_day < band.from_day:
                raise ValueError(f"bands[{i}]: to_day before from_day")
            if last and band.to_day is not None:
                raise ValueError("the last band must be open-ended (to_day omitted)")
            expected = (band.to_day or 0) + 1
        return self


class AttachmentType(Strict):
    id: Slug
    name: Text


class Rulebook(Strict):
    id: Slug
    version: str = Field(min_length=1)
    title: Text
    url: str | None = None
    price_change_window: tuple[date, date] | None = None


class SearchAttribute(Strict):
    id: Slug
    name: Text
    values: list[Text] = Field(default_factory=list)


class Content(Strict):
    """A priced line item of a service (palvelusisältö)."""

    id: Slug
    name: Text
    unit: Unit
    voucher_value: Money | None = None  # municipality's value per unit (voucher), if fixed
    customer_pays: bool = False  # "asiakas maksaa": the customer pays the whole price


class MandatoryAttachments(Strict):
    company: list[Slug] = Field(default_factory=list)
    site: list[Slug] = Field(default_factory=list)


class ApplicationRound(Strict):
    opens: date
    closes: date
    decisions_by: date

    @model_validator(mode="after")
    def _order(self) -> Self:
        if not (self.opens <= self.closes <= self.decisions_by):
            raise ValueError("a round must open before it closes, and close before its decisions")
        return self


class Applications(Strict):
    continuous: bool = True
    rounds: list[ApplicationRound] = Field(default_factory=list)


class Service(Strict):
    id: Slug
    name: Text
    description: Text | None = None
    kind: ServiceKind = ServiceKind.voucher
    contents: list[Content] = Field(min_length=1)
    rulebook: Slug
    auto_events: bool = False
    interruptions: dict[InterruptionReason, Slug] = Field(default_factory=dict)
    mandatory_attachments: MandatoryAttachments = Field(default_factory=MandatoryAttachments)
    applications: Applications = Field(default_factory=Applications)
    invoice_reference_prefix: str | None = Field(default=None, pattern=r"^[A-Z0-9]{2,10}$")
    search_attributes: list[Slug] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_contents(self) -> Self:
        ids = [c.id for c in self.contents]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"content ids repeat: {', '.join(dupes)}")
        if self.interruptions and not any(c.unit == Unit.day for c in self.contents):
            raise ValueError("interruptions are only for services with day-unit contents")
        return self

    def content(self, content_id: str) -> Content | None:
        return next((c for c in self.contents if c.id == content_id), None)


class Calendar(Strict):
    """Days of month M+1 on which the monthly work for month M happens (spec section 11)."""

    auto_events_day: int = Field(default=4, ge=1, le=28)
    reminder_days: list[int] = Field(default_factory=lambda: [1, 2])
    provider_deadline_day: int = Field(default=2, ge=1, le=28)
    municipality_deadline_day: int = Field(default=3, ge=1, le=28)
    settlement_day: int = Field(default=4, ge=1, le=28)
    event_window_days_back: int = Field(default=60, ge=0, le=366)

    @model_validator(mode="after")
    def _order(self) -> Self:
        if not (self.provider_deadline_day <= self.municipality_deadline_day <= self.settlement_day):
            raise ValueError("provider deadline, municipality deadline and settlement must come in that order")
        return self


class Tenant(Strict):
    """A municipality's whole configuration."""

    id: Slug
    name: Text
    business_id: str | None = None
    home_municipality_code: str | None = Field(default=None, pattern=r"^\d{3}$")
    settlement_mode: SettlementMode
    calendar: Calendar = Field(default_factory=Calendar)
    travel_rate_per_km: Money | None = None
    notification_email: str | None = None
    languages: list[str] = Field(default_factory=lambda: ["fi", "sv", "en"])
    map_center: tuple[float, float] | None = None  # lat, lon for the public site
    attachment_types: list[AttachmentType] = Field(default_factory=list)
    rulebooks: list[Rulebook] = Field(min_length=1)
    interruption_rules: list[InterruptionRule] = Field(default_factory=list)
    search_attributes: list[SearchAttribute] = Field(default_factory=list)
    services: list[Service] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> Self:
        problems: list[str] = []

        def unique(kind: str, ids: list[str]) -> None:
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                problems.append(f"{kind} ids repeat: {', '.join(dupes)}")

        unique("service", [s.id for s in self.services])
        unique("rulebook", [r.id for r in self.rulebooks])
        unique("interruption rule", [r.id for r in self.interruption_rules])
        unique("attachment type", [a.id for a in self.attachment_types])
        unique("search attribute", [a.id for a in self.search_attributes])
        rulebooks = {r.id for r in self.rulebooks}
        rules = {r.id for r in self.interruption_rules}
        types = {a.id for a in self.attachment_types}
        attrs = {a.id for a in self.search_attributes}
        prefixes: list[str] = []
        for s in self.services:
            if s.rulebook not in rulebooks:
                problems.append(f"service {s.id}: unknown rulebook {s.rulebook}")
            for reason, rule in s.interruptions.items():
                if rule not in rules:
                    problems.append(f"service {s.id}: unknown interruption rule {rule} for {reason.value}")
            for t in [*s.mandatory_attachments.company, *s.mandatory_attachments.site]:
                if t not in types:
                    problems.append(f"service {s.id}: unknown attachment type {t}")
            for a in s.search_attributes:
                if a not in attrs:
                    problems.append(f"service {s.id}: unknown search attribute {a}")
            if self.settlement_mode == SettlementMode.provider_invoice and not s.invoice_reference_prefix:
                problems.append(f"service {s.id}: provider-invoice mode needs an invoice_reference_prefix")
            if s.invoice_reference_prefix:
                prefixes.append(s.invoice_reference_prefix)
        unique("invoice reference prefix", prefixes)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)
