"""The citizen's side (issue 4, items 6 and 7): own entitlements with used and remaining amounts,
proxies (a relative acting for a customer), and the sign-in without bank ID for one entitlement.

Who is the caller: a signed-in citizen (group ``citizen``) is a customer through the link
``CITIZEN#<sub>``/``SELF``. In production that link is written at the citizen's first strong
sign-in (Suomi.fi), which this stack cannot reach yet; the demo links the demo citizen
(local/demo.py). Without a link the citizen gets a 404 asking them to contact the municipality.

Proxies: only the customer (acting for themself) authorises a relative, by the email of the
relative's own Seteli sign-in (a citizen user of the pool: the relative signs in once first). The
grant is stored twice in one transaction: ``CITIZEN#<relative sub>``/``PROXY#<customer>`` (what the
relative may do) and ``CUSTOMER#<customer>``/``PROXY#<relative sub>`` (who acts for the customer). A
proxy reads the customer's entitlements and nothing else: it cannot grant further proxies for the
customer (a grant is always for the caller's own customer).

Personal identity codes, verification codes and citizen codes are never in any answer here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from seteli.api.auth import CITIZEN, Principal
from seteli.clock import now, today
from seteli.domain.entitlements import Customer, Entitlement, EntitlementKind, EntitlementState, Period
from seteli.domain.events import COUNTED
from seteli.domain.money import MoneyField, QuantityField
from seteli.domain.units import Unit
from seteli.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from seteli.rules import citizen_access
from seteli.rules.entitlements import last_valid_day
from seteli.rules.entitlements import state as rules_state
from seteli.rules.usage import Charge, current_period, usage

NOT_LINKED = "your sign-in is not linked to a customer yet; ask the municipality"
NOT_YOURS = "you may not act for this customer"
NO_SUCH_ACCESS = "no entitlement with this decision number and code"

# Guessing citizen codes: failures per decision number, and per source address, in a window.
ACCESS_WINDOW_SECONDS = 15 * 60
ACCESS_FAILURES_PER_NUMBER = 5
ACCESS_FAILURES_PER_SOURCE = 10


# ---------------------------------------------------------------- views


class RowView(BaseModel):
    content_id: str
    content_name: str
    unit: Unit | None = None
    period: Period
    period_start: date  # the current period (the validity, this ISO week or this month)
    period_end: date | None = None
    unit_value: MoneyField
    granted: QuantityField
    used: QuantityField
    remaining: QuantityField
    granted_euros: MoneyField
    used_euros: MoneyField
    remaining_euros: MoneyField


class BalanceContentView(BaseModel):
    content_id: str
    content_name: str
    unit: Unit | None = None
    subsidy: MoneyField


class BalanceView(BaseModel):
    recurrence: Period
    period_start: date
    period_end: date | None = None
    contents: list[BalanceContentView]
    total_euros: MoneyField | None = None
    used_euros: MoneyField
    remaining_euros: MoneyField | None = None
    total_units: QuantityField | None = None
    used_units: QuantityField
    remaining_units: QuantityField | None = None


class CitizenEntitlement(BaseModel):
    """An entitlement as its customer (or their proxy, or the holder of the letter) sees it."""

    decision_number: str
    kind: EntitlementKind
    customer_id: str | None = None  # None in the answer to the citizen code (no sign-in)
    customer_first_name: str
    service_id: str
    service_name: str
    decision_date: date
    valid_from: date
    valid_until: date | None = None
    closed_on: date | None = None
    state: EntitlementState
    rows: list[RowView]
    balance: BalanceView | None = None


class ActsFor(BaseModel):
    """A customer the caller may act for."""

    customer_id: str
    name: str
    valid_until: date | None = None
    granted_at: datetime


class ActingForMe(BaseModel):
    """A relative who may act for the caller; ``id`` revokes it (DELETE /v1/me/proxies/{id})."""

    id: str
    email: str | None = None
    valid_until: date | None = None
    granted_at: datetime


class Proxies(BaseModel):
    customer_id: str | None = None  # the caller's own customer (None: not linked yet)
    acts_for: list[ActsFor]
    acting_for_me: list[ActingForMe]


class EntitlementAccess(BaseModel):
    entitlement: CitizenEntitlement
    access_token: str  # for this one decision number, e.g. for feedback (issue 5)
    token_type: str = "citizen-access"
    expires_at: datetime


# ---------------------------------------------------------------- state


def entitlement_state(e: Entitlement, on: date) -> EntitlementState:
    return rules_state(e, on)


# ---------------------------------------------------------------- building the view


def first_name(c: Customer | None) -> str:
    return (c.first_names.split() or [""])[0] if c is not None else ""


def citizen_view(
    e: Entitlement,
    tenant,
    *,
    customer: Customer | None,
    on: date,
    charges: list[Charge] | None = None,
    lang: str = "fi",
    with_customer_id: bool = True,
) -> CitizenEntitlement:
    service = next((s for s in tenant.services if s.id == e.service_id), None)
    contents = {c.id: c for c in service.contents} if service else {}

    def name(cid: str) -> str:
        return contents[cid].name.get(lang) if cid in contents else cid

    def unit(cid: str) -> Unit | None:
        return contents[cid].unit if cid in contents else None

    u = usage(e, charges or [], on)  # charged events arrive with issue 5: until then nothing is used
    rows = [
        RowView(
            content_id=r.content_id,
            content_name=name(r.content_id),
            unit=unit(r.content_id),
            period=r.period,
            period_start=r.period_start,
            period_end=r.period_end,
            unit_value=r.unit_value,
            granted=r.granted,
            used=r.used,
            remaining=r.remaining,
            granted_euros=r.granted_euros,
            used_euros=r.used_euros,
            remaining_euros=r.remaining_euros,
        )
        for r in u.rows
    ]
    balance = None
    if u.balance is not None and e.balance is not None:
        b = u.balance
        balance = BalanceView(
            recurrence=b.recurrence,
            period_start=b.period_start,
            period_end=b.period_end,
            contents=[
                BalanceContentView(
                    content_id=c.content_id, content_name=name(c.content_id), unit=unit(c.content_id), subsidy=c.subsidy
                )
                for c in e.balance.contents
            ],
            total_euros=b.total_euros,
            used_euros=b.used_euros,
            remaining_euros=b.remaining_euros,
            total_units=b.total_units,
            used_units=b.used_units,
            remaining_units=b.remaining_units,
        )
    return CitizenEntitlement(
        decision_number=e.decision_number,
        kind=e.kind,
        customer_id=e.customer_id if with_customer_id else None,
        customer_first_name=first_name(customer),
        service_id=e.service_id,
        service_name=service.name.get(lang) if service else e.service_id,
        decision_date=e.decision_date,
        valid_from=e.valid_from,
        valid_until=e.valid_until,
        closed_on=e.closed_on,
        state=entitlement_state(e, on),
        rows=rows,
        balance=balance,
    )


def charged_events(repos, e: Entitlement) -> list[Charge]:
    """The charged quantities of ``e`` per content per day: one per line of each counted event
    (recorded, pending approval, approved, settled, paid; not drafts, rejected or credited ones)
    that is not paid in another record, with what the municipality pays for it, and one per
    interruption day paid at more than 0 %. Reads only the current periods (one Query of the
    entitlement's partition from the earliest period's start, less 31 days: an event lies in one
    month; and one Query of its interruptions)."""
    on = today()
    last = last_valid_day(e)
    recurrences = [r.period for r in e.rows] + ([e.balance.recurrence] if e.balance is not None else [])
    if not recurrences:
        return []
    periods = [current_period(p, e.valid_from, last, on) for p in recurrences]
    first = min(start for start, _ in periods) - timedelta(days=31)
    ends = [end for _, end in periods]
    until = date.max if any(end is None for end in ends) else max(end for end in ends if end is not None)
    charges = [
        Charge(ev.content_id, ln.on, ln.quantity, ln.municipality)
        for ev in repos.events.events_between(e.decision_number, first, until)
        if ev.status in COUNTED and ev.credit_id is None
        for ln in ev.lines
        if not ln.paid_elsewhere
    ]
    charges += [
        Charge(i.content_id, d.on, Decimal("1"), d.municipality)
        for i in repos.events.interruptions_of(e.decision_number)
        if i.status in COUNTED
        for d in i.days
        if d.percent > 0 and not d.paid_elsewhere
    ]
    return charges


# ---------------------------------------------------------------- who is the caller


def require_citizen(who: Principal) -> None:
    if CITIZEN not in who.groups or who.via_api_key:
        raise Forbidden("only a signed-in citizen has a /v1/me")


def own_customer(repos, who: Principal) -> str:
    customer_id = repos.citizens.customer_of(who.subject)
    if customer_id is None:
        raise NotFound(NOT_LINKED)
    return customer_id


def _active(grant: dict[str, Any] | None, on: date) -> bool:
    if grant is None:
        return False
    until = grant.get("valid_until")
    return until is None or date.fromisoformat(until) >= on


def customer_for(repos, who: Principal, customer_id: str | None, on: date) -> str:
    """The customer whose data the caller reads: their own (404 if not linked), or ``customer_id``
    when the caller is that customer or holds a valid proxy for it (403 otherwise, the same whether
    or not the customer exists)."""
    require_citizen(who)
    if customer_id is None:
        return own_customer(repos, who)
    if _active(repos.citizens.proxy(who.subject, customer_id), on):
        return customer_id
    if repos.citizens.customer_of(who.subject) == customer_id:
        return customer_id
    raise Forbidden(NOT_YOURS)


# ---------------------------------------------------------------- use cases


def my_entitlements(repos, tenant, who: Principal, customer_id: str | None = None, lang: str = "fi"):
    on = today()
    cid = customer_for(repos, who, customer_id, on)
    customer = repos.customers.get(cid)
    return [
        citizen_view(e, tenant, customer=customer, on=on, charges=charged_events(repos, e), lang=lang)
        for e in repos.entitlements.for_customer(cid)
    ]


def my_proxies(repos, who: Principal) -> Proxies:
    require_citizen(who)
    on = today()
    acts_for = []
    for g in repos.citizens.proxies_of(who.subject):
        if not _active(g, on):
            continue
        c = repos.customers.get(g["customer_id"])
        acts_for.append(
            ActsFor(
                customer_id=g["customer_id"],
                name=c.name if c else g["customer_id"],
                valid_until=g.get("valid_until"),
                granted_at=g["granted_at"],
            )
        )
    own = repos.citizens.customer_of(who.subject)
    mine = []
    if own is not None:
        mine = [
            ActingForMe(
                id=g["subject"], email=g.get("email"), valid_until=g.get("valid_until"), granted_at=g["granted_at"]
            )
            for g in repos.citizens.proxies_for_customer(own)
        ]
    return Proxies(customer_id=own, acts_for=acts_for, acting_for_me=mine)


def citizen_subject(port, email: str) -> str | None:
    """The ``sub`` of the pool's enabled citizen user with ``email``, or None."""
    return port.subject_of(email, CITIZEN)


