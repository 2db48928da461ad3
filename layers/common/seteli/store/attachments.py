"""Attachments: ``PROVIDER#<id>`` / ``ATTACHMENT#<attachment_id>`` (kind ``attachment``).

Reads are GetItem (one attachment) or Query (a provider's attachments: pk, begins_with
ATTACHMENT#). Every change is conditioned on the version read (409 on a concurrent change).
"""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, PutError

from seteli.domain.attachments import Attachment
from seteli.errors import Conflict, FieldError
from seteli.store import keys
from seteli.store.base import conditional_failed, doc_item, from_doc, get_item, save
from seteli.store.models import DocItem

KIND = "attachment"


def _item(att: Attachment, version: int | None = None) -> DocItem:
    return doc_item(keys.provider_pk(att.provider_id), keys.attachment_sk(att.id), att, kind=KIND, version=version)


def _stale(version: int) -> Conflict:
    return Conflict(
        f"the attachment changed meanwhile (you sent version {version}); read it again and repeat your change",
        [FieldError("body.version", "stale: read again")],
    )


class AttachmentRepository:
    def get(self, provider_id: str, attachment_id: str) -> Attachment | None:
        item = get_item(DocItem, keys.provider_pk(provider_id), keys.attachment_sk(attachment_id))  # GetItem
        return from_doc(Attachment, item) if item is not None else None

    def for_provider(self, provider_id: str) -> list[Attachment]:
        """Every attachment of the provider, by id (Query pk, begins_with ATTACHMENT#)."""
        rows = DocItem.query(
            keys.provider_pk(provider_id), DocItem.sk.startswith(keys.ATTACHMENT_PREFIX), consistent_read=True
        )
        return [from_doc(Attachment, r) for r in rows]

    def create(self, att: Attachment) -> Attachment:
        version = save(_item(att), f"attachment {att.id} exists already", new=True)
        return att.model_copy(update={"version": version})

    def update(self, att: Attachment) -> Attachment:
        """Save conditioned on ``att.version`` (the version read): 409 when stale."""
        item = _item(att, version=att.version)
        try:
            item.save(condition=DocItem.pk.exists())
        except PutError as exc:
            if conditional_failed(exc):
                raise _stale(att.version) from exc
            raise
        return att.model_copy(update={"version": int(item.version)})

    def delete(self, att: Attachment) -> None:
        """Delete conditioned on ``att.version``: 409 when it changed meanwhile."""
        item = _item(att, version=att.version)
        try:
            item.delete()  # pynamodb adds the version condition
        except DeleteError as exc:
            if conditional_failed(exc):
                raise _stale(att.version) from exc
            raise
