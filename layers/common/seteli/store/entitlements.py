"""Customers, entitlements, reservations, providers' customer relations and citizens' links.

Reads are GetItem or Query; writes are conditioned on the version read (409 otherwise); a write that
changes several items (granting with the customer's relation to a named provider, reserving, closing
on a death) is one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from seteli.domain.entitlements import Customer, Entitlement, ProviderCustomer, Reservation
from seteli.errors import Conflict, FieldError
from seteli.store import keys
from seteli.store.base import doc_item, from_doc, get_item, save, transact
from seteli.store.models import DocItem

CUSTOMER = "customer"
ENTITLEMENT = "entitlement"
RESERVATION = "reservation"
PROVIDER_CUSTOMER = "provider_customer"
CITIZEN_SELF = "citizen_self"
CITIZEN_PROXY = "citizen_proxy"


def _stale(what: str, version: int, field: str = "body.version") -> Conflict:
    return Conflict(
        f"{what} changed meanwhile (you sent version {version}); read it again and repeat your change",
        [FieldError(field, "stale: read again")],
    )


# ---------------------------------------------------------------- mapping


def customer_item(c: Customer, *, version: int | None = None) -> DocItem:
    name = f"{c.last_name}#{c.first_names}".casefold()
    return doc_item(
        keys.customer_pk(c.id),
        keys.CUSTOMER_PROFILE_SK,
        c,
        kind=CUSTOMER,
        version=version,
        gsi1pk=keys.personal_id_gsi1pk(c.personal_id_hash),
        gsi1sk=keys.CUSTOMER_PROFILE_SK,
        gsi2pk=keys.CUSTOMERS_GSI2PK,
        gsi2sk=f"{name}#{c.id}",
    )


def entitlement_item(e: Entitlement, *, version: int | None = None) -> DocItem:
    return doc_item(
        keys.entitlement_pk(e.decision_number),
        keys.ENTITLEMENT_SK,
        e,
        kind=ENTITLEMENT,
        version=version,
        gsi1pk=keys.customer_entitlements_gsi1pk(e.customer_id),
        gsi1sk=f"{e.valid_from.isoformat()}#{e.decision_number}",
    )


def reservation_item(r: Reservation, *, version: int | None = None) -> DocItem:
    return doc_item(
        keys.entitlement_pk(r.decision_number),
        keys.reservation_sk(r.provider_id),
        r,
        kind=RESERVATION,
        version=version,
        gsi1pk=keys.provider_reservations_gsi1pk(r.provider_id),
        gsi1sk=f"{r.reserved_at.isoformat()}#{r.decision_number}",
    )


def provider_customer_item(pc: ProviderCustomer, *, version: int | None = None) -> DocItem:
    return doc_item(
        keys.provider_pk(pc.provider_id),
        keys.provider_customer_sk(pc.customer_id),
        pc,
        kind=PROVIDER_CUSTOMER,
        version=version,
    )


# ---------------------------------------------------------------- customers


class CustomerRepository:
    def get(self, customer_id: str) -> Customer | None:
        item = get_item(DocItem, keys.customer_pk(customer_id), keys.CUSTOMER_PROFILE_SK)
        return from_doc(Customer, item) if item is not None else None

    def by_personal_id_hash(self, personal_id_hash: str) -> Customer | None:
        """GetItem the guard ``PIDHASH#<hash>``/``GUARD`` (a consistent read); a customer older
        than the guards is found on gsi1. The hash comes from ``seteli.rules.customers``."""
        guard = get_item(DocItem, keys.personal_id_gsi1pk(personal_id_hash), keys.PERSONAL_ID_GUARD_SK)
        if guard is not None:
            return self.get(json.loads(guard.document)["customer_id"])
        for row in DocItem.gsi1.query(keys.personal_id_gsi1pk(personal_id_hash), limit=1):
            return self.get(row.pk.removeprefix(keys.customer_pk("")))
        return None

    def page_by_name(
        self, prefix: str, limit: int, start: dict[str, Any] | None = None
    ) -> tuple[list[Customer], dict[str, Any] | None]:
        """The municipality's customers whose ``last#first`` (casefolded) starts with ``prefix``."""
        rows = DocItem.gsi2.query(
            keys.CUSTOMERS_GSI2PK,
            DocItem.gsi2sk.startswith(prefix.casefold()),
            limit=limit,
            page_size=limit,
            last_evaluated_key=start,
        )
        out = [from_doc(Customer, r) for r in rows]
        return out, rows.last_evaluated_key

    def create(self, c: Customer) -> Customer:
        """New customer with the guard of its personal ID, in one transaction: 409 when the id or the
        personal ID is taken, also when two case workers add the same person at once."""
        guard = doc_item(
            keys.personal_id_gsi1pk(c.personal_id_hash),
            keys.PERSONAL_ID_GUARD_SK,
            {"customer_id": c.id},
            kind="personal_id_guard",
        )
        transact(
            [(customer_item(c), True), (guard, True)], "a customer with this personal identity code exists already"
        )
        return c.model_copy(update={"version": 1})

    def update(self, c: Customer) -> Customer:
        """Save ``c`` conditioned on ``c.version`` (the version read)."""
        try:
            version = save(customer_item(c, version=c.version or None), "conflict")
        except Conflict:
            raise _stale(f"customer {c.id}", c.version) from None
        return c.model_copy(update={"version": version})


