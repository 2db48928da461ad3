"""Reads and writes of the monthly jobs that go through many records at once: the automatic events
and the reminders (spec 11).

A page of the auto-events job reads a provider's records with full Query pages (gsi1: its events of
a month, its interruptions) parsed straight from the stored JSON (orjson, no pydantic per record:
a tenant has 100,000 content rows), the entitlements it needs with BatchGetItem (100 keys a
request) and writes the drafts with BatchWriteItem (25 items a request: each draft and its
``RECORD#`` pointer), retrying what DynamoDB leaves unprocessed. BatchWriteItem has no conditions:
that is safe here because a draft's key is fixed by its content row and month (a second write is
the same item) and a draft is never paid before the provider confirms it through the checked path.

The reminders' guard (``PROVIDER#<id>`` / ``REMINDER#<run id>``) is a PutItem conditioned on
``attribute_not_exists``: one email per provider and reminders run, even when a page runs twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

import orjson

from seteli.errors import Conflict
from seteli.rules.auto_events import Rec
from seteli.store import keys
from seteli.store.base import doc_item, save
from seteli.store.events import EVENT, INTERRUPTION
from seteli.store.models import DocItem

GET_BATCH = 100  # BatchGetItem's limit of keys a request
WRITE_BATCH = 25  # BatchWriteItem's limit of items a request
RETRIES = 8
REMINDER = "reminder"
T = TypeVar("T")
R = TypeVar("R")


def _table() -> str:
    return DocItem.Meta.table_name


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def rec_of(kind: str, doc: dict[str, Any]) -> Rec:
    """A stored event's or interruption's document as the rule's plain record."""
    if kind == INTERRUPTION:
        return Rec(
            kind="interruption",
            id=doc["id"],
            decision_number=doc["decision_number"],
            content_id=doc["content_id"],
            service_id=doc["service_id"],
            part_id=doc.get("part_id"),
            first_day=date.fromisoformat(doc["departure_day"]),
            last_day=_day(doc.get("return_day")),
            status=doc.get("status") or "draft",
            created_by=doc.get("created_by"),
        )
    return Rec(
        kind="event",
        id=doc["id"],
        decision_number=doc["decision_number"],
        content_id=doc["content_id"],
        service_id=doc["service_id"],
        part_id=doc.get("part_id"),
        first_day=date.fromisoformat(doc["first_day"]),
        last_day=date.fromisoformat(doc["last_day"]),
        status=doc.get("status") or "recorded",
        unit=doc.get("unit") or "day",
        giver=doc.get("giver"),
        created_by=doc.get("created_by"),
        auto=bool(doc.get("auto")),
    )


