"""Provider use cases (spec 3): registration, company data, billing, parts, subcontractors and the
obligations check.

Who may do what (``seteli.rules.access``, decided before anything is read):

- registration is open (no sign-in), throttled per source address;
- a provider's users read their own provider; only its admin (``provider_admin``, an active one)
  changes company data, billing, parts and subcontractors;
- municipality users read every provider, list them, and may run the obligations check again
  (so may the provider's admin);
- citizens and other providers' users: 403.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from seteli.api.auth import Principal
from seteli.api.paging import encode_cursor
from seteli.clock import now
from seteli.domain.identifiers import normalise_business_id
from seteli.domain.provider import (
    Address,
    Billing,
    ObligationsState,
    ObligationsStatus,
    PartKind,
    Provider,
    ProviderPart,
    ProviderStatus,
    Subcontractor,
)
from seteli.errors import Conflict, FieldError, Forbidden, NotFound, SeteliError, ValidationFailed
from seteli.rules import providers as rules
from seteli.rules.access import (
    ensure_can_change_provider,
    ensure_can_check_obligations,
    ensure_can_read_provider,
    ensure_municipality,
    ensure_person,
)

if TYPE_CHECKING:
    from seteli.adapters.identity import IdentityPort
    from seteli.adapters.obligations import ObligationsRegister

REGISTRATIONS_PER_WINDOW = 10  # registrations from one source address ...
REGISTRATION_WINDOW_SECONDS = 3600  # ... per hour


class ProviderStore(Protocol):
    def get(self, provider_id: str) -> Provider | None: ...
    def parts(self, provider_id: str) -> list[ProviderPart]: ...


@dataclass
class ProviderView:
    """Everything the provider page shows."""

    provider: Provider
    parts: list[ProviderPart]
    subcontractors: list[Subcontractor] = field(default_factory=list)
    obligations: ObligationsStatus | None = None


@dataclass
class Registered:
    provider: Provider
    site: ProviderPart
    obligations: ObligationsStatus
    admin_email: str
    admin_subject: str


def _new_id(prefix: str, name: str | None = None) -> str:
    """A readable id that will not collide: ``prv-aurinkohoiva-oy-3f9c2a``, ``site-8e1f0c2b9a``."""
    if name:
        return f"{prefix}-{rules.slug(name)}-{secrets.token_hex(3)}"
    return f"{prefix}-{secrets.token_hex(5)}"


def _invalid(what: str, errors: list[FieldError]) -> ValidationFailed:
    return ValidationFailed(f"{what} has invalid fields: " + ", ".join(e.field for e in errors), errors)


def _stale(what: str, current: int, sent: int) -> Conflict:
    return Conflict(
        f"{what} changed meanwhile (version {current}, you sent {sent}); read it again and repeat your change",
        [FieldError("body.version", "stale: read again")],
    )


def _identifiers(values: dict[str, tuple[Any, Any]], errors: list[FieldError]) -> dict[str, str]:
    """Normalise identifiers (``{"iban": (normalise_iban, text)}``) after the caller is authorised;
    each bad one becomes an error naming ``body.<field>`` and the reason (never the value)."""
    out: dict[str, str] = {}
    for name, (normalise, value) in values.items():
        if value is None:
            continue
        try:
            out[name] = normalise(value)
        except ValueError as exc:
            errors.append(FieldError(f"body.{name}", str(exc)))
    return out


def _tenant(repos):
    from seteli.services.tenant_config import current_tenant

    return current_tenant(repos.tenant)


def _provider(repos, provider_id: str) -> Provider:
    provider = repos.providers.get(provider_id)
    if provider is None:
        raise NotFound(f"no provider {provider_id}")
    return provider


def _ensure_admin(repos, who: Principal, provider_id: str) -> None:
    """An admin of the provider whose own user record (if any) is still an active admin: a token
    lives for an hour, the record tells whether the user was passivated or demoted meanwhile."""
    ensure_can_change_provider(who, provider_id)
    me = repos.users.get(provider_id, who.subject)
    if me is not None and not me.is_active_admin:
        raise Forbidden("your account is no longer an active admin of the provider")


def _send(template: str, to: str | None, **context: Any) -> None:
    if not to:
        return
    from seteli.adapters.email import email_sender, render

    email_sender().send(render(template, to, **context))


# ---------------------------------------------------------------- reading


def read_provider(store: ProviderStore, who: Principal, provider_id: str) -> tuple[Provider, list[ProviderPart]]:
    # authorise before reading: a 403 must not reveal whether another provider exists
    ensure_can_read_provider(who, provider_id)
    provider = store.get(provider_id)
    if provider is None:
        raise NotFound(f"no provider {provider_id}")
    return provider, store.parts(provider_id)


def provider_view(repos, who: Principal, provider_id: str) -> ProviderView:
    """The provider with its parts, subcontractors and latest obligations check."""
    provider, parts = read_provider(repos.providers, who, provider_id)
    return ProviderView(
        provider=provider,
        parts=parts,
        subcontractors=repos.providers.subcontractors(provider_id),
        obligations=repos.providers.obligations(provider_id),
    )


def cursor_secret(settings) -> str:
    """The key that signs paging cursors of this stack (see ``seteli.api.paging``)."""
    basis = f"seteli-paging:{settings.tenant_id}:{settings.table_name}:{settings.user_pool_id or ''}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _start_key(cursor: str | None, secret: str) -> dict[str, Any] | None:
    from seteli.api.paging import start_key
    from seteli.store import keys

    return start_key(cursor, secret, index="gsi2", partition=keys.PROVIDERS_GSI2PK, sk_prefix=keys.PROVIDER_PROFILE_SK)


def list_providers(
    repos, who: Principal, *, limit: int = 50, cursor: str | None = None
) -> tuple[list[tuple[Provider, ObligationsStatus | None]], str | None]:
    """The municipality's list of providers by name, with each one's latest obligations check."""
    ensure_municipality(who, "the list of providers")
    secret = cursor_secret(repos.settings)
    providers, last = repos.providers.page(limit, _start_key(cursor, secret))
    checks = repos.providers.obligations_of([p.id for p in providers])
    return [(p, checks.get(p.id)) for p in providers], encode_cursor(last, secret)


# ---------------------------------------------------------------- registration


def _check_obligations(register: ObligationsRegister, business_id: str) -> ObligationsStatus:
    try:
        return register.check(business_id)
    except Exception:  # noqa: BLE001 - the register being down never stops a registration
        from seteli.observability import logger

        logger.warning("obligations register did not answer", extra={"business_id": business_id})
        return ObligationsStatus(
            business_id=business_id,
            status=ObligationsState.unknown,
            checked_at=now(),
            details=["rekisteri ei vastannut; tarkistetaan myöhemmin (register did not answer)"],
            source="error",
        )


def _remap_admin(exc: SeteliError) -> SeteliError:
    """The users area names ``body.email``/``body.name``; at registration they are under ``admin``."""
    exc.errors = [
        FieldError(e.field.replace("body.", "body.admin.", 1), e.message)
        if e.field in ("body.email", "body.name")
        else e
        for e in exc.errors
    ]
    return exc


def register_provider(
    repos,
    identity: IdentityPort,
    register: ObligationsRegister,
    *,
    source: str,
    name: str,
    business_id: str,
    address: Address,
    contact_name: str | None,
    contact_email: str | None,
    contact_phone: str | None,
    description: str | None,
    search_attributes: dict[str, list[str]],
    site: dict[str, Any],
    admin_email: str,
    admin_name: str,
) -> Registered:
    """A company registers (spec 3.1): the provider with its first site (and its first obligations
    check) in one transaction, then its first admin user (who gets a one-time password by email).

    ``business_id`` must be normalised already (``seteli.domain.identifiers``). 429 when ``source``
    has registered too often; 422 for unknown search attributes; 409 ``body.business_id`` when the
    company is registered, 409 ``body.admin.email`` when the email has a user already. Nothing is
    written unless all of it can be.
    """
    from seteli.services.users import invite_user
    from seteli.store.throttle import hit

    hit(
        "register",
        source or "unknown",
        limit=REGISTRATIONS_PER_WINDOW,
        window_seconds=REGISTRATION_WINDOW_SECONDS,
        message="too many registrations from this address; try again in an hour",
    )
    tenant = _tenant(repos)
    attrs = rules.normalise_search_attributes(search_attributes)
    errors = rules.search_attribute_problems(attrs, tenant.search_attributes)
    if p := rules.email_problem(admin_email):
        errors.append(FieldError("body.admin.email", p))
    if not admin_name.strip():
        errors.append(FieldError("body.admin.name", "required: the admin's name"))
    at = now()
    provider_id = _new_id("prv", name)
    first_site = ProviderPart(
        id=_new_id("site"),
        provider_id=provider_id,
        kind=PartKind.site,
        name=(site.get("name") or name).strip(),
        address=site.get("address") or address,
        lat=site.get("lat"),
        lon=site.get("lon"),
        email=site.get("email") or contact_email,
        code=site.get("code"),
        phone=site.get("phone") or contact_phone,
        created_at=at,
        updated_at=at,
    )
    errors += rules.part_problems(first_site, [], field="body.site")
    if errors:
        raise _invalid("the registration", errors)

    if repos.providers.by_business_id(business_id) is not None:
        raise Conflict(
            "a company with this business ID is registered already",
            [FieldError("body.business_id", "already registered; ask your company's admin to add you")],
        )
    if identity.user_exists(admin_email):
        raise Conflict(
            "a user with this email exists already; use another email for the company's admin",
            [FieldError("body.admin.email", "a user with this email exists already")],
        )

    provider = Provider(
        id=provider_id,
        name=name.strip(),
        business_id=business_id,
        status=ProviderStatus.registered,
        description=description,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        address=address,
        search_attributes=attrs,
        registered_by=admin_email.strip().lower(),
        created_at=at,
        updated_at=at,
    )
    obligations = _check_obligations(register, business_id)
    repos.providers.create(provider, [first_site], obligations)
    try:
        admin = invite_user(
            repos,
            identity,
            provider_id=provider_id,
            email=admin_email,
            name=admin_name,
            role="provider_admin",
            teams=(),
            invited_by=None,
        )
    except SeteliError as exc:
        repos.providers.delete_new(provider, [first_site])
        raise _remap_admin(exc) from None
    except Exception:
        repos.providers.delete_new(provider, [first_site])
        raise
    _send(
        "provider_registered",
        tenant.notification_email,
        provider_name=provider.name,
        business_id=provider.business_id,
        provider_id=provider.id,
        site_name=first_site.name,
        site_city=first_site.address.city if first_site.address else None,
        contact=", ".join(x for x in (contact_name, contact_email, contact_phone) if x),
        obligations=obligations.status.value,
    )
    return Registered(
        provider=provider.model_copy(update={"version": 1}),
        site=first_site.model_copy(update={"version": 1}),
        obligations=obligations,
        admin_email=admin.email,
        admin_subject=admin.subject,
    )


# ---------------------------------------------------------------- company data

CLEARABLE = {"description", "contact_name", "contact_email", "contact_phone"}


def update_provider(repos, who: Principal, provider_id: str, *, version: int, changes: dict[str, Any]) -> Provider:
    """Change the company data (not the business ID); ``changes`` holds only the fields sent.
    409 on a stale ``version``."""
    _ensure_admin(repos, who, provider_id)
    if "business_id" in changes:
        msg = "the business ID cannot be changed: a new business ID is a new company (register it)"
        raise ValidationFailed(msg, [FieldError("body.business_id", "cannot be changed")])
    errors: list[FieldError] = []
    for key, value in changes.items():
        if value is None and key not in CLEARABLE:
            errors.append(FieldError(f"body.{key}", "cannot be emptied"))
    if "contact_email" in changes and (p := rules.email_problem(changes["contact_email"])):
        errors.append(FieldError("body.contact_email", p))
    if changes.get("search_attributes") is not None:
        changes["search_attributes"] = rules.normalise_search_attributes(changes["search_attributes"])
        errors += rules.search_attribute_problems(changes["search_attributes"], _tenant(repos).search_attributes)
    if "name" in changes and changes["name"] is not None:
        changes["name"] = changes["name"].strip()
        if not changes["name"]:
            errors.append(FieldError("body.name", "required"))
    if errors:
        raise _invalid("the change", errors)
    provider = _provider(repos, provider_id)
    if provider.version != version:
        raise _stale("the provider", provider.version, version)
    changed = {k: v for k, v in changes.items() if getattr(provider, k) != v}
    if not changed:
        return provider
    return repos.providers.update(provider.model_copy(update={**changed, "updated_at": now()}))


# ---------------------------------------------------------------- billing


def _billing(who: Principal, billing: dict[str, Any]) -> Billing:
    from seteli.domain.identifiers import normalise_bic, normalise_iban

    errors: list[FieldError] = []
    ids = _identifiers({"iban": (normalise_iban, billing["iban"]), "bic": (normalise_bic, billing["bic"])}, errors)
    if p := rules.email_problem(billing.get("billing_email")):
        errors.append(FieldError("body.billing_email", p))
    if errors:
        raise _invalid("the billing details", errors)
    return Billing(
        iban=ids["iban"],
        bic=ids["bic"],
        reference_info=billing.get("reference_info"),
        billing_email=billing["billing_email"].strip(),
        send_payment_pdf=billing.get("send_payment_pdf", True),
        updated_at=now(),
        updated_by=who.subject,
    )


def _notify_billing(repos, who: Principal, provider: Provider, billing: Billing | None, site: ProviderPart | None):
    from seteli.domain.identifiers import mask_iban

    _send(
        "billing_changed",
        _tenant(repos).notification_email,
        provider_name=provider.name,
        business_id=provider.business_id,
        provider_id=provider.id,
        site_name=site.name if site else None,
        removed=billing is None,
        iban_masked=mask_iban(billing.iban) if billing else "",
        bic=billing.bic if billing else "",
        billing_email=billing.billing_email if billing else "",
        send_payment_pdf=billing.send_payment_pdf if billing else False,
        changed_by=who.email or who.username,
    )


def set_billing(
    repos, who: Principal, provider_id: str, billing: dict[str, Any], version: int | None = None
) -> Provider:
    """Set the company's billing details (spec 3.2). No approval; the municipality is told by email.
    ``version`` (optional) must be the provider's version read: 409 when stale."""
    ensure_person(who, "change billing details")
    _ensure_admin(repos, who, provider_id)
    new = _billing(who, billing)
    provider = _provider(repos, provider_id)
    if version is not None and provider.version != version:
        raise _stale("the provider", provider.version, version)
    saved = repos.providers.update(provider.model_copy(update={"billing": new, "updated_at": now()}))
    _notify_billing(repos, who, saved, new, None)
    return saved


