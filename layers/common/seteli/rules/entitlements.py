"""Rules of entitlements (spec 6): their state, and the codes printed on the papers.

Pure functions: no I/O. Also the grant's validation against the tenant's services, closing, the
closures a recorded death makes, and the rows of the provider copy.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from seteli.domain.entitlements import (
    Balance,
    BalanceContent,
    Entitlement,
    EntitlementKind,
    EntitlementRow,
    EntitlementState,
    Period,
    total_value,
)
from seteli.domain.money import Money
from seteli.domain.units import ServiceKind
from seteli.errors import FieldError

# Codes are read off paper and typed by people: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 10  # 25**10 ~ 9.5e13 codes: unguessable behind the throttles


def new_code(length: int = CODE_LENGTH) -> str:
    """A random verification or citizen code from ``secrets`` (never ``random``)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(code: str | None) -> str:
    """What the holder typed, as compared: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in (code or "") if ch not in " -\t").upper()


def codes_match(typed: str | None, expected: str | None) -> bool:
    """Constant-time comparison; also when there is nothing to compare with, so the time taken does
    not tell whether the decision number exists. An empty code never matches."""
    a = normalise_code(typed).encode("utf-8")
    b = normalise_code(expected).encode("utf-8") if expected else b"-" * CODE_LENGTH
    return hmac.compare_digest(a, b) and bool(a) and expected is not None


def is_closed(e: Entitlement, on: date) -> bool:
    """Closed by the case worker or a death (``closed_on`` reached), or its validity has ended."""
    if e.closed_on is not None and e.closed_on <= on:
        return True
    return e.valid_until is not None and e.valid_until < on


def last_valid_day(e: Entitlement) -> date | None:
    """The last day the entitlement is valid: the day before ``closed_on`` or ``valid_until``
    (None: until further notice)."""
    ends = [d for d in (e.valid_until, e.closed_on - timedelta(days=1) if e.closed_on else None) if d is not None]
    return min(ends) if ends else None


def state(e: Entitlement, on: date, *, used_up: bool = False) -> EntitlementState:
    """granted / open / closed, derived (never stored): closed when ended, closed or used up;
    open once reserved (``e.reserved_by``) or charged (``e.used``); granted before that."""
    if used_up or is_closed(e, on):
        return EntitlementState.closed
    return EntitlementState.open if (e.used or e.reserved_by) else EntitlementState.granted


# ---------------------------------------------------------------- granting (issue 4, the municipality)

# What kind of entitlement a service of each kind may be granted as.
KINDS_OF_SERVICE: dict[str, frozenset[EntitlementKind]] = {
    ServiceKind.voucher.value: frozenset({EntitlementKind.voucher, EntitlementKind.order}),
    ServiceKind.purchased_service.value: frozenset({EntitlementKind.order}),
    ServiceKind.balance_voucher.value: frozenset({EntitlementKind.balance_voucher}),
}


@dataclass(frozen=True)
class GrantRow:
    """A content the case worker grants (vouchers and orders). ``unit_value`` None: the content's
    fixed voucher value from the tenant configuration."""

    content_id: str
    amount: Decimal
    period: Period = Period.validity
    unit_value: Money | None = None


@dataclass(frozen=True)
class GrantContent:
    """A content of a balance voucher. ``subsidy`` None: the content's subsidy from the tenant."""

    content_id: str
    subsidy: Money | None = None


@dataclass(frozen=True)
class GrantBalance:
    total_euros: Money | None = None
    total_units: Decimal | None = None
    recurrence: Period = Period.validity
    contents: tuple[GrantContent, ...] = ()
    provider_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Grant:
    """What a case worker asks to grant, before it is checked against the tenant's services."""

    kind: EntitlementKind
    service_id: str
    decision_date: date
    valid_from: date
    valid_until: date | None = None
    rows: tuple[GrantRow, ...] = ()
    balance: GrantBalance | None = None
    named_provider_id: str | None = None
    named_part_id: str | None = None


def service_of(tenant, service_id: str):
    """The tenant's service ``service_id`` (None: no such service)."""
    return next((s for s in tenant.services if s.id == service_id), None)


def _repeated(ids: list[str]) -> set[str]:
    return {i for i in ids if ids.count(i) > 1}


