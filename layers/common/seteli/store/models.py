"""pynamodb models of the single table. Table name and endpoint are bound from Settings."""

from __future__ import annotations

import botocore.session
from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.connection import base as _pynamodb_base
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from seteli.config import Settings

# pynamodb gives every model's connection (and every thread) its own botocore session, and each
# session parses the DynamoDB service model again (~150 ms). One shared session parses it once per
# container; clients stay per connection. Client creation is not thread-safe, but a Lambda runs one
# request at a time and the local gateway serialises handler calls.
_shared_session: list[botocore.session.Session] = []


def _one_session(self) -> botocore.session.Session:
    if not _shared_session:
        _shared_session.append(botocore.session.get_session())
    return _shared_session[0]


_pynamodb_base.Connection.session = property(_one_session)  # type: ignore[assignment]


class Gsi1(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class Item(Model):
    """Base of every item: the table's own keys."""

    class Meta:
        table_name = "unbound"
        region = "eu-north-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class TenantConfigItem(Item):
    document = UnicodeAttribute()  # the validated tenant file as JSON
    source = UnicodeAttribute(null=True)
    loaded_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class ProviderItem(Item):
    gsi1 = Gsi1()
    gsi2 = Gsi2()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    document = UnicodeAttribute()  # domain.provider.Provider as JSON (without version)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class PartItem(Item):
    document = UnicodeAttribute()  # domain.provider.ProviderPart as JSON
    lat = NumberAttribute(null=True)
    lon = NumberAttribute(null=True)
    version = VersionAttribute()


class DocItem(Item):
    """The generic item: a domain object as JSON plus the index keys its access patterns need.

    Most items are this one model; a repository builds its keys with ``seteli.store.keys`` and maps
    ``document`` to and from its pydantic model. ``version`` makes every save conditional on the
    version read (optimistic locking: a concurrent change is a 409, never a lost update).
    """

    gsi1 = Gsi1()
    gsi2 = Gsi2()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    kind = UnicodeAttribute(null=True)  # what the item is (for reading a table by eye and for streams)
    document = UnicodeAttribute()
    ttl = NumberAttribute(null=True)  # epoch seconds; DynamoDB deletes the item after it
    version = VersionAttribute()


class MovedDocItem(Item):
    """A DocItem written with a version chosen by the caller (not incremented by pynamodb): a record
    moved to a new sort key (a price list's or an event's date changed) keeps counting its versions,
    so a client holding an old version stays stale. Written with a does-not-exist condition."""

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    kind = UnicodeAttribute(null=True)
    document = UnicodeAttribute()
    version = NumberAttribute()

    @classmethod
    def of(cls, item: DocItem, version: int) -> MovedDocItem:
        return cls(
            item.pk,
            item.sk,
            gsi1pk=item.gsi1pk,
            gsi1sk=item.gsi1sk,
            gsi2pk=item.gsi2pk,
            gsi2sk=item.gsi2sk,
            kind=item.kind,
            document=item.document,
            version=version,
        )


def _all_models(base: type[Model] = Item) -> list[type[Model]]:
    out = []
    for sub in base.__subclasses__():
        out.append(sub)
        out.extend(_all_models(sub))
    return out


MODELS: tuple[type[Model], ...] = (TenantConfigItem, ProviderItem, PartItem, DocItem)


def bind(s: Settings) -> None:
    """Point every model (every subclass of ``Item``, wherever defined) at the stack's table."""
    Item.Meta.table_name = s.table_name
    Item.Meta.region = s.region
    Item.Meta.host = s.aws_endpoint_url
    for model in _all_models():
        model._connection = None
