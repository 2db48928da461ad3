"""Feedback (spec 13): the item, the customer's pointer to it, and the three lists.

- ``FEEDBACK#<id>``/``FEEDBACK``: the feedback (gsi1 ``PROVIDER#<id>#FEEDBACK``, gsi2 ``FEEDBACK``,
  both sorted by ``<created_at>#<id>``); the reply is written onto it, conditioned on the version read.
- ``CUSTOMER#<customer_id>``/``FEEDBACK#<created_at>#<id>``: a pointer for the citizen's list,
  written in the same transaction as the feedback.

Lists are newest first and paged by the key of the last item returned (so a filter such as "needs
a reply" never loses or repeats an item between pages). Reads are GetItem, Query and BatchGetItem.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time

from seteli.clock import HELSINKI
from seteli.domain.entitlements import Customer, ProviderCustomer
from seteli.domain.events import Feedback
from seteli.store import keys
from seteli.store.base import doc_item, from_doc, get_item, save, transact
from seteli.store.models import DocItem

FEEDBACK = "feedback"
CUSTOMER_FEEDBACK = "customer_feedback"  # the pointer under the customer
CUSTOMER_FEEDBACK_PREFIX = keys.customer_feedback_sk("", "").removesuffix("#")  # "FEEDBACK#"

# A filtered list reads at most this many items a request; the cursor then continues from there
# (a page may come back short, with ``next`` set, as with a DynamoDB filter).
MAX_EXAMINED = 500
BATCH = 100  # BatchGetItem's limit

Key = dict[str, dict[str, str]]
Where = Callable[[Feedback], bool]


def sort_key(fb: Feedback) -> str:
    """``<created_at>#<id>``: a fixed-width UTC timestamp, so that the string order is the time order."""
    return f"{fb.created_at.isoformat(timespec='microseconds')}#{fb.id}"


def feedback_item(fb: Feedback, *, version: int | None = None) -> DocItem:
    return doc_item(
        keys.feedback_pk(fb.id),
        keys.FEEDBACK_SK,
        fb,
        kind=FEEDBACK,
        version=version,
        gsi1pk=keys.provider_feedback_gsi1pk(fb.provider_id),
        gsi1sk=sort_key(fb),
        gsi2pk=keys.FEEDBACK_GSI2PK,
        gsi2sk=sort_key(fb),
    )


def pointer_item(fb: Feedback) -> DocItem:
    return doc_item(
        keys.customer_pk(fb.customer_id),
        keys.customer_feedback_sk(fb.created_at.isoformat(timespec="microseconds"), fb.id),
        {"feedback_id": fb.id, "provider_id": fb.provider_id},
        kind=CUSTOMER_FEEDBACK,
    )


def _key(row: DocItem, index: str | None) -> Key:
    out = {"pk": {"S": row.pk}, "sk": {"S": row.sk}}
    if index:
        out[f"{index}pk"] = {"S": getattr(row, f"{index}pk")}
        out[f"{index}sk"] = {"S": getattr(row, f"{index}sk")}
    return out


def _collect(
    rows: Iterator[tuple[DocItem, Feedback | None]], limit: int, where: Where, index: str | None
) -> tuple[list[Feedback], Key | None]:
    """Up to ``limit`` feedback passing ``where`` from ``rows`` (newest first) and the key to go on
    from (None at the end). ``rows`` pairs the item read (its key is the cursor) with its feedback."""
    out: list[Feedback] = []
    last: DocItem | None = None
    examined = 0
    for row, fb in rows:
        examined += 1
        if fb is not None and where(fb):
            if len(out) == limit:  # one more exists: the next page starts after the last one returned
                return out, _key(last, index)
            out.append(fb)
            last = row
        if examined >= MAX_EXAMINED:  # enough read for one request: go on from here next time
            return out, _key(row, index)
    return out, None


