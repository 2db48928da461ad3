"""The reports (spec 15): who may read which, and the reads behind them.

Municipality users read any provider's or all providers'; a provider's users and keys only their
own (asking for another's is a 403). Reads: per provider and month of the range, one Query of its
events (gsi1 ``PROVIDER#<id>#EVENTS#<month>``); its interruptions (gsi1); the entitlements by
BatchGetItem. Without a provider the tenant's providers are read page by page (gsi2 ``PROVIDERS``).
At most 12 months a request.
"""

from __future__ import annotations

from datetime import date

from seteli.api.auth import Principal
from seteli.errors import FieldError, Forbidden, ValidationFailed
from seteli.rules import reports as rules
from seteli.rules.interruptions import add_months, parse_month

MAX_MONTHS = 12


def _months(first: str, last: str) -> list[str]:
    parse_month(first)
    parse_month(last)
    if last < first:
        raise ValidationFailed("the range ends before it starts", [FieldError("query.to", "before from")])
    out = [first]
    while out[-1] < last:
        out.append(add_months(out[-1], 1))
    if len(out) > MAX_MONTHS:
        msg = f"at most {MAX_MONTHS} months a report"
        raise ValidationFailed(msg, [FieldError("query.to", msg)])
    return out


def _providers(repos, who: Principal, provider_id: str | None) -> list[str]:
    if who.is_municipality:
        if provider_id:
            return [provider_id]
        ids, start = [], None
        while True:
            page, start = repos.providers.page(100, start)
            ids += [p.id for p in page]
            if not start:
                return ids
    if not who.is_provider:
        raise Forbidden("reports are for the municipality and providers")
    if provider_id and provider_id != who.provider_id:
        raise Forbidden("you may read only your own provider's reports")
    return [who.provider_id]


def _records(repos, who, first: str, last: str, provider_id, service_id, content_id, part_id, customer_id):
    months = _months(first, last)
    lo, hi = rules.month_span(months[0], months[-1])
    events, interruptions = [], []

    def keep(x) -> bool:
        return (
            (service_id is None or x.service_id == service_id)
            and (content_id is None or x.content_id == content_id)
            and (part_id is None or x.part_id == part_id)
            and (customer_id is None or x.customer_id == customer_id)
        )

    for pid in _providers(repos, who, provider_id):
        for m in months:
            events += [ev for ev in repos.events.for_provider_month(pid, m) if keep(ev)]
        interruptions += [
            i
            for i in repos.events.interruptions_of_provider(pid, lo - (hi - lo))
            if keep(i) and i.departure_day <= hi and (i.return_day is None or i.return_day >= lo)
        ]
    return events, interruptions


def realisation(repos, who: Principal, first: str, last: str, *, provider_id=None, service_id=None,
                content_id=None, part_id=None, customer_id=None):  # fmt: skip
    events, interruptions = _records(repos, who, first, last, provider_id, service_id, content_id, part_id, customer_id)
    entitlements = repos.reports.entitlements({x.decision_number for x in [*events, *interruptions]})
    return rules.realisation(events, interruptions, entitlements)


def interruptions(repos, who: Principal, first: str, last: str, service_id: str, *, provider_id=None):
    if not service_id:
        raise ValidationFailed("the interruptions report is per service", [FieldError("query.service_id", "required")])
    _, found = _records(repos, who, first, last, provider_id, service_id, None, None, None)
    return rules.interruptions(found)


def today_month(today: date) -> str:
    return f"{today:%Y-%m}"
