"""The automatic events job (spec 11, seed 003 K4.3.2): on the night of the 4th of month M, a draft
for the whole of M for each day-unit content row that had an event in M-1 and nothing yet in M
(``seteli.rules.auto_events`` decides the rows, the days, the part, the recorder and the giver),
priced day by day exactly as a recorded event (``seteli.rules.events``: terms, price lines,
totals; the part's or the company's price list valid on each day).

Per page of providers: per provider two Queries of its events (M-1, M) and one of its
interruptions; BatchGetItem of the entitlements it needs (100 a request, across the page); its price
lists once (one Query); the drafts and their pointers with BatchWriteItem (25 items a request).

Why no transaction and no ledger lock, unlike recording an event: an automatic event is a draft,
and a draft is never settled or paid. It is paid only after the provider confirms it, and
confirming goes through the checked path (``seteli.services.events.confirm``: the entitlement's
records read consistently, days never paid twice, the overrun check, all saved in one transaction
conditioned on the ledger's version). A draft's id is fixed by its content row and month
(``rules.auto_events.auto_event_id``): a rerun, a page run twice or two runs at once write the same
item, never a second one, and a rerun skips the row because it now has an event in M.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import orjson

from seteli.domain.entitlements import Entitlement
from seteli.domain.events import DayLine, EventStatus, Interruption, ServiceEvent
from seteli.domain.money import Money
from seteli.domain.settlement import PageReport
from seteli.domain.tenant import Tenant
from seteli.domain.units import Unit
from seteli.observability import logger
from seteli.rules import auto_events as rules
from seteli.rules import events as ev_rules
from seteli.rules.entitlements import last_valid_day
from seteli.rules.price_lists import price_days
from seteli.store.auto_events import rec_of
from seteli.store.events import INTERRUPTION, _pointer, event_item
from seteli.store.models import DocItem

JOB_USER = "auto-events"


def day_contents(tenant: Tenant) -> set[tuple[str, str]]:
    """(service, content) of the day-unit contents of services with automatic events on."""
    return {(s.id, c.id) for s in tenant.services if s.auto_events for c in s.contents if c.unit is Unit.day}


@dataclass
class _Provider:
    """One provider's reads within a page."""

    id: str
    previous: list[rules.Rec]
    current: list[rules.Rec] = field(default_factory=list)
    interruptions: list[rules.Rec] = field(default_factory=list)
    interruption_docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    wanted: set[str] = field(default_factory=set)


@dataclass
class _Pricing:
    """A provider's price lists and what was priced already: a page prices many content rows of
    the same part, content, days and voucher value, and each combination is priced once."""

    provider_id: str
    lists: list
    prices: dict[tuple, dict[date, Money | None]] = field(default_factory=dict)
    lines: dict[tuple, tuple[list[DayLine], list[dict[str, Any]], ev_rules.Totals]] = field(default_factory=dict)

    def day_prices(self, service_id: str, content_id: str, part_id: str | None, first: date, last: date):
        key = (service_id, content_id, part_id, first, last)
        if key not in self.prices:
            try:
                found = price_days(self.lists, self.provider_id, service_id, content_id, part_id, first, last)
            except ValueError:  # two approved lists start on one day: the municipality sorts it out
                found = [(d, None) for d in ev_rules.days(first, last)]
            self.prices[key] = dict(found)
        return self.prices[key]