def add_proxy(repos, port, who: Principal, email: str, valid_until: date | None) -> ActingForMe:
    """The caller (a customer, acting for themself) lets the citizen signed in as ``email`` act for
    them. 404 not linked; 422 ``body.email`` no such citizen or the caller themself; 422
    ``body.valid_until`` in the past; 409 granted already."""
    require_citizen(who)
    customer_id = own_customer(repos, who)
    on = today()
    if valid_until is not None and valid_until < on:
        raise ValidationFailed(
            "the authorisation would have ended already", [FieldError("body.valid_until", "must be today or later")]
        )
    subject = citizen_subject(port, email)
    if subject is None:
        raise ValidationFailed(
            "nobody has signed in to Seteli as a citizen with this email; ask your relative to sign in once first",
            [FieldError("body.email", "no citizen with this email")],
        )
    if subject == who.subject:
        raise ValidationFailed("you act for yourself already", [FieldError("body.email", "your own sign-in")])
    at = now()
    from seteli.adapters.identity import normalise_email

    doc = {
        "email": normalise_email(email),
        "valid_until": valid_until.isoformat() if valid_until else None,
        "granted_by": who.subject,
        "granted_at": at.isoformat(),
    }
    try:
        repos.citizens.grant_proxy(subject, customer_id, doc)
    except Conflict:
        raise Conflict(
            "this person may act for you already; remove the authorisation first to change it",
            [FieldError("body.email", "authorised already")],
        ) from None
    return ActingForMe(id=subject, email=doc["email"], valid_until=valid_until, granted_at=at)


