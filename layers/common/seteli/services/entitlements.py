"""What the municipality grants (spec 6): vouchers, balance vouchers and purchased-service orders;
reading them, closing them, and the provider copy.

Who may do what:

- grant, close, list a customer's entitlements: municipality users (municipality_admin,
  case_worker); anyone else a 403 before anything is read;
- read one (``GET /v1/entitlements/{no}``) and its provider copy: municipality users see everything,
  the codes included (the case worker prints them on the provider copy and the decision letter);
  a provider's user or API key sees it only while its provider holds a reservation of it that is
  not cancelled, or is the provider the decision names, and then without the codes and without the
  customer's personal identity code (the name and home municipality are shown); for any other
  provider it does not exist (404, the same answer as for an unknown number, so existence does not
  leak). A provider user outside the service's team gets the same 404. Citizens and anyone else:
  403 (they read their own through ``/v1/me/entitlements``).

Granting an order (``kind`` ``order``) reserves the named provider part in the same transaction as
the entitlement: the reservation (``by_municipality``), the provider's relation to the customer and
``reserved_by`` on the entitlement. After the commit the part's notification email (or else the
company's contact email) is told the decision number; the email carries no personal identity code
and only the customer's initials.

One stack is one municipality (tenant): every entitlement in its table is the tenant's, so "another
tenant's" data is not reachable through this stack at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from seteli import clock
from seteli.api.auth import Principal
from seteli.domain.entitlements import Customer, Entitlement, EntitlementKind, Reservation
from seteli.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from seteli.rules import entitlements as rules
from seteli.services.customers import ensure_municipality
from seteli.services.price_lists import service_approved
from seteli.services.reservations import relations_after_closing

NOT_VISIBLE = "no entitlement {no} that you may see"


def _tenant(repos):
    from seteli.services.tenant_config import current_tenant

    return current_tenant(repos.tenant)


# ---------------------------------------------------------------- views


@dataclass(frozen=True)
class Viewed:
    """An entitlement as the caller may see it (``full``: the municipality's view)."""

    entitlement: Entitlement
    customer: Customer | None
    reservations: list[Reservation]
    state: str
    full: bool


def viewed(e: Entitlement, customer: Customer | None, reservations: list[Reservation], *, full: bool) -> Viewed:
    return Viewed(e, customer, reservations, str(rules.state(e, clock.today())), full)


def provider_may_read(repos, who: Principal, e: Entitlement | None, reservations: list[Reservation]) -> bool:
    """Whether a provider's user may see ``e``: its provider holds a reservation or is named in the
    decision, and the user is in the service's team (the entitlement itself and its own-share lines)."""
    from seteli.services.teams import teams_of

    if e is None:
        return False
    pid = who.provider_id
    holds = any(r.provider_id == pid and r.cancelled_at is None for r in reservations)
    if not (holds or e.named_provider_id == pid):
        return False
    teams = teams_of(repos, who)
    return teams is None or e.service_id in teams


def _ensure_reader(who: Principal) -> None:
    if not (who.is_municipality or who.is_provider):
        raise Forbidden(
            "only municipality users and providers read entitlements here; a citizen reads their own "
            "at /v1/me/entitlements"
        )


def read(repos, who: Principal, decision_number: str) -> Viewed:
    """One entitlement with its reservations (see the module docstring for who sees what)."""
    _ensure_reader(who)
    e, reservations = repos.entitlements.with_reservations(decision_number)
    if who.is_municipality:
        if e is None:
            raise NotFound(f"no entitlement {decision_number}")
        return viewed(e, repos.customers.get(e.customer_id), reservations, full=True)
    if not provider_may_read(repos, who, e, reservations):
        raise NotFound(NOT_VISIBLE.format(no=decision_number))
    assert e is not None
    own = [r for r in reservations if r.provider_id == who.provider_id]
    return viewed(e, repos.customers.get(e.customer_id), own, full=False)


def for_customer(repos, who: Principal, customer_id: str) -> list[Viewed]:
    """A customer's entitlements by start date (municipality users)."""
    ensure_municipality(who)
    customer = repos.customers.get(customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}")
    return [viewed(e, customer, [], full=True) for e in repos.entitlements.for_customer(customer_id)]


# ---------------------------------------------------------------- granting


@dataclass(frozen=True)
class GrantRequest:
    decision_number: str
    customer_id: str
    grant: rules.Grant
    home_municipality: str | None = None
    notes: str | None = None


def grant(repos, who: Principal, req: GrantRequest) -> Viewed:
    """Grant a voucher, a balance voucher or an order (see the module docstring). 422 naming the
    field for what ``seteli.rules.entitlements.validate_grant`` finds, an unknown customer, provider
    or part; 409 when the customer's death is recorded, the named provider has no approved
    application for the service, or the decision number is in use already."""
    from seteli.store.entitlements import reservation_item

    ensure_municipality(who)
    tenant = _tenant(repos)
    g = req.grant
    errors = rules.validate_grant(g, tenant, clock.today())
    customer = repos.customers.get(req.customer_id)
    if customer is None:
        errors.append(FieldError("body.customer_id", "no such customer: add the customer first"))
    home = (req.home_municipality or "").strip() or (customer.home_municipality if customer else None)
    if customer is not None and not home:
        errors.append(FieldError("body.home_municipality", "required: the customer has no home municipality"))
    provider, part = _named(repos, g, errors)
    if errors:
        raise ValidationFailed("the grant has invalid fields: " + ", ".join(e.field for e in errors), errors)
    assert customer is not None and home is not None
    if customer.died_on is not None:
        raise Conflict(
            f"the death of customer {customer.id} is recorded: nothing can be granted to them",
            [FieldError("body.customer_id", "the customer has died")],
        )
    if provider is not None and not service_approved(repos, provider.id, g.service_id):
        raise Conflict(
            f"provider {provider.id} has no approved application for service {g.service_id}",
            [FieldError("body.named_provider_id", f"no approved application for {g.service_id}")],
        )

    at = clock.now()
    rows = rules.granted_rows(g, tenant)
    e = Entitlement(
        decision_number=req.decision_number,
        kind=g.kind,
        customer_id=customer.id,
        service_id=g.service_id,
        decision_date=g.decision_date,
        valid_from=g.valid_from,
        valid_until=g.valid_until,
        home_municipality=home,
        rows=rows,
        balance=rules.granted_balance(g, tenant),
        verification_code=rules.new_code(),
        citizen_code=rules.new_code(),
        named_provider_id=g.named_provider_id,
        named_part_id=g.named_part_id,
        notes=(req.notes or "").strip() or None,
        created_at=at,
        created_by=who.subject,
        updated_at=at,
    )
    extra = []
    reservations: list[Reservation] = []
    if g.kind is EntitlementKind.order:
        from seteli.services.reservations import relation_after

        assert provider is not None
        res = Reservation(
            decision_number=e.decision_number,
            provider_id=provider.id,
            part_id=g.named_part_id,
            content_id=rows[0].content_id,
            customer_id=customer.id,
            accepted_terms=True,
            by_municipality=True,
            reserved_at=at,
            reserved_by=who.subject,
        )
        relation = relation_after(
            repos.provider_customers.get(provider.id, customer.id),
            provider.id,
            customer,
            customer.id,
            e.valid_until,
            at,
        )
        extra = [(reservation_item(res), True), repos.provider_customers.item_for(relation)]
        e = e.model_copy(update={"reserved_by": [provider.id]})
        reservations = [res.model_copy(update={"version": 1})]
    try:
        saved = repos.entitlements.create(e, extra=extra)
    except Conflict as exc:
        if exc.errors:  # the decision number is in use (the repository names body.decision_number)
            raise
        raise Conflict(
            "the provider's relation to the customer changed meanwhile; send the grant again",
            [FieldError("body.named_provider_id", "changed meanwhile: try again")],
        ) from None
    if g.kind is EntitlementKind.order:
        _notify_order(tenant, saved, customer, provider, part)
    return viewed(saved, customer, reservations, full=True)


def _named(repos, g: rules.Grant, errors: list[FieldError]):
    """The named provider and part (None, None when not named); unknown ones are field errors."""
    provider = part = None
    if g.named_provider_id:
        provider = repos.providers.get(g.named_provider_id)
        if provider is None:
            errors.append(FieldError("body.named_provider_id", "no such provider"))
    if provider is not None and g.named_part_id:
        part = repos.providers.part(provider.id, g.named_part_id)
        if part is None or not part.active:
            errors.append(
                FieldError("body.named_part_id", "not an active part (site, unit or employee) of the provider")
            )
    if g.balance is not None:
        for i, pid in enumerate(g.balance.provider_ids):
            if repos.providers.get(pid) is None:
                errors.append(FieldError(f"body.balance.provider_ids[{i}]", "no such provider"))
    return provider, part


def initials(c: Customer) -> str:
    """``Aino Maria Lehtonen`` -> ``A. L.``: enough for a provider to match an order to a call."""
    first = (c.first_names.split() or [""])[0][:1]
    last = c.last_name.strip()[:1]
    return " ".join(f"{x.upper()}." for x in (first, last) if x)


def _notify_order(tenant, e: Entitlement, customer: Customer, provider, part) -> None:
    """Tell the part's notification email (else the company's contact email) of the order. Never
    fails the grant: the order is saved, and the provider sees it in its reservations."""
    from seteli.adapters.email import email_sender, render
    from seteli.adapters.provider_copy import UNIT_FI, fi_date, validity
    from seteli.observability import logger

    to = (part.email if part is not None else None) or provider.contact_email
    if not to:
        logger.warning("order not emailed: no address", extra={"decision_number": e.decision_number})
        return
    service = rules.service_of(tenant, e.service_id)
    contents = {c.id: c for c in service.contents} if service is not None else {}

    def names(cid: str) -> dict[str, str]:
        c = contents.get(cid)
        return {lang: (c.name.get(lang) if c else cid) for lang in ("fi", "sv", "en")}

    email = render(
        "order_placed",
        to,
        municipality=tenant.name.get("fi"),
        decision_number=e.decision_number,
        provider_name=provider.name,
        part_name=part.name if part is not None else provider.name,
        service={lang: (service.name.get(lang) if service else e.service_id) for lang in ("fi", "sv", "en")},
        contents=[
            {
                "names": names(r.content_id),
                "amount": f"{r.amount:.2f}",
                "unit": UNIT_FI.get(str(contents[r.content_id].unit.value), "") if r.content_id in contents else "",
                "period": r.period.value,
            }
            for r in e.rows
        ],
        validity=validity(e.valid_from, e.valid_until),
        valid_from=fi_date(e.valid_from),
        initials=initials(customer),
    )
    email_sender().send(email)


# ---------------------------------------------------------------- closing


def close(repos, who: Principal, decision_number: str, closed_on: date | None, reason: str, version: int) -> Viewed:
    """The case worker closes an entitlement from ``closed_on`` (default today: the first day it is
    no longer valid). 409 closed already, its validity ended, or a stale ``version``; 422 a closing
    day outside the validity (``seteli.rules.entitlements.closing_problems``)."""
    ensure_municipality(who)
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed("give the reason for closing", [FieldError("body.reason", "required, not empty")])
    e, reservations = repos.entitlements.with_reservations(decision_number)
    if e is None:
        raise NotFound(f"no entitlement {decision_number}")
    today = clock.today()
    day = closed_on or today
    problems = rules.closing_problems(e, day, today)
    conflicts = [f for status, f in problems if status == 409]
    if conflicts:
        raise Conflict(f"entitlement {decision_number} cannot be closed: {conflicts[0].message}", conflicts)
    if problems:
        raise ValidationFailed("the closing day is outside the validity", [f for _, f in problems])
    if version != e.version:
        raise Conflict(
            f"entitlement {decision_number} changed meanwhile (you sent version {version}); read it again",
            [FieldError("body.version", "stale: read again")],
        )
    at = clock.now()
    done = rules.closed(e, day, text, who.subject, at)
    saved = repos.entitlements.change(done, extra=relations_after_closing(repos, [done], at))
    return viewed(saved, repos.customers.get(e.customer_id), reservations, full=True)


# ---------------------------------------------------------------- the provider copy


def provider_copy(repos, who: Principal, decision_number: str) -> bytes:
    """The provider copy as PDF bytes: for municipality users, and for the provider that holds a
    reservation of the entitlement or is named in it (404 for any other provider)."""
    from seteli.adapters.provider_copy import CopyData, render_provider_copy

    v = read(repos, who, decision_number)
    e, c = v.entitlement, v.customer
    tenant = _tenant(repos)
    service = rules.service_of(tenant, e.service_id)
    address = [
        x for x in ((c.address if c else None), " ".join(p for p in ((c.postal_code, c.city) if c else ()) if p)) if x
    ]
    providers = []
    for pid in (e.balance.provider_ids if e.balance else []) or ([e.named_provider_id] if e.named_provider_id else []):
        p = repos.providers.get(pid)
        providers.append(p.name if p else pid)
    part_name = None
    if e.named_provider_id and e.named_part_id:
        part = repos.providers.part(e.named_provider_id, e.named_part_id)
        part_name = part.name if part else e.named_part_id
    balance_total = None
    if e.balance is not None:
        from seteli.adapters.provider_copy import RECURRENCE_FI, fi_number

        if e.balance.total_euros is not None:
            amount = f"{fi_number(e.balance.total_euros.amount)} eur"
        else:
            amount = f"{fi_number(e.balance.total_units)} yksikköä"
        balance_total = f"{amount} {RECURRENCE_FI[e.balance.recurrence.value]}"
    data = CopyData(
        municipality=tenant.name.get("fi"),
        kind=e.kind.value,
        decision_number=e.decision_number,
        verification_code=e.verification_code,
        decision_date=e.decision_date,
        customer_name=c.name if c else "",
        address_lines=address,
        phone=c.phone if c else None,
        home_municipality=e.home_municipality,
        valid_from=e.valid_from,
        valid_until=e.valid_until,
        service_name=service.name.get("fi") if service else e.service_id,
        rows=rules.provider_copy_rows(e, tenant),
        balance_total=balance_total,
        provider_names=providers,
        part_name=part_name,
        closed_on=e.closed_on,
    )
    return render_provider_copy(data)
