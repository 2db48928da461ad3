"""Price list use cases (spec section 5; seed 003 K1.3.7, K2.4).

A provider's price list of one service, at company level or at one part, is a draft until it is
approved; an approved list is never edited (only its free-text ``notes``), a change is a new list
with a later start date, which supersedes the old one from that date.

How a draft becomes approved:

- together with the provider's application for the service: the application's approval calls
  ``approval_items`` and writes the returned items in the same transaction as the application;
- for a service the provider is approved for already, its admin publishes a new list itself
  (``publish``): it must start after today (Europe/Helsinki), today must be inside the rulebook's
  price change window when it has one, and it must start after the current list of its level/part.

Who may do what (decided before anything is read, so a 403 reveals nothing):

- create, edit, delete drafts: the provider's admin, or its user in the service's team;
- publish: the provider's (active) admin;
- read the lists: the provider's users (a user sees the services of its teams) and municipality users;
- the price of a content on a date: any signed-in user of the tenant (it will be public later).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from seteli import clock
from seteli.api.auth import PROVIDER_ADMIN, Principal
from seteli.clock import now
from seteli.domain.money import Money
from seteli.domain.price_lists import StoredPriceList
from seteli.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from seteli.rules import price_lists as rules
from seteli.rules.price_lists import PriceLevel, PriceListStatus
from seteli.services.teams import ensure_in_team, teams_of

if TYPE_CHECKING:
    from seteli.domain.tenant import Service, Tenant

MAX_PRICE = Money("1000000.00")
APPROVED_IS_IMMUTABLE = "an approved price list is never edited; make a new list with a later start date"


@dataclass(frozen=True)
class Listed:
    """A list and the days it is (or was) in force: ``valid_until`` None is "toistaiseksi"."""

    price_list: StoredPriceList
    valid_from: date | None
    valid_until: date | None


@dataclass(frozen=True)
class Price:
    """The answer to "the price of content X at part Y on day D"."""

    price: Money
    price_list: StoredPriceList
    valid_from: date
    valid_until: date | None
    on: date


# ---------------------------------------------------------------- seams (replaced in tests)


def today_in_helsinki() -> date:
    return clock.today()


def _tenant(repos) -> Tenant:
    from seteli.services.tenant_config import current_tenant

    return current_tenant(repos.tenant)


def service_approved(repos, provider_id: str, service_id: str) -> bool:
    """Whether the municipality has approved the provider's application for the service."""
    try:
        found = repos.applications.for_provider_service(provider_id, service_id)
    except (ImportError, AttributeError):  # the applications area is not there (yet)
        return False
    status = getattr(found, "status", None) if found is not None else None
    return str(getattr(status, "value", status) or "") == "approved"


def ensure_not_under_review(repos, provider_id: str, service_id: str) -> None:
    """While the municipality reviews an application, its drafts are what it reviews: they are
    approved as they are when it decides, so nobody changes them meanwhile (409)."""
    try:
        found = repos.applications.for_provider_service(provider_id, service_id)
    except (ImportError, AttributeError):
        return
    status = getattr(found, "status", None) if found is not None else None
    if str(getattr(status, "value", status) or "") == "submitted":
        raise Conflict(
            f"the application for service {service_id} is under the municipality's review: its draft "
            "price lists are locked until the decision (a returned application opens them again)"
        )


# ---------------------------------------------------------------- who may


def _ensure_own(who: Principal, provider_id: str) -> None:
    if not (who.is_provider and who.provider_id == provider_id):
        if who.is_provider:
            raise Forbidden("you may only see and change your own provider's price lists")
        raise Forbidden("only the provider's own users (provider_admin, provider_user) make its price lists")


def _ensure_can_read(who: Principal, provider_id: str) -> None:
    if who.is_municipality:
        return
    if not who.is_provider:
        raise Forbidden("only the provider's users and municipality users see its price lists")
    if who.provider_id != provider_id:
        raise Forbidden("you may only see your own provider's price lists")