# ---------------------------------------------------------------- entitlements and reservations


class EntitlementRepository:
    def get(self, decision_number: str) -> Entitlement | None:
        item = get_item(DocItem, keys.entitlement_pk(decision_number), keys.ENTITLEMENT_SK)
        return from_doc(Entitlement, item) if item is not None else None

    def with_reservations(self, decision_number: str) -> tuple[Entitlement | None, list[Reservation]]:
        """The entitlement (GetItem) and its reservations (Query pk = ENTITLEMENT#<no>, begins_with
        RESERVATION#): the partition also holds the entitlement's events, which this never reads."""
        entitlement = self.get(decision_number)
        if entitlement is None:
            return None, []
        rows = DocItem.query(
            keys.entitlement_pk(decision_number),
            DocItem.sk.startswith(keys.RESERVATION_PREFIX),
            consistent_read=True,
        )
        return entitlement, [from_doc(Reservation, r) for r in rows if r.kind == RESERVATION]

    def for_customer(self, customer_id: str) -> list[Entitlement]:
        """A customer's entitlements by start date (Query gsi1)."""
        rows = DocItem.gsi1.query(keys.customer_entitlements_gsi1pk(customer_id))
        return [from_doc(Entitlement, r) for r in rows if r.kind == ENTITLEMENT]

    def reservations_of_provider(self, provider_id: str, limit: int = 100) -> list[Reservation]:
        rows = DocItem.gsi1.query(keys.provider_reservations_gsi1pk(provider_id), scan_index_forward=False, limit=limit)
        return [from_doc(Reservation, r) for r in rows if r.kind == RESERVATION]

    def create(self, e: Entitlement, *, extra: Iterable[tuple[DocItem, bool]] = ()) -> Entitlement:
        """Grant: the entitlement (409 naming the decision number if it exists) and the caller's
        ``extra`` items (an order's reservation and relation) in one transaction."""
        try:
            transact([(entitlement_item(e), True), *extra], "exists")
        except Conflict:
            if self.get(e.decision_number) is not None:
                raise Conflict(
                    f"decision number {e.decision_number} is in use already",
                    [FieldError("body.decision_number", "in use already")],
                ) from None
            raise
        return e.model_copy(update={"version": 1})

    def change(self, e: Entitlement, *, extra: Iterable[tuple[DocItem, bool]] = ()) -> Entitlement:
        """Save ``e`` conditioned on ``e.version`` with ``extra`` items, atomically."""
        try:
            transact([(entitlement_item(e, version=e.version or None), False), *extra], "conflict")
        except Conflict:
            raise _stale(f"entitlement {e.decision_number}", e.version) from None
        return e.model_copy(update={"version": e.version + 1})

    def change_many(self, items: list[tuple[DocItem, bool]], what: str) -> None:
        """Several entitlements (a death closes them all) in one transaction."""
        transact(items, f"{what} changed meanwhile; try again")


# ---------------------------------------------------------------- providers' customers


class ProviderCustomerRepository:
    def get(self, provider_id: str, customer_id: str) -> ProviderCustomer | None:
        item = get_item(DocItem, keys.provider_pk(provider_id), keys.provider_customer_sk(customer_id))
        return from_doc(ProviderCustomer, item) if item is not None else None

    def for_provider(self, provider_id: str) -> list[ProviderCustomer]:
        """Every customer the provider has a relation with (Query its partition, CUSTOMER#...)."""
        rows = DocItem.query(keys.provider_pk(provider_id), DocItem.sk.startswith(keys.PROVIDER_CUSTOMER_PREFIX))
        return [from_doc(ProviderCustomer, r) for r in rows if r.kind == PROVIDER_CUSTOMER]

    def item_for(self, pc: ProviderCustomer) -> tuple[DocItem, bool]:
        """The relation as an (item, new) pair for a caller's transaction."""
        return provider_customer_item(pc, version=pc.version or None), not pc.version

    def save(self, pc: ProviderCustomer) -> ProviderCustomer:
        item, new = self.item_for(pc)
        try:
            version = save(item, "conflict", new=new)
        except Conflict:
            raise _stale("the customer's details", pc.version) from None
        return pc.model_copy(update={"version": version})