def _site(repos, provider_id: str, part_id: str) -> ProviderPart:
    part = repos.providers.part(provider_id, part_id)
    if part is None:
        raise NotFound(f"provider {provider_id} has no part {part_id}")
    if part.kind != PartKind.site:
        raise ValidationFailed(
            "only a site may have billing details of its own",
            [FieldError("path.part_id", f"is a {part.kind.value}, not a site")],
        )
    return part


def set_part_billing(
    repos, who: Principal, provider_id: str, part_id: str, billing: dict[str, Any], version: int | None = None
) -> ProviderPart:
    """A site's own billing details: they win over the company's for work done at the site."""
    ensure_person(who, "change billing details")
    _ensure_admin(repos, who, provider_id)
    new = _billing(who, billing)
    provider = _provider(repos, provider_id)
    part = _site(repos, provider_id, part_id)
    if version is not None and part.version != version:
        raise _stale("the site", part.version, version)
    saved = repos.providers.update_part(part.model_copy(update={"billing": new, "updated_at": now()}))
    _notify_billing(repos, who, provider, new, saved)
    return saved


def clear_part_billing(repos, who: Principal, provider_id: str, part_id: str) -> ProviderPart:
    """Remove a site's own billing details: the company's apply again. 404 when it has none."""
    ensure_person(who, "change billing details")
    _ensure_admin(repos, who, provider_id)
    provider = _provider(repos, provider_id)
    part = _site(repos, provider_id, part_id)
    if part.billing is None:
        raise NotFound(f"site {part_id} has no billing details of its own")
    saved = repos.providers.update_part(part.model_copy(update={"billing": None, "updated_at": now()}))
    _notify_billing(repos, who, provider, None, saved)
    return saved