def _ensure_admin(repos, who: Principal, provider_id: str) -> None:
    _ensure_own(who, provider_id)
    if PROVIDER_ADMIN not in who.groups:
        raise Forbidden("only an admin of the provider (provider_admin) publishes a price list")
    me = repos.users.get(provider_id, who.subject)
    if me is not None and not me.is_active_admin:
        raise Forbidden("your account is no longer an active admin of the provider")


# ---------------------------------------------------------------- validation


def _invalid(errors: list[FieldError]) -> ValidationFailed:
    return ValidationFailed("the price list has invalid fields: " + ", ".join(e.field for e in errors), errors)


def _service(tenant: Tenant, service_id: str, errors: list[FieldError], field: str = "body.service_id"):
    service = tenant.service(service_id)
    if service is None:
        known = ", ".join(s.id for s in tenant.services)
        errors.append(FieldError(field, f"no such service in this municipality (known: {known})"))
    return service


def parse_price(value: Any) -> Money:
    """A price as the API takes it: a JSON string of euros, not negative, at most two decimals."""
    if not isinstance(value, str):
        raise ValueError('give the price as a string such as "32.50", not a number')
    text = value.strip()
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValueError('not an amount in euros such as "32.50"') from None
    if not d.is_finite() or "e" in text.lower():
        raise ValueError('not an amount in euros such as "32.50"')
    if d != d.quantize(Decimal("0.01")):
        raise ValueError("at most two decimals (cents)")
    money = Money(d)
    if money < Money.zero():
        raise ValueError("must not be negative")
    if money > MAX_PRICE:
        raise ValueError(f"must be at most {MAX_PRICE}")
    return money


def _prices(service: Service | None, prices: dict[str, Any], errors: list[FieldError]) -> dict[str, Money]:
    out: dict[str, Money] = {}
    if not prices:
        errors.append(FieldError("body.prices", "price at least one content of the service"))
        return out
    for content_id, value in prices.items():
        field = f"body.prices.{content_id}"
        if service is not None and service.content(content_id) is None:
            known = ", ".join(c.id for c in service.contents)
            errors.append(FieldError(field, f"not a content of service {service.id} (its contents: {known})"))
            continue
        try:
            out[content_id] = parse_price(value)
        except ValueError as exc:
            errors.append(FieldError(field, str(exc)))
    return out


def _level(
    repos, provider_id: str, level: PriceLevel | str | None, part_id: str | None, errors: list[FieldError]
) -> PriceLevel:
    """The level (given, or from whether a part is named) and a check of the part."""
    lvl = PriceLevel(level) if level else (PriceLevel.part if part_id else PriceLevel.company)
    if lvl is PriceLevel.company and part_id:
        errors.append(FieldError("body.part_id", "a company-level price list names no part: omit part_id"))
    elif lvl is PriceLevel.part and not part_id:
        errors.append(FieldError("body.part_id", "a part-level price list needs the part (site, unit, employee)"))
    elif lvl is PriceLevel.part:
        part = repos.providers.part(provider_id, part_id)
        if part is None:
            errors.append(FieldError("body.part_id", "the provider has no such part; see GET .../parts"))
        elif not part.active:
            errors.append(FieldError("body.part_id", "the part is passive: activate it first"))
    return lvl


def _name(name: str | None, errors: list[FieldError]) -> str | None:
    if name is None:
        return None
    text = name.strip()
    if not 1 <= len(text) <= 100:
        errors.append(FieldError("body.name", "give a name of 1-100 characters, e.g. Toimipaikkahinnasto 1-2026"))
    return text


def _notes(notes: str | None) -> str | None:
    text = (notes or "").strip()
    return text or None


def _new_id() -> str:
    return f"pl-{secrets.token_hex(6)}"


# ---------------------------------------------------------------- drafts