def remove_proxy(repos, who: Principal, proxy_id: str) -> None:
    """``proxy_id`` is a relative's grant id (the customer revokes it) or a customer id (the caller
    stops acting for that customer). 404 when the caller has neither."""
    require_citizen(who)
    own = repos.citizens.customer_of(who.subject)
    if own is not None and any(g.get("subject") == proxy_id for g in repos.citizens.proxies_for_customer(own)):
        repos.citizens.revoke_proxy(proxy_id, own)
        return
    if repos.citizens.revoke_proxy(who.subject, proxy_id):
        return
    raise NotFound("no such authorisation of yours")


# ---------------------------------------------------------------- citizen code (no bank ID)


def entitlement_access(repos, tenant, *, decision_number: str, citizen_code: str, source: str) -> EntitlementAccess:
    """Decision number + citizen code -> that entitlement's citizen view and a 30-minute access token
    for it. A wrong number and a wrong code get the same 404; each attempt counts against the
    decision number and the source address (429 after too many failures), a right one is given back."""
    from seteli.store.throttle import guess, right_guess

    number = decision_number.strip()
    attempts = [
        ("citizen-code-source", source, ACCESS_FAILURES_PER_SOURCE),
        ("citizen-code-number", number.upper(), ACCESS_FAILURES_PER_NUMBER),
    ]
    guess(attempts, window_seconds=ACCESS_WINDOW_SECONDS, message="too many attempts; try again in 15 minutes")
    e = repos.entitlements.get(number) if number else None
    # compare even when there is no such entitlement, so that the time taken tells nothing
    ok = citizen_access.codes_match(citizen_code, e.citizen_code if e else "-" * 10)
    if e is None or not ok:
        raise NotFound(NO_SUCH_ACCESS)
    right_guess(attempts, window_seconds=ACCESS_WINDOW_SECONDS)
    at = now()
    expires = at + citizen_access.TOKEN_LIFETIME
    secret = citizen_access.citizen_access_secret(repos.settings)
    token = citizen_access.access_token(e.decision_number, secret, expires)
    view = citizen_view(
        e,
        tenant,
        customer=repos.customers.get(e.customer_id),
        on=today(),
        charges=charged_events(repos, e),
        with_customer_id=False,
    )
    return EntitlementAccess(entitlement=view, access_token=token, expires_at=expires.replace(microsecond=0))


def decision_number_of(token: str, repos, at: datetime | None = None) -> str | None:
    """For issue 5's feedback endpoint: the decision number a citizen access token grants, or None."""
    return citizen_access.check_access_token(token, citizen_access.citizen_access_secret(repos.settings), at or now())