# ---------------------------------------------------------------- citizens


class CitizenRepository:
    """Which customer a signed-in citizen is, and whom they act for (proxies, spec 14)."""

    def customer_of(self, subject: str) -> str | None:
        item = get_item(DocItem, keys.citizen_pk(subject), keys.CITIZEN_SELF_SK)
        return json.loads(item.document)["customer_id"] if item is not None else None

    def link(self, subject: str, customer_id: str) -> None:
        """The citizen ``subject`` is the customer (written at the first strong sign-in)."""
        item = doc_item(keys.citizen_pk(subject), keys.CITIZEN_SELF_SK, {"customer_id": customer_id}, kind=CITIZEN_SELF)
        save(item, "this sign-in is linked to a customer already", new=True)

    def proxies_of(self, subject: str) -> list[dict[str, Any]]:
        """The customers ``subject`` may act for: [{customer_id, granted_by, granted_at, ...}]."""
        rows = DocItem.query(keys.citizen_pk(subject), DocItem.sk.startswith(keys.PROXY_PREFIX))
        return [json.loads(r.document) for r in rows if r.kind == CITIZEN_PROXY]

    def proxy(self, subject: str, customer_id: str) -> dict[str, Any] | None:
        item = get_item(DocItem, keys.citizen_pk(subject), keys.citizen_proxy_sk(customer_id))
        return json.loads(item.document) if item is not None else None

    def add_proxy(self, subject: str, customer_id: str, doc: dict[str, Any]) -> None:
        item = doc_item(
            keys.citizen_pk(subject),
            keys.citizen_proxy_sk(customer_id),
            {**doc, "customer_id": customer_id},
            kind=CITIZEN_PROXY,
        )
        save(item, "this person may act for the customer already", new=True)

    def remove_proxy(self, subject: str, customer_id: str) -> bool:
        item = get_item(DocItem, keys.citizen_pk(subject), keys.citizen_proxy_sk(customer_id))
        if item is None:
            return False
        item.delete()
        return True

    # -- issue 4 (citizens): a proxy grant with its reverse item, so a customer can list who acts for them

    REVERSE_KIND = "citizen_proxy_of"  # CUSTOMER#<id>/PROXY#<sub>: who acts for a customer

    def grant_proxy(self, subject: str, customer_id: str, doc: dict[str, Any]) -> None:
        """``subject`` may act for ``customer_id``: ``CITIZEN#<sub>``/``PROXY#<customer>`` and its
        reverse ``CUSTOMER#<customer>``/``PROXY#<sub>`` in one transaction; 409 if granted already."""
        forward = doc_item(
            keys.citizen_pk(subject),
            keys.citizen_proxy_sk(customer_id),
            {**doc, "customer_id": customer_id, "subject": subject},
            kind=CITIZEN_PROXY,
        )
        reverse = doc_item(
            keys.customer_pk(customer_id),
            keys.citizen_proxy_sk(subject),
            {**doc, "customer_id": customer_id, "subject": subject},
            kind=self.REVERSE_KIND,
        )
        transact([(forward, True), (reverse, True)], "this person may act for the customer already")

    def proxies_for_customer(self, customer_id: str) -> list[dict[str, Any]]:
        """Who may act for ``customer_id`` (Query ``CUSTOMER#<id>`` begins_with ``PROXY#``)."""
        rows = DocItem.query(keys.customer_pk(customer_id), DocItem.sk.startswith(keys.PROXY_PREFIX))
        return [json.loads(r.document) for r in rows if r.kind == self.REVERSE_KIND]

    def revoke_proxy(self, subject: str, customer_id: str) -> bool:
        """Delete the grant and its reverse item together; False if there was none."""
        from pynamodb.exceptions import TransactWriteError
        from pynamodb.transactions import TransactWrite

        from seteli.store.base import conditional_failed

        forward = get_item(DocItem, keys.citizen_pk(subject), keys.citizen_proxy_sk(customer_id))
        if forward is None:
            return False
        reverse = get_item(DocItem, keys.customer_pk(customer_id), keys.citizen_proxy_sk(subject))
        # the items as read: their versions condition the deletes (a concurrent revoke is a 409)
        try:
            with TransactWrite(connection=DocItem._get_connection().connection) as tx:
                tx.delete(forward)
                if reverse is not None:
                    tx.delete(reverse)
        except TransactWriteError as exc:
            if conditional_failed(exc):
                raise Conflict("the authorisation changed meanwhile; read it again") from exc
            raise
        return True
