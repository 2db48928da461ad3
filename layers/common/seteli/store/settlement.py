"""The settlement queue and the statements (spec 10, 11; the keys are explained in ``keys``).

- The queue: Query gsi2 ``UNSETTLED#<provider>`` with gsi2sk < the month after the run's month, in
  full 1 MB pages. Items are parsed to plain dicts (no pydantic per record: a run reads millions).
- Settling: each record is saved again with status settled (deducted) and its statement's id, which
  moves it from the queue to gsi2 ``SETTLEMENT#<statement id>``. The saves go in transactions of up
  to 100 items, each conditioned on the record's version: a provider's edit that came in between
  wins and that record waits for the next run; nothing is ever settled twice.
- Statements: ``PROVIDER#<id>`` / ``STATEMENT#<service>#<month>`` (gsi1 ``STATEMENTS#<month>`` /
  ``<provider>#<service>``; gsi2 ``INVOICEREF#<reference>`` in provider-invoice mode).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from seteli.domain.money import Money
from seteli.domain.settlement import Statement
from seteli.rules.settlement import Waiting, queue_bound
from seteli.store import keys
from seteli.store.base import conditional_failed, doc_item, from_doc, get_item, save
from seteli.store.events import CREDIT, EVENT, INTERRUPTION
from seteli.store.models import DocItem

STATEMENT = "statement"
TRANSACTION_ITEMS = 100  # DynamoDB's limit of actions in one TransactWriteItems


@dataclass
class Queued:
    """A record in the queue: its stored item (to save back), document and what it adds."""

    item: DocItem
    doc: dict[str, Any]
    waiting: Waiting


def _cents(text: str | None) -> int:
    """A stored amount ("1234.50", as MoneyField writes it) in cents without Decimal's cost: a run
    reads millions of them. Anything else goes the long way."""
    if text and text[-3:-2] == ".":
        try:
            return int(text[:-3] + text[-2:])
        except ValueError:
            pass
    return Money(text or "0").cents


def _waiting(kind: str, doc: dict[str, Any], settle_month: str) -> Waiting:
    cents = Money.from_cents
    if kind == EVENT:
        amount = cents(_cents(doc["value"]) + _cents(doc.get("travel")))
        return Waiting("event", doc["id"], doc["service_id"], settle_month, amount, cents(_cents(doc.get("own_share"))))
    if kind == INTERRUPTION:
        return Waiting("interruption", doc["id"], doc["service_id"], settle_month, cents(_cents(doc["value"])))
    return Waiting("credit", doc["id"], doc.get("service_id") or "", settle_month, cents(-_cents(doc["amount"])))


def _parse(rows: Iterable[DocItem]) -> Iterator[Queued]:
    for row in rows:
        if row.kind not in (EVENT, INTERRUPTION, CREDIT):
            continue
        doc = orjson.loads(row.document)
        yield Queued(row, doc, _waiting(row.kind, doc, row.gsi2sk.split("#", 1)[0]))


def settled_document(doc: dict[str, Any], statement_id: str, kind: str) -> str:
    """The record's document once settled into ``statement_id`` (a credit: deducted)."""
    new = dict(doc, settlement_id=statement_id, status="deducted" if kind == CREDIT else "settled")
    return orjson.dumps(new).decode()


def statement_item(st: Statement) -> DocItem:
    ref = st.reference if st.mode == "provider_invoice" else None
    return doc_item(
        keys.provider_pk(st.provider_id),
        keys.statement_sk(st.service_id, st.month),
        st,
        kind=STATEMENT,
        version=st.version or None,
        gsi1pk=keys.statements_gsi1pk(st.month),
        gsi1sk=f"{st.provider_id}#{st.service_id}",
        gsi2pk=keys.invoice_reference_gsi2pk(ref) if ref else None,
        gsi2sk=st.id if ref else None,
    )