class FeedbackRepository:
    # ------------------------------------------------------------ one

    def get(self, feedback_id: str) -> Feedback | None:
        item = get_item(DocItem, keys.feedback_pk(feedback_id), keys.FEEDBACK_SK)  # GetItem
        return from_doc(Feedback, item) if item is not None and item.kind == FEEDBACK else None

    def create(self, fb: Feedback) -> Feedback:
        """The feedback and the customer's pointer to it, in one transaction (409 if the id exists)."""
        transact([(feedback_item(fb), True), (pointer_item(fb), True)], f"feedback {fb.id} exists already")
        return fb.model_copy(update={"version": 1})

    def save_reply(self, fb: Feedback) -> Feedback:
        """Save ``fb`` (with its reply) conditioned on ``fb.version``, the version read: a Conflict
        if it changed meanwhile (another reply won)."""
        version = save(feedback_item(fb, version=fb.version or None), "the feedback changed meanwhile")
        return fb.model_copy(update={"version": version})

    # ------------------------------------------------------------ lists (newest first)

    def page_for_provider(
        self, provider_id: str, limit: int, start: Key | None = None, where: Where = lambda fb: True
    ) -> tuple[list[Feedback], Key | None]:
        """Query gsi1 ``PROVIDER#<id>#FEEDBACK``, newest first."""
        rows = DocItem.gsi1.query(
            keys.provider_feedback_gsi1pk(provider_id),
            scan_index_forward=False,
            last_evaluated_key=start,
            page_size=min(limit + 1, BATCH),
        )
        return _collect(((r, from_doc(Feedback, r)) for r in rows if r.kind == FEEDBACK), limit, where, "gsi1")

    def since(self, provider_id: str, since: date) -> Iterator[Feedback]:
        """The provider's feedback given from the start of ``since`` (a Helsinki day) on: Query gsi1
        from that instant (the quality figures of the comparison site)."""
        start = datetime.combine(since, time(0), HELSINKI).astimezone(UTC).isoformat(timespec="microseconds")
        for row in DocItem.gsi1.query(keys.provider_feedback_gsi1pk(provider_id), DocItem.gsi1sk >= start):
            if row.kind == FEEDBACK:
                yield from_doc(Feedback, row)

    def page_all(
        self, limit: int, start: Key | None = None, where: Where = lambda fb: True
    ) -> tuple[list[Feedback], Key | None]:
        """Query gsi2 ``FEEDBACK`` (the municipality's list), newest first."""
        rows = DocItem.gsi2.query(
            keys.FEEDBACK_GSI2PK,
            scan_index_forward=False,
            last_evaluated_key=start,
            page_size=min(limit + 1, BATCH),
        )
        return _collect(((r, from_doc(Feedback, r)) for r in rows if r.kind == FEEDBACK), limit, where, "gsi2")

    def page_for_customer(
        self, customer_id: str, limit: int, start: Key | None = None, where: Where = lambda fb: True
    ) -> tuple[list[Feedback], Key | None]:
        """Query ``CUSTOMER#<id>`` begins_with ``FEEDBACK#`` (the pointers, newest first), then
        BatchGetItem the feedback they point at."""
        rows = DocItem.query(
            keys.customer_pk(customer_id),
            DocItem.sk.startswith(CUSTOMER_FEEDBACK_PREFIX),
            scan_index_forward=False,
            last_evaluated_key=start,
            page_size=min(limit + 1, BATCH),
        )
        return _collect(self._resolve(r for r in rows if r.kind == CUSTOMER_FEEDBACK), limit, where, None)

    def _resolve(self, pointers: Iterable[DocItem]) -> Iterator[tuple[DocItem, Feedback | None]]:
        """Each pointer with its feedback, fetched in batches, in the pointers' order."""
        chunk: list[DocItem] = []

        def flush() -> Iterator[tuple[DocItem, Feedback | None]]:
            ids = [json.loads(p.document)["feedback_id"] for p in chunk]
            found = {
                i.pk: from_doc(Feedback, i)
                for i in self._batch([(keys.feedback_pk(x), keys.FEEDBACK_SK) for x in ids])
                if i.kind == FEEDBACK
            }
            for p, fid in zip(chunk, ids, strict=True):
                yield p, found.get(keys.feedback_pk(fid))

        for p in pointers:
            chunk.append(p)
            if len(chunk) == 25:
                yield from flush()
                chunk = []
        if chunk:
            yield from flush()

    # ------------------------------------------------------------ what a list shows beside the feedback

    @staticmethod
    def _batch(pairs: list[tuple[str, str]]) -> list[DocItem]:
        out: list[DocItem] = []
        unique = list(dict.fromkeys(pairs))
        for i in range(0, len(unique), BATCH):
            out.extend(DocItem.batch_get(unique[i : i + BATCH]))
        return out

    def customers(self, customer_ids: Iterable[str]) -> dict[str, Customer]:
        """The customers of a page (BatchGetItem ``CUSTOMER#<id>``/``PROFILE``)."""
        pairs = [(keys.customer_pk(c), keys.CUSTOMER_PROFILE_SK) for c in customer_ids]
        found = [from_doc(Customer, i) for i in self._batch(pairs) if i.kind == "customer"]
        return {c.id: c for c in found}

    def relations(self, provider_id: str, customer_ids: Iterable[str]) -> dict[str, ProviderCustomer]:
        """The provider's relations to the customers of a page (BatchGetItem
        ``PROVIDER#<id>``/``CUSTOMER#<customer_id>``)."""
        pairs = [(keys.provider_pk(provider_id), keys.provider_customer_sk(c)) for c in customer_ids]
        found = [from_doc(ProviderCustomer, i) for i in self._batch(pairs) if i.kind == "provider_customer"]
        return {r.customer_id: r for r in found}
