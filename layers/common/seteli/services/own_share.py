"""The own-share specification of an entitlement (spec 12, seed 003 K4.3.7), and the citizen's own
events (``GET /v1/me/events``).

Who reads a specification (``GET /v1/entitlements/{no}/own-share``):

- municipality users: any entitlement, every line;
- a provider's user or API key whose provider holds a reservation of the entitlement that is not
  cancelled (or that the decision names), in the service's team: only its own events' and
  interruptions' lines (the others' are left out, totals too);
- a signed-in citizen who is the customer, or acts for them with a valid proxy grant: every line;
- anyone else: 404, the same answer as for an unknown decision number (existence does not leak).

The period is ``from``..``to`` inclusive (default: this calendar month, Europe/Helsinki), at most 366
days. The entitlement's events are read with one Query of its partition (events starting from 31
days before ``from``: a day range lies within one month), its interruptions with another.

``GET /v1/me/events``: the events and interruptions of the caller's customer (or one they act for)
across their entitlements, newest first, from ``from`` to ``to`` (default: this month and the two
before); drafts and rejected ones are not shown. No personal identity code is in either answer.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from pydantic import BaseModel, Field

from seteli import clock
from seteli.api.auth import CITIZEN, Principal
from seteli.domain.entitlements import Entitlement, EntitlementKind
from seteli.domain.events import EventStatus
from seteli.domain.money import Money, MoneyField, QuantityField
from seteli.domain.units import Unit
from seteli.errors import FieldError, Forbidden, NotFound, ValidationFailed
from seteli.rules import own_share as rules
from seteli.rules.entitlements import last_valid_day, service_of
from seteli.rules.events import month_end
from seteli.services.entitlements import provider_may_read

MAX_DAYS = 366
NOT_VISIBLE = "no entitlement {no} that you may see"
LOOK_BACK = timedelta(days=31)  # as seteli.store.events.LOOK_BACK: an event lies inside one month

HourMinuteOut = rules.HourMinuteOut


class OwnShareSpec(BaseModel):
    """Omavastuuerittely: one entitlement's lines and totals for a period."""

    decision_number: str
    kind: EntitlementKind
    service_id: str
    service_name: str
    customer_name: str
    period_start: date
    period_end: date
    value_kind: str = Field(description="What unit_value is: voucher_value | subsidy | contract_price")
    provider_id: str | None = Field(default=None, description="Set in a provider's view: only its own lines")
    lines: list[rules.OwnShareLine]
    totals: rules.OwnShareTotals


def _tenant(repos):
    from seteli.services.tenant_config import current_tenant

    return current_tenant(repos.tenant)


