"""What every repository shares: GetItem-or-None, conditional-failure detection, DocItem mapping.

Repositories live one per area (``store/<area>.py``) and are reached through
``seteli.store.repositories()``. Reads are GetItem or Query only; writes of items that can race are
conditioned on ``version`` (409 on a concurrent change).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from seteli.clock import now as now  # re-exported: the repositories' clock
from seteli.errors import Conflict
from seteli.store.models import DocItem

M = TypeVar("M", bound=BaseModel)


def get_item(model, pk: str, sk: str, consistent: bool = True):
    """GetItem, or None when there is no such item."""
    try:
        return model.get(pk, sk, consistent_read=consistent)
    except model.DoesNotExist:
        return None


def conditional_failed(exc: Exception) -> bool:
    cause = getattr(exc, "cause_response_code", None) or ""
    return "ConditionalCheckFailed" in cause or "TransactionCanceled" in cause


def doc_item(
    pk: str,
    sk: str,
    obj: BaseModel | dict[str, Any],
    *,
    kind: str,
    version: int | None = None,
    exclude: set[str] | None = None,
    **index_keys: Any,
) -> DocItem:
    """A DocItem holding ``obj`` as JSON. ``version`` is the version read (None for a new item)."""
    if isinstance(obj, BaseModel):
        doc = obj.model_dump(mode="json", exclude=(exclude or set()) | {"version"})
    else:
        doc = {k: v for k, v in obj.items() if k != "version"}
    item = DocItem(pk, sk, kind=kind, document=json.dumps(doc, ensure_ascii=False), **index_keys)
    if version:
        item.version = version
    return item


def from_doc(model: type[M], item: DocItem, **extra: Any) -> M:
    """The pydantic object stored in ``item``, with its version."""
    return model.model_validate({**json.loads(item.document), "version": int(item.version or 0), **extra})


def save(item: DocItem, conflict: str, *, new: bool = False) -> int:
    """Save conditioned on the version read (or on the item not existing); 409 ``conflict`` otherwise."""
    try:
        if new:
            item.save(condition=DocItem.pk.does_not_exist())
        else:
            item.save()
    except PutError as exc:
        if conditional_failed(exc):
            raise Conflict(conflict) from exc
        raise
    return int(item.version)


def transact(puts: Iterable[tuple[DocItem, bool]], conflict: str) -> None:
    """Save several items atomically: each (item, new) as in ``save``. 409 ``conflict`` if any fails."""
    try:
        with TransactWrite(connection=DocItem._get_connection().connection) as tx:
            for item, new in puts:
                if new:
                    tx.save(item, condition=DocItem.pk.does_not_exist())
                else:
                    tx.save(item)
    except (TransactWriteError, UpdateError) as exc:
        if conditional_failed(exc):
            raise Conflict(conflict) from exc
        raise
