"""The monthly settlement (tilitys): what goes into a run and what each statement comes to. Pure.

Spec 10 and 11; seed 003 K4.3.2, K4.3.5.3-K4.3.5.4, K4.3.8; seed 001 (Palse invoicing).

- The run for month M takes every record waiting in a provider's settlement queue whose settlement
  month is M or earlier: recorded and approved events of M or before (drafts, pending approvals and
  rejected events never wait there), interruptions whose end was recorded in time for M
  (``settle_in``), and credits due in M or before (``deduct_in``).
- One statement per provider and service: events (value + travel) + interruptions - credits = the
  total. What an earlier run of the same provider and service carried in (never positive) is added;
  a negative result is carried to the next run (``rules.credits.carry``) and nothing is paid now.
- A provider without billing information is deferred in self-billing mode: nothing of it is
  settled, and the next run takes it all (PSOP: "puuttuvat laskutustiedot aiheuttavat maksun
  siirtymisen seuraavaan tilitykseen").
- Statuses: self-billing: payable / nothing_due / carried; provider invoice: awaiting_invoice /
  carried / nothing_due, and invoice_matched once an invoice matches reference and total.

Money laws (property-tested): every record is in exactly one statement; the sum over all runs of
what is paid now plus what is still carried equals the sum of the records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from seteli.domain.money import Money
from seteli.domain.settlement import BillingSnapshot, Statement, StatementLine, StatementStatus
from seteli.rules.credits import carry
from seteli.rules.interruptions import add_months, parse_month

ZERO = Money.zero()
SELF_BILLING = "self_billing"
PROVIDER_INVOICE = "provider_invoice"


def statement_id(month: str, provider_id: str, service_id: str) -> str:
    """``stl-2026-10-prv-aurinkohoiva~kotihoito``: ids and slugs have hyphens, never a tilde."""
    return f"stl-{month}-{provider_id}~{service_id}"


def parse_statement_id(statement_id: str) -> tuple[str, str, str] | None:
    """(month, provider id, service id), or None when it is not a statement id."""
    head, sep, service_id = statement_id.partition("~")
    if not sep or not head.startswith("stl-") or len(head) < 13 or not service_id:
        return None
    return head[4:11], head[12:], service_id


def queue_bound(month: str) -> str:
    """The exclusive upper bound of the queue's sort keys (``<month>#<day>#<id>``) for the run of
    ``month``: everything of ``month`` or before."""
    parse_month(month)
    return add_months(month, 1)


def month_ended(month: str, today: date) -> bool:
    """A month can be settled (or invoiced) only once it is over."""
    year, mon = parse_month(month)
    return (today.year, today.month) > (year, mon)


class Waiting(NamedTuple):
    """A record waiting in the queue, as the settlement sees it (no personal data). A tuple: a
    run makes millions of them."""

    kind: str  # event | interruption | credit
    record_id: str
    service_id: str
    settle_month: str  # the first run that may take it
    amount: Money  # what it adds: event value + travel, interruption value, -credit
    own_share: Money = ZERO  # events only (the provider bills it to the customer)


def take(waiting: Iterable[Waiting], month: str, done_services: Iterable[str] = ()) -> dict[str, list[Waiting]]:
    """The records the run for ``month`` settles, by service. A service whose statement of the month
    is already made takes nothing more now: a record recorded after it waits for the next run."""
    bound, done = queue_bound(month), set(done_services)
    out: dict[str, list[Waiting]] = {}
    for w in waiting:
        if w.settle_month < bound and w.service_id not in done:
            out.setdefault(w.service_id, []).append(w)
    return out


@dataclass(frozen=True)
class Totals:
    events: int
    interruptions: int
    credits: int
    events_total: Money
    interruptions_total: Money
    credits_total: Money  # positive: what is deducted
    own_share_total: Money

    @property
    def total(self) -> Money:
        return self.events_total + self.interruptions_total - self.credits_total


def totals(records: Iterable[Waiting]) -> Totals:
    """Counts and sums of one statement's records (exact cents; each record is already rounded)."""
    n = {"event": 0, "interruption": 0, "credit": 0}
    cents = {"event": 0, "interruption": 0, "credit": 0}
    own = 0
    for r in records:
        n[r.kind] += 1
        cents[r.kind] += r.amount.cents
        own += r.own_share.cents
    return Totals(
        events=n["event"],
        interruptions=n["interruption"],
        credits=n["credit"],
        events_total=Money.from_cents(cents["event"]),
        interruptions_total=Money.from_cents(cents["interruption"]),
        credits_total=Money.from_cents(-cents["credit"]),
        own_share_total=Money.from_cents(own),
    )