# ---------------------------------------------------------------- parts

PART_FIELDS = ("name", "address", "lat", "lon", "email", "code", "phone", "site_id", "description", "active")
PART_CLEARABLE = {"address", "lat", "lon", "email", "code", "phone", "site_id", "description"}
PART_PREFIX = {PartKind.site: "site", PartKind.unit: "unit", PartKind.employee: "emp"}


def list_parts(repos, who: Principal, provider_id: str) -> list[ProviderPart]:
    ensure_can_read_provider(who, provider_id)
    _provider(repos, provider_id)
    return repos.providers.parts(provider_id)


def add_part(repos, who: Principal, provider_id: str, *, kind: PartKind, fields: dict[str, Any]) -> ProviderPart:
    """A new site, unit or employee (spec 3.3)."""
    _ensure_admin(repos, who, provider_id)
    _provider(repos, provider_id)
    parts = repos.providers.parts(provider_id)
    at = now()
    data = {k: v for k, v in fields.items() if k in PART_FIELDS and k != "active"}
    if isinstance(data.get("name"), str):
        data["name"] = data["name"].strip()
    part = ProviderPart(
        id=_new_id(PART_PREFIX[PartKind(kind)]),
        provider_id=provider_id,
        kind=kind,
        created_at=at,
        updated_at=at,
        **data,
    )
    errors = rules.part_problems(part, parts)
    if not part.name:
        errors.append(FieldError("body.name", "required"))
    if p := rules.email_problem(part.email):
        errors.append(FieldError("body.email", p))
    if errors:
        raise _invalid("the part", errors)
    return repos.providers.add_part(part)


