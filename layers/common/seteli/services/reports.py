"""The reports (spec 15; seed 003 chapter 5): who may read which, and the reads behind them.

Who: municipality users (municipality_admin, case_worker) read any provider's report or, without
``provider_id``, every provider's; a provider's users and API keys read only their own provider's
(``provider_id`` defaults to it; naming another is a 403, decided before anything is read). A
provider user who is not an admin sees only the services of its teams (``seteli.services.teams``):
naming another service is a 403, and without ``service_id`` the other services' rows are left out.
Anyone else (a citizen): 403.

What is read, only by Query and GetItem/BatchGetItem:

- per provider and month of the range, one Query of gsi1 ``PROVIDER#<id>#EVENTS#<YYYY-MM>``
  (an event lies inside one month, so these are exactly the range's events);
- per provider, one Query of gsi1 ``PROVIDER#<id>#INTERRUPTIONS`` for the departure days from
  a year before the range to its end (an interruption that departed more than 366 days before the
  range is not shown: one that long is a data problem the monthly reminders point at every month);
- the realisation report's entitlements (for "granted") by BatchGetItem;
- without ``provider_id``, the tenant's providers page by page (Query gsi2 ``PROVIDERS``): fine for
  the tenants of today (tens of providers); a tenant with thousands would want a report job that
  writes the file to S3 instead (noted in docs/api.md).

The range is whole months ``from``..``to`` (YYYY-MM), at most 12, and ``to`` not before ``from``
(422 naming ``query.to``). The filters are ids only: ``customer_id`` is the opaque ``cus-...`` id,
never a personal identity code (it would end up in access logs).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from seteli.api.auth import Principal
from seteli.domain.events import Interruption, ServiceEvent
from seteli.errors import FieldError, Forbidden, ValidationFailed
from seteli.rules import reports as rules

MAX_MONTHS = rules.MAX_MONTHS
INTERRUPTION_LOOK_BACK = timedelta(days=366)
PROVIDERS_PAGE = 100


@dataclass(frozen=True)
class Filters:
    provider_id: str | None = None
    service_id: str | None = None
    content_id: str | None = None
    part_id: str | None = None
    customer_id: str | None = None

    def keep(self, x: ServiceEvent | Interruption) -> bool:
        return (
            (self.service_id is None or x.service_id == self.service_id)
            and (self.content_id is None or x.content_id == self.content_id)
            and (self.part_id is None or x.part_id == self.part_id)
            and (self.customer_id is None or x.customer_id == self.customer_id)
        )


@dataclass(frozen=True)
class Range:
    months: list[str]
    first: date
    last: date


def month_range(first: str, last: str) -> Range:
    """The report's months; 422 naming ``query.to`` when it ends before it starts or is too long."""
    try:
        problem = rules.range_problem(first, last, MAX_MONTHS)
    except ValueError as exc:  # the handler's Month type lets only YYYY-MM through; a direct caller may not
        raise ValidationFailed("use months YYYY-MM", [FieldError("query.from", "use a month YYYY-MM")]) from exc
    if problem is not None:
        raise ValidationFailed(f"the report's months are not a range it takes: {problem[1]}", [FieldError(*problem)])
    lo, hi = rules.month_span(first, last)
    return Range(rules.months(first, last), lo, hi)


# ---------------------------------------------------------------- who reads what


@dataclass(frozen=True)
class Scope:
    provider_ids: list[str] | None  # None: every provider of the tenant
    teams: frozenset[str] | None  # None: every service


def scope(repos, who: Principal, provider_id: str | None, service_id: str | None) -> Scope:
    """Which providers and services the caller's report covers (see the module docstring)."""
    from seteli.services.teams import ensure_in_team, teams_of

    if who.is_municipality:
        return Scope([provider_id] if provider_id else None, None)
    if not who.is_provider:
        raise Forbidden("the reports are for the municipality's users and providers")
    if provider_id and provider_id != who.provider_id:
        raise Forbidden("you may read only your own provider's reports")
    if service_id:
        ensure_in_team(repos, who, service_id)
    return Scope([who.provider_id], teams_of(repos, who))


def _provider_ids(repos, s: Scope) -> Iterator[str]:
    if s.provider_ids is not None:
        yield from s.provider_ids
        return
    start = None
    while True:
        page, start = repos.providers.page(PROVIDERS_PAGE, start)
        yield from (p.id for p in page)
        if not start:
            return


def _known_service(repos, service_id: str | None) -> None:
    if service_id is None:
        return
    from seteli.services.tenant_config import current_tenant

    if current_tenant(repos.tenant).service(service_id) is None:
        raise ValidationFailed("no such service", [FieldError("query.service_id", "no such service in this tenant")])


def _rules_by_id(repos) -> dict:
    from seteli.services.tenant_config import current_tenant

    return {r.id: r for r in current_tenant(repos.tenant).interruption_rules}


def records(
    repos, s: Scope, r: Range, f: Filters, *, events: bool = True
) -> tuple[list[ServiceEvent], list[Interruption]]:
    """The range's events and the interruptions that may touch it, filtered (see the module docstring)."""
    found_events: list[ServiceEvent] = []
    found_interruptions: list[Interruption] = []

    def keep(x) -> bool:
        return f.keep(x) and (s.teams is None or x.service_id in s.teams)

    for pid in _provider_ids(repos, s):
        if events:
            for m in r.months:
                found_events += [ev for ev in repos.events.for_provider_month(pid, m) if keep(ev)]
        found_interruptions += [
            i for i in repos.events.interruptions_of_provider(pid, r.first - INTERRUPTION_LOOK_BACK, r.last) if keep(i)
        ]
    return found_events, found_interruptions


# ---------------------------------------------------------------- the reports


def realisation(
    repos, who: Principal, first: str, last: str, f: Filters | None = None
) -> tuple[Range, list[rules.RealisationRow], rules.RealisationTotals]:
    """Customers and realisation (asiakkaat ja toteuma) for ``first``..``last`` (YYYY-MM)."""
    f = f or Filters()
    s = scope(repos, who, f.provider_id, f.service_id)
    r = month_range(first, last)
    _known_service(repos, f.service_id)
    events, interruptions = records(repos, s, r, f)
    entitlements = repos.reports.entitlements({x.decision_number for x in [*events, *interruptions]})
    rows, tot = rules.realisation(events, interruptions, entitlements, r.first, r.last)
    return r, rows, tot


def interruptions(
    repos,
    who: Principal,
    first: str,
    last: str,
    service_id: str | None,
    *,
    provider_id: str | None = None,
    part_id: str | None = None,
) -> tuple[Range, list[rules.InterruptionRow], list[rules.ReasonBand], rules.InterruptionTotals]:
    """The interruptions of one service for ``first``..``last`` (YYYY-MM), days per band."""
    if not service_id:
        msg = "the interruptions report is per service"
        raise ValidationFailed(msg, [FieldError("query.service_id", "required: " + msg)])
    s = scope(repos, who, provider_id, service_id)
    r = month_range(first, last)
    _known_service(repos, service_id)
    _, found = records(repos, s, r, Filters(provider_id, service_id, part_id=part_id), events=False)
    rows, summary, tot = rules.interruptions(found, r.first, r.last, _rules_by_id(repos))
    return r, rows, summary, tot
