"""Service events, interruptions and credit requests.

An entitlement's events and interruptions live in its partition (``ENTITLEMENT#<decision number>``)
sorted by date: the checks that a day is never paid twice and the overrun totals read them with one
strongly consistent Query. Every write also saves the entitlement's ``LEDGER`` item conditioned on
the version read, in the same transaction: two writes to one customer's days cannot both pass the
checks. A pointer item ``RECORD#<id>`` finds a record by its id alone (GetItem, then GetItem).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from seteli.domain.events import PAYABLE, Credit, CreditStatus, EventStatus, Interruption, ServiceEvent
from seteli.errors import Conflict, FieldError
from seteli.store import keys
from seteli.store.base import conditional_failed, doc_item, from_doc, get_item
from seteli.store.models import DocItem, MovedDocItem

EVENT = "event"
INTERRUPTION = "interruption"
LEDGER = "ledger"
POINTER = "record_pointer"
CREDIT = "credit"
LOOK_BACK = timedelta(days=31)  # an event lies inside one month: one starting 31 days earlier cannot reach in


def _queue(record: ServiceEvent | Interruption | Credit, month: str | None, day: str, payable: bool) -> dict[str, str]:
    """The record's place in the settlement queue (sparse gsi2, see ``keys``): waiting in
    ``UNSETTLED#<provider>`` while ``payable``, then in its statement's ``SETTLEMENT#<id>``."""
    if record.settlement_id:
        return {
            "gsi2pk": keys.settlement_gsi2pk(record.settlement_id),
            "gsi2sk": keys.queue_gsi2sk(month or "", day, record.id),
        }
    if payable and month:
        return {"gsi2pk": keys.unsettled_gsi2pk(record.provider_id), "gsi2sk": keys.queue_gsi2sk(month, day, record.id)}
    return {}


def event_item(ev: ServiceEvent) -> DocItem:
    pending = ev.status is EventStatus.pending_approval
    if pending:
        index2 = {"gsi2pk": keys.APPROVALS_GSI2PK, "gsi2sk": f"{ev.first_day.isoformat()}#{ev.id}"}
    else:
        index2 = _queue(ev, ev.month, ev.first_day.isoformat(), ev.status in PAYABLE)
    return doc_item(
        keys.entitlement_pk(ev.decision_number),
        keys.event_sk(ev.first_day.isoformat(), ev.id),
        ev,
        kind=EVENT,
        version=ev.version or None,
        gsi1pk=keys.provider_events_gsi1pk(ev.provider_id, ev.month),
        gsi1sk=f"{ev.first_day.isoformat()}#{ev.id}",
        **index2,
    )


def interruption_item(i: Interruption) -> DocItem:
    return doc_item(
        keys.entitlement_pk(i.decision_number),
        keys.interruption_sk(i.departure_day.isoformat(), i.id),
        i,
        kind=INTERRUPTION,
        version=i.version or None,
        gsi1pk=keys.provider_interruptions_gsi1pk(i.provider_id),
        gsi1sk=f"{i.departure_day.isoformat()}#{i.id}",
        **_queue(i, i.settle_in, i.departure_day.isoformat(), i.status is EventStatus.recorded),
    )


def _pointer(record_id: str, decision_number: str, sk: str) -> MovedDocItem:
    """Written unconditionally (a plain version number): it only follows its record."""
    item = doc_item(
        keys.record_pointer_pk(record_id),
        keys.RECORD_POINTER_SK,
        {"decision_number": decision_number, "sk": sk},
        kind=POINTER,
    )
    return MovedDocItem.of(item, 1)


@dataclass
class Ledger:
    """An entitlement's records around some dates, and the version of its ledger item."""

    decision_number: str
    version: int
    events: list[ServiceEvent] = field(default_factory=list)
    interruptions: list[Interruption] = field(default_factory=list)


@dataclass
class Change:
    """What one write does to an entitlement's records, saved atomically by ``EventRepository.apply``."""

    ledger: Ledger
    put_events: list[tuple[ServiceEvent, ServiceEvent | None]] = field(default_factory=list)  # (new, old)
    put_interruptions: list[tuple[Interruption, Interruption | None]] = field(default_factory=list)
    delete_events: list[ServiceEvent] = field(default_factory=list)
    delete_interruptions: list[Interruption] = field(default_factory=list)
    extra: list[tuple[DocItem, bool]] = field(default_factory=list)  # (item, new): relation, entitlement, credit


