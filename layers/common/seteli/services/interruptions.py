"""Interruptions (keskeytys, spec 8, seed 003 K4.3.5): a day-unit customer's absence.

A provider starts one with the reason and the departure day ("day 0"); it stays a draft - never
settled - until the return day is entered and it is confirmed. Then it is split by the tenant's
percentage bands for the service and reason, day by day, each day paid at its percentage of what
the day would be paid as attendance (the voucher value capped at that day's price), half-up per day.
The return day is paid once: by the interruption, unless a settled attendance event paid it first;
an unsettled attendance event covering it is re-priced in the same transaction to show the day as
paid in the interruption (and back again when the interruption goes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from seteli import clock
from seteli.api.auth import Principal
from seteli.domain.events import EDITABLE, SETTLED, EventStatus, Interruption, InterruptionReason, ServiceEvent
from seteli.domain.money import Money
from seteli.domain.units import Unit
from seteli.errors import Conflict, FieldError, NotFound, ValidationFailed
from seteli.rules import events as event_rules
from seteli.rules import interruptions as rules
from seteli.rules.interruptions import settlement_month
from seteli.services import events as events_svc
from seteli.services.reservations import provider_of
from seteli.store.events import Change, Ledger


@dataclass
class InterruptionInput:
    decision_number: str
    reason: InterruptionReason
    departure_day: date
    return_day: date | None = None
    content_id: str | None = None
    part_id: str | None = None
    notes: str | None = None
    draft: bool = True  # confirm=True with a return day records it


def _rule(ctx: events_svc.Context, reason: InterruptionReason):
    rule = ctx.tenant.interruption_rule(ctx.service.id, reason)
    if rule is None or ctx.unit is not Unit.day:
        msg = f"service {ctx.service.id} takes no {reason.value} interruptions (only continuous day-unit services do)"
        raise ValidationFailed(msg, [FieldError("body.reason", msg)])
    return rule


def _problems(ctx: events_svc.Context, i: Interruption, today: date, *, departure_set: bool) -> list[tuple[str, str]]:
    """What is wrong with ``i``. The recording window applies to the departure day when it is entered
    (``departure_set``): a long stay's return day is entered long after it."""
    e = ctx.entitlement
    out: list[tuple[str, str]] = []
    last = event_rules.last_valid_day(e)
    if i.departure_day < e.valid_from or (last is not None and i.departure_day > last):
        out.append(("body.departure_day", "outside the entitlement's validity"))
    days_back = ctx.tenant.calendar.event_window_days_back
    if departure_set and (today - i.departure_day).days > days_back:
        out.append(("body.departure_day", f"too far back: at most {days_back} days"))
    if i.departure_day > event_rules.month_end(today):
        out.append(("body.departure_day", "in a future month"))
    if i.return_day is not None:
        if i.return_day < i.departure_day:
            out.append(("body.return_day", "is before the departure day"))
        if i.return_day > today:
            out.append(("body.return_day", "in the future: enter the return day when the customer is back"))
    return out


def _attendance_value(ctx: events_svc.Context, part_id: str | None, first: date, last: date):
    prices = ctx.prices(part_id, first, last)
    missing = [d for d, p in prices.items() if p is None]
    if missing:
        msg = f"no approved price for {ctx.content.id} on {event_rules.fi(missing[0])}"
        raise Conflict(msg, [FieldError("body.departure_day", msg)])
    t = ctx.terms()

    def value(on: date) -> Money:
        return event_rules.line(on, Decimal("1"), prices[on], t).municipality  # type: ignore[arg-type]

    return value


def _settled_payer(events: list[ServiceEvent], on: date) -> str | None:
    return next((ev.id for ev in events if event_rules.event_pays_return_day(ev, on)), None)


