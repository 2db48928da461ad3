"""The public comparison (spec 16): keep the read model current, serve it, and the providers'
availability.

``refresh_provider`` recomputes a provider's entries for every service of the tenant from the
sources (profile and sites, applications, price lists, availability, the last 12 months' feedback)
and writes only what changed; it answers the services whose entries changed, which is what the
site publisher rebuilds. It runs on every change of those sources (the table's stream), on the
nightly build (a price list that starts today changes prices without any write), and on demand.
"""

from __future__ import annotations

from datetime import date, datetime

from seteli import clock
from seteli.api.auth import Principal
from seteli.api.paging import Page, encode_cursor, start_key
from seteli.domain.applications import ApplicationStatus
from seteli.domain.comparison import Availability, ComparisonEntry, StoredAvailability
from seteli.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from seteli.rules import comparison as rules
from seteli.rules.access import ensure_can_read_provider
from seteli.services.teams import ensure_in_team, via_api_key
from seteli.services.tenant_config import current_tenant
from seteli.store import keys


def _tenant(repos):
    return current_tenant(repos.tenant)


# ---------------------------------------------------------------- the read model


def entries_of(repos, provider_id: str, *, today: date, now: datetime) -> dict[str, ComparisonEntry]:
    """What the public should see of the provider today, per service (services not shown absent)."""
    tenant = _tenant(repos)
    provider = repos.providers.get(provider_id)
    if provider is None:
        return {}
    approved = {}
    for app in sorted(repos.applications.for_provider(provider_id), key=lambda a: a.decided_at or a.updated_at):
        if app.status is ApplicationStatus.approved:
            approved[app.service_id] = app  # the latest approved one wins
    if not approved:
        return {}
    parts = repos.providers.parts(provider_id)
    lists = [pl.rule() for pl in repos.price_lists.for_provider(provider_id) if pl.approved]
    availability = repos.comparison.availability(provider_id)
    since, _until = rules.quality_window(today)
    feedback = list(repos.feedback.since(provider_id, since))
    out = {}
    for service in tenant.services:
        a = availability.get(service.id)
        shown = Availability.model_validate(a.model_dump(include=set(Availability.model_fields))) if a else None
        entry = rules.entry_for(
            service, provider, parts, approved.get(service.id), lists, shown, feedback, today=today, now=now
        )
        if entry is not None:
            out[service.id] = entry
    return out


def refresh_provider(repos, provider_id: str, *, today: date | None = None, now: datetime | None = None) -> set[str]:
    """Bring the provider's entries up to date; the services whose entries changed (written or removed)."""
    now = now or clock.now()
    today = today or clock.today(now)
    services = [s.id for s in _tenant(repos).services]
    fresh = entries_of(repos, provider_id, today=today, now=now)
    stored = repos.comparison.of_provider(provider_id, services)
    puts = [e for sid, e in fresh.items() if not rules.same_entry(e, stored.get(sid))]
    deletes = [sid for sid in stored if sid not in fresh]
    if puts or deletes:
        repos.comparison.apply(provider_id, puts, deletes)
    return {e.service_id for e in puts} | set(deletes)


def _known_service(repos, service_id: str, field: str = "path.service_id"):
    service = _tenant(repos).service(service_id)
    if service is None:
        raise NotFound(f"no service {service_id} in this municipality", [FieldError(field, "not a service here")])
    return service


def public_page(repos, service_id: str, *, limit: int, cursor: str | None) -> Page[ComparisonEntry]:
    """One page of the providers shown for the service: the same entries the site publishes."""
    _known_service(repos, service_id)
    from seteli.services.providers import cursor_secret

    secret = cursor_secret(repos.settings)
    start = start_key(cursor, secret, partition=keys.compare_pk(service_id), sk_prefix=keys.compare_sk(""))
    items, last = repos.comparison.page(service_id, limit, start)
    return Page[ComparisonEntry](items=items, next=encode_cursor(last, secret))


# ---------------------------------------------------------------- availability


def _ensure_may_set(repos, who: Principal, provider_id: str, service_id: str) -> None:
    if not (who.is_provider and who.provider_id == provider_id):
        if who.is_provider:
            raise Forbidden("you may only tell your own provider's availability")
        raise Forbidden("only the provider's own users tell its availability")
    if not via_api_key(who):
        ensure_in_team(repos, who, service_id)


def availability(repos, who: Principal, provider_id: str) -> list[StoredAvailability]:
    ensure_can_read_provider(who, provider_id)
    if repos.providers.get(provider_id) is None:
        raise NotFound(f"no provider {provider_id}")
    return sorted(repos.comparison.availability(provider_id).values(), key=lambda a: a.service_id)


def set_availability(
    repos,
    who: Principal,
    provider_id: str,
    service_id: str,
    *,
    starts_within_days: int | None,
    free_places: int | None,
    note: str | None,
    version: int,
) -> StoredAvailability:
    """Replace the provider's availability for the service (``version``: the one read, 0 for the
    first). The comparison site shows it at the next publish (seconds on AWS, at once locally)."""
    _ensure_may_set(repos, who, provider_id, service_id)
    if repos.providers.get(provider_id) is None:
        raise NotFound(f"no provider {provider_id}")
    _known_service(repos, service_id)
    errors = rules.availability_problems(starts_within_days, free_places)
    note = (note or "").strip() or None
    if errors:
        raise ValidationFailed("the availability contradicts itself: " + ", ".join(e.field for e in errors), errors)
    current = repos.comparison.availability(provider_id).get(service_id)
    if (current.version if current else 0) != version:
        have = current.version if current else 0
        msg = f"the availability changed meanwhile (version {have}, you sent {version}): read it again"
        raise _stale(msg)
    a = StoredAvailability(
        provider_id=provider_id,
        service_id=service_id,
        starts_within_days=starts_within_days,
        free_places=free_places,
        note=note,
        updated_at=clock.now(),
        updated_by=who.subject,
        version=version,
    )
    return repos.comparison.put_availability(a)


def _stale(msg: str) -> Conflict:
    return Conflict(msg, [FieldError("body.version", "stale: read the availability again")])
