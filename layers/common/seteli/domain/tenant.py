"""The tenant configuration schema: a municipality's services as data (tenants/*.yaml).

A tenant file is read by :func:`seteli.domain.tenant_file.load_tenant_yaml`, validated here, stored
in the stack's table as JSON by the loader (``tools/load_tenant.py``), and read back by every
handler that needs it. ``tenants/README.md`` explains every field for the people who write the files.

Rules that span several fields report all their problems at once, each with its location relative
to the model that found it (``contents[2].voucher_value: ...``), so that the file loader can tell
exactly where a problem is (``services[3].contents[2].voucher_value: ...``).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from seteli.domain.geo import LAT_RANGE, LON_RANGE  # noqa: F401 - re-exported: sites lie in Finland
from seteli.domain.money import Money
from seteli.domain.units import ServiceKind, Unit  # noqa: F401 - re-exported: part of the tenant schema

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]

LANGUAGES = ("fi", "sv", "en")


class TenantProblems(ValueError):
    """Several problems found by one validator, each as (location relative to the model, message).

    Pydantic keeps the exception in the error's ``ctx["error"]``; the file loader uses
    ``problems`` to give each one its full location.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{loc}: {msg}" if loc else msg for loc, msg in self.problems))


def _raise_if(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise TenantProblems(problems)


def _repeats(values: list[str]) -> list[str]:
    return sorted({v for v in values if values.count(v) > 1})


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """Text in Finnish first, Swedish and English optional (falls back to Finnish)."""

    fi: str = Field(min_length=1)
    sv: str | None = None
    en: str | None = None

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.fi


class SettlementMode(StrEnum):
    self_billing = "self_billing"  # PSOP: the system pays by settled events
    provider_invoice = "provider_invoice"  # Palse: the provider's invoice must match


class InterruptionReason(StrEnum):
    hospital = "hospital"  # sairaala
    holiday = "holiday"  # loma
    other = "other"  # muu syy


class Band(Strict):
    """Days ``from_day``..``to_day`` of an interruption (day 1 = the day after departure)."""

    from_day: int = Field(ge=1)
    to_day: int | None = Field(default=None, ge=1)
    percent: int = Field(ge=0, le=100)


class InterruptionRule(Strict):
    """Payment percentages of an interruption (keskeytyssääntö), spec section 8.

    Day 0 is the departure day, the bands cover days 1, 2, ... without gaps or overlaps (the last
    one open-ended), and the return day has its own percentage.
    """

    id: Slug
    name: Text
    valid_from: date | None = None
    departure_day_percent: int = Field(ge=0, le=100)
    bands: list[Band] = Field(min_length=1)
    return_day_percent: int = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _contiguous(self) -> Self:
        problems: list[tuple[str, str]] = []
        expected = 1
        for i, band in enumerate(self.bands):
            last = i == len(self.bands) - 1
            here = f"bands[{i}]"
            if band.from_day != expected:
                msg = f"must be {expected}, the day after the previous band (no gaps, no overlaps)"
                problems.append((f"{here}.from_day", msg))
            if band.to_day is None and not last:
                problems.append((f"{here}.to_day", "only the last band may be open-ended (to_day omitted)"))
            if band.to_day is not None and band.to_day < band.from_day:
                problems.append((f"{here}.to_day", "is before from_day"))
            if last and band.to_day is not None:
                problems.append((f"{here}.to_day", "the last band must be open-ended: omit to_day"))
            expected = (band.to_day or band.from_day) + 1
        _raise_if(problems)
        return self

    def percent_for_day(self, day: int, *, return_day: bool = False) -> int:
        """Percentage of interruption day ``day`` (0 = departure day); ``return_day`` wins."""
        if return_day:
            return self.return_day_percent
        if day < 0:
            raise ValueError("interruption days start at 0 (the departure day)")
        if day == 0:
            return self.departure_day_percent
        for band in self.bands:
            if band.from_day <= day and (band.to_day is None or day <= band.to_day):
                return band.percent
        raise AssertionError("bands are contiguous and open-ended")  # pragma: no cover


class AttachmentType(Strict):
    """A kind of document a provider uploads (liitetyyppi), e.g. a trade register extract."""

    id: Slug
    name: Text
    description: Text | None = None
    # Among the documents the Tilaajavastuu obligations check fetches and monitors (spec 3.5).
    obligations_check: bool = False


class Rulebook(Strict):
    """A service's acceptance criteria (sääntökirja); the version a provider accepts is stored."""

    id: Slug
    version: str = Field(min_length=1)
    title: Text
    url: str | None = None
    # Providers may change the prices of an approved application only inside this window
    # (first and last day, inclusive). None: whenever they like, by a new price list.
    price_change_window: tuple[date, date] | None = None

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.price_change_window and self.price_change_window[0] > self.price_change_window[1]:
            raise TenantProblems([("price_change_window", "the window must start before it ends")])
        return self


class SearchValue(Text):
    """One value of a search attribute; ``id`` keeps the value stable when its text is edited."""

    id: Slug | None = None


class SearchAttribute(Strict):
    """A provider detail used as a filter on the public site (lisätiedot, hakukriteeri)."""

    id: Slug
    name: Text
    values: list[SearchValue] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_values(self) -> Self:
        dupes = _repeats([v.id for v in self.values if v.id])
        if dupes:
            raise TenantProblems([("values", f"value ids repeat: {', '.join(dupes)}")])
        return self


class Content(Strict):
    """A priced line item of a service (palvelusisältö)."""

    id: Slug
    name: Text
    unit: Unit
    voucher_value: Money | None = None  # municipality's value per unit (voucher), if fixed
    customer_pays: bool = False  # "asiakas maksaa": the customer pays the whole price
    # Balance voucher (saldoseteli): what the municipality pays per unit, e.g. 20.00 EUR/h.
    subsidy: Money | None = None
    # "ei omavastuuta": the customer pays no own share; the voucher value is all the provider gets.
    no_own_share: bool = False
    # Income-graded voucher values a citizen may pick from on the public site's own-share calculator
    # (e.g. 28, 32 and 36 EUR/h); empty: the calculator offers ``voucher_value`` (or ``subsidy``).
    voucher_values: list[Money] = Field(default_factory=list)

    @field_validator("voucher_value", "subsidy")
    @classmethod
    def _not_negative(cls, value: Money | None) -> Money | None:
        if value is not None and value < Money.zero():
            raise ValueError("must not be negative")
        return value

    @field_validator("voucher_values")
    @classmethod
    def _values_not_negative(cls, values: list[Money]) -> list[Money]:
        if any(v < Money.zero() for v in values):
            raise ValueError("must not be negative")
        return values

    def calculator_values(self) -> list[Money]:
        """The voucher values the public site's calculator offers for this content (may be empty)."""
        if self.voucher_values:
            return list(self.voucher_values)
        value = self.municipality_value()
        return [value] if value is not None else []

    def municipality_value(self) -> Money | None:
        """The municipality's fixed value per unit: a balance voucher's subsidy, else the voucher value."""
        return self.subsidy if self.subsidy is not None else self.voucher_value


class MandatoryAttachments(Strict):
    company: list[Slug] = Field(default_factory=list)
    site: list[Slug] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        problems = [
            (level, f"repeats {', '.join(dupes)}")
            for level, dupes in (("company", _repeats(self.company)), ("site", _repeats(self.site)))
            if dupes
        ]
        _raise_if(problems)
        return self


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

    @model_validator(mode="after")
    def _no_overlap(self) -> Self:
        problems: list[tuple[str, str]] = []
        ordered = sorted(enumerate(self.rounds), key=lambda r: r[1].opens)
        for (_, a), (j, b) in zip(ordered, ordered[1:], strict=False):
            if b.opens <= a.closes:
                problems.append((f"rounds[{j}]", f"overlaps the round {a.opens}..{a.closes}"))
        _raise_if(problems)
        return self


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
    # Events may carry round-trip km, paid at the tenant's travel_rate_per_km (matkakorvaus).
    travel_compensation: bool = False

    @model_validator(mode="after")
    def _unique_contents(self) -> Self:
        problems: list[tuple[str, str]] = []
        dupes = _repeats([c.id for c in self.contents])
        if dupes:
            problems.append(("contents", f"content ids repeat: {', '.join(dupes)}"))
        has_day_unit = any(c.unit == Unit.day for c in self.contents)
        if self.interruptions and not has_day_unit:
            problems.append(("interruptions", "interruptions are only for services with day-unit contents"))
        if self.auto_events and not has_day_unit:
            problems.append(("auto_events", "automatic events are for day-unit contents only; none here"))
        attr_dupes = _repeats(self.search_attributes)
        if attr_dupes:
            problems.append(("search_attributes", f"repeats {', '.join(attr_dupes)}"))
        for i, c in enumerate(self.contents):
            problems.extend((f"contents[{i}].{field}", msg) for field, msg in self._content_problems(c))
        _raise_if(problems)
        return self

    def _content_problems(self, c: Content) -> list[tuple[str, str]]:
        """(field, message) for what a content of this kind of service may not have."""
        if c.customer_pays:
            msg = "a content the customer pays in full (customer_pays) has none"
            given = {"voucher_value": c.voucher_value is not None, "subsidy": c.subsidy is not None}
            given["no_own_share"] = c.no_own_share
            return [(field, msg) for field, is_set in given.items() if is_set]
        out: list[tuple[str, str]] = []
        if self.kind == ServiceKind.purchased_service:
            msg = "a purchased service pays the provider's contract price: omit it"
            out += [(f, msg) for f in ("voucher_value", "subsidy") if getattr(c, f) is not None]
        if self.kind == ServiceKind.balance_voucher and c.voucher_value is not None:
            out.append(("voucher_value", "a balance voucher's content has a subsidy, not a voucher_value"))
        if self.kind != ServiceKind.balance_voucher and c.subsidy is not None:
            out.append(("subsidy", "only balance-voucher contents have a subsidy; use voucher_value"))
        if self.kind != ServiceKind.voucher and c.no_own_share:
            out.append(("no_own_share", "only for voucher services"))
        return out

    def content(self, content_id: str) -> Content | None:
        return next((c for c in self.contents if c.id == content_id), None)


class Calendar(Strict):
    """Days of the month on which the monthly work happens (spec section 11).

    ``auto_events_day`` is a day of month M itself (the night of the 4th: drafts for month M);
    the others are days of month M+1 for the events of month M.
    """

    auto_events_day: int = Field(default=4, ge=1, le=28)
    reminder_days: list[int] = Field(default_factory=lambda: [1, 2])
    provider_deadline_day: int = Field(default=2, ge=1, le=28)
    municipality_deadline_day: int = Field(default=3, ge=1, le=28)
    settlement_day: int = Field(default=4, ge=1, le=28)
    event_window_days_back: int = Field(default=60, ge=0, le=366)

    @model_validator(mode="after")
    def _order(self) -> Self:
        problems: list[tuple[str, str]] = []
        if not (self.provider_deadline_day <= self.municipality_deadline_day <= self.settlement_day):
            msg = "provider deadline, municipality deadline and settlement must come in that order"
            problems.append(("", msg))
        for i, day in enumerate(self.reminder_days):
            if not 1 <= day <= self.provider_deadline_day:
                msg = f"a reminder comes on days 1..{self.provider_deadline_day} (the provider deadline)"
                problems.append((f"reminder_days[{i}]", msg))
        if _repeats([str(d) for d in self.reminder_days]):
            problems.append(("reminder_days", "days repeat"))
        _raise_if(problems)
        return self


OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


class SiteSettings(Strict):
    """The public comparison site (spec 16)."""

    # Leaflet tile URL template; "" draws no background map (the markers and the list still work).
    tiles_url: str = OSM_TILES
    tiles_attribution: str = OSM_ATTRIBUTION
    max_zoom: int = Field(default=18, ge=1, le=22)
    page_size: int = Field(default=50, ge=10, le=500)  # list rows per page without JavaScript
    # Where the site is served (for canonical links and the open data's address); None: relative only.
    base_url: str | None = None
    # Availability older than this many days is shown as "not updated recently".
    availability_stale_days: int = Field(default=30, ge=1, le=365)


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
    site: SiteSettings = Field(default_factory=SiteSettings)
    attachment_types: list[AttachmentType] = Field(default_factory=list)
    rulebooks: list[Rulebook] = Field(min_length=1)
    # The general part every service's rulebook builds on (sääntökirjan yleinen osa), if any;
    # a provider accepts it together with the service's own rulebook.
    general_rulebook: Slug | None = None
    interruption_rules: list[InterruptionRule] = Field(default_factory=list)
    search_attributes: list[SearchAttribute] = Field(default_factory=list)
    services: list[Service] = Field(min_length=1)

    @field_validator("travel_rate_per_km")
    @classmethod
    def _rate_not_negative(cls, value: Money | None) -> Money | None:
        if value is not None and value < Money.zero():
            raise ValueError("must not be negative")
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language {', '.join(map(repr, unknown))}: use {', '.join(LANGUAGES)}")
        if "fi" not in value:
            raise ValueError("Finnish (fi) is always a language: every text has it")
        if _repeats(value):
            raise ValueError("languages repeat")
        return value

    @field_validator("map_center")
    @classmethod
    def _in_finland(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None:
            lat, lon = value
            if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
                msg = f"[{lat}, {lon}] is not in Finland: give [latitude, longitude], e.g. [62.2426, 25.7473]"
                raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _references(self) -> Self:
        problems: list[tuple[str, str]] = []

        def unique(where: str, kind: str, ids: list[str]) -> None:
            dupes = _repeats(ids)
            if dupes:
                problems.append((where, f"{kind} ids repeat: {', '.join(dupes)}"))

        def known(ids: set[str]) -> str:
            return ", ".join(sorted(ids)) or "none defined"

        unique("services", "service", [s.id for s in self.services])
        unique("rulebooks", "rulebook", [r.id for r in self.rulebooks])
        unique("interruption_rules", "interruption rule", [r.id for r in self.interruption_rules])
        unique("attachment_types", "attachment type", [a.id for a in self.attachment_types])
        unique("search_attributes", "search attribute", [a.id for a in self.search_attributes])
        rulebooks = {r.id for r in self.rulebooks}
        rules = {r.id for r in self.interruption_rules}
        types = {a.id for a in self.attachment_types}
        attrs = {a.id for a in self.search_attributes}

        def bad(loc: str, msg: str) -> None:
            problems.append((loc, msg))

        if self.general_rulebook and self.general_rulebook not in rulebooks:
            bad("general_rulebook", f"unknown rulebook {self.general_rulebook} (known: {known(rulebooks)})")
        prefixes: dict[str, str] = {}
        for i, s in enumerate(self.services):
            here, sid = f"services[{i}]", f"service {s.id}"
            if s.rulebook not in rulebooks:
                bad(f"{here}.rulebook", f"{sid}: unknown rulebook {s.rulebook} (known: {known(rulebooks)})")
            for reason, rule in s.interruptions.items():
                if rule not in rules:
                    msg = f"{sid}: unknown interruption rule {rule} (known: {known(rules)})"
                    bad(f"{here}.interruptions.{reason.value}", msg)
            for level in ("company", "site"):
                for j, t in enumerate(getattr(s.mandatory_attachments, level)):
                    if t not in types:
                        msg = f"{sid}: unknown attachment type {t} (known: {known(types)})"
                        bad(f"{here}.mandatory_attachments.{level}[{j}]", msg)
            for j, a in enumerate(s.search_attributes):
                if a not in attrs:
                    msg = f"{sid}: unknown search attribute {a} (known: {known(attrs)})"
                    bad(f"{here}.search_attributes[{j}]", msg)
            prefix = s.invoice_reference_prefix
            if self.settlement_mode == SettlementMode.provider_invoice and not prefix:
                msg = f"{sid}: provider-invoice mode needs an invoice_reference_prefix"
                bad(f"{here}.invoice_reference_prefix", msg)
            if prefix:
                other = prefixes.setdefault(prefix, s.id)
                if other != s.id:
                    msg = f"invoice reference prefix {prefix} repeats: service {other} has it too"
                    bad(f"{here}.invoice_reference_prefix", msg)
            if s.travel_compensation and self.travel_rate_per_km is None:
                bad(f"{here}.travel_compensation", f"{sid}: needs the tenant's travel_rate_per_km")
        _raise_if(problems)
        return self

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def rulebook(self, rulebook_id: str) -> Rulebook | None:
        return next((r for r in self.rulebooks if r.id == rulebook_id), None)

    def interruption_rule(self, service_id: str, reason: InterruptionReason | str) -> InterruptionRule | None:
        """The rule that pays a ``reason`` interruption of the service, or None if it has none."""
        service = self.service(service_id)
        rule_id = service.interruptions.get(InterruptionReason(reason)) if service else None
        return next((r for r in self.interruption_rules if r.id == rule_id), None)