def run_page(env, month: str, provider_ids: list[str], report: PageReport) -> None:
    """Make the drafts of ``month`` for the providers of one page (idempotent)."""
    wanted = day_contents(env.tenant)
    counts: Counter[str] = Counter({"created": 0})
    if not wanted:
        report.counts.update(counts)
        return
    repo = env.repos.auto_events
    prev_month = rules.previous_month(month)
    prev_start, _ = rules.month_bounds(prev_month)

    # 1. the providers' own records (``workers`` providers at a time)
    def read(pid: str) -> _Provider | None:
        p = _Provider(pid, repo.events_of_month(pid, prev_month))
        if not any(r.unit == Unit.day.value and (r.service_id, r.content_id) in wanted for r in p.previous):
            return None  # nothing of M-1 to continue: no more reads
        p.current = repo.events_of_month(pid, month)
        docs = repo.interruption_docs(pid, prev_start)
        p.interruption_docs = {d["id"]: d for d in docs}
        p.interruptions = [rec_of(INTERRUPTION, d) for d in docs]
        p.wanted = rules.needs_entitlements(month, p.previous, p.current, p.interruptions, wanted)
        return p

    providers = [p for p in repo.parallel(read, provider_ids) if p is not None]

    # 2. the entitlements they need, for the whole page at once
    docs = repo.entitlements({dn for p in providers for dn in p.wanted})
    entitlements = {dn: Entitlement.model_validate(doc) for dn, doc in docs.items()}
    validities = {
        dn: rules.Validity(e.valid_from, last_valid_day(e), frozenset(e.reserved_by)) for dn, e in entitlements.items()
    }

    # 3. plan and price each provider's drafts, and write them as the batches fill (a draft's key
    # is fixed: writing it again is the same item)
    value = Money.zero()
    missing_prices: Counter[tuple[str, str, str | None]] = Counter()
    with_drafts: set[str] = set()
    with repo.writer() as writer:
        for p in providers:
            plan = rules.plan(p.id, month, p.previous, p.current, p.interruptions, validities, wanted)
            for s in plan.skipped:
                counts[f"skipped_{s.reason}"] += 1
            if not plan.drafts:
                continue
            pricing = _Pricing(p.id, [x.rule() for x in env.repos.price_lists.for_provider(p.id)])
            for d in plan.drafts:
                built = _draft(env, pricing, d, entitlements[d.decision_number], p, month)
                if built is None:
                    counts[f"skipped_{rules.NO_PRICE}"] += 1
                    missing_prices[(p.id, d.content_id, d.part_id)] += 1
                    continue
                ev, item = built
                writer.put([item, _pointer(ev.id, ev.decision_number, item.sk)])
                value += ev.value
                counts["created"] += 1
                with_drafts.add(p.id)
    counts["providers_with_drafts"] = len(with_drafts)
    report.counts.update(dict(counts))
    report.amounts["drafts_value"] = value
    for (pid, content_id, part_id), n in sorted(missing_prices.items(), key=lambda kv: str(kv[0])):
        where = f"part {part_id}" if part_id else "company level"
        report.notes.append(
            f"provider {pid}: no approved price for {content_id} at {where} on every day of {month}; "
            f"{n} automatic event(s) not made"
        )
    logger.info("auto events page", extra={"month": month, "providers": len(provider_ids), "counts": dict(counts)})


def _draft(
    env, pricing: _Pricing, d: rules.Draft, e: Entitlement, p: _Provider, month: str
) -> tuple[ServiceEvent, DocItem] | None:
    """The draft event and its item, priced; None when a day has no price."""
    service = env.tenant.service(d.service_id)
    content = service.content(d.content_id) if service else None
    if content is None:
        return None
    t = ev_rules.terms(e, d.content_id, customer_pays=content.customer_pays, no_own_share=content.no_own_share)
    elsewhere = _return_days(d, p)
    key = (d.service_id, d.content_id, d.part_id, d.first_day, d.last_day, t, tuple(sorted(elsewhere.items())))
    if key not in pricing.lines:
        prices = pricing.day_prices(d.service_id, d.content_id, d.part_id, d.first_day, d.last_day)
        shape = ev_rules.Shape(d.first_day, d.last_day, None, None, _quantity(d))
        lines, missing = ev_rules.price_lines(Unit.day, shape, prices, t, elsewhere)
        if missing:
            pricing.lines[key] = ([], [], ev_rules.totals([]))
        else:
            pricing.lines[key] = (lines, [ln.model_dump(mode="json") for ln in lines], ev_rules.totals(lines))
    lines, lines_json, totals = pricing.lines[key]
    if not lines:
        return None
    at = env.now
    ev = ServiceEvent(
        id=rules.auto_event_id(d.decision_number, d.content_id, month),
        decision_number=d.decision_number,
        customer_id=e.customer_id,
        service_id=d.service_id,
        content_id=d.content_id,
        provider_id=p.id,
        part_id=d.part_id,
        status=EventStatus.draft,
        created_at=at,
        created_by=d.created_by,
        updated_at=at,
        updated_by=JOB_USER,
        unit=Unit.day,
        first_day=d.first_day,
        last_day=d.last_day,
        quantity=_quantity(d),
        price_total=totals.price_total,
        value=totals.value,
        own_share=totals.own_share,
        giver=d.giver,
        auto=True,
        version=1,
    )
    item = event_item(ev)  # its keys and document, with the lines added below (serialised once per key)
    doc = orjson.loads(item.document)
    doc["lines"] = lines_json
    item.document = orjson.dumps(doc).decode()
    return ev, item


def _quantity(d: rules.Draft) -> Decimal:
    return Decimal(d.days)


def _return_days(d: rules.Draft, p: _Provider) -> dict[date, str]:
    """The draft's first day when it is an interruption's return day (the interruption pays it)."""
    backs = [
        i
        for i in p.interruptions
        if i.key == (d.decision_number, d.content_id) and i.live and i.last_day == d.first_day
    ]
    if not backs:
        return {}
    full = [Interruption.model_validate(p.interruption_docs[i.id]) for i in backs]
    shape = ev_rules.Shape(d.first_day, d.last_day, None, None, _quantity(d))
    return ev_rules.return_days_elsewhere(shape, full)
