"""The public comparison (spec 16): who is shown for a service, with what, and the citizen's own share. Pure.

- A provider is shown for a service when its application for the service is approved and a price
  list of the service is valid today (the company's, or a site's own for that site).
- A site is shown when the approved application names it (or names none: then every active site)
  and a price list covers it today; a site's own list wins over the company's.
- The own share per unit (the calculator): the whole price when the customer pays
  (``customer_pays``), nothing when the content has no own share, else price - voucher value, never
  below zero (spec 12). The site's JavaScript computes the same (tested against this).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from seteli.clock import HELSINKI
from seteli.domain.applications import Application, ApplicationStatus
from seteli.domain.comparison import Availability, ComparisonEntry, ComparisonSite, Quality
from seteli.domain.comparison import PriceLevel as SiteLevel
from seteli.domain.events import Feedback, FeedbackType
from seteli.domain.money import Money
from seteli.domain.provider import PartKind, Provider, ProviderPart, ProviderStatus
from seteli.domain.tenant import Content, Service
from seteli.errors import FieldError
from seteli.rules.price_lists import PriceLevel, PriceList, price_on, validity


def unit_own_share(content: Content, price: Money, value: Money | None) -> Money | None:
    """The customer's own share of one unit at ``price`` with the voucher ``value``; None when the
    value is not known (the citizen has not given one and the content has no fixed value)."""
    if content.customer_pays:
        return price
    if content.no_own_share:
        return Money.zero()
    if value is None:
        return None
    share = price - value
    return share if share > Money.zero() else Money.zero()


# ---------------------------------------------------------------- who is shown, with what

QUALITY_MONTHS = 12


def quality_window(today: date) -> tuple[date, date]:
    """The last 12 months up to today: from the day after today's date a year ago (29.2. -> 1.3.)."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + timedelta(days=1), today