def update_part(
    repos, who: Principal, provider_id: str, part_id: str, *, version: int, changes: dict[str, Any]
) -> ProviderPart:
    """Change a part; ``active: false`` passivates it (never the last active site). 409 when stale."""
    _ensure_admin(repos, who, provider_id)
    errors = [
        FieldError(f"body.{k}", "cannot be emptied")
        for k, v in changes.items()
        if v is None and k not in PART_CLEARABLE
    ]
    if "email" in changes and (p := rules.email_problem(changes["email"])):
        errors.append(FieldError("body.email", p))
    if isinstance(changes.get("name"), str):
        changes["name"] = changes["name"].strip()
        if not changes["name"]:
            errors.append(FieldError("body.name", "required"))
    if errors:
        raise _invalid("the change", errors)
    parts = repos.providers.parts(provider_id)
    part = next((p for p in parts if p.id == part_id), None)
    if part is None:
        raise NotFound(f"provider {provider_id} has no part {part_id}")
    if part.version != version:
        raise _stale("the part", part.version, version)
    changed = {k: v for k, v in changes.items() if k in PART_FIELDS and getattr(part, k) != v}
    if not changed:
        return part
    after = ProviderPart.model_validate({**part.model_dump(), **changed, "updated_at": now()})
    problems = rules.part_problems(after, [p for p in parts if p.id != part_id])
    if problems:
        raise _invalid("the change", problems)
    if why := rules.last_site_problem(part, after, parts):
        raise Conflict(why, [FieldError("body.active", why)])
    unchanged: list[ProviderPart] = []
    if part.kind == PartKind.site and part.active and not after.active:
        unchanged = [p for p in rules.active_sites(parts) if p.id != part_id]
    return repos.providers.update_part(after, unchanged=unchanged)


