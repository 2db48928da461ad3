"""Repositories: map domain objects to items and back. Reads are GetItem or Query only."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from seteli.config import Settings
from seteli.domain.provider import ObligationsStatus, Provider, ProviderPart, Subcontractor
from seteli.domain.tenant import Tenant
from seteli.errors import Conflict, FieldError
from seteli.store import keys
from seteli.store.base import conditional_failed as _conditional_failed
from seteli.store.base import doc_item, from_doc, save
from seteli.store.base import get_item as _get
from seteli.store.base import now as _now
from seteli.store.models import DocItem, PartItem, ProviderItem, TenantConfigItem


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
    """Providers and what lives in their partition: the profile, parts, subcontractors, the latest
    obligations check. Reads are GetItem or Query; every update is conditioned on the version read."""

    # ------------------------------------------------------------ the provider

    def get(self, provider_id: str) -> Provider | None:
        item = _get(ProviderItem, keys.provider_pk(provider_id), keys.PROVIDER_PROFILE_SK)  # GetItem
        if item is None:
            return None
        return Provider.model_validate({**json.loads(item.document), "version": int(item.version or 0)})

    def by_business_id(self, business_id: str) -> str | None:
        """The id of the provider registered with ``business_id`` (Query gsi1 BUSINESSID#...), or None."""
        rows = ProviderItem.gsi1.query(keys.business_id_gsi1pk(business_id), limit=1)
        for row in rows:
            return row.gsi1sk.removeprefix(keys.provider_pk(""))
        guard = _get(DocItem, keys.business_id_gsi1pk(business_id), keys.PROVIDER_PROFILE_SK)  # GetItem
        return json.loads(guard.document).get("provider_id") if guard is not None else None

    def page(self, limit: int, start: dict[str, Any] | None = None) -> tuple[list[Provider], dict[str, Any] | None]:
        """One page of the tenant's providers by name (Query gsi2 PROVIDERS); returns (providers, next key)."""
        rows = ProviderItem.gsi2.query(keys.PROVIDERS_GSI2PK, limit=limit, page_size=limit, last_evaluated_key=start)
        out = [Provider.model_validate({**json.loads(r.document), "version": int(r.version or 0)}) for r in rows]
        return out, rows.last_evaluated_key

    def create(
        self,
        provider: Provider,
        parts: list[ProviderPart],
        obligations: ObligationsStatus | None = None,
    ) -> None:
        """Create a provider with its parts (and its first obligations check) in one transaction.

        A guard item ``BUSINESSID#<y-tunnus>``/``PROFILE`` makes the business ID unique even when two
        registrations race. 409 when the id or the business ID is taken.
        """
        item = self._item(provider)
        guard = doc_item(
            keys.business_id_gsi1pk(provider.business_id),
            keys.PROVIDER_PROFILE_SK,
            {"provider_id": provider.id, "business_id": provider.business_id},
            kind="business_id",
        )
        try:
            with TransactWrite(connection=ProviderItem._get_connection().connection) as tx:
                tx.save(item, condition=ProviderItem.pk.does_not_exist())
                tx.save(guard, condition=DocItem.pk.does_not_exist())
                for part in parts:
                    tx.save(self._part_item(part), condition=PartItem.pk.does_not_exist())
                if obligations is not None:
                    tx.save(self._obligations_item(provider.id, obligations), condition=DocItem.pk.does_not_exist())
        except TransactWriteError as exc:
            if _conditional_failed(exc):
                reasons = getattr(exc, "cancellation_reasons", None) or []
                if len(reasons) > 1 and reasons[1] is not None and "Conditional" in (reasons[1].code or ""):
                    msg = "already registered; ask your company's admin to add you as a user"
                    raise Conflict(
                        "a company with this business ID is registered already",
                        [FieldError("body.business_id", msg)],
                    ) from exc
                raise Conflict(f"provider {provider.id} exists already") from exc
            raise

    def delete_new(self, provider: Provider, parts: list[ProviderPart]) -> None:
        """Undo ``create`` (a registration whose first admin could not be made): one transaction."""
        with TransactWrite(connection=ProviderItem._get_connection().connection) as tx:
            tx.delete(
                ProviderItem(keys.provider_pk(provider.id), keys.PROVIDER_PROFILE_SK), add_version_condition=False
            )
            tx.delete(
                DocItem(keys.business_id_gsi1pk(provider.business_id), keys.PROVIDER_PROFILE_SK),
                add_version_condition=False,
            )
            for part in parts:
                tx.delete(
                    PartItem(keys.provider_pk(part.provider_id), keys.part_sk(part.id)), add_version_condition=False
                )
            tx.delete(DocItem(keys.provider_pk(provider.id), keys.OBLIGATIONS_SK), add_version_condition=False)

    def update(self, provider: Provider) -> Provider:
        """Save the provider conditioned on ``provider.version`` (the version read): 409 when stale."""
        item = self._item(provider)
        item.version = provider.version or None
        try:
            item.save(condition=ProviderItem.pk.exists())
        except PutError as exc:
            if _conditional_failed(exc):
                raise _stale("the provider", provider.version) from exc
            raise
        return provider.model_copy(update={"version": int(item.version)})

    # ------------------------------------------------------------ parts

    def parts(self, provider_id: str) -> list[ProviderPart]:
        """Every part (sites, units, employees; passive ones too). Query pk, begins_with PART#."""
        rows = PartItem.query(keys.provider_pk(provider_id), PartItem.sk.startswith(keys.PART_PREFIX))
        return [self._part(r) for r in rows]

    def part(self, provider_id: str, part_id: str) -> ProviderPart | None:
        item = _get(PartItem, keys.provider_pk(provider_id), keys.part_sk(part_id))  # GetItem
        return self._part(item) if item is not None else None

    def put_part(self, part: ProviderPart) -> None:
        """Write a part unconditionally (demo data, tools); use add_part / update_part in requests."""
        self._part_item(part).save()

    def add_part(self, part: ProviderPart) -> ProviderPart:
        """Create a part (409 if the id exists)."""
        item = self._part_item(part)
        try:
            item.save(condition=PartItem.pk.does_not_exist())
        except PutError as exc:
            if _conditional_failed(exc):
                raise Conflict(f"part {part.id} exists already") from exc
            raise
        return part.model_copy(update={"version": int(item.version)})

    def update_part(self, part: ProviderPart, *, unchanged: list[ProviderPart] = ()) -> ProviderPart:
        """Save ``part`` conditioned on its version; ``unchanged`` parts must still be at the versions
        read (e.g. the other active sites when one is passivated: the last site can never go)."""
        item = self._part_item(part)
        item.version = part.version
        try:
            with TransactWrite(connection=PartItem._get_connection().connection) as tx:
                tx.save(item)
                for other in unchanged:
                    tx.condition_check(
                        PartItem,
                        keys.provider_pk(other.provider_id),
                        keys.part_sk(other.id),
                        condition=PartItem.version == other.version,
                    )
        except TransactWriteError as exc:
            if _conditional_failed(exc):
                raise _stale("the part (or another site of the provider)", part.version) from exc
            raise
        return part.model_copy(update={"version": int(item.version)})

    # ------------------------------------------------------------ subcontractors

    def subcontractors(self, provider_id: str) -> list[Subcontractor]:
        """Query pk, begins_with SUB#."""
        rows = DocItem.query(keys.provider_pk(provider_id), DocItem.sk.startswith(keys.SUBCONTRACTOR_PREFIX))
        return [from_doc(Subcontractor, r) for r in rows]

    def subcontractor(self, provider_id: str, subcontractor_id: str) -> Subcontractor | None:
        item = _get(DocItem, keys.provider_pk(provider_id), keys.subcontractor_sk(subcontractor_id))  # GetItem
        return from_doc(Subcontractor, item) if item is not None else None

    def add_subcontractor(self, sub: Subcontractor) -> Subcontractor:
        item = self._sub_item(sub)
        version = save(item, f"subcontractor {sub.id} exists already", new=True)
        return sub.model_copy(update={"version": version})

    def update_subcontractor(self, sub: Subcontractor) -> Subcontractor:
        item = self._sub_item(sub, version=sub.version)
        try:
            item.save()
        except PutError as exc:
            if _conditional_failed(exc):
                raise _stale("the subcontractor", sub.version) from exc
            raise
        return sub.model_copy(update={"version": int(item.version)})

    # ------------------------------------------------------------ obligations check

    def obligations(self, provider_id: str) -> ObligationsStatus | None:
        item = _get(DocItem, keys.provider_pk(provider_id), keys.OBLIGATIONS_SK)  # GetItem
        return from_doc(ObligationsStatus, item) if item is not None else None

    def obligations_of(self, provider_ids: list[str]) -> dict[str, ObligationsStatus]:
        """The latest checks of several providers at once (BatchGetItem by key; a page of the list)."""
        wanted = list(dict.fromkeys(provider_ids))
        out: dict[str, ObligationsStatus] = {}
        if not wanted:
            return out
        for item in DocItem.batch_get([(keys.provider_pk(pid), keys.OBLIGATIONS_SK) for pid in wanted]):
            out[item.pk.removeprefix(keys.provider_pk(""))] = from_doc(ObligationsStatus, item)
        return out

    def put_obligations(self, provider_id: str, status: ObligationsStatus) -> ObligationsStatus:
        """Replace the latest check (the newest check wins; no version condition needed)."""
        item = self._obligations_item(provider_id, status)
        current = _get(DocItem, item.pk, item.sk)
        if current is not None:
            item.version = current.version
        version = save(item, "the obligations check ran twice at once; read the provider again")
        return status.model_copy(update={"version": version})

    def item_for(self, provider: Provider) -> ProviderItem:
        """The item that saves ``provider`` conditioned on the version it was read with, for a
        caller's transaction (an application's approval makes its provider active in the same one)."""
        item = self._item(provider)
        item.version = provider.version or None
        return item

    # ------------------------------------------------------------ mapping

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
    def _part(item: PartItem) -> ProviderPart:
        return ProviderPart.model_validate({**json.loads(item.document), "version": int(item.version or 0)})

    @staticmethod
    def _part_item(part: ProviderPart) -> PartItem:
        return PartItem(
            keys.provider_pk(part.provider_id),
            keys.part_sk(part.id),
            document=part.model_dump_json(exclude={"version"}),
            lat=part.lat,
            lon=part.lon,
        )

    @staticmethod
    def _sub_item(sub: Subcontractor, version: int | None = None) -> DocItem:
        return doc_item(
            keys.provider_pk(sub.provider_id),
            keys.subcontractor_sk(sub.id),
            sub,
            kind="subcontractor",
            version=version,
        )

    @staticmethod
    def _obligations_item(provider_id: str, status: ObligationsStatus) -> DocItem:
        return doc_item(keys.provider_pk(provider_id), keys.OBLIGATIONS_SK, status, kind="obligations")


def _stale(what: str, version: int) -> Conflict:
    return Conflict(
        f"{what} changed meanwhile (you sent version {version}); read it again and repeat your change",
        [FieldError("body.version", "stale: read again")],
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
    def customers(self):
        from seteli.store.entitlements import CustomerRepository

        return CustomerRepository()

    @cached_property
    def entitlements(self):
        from seteli.store.entitlements import EntitlementRepository

        return EntitlementRepository()

    @cached_property
    def provider_customers(self):
        from seteli.store.entitlements import ProviderCustomerRepository

        return ProviderCustomerRepository()

    @cached_property
    def citizens(self):
        from seteli.store.entitlements import CitizenRepository

        return CitizenRepository()

    @cached_property
    def price_lists(self):
        from seteli.store.price_lists import PriceListRepository

        return PriceListRepository()

    @cached_property
    def events(self):
        from seteli.store.events import EventRepository

        return EventRepository()

    @cached_property
    def credits(self):
        from seteli.store.events import CreditRepository

        return CreditRepository()

    @cached_property
    def feedback(self):
        from seteli.store.feedback import FeedbackRepository

        return FeedbackRepository()

    @cached_property
    def job_runs(self):
        from seteli.store.jobs import JobRunRepository

        return JobRunRepository()

    @cached_property
    def settlement(self):
        from seteli.store.settlement import SettlementRepository

        return SettlementRepository()

    @cached_property
    def auto_events(self):
        from seteli.store.auto_events import AutoEventRepository

        return AutoEventRepository()

    @cached_property
    def reports(self):
        from seteli.store.reports import ReportRepository

        return ReportRepository()

    @cached_property
    def comparison(self):
        from seteli.store.comparison import ComparisonRepository

        return ComparisonRepository()