def quality(feedback: Iterable[Feedback], today: date) -> Quality:
    """Counts of verified feedback given in the window (Helsinki dates) and the share answered."""
    since, until = quality_window(today)
    counts = {FeedbackType.thanks: 0, FeedbackType.complaint: 0, FeedbackType.reclamation: 0}
    needing = answered = 0
    for fb in feedback:
        day = fb.created_at.astimezone(HELSINKI).date()
        if not since <= day <= until:
            continue
        counts[fb.type] = counts.get(fb.type, 0) + 1
        if fb.reply_requested or fb.type is FeedbackType.reclamation:
            needing += 1
            answered += fb.reply is not None
    share = None
    if needing:
        share = (Decimal(answered) / Decimal(needing)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Quality(
        since=since,
        until=until,
        thanks=counts[FeedbackType.thanks],
        complaints=counts[FeedbackType.complaint],
        reclamations=counts[FeedbackType.reclamation],
        needing_reply=needing,
        answered=answered,
        answered_share=share,
    )


def _next_start(intervals: list, today: date) -> date | None:
    starts = [first for _pl, first, _last in intervals if first > today]
    return min(starts) if starts else None


def site_entry(
    service: Service, provider_id: str, part: ProviderPart, lists: list[PriceList], today: date
) -> ComparisonSite | None:
    """The site with the prices valid today (its own list wins, content by content, over the
    company's), or None when no content of the service has a price there today."""
    try:
        part_iv = validity(lists, provider_id, service.id, PriceLevel.part, part.id)
        company_iv = validity(lists, provider_id, service.id, PriceLevel.company, None)
    except ValueError:  # two approved lists start on the same day: cannot happen past the guard items
        return None
    prices: dict[str, Money] = {}
    used: list[PriceList] = []
    for content in service.contents:
        resolved = price_on(lists, provider_id, service.id, content.id, part.id, today)
        if resolved is not None:
            prices[content.id] = resolved.price
            used.append(resolved.price_list)
    if not prices:
        return None
    own = [pl for pl in used if pl.level is PriceLevel.part]
    level = SiteLevel.site if own else SiteLevel.company
    first = max(pl.starts_on for pl in used)
    nxt = [d for d in (_next_start(part_iv, today), _next_start(company_iv, today)) if d is not None]
    address = part.address
    return ComparisonSite(
        id=part.id,
        name=part.name,
        street=address.street if address else None,
        postal_code=address.postal_code if address else None,
        city=address.city if address else None,
        lat=part.lat,
        lon=part.lon,
        phone=part.phone,
        email=part.email,
        prices=prices,
        price_level=level,
        prices_from=first,
        next_prices_from=min(nxt) if nxt else None,
    )


def entry_for(
    service: Service,
    provider: Provider,
    parts: Iterable[ProviderPart],
    application: Application | None,
    lists: Iterable[PriceList],
    availability: Availability | None,
    feedback: Iterable[Feedback],
    *,
    today: date,
    now: datetime,
) -> ComparisonEntry | None:
    """The provider as the public sees it for ``service`` today, or None when it is not shown:
    no approved application for the service, the provider is passive, or no site has a valid price."""
    if application is None or application.status is not ApplicationStatus.approved:
        return None
    if application.service_id != service.id or provider.status is ProviderStatus.passive:
        return None
    lists = [pl for pl in lists if pl.service_id == service.id]
    named = list(dict.fromkeys(application.site_ids))
    by_id = {p.id: p for p in parts if p.kind is PartKind.site and p.active}
    chosen = [by_id[i] for i in named if i in by_id] if named else sorted(by_id.values(), key=lambda p: p.name)
    sites = [s for s in (site_entry(service, provider.id, p, lists, today) for p in chosen) if s is not None]
    if not sites:
        return None
    wanted = set(service.search_attributes)
    attrs = {a: list(v) for a, v in provider.search_attributes.items() if a in wanted and v}
    areas = list(dict.fromkeys([*application.operating_areas, *(s.city for s in sites if s.city)]))
    return ComparisonEntry(
        service_id=service.id,
        provider_id=provider.id,
        name=provider.name,
        business_id=provider.business_id,
        description=provider.description,
        contact_name=provider.contact_name,
        contact_email=provider.contact_email,
        contact_phone=provider.contact_phone,
        search_attributes=attrs,
        areas=areas,
        availability=availability,
        quality=quality(feedback, today),
        sites=sites,
        updated_at=now,
    )


def same_entry(a: ComparisonEntry | None, b: ComparisonEntry | None) -> bool:
    """Equal but for when they were computed (a refresh that changes nothing writes nothing)."""
    if a is None or b is None:
        return a is b
    return a.model_dump(exclude={"updated_at"}) == b.model_dump(exclude={"updated_at"})


def availability_problems(starts_within_days: int | None, free_places: int | None) -> list[FieldError]:
    """Free places but no start (or a start but no places) contradict each other."""
    if free_places is not None and free_places > 0 and starts_within_days is None:
        return [FieldError("body.starts_within_days", "give how soon you can start when you have free places")]
    if free_places == 0 and starts_within_days is not None:
        return [FieldError("body.free_places", "0 free places: leave starts_within_days empty (a queue)")]
    return []


# ---------------------------------------------------------------- what changes the site

# Items under PROVIDER#<id> whose change the public sees: the profile (name, description, contact,
# search attributes, status), its sites, its price lists, its availability.
SITE_SOURCES = ("PROFILE", "PART#", "PRICELIST#", "AVAILABILITY#")
_APPLICATIONS = "#APPLICATIONS"
_FEEDBACK = "#FEEDBACK"


def provider_of_change(pk: str, sk: str, gsi1pk: str | None) -> str | None:
    """The provider whose public entries a changed table item may change, or None.

    ``pk``/``sk``/``gsi1pk`` are the item's keys (from the stream record's new or old image):
    an application (its gsi1 is ``PROVIDER#<id>#APPLICATIONS``) or feedback
    (``PROVIDER#<id>#FEEDBACK``) names its provider in gsi1; the provider's own items in the pk."""
    if pk.startswith("PROVIDER#") and sk.startswith(SITE_SOURCES):
        return pk.removeprefix("PROVIDER#") or None
    if pk.startswith(("APPLICATION#", "FEEDBACK#")) and gsi1pk and gsi1pk.startswith("PROVIDER#"):
        rest = gsi1pk.removeprefix("PROVIDER#")
        for suffix in (_APPLICATIONS, _FEEDBACK):
            if rest.endswith(suffix):
                return rest.removesuffix(suffix) or None
    return None