# ---------------------------------------------------------------- subcontractors

SUB_FIELDS = ("name", "business_id", "contact_name", "contact_email", "contact_phone", "description", "active")
SUB_CLEARABLE = {"contact_name", "contact_email", "contact_phone", "description"}


def list_subcontractors(repos, who: Principal, provider_id: str) -> list[Subcontractor]:
    ensure_can_read_provider(who, provider_id)
    _provider(repos, provider_id)
    return repos.providers.subcontractors(provider_id)


def _sub_problems(
    provider: Provider, others: list[Subcontractor], data: dict[str, Any]
) -> tuple[list, Conflict | None]:
    errors: list[FieldError] = []
    if "contact_email" in data and (p := rules.email_problem(data["contact_email"])):
        errors.append(FieldError("body.contact_email", p))
    if isinstance(data.get("name"), str) and not data["name"].strip():
        errors.append(FieldError("body.name", "required"))
    bid = data.get("business_id")
    if bid is not None and bid == provider.business_id:
        errors.append(FieldError("body.business_id", "is the provider's own business ID"))
    conflict = None
    if bid is not None and any(s.business_id == bid for s in others):
        conflict = Conflict(
            "the provider has a subcontractor with this business ID already",
            [FieldError("body.business_id", "already a subcontractor of this provider")],
        )
    return errors, conflict


