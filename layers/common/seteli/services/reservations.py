"""Reservations by providers (seed 003 K4.1) and the providers' view of customers (K4.2).

Who may do what (decided before anything is read, so a 403 reveals nothing):

- reserve, list and cancel reservations, search customers, set the provider's customer number:
  the provider's users (provider_admin, provider_user) and its API keys, for their own provider
  only; reserving also needs the user to be in the team of the entitlement's service;
- ``GET /v1/customers?q=`` by a municipality user is the municipality's name search (all customers
  of the tenant); the personal-ID search of the municipality is ``POST /v1/customers/search``.

A provider finds only customers it has a relation with (``seteli.rules.reservations
.visible_to_provider``); anyone else gets an empty answer, never a 403, so that a search does not
reveal that a person is someone's customer. The personal ID is shown to a provider only in the
answer to its own personal-ID lookup (it typed the code): name and decision-number searches never
carry it.

Guessing: a wrong verification code and an unknown decision number are one 404 answer, and count
as a failed attempt of the provider and of the source address (hashed); after
``FAILURES_PER_PROVIDER`` (or ``FAILURES_PER_SOURCE``) failures within ``FAILURE_WINDOW_SECONDS``
every attempt is a 429 until the window turns, a right code too. Each attempt is counted atomically
before the code is compared and a right one is given back (``seteli.store.throttle.guess``), so a
burst of parallel guesses cannot pass the limit and successes do not count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from seteli import clock
from seteli.api.auth import Principal
from seteli.clock import now
from seteli.domain.entitlements import Customer, Entitlement, ProviderCustomer, Reservation
from seteli.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from seteli.rules import entitlements as entitlement_rules
from seteli.rules import reservations as rules
from seteli.services.price_lists import service_approved
from seteli.services.teams import ensure_in_team, teams_of

FAILURES_PER_PROVIDER = 10
FAILURES_PER_SOURCE = 30
FAILURE_WINDOW_SECONDS = 15 * 60
THROTTLED = "too many failed reservation attempts; try again in 15 minutes"
_STATUS = {404: NotFound, 409: Conflict, 422: ValidationFailed}


# ---------------------------------------------------------------- who


def provider_of(who: Principal, provider_id: str | None = None) -> str:
    """The caller's provider; 403 for anyone but a provider's user or key, or for another provider."""
    if not who.is_provider:
        raise Forbidden("only a provider's users and API keys may do this (provider_admin, provider_user)")
    if provider_id is not None and provider_id != who.provider_id:
        raise Forbidden("you may only act for your own provider")
    return who.provider_id  # type: ignore[return-value]


# ---------------------------------------------------------------- throttling of failures


def _attempts(pid: str, source: str | None) -> list[tuple[str, str, int]]:
    return [
        ("reserve-provider", pid, FAILURES_PER_PROVIDER),
        ("reserve-source", source or "unknown", FAILURES_PER_SOURCE),
    ]


# ---------------------------------------------------------------- reserve


def _priced(repos, pid: str, e: Entitlement, content_id: str, part_id: str | None, today: date) -> bool:
    from seteli.rules.price_lists import price_on

    lists = [x.rule() for x in repos.price_lists.for_service(pid, e.service_id)]
    try:
        return price_on(lists, pid, e.service_id, content_id, part_id, rules.price_day(e, today)) is not None
    except ValueError:  # two approved lists start on one day: nothing can be priced reliably
        return False


def _part_active(repos, pid: str, part_id: str | None) -> bool:
    if part_id is None:
        return True
    part = repos.providers.part(pid, part_id)
    return part is not None and part.active


def relation_after(
    current: ProviderCustomer | None, pid: str, customer: Customer | None, customer_id: str, until: date | None, at
) -> ProviderCustomer:
    key = (
        rules.name_key(customer.last_name, customer.first_names) if customer else (current.name_key if current else "")
    )
    base = current or ProviderCustomer(provider_id=pid, customer_id=customer_id, name_key=key, updated_at=at)
    return base.model_copy(
        update={
            "has_open_reservation": True,
            "reserved_until": rules.reserved_until(current, until),
            "name_key": key,
            "updated_at": at,
        }
    )


def reserve(
    repos,
    who: Principal,
    *,
    decision_number: str,
    verification_code: str | None,
    content_id: str,
    part_id: str | None,
    accept_terms: bool,
    info: str | None = None,
    provider_id: str | None = None,
    source: str | None = None,
) -> Reservation:
    """Activate and reserve an entitlement (K4.1.1). One transaction writes the reservation (new,
    or over the provider's own cancelled one), the entitlement (conditioned on its version: two
    providers reserving one voucher at once cannot both win) and the provider's relation to the
    customer. Refusals: see the module docstring and ``seteli.rules.reservations.refusals``."""
    from seteli.store.entitlements import reservation_item

    pid = provider_of(who, provider_id)
    if accept_terms is not True:
        raise ValidationFailed(
            "accept the terms and the forming of the contract to reserve",
            [FieldError("body.accept_terms", "must be true")],
        )
    from seteli.store.throttle import guess, right_guess

    attempts = _attempts(pid, source)
    guess(attempts, window_seconds=FAILURE_WINDOW_SECONDS, message=THROTTLED)
    number = decision_number.strip()
    e, reservations = repos.entitlements.with_reservations(number) if number else (None, [])
    if not rules.code_accepted(verification_code, e, pid):
        raise NotFound(
            rules.NO_OPEN_ENTITLEMENT,
            [FieldError("body.decision_number", "no open entitlement with this number and code")],
        )
    assert e is not None
    right_guess(attempts, window_seconds=FAILURE_WINDOW_SECONDS)
    ensure_in_team(repos, who, e.service_id)
    today = clock.today()
    part_active = _part_active(repos, pid, part_id)
    approved = service_approved(repos, pid, e.service_id)
    priced = _priced(repos, pid, e, content_id, part_id if part_active else None, today)
    refusal = rules.refusal(
        e,
        reservations,
        provider_id=pid,
        part_id=part_id,
        content_id=content_id,
        part_active=part_active,
        approved=approved,
        priced=priced,
        today=today,
    )
    if refusal is not None:
        raise _STATUS[refusal.status](refusal.message, [FieldError(refusal.field, refusal.message)])

    at = now()
    own = next((r for r in reservations if r.provider_id == pid), None)  # a cancelled one of ours
    res = Reservation(
        decision_number=e.decision_number,
        provider_id=pid,
        part_id=part_id,
        content_id=content_id,
        customer_id=e.customer_id,
        accepted_terms=True,
        info=info,
        reserved_at=at,
        reserved_by=who.subject,
        version=own.version if own else 0,
    )
    customer = repos.customers.get(e.customer_id)
    relation = relation_after(
        repos.provider_customers.get(pid, e.customer_id), pid, customer, e.customer_id, e.valid_until, at
    )
    res_item = (reservation_item(res, version=res.version or None), own is None)
    try:
        holders = sorted({*e.reserved_by, pid})
        repos.entitlements.change(
            e.model_copy(update={"updated_at": at, "reserved_by": holders}),
            extra=[res_item, repos.provider_customers.item_for(relation)],
        )
    except Conflict:
        raise Conflict(
            "the entitlement was reserved or changed meanwhile; look again and repeat if it is still free",
            [FieldError("body.decision_number", "changed meanwhile")],
        ) from None
    return res.model_copy(update={"version": res.version + 1})


def reservations_of(repos, who: Principal, *, include_cancelled: bool = False, limit: int = 100) -> list[Reservation]:
    """The provider's reservations (and the municipality's orders for it), newest first."""
    pid = provider_of(who)
    found = repos.entitlements.reservations_of_provider(pid, limit=limit)
    return [r for r in found if include_cancelled or r.cancelled_at is None]


def _held(repos, pid: str, customer_id: str, changed: dict[str, Entitlement], skip: str = "") -> list[Entitlement]:
    """The customer's entitlements the provider holds a reservation of (not cancelled), as they are
    after ``changed`` (by decision number), leaving out ``skip``."""
    held = []
    for r in repos.entitlements.reservations_of_provider(pid, limit=1000):
        if r.customer_id != customer_id or r.cancelled_at is not None or r.decision_number == skip:
            continue
        e = changed.get(r.decision_number) or repos.entitlements.get(r.decision_number)
        if e is not None:
            held.append(e)
    return held


def relations_after_closing(repos, closed: list[Entitlement], at: datetime) -> list[tuple[Any, bool]]:
    """The providers' relations to the customer of ``closed`` (entitlements being closed, as they
    will be saved), ending where their reservations now end; items for the closing transaction."""
    by_number = {e.decision_number: e for e in closed}
    items = []
    for customer_id in sorted({e.customer_id for e in closed}):
        for pid in sorted({p for e in closed if e.customer_id == customer_id for p in e.reserved_by}):
            relation = repos.provider_customers.get(pid, customer_id)
            if relation is None:
                continue
            still_open, until = rules.held_until(_held(repos, pid, customer_id, by_number))
            changed = relation.model_copy(
                update={"has_open_reservation": still_open, "reserved_until": until, "updated_at": at}
            )
            items.append(repos.provider_customers.item_for(changed))
    return items


def cancel(repos, who: Principal, decision_number: str, version: int) -> Reservation:
    """The provider cancels its own reservation while nothing is charged of the entitlement; it is
    kept (``cancelled_at``) for history. An order is cancelled by the municipality, not here."""
    from seteli.store.entitlements import reservation_item

    pid = provider_of(who)
    e, reservations = repos.entitlements.with_reservations(decision_number)
    own = next((r for r in reservations if r.provider_id == pid and r.cancelled_at is None), None)
    if e is None or own is None:
        raise NotFound(f"you have no reservation of {decision_number}")
    if own.by_municipality:
        raise Conflict(
            "an order is reserved by the municipality; ask the case worker to change it",
            [FieldError("path.decision_number", "an order")],
        )
    if e.used:
        raise Conflict(
            "events are charged on this entitlement already; the reservation can no longer be cancelled",
            [FieldError("path.decision_number", "charged already")],
        )
    led = repos.events.ledger(decision_number)
    drafts = [x.id for x in (*led.events, *led.interruptions) if x.provider_id == pid and x.status.value == "draft"]
    if drafts:
        msg = f"you have drafts on this entitlement ({', '.join(drafts[:5])}): delete them first"
        raise Conflict(msg, [FieldError("path.decision_number", "drafts left")])
    if version != own.version:
        raise Conflict(
            f"the reservation changed meanwhile (you sent version {version}); read it again",
            [FieldError("query.version", "stale: read again")],
        )
    at = now()
    done = own.model_copy(update={"cancelled_at": at})
    relation = repos.provider_customers.get(pid, e.customer_id)
    extra = [(reservation_item(done, version=own.version or None), False)]
    if relation is not None:
        still_open, until = rules.held_until(_held(repos, pid, e.customer_id, {}, skip=e.decision_number))
        changed = relation.model_copy(
            update={
                "has_open_reservation": still_open,
                "reserved_until": until if still_open else relation.reserved_until,
                "updated_at": at,
            }
        )
        extra.append(repos.provider_customers.item_for(changed))
    try:
        holders = [p for p in e.reserved_by if p != pid]
        repos.entitlements.change(e.model_copy(update={"updated_at": at, "reserved_by": holders}), extra=extra)
    except Conflict:
        raise Conflict(
            "the reservation or the entitlement changed meanwhile; read it again",
            [FieldError("query.version", "stale: read again")],
        ) from None
    return done.model_copy(update={"version": own.version + 1})


# ---------------------------------------------------------------- customers as the provider sees them


@dataclass(frozen=True)
class Held:
    """An entitlement of the customer the provider holds a reservation of."""

    decision_number: str
    kind: str
    service_id: str
    valid_from: date
    valid_until: date | None
    state: str
    content_id: str
    part_id: str | None
    reserved_at: datetime


@dataclass(frozen=True)
class CustomerView:
    id: str
    name: str
    first_names: str
    last_name: str
    home_municipality: str | None
    customer_number: str | None = None
    entitlements: list[Held] = field(default_factory=list)
    personal_id: str | None = None  # only in the answer to the provider's own personal-ID lookup
    version: int = 0  # the relation's (the provider's customer number is set against it)


def _state(e: Entitlement, today: date) -> str:
    return str(entitlement_rules.state(e, today))


def _view(
    repos,
    pid: str,
    relation: ProviderCustomer,
    mine: list[Reservation],
    teams: frozenset[str] | None,
    today: date,
    *,
    personal_id: bool = False,
    customer: Customer | None = None,
) -> CustomerView | None:
    customer = customer or repos.customers.get(relation.customer_id)
    if customer is None:
        return None
    held: list[Held] = []
    by_number = {r.decision_number: r for r in mine if r.customer_id == customer.id}
    if by_number:
        for e in repos.entitlements.for_customer(customer.id):
            r = by_number.get(e.decision_number)
            if r is None or (teams is not None and e.service_id not in teams):
                continue
            held.append(
                Held(
                    decision_number=e.decision_number,
                    kind=str(e.kind.value),
                    service_id=e.service_id,
                    valid_from=e.valid_from,
                    valid_until=e.valid_until,
                    state=_state(e, today),
                    content_id=r.content_id,
                    part_id=r.part_id,
                    reserved_at=r.reserved_at,
                )
            )
    return CustomerView(
        id=customer.id,
        name=customer.name,
        first_names=customer.first_names,
        last_name=customer.last_name,
        home_municipality=customer.home_municipality,
        customer_number=relation.customer_number,
        entitlements=held,
        personal_id=customer.personal_id if personal_id else None,
        version=relation.version,
    )


def _municipality_search(repos, q: str, limit: int, cursor: str | None) -> tuple[list[CustomerView], str | None]:
    from seteli.api.paging import encode_cursor, start_key
    from seteli.services.providers import cursor_secret
    from seteli.store import keys

    secret = cursor_secret(repos.settings)
    if rules.looks_like_decision_number(q) and cursor is None:
        e = repos.entitlements.get(q) or repos.entitlements.get(q.upper())
        c = repos.customers.get(e.customer_id) if e is not None else None
        if c is not None:
            return [_plain(c)], None
    start = start_key(cursor, secret, index="gsi2", partition=keys.CUSTOMERS_GSI2PK, sk_prefix=keys.CUSTOMER_PROFILE_SK)
    found, last = repos.customers.page_by_name(rules.municipality_name_prefix(q), limit, start)
    return [_plain(c) for c in found], encode_cursor(last, secret)


def _plain(c: Customer) -> CustomerView:
    return CustomerView(
        id=c.id,
        name=c.name,
        first_names=c.first_names,
        last_name=c.last_name,
        home_municipality=c.home_municipality,
    )


def _query(q: str) -> str:
    text = (q or "").strip()
    if not text:
        raise ValidationFailed("give a name or a decision number to search for", [FieldError("query.q", "required")])
    if rules.looks_like_personal_id(text):
        raise ValidationFailed(
            "a personal identity code never goes in a URL: search with POST /v1/customers/lookup",
            [FieldError("query.q", "a personal identity code: use POST /v1/customers/lookup")],
        )
    return text


def search_customers(
    repos, who: Principal, q: str, *, limit: int = 50, cursor: str | None = None
) -> tuple[list[CustomerView], str | None]:
    """``GET /v1/customers?q=``: a provider's customers by name words or decision number (only
    those it may see); a municipality user's search of all customers by name prefix or decision number."""
    text = _query(q)
    if who.is_municipality:
        return _municipality_search(repos, text, limit, cursor)
    pid = provider_of(who)
    today = clock.today()
    relations: list[ProviderCustomer] = []
    if rules.looks_like_decision_number(text):
        e = repos.entitlements.get(text) or repos.entitlements.get(text.upper())
        if e is not None:
            rel = repos.provider_customers.get(pid, e.customer_id)
            relations = [rel] if rules.visible_to_provider(rel, today) else []
            if not relations:
                return [], None
    if not relations:
        relations = [
            r
            for r in repos.provider_customers.for_provider(pid)
            if rules.visible_to_provider(r, today) and rules.match_name(r.name_key, text)
        ]
    relations.sort(key=lambda r: (r.name_key, r.customer_id))
    mine = repos.entitlements.reservations_of_provider(pid, limit=1000) if relations else []
    mine = [r for r in mine if r.cancelled_at is None]
    teams = teams_of(repos, who)
    views = [_view(repos, pid, r, mine, teams, today) for r in relations[:limit]]
    return [v for v in views if v is not None], None


