"""Repositories: map domain objects to items and back. Reads are GetItem or Query only."""

from __future__ import annotations

import json
from functools import cached_property

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from seteli.config import Settings
from seteli.domain.provider import Provider, ProviderPart
from seteli.domain.tenant import Tenant
from seteli.errors import Conflict
from seteli.store import keys
from seteli.store.base import conditional_failed as _conditional_failed
from seteli.store.base import get_item as _get
from seteli.store.base import now as _now
from seteli.store.models import PartItem, ProviderItem, TenantConfigItem


class TenantRepository:
    def get(self) -> Tenant | None:
        item = _get(TenantConfigItem, keys.TENANT_PK, keys.TENANT_CONFIG_SK)  # GetItem
        if item is None:
            return None
        return Tenant.model_validate_json(item.document)

    def get_with_version(self) -> tuple[Tenant, int] | None:
        item = _get(TenantConfigItem, keys.TENANT_PK, keys.TENANT_CONFIG_SK)
        if item is None:
            return None
        return Tenant.model_validate_json(item.document), int(item.version or 0)

    def put(self, tenant: Tenant, source: str | None = None) -> int:
        """Store (or replace) the tenant configuration; returns the new version."""
        item = _get(TenantConfigItem, keys.TENANT_PK, keys.TENANT_CONFIG_SK)
        if item is None:
            item = TenantConfigItem(keys.TENANT_PK, keys.TENANT_CONFIG_SK)
        item.document = tenant.model_dump_json()
        item.source = source
        item.loaded_at = _now()
        try:
            item.save()  # conditioned on the version read above
        except PutError as exc:
            if _conditional_failed(exc):
                raise Conflict("the tenant configuration changed meanwhile; load it again") from exc
            raise
        return int(item.version)


class ProviderRepository:
    def get(self, provider_id: str) -> Provider | None:
        item = _get(ProviderItem, keys.provider_pk(provider_id), keys.PROVIDER_PROFILE_SK)  # GetItem
        if item is None:
            return None
        return Provider.model_validate({**json.loads(item.document), "version": int(item.version or 0)})

    def parts(self, provider_id: str) -> list[ProviderPart]:
        # Query pk = PROVIDER#id, sk begins_with PART#
        rows = PartItem.query(keys.provider_pk(provider_id), PartItem.sk.startswith(keys.PART_PREFIX))
        return [ProviderPart.model_validate_json(r.document) for r in rows]

    def create(self, provider: Provider, parts: list[ProviderPart]) -> None:
        """Create a provider with its parts in one transaction; 409 when the id is taken."""
        item = self._item(provider)
        try:
            with TransactWrite(connection=ProviderItem._get_connection().connection) as tx:
                tx.save(item, condition=ProviderItem.pk.does_not_exist())
                for part in parts:
                    tx.save(self._part_item(part), condition=PartItem.pk.does_not_exist())
        except TransactWriteError as exc:
            if _conditional_failed(exc):
                raise Conflict(f"provider {provider.id} exists already") from exc
            raise

    def put_part(self, part: ProviderPart) -> None:
        self._part_item(part).save()

    @staticmethod
    def _item(provider: Provider) -> ProviderItem:
        doc = provider.model_dump(mode="json", exclude={"version"})
        return ProviderItem(
            keys.provider_pk(provider.id),
            keys.PROVIDER_PROFILE_SK,
            gsi1pk=keys.business_id_gsi1pk(provider.business_id),
            gsi1sk=keys.provider_pk(provider.id),
            gsi2pk=keys.PROVIDERS_GSI2PK,
            gsi2sk=f"{provider.name.casefold()}#{provider.id}",
            document=json.dumps(doc, ensure_ascii=False),
            created_at=provider.created_at,
            updated_at=provider.updated_at,
        )

    @staticmethod
    def _part_item(part: ProviderPart) -> PartItem:
        return PartItem(
            keys.provider_pk(part.provider_id),
            keys.part_sk(part.id),
            document=part.model_dump_json(),
            lat=part.lat,
            lon=part.lon,
        )


class Repositories:
    """The repositories of one stack, bound to its table. Each area's repository lives in its own
    module (``seteli.store.<area>``) and is imported when first used."""

    def __init__(self, s: Settings) -> None:
        self.settings = s
        self.tenant = TenantRepository()
        self.providers = ProviderRepository()

    @cached_property
    def users(self):
        from seteli.store.users import UserRepository

        return UserRepository()

    @cached_property
    def api_keys(self):
        from seteli.store.api_keys import ApiKeyRepository

        return ApiKeyRepository()

    @cached_property
    def attachments(self):
        from seteli.store.attachments import AttachmentRepository

        return AttachmentRepository()

    @cached_property
    def applications(self):
        from seteli.store.applications import ApplicationRepository

        return ApplicationRepository()

    @cached_property
    def price_lists(self):
        from seteli.store.price_lists import PriceListRepository

        return PriceListRepository()