def status_of(mode: str, payable: Money, carried_out: Money) -> StatementStatus:
    if carried_out < Money.zero():
        return StatementStatus.carried
    if payable == Money.zero():
        return StatementStatus.nothing_due
    return StatementStatus.payable if mode == SELF_BILLING else StatementStatus.awaiting_invoice


def make_statement(
    *,
    month: str,
    provider_id: str,
    service_id: str,
    mode: str,
    records: Iterable[Waiting],
    carried_in: Money,
    reference: str,
    billing: BillingSnapshot | None,
    now: datetime,
) -> Statement:
    """The statement of one provider and service in the run of ``month``."""
    t = totals(records)
    payable, carried_out = carry(t.total, carried_in)
    return Statement(
        id=statement_id(month, provider_id, service_id),
        month=month,
        provider_id=provider_id,
        service_id=service_id,
        mode=mode,
        events=t.events,
        interruptions=t.interruptions,
        credits=t.credits,
        events_total=t.events_total,
        interruptions_total=t.interruptions_total,
        credits_total=t.credits_total,
        own_share_total=t.own_share_total,
        total=t.total,
        carried_in=carried_in,
        payable=payable,
        carried_out=carried_out,
        reference=reference,
        status=status_of(mode, payable, carried_out),
        billing=billing,
        created_at=now,
    )


def needs_billing(mode: str, billing: BillingSnapshot | None) -> str | None:
    """Why a provider is deferred (self-billing: the municipality pays to its account), or None."""
    if mode != SELF_BILLING:
        return None
    if billing is None or not billing.iban or not billing.bic:
        return "no billing information (IBAN, BIC): the payment waits for the next run"
    return None


# ---------------------------------------------------------------- invoices (provider-invoice mode)


def invoice_problems(
    statement: Statement, amount: Decimal, reference_typed: str, normalised: str
) -> list[tuple[str, str]]:
    """Why a provider's invoice does not match its statement (field, reason); empty when it does.

    ``normalised`` is ``reference_typed`` without spaces and hyphens, upper case."""
    problems: list[tuple[str, str]] = []
    if normalised != statement.reference:
        problems.append(("body.reference", "does not match the statement's reference"))
    if statement.status is StatementStatus.carried or statement.status is StatementStatus.nothing_due:
        problems.append(
            ("body.reference", f"nothing is invoiced in {statement.month}: the statement is {statement.status.value}")
        )
    elif Money(amount) != statement.payable:
        problems.append(
            ("body.amount", f"the invoice's total must be {statement.payable} EUR (the statement's payable)")
        )
    return problems


# ---------------------------------------------------------------- lines for the payment PDF


def line_of(kind: str, doc: dict) -> StatementLine:
    """A statement line from a stored record's document (event, interruption or credit)."""
    if kind == "event":
        amount = Money(doc["value"]) + Money(doc.get("travel") or "0")
        return StatementLine(
            kind="event",
            record_id=doc["id"],
            decision_number=doc["decision_number"],
            content_id=doc.get("content_id"),
            part_id=doc.get("part_id"),
            first_day=doc["first_day"],
            last_day=doc["last_day"],
            quantity=Decimal(str(doc["quantity"])),
            unit=doc.get("unit"),
            amount=amount,
        )
    if kind == "interruption":
        return StatementLine(
            kind="interruption",
            record_id=doc["id"],
            decision_number=doc["decision_number"],
            content_id=doc.get("content_id"),
            part_id=doc.get("part_id"),
            first_day=doc["departure_day"],
            last_day=doc["return_day"],
            quantity=Decimal(len(doc.get("days") or [])),
            unit="day",
            amount=Money(doc["value"]),
        )
    on = doc["created_at"][:10]
    return StatementLine(
        kind="credit",
        record_id=doc["event_id"],
        decision_number=doc["decision_number"],
        first_day=on,
        last_day=on,
        amount=-Money(doc["amount"]),
    )