def validate_grant(g: Grant, tenant, today: date) -> list[FieldError]:
    """Every problem of ``g`` against the tenant's services, each naming its field (empty: fine).

    - the service is one of the tenant's, and of a kind that may be granted as ``g.kind``
      (a voucher or an order of a voucher service, an order of a purchased service, a balance voucher
      of a balance-voucher service);
    - the decision date is not in the future; the validity may start before the decision (decisions
      are often made after the service has started) or after it; ``valid_until`` is not before
      ``valid_from`` (None: until further notice);
    - vouchers and orders: at least one row, each content of the service and only once, amount > 0,
      unit value > 0 (or the content has a fixed voucher value to use); no ``balance``;
    - balance vouchers: ``balance`` with exactly one of ``total_euros``/``total_units`` (> 0), at
      least one content, each of the service and only once, subsidy > 0 (or the content's own);
      named providers only once; no rows;
    - orders name the provider and its part (``named_provider_id`` and ``named_part_id``); a part is
      named only by an order; a balance voucher naming its providers names ``named_provider_id``
      among them.
    """
    errors: list[FieldError] = []

    def bad(field: str, message: str) -> None:
        errors.append(FieldError(f"body.{field}", message))

    service = service_of(tenant, g.service_id)
    if service is None:
        bad("service_id", "no such service in this municipality")
    elif g.kind not in KINDS_OF_SERVICE.get(str(service.kind.value), frozenset()):
        allowed = ", ".join(sorted(k.value for k in KINDS_OF_SERVICE.get(str(service.kind.value), frozenset())))
        bad("kind", f"service {g.service_id} is a {service.kind.value} service: it is granted as {allowed}")

    if g.decision_date > today:
        bad("decision_date", "is in the future: a decision is recorded once it has been made")
    if g.valid_until is not None and g.valid_until < g.valid_from:
        bad("valid_until", "is before valid_from")

    contents = {c.id: c for c in service.contents} if service is not None else {}
    if g.kind is EntitlementKind.balance_voucher:
        if g.rows:
            bad("rows", "a balance voucher has no rows: give its total and contents in balance")
        if g.balance is None:
            bad("balance", "required for a balance voucher (total_euros or total_units, and its contents)")
        else:
            errors.extend(_balance_problems(g.balance, contents, service is not None, g.named_provider_id))
    else:
        if g.balance is not None:
            bad("balance", "only a balance voucher has a balance")
        if not g.rows:
            bad("rows", "give at least one content with its amount")
        twice = _repeated([r.content_id for r in g.rows])
        for i, r in enumerate(g.rows):
            here = f"rows[{i}]"
            content = contents.get(r.content_id)
            if service is not None and content is None:
                bad(f"{here}.content_id", f"not a content of service {g.service_id}")
            elif r.content_id in twice:
                bad(f"{here}.content_id", "given twice: one row per content")
            if r.amount <= 0:
                bad(f"{here}.amount", "must be more than zero")
            if r.unit_value is not None and r.unit_value <= Money.zero():
                bad(f"{here}.unit_value", "must be more than zero")
            if r.unit_value is None and content is not None and not _has_value(content.voucher_value):
                bad(f"{here}.unit_value", "required: the content has no fixed voucher value")

    if g.kind is EntitlementKind.order:
        if not g.named_provider_id:
            bad("named_provider_id", "required: an order names the provider")
        if not g.named_part_id:
            bad("named_part_id", "required: an order names the provider's part (site, unit or employee)")
    elif g.named_part_id:
        bad("named_part_id", "only an order names a part; a provider reserves a voucher at its own part")
    return errors


def _has_value(m: Money | None) -> bool:
    return m is not None and m > Money.zero()


def _balance_problems(b: GrantBalance, contents: dict, known_service: bool, named: str | None) -> list[FieldError]:
    errors: list[FieldError] = []

    def bad(field: str, message: str) -> None:
        errors.append(FieldError(f"body.balance.{field}", message))

    if (b.total_euros is None) == (b.total_units is None):
        bad("total_euros", "give exactly one of total_euros and total_units")
    if b.total_euros is not None and b.total_euros <= Money.zero():
        bad("total_euros", "must be more than zero")
    if b.total_units is not None and b.total_units <= 0:
        bad("total_units", "must be more than zero")
    if not b.contents:
        bad("contents", "give at least one content with its subsidy")
    twice = _repeated([c.content_id for c in b.contents])
    for i, c in enumerate(b.contents):
        content = contents.get(c.content_id)
        if known_service and content is None:
            bad(f"contents[{i}].content_id", "not a content of the service")
        elif c.content_id in twice:
            bad(f"contents[{i}].content_id", "given twice: one subsidy per content")
        if c.subsidy is not None and c.subsidy <= Money.zero():
            bad(f"contents[{i}].subsidy", "must be more than zero")
        if c.subsidy is None and content is not None and not _has_value(content.subsidy):
            bad(f"contents[{i}].subsidy", "required: the content has no subsidy of its own")
    twice_p = _repeated(list(b.provider_ids))
    for i, pid in enumerate(b.provider_ids):
        if pid in twice_p:
            bad(f"provider_ids[{i}]", "given twice")
    if named and b.provider_ids and named not in b.provider_ids:
        errors.append(FieldError("body.named_provider_id", "must be one of balance.provider_ids"))
    return errors


def granted_rows(g: Grant, tenant) -> list[EntitlementRow]:
    """The rows as stored: a missing unit value is the content's voucher value. Call after
    ``validate_grant`` found nothing."""
    service = service_of(tenant, g.service_id)
    contents = {c.id: c for c in service.contents} if service is not None else {}
    out = []
    for r in g.rows:
        value = r.unit_value if r.unit_value is not None else contents[r.content_id].voucher_value
        out.append(EntitlementRow(content_id=r.content_id, amount=r.amount, period=r.period, unit_value=value))
    return out


