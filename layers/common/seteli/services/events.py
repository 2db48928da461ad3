"""Service events (spec 7, 9; seed 003 K4.3): recording, editing, deleting, confirming drafts, bulk
recording, and the municipality's approvals.

Who may do what (decided before anything is read):
- a provider's users and API keys record, edit, delete and confirm their own provider's events of
  an entitlement it holds a reservation of (a user only in the team of its service);
- municipality users read every event and decide the ones waiting for approval.

Every write reads the entitlement's records around the event's days (one consistent Query), checks
them with the pure rules in ``seteli.rules.events`` and saves the event, the records it re-prices,
the provider's relation to the customer and the entitlement's "used" flag in one transaction
conditioned on the ledger's version (``seteli.store.events``): nothing is half-written and two
writes cannot both take one day.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from seteli import clock
from seteli.api.auth import Principal
from seteli.domain.entitlements import Entitlement, EntitlementKind, Reservation
from seteli.domain.events import (
    COUNTED,
    EDITABLE,
    SETTLED,
    Approval,
    ApprovalDecision,
    Credit,
    EventStatus,
    Interruption,
    ServiceEvent,
)
from seteli.domain.money import Money
from seteli.domain.tenant import Content, Service, Tenant
from seteli.domain.units import Unit
from seteli.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from seteli.rules import events as rules
from seteli.rules.reservations import active, content_ids
from seteli.services.reservations import provider_of
from seteli.services.teams import ensure_in_team
from seteli.store.events import Change, Ledger

NOT_RESERVED = "no reservation of yours with this decision number"
CONCURRENT = "the customer's records changed meanwhile (another event was saved); read again and repeat"


# ---------------------------------------------------------------- input


@dataclass
class EventInput:
    """What a provider types for an event (the API's body, a CSV row)."""

    decision_number: str
    content_id: str | None = None  # default: the reserved content
    part_id: str | None = None  # default: the reservation's part
    first_day: date | None = None
    last_day: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    quantity: Decimal | None = None
    travel_km: Decimal | None = None
    giver: str | None = None
    notes: str | None = None
    draft: bool = False
    source_ref: str | None = None


# ---------------------------------------------------------------- context


def _tenant(repos) -> Tenant:
    from seteli.services.tenant_config import current_tenant

    return current_tenant(repos.tenant)


@dataclass
class Context:
    """Everything an event of one entitlement content at one provider needs to be priced and checked."""

    tenant: Tenant
    service: Service
    content: Content
    entitlement: Entitlement
    reservation: Reservation
    provider_id: str
    price_lists: list = field(default_factory=list)

    @property
    def unit(self) -> Unit:
        return self.content.unit

    def terms(self) -> rules.Terms:
        return rules.terms(
            self.entitlement,
            self.content.id,
            customer_pays=self.content.customer_pays,
            no_own_share=self.content.no_own_share,
        )

    def prices(self, part_id: str | None, first: date, last: date) -> dict[date, Money | None]:
        from seteli.rules.price_lists import price_days

        try:
            found = price_days(
                self.price_lists, self.provider_id, self.service.id, self.content.id, part_id, first, last
            )
        except ValueError as exc:  # two approved lists start on one day
            raise Conflict(f"the price is ambiguous: {exc}; the municipality must sort it out") from exc
        return dict(found)


def _reservation_of(repos, pid: str, decision_number: str) -> tuple[Entitlement, Reservation]:
    e, reservations = repos.entitlements.with_reservations(decision_number)
    mine = next((r for r in active(reservations) if r.provider_id == pid), None) if e else None
    if e is None or mine is None:
        raise NotFound(NOT_RESERVED, [FieldError("body.decision_number", "not reserved by your provider")])
    return e, mine


def context(repos, who: Principal, pid: str, decision_number: str, content_id: str | None) -> Context:
    e, res = _reservation_of(repos, pid, decision_number)
    ensure_in_team(repos, who, e.service_id)
    tenant = _tenant(repos)
    service = tenant.service(e.service_id)
    cid = content_id or res.content_id
    allowed = [res.content_id] if e.kind is not EntitlementKind.balance_voucher else content_ids(e)
    if cid not in allowed:
        msg = f"your reservation covers {', '.join(allowed)}; this content is not reserved"
        raise ValidationFailed(msg, [FieldError("body.content_id", msg)])
    content = service.content(cid) if service else None
    if service is None or content is None:
        raise Conflict(f"content {cid} is no longer in the municipality's service {e.service_id}")
    lists = [x.rule() for x in repos.price_lists.for_service(pid, e.service_id)]
    return Context(tenant, service, content, e, res, pid, lists)


def _part(repos, ctx: Context, part_id: str | None, given: bool) -> str | None:
    if part_id is None:
        return None
    part = repos.providers.part(ctx.provider_id, part_id)
    if part is None or not part.active:
        msg = "not an active part (site, unit or employee) of your provider"
        raise ValidationFailed(msg, [FieldError("body.part_id" if given else "body.decision_number", msg)])
    return part_id


def _invalid(problems: list[tuple[str, str]]) -> ValidationFailed:
    fields = ", ".join(dict.fromkeys(f.removeprefix("body.") for f, _ in problems))
    return ValidationFailed(f"the event cannot be recorded: {fields}", [FieldError(f, m) for f, m in problems])


def idempotency_ref(key: str | None) -> str | None:
    """The ``source_ref`` of a POST retried with an ``Idempotency-Key`` header (422 when malformed)."""
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= 200 or not key.isprintable():
        msg = "1-200 printable characters (a UUID is usual)"
        raise ValidationFailed("the Idempotency-Key header is not valid", [FieldError("header.Idempotency-Key", msg)])
    return f"idem:{key}"


def stamps(who: Principal, at: datetime, *, draft: bool) -> dict[str, Any]:
    """A new record's status and who made it when (an event's or an interruption's)."""
    return {
        "status": EventStatus.draft if draft else EventStatus.recorded,
        "recorded_at": None if draft else at,
        "recorded_by": None if draft else who.subject,
        "created_at": at,
        "created_by": who.subject,
        "updated_at": at,
        "updated_by": who.subject,
    }


def _new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


# ---------------------------------------------------------------- pricing


@dataclass
class Priced:
    event: ServiceEvent
    reprice: list[tuple[Interruption, Interruption]] = field(default_factory=list)


def _of_content(led: Ledger, content_id: str) -> tuple[list[ServiceEvent], list[Interruption]]:
    return (
        [x for x in led.events if x.content_id == content_id],
        [x for x in led.interruptions if x.content_id == content_id],
    )


def price(ctx: Context, ev: ServiceEvent, led: Ledger, *, today: date, check_window: bool = True) -> ServiceEvent:
    """``ev`` checked against the entitlement and its other records, priced, and given its status
    (draft stays draft; otherwise recorded, or pending_approval on an overrun). Raises 422/409."""
    s = rules.Shape(ev.first_day, ev.last_day, ev.start_time, ev.end_time, ev.quantity)
    days_back = ctx.tenant.calendar.event_window_days_back if check_window else None
    problems = rules.placement_problems(ctx.entitlement, s.first_day, s.last_day, today=today, days_back=days_back)
    problems += rules.travel_problems(ev.travel_km, ctx.service.travel_compensation)
    if problems:
        raise _invalid(problems)
    events, interruptions = _of_content(led, ev.content_id)
    clashes = rules.event_clashes(ctx.unit, s, events, interruptions, skip=ev.id)
    if clashes:
        first = clashes[0]
        raise Conflict(
            ("a day already paid: " if first.already_paid else "") + first.message,
            [FieldError(c.field, c.message) for c in clashes],
        )
    prices = ctx.prices(ev.part_id, s.first_day, s.last_day)
    elsewhere = rules.return_days_elsewhere(s, interruptions, skip=ev.id) if ctx.unit is Unit.day else {}
    lines, missing = rules.price_lines(ctx.unit, s, prices, ctx.terms(), elsewhere)
    if missing:
        where = f"part {ev.part_id}" if ev.part_id else "company level"
        msg = f"no approved price for {ev.content_id} at {where} on {rules.fi(missing[0])}"
        if len(missing) > 1:
            msg += f" (and {len(missing) - 1} more days)"
        raise Conflict(msg, [FieldError("body.first_day", msg)])
    t = rules.totals(lines)
    travel = rules.travel_compensation(ev.travel_km, ctx.tenant.travel_rate_per_km)
    status, over = ev.status, None
    if ev.status is not EventStatus.draft:
        over = rules.overrun(ctx.entitlement, ev.content_id, ctx.unit, lines, events, interruptions, skip=ev.id)
        status = rules.status_after_recording(over)
    return ev.model_copy(
        update={
            "lines": lines,
            "price_total": t.price_total,
            "value": t.value,
            "own_share": t.own_share,
            "travel": travel,
            "status": status,
            "overrun": over,
        }
    )


@dataclass
class Session:
    """Reads shared by the rows of one request (a bulk import's batch): contexts, ledgers and the
    provider's relations to customers, kept up to date after each write. The writes stay conditioned
    on the versions read, so a change made elsewhere meanwhile is still a 409, never a lost update."""

    contexts: dict[tuple, Context] = field(default_factory=dict)
    ledgers: dict[str, tuple[date | None, date | None, Ledger]] = field(default_factory=dict)
    spans: dict[str, tuple[date, date]] = field(default_factory=dict)  # dn -> the dates the batch touches
    relations: dict[tuple[str, str], Any] = field(default_factory=dict)

    def context(self, repos, who: Principal, pid: str, dn: str, content_id: str | None) -> Context:
        key = (pid, dn, content_id)
        if key not in self.contexts:
            self.contexts[key] = context(repos, who, pid, dn, content_id)
        return self.contexts[key]

    def ledger(self, repos, dn: str, first: date, last: date) -> Ledger:
        lo, hi = self.spans.get(dn, (first, last))
        lo, hi = min(lo, first), max(hi, last)
        cached = self.ledgers.get(dn)
        if cached is not None and cached[0] <= first and last <= cached[1]:
            return cached[2]
        led = repos.events.ledger(dn, lo, hi)
        self.ledgers[dn] = (lo, hi, led)
        return led

    def relation(self, repos, pid: str, customer_id: str):
        key = (pid, customer_id)
        if key not in self.relations:
            self.relations[key] = repos.provider_customers.get(pid, customer_id)
        return self.relations[key]

    def forget(self, dn: str) -> None:
        self.ledgers.pop(dn, None)
        for key in [k for k in self.contexts if k[1] == dn]:
            del self.contexts[key]
        self.relations.clear()


def _save(
    repos, ctx: Context, led: Ledger, ev: ServiceEvent, old: ServiceEvent | None, at: datetime, session: Session
) -> ServiceEvent:
    """Save ``ev`` (replacing ``old``) with the relation's last event day and the entitlement's
    "used" flag when the event counts; then bring the session's reads up to date."""
    from seteli.store.entitlements import entitlement_item

    extra = []
    rel, used = None, None
    if ev.status in COUNTED:
        rel = session.relation(repos, ev.provider_id, ev.customer_id)
        if rel is not None and (rel.last_event_on is None or rel.last_event_on < ev.last_day):
            rel = rel.model_copy(update={"last_event_on": ev.last_day, "updated_at": at})
            extra.append(repos.provider_customers.item_for(rel))
        else:
            rel = None
        if not ctx.entitlement.used:
            used = ctx.entitlement.model_copy(update={"used": True, "updated_at": at})
            extra.append((entitlement_item(used, version=used.version or None), False))
    try:
        repos.events.apply(Change(ledger=led, put_events=[(ev, old)], extra=extra), CONCURRENT)
    except Conflict:
        session.forget(ev.decision_number)
        raise
    saved = ev.model_copy(update={"version": ev.version + 1 if old else 1})
    led.version += 1
    led.events = [x for x in led.events if x.id != ev.id] + [saved]
    if rel is not None:
        session.relations[(rel.provider_id, rel.customer_id)] = rel.model_copy(update={"version": rel.version + 1})
    if used is not None:
        ctx.entitlement = used.model_copy(update={"version": used.version + 1})
    return saved


# ---------------------------------------------------------------- use cases: a provider's events


def _shape_or_raise(ctx: Context, x: EventInput) -> rules.Shape:
    s, problems = rules.shape(
        ctx.unit,
        first_day=x.first_day,
        last_day=x.last_day,
        start_time=x.start_time,
        end_time=x.end_time,
        quantity=x.quantity,
    )
    if problems:
        raise _invalid(problems)
    assert s is not None
    return s


@dataclass
class Recorded:
    event: ServiceEvent
    created: bool = True  # False: a rerun found the same event already recorded


def record(
    repos, who: Principal, x: EventInput, provider_id: str | None = None, session: Session | None = None
) -> Recorded:
    """Record (or save as a draft) one event. A row with a ``source_ref`` that exists already
    answers the existing event (a rerun of a bulk import creates no duplicates)."""
    session = session or Session()
    pid = provider_of(who, provider_id)
    ctx = session.context(repos, who, pid, x.decision_number.strip(), x.content_id)
    part_id = _part(repos, ctx, x.part_id if x.part_id is not None else ctx.reservation.part_id, x.part_id is not None)
    s = _shape_or_raise(ctx, x)
    led = session.ledger(repos, ctx.entitlement.decision_number, s.first_day, s.last_day)
    if x.source_ref:
        same = next((ev for ev in led.events if ev.source_ref == x.source_ref and ev.provider_id == pid), None)
        if same is not None:
            return Recorded(same, created=False)
    at, today = clock.now(), clock.today()
    giver = (x.giver or "").strip() or who.email or who.username
    ev = ServiceEvent(
        id=_new_id("ev"),
        decision_number=ctx.entitlement.decision_number,
        customer_id=ctx.entitlement.customer_id,
        service_id=ctx.service.id,
        content_id=ctx.content.id,
        unit=ctx.unit,
        provider_id=pid,
        part_id=part_id,
        first_day=s.first_day,
        last_day=s.last_day,
        start_time=s.start_time,
        end_time=s.end_time,
        quantity=s.quantity,
        travel_km=x.travel_km,
        giver=giver,
        notes=x.notes,
        source_ref=x.source_ref,
        **stamps(who, at, draft=x.draft),
    )
    ev = price(ctx, ev, led, today=today)
    return Recorded(_save(repos, ctx, led, ev, None, at, session))


def _own_event(repos, who: Principal, event_id: str) -> ServiceEvent:
    pid = provider_of(who)
    ev = repos.events.get(event_id)
    if ev is None or ev.provider_id != pid:
        raise NotFound(f"no event {event_id} of your provider")
    return ev


def _check_version(ev: ServiceEvent, version: int, field_name: str = "body.version") -> None:
    if ev.version != version:
        raise Conflict(
            f"the event changed meanwhile (you sent version {version}, it is {ev.version}); read it again",
            [FieldError(field_name, "stale: read again")],
        )


def _check_editable(ev: ServiceEvent) -> None:
    if ev.status not in EDITABLE:
        if ev.status in SETTLED:
            msg = f"the event is {ev.status.value}: only a credit request corrects it now"
        else:
            msg = f"the event is {ev.status.value}: it cannot be changed; record a new one"
        raise Conflict(msg, [FieldError("path.event_id", msg)])


def update(repos, who: Principal, event_id: str, version: int, changes: dict[str, Any]) -> ServiceEvent:
    """Change an event until it is settled (dates, times, quantity, part, travel, giver, notes).
    It is checked and priced again; a recorded event that now overruns waits for approval again."""
    ev = _own_event(repos, who, event_id)
    _check_version(ev, version)
    _check_editable(ev)
    ctx = context(repos, who, ev.provider_id, ev.decision_number, ev.content_id)
    part_given = "part_id" in changes
    part_id = _part(repos, ctx, changes.get("part_id", ev.part_id), part_given)
    x = EventInput(
        decision_number=ev.decision_number,
        first_day=changes.get("first_day", ev.first_day),
        last_day=changes.get("last_day", ev.last_day if "first_day" not in changes else None),
        start_time=changes.get("start_time", ev.start_time),
        end_time=changes.get("end_time", ev.end_time),
        quantity=changes.get("quantity", ev.quantity if ev.unit not in (Unit.day, Unit.hour) else None),
    )
    s = _shape_or_raise(ctx, x)
    at = clock.now()
    status = EventStatus.draft if ev.status is EventStatus.draft else EventStatus.recorded
    new = ev.model_copy(
        update={
            "part_id": part_id,
            "first_day": s.first_day,
            "last_day": s.last_day,
            "start_time": s.start_time,
            "end_time": s.end_time,
            "quantity": s.quantity,
            "travel_km": changes.get("travel_km", ev.travel_km),
            "giver": (changes.get("giver") or ev.giver),
            "notes": changes.get("notes", ev.notes),
            "status": status,
            "approval": None,
            "updated_at": at,
            "updated_by": who.subject,
        }
    )
    led = repos.events.ledger(ev.decision_number, min(s.first_day, ev.first_day), max(s.last_day, ev.last_day))
    new = price(ctx, new, led, today=clock.today())
    return _save(repos, ctx, led, new, ev, at, Session())


def delete(repos, who: Principal, event_id: str, version: int) -> None:
    ev = _own_event(repos, who, event_id)
    _check_version(ev, version, "query.version")
    _check_editable(ev)
    repos.events.apply(Change(ledger=repos.events.lock(ev.decision_number), delete_events=[ev]), CONCURRENT)


def confirm(
    repos, who: Principal, event_id: str, version: int | None = None, session: Session | None = None
) -> ServiceEvent:
    """A draft (an automatic event too) becomes recorded - or waits for approval on an overrun."""
    ev = _own_event(repos, who, event_id)
    if version is not None:
        _check_version(ev, version)
    if ev.status is not EventStatus.draft:
        raise Conflict(f"the event is {ev.status.value}, not a draft", [FieldError("path.event_id", "not a draft")])
    session = session or Session()
    ctx = session.context(repos, who, ev.provider_id, ev.decision_number, ev.content_id)
    at = clock.now()
    led = session.ledger(repos, ev.decision_number, ev.first_day, ev.last_day)
    new = ev.model_copy(
        update={
            "status": EventStatus.recorded,
            "recorded_at": at,
            "recorded_by": who.subject,
            "updated_at": at,
            "updated_by": who.subject,
        }
    )
    # A draft made by the automatic job may lie further back than the recording window allows
    # (it was made in time): confirming it is not refused for its age.
    new = price(ctx, new, led, today=clock.today(), check_window=not ev.auto)
    return _save(repos, ctx, led, new, ev, at, session)


@dataclass
class Outcome:
    """One item of a bulk operation: what happened, or why not."""

    index: int
    ok: bool
    event: ServiceEvent | None = None
    created: bool = False
    status: int = 200
    detail: str | None = None
    errors: list[FieldError] = field(default_factory=list)


def _outcome(index: int, fn) -> Outcome:
    from seteli.errors import SeteliError

    try:
        result = fn()
    except SeteliError as exc:
        return Outcome(index, False, status=exc.status, detail=exc.detail, errors=list(exc.errors))
    if isinstance(result, Recorded):
        return Outcome(index, True, result.event, created=result.created, status=201 if result.created else 200)
    return Outcome(index, True, result)


def confirm_many(repos, who: Principal, event_ids: list[str]) -> list[Outcome]:
    """Confirm several drafts; each on its own (one refused does not stop the others)."""
    provider_of(who)
    session = Session()  # drafts of one customer share its reads
    return [_outcome(i, lambda eid=eid: confirm(repos, who, eid, session=session)) for i, eid in enumerate(event_ids)]


def record_many(repos, who: Principal, rows: list[EventInput], provider_id: str | None = None) -> list[Outcome]:
    """Record several events (a bulk import's batch); each on its own, reporting row by row."""
    provider_of(who, provider_id)
    session = Session()
    for x in rows:  # one read of each customer's records for the whole batch
        if x.first_day is None:
            continue
        dn = x.decision_number.strip()
        first, last = x.first_day, x.last_day or x.first_day
        lo, hi = session.spans.get(dn, (first, last))
        session.spans[dn] = (min(lo, first), max(hi, last))
    return [_outcome(i, lambda x=x: record(repos, who, x, provider_id, session)) for i, x in enumerate(rows)]


def get(repos, who: Principal, event_id: str) -> ServiceEvent:
    if who.is_municipality:
        ev = repos.events.get(event_id)
        if ev is None:
            raise NotFound(f"no event {event_id}")
        return ev
    ev = _own_event(repos, who, event_id)
    ensure_in_team(repos, who, ev.service_id)
    return ev


def list_for_month(
    repos,
    who: Principal,
    month: str,
    *,
    provider_id: str | None = None,
    decision_number: str | None = None,
    status: EventStatus | None = None,
    auto: bool | None = None,
) -> list[ServiceEvent]:
    """A provider's events of a month (a municipality user names the provider); ``auto`` keeps
    only the automatic events (True) or only the others (False)."""
    from seteli.services.teams import teams_of

    if who.is_municipality:
        if not provider_id:
            raise ValidationFailed(
                "name the provider", [FieldError("query.provider_id", "required for a municipality user")]
            )
        pid = provider_id
    else:
        pid = provider_of(who, provider_id)
    found = repos.events.for_provider_month(pid, month)
    teams = None if who.is_municipality else teams_of(repos, who)
    return [
        ev
        for ev in found
        if (teams is None or ev.service_id in teams)
        and (decision_number is None or ev.decision_number == decision_number)
        and (status is None or ev.status is status)
        and (auto is None or ev.auto is auto)
    ]


# ---------------------------------------------------------------- the municipality: approvals and credits


def _municipality(who: Principal, what: str) -> None:
    if not who.is_municipality:
        raise Forbidden(f"only the municipality's users may {what}")


def pending(repos, who: Principal, limit: int, start: dict | None) -> tuple[list[ServiceEvent], dict | None]:
    _municipality(who, "see the events waiting for approval")
    return repos.events.pending(limit, start)


def decide(
    repos, who: Principal, event_id: str, decision: ApprovalDecision, version: int, comment: str | None = None
) -> ServiceEvent:
    """Approve (paid normally), reject (never paid, gone from the own-share specification) or
    approve and file a credit request for the whole event next month (spec 9)."""
    from seteli.rules.credits import deduct_in

    _municipality(who, "decide on events waiting for approval")
    ev = repos.events.get(event_id)
    if ev is None:
        raise NotFound(f"no event {event_id}")
    _check_version(ev, version)
    if ev.status is not EventStatus.pending_approval:
        msg = f"the event is {ev.status.value}: only an event waiting for approval is decided"
        raise Conflict(msg, [FieldError("path.event_id", msg)])
    at, today = clock.now(), clock.today()
    credit = None
    if decision is ApprovalDecision.approve_with_credit:
        credit = Credit(
            id=f"cr-{ev.id}",
            event_id=ev.id,
            decision_number=ev.decision_number,
            provider_id=ev.provider_id,
            service_id=ev.service_id,
            amount=ev.payable,
            deduct_in=deduct_in(today, ev.month),
            reason=comment or "approved with a credit request: the granted amount was exceeded",
            created_at=at,
            created_by=who.subject,
        )
    status = EventStatus.rejected if decision is ApprovalDecision.reject else EventStatus.approved
    new = ev.model_copy(
        update={
            "status": status,
            "approval": Approval(
                decision=decision,
                comment=comment,
                decided_at=at,
                decided_by=who.subject,
                credit_id=credit.id if credit else None,
            ),
            "credit_id": credit.id if credit else None,
            "updated_at": at,
            "updated_by": who.subject,
        }
    )
    led = repos.events.lock(ev.decision_number)
    extra = repos.credits.items([credit]) if credit else []
    repos.events.apply(Change(ledger=led, put_events=[(new, ev)], extra=extra), CONCURRENT)
    return repos.events.get(ev.id) or new


def file_credit(repos, who: Principal, event_id: str, reason: str) -> Credit:
    """A credit request: the whole payable value of a settled event, deducted in the next settlement
    (spec 10). The municipality files it for any event; a provider for its own (correcting its
    error). One per event."""
    from seteli.rules.credits import deduct_in

    if who.is_municipality:
        ev = repos.events.get(event_id)
        if ev is None:
            raise NotFound(f"no event {event_id}", [FieldError("body.event_id", "unknown")])
    else:
        try:
            ev = _own_event(repos, who, event_id)
        except NotFound:
            raise NotFound(f"no event {event_id} of your provider", [FieldError("body.event_id", "unknown")]) from None
    if ev.status not in SETTLED:
        msg = f"the event is {ev.status.value}: a credit corrects a settled event; " + (
            "edit or delete it instead" if ev.status in EDITABLE else "a rejected event is never paid"
        )
        raise Conflict(msg, [FieldError("body.event_id", msg)])
    if ev.credit_id:
        msg = f"the event has a credit request already ({ev.credit_id})"
        raise Conflict(msg, [FieldError("body.event_id", msg)])
    at = clock.now()
    credit = Credit(
        id=f"cr-{ev.id}",
        event_id=ev.id,
        decision_number=ev.decision_number,
        provider_id=ev.provider_id,
        service_id=ev.service_id,
        amount=ev.payable,
        deduct_in=deduct_in(clock.today(), ev.month),
        reason=reason,
        created_at=at,
        created_by=who.subject,
    )
    new = ev.model_copy(update={"credit_id": credit.id, "updated_at": at, "updated_by": who.subject})
    led = repos.events.lock(ev.decision_number)
    repos.events.apply(Change(ledger=led, put_events=[(new, ev)], extra=repos.credits.items([credit])), CONCURRENT)
    return credit.model_copy(update={"version": 1})


def credits_of(repos, who: Principal, provider_id: str | None = None) -> list[Credit]:
    if who.is_municipality:
        if not provider_id:
            raise ValidationFailed(
                "name the provider", [FieldError("query.provider_id", "required for a municipality user")]
            )
        return repos.credits.of_provider(provider_id)
    return repos.credits.of_provider(provider_of(who, provider_id))