def add_subcontractor(repos, who: Principal, provider_id: str, fields: dict[str, Any]) -> Subcontractor:
    _ensure_admin(repos, who, provider_id)
    provider = _provider(repos, provider_id)
    others = repos.providers.subcontractors(provider_id)
    data = {k: v for k, v in fields.items() if k in SUB_FIELDS and k != "active"}
    errors: list[FieldError] = []
    data.update(_identifiers({"business_id": (normalise_business_id, data.get("business_id"))}, errors))
    if errors:
        raise _invalid("the subcontractor", errors)
    errors, conflict = _sub_problems(provider, others, data)
    if errors:
        raise _invalid("the subcontractor", errors)
    if conflict:
        raise conflict
    at = now()
    sub = Subcontractor(
        id=_new_id("sub"),
        provider_id=provider_id,
        created_at=at,
        updated_at=at,
        **{**data, "name": data["name"].strip()},
    )
    return repos.providers.add_subcontractor(sub)


def update_subcontractor(
    repos, who: Principal, provider_id: str, subcontractor_id: str, *, version: int, changes: dict[str, Any]
) -> Subcontractor:
    _ensure_admin(repos, who, provider_id)
    errors = [
        FieldError(f"body.{k}", "cannot be emptied") for k, v in changes.items() if v is None and k not in SUB_CLEARABLE
    ]
    changes = {**changes, **_identifiers({"business_id": (normalise_business_id, changes.get("business_id"))}, errors)}
    if errors:
        raise _invalid("the change", errors)
    provider = _provider(repos, provider_id)
    others = repos.providers.subcontractors(provider_id)
    sub = next((s for s in others if s.id == subcontractor_id), None)
    if sub is None:
        raise NotFound(f"provider {provider_id} has no subcontractor {subcontractor_id}")
    if sub.version != version:
        raise _stale("the subcontractor", sub.version, version)
    changed = {k: v for k, v in changes.items() if k in SUB_FIELDS and getattr(sub, k) != v}
    errors, conflict = _sub_problems(provider, [s for s in others if s.id != subcontractor_id], changed)
    if errors:
        raise _invalid("the change", errors)
    if conflict:
        raise conflict
    if not changed:
        return sub
    if isinstance(changed.get("name"), str):
        changed["name"] = changed["name"].strip()
    return repos.providers.update_subcontractor(sub.model_copy(update={**changed, "updated_at": now()}))


# ---------------------------------------------------------------- obligations


def read_obligations(repos, who: Principal, provider_id: str) -> ObligationsStatus | None:
    ensure_can_read_provider(who, provider_id)
    _provider(repos, provider_id)
    return repos.providers.obligations(provider_id)


def check_obligations(repos, register: ObligationsRegister, who: Principal, provider_id: str) -> ObligationsStatus:
    """Ask the register again (spec 3.5) and keep the answer as the provider's latest check."""
    ensure_can_check_obligations(who, provider_id)
    if not who.is_municipality:
        _ensure_admin(repos, who, provider_id)
    provider = _provider(repos, provider_id)
    return repos.providers.put_obligations(provider_id, _check_obligations(register, provider.business_id))
