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


MODELS: tuple[type[Model], ...] = (TenantConfigItem, ProviderItem, PartItem)


def bind(s: Settings) -> None:
    """Point every model at the stack's table. All models share ``Item.Meta``."""
    Item.Meta.table_name = s.table_name
    Item.Meta.region = s.region
    Item.Meta.host = s.aws_endpoint_url
    for model in MODELS:
        model._connection = None