def priced(
    ctx: events_svc.Context, i: Interruption, led: Ledger, today: date, *, departure_set: bool = False
) -> Interruption:
    problems = _problems(ctx, i, today, departure_set=departure_set)
    if problems:
        raise events_svc._invalid(problems)
    events, interruptions = events_svc._of_content(led, i.content_id)
    clashes = event_rules.interruption_clashes(i.departure_day, i.return_day, events, interruptions, skip=i.id)
    if clashes:
        raise Conflict(clashes[0].message, [FieldError(c.field, c.message) for c in clashes])
    if i.return_day is None:
        if i.status is not EventStatus.draft:
            msg = "enter the return day to record the interruption (until then it stays a draft)"
            raise ValidationFailed(msg, [FieldError("body.return_day", msg)])
        return i.model_copy(update={"days": [], "value": Money.zero()})
    rule = _rule(ctx, i.reason)
    splits = rules.split(rule, i.departure_day, i.return_day)
    value = _attendance_value(ctx, i.part_id, i.departure_day, i.return_day)
    payer = _settled_payer(events, i.return_day)
    days = rules.value_days(splits, value, {i.return_day: payer} if payer else None)
    return i.model_copy(update={"days": days, "value": rules.total(days), "rule_id": rule.id})


def _reprice_neighbours(
    ctx: events_svc.Context, led: Ledger, days: set[date], today: date, new: Interruption | None, skip: str
) -> list[tuple[ServiceEvent, ServiceEvent]]:
    """Unsettled attendance events covering ``days`` (return days, old and new), priced again
    against the interruption as it will be (``new``; None when it goes)."""
    others = [x for x in led.interruptions if x.id != skip] + ([new] if new is not None else [])
    after = Ledger(led.decision_number, led.version, led.events, others)
    out = []
    for ev in led.events:
        if ev.content_id != ctx.content.id or ev.unit is not Unit.day or ev.status not in EDITABLE:
            continue
        if not any(ev.first_day <= d <= ev.last_day for d in days):
            continue
        again = events_svc.price(ctx, ev, after, today=today, check_window=False)
        if again.lines != ev.lines or again.status != ev.status:
            out.append((again, ev))
    return out


def _own(repos, who: Principal, interruption_id: str) -> Interruption:
    pid = provider_of(who)
    i = repos.events.get_interruption(interruption_id)
    if i is None or i.provider_id != pid:
        raise NotFound(f"no interruption {interruption_id} of your provider")
    return i


def _save(repos, ctx, led: Ledger, new: Interruption | None, old: Interruption | None, at: datetime) -> None:
    days = {d for d in ((new.return_day if new else None), (old.return_day if old else None)) if d}
    neighbours = _reprice_neighbours(ctx, led, days, clock.today(), new, (new or old).id)  # type: ignore[union-attr]
    change = Change(ledger=led, put_events=neighbours)
    if new is not None:
        change.put_interruptions.append((new, old))
    elif old is not None:
        change.delete_interruptions.append(old)
    repos.events.apply(change, events_svc.CONCURRENT)


def start(repos, who: Principal, x: InterruptionInput, provider_id: str | None = None) -> Interruption:
    pid = provider_of(who, provider_id)
    ctx = events_svc.context(repos, who, pid, x.decision_number.strip(), x.content_id)
    _rule(ctx, x.reason)
    part_given = x.part_id is not None
    part_id = events_svc._part(repos, ctx, x.part_id if part_given else ctx.reservation.part_id, part_given)
    if not x.draft and x.return_day is None:
        msg = "enter the return day to record the interruption (until then save it as a draft)"
        raise ValidationFailed(msg, [FieldError("body.return_day", msg)])
    at, today = clock.now(), clock.today()
    i = Interruption(
        id=events_svc._new_id("int"),
        decision_number=ctx.entitlement.decision_number,
        customer_id=ctx.entitlement.customer_id,
        service_id=ctx.service.id,
        content_id=ctx.content.id,
        provider_id=pid,
        part_id=part_id,
        reason=x.reason,
        departure_day=x.departure_day,
        return_day=x.return_day,
        rule_id=_rule(ctx, x.reason).id,
        notes=x.notes,
        **events_svc.stamps(who, at, draft=x.draft),
    )
    led = repos.events.ledger(i.decision_number, i.departure_day, x.return_day or event_rules.month_end(today))
    i = priced(ctx, i, led, today, departure_set=True)
    _save(repos, ctx, led, i, None, at)
    return repos.events.get_interruption(i.id) or i