def create_price_list(
    repos,
    who: Principal,
    provider_id: str,
    *,
    service_id: str,
    name: str,
    starts_on: date,
    prices: dict[str, Any],
    level: PriceLevel | str | None = None,
    part_id: str | None = None,
    notes: str | None = None,
) -> StoredPriceList:
    _ensure_own(who, provider_id)
    tenant = _tenant(repos)
    errors: list[FieldError] = []
    service = _service(tenant, service_id, errors)
    if service is not None:
        ensure_in_team(repos, who, service_id)
        ensure_not_under_review(repos, provider_id, service_id)
    clean_name = _name(name, errors)
    lvl = _level(repos, provider_id, level, part_id, errors)
    money = _prices(service, prices, errors)
    if errors:
        raise _invalid(errors)
    at = now()
    pl = StoredPriceList(
        id=_new_id(),
        provider_id=provider_id,
        service_id=service_id,
        level=lvl,
        part_id=part_id if lvl is PriceLevel.part else None,
        name=clean_name,
        starts_on=starts_on,
        prices=money,
        notes=_notes(notes),
        created_at=at,
        created_by=who.subject,
        updated_at=at,
        updated_by=who.subject,
    )
    return repos.price_lists.create(pl)


def _read(repos, provider_id: str, price_list_id: str) -> StoredPriceList:
    pl = repos.price_lists.get(provider_id, price_list_id)
    if pl is None:
        raise NotFound(f"provider {provider_id} has no price list {price_list_id}")
    return pl


def _check_version(pl: StoredPriceList, version: int, field: str = "body.version") -> None:
    if pl.version != version:
        raise Conflict(
            f"the price list changed meanwhile (version {pl.version}, you sent {version}); "
            "read it again and repeat your change",
            [FieldError(field, "stale: read again")],
        )


EDITABLE = ("name", "starts_on", "level", "part_id", "prices", "notes")


def update_price_list(
    repos, who: Principal, provider_id: str, price_list_id: str, *, version: int, changes: dict[str, Any]
) -> StoredPriceList:
    """Change a draft (any field), or only the notes of an approved list (no approval needed)."""
    _ensure_own(who, provider_id)
    pl = _read(repos, provider_id, price_list_id)
    ensure_in_team(repos, who, pl.service_id)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise _invalid([FieldError(f"body.{k}", "cannot be changed") for k in unknown])
    if pl.approved and set(changes) - {"notes"}:
        fields = sorted(set(changes) - {"notes"})
        raise Conflict(APPROVED_IS_IMMUTABLE, [FieldError(f"body.{k}", "the list is approved") for k in fields])
    if not pl.approved:
        ensure_not_under_review(repos, provider_id, pl.service_id)
    _check_version(pl, version)
    errors: list[FieldError] = []
    update: dict[str, Any] = {}
    if "name" in changes:
        if changes["name"] is None:
            errors.append(FieldError("body.name", "a price list always has a name"))
        else:
            update["name"] = _name(changes["name"], errors)
    if "starts_on" in changes:
        if changes["starts_on"] is None:
            errors.append(FieldError("body.starts_on", "a price list always has a start date"))
        else:
            update["starts_on"] = changes["starts_on"]
    if "level" in changes or "part_id" in changes:
        level = changes.get("level") or (None if "part_id" in changes else pl.level)
        keep_part = "part_id" not in changes and PriceLevel(level or "part") is PriceLevel.part
        part_id = changes.get("part_id") if "part_id" in changes else (pl.part_id if keep_part else None)
        lvl = _level(repos, provider_id, level, part_id, errors)
        update["level"] = lvl
        update["part_id"] = part_id if lvl is PriceLevel.part else None
    if "prices" in changes:
        tenant = _tenant(repos)
        update["prices"] = _prices(tenant.service(pl.service_id), changes["prices"] or {}, errors)
    if "notes" in changes:
        update["notes"] = _notes(changes["notes"])
    if errors:
        raise _invalid(errors)
    changed = pl.model_copy(update={**update, "updated_at": now(), "updated_by": who.subject})
    return repos.price_lists.update(changed, old=pl)