class EventRepository:
    # ------------------------------------------------------------ reads

    def ledger(self, decision_number: str, first: date | None = None, last: date | None = None) -> Ledger:
        """The entitlement's events that may touch ``first``..``last`` (all when None), all its
        interruptions, and the ledger's version: strongly consistent Queries on its partition."""
        pk = keys.entitlement_pk(decision_number)
        lo = keys.event_sk((first - LOOK_BACK).isoformat(), "") if first else keys.EVENT_PREFIX
        hi = keys.event_sk(last.isoformat(), "~") if last else keys.EVENT_PREFIX + "~"
        events = [
            from_doc(ServiceEvent, r) for r in DocItem.query(pk, DocItem.sk.between(lo, hi), consistent_read=True)
        ]
        rows = DocItem.query(pk, DocItem.sk.startswith(keys.INTERRUPTION_PREFIX), consistent_read=True)
        interruptions = [from_doc(Interruption, r) for r in rows]
        led = get_item(DocItem, pk, keys.LEDGER_SK)
        return Ledger(decision_number, int(led.version or 0) if led else 0, events, interruptions)

    def lock(self, decision_number: str) -> Ledger:
        """Only the ledger's version (GetItem), for a write that takes no day: a decision, a credit,
        a deletion. It still bumps the version, so a check that read before it is repeated."""
        led = get_item(DocItem, keys.entitlement_pk(decision_number), keys.LEDGER_SK)
        return Ledger(decision_number, int(led.version or 0) if led else 0)

    def events_between(self, decision_number: str, first: date, last: date) -> list[ServiceEvent]:
        """The entitlement's events starting ``first``..``last`` (Query its partition)."""
        pk = keys.entitlement_pk(decision_number)
        lo, hi = keys.event_sk(first.isoformat(), ""), keys.event_sk(last.isoformat(), "~")
        return [from_doc(ServiceEvent, r) for r in DocItem.query(pk, DocItem.sk.between(lo, hi))]

    def interruptions_of(self, decision_number: str) -> list[Interruption]:
        pk = keys.entitlement_pk(decision_number)
        rows = DocItem.query(pk, DocItem.sk.startswith(keys.INTERRUPTION_PREFIX))
        return [from_doc(Interruption, r) for r in rows]

    def _by_pointer(self, record_id: str) -> DocItem | None:
        ptr = get_item(DocItem, keys.record_pointer_pk(record_id), keys.RECORD_POINTER_SK)
        if ptr is None:
            return None
        doc = json.loads(ptr.document)
        return get_item(DocItem, keys.entitlement_pk(doc["decision_number"]), doc["sk"])

    def get(self, event_id: str) -> ServiceEvent | None:
        """An event by its id (GetItem of its pointer, then of the event)."""
        item = self._by_pointer(event_id)
        return from_doc(ServiceEvent, item) if item is not None and item.kind == EVENT else None

    def get_interruption(self, interruption_id: str) -> Interruption | None:
        item = self._by_pointer(interruption_id)
        return from_doc(Interruption, item) if item is not None and item.kind == INTERRUPTION else None

    def for_provider_month(self, provider_id: str, month: str) -> list[ServiceEvent]:
        """A provider's events of one month by date (Query gsi1)."""
        rows = DocItem.gsi1.query(keys.provider_events_gsi1pk(provider_id, month))
        return [from_doc(ServiceEvent, r) for r in rows if r.kind == EVENT]

    def interruptions_of_provider(
        self, provider_id: str, since: date | None = None, until: date | None = None
    ) -> list[Interruption]:
        """A provider's interruptions by departure day, ``since``..``until`` (either open), Query gsi1."""
        lo, hi = (since.isoformat() if since else ""), (f"{until.isoformat()}~" if until else "~")
        cond = DocItem.gsi1sk.between(lo, hi) if (since or until) else None
        rows = DocItem.gsi1.query(keys.provider_interruptions_gsi1pk(provider_id), cond)
        return [from_doc(Interruption, r) for r in rows if r.kind == INTERRUPTION]

    def pending(self, limit: int, start: dict[str, Any] | None = None) -> tuple[list[ServiceEvent], dict | None]:
        """Events waiting for the municipality's approval, by date (Query the sparse gsi2)."""
        rows = DocItem.gsi2.query(keys.APPROVALS_GSI2PK, limit=limit, page_size=limit, last_evaluated_key=start)
        return [from_doc(ServiceEvent, r) for r in rows if r.kind == EVENT], rows.last_evaluated_key

    # ------------------------------------------------------------ writes

    def apply(self, change: Change, conflict: str) -> None:
        """Save a change atomically, conditioned on the ledger's version and every record's version
        read: 409 ``conflict`` when anything changed meanwhile."""
        led = change.ledger
        ledger_item = doc_item(
            keys.entitlement_pk(led.decision_number),
            keys.LEDGER_SK,
            {"decision_number": led.decision_number},
            kind=LEDGER,
            version=led.version or None,
        )
        try:
            with TransactWrite(connection=DocItem._get_connection().connection) as tx:
                if led.version:
                    tx.save(ledger_item)
                else:
                    tx.save(ledger_item, condition=DocItem.pk.does_not_exist())
                for ev, old in change.put_events:
                    self._put(tx, event_item(ev), ev.id, ev.decision_number, old and event_item(old))
                for i, old in change.put_interruptions:
                    self._put(tx, interruption_item(i), i.id, i.decision_number, old and interruption_item(old))
                for ev in change.delete_events:
                    tx.delete(event_item(ev))
                    tx.delete(
                        DocItem(keys.record_pointer_pk(ev.id), keys.RECORD_POINTER_SK), add_version_condition=False
                    )
                for i in change.delete_interruptions:
                    tx.delete(interruption_item(i))
                    tx.delete(
                        DocItem(keys.record_pointer_pk(i.id), keys.RECORD_POINTER_SK), add_version_condition=False
                    )
                for item, new in change.extra:
                    if new:
                        tx.save(item, condition=DocItem.pk.does_not_exist())
                    else:
                        tx.save(item)
        except TransactWriteError as exc:
            if conditional_failed(exc):
                raise Conflict(conflict, [FieldError("body.version", "changed meanwhile: read again")]) from exc
            raise

    @staticmethod
    def _put(tx, item: DocItem, record_id: str, decision_number: str, old: DocItem | None) -> None:
        if old is None:
            tx.save(item, condition=DocItem.pk.does_not_exist())
            tx.save(_pointer(record_id, decision_number, item.sk))
        elif old.sk != item.sk:  # the date moved: a new item keeping the version count; the old one goes
            tx.save(MovedDocItem.of(item, int(item.version or 0) + 1), condition=MovedDocItem.pk.does_not_exist())
            tx.delete(old)
            tx.save(_pointer(record_id, decision_number, item.sk))
        else:
            tx.save(item)