def update(repos, who: Principal, interruption_id: str, version: int, changes: dict[str, Any]) -> Interruption:
    """Set the return day (the usual change), the reason, the departure day or notes, and confirm
    (``record``: the draft becomes recorded and goes to the next settlement)."""
    i = _own(repos, who, interruption_id)
    if i.version != version:
        raise Conflict(
            f"the interruption changed meanwhile (you sent version {version}); read it again",
            [FieldError("body.version", "stale: read again")],
        )
    if i.status in SETTLED or i.status is EventStatus.rejected:
        raise Conflict(f"the interruption is {i.status.value}: it cannot be changed")
    ctx = events_svc.context(repos, who, i.provider_id, i.decision_number, i.content_id)
    at, today = clock.now(), clock.today()
    reason = changes.get("reason", i.reason)
    record = changes.get("record", False)
    status = EventStatus.recorded if (record or i.status is not EventStatus.draft) else EventStatus.draft
    new = i.model_copy(
        update={
            "reason": reason,
            "departure_day": changes.get("departure_day", i.departure_day),
            "return_day": changes.get("return_day", i.return_day),
            "notes": changes.get("notes", i.notes),
            "status": status,
            "recorded_at": at if status is EventStatus.recorded and i.recorded_at is None else i.recorded_at,
            "recorded_by": who.subject if status is EventStatus.recorded and i.recorded_by is None else i.recorded_by,
            "updated_at": at,
            "updated_by": who.subject,
        }
    )
    _rule(ctx, new.reason)
    last = max(d for d in (new.return_day, i.return_day, event_rules.month_end(today)) if d)
    led = repos.events.ledger(i.decision_number, min(new.departure_day, i.departure_day), last)
    new = priced(ctx, new, led, today, departure_set=new.departure_day != i.departure_day)
    if new.status is EventStatus.recorded and new.return_day is not None:
        deadline = ctx.tenant.calendar.provider_deadline_day
        new = new.model_copy(update={"settle_in": settlement_month(new.return_day, today, deadline)})
    _save(repos, ctx, led, new, i, at)
    return repos.events.get_interruption(i.id) or new


def delete(repos, who: Principal, interruption_id: str, version: int) -> None:
    i = _own(repos, who, interruption_id)
    if i.version != version:
        raise Conflict("the interruption changed meanwhile; read it again", [FieldError("query.version", "stale")])
    if i.status in SETTLED:
        raise Conflict(f"the interruption is {i.status.value}: only a credit corrects it now")
    ctx = events_svc.context(repos, who, i.provider_id, i.decision_number, i.content_id)
    led = repos.events.ledger(i.decision_number, i.departure_day, i.return_day or event_rules.month_end(clock.today()))
    _save(repos, ctx, led, None, i, clock.now())


def get(repos, who: Principal, interruption_id: str) -> Interruption:
    if who.is_municipality:
        i = repos.events.get_interruption(interruption_id)
        if i is None:
            raise NotFound(f"no interruption {interruption_id}")
        return i
    return _own(repos, who, interruption_id)


def list_of(repos, who: Principal, *, provider_id: str | None = None, since: date | None = None) -> list[Interruption]:
    if who.is_municipality:
        if not provider_id:
            msg = "required for a municipality user"
            raise ValidationFailed("name the provider", [FieldError("query.provider_id", msg)])
        return repos.events.interruptions_of_provider(provider_id, since)
    return repos.events.interruptions_of_provider(provider_of(who, provider_id), since)
