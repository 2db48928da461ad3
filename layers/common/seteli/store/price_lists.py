"""Price lists: ``PROVIDER#<id>`` / ``PRICELIST#<service_id>#<starts_on>#<price_list_id>``.

- a provider's lists of one service sort together by start date: Query pk, begins_with
  ``PRICELIST#<service_id>#`` (pricing an event, the list with validity);
- a list by its id alone: Query gsi1 ``PRICELISTID#<id>`` (gsi1sk ``PRICELIST``), then GetItem the
  item it names (consistent), so an update is conditioned on what is really there;
- one approved list per (service, level, part, start date): an approval also writes a guard item
  ``PRICELIST#<service_id>#<starts_on>#APPROVED-<level>[-<part_id>]`` (kind ``price_list_guard``)
  conditioned on its absence, so two lists approved at the same moment can never share a start.
  Guards sort under the service's prefix too; reads skip them by kind. Real ids are lower case, so
  ``APPROVED-...`` never collides with one.

Every change is conditioned on the version read (409 on a concurrent change). The sort key holds
the start date: moving a draft's start is a delete and a put in one transaction.
"""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, TransactWriteError
from pynamodb.transactions import TransactWrite

from seteli.domain.price_lists import StoredPriceList
from seteli.errors import Conflict, FieldError
from seteli.store import keys
from seteli.store.base import conditional_failed, doc_item, from_doc, get_item, save
from seteli.store.models import DocItem, MovedDocItem

KIND = "price_list"
GUARD_KIND = "price_list_guard"
GSI1SK = keys.PRICE_LIST_GSI1SK


def stale(version: int, field: str = "body.version") -> Conflict:
    return Conflict(
        f"the price list changed meanwhile (you sent version {version}); read it again and repeat your change",
        [FieldError(field, "stale: read again")],
    )


def item(pl: StoredPriceList, version: int | None = None) -> DocItem:
    """The item of ``pl``; ``version`` is the version read (None for a new list)."""
    return doc_item(
        keys.provider_pk(pl.provider_id),
        keys.price_list_sk(pl.service_id, pl.starts_on.isoformat(), pl.id),
        pl,
        kind=KIND,
        version=version,
        gsi1pk=keys.price_list_gsi1pk(pl.id),
        gsi1sk=GSI1SK,
    )


def guard_item(pl: StoredPriceList) -> DocItem:
    """The item that makes ``pl`` the only approved list of its level/part starting on its date."""
    return doc_item(
        keys.provider_pk(pl.provider_id),
        keys.price_list_guard_sk(pl.service_id, pl.starts_on.isoformat(), pl.level.value, pl.part_id),
        {"price_list_id": pl.id, "level": pl.level.value, "part_id": pl.part_id},
        kind=GUARD_KIND,
    )


def _lists(rows) -> list[StoredPriceList]:
    return [from_doc(StoredPriceList, r) for r in rows if r.kind == KIND]


class PriceListRepository:
    def for_service(self, provider_id: str, service_id: str) -> list[StoredPriceList]:
        """The provider's lists of one service, drafts too, by start date (Query pk + begins_with)."""
        rows = DocItem.query(
            keys.provider_pk(provider_id),
            DocItem.sk.startswith(keys.price_list_prefix(service_id)),
            consistent_read=True,
        )
        return _lists(rows)

    def for_provider(self, provider_id: str) -> list[StoredPriceList]:
        """Every list of the provider, by service and start date (Query pk + begins_with PRICELIST#)."""
        rows = DocItem.query(
            keys.provider_pk(provider_id),
            DocItem.sk.startswith(keys.price_list_prefix()),
            consistent_read=True,
        )
        return _lists(rows)

    def get(self, provider_id: str, price_list_id: str) -> StoredPriceList | None:
        """The list with this id if it is the provider's (Query gsi1, then a consistent GetItem)."""
        for row in DocItem.gsi1.query(keys.price_list_gsi1pk(price_list_id)):
            if row.kind != KIND or row.pk != keys.provider_pk(provider_id):
                continue
            found = get_item(DocItem, row.pk, row.sk)  # GetItem: the index may lag behind
            if found is not None:
                return from_doc(StoredPriceList, found)
        return None

    def create(self, pl: StoredPriceList) -> StoredPriceList:
        version = save(item(pl), f"price list {pl.id} exists already", new=True)
        return pl.model_copy(update={"version": version})

    def update(self, pl: StoredPriceList, *, old: StoredPriceList) -> StoredPriceList:
        """Save ``pl`` conditioned on ``pl.version`` (the version the client read); ``old`` is the list
        as read, whose item is deleted in the same transaction when the start date moved."""
        new_item = item(pl, version=pl.version)
        if pl.starts_on == old.starts_on and pl.service_id == old.service_id:
            save(new_item, stale(pl.version).detail)
            return pl.model_copy(update={"version": pl.version + 1})
        old_item = item(old, version=pl.version)
        fresh = item(pl)
        moved = MovedDocItem.of(fresh, pl.version + 1)
        try:
            with TransactWrite(connection=DocItem._get_connection().connection) as tx:
                tx.delete(old_item)  # conditioned on the version read
                tx.save(moved, condition=MovedDocItem.pk.does_not_exist())  # a new key: it must not exist
        except TransactWriteError as exc:
            if conditional_failed(exc):
                raise stale(pl.version) from exc
            raise
        return pl.model_copy(update={"version": pl.version + 1})

    def delete(self, pl: StoredPriceList, *, field: str = "query.version") -> None:
        """Delete ``pl`` conditioned on ``pl.version`` (the version the client sent)."""
        it = item(pl, version=pl.version)
        try:
            it.delete()
        except DeleteError as exc:
            if conditional_failed(exc):
                raise stale(pl.version, field) from exc
            raise