def credit_item(c: Credit) -> DocItem:
    return doc_item(
        keys.provider_pk(c.provider_id),
        keys.credit_sk(c.event_id),
        c,
        kind=CREDIT,
        version=c.version or None,
        gsi1pk=keys.credits_gsi1pk(c.deduct_in),
        gsi1sk=f"{c.provider_id}#{c.event_id}",
        **_queue(c, c.deduct_in, c.created_at.date().isoformat(), c.status is CreditStatus.open),
    )


class CreditRepository:
    def get(self, provider_id: str, event_id: str) -> Credit | None:
        item = get_item(DocItem, keys.provider_pk(provider_id), keys.credit_sk(event_id))
        return from_doc(Credit, item) if item is not None else None

    def of_provider(self, provider_id: str) -> list[Credit]:
        """Query the provider's partition, begins_with CREDIT#."""
        rows = DocItem.query(keys.provider_pk(provider_id), DocItem.sk.startswith(keys.CREDIT_PREFIX))
        return [from_doc(Credit, r) for r in rows if r.kind == CREDIT]

    def due_in(self, month: str) -> list[Credit]:
        """Credits to deduct in the settlement of ``month`` (Query gsi1 CREDITS#<month>)."""
        return [from_doc(Credit, r) for r in DocItem.gsi1.query(keys.credits_gsi1pk(month)) if r.kind == CREDIT]

    @staticmethod
    def items(credits: Iterable[Credit]) -> list[tuple[DocItem, bool]]:
        return [(credit_item(c), not c.version) for c in credits]