class SettlementRepository:
    # ------------------------------------------------------------ the queue

    def queue(self, provider_id: str, month: str) -> list[Queued]:
        """What waits for the run of ``month`` (or earlier) from one provider: Query gsi2, full pages.
        Eventually consistent: a record saved a moment ago waits for the next run."""
        rows = DocItem.gsi2.query(keys.unsettled_gsi2pk(provider_id), DocItem.gsi2sk < queue_bound(month))
        return list(_parse(rows))

    def settle(self, queued: list[Queued], statement_ids: dict[str, str]) -> tuple[int, list[str]]:
        """Save each record as settled into its service's statement (``statement_ids``: service ->
        statement id), in transactions of up to 100, each record conditioned on its version.
        Returns (how many were settled, the ids of records that changed meanwhile: they stay queued)."""
        settled, changed = 0, []
        for i in range(0, len(queued), TRANSACTION_ITEMS):
            chunk = [q for q in queued[i : i + TRANSACTION_ITEMS] if q.waiting.service_id in statement_ids]
            while chunk:
                failed = self._settle_chunk(chunk, statement_ids)
                if not failed:
                    settled += len(chunk)
                    break
                changed.extend(q.waiting.record_id for q in failed)
                chunk = [q for q in chunk if q not in failed]
        return settled, changed

    @staticmethod
    def _settle_chunk(chunk: list[Queued], statement_ids: dict[str, str]) -> list[Queued]:
        """One transaction; the records whose condition failed (none when it went through)."""
        items: list[DocItem] = []
        for q in chunk:
            sid = statement_ids[q.waiting.service_id]
            item = DocItem(
                q.item.pk,
                q.item.sk,
                kind=q.item.kind,
                document=settled_document(q.doc, sid, q.item.kind),
                gsi1pk=q.item.gsi1pk,
                gsi1sk=q.item.gsi1sk,
                gsi2pk=keys.settlement_gsi2pk(sid),
                gsi2sk=q.item.gsi2sk,
            )
            item.version = q.item.version
            items.append(item)
        try:
            with TransactWrite(connection=DocItem._get_connection().connection) as tx:
                for item in items:
                    tx.save(item)
        except TransactWriteError as exc:
            if not conditional_failed(exc):
                raise
            reasons = getattr(exc, "cancellation_reasons", None) or []
            failed = [
                q for q, r in zip(chunk, reasons, strict=False) if r is not None and "Conditional" in (r.code or "")
            ]
            return failed or chunk[:1]  # unknown reasons: drop one and try again (terminates)
        return []

    def contents(self, statement_id: str) -> list[Queued]:
        """The records in a statement (Query gsi2 ``SETTLEMENT#<id>``, full pages): what it adds
        and the lines the payment PDF lists, from one read."""
        return list(_parse(DocItem.gsi2.query(keys.settlement_gsi2pk(statement_id))))

    # ------------------------------------------------------------ statements

    def get(self, provider_id: str, service_id: str, month: str) -> Statement | None:
        item = get_item(DocItem, keys.provider_pk(provider_id), keys.statement_sk(service_id, month))
        return from_doc(Statement, item) if item is not None else None

    def of_month(self, month: str, provider_id: str | None = None) -> list[Statement]:
        """A run's statements (Query gsi1 ``STATEMENTS#<month>``), one provider's or all."""
        cond = DocItem.gsi1sk.startswith(f"{provider_id}#") if provider_id else None
        rows = DocItem.gsi1.query(keys.statements_gsi1pk(month), cond)
        return [from_doc(Statement, r) for r in rows if r.kind == STATEMENT]

    def previous(self, provider_id: str, service_id: str, month: str) -> Statement | None:
        """The provider's latest statement of the service before ``month`` (its carry), one Query."""
        rows = DocItem.query(
            keys.provider_pk(provider_id),
            DocItem.sk.between(keys.statement_prefix(service_id), keys.statement_sk(service_id, month)),
            scan_index_forward=False,
            consistent_read=True,
            limit=2,
        )
        for r in rows:
            if r.sk != keys.statement_sk(service_id, month) and r.kind == STATEMENT:
                return from_doc(Statement, r)
        return None

    def by_reference(self, reference: str) -> Statement | None:
        rows = DocItem.gsi2.query(keys.invoice_reference_gsi2pk(reference), limit=1)
        found = [from_doc(Statement, r) for r in rows if r.kind == STATEMENT]
        return found[0] if found else None

    def put(self, st: Statement, conflict: str) -> Statement:
        """Save a statement: a new one only if none exists, else conditioned on its version."""
        version = save(statement_item(st), conflict, new=not st.version)
        return st.model_copy(update={"version": version})