def delete_price_list(repos, who: Principal, provider_id: str, price_list_id: str, *, version: int) -> None:
    _ensure_own(who, provider_id)
    pl = _read(repos, provider_id, price_list_id)
    ensure_in_team(repos, who, pl.service_id)
    if pl.approved:
        raise Conflict(
            "an approved price list is never deleted: events of its days are priced by it; "
            "make a new list with a later start date to supersede it"
        )
    ensure_not_under_review(repos, provider_id, pl.service_id)
    _check_version(pl, version, "query.version")
    repos.price_lists.delete(pl.model_copy(update={"version": version}))


# ---------------------------------------------------------------- reading


def _intervals(lists: list[StoredPriceList]) -> dict[str, tuple[date, date | None]]:
    """Validity of every approved list, by id (a same-start conflict leaves its level/part out)."""
    out: dict[str, tuple[date, date | None]] = {}
    groups = {(pl.provider_id, pl.service_id, pl.level, pl.part_id) for pl in lists if pl.approved}
    rule_lists = [pl.rule() for pl in lists]
    for provider_id, service_id, level, part_id in groups:
        try:
            intervals = rules.validity(rule_lists, provider_id, service_id, level, part_id)
        except ValueError:
            continue
        for rl, first, last in intervals:
            out[rl.id] = (first, last)
    return out


def _listed(lists: list[StoredPriceList]) -> list[Listed]:
    by_id = _intervals(lists)
    return [Listed(pl, *by_id.get(pl.id, (None, None))) for pl in lists]


def list_price_lists(
    repos,
    who: Principal,
    provider_id: str,
    *,
    service_id: str | None = None,
    status: PriceListStatus | str | None = None,
) -> list[Listed]:
    _ensure_can_read(who, provider_id)
    teams = teams_of(repos, who)
    if service_id is not None:
        if teams is not None and service_id not in teams:
            raise Forbidden(f"you are not in the team of service {service_id}; ask your provider's admin to add you")
        lists = repos.price_lists.for_service(provider_id, service_id)
    else:
        lists = repos.price_lists.for_provider(provider_id)
    if teams is not None:
        lists = [pl for pl in lists if pl.service_id in teams]
    listed = _listed(lists)  # validity counts every approved list, whatever the status filter
    if status:
        listed = [x for x in listed if x.price_list.status is PriceListStatus(status)]
    return listed


def get_price_list(repos, who: Principal, provider_id: str, price_list_id: str) -> Listed:
    _ensure_can_read(who, provider_id)
    pl = _read(repos, provider_id, price_list_id)
    ensure_in_team(repos, who, pl.service_id)
    same = repos.price_lists.for_service(provider_id, pl.service_id)
    by_id = _intervals(same)
    return Listed(pl, *by_id.get(pl.id, (None, None)))


def price_of(
    repos,
    who: Principal,
    provider_id: str,
    *,
    service_id: str,
    content_id: str,
    part_id: str | None = None,
    on: date | None = None,
) -> Price:
    """The unit price of a content at a part (or the company) on a day, from approved lists only."""
    tenant = _tenant(repos)
    errors: list[FieldError] = []
    service = _service(tenant, service_id, errors, "query.service_id")
    if service is not None and service.content(content_id) is None:
        known = ", ".join(c.id for c in service.contents)
        errors.append(FieldError("query.content_id", f"not a content of service {service_id} (its contents: {known})"))
    if errors:
        raise ValidationFailed("the question has invalid fields: " + ", ".join(e.field for e in errors), errors)
    day = on or today_in_helsinki()
    lists = repos.price_lists.for_service(provider_id, service_id)
    rule_lists = [pl.rule() for pl in lists]
    try:
        found = rules.price_on(rule_lists, provider_id, service_id, content_id, part_id, day)
    except ValueError as exc:
        raise Conflict(f"the price is ambiguous: {exc}; the municipality must sort it out") from exc
    where = f"at part {part_id}" if part_id else "at company level"
    if found is None:
        raise NotFound(
            f"provider {provider_id} has no approved price for {content_id} of service {service_id} "
            f"{where} on {day.isoformat()}"
        )
    stored = next(pl for pl in lists if pl.id == found.price_list.id)
    intervals = rules.validity(rule_lists, provider_id, service_id, found.price_list.level, found.price_list.part_id)
    first, last = next((f, t) for rl, f, t in intervals if rl.id == stored.id)
    return Price(price=found.price, price_list=stored, valid_from=first, valid_until=last, on=day)


