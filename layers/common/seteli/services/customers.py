"""The municipality's customers (spec 6): create, read, change, find by personal identity code, and
record a death.

Who: municipality users only (municipality_admin, case_worker); anyone else gets a 403 before
anything is read. Providers see customers through ``seteli.services.reservations`` (their own
customers only); citizens through ``seteli.services.citizens``.

The personal identity code is validated and normalised with python-stdnum (``fi.hetu``), stored in
the customer record and found only by its keyed hash (``seteli.rules.customers``). It never goes in
a URL, a log line or an error message: a refused code is "not a valid personal identity code", a
second customer with the same code is a 409 naming the existing customer's id. It cannot be
changed (a wrong one is a new customer record; the wrong one is left without entitlements).

A recorded death sets ``died_on`` and closes every entitlement of the customer at ``died_on + 1``
(``seteli.rules.entitlements.death_closures``) in the same transaction as the customer's record.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from seteli import clock
from seteli.api.auth import Principal
from seteli.domain.entitlements import Customer, Entitlement
from seteli.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from seteli.rules import entitlements as rules
from seteli.rules.customers import personal_id_hash, personal_id_secret
from seteli.services.reservations import relations_after_closing

# What a PATCH may change (the personal identity code is not among them).
CHANGEABLE = ("first_names", "last_name", "home_municipality", "address", "postal_code", "city", "phone", "email")
REQUIRED = ("first_names", "last_name")
NOT_VALID = "not a valid personal identity code (check its characters)"
TRANSACTION_ITEMS = 100  # DynamoDB's limit of items in one transaction


def ensure_municipality(who: Principal) -> None:
    if not who.is_municipality:
        raise Forbidden("only municipality users (municipality_admin, case_worker) may see and change customers")


def new_customer_id() -> str:
    return f"cus-{secrets.token_hex(6)}"


def _hash(repos, personal_id: str, field: str = "body.personal_id") -> tuple[str, str]:
    """(normalised code, keyed hash); 422 naming ``field`` (never the value) when not valid."""
    from seteli.domain.identifiers import normalise_personal_id

    try:
        code = normalise_personal_id(personal_id)
        return code, personal_id_hash(code, personal_id_secret(repos.settings))
    except ValueError:
        raise ValidationFailed(NOT_VALID, [FieldError(field, NOT_VALID)]) from None


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def create(repos, who: Principal, personal_id: str, fields: dict[str, Any]) -> Customer:
    """A new customer; 409 naming the existing customer when the code is in use already."""
    ensure_municipality(who)
    code, digest = _hash(repos, personal_id)
    _ensure_new(repos.customers.by_personal_id_hash(digest))
    values = {k: _clean(fields.get(k)) for k in CHANGEABLE}
    _require_names(values)
    at = clock.now()
    customer = Customer(
        id=new_customer_id(),
        personal_id=code,
        personal_id_hash=digest,
        created_at=at,
        created_by=who.subject,
        updated_at=at,
        **values,
    )
    try:
        return repos.customers.create(customer)
    except Conflict:  # another case worker added the same person a moment ago: the guard said no
        _ensure_new(repos.customers.by_personal_id_hash(digest))
        raise


def _ensure_new(existing: Customer | None) -> None:
    if existing is not None:
        raise Conflict(
            f"a customer with this personal identity code exists already: {existing.id}",
            [FieldError("body.personal_id", f"in use already by customer {existing.id}")],
        )


def _require_names(values: dict[str, Any]) -> None:
    missing = [f for f in REQUIRED if not values.get(f)]
    if missing:
        raise ValidationFailed(
            "give the customer's names", [FieldError(f"body.{f}", "required, not empty") for f in missing]
        )


def get(repos, who: Principal, customer_id: str) -> Customer:
    ensure_municipality(who)
    c = repos.customers.get(customer_id)
    if c is None:
        raise NotFound(f"no customer {customer_id}")
    return c


def update(repos, who: Principal, customer_id: str, changes: dict[str, Any], version: int) -> Customer:
    """Change the names, address, contacts or home municipality; ``changes`` holds only the fields
    sent (None clears an optional one). 409 on a stale ``version``."""
    ensure_municipality(who)
    if "personal_id" in changes:
        raise ValidationFailed(
            "the personal identity code of a customer cannot be changed; add a new customer instead",
            [FieldError("body.personal_id", "cannot be changed")],
        )
    c = get(repos, who, customer_id)
    if version != c.version:
        raise Conflict(
            f"customer {customer_id} changed meanwhile (you sent version {version}); read it again",
            [FieldError("body.version", "stale: read again")],
        )
    values = {k: _clean(v) for k, v in changes.items() if k in CHANGEABLE}
    _require_names({f: values.get(f, getattr(c, f)) for f in REQUIRED})
    return repos.customers.update(c.model_copy(update={**values, "updated_at": clock.now()}))


def find_by_personal_id(repos, who: Principal, personal_id: str) -> list[Customer]:
    """The municipality's search by personal identity code (sent in a POST body): [] or [customer]."""
    ensure_municipality(who)
    _, digest = _hash(repos, personal_id)
    c = repos.customers.by_personal_id_hash(digest)
    return [c] if c is not None else []


@dataclass(frozen=True)
class DeathRecorded:
    customer: Customer
    closed: list[Entitlement]  # the entitlements the death closed (as saved)


def record_death(repos, who: Principal, customer_id: str, died_on: date, version: int) -> DeathRecorded:
    """Record the customer's death: ``died_on`` on the customer and every entitlement of theirs
    closed at ``died_on + 1`` (an earlier closing, or a validity ending by then, is kept), all in one
    transaction conditioned on the versions read. 422 a date in the future; 409 already recorded or
    a stale ``version``."""
    from seteli.store.entitlements import customer_item, entitlement_item

    ensure_municipality(who)
    today = clock.today()
    if died_on > today:
        raise ValidationFailed("the date of death is in the future", [FieldError("body.died_on", "in the future")])
    c = get(repos, who, customer_id)
    if c.died_on is not None:
        raise Conflict(
            f"the death of customer {customer_id} is recorded already ({c.died_on.isoformat()})",
            [FieldError("body.died_on", "recorded already")],
        )
    if version != c.version:
        raise Conflict(
            f"customer {customer_id} changed meanwhile (you sent version {version}); read it again",
            [FieldError("body.version", "stale: read again")],
        )
    at = clock.now()
    changed = rules.death_closures(repos.entitlements.for_customer(customer_id), died_on, by=who.subject, at=at)
    dead = c.model_copy(update={"died_on": died_on, "updated_at": at})
    items = [(entitlement_item(e, version=e.version or None), False) for e in changed]
    items += relations_after_closing(repos, changed, at)  # providers stop seeing them on time
    customer = (customer_item(dead, version=c.version or None), False)
    # One transaction holds at most 100 items: a customer with more entitlements than that (never
    # seen) closes them in chunks first and the customer record last, so a retry finishes the job.
    chunk = TRANSACTION_ITEMS - 1
    while len(items) > chunk:
        repos.entitlements.change_many(items[:chunk], f"the entitlements of customer {customer_id}")
        items = items[chunk:]
    try:
        repos.entitlements.change_many([*items, customer], f"customer {customer_id} or their entitlements")
    except Conflict:
        raise Conflict(
            f"customer {customer_id} or their entitlements changed meanwhile; read again and repeat",
            [FieldError("body.version", "stale: read again")],
        ) from None
    saved = [e.model_copy(update={"version": e.version + 1}) for e in changed]
    return DeathRecorded(customer=dead.model_copy(update={"version": c.version + 1}), closed=saved)