def granted_balance(g: Grant, tenant) -> Balance | None:
    """The balance as stored: a missing subsidy is the content's own. After ``validate_grant``."""
    if g.balance is None:
        return None
    service = service_of(tenant, g.service_id)
    contents = {c.id: c for c in service.contents} if service is not None else {}
    b = g.balance
    return Balance(
        total_euros=b.total_euros,
        total_units=b.total_units,
        recurrence=b.recurrence,
        contents=[
            BalanceContent(
                content_id=c.content_id,
                subsidy=c.subsidy if c.subsidy is not None else contents[c.content_id].subsidy,
            )
            for c in b.contents
        ],
        provider_ids=list(b.provider_ids),
    )


# ---------------------------------------------------------------- closing and death


def closing_problems(e: Entitlement, closed_on: date, today: date) -> list[tuple[int, FieldError]]:
    """Why ``e`` cannot be closed on ``closed_on`` (the first day it is no longer valid), as
    (HTTP status, field error): 409 when it is closed already, or its closing is recorded already
    (a later one is not moved), or its validity has ended already; 422 when ``closed_on`` is before
    ``valid_from`` (closing before the start means the decision is withdrawn: close on
    ``valid_from``) or after its last valid day (nothing to close). A closing day in the past
    is allowed: the case worker records what happened."""
    out: list[tuple[int, FieldError]] = []
    if e.closed_on is not None:
        out.append(
            (
                409,
                FieldError(
                    "path.decision_number", f"its closing is recorded already (closed on {e.closed_on.isoformat()})"
                ),
            )
        )
    elif e.valid_until is not None and e.valid_until < today:
        out.append((409, FieldError("path.decision_number", f"its validity ended on {e.valid_until.isoformat()}")))
    if closed_on < e.valid_from:
        out.append((422, FieldError("body.closed_on", "is before the validity starts: close on valid_from")))
    if e.valid_until is not None and closed_on > e.valid_until:
        out.append((422, FieldError("body.closed_on", "is after the validity ends: nothing to close")))
    return out


def closed(e: Entitlement, closed_on: date, reason: str, by: str, at: datetime) -> Entitlement:
    return e.model_copy(update={"closed_on": closed_on, "closed_reason": reason, "closed_by": by, "updated_at": at})


DEATH_REASON = "death"


def death_closures(
    entitlements: Iterable[Entitlement], died_on: date, *, by: str = "", at: datetime | None = None
) -> list[Entitlement]:
    """The entitlements a recorded death changes: each closes at ``died_on + 1`` (the first day it is
    no longer valid). Unchanged (left out): one closed already on that day or earlier (an earlier
    closing is kept), and one whose validity ends on the day of death or before (it is over anyway).
    """
    closes = died_on + timedelta(days=1)
    out = []
    for e in entitlements:
        if e.closed_on is not None and e.closed_on <= closes:
            continue
        if e.valid_until is not None and e.valid_until < closes:
            continue
        update: dict = {"closed_on": closes, "closed_reason": DEATH_REASON, "closed_by": by or e.closed_by}
        if at is not None:
            update["updated_at"] = at
        out.append(e.model_copy(update=update))
    return out


# ---------------------------------------------------------------- the provider copy


PERIOD_FI = {Period.validity: "voimassaoloaika", Period.week: "vko", Period.month: "kk"}


@dataclass(frozen=True)
class CopyRow:
    """One line of the provider copy ("tuottajan kappale")."""

    content_id: str
    content_name: str
    amount: Decimal | None  # None: a balance voucher's content (the total is the balance)
    period: Period | None
    unit: str  # hour, day, ... ('' when the content is not in the tenant any more)
    unit_value: Decimal  # the voucher value (or a balance voucher's subsidy) per unit
    total_value: Decimal | None  # amount x unit value, half-up to the cent, per period


def provider_copy_rows(e: Entitlement, tenant, lang: str = "fi") -> list[CopyRow]:
    """The rows of the provider copy: content name, amount per period, unit, unit value, and the
    total value (``seteli.domain.entitlements.total_value``: amount x unit value, half-up)."""
    service = service_of(tenant, e.service_id)
    contents = {c.id: c for c in service.contents} if service is not None else {}

    def name(cid: str) -> str:
        return contents[cid].name.get(lang) if cid in contents else cid

    def unit(cid: str) -> str:
        return str(contents[cid].unit.value) if cid in contents else ""

    if e.kind is EntitlementKind.balance_voucher and e.balance is not None:
        return [
            CopyRow(c.content_id, name(c.content_id), None, None, unit(c.content_id), c.subsidy.amount, None)
            for c in e.balance.contents
        ]
    return [
        CopyRow(
            r.content_id,
            name(r.content_id),
            r.amount,
            r.period,
            unit(r.content_id),
            r.unit_value.amount,
            total_value(r),
        )  # fmt: skip
        for r in e.rows
    ]