# ---------------------------------------------------------------- approval


def _approved(pl: StoredPriceList, at: datetime, by: str) -> StoredPriceList:
    return pl.model_copy(
        update={
            "status": PriceListStatus.approved,
            "approved_at": at,
            "approved_by": by,
            "updated_at": at,
            "updated_by": by,
        }
    )


def approval_items(repos, provider_id: str, service_id: str, *, at: datetime, by: str) -> list[tuple[Any, bool]]:
    """The drafts of the provider's service turned approved, as items for ``seteli.store.base.transact``.

    Called when the municipality approves the provider's application for the service, so that the
    approval and its price lists are one transaction. Each list's item is conditioned on the version
    read ((item, False)); each approval also writes a guard item ((item, True)) that keeps one
    approved list per level/part/start date. 409 (Conflict) when two drafts of one level/part share
    a start date, or a draft does not start after the current approved list of its level/part.
    An empty list when there are no drafts.
    """
    lists = repos.price_lists.for_service(provider_id, service_id)
    drafts = [pl for pl in lists if not pl.approved]
    if not drafts:
        return []
    problems = rules.approval_problems([pl.rule() for pl in lists if pl.approved], [pl.rule() for pl in drafts])
    if problems:
        raise Conflict(
            f"the price lists of service {service_id} cannot be approved as they are: " + "; ".join(problems),
            [FieldError("price_lists", p) for p in problems],
        )
    from seteli.store import price_lists as store

    out: list[tuple[Any, bool]] = []
    for pl in drafts:
        done = _approved(pl, at, by)
        out.append((store.item(done, version=pl.version), False))
        out.append((store.guard_item(done), True))
    return out


def publish(
    repos, who: Principal, provider_id: str, price_list_id: str, *, version: int, today: date | None = None
) -> Listed:
    """The provider's admin approves a new list of a service the provider is approved for."""
    from seteli.store import price_lists as store
    from seteli.store.base import transact

    _ensure_admin(repos, who, provider_id)
    pl = _read(repos, provider_id, price_list_id)
    ensure_in_team(repos, who, pl.service_id)
    if pl.approved:
        raise Conflict(f"price list {pl.id} is approved already; {APPROVED_IS_IMMUTABLE}")
    _check_version(pl, version)
    if not service_approved(repos, provider_id, pl.service_id):
        raise Conflict(
            f"your provider is not approved for service {pl.service_id} yet: its draft price lists are approved "
            "together with your application"
        )
    tenant = _tenant(repos)
    service = tenant.service(pl.service_id)
    rulebook = tenant.rulebook(service.rulebook) if service is not None else None
    window = rulebook.price_change_window if rulebook is not None else None
    day = today or today_in_helsinki()
    lists = repos.price_lists.for_service(provider_id, pl.service_id)
    problems = rules.publish_problems(pl.rule(), day, window, [x.rule() for x in lists if x.id != pl.id])
    if problems:
        raise Conflict(
            f"price list {pl.id} cannot be published: " + "; ".join(m for _, m in problems),
            [FieldError(f, m) for f, m in problems],
        )
    done = _approved(pl, now(), who.subject)
    transact(
        [(store.item(done, version=pl.version), False), (store.guard_item(done), True)],
        "the price list, or another list of the same level and part starting on the same day, changed "
        "meanwhile; read the price lists again",
    )
    done = done.model_copy(update={"version": pl.version + 1})
    return get_price_list(repos, who, provider_id, done.id)
