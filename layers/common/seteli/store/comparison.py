"""The public comparison's storage: the read model (one item per service and provider shown), the
providers' availability, the feedback window of the quality figures and the site's publish pointer.

- comparison entry: pk ``COMPARE#<service>``, sk ``PROVIDER#<provider>``. Query per service (the
  site, the public API); BatchGetItem of one provider's (the refresh).
- availability: pk ``PROVIDER#<provider>``, sk ``AVAILABILITY#<service>``. Query the provider's;
  PutItem on the version read.
- publish pointer: pk ``SITE``, sk ``POINTER``. GetItem; PutItem on the version read.

The quality figures' feedback is read by ``FeedbackRepository.since``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from pynamodb.exceptions import PutError

from seteli.domain.comparison import ComparisonEntry, SitePointer, StoredAvailability
from seteli.errors import Conflict
from seteli.store import keys
from seteli.store.base import conditional_failed, doc_item, from_doc, get_item, save
from seteli.store.models import DocItem

ENTRY = "comparison_entry"
AVAILABILITY = "availability"
POINTER = "site_pointer"
BATCH = 100  # BatchGetItem's limit

Key = dict[str, Any]


def entry_item(entry: ComparisonEntry) -> DocItem:
    return doc_item(keys.compare_pk(entry.service_id), keys.compare_sk(entry.provider_id), entry, kind=ENTRY)


def _entry(row: DocItem) -> ComparisonEntry:
    return ComparisonEntry.model_validate(orjson.loads(row.document))


class ComparisonRepository:
    # ------------------------------------------------------------ the read model

    def entries(self, service_id: str) -> list[ComparisonEntry]:
        """Every provider shown for the service (Query ``COMPARE#<service>``, all pages)."""
        return [_entry(r) for r in DocItem.query(keys.compare_pk(service_id)) if r.kind == ENTRY]

    def page(self, service_id: str, limit: int, start: Key | None = None) -> tuple[list[ComparisonEntry], Key | None]:
        """One page of a service's entries by provider id (Query, ``limit`` items)."""
        rows = DocItem.query(keys.compare_pk(service_id), limit=limit, page_size=limit, last_evaluated_key=start)
        out = [_entry(r) for r in rows if r.kind == ENTRY]
        return out, rows.last_evaluated_key

    def of_provider(self, provider_id: str, service_ids: Iterable[str]) -> dict[str, ComparisonEntry]:
        """The provider's entries of these services as they are stored (BatchGetItem)."""
        wanted = [(keys.compare_pk(s), keys.compare_sk(provider_id)) for s in service_ids]
        out: dict[str, ComparisonEntry] = {}
        for i in range(0, len(wanted), BATCH):
            for row in DocItem.batch_get(wanted[i : i + BATCH]):
                entry = _entry(row)
                out[entry.service_id] = entry
        return out

    def apply(self, provider_id: str, puts: Iterable[ComparisonEntry], deletes: Iterable[str]) -> None:
        """Write the changed entries and delete those no longer shown (BatchWriteItem). Each item
        is a whole document computed from the sources, so the last refresh wins and a lost race is
        repaired by the next refresh (every source change triggers one)."""
        with DocItem.batch_write() as batch:
            for entry in puts:
                batch.save(entry_item(entry))
            for service_id in deletes:
                batch.delete(DocItem(keys.compare_pk(service_id), keys.compare_sk(provider_id)))

    # ------------------------------------------------------------ availability

    def availability(self, provider_id: str) -> dict[str, StoredAvailability]:
        rows = DocItem.query(keys.provider_pk(provider_id), DocItem.sk.startswith(keys.AVAILABILITY_PREFIX))
        return {a.service_id: a for a in (from_doc(StoredAvailability, r) for r in rows if r.kind == AVAILABILITY)}

    def put_availability(self, a: StoredAvailability) -> StoredAvailability:
        """Save conditioned on the version read (0: must not exist yet); 409 if it changed meanwhile."""
        item = doc_item(
            keys.provider_pk(a.provider_id), keys.availability_sk(a.service_id), a, kind=AVAILABILITY, version=a.version
        )
        version = save(item, "the availability changed meanwhile: read it again", new=not a.version)
        return a.model_copy(update={"version": version})

    # ------------------------------------------------------------ the publish pointer

    def pointer(self) -> SitePointer | None:
        row = get_item(DocItem, keys.SITE_PK, keys.SITE_POINTER_SK)
        return from_doc(SitePointer, row) if row is not None else None

    def put_pointer(self, pointer: SitePointer) -> SitePointer:
        """Flip the pointer, conditioned on the version read: two publishers never both win."""
        item = doc_item(keys.SITE_PK, keys.SITE_POINTER_SK, pointer, kind=POINTER, version=pointer.version)
        try:
            if pointer.version:
                item.save()
            else:
                item.save(condition=DocItem.pk.does_not_exist())
        except PutError as exc:
            if conditional_failed(exc):
                raise Conflict("another build was published meanwhile") from exc
            raise
        return pointer.model_copy(update={"version": int(item.version)})