class AutoEventRepository:
    """``workers``: how many requests go at once (DynamoDB answers them in parallel: a page reads
    its providers' records and writes its drafts ``workers`` requests at a time). The in-process
    moto of the tests is not thread-safe, so the default is one: everything in order, in this thread.
    """

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self.requests = 0  # DynamoDB requests made (the bench reports them)
        self._client_of: tuple[Any, Any] | None = None

    def _client(self):
        """A client of the table's endpoint without botocore's parameter validation (the requests
        are built here, and validating 100,000 items costs seconds), pooled for ``workers``."""
        from botocore.config import Config

        from seteli.store.models import _one_session

        where = (DocItem.Meta.host, DocItem.Meta.region, self.workers)
        if self._client_of is None or self._client_of[0] != where:
            config = Config(
                parameter_validation=False,
                max_pool_connections=max(10, 2 * self.workers),
                retries={"mode": "standard"},
            )
            client = _one_session(None).create_client(
                "dynamodb", region_name=DocItem.Meta.region, endpoint_url=DocItem.Meta.host, config=config
            )
            self._client_of = (where, client)
        return self._client_of[1]

    def parallel(self, fn: Callable[[T], R], xs: Iterable[T]) -> list[R]:
        """``[fn(x) for x in xs]``, ``workers`` at a time."""
        xs = list(xs)
        if self.workers <= 1 or len(xs) <= 1:
            return [fn(x) for x in xs]
        with ThreadPoolExecutor(min(self.workers, len(xs))) as pool:
            return list(pool.map(fn, xs))

    # ------------------------------------------------------------ reads

    def _gsi1(self, pk: str, since: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
        """(kind, document) of every item under gsi1 ``pk`` (``gsi1sk >= since``), in full pages."""
        values: dict[str, Any] = {":p": {"S": pk}}
        cond = "gsi1pk = :p"
        if since:
            cond += " AND gsi1sk >= :s"
            values[":s"] = {"S": since}
        kwargs: dict[str, Any] = {
            "TableName": _table(),
            "IndexName": "gsi1",
            "KeyConditionExpression": cond,
            "ExpressionAttributeValues": values,
            "ProjectionExpression": "kind, document",
        }
        client = self._client()
        while True:
            self.requests += 1
            page = client.query(**kwargs)
            for item in page.get("Items", []):
                kind = item.get("kind", {}).get("S")
                if kind in (EVENT, INTERRUPTION):
                    yield kind, orjson.loads(item["document"]["S"])
            start = page.get("LastEvaluatedKey")
            if not start:
                return
            kwargs["ExclusiveStartKey"] = start

    def events_of_month(self, provider_id: str, month: str) -> list[Rec]:
        """A provider's events of one month (Query gsi1 ``PROVIDER#<id>#EVENTS#<month>``)."""
        return [rec_of(k, d) for k, d in self._gsi1(keys.provider_events_gsi1pk(provider_id, month)) if k == EVENT]

    def event_docs_of_month(self, provider_id: str, month: str) -> list[dict[str, Any]]:
        """The same, as stored documents (the reminders list drafts with their days)."""
        return [d for k, d in self._gsi1(keys.provider_events_gsi1pk(provider_id, month)) if k == EVENT]

    def interruption_docs(self, provider_id: str, since: date | None = None) -> list[dict[str, Any]]:
        """A provider's interruptions departing ``since`` or later (all: None), as stored documents
        (Query gsi1 ``PROVIDER#<id>#INTERRUPTIONS``)."""
        pk = keys.provider_interruptions_gsi1pk(provider_id)
        return [d for k, d in self._gsi1(pk, since.isoformat() if since else None) if k == INTERRUPTION]

    def interruptions_of(self, provider_id: str, since: date | None = None) -> list[Rec]:
        return [rec_of(INTERRUPTION, d) for d in self.interruption_docs(provider_id, since)]

    def entitlements(self, decision_numbers: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Entitlement documents by decision number (BatchGetItem, 100 keys a request; what comes
        back unprocessed is asked again)."""
        wanted = sorted(set(decision_numbers))
        out: dict[str, dict[str, Any]] = {}
        chunks = [wanted[i : i + GET_BATCH] for i in range(0, len(wanted), GET_BATCH)]
        for docs in self.parallel(self._get_entitlements, chunks):
            out.update((d["decision_number"], d) for d in docs)
        return out

    def _get_entitlements(self, chunk: list[str]) -> list[dict[str, Any]]:
        client, table = self._client(), _table()
        keys_ = [{"pk": {"S": keys.entitlement_pk(dn)}, "sk": {"S": keys.ENTITLEMENT_SK}} for dn in chunk]
        request = {table: {"Keys": keys_, "ProjectionExpression": "document"}}
        out = []
        for attempt in range(RETRIES + 1):
            self.requests += 1
            res = client.batch_get_item(RequestItems=request)
            out += [orjson.loads(item["document"]["S"]) for item in res.get("Responses", {}).get(table, [])]
            request = res.get("UnprocessedKeys") or {}
            if not request:
                return out
            _backoff(attempt)
        raise RuntimeError("DynamoDB left entitlements unread; run the job again")

    # ------------------------------------------------------------ writes

    def put_all(self, items: list[DocItem]) -> None:
        """Write ``items`` (new drafts and their pointers) with BatchWriteItem, 25 a request,
        ``workers`` requests at once; unprocessed items are sent again with a backoff."""
        with self.writer() as w:
            w.put(items)

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        """A writer whose ``put`` sends full batches as they fill (in the background when there
        are ``workers``: the caller goes on pricing while DynamoDB writes); everything is written
        when the ``with`` block ends, or it raises."""
        pool = ThreadPoolExecutor(self.workers) if self.workers > 1 else None
        w = Writer(self, pool)
        try:
            yield w
            w.flush()
        finally:
            if pool is not None:
                pool.shutdown(wait=True)
        for f in w.futures:
            f.result()

    def _write(self, table: str, chunk: list[dict[str, Any]]) -> None:
        client = self._client()
        request = {table: chunk}
        for attempt in range(RETRIES + 1):
            self.requests += 1
            res = client.batch_write_item(RequestItems=request)
            request = res.get("UnprocessedItems") or {}
            if not request:
                return
            _backoff(attempt)
        raise RuntimeError("DynamoDB left drafts unwritten; run the job again (it makes no duplicates)")

    # ------------------------------------------------------------ reminders

    def claim_reminder(self, provider_id: str, run_id: str, summary: dict[str, Any]) -> bool:
        """Write the guard of one provider's reminder in one run (PutItem ``attribute_not_exists``)
        before the email goes: False when it is there already (the page ran before)."""
        item = doc_item(keys.provider_pk(provider_id), keys.reminder_sk(run_id), summary, kind=REMINDER)
        try:
            save(item, "sent already", new=True)
        except Conflict:
            return False
        return True


class Writer:
    def __init__(self, repo: AutoEventRepository, pool: ThreadPoolExecutor | None) -> None:
        self.repo, self.pool = repo, pool
        self.pending: list[dict[str, Any]] = []
        self.futures: list[Future] = []

    def put(self, items: Iterable[DocItem]) -> None:
        self.pending += [{"PutRequest": {"Item": it.serialize()}} for it in items]
        while len(self.pending) >= WRITE_BATCH:
            self._send(self.pending[:WRITE_BATCH])
            self.pending = self.pending[WRITE_BATCH:]

    def flush(self) -> None:
        if self.pending:
            self._send(self.pending)
            self.pending = []

    def _send(self, chunk: list[dict[str, Any]]) -> None:
        if self.pool is None:
            self.repo._write(_table(), chunk)
        else:
            self.futures.append(self.pool.submit(self.repo._write, _table(), chunk))


def _backoff(attempt: int) -> None:
    time.sleep(min(0.05 * 2**attempt, 2.0))