def period(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """``first``..``last`` with the defaults (this calendar month); 422 naming ``query.to`` when it
    is before ``from`` or the period is longer than 366 days."""
    start = first or (last.replace(day=1) if last and not first else today.replace(day=1))
    end = last or month_end(start)
    if end < start:
        raise ValidationFailed("the period ends before it starts", [FieldError("query.to", "must not be before from")])
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed(
            f"the period is too long: at most {MAX_DAYS} days", [FieldError("query.to", f"at most {MAX_DAYS} days")]
        )
    return start, end


def names(repos, tenant, service_id: str, lang: str = "fi") -> rules.Names:
    """Name lookups for one service's lines, each provider and part read once."""
    service = service_of(tenant, service_id)
    contents = {c.id: c.name.get(lang) for c in service.contents} if service else {}
    providers: dict[str, str] = {}
    parts: dict[tuple[str, str], str] = {}

    def provider(pid: str) -> str:
        if pid not in providers:
            p = repos.providers.get(pid)
            providers[pid] = p.name if p else pid
        return providers[pid]

    def part(pid: str, part_id: str) -> str:
        if (pid, part_id) not in parts:
            p = repos.providers.part(pid, part_id)
            parts[(pid, part_id)] = p.name if p else part_id
        return parts[(pid, part_id)]

    return rules.Names(content=lambda cid: contents.get(cid, cid), provider=provider, part=part)


# ---------------------------------------------------------------- who reads


def readable(repos, who: Principal, decision_number: str) -> tuple[Entitlement, str | None]:
    """The entitlement and, for a provider, the provider whose lines it may see (see the module
    docstring); 404 otherwise."""
    hidden = NotFound(NOT_VISIBLE.format(no=decision_number))
    if who.is_municipality:
        e = repos.entitlements.get(decision_number)
        if e is None:
            raise NotFound(f"no entitlement {decision_number}")
        return e, None
    if who.is_provider:
        e, reservations = repos.entitlements.with_reservations(decision_number)
        if e is None or not provider_may_read(repos, who, e, reservations):
            raise hidden
        return e, who.provider_id
    if CITIZEN in who.groups and not who.via_api_key:
        from seteli.services.citizens import customer_for

        e = repos.entitlements.get(decision_number)
        if e is None:
            raise hidden
        try:
            customer_for(repos, who, e.customer_id, clock.today())
        except (Forbidden, NotFound):
            raise hidden from None
        return e, None
    raise hidden


# ---------------------------------------------------------------- the specification


def specification(
    repos, who: Principal, decision_number: str, first: date | None = None, last: date | None = None
) -> OwnShareSpec:
    e, provider_id = readable(repos, who, decision_number)
    start, end = period(first, last, clock.today())
    tenant = _tenant(repos)
    events = repos.events.events_between(e.decision_number, start - LOOK_BACK, end)
    interruptions = [
        i
        for i in repos.events.interruptions_of(e.decision_number)
        if i.departure_day <= end and (i.return_day is None or i.return_day >= start)
    ]
    items = rules.lines(events, interruptions, start, end, names(repos, tenant, e.service_id), provider_id=provider_id)
    service = service_of(tenant, e.service_id)
    customer = repos.customers.get(e.customer_id)
    return OwnShareSpec(
        decision_number=e.decision_number,
        kind=e.kind,
        service_id=e.service_id,
        service_name=service.name.get("fi") if service else e.service_id,
        customer_name=customer.name if customer else "",
        period_start=start,
        period_end=end,
        value_kind=rules.VALUE_KIND[e.kind],
        provider_id=provider_id,
        lines=items,
        totals=rules.totals(items),
    )


def as_csv(spec: OwnShareSpec) -> str:
    return rules.to_csv(spec.lines, spec.totals, spec.value_kind)


def as_pdf(repos, spec: OwnShareSpec) -> bytes:
    from seteli.adapters.own_share_pdf import render_own_share

    return render_own_share(spec, municipality=_tenant(repos).name.get("fi"), printed_on=clock.today())


def file_name(spec: OwnShareSpec, ext: str) -> str:
    return f"omavastuuerittely-{spec.decision_number}-{spec.period_start}-{spec.period_end}.{ext}"


# ---------------------------------------------------------------- the citizen's events


class CitizenEvent(BaseModel):
    """One of the customer's events (or interruptions) as the citizen sees it."""

    id: str
    record: str = Field(description="event | interruption")
    decision_number: str
    service_id: str
    service_name: str
    content_id: str
    content_name: str
    provider_id: str
    provider_name: str
    part_name: str | None = None
    first_day: date
    last_day: date
    start_time: HourMinuteOut | None = None
    end_time: HourMinuteOut | None = None
    quantity: QuantityField
    unit: Unit
    status: EventStatus
    pending_approval: bool = False
    credited: bool = False
    reason: str | None = Field(default=None, description="An interruption's: hospital | holiday | other")
    price_total: MoneyField
    value: MoneyField = Field(description="What the municipality pays (without travel)")
    own_share: MoneyField = Field(description="What the provider bills you")


def _two_months_before(d: date) -> date:
    """The 1st of the month two months before ``d``'s (2026-03-20 -> 2026-01-01)."""
    m = d.replace(day=1)
    for _ in range(2):
        m = (m - timedelta(days=1)).replace(day=1)
    return m


def events_period(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """Default: this month and the two before (``from`` alone: up to the end of this month; ``to``
    alone: its month and the two before); at most 366 days (422 ``query.to``)."""
    end = last or month_end(today)
    return period(first or _two_months_before(end), end, today)


def _overlaps(e: Entitlement, first: date, last: date) -> bool:
    end = last_valid_day(e)
    return e.valid_from <= last and (end is None or end >= first)


def my_events(
    repos, who: Principal, customer_id: str | None = None, first: date | None = None, last: date | None = None
) -> list[CitizenEvent]:
    from seteli.services.citizens import customer_for

    today = clock.today()
    cid = customer_for(repos, who, customer_id, today)
    start, end = events_period(first, last, today)
    tenant = _tenant(repos)
    out: list[CitizenEvent] = []
    for e in repos.entitlements.for_customer(cid):
        if not _overlaps(e, start, end):
            continue
        service = service_of(tenant, e.service_id)
        service_name = service.name.get("fi") if service else e.service_id
        n = names(repos, tenant, e.service_id)
        common = {"decision_number": e.decision_number, "service_id": e.service_id, "service_name": service_name}
        for ev in repos.events.events_between(e.decision_number, start, end):
            if ev.status not in rules.SHOWN:
                continue
            out.append(
                CitizenEvent(
                    id=ev.id,
                    record="event",
                    **common,
                    content_id=ev.content_id,
                    content_name=n.content(ev.content_id),
                    provider_id=ev.provider_id,
                    provider_name=n.provider(ev.provider_id),
                    part_name=n.part(ev.provider_id, ev.part_id) if ev.part_id else None,
                    first_day=ev.first_day,
                    last_day=ev.last_day,
                    start_time=ev.start_time,
                    end_time=ev.end_time,
                    quantity=ev.quantity,
                    unit=ev.unit,
                    status=ev.status,
                    pending_approval=ev.status is EventStatus.pending_approval,
                    credited=ev.credit_id is not None,
                    price_total=ev.price_total,
                    value=ev.value,
                    own_share=ev.own_share if ev.own_share > Money.zero() else Money.zero(),
                )
            )
        for i in repos.events.interruptions_of(e.decision_number):
            if i.status not in rules.SHOWN or i.departure_day > end or (i.return_day and i.return_day < start):
                continue
            last_day = i.return_day or max((d.on for d in i.days), default=i.departure_day)
            out.append(
                CitizenEvent(
                    id=i.id,
                    record="interruption",
                    **common,
                    content_id=i.content_id,
                    content_name=n.content(i.content_id),
                    provider_id=i.provider_id,
                    provider_name=n.provider(i.provider_id),
                    part_name=n.part(i.provider_id, i.part_id) if i.part_id else None,
                    first_day=i.departure_day,
                    last_day=last_day,
                    quantity=len(i.days),
                    unit=Unit.day,  # interruptions are of day-unit services only
                    status=i.status,
                    pending_approval=i.status is EventStatus.pending_approval,
                    reason=str(i.reason),
                    price_total=i.value,
                    value=i.value,
                    own_share=Money.zero(),
                )
            )
    out.sort(key=lambda x: (x.first_day, x.start_time or time.min, x.id), reverse=True)
    return out