def lookup_customer(repos, who: Principal, personal_id: str) -> list[CustomerView]:
    """A provider's search by personal identity code (sent in a POST body): the customer with the
    code when the provider may see it (with the code: the provider typed it), else nothing."""
    from seteli.rules.customers import personal_id_hash, personal_id_secret

    pid = provider_of(who)
    try:
        digest = personal_id_hash(personal_id, personal_id_secret(repos.settings))
    except ValueError:
        raise ValidationFailed(
            "not a valid Finnish personal identity code",
            [FieldError("body.personal_id", "not a valid personal identity code (check its characters)")],
        ) from None
    customer = repos.customers.by_personal_id_hash(digest)
    if customer is None:
        return []
    relation = repos.provider_customers.get(pid, customer.id)
    today = clock.today()
    if not rules.visible_to_provider(relation, today):
        return []
    mine = [r for r in repos.entitlements.reservations_of_provider(pid, limit=1000) if r.cancelled_at is None]
    view = _view(repos, pid, relation, mine, teams_of(repos, who), today, personal_id=True, customer=customer)
    return [view] if view is not None else []


def set_customer_number(
    repos, who: Principal, customer_id: str, customer_number: str | None, version: int | None = None
) -> CustomerView:
    """The provider's own number for the customer (shown on invoices instead of the personal ID).
    404 when the provider has no (visible) relation with the customer; 409 on a stale ``version``."""
    pid = provider_of(who)
    today = clock.today()
    relation = repos.provider_customers.get(pid, customer_id)
    if not rules.visible_to_provider(relation, today):
        raise NotFound(f"no customer {customer_id} of yours")
    assert relation is not None
    if version is not None and version != relation.version:
        raise Conflict(
            f"the customer's details changed meanwhile (you sent version {version}); read them again",
            [FieldError("body.version", "stale: read again")],
        )
    number = (customer_number or "").strip() or None
    saved = repos.provider_customers.save(relation.model_copy(update={"customer_number": number, "updated_at": now()}))
    mine = [r for r in repos.entitlements.reservations_of_provider(pid, limit=1000) if r.cancelled_at is None]
    view = _view(repos, pid, saved, mine, teams_of(repos, who), today)
    if view is None:
        raise NotFound(f"no customer {customer_id} of yours")
    return view


def as_dict(view: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(view)
