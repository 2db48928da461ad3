"""Application use cases (spec 4): apply to a service, fill in the steps, accept the rulebook, sign and
submit, and the municipality's decision.

Who may do what:

- a provider's users (provider_admin, provider_user) in the service's team create, read and edit
  their provider's applications and accept the rulebook; only an admin (``provider_admin``, an
  active one) signs and submits;
- municipality users (municipality_admin, case_worker) read every application and decide
  (approve, return, reject) the submitted ones; they never edit a provider's application;
- anyone else: 403. A provider user asking for an application that is not its provider's gets the
  same 403 whether or not the application exists.

The attachment and price-list checks are the attachments' and price lists' own rules; this module
reaches them through the small adapters below (``attachment_problems``, ``price_lists_of``,
``sites_without_prices``, ``price_list_approval_items``), the one place to change if they move.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from seteli import clock
from seteli.api.auth import CASE_WORKER, MUNICIPALITY_ADMIN, PROVIDER_ADMIN, Principal
from seteli.api.paging import encode_cursor
from seteli.clock import HELSINKI, now
from seteli.domain.applications import (
    Actor,
    Application,
    ApplicationStatus,
    Decision,
    Round,
    RulebookAcceptance,
    Transition,
)
from seteli.domain.provider import PartKind, Provider, ProviderPart, ProviderStatus, Subcontractor
from seteli.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from seteli.rules import applications as rules

if TYPE_CHECKING:
    from seteli.domain.tenant import Service, Tenant

S = ApplicationStatus


# ---------------------------------------------------------------- seams (replaced in tests)


def today_in_helsinki() -> date:
    return clock.today()


# ---------------------------------------------------------------- adapters to the other areas


def attachment_problems(
    repos, tenant: Tenant, service: Service, provider_id: str, site_ids: list[str], on: date, site_names: dict
) -> list[Any]:
    """The service's mandatory attachments the provider lacks on ``on`` (items with .field, .message)."""
    from seteli.rules.attachments import missing_mandatory

    type_names = {t.id: t.name.fi for t in tenant.attachment_types}
    attachments = repos.attachments.for_provider(provider_id)
    return missing_mandatory(service, attachments, site_ids, on, type_names=type_names, site_names=site_names)


def price_lists_of(repos, provider_id: str, service_id: str) -> list[Any]:
    """The provider's price lists of the service, drafts too."""
    return repos.price_lists.for_service(provider_id, service_id)


def sites_without_prices(lists: list[Any], site_ids: list[str]) -> list[str]:
    from seteli.rules.price_lists import sites_without_prices as rule

    return rule(lists, site_ids)


def price_list_approval_items(repos, provider_id: str, service_id: str, *, at: datetime, by: str) -> list:
    """The service's draft price lists approved, as (item, new) for the decision's transaction."""
    from seteli.services.price_lists import approval_items

    return approval_items(repos, provider_id, service_id, at=at, by=by)


# ---------------------------------------------------------------- helpers


def _tenant(repos) -> Tenant:
    from seteli.services.tenant_config import current_tenant

    return current_tenant(repos.tenant)


def _service(tenant: Tenant, service_id: str, field_name: str = "body.service_id") -> Service:
    service = tenant.service(service_id)
    if service is None:
        known = ", ".join(s.id for s in tenant.services)
        raise ValidationFailed(
            f"no service {service_id} in this municipality",
            [FieldError(field_name, f"unknown service; known: {known}")],
        )
    return service


def _new_id() -> str:
    return f"app-{secrets.token_hex(6)}"


def actor(repos, who: Principal) -> Actor:
    """Who acts, with a name for the history (a provider user's record has one)."""
    name = None
    if who.is_provider and not getattr(who, "via_api_key", False):
        user = repos.users.get(who.provider_id, who.subject)
        if user is not None:
            name = user.name
    role = next(
        (g for g in (MUNICIPALITY_ADMIN, CASE_WORKER, PROVIDER_ADMIN, "provider_user") if g in who.groups), None
    )
    return Actor(subject=who.subject, name=name or who.email or who.username, email=who.email, role=role)


def _ensure_provider_member(who: Principal, provider_id: str) -> None:
    if who.is_provider and who.provider_id == provider_id:
        return
    if who.is_provider:
        raise Forbidden("you may only see and change your own provider's applications")
    if who.is_municipality:
        raise Forbidden("only the provider's own users apply; the municipality decides (POST .../decision)")
    raise Forbidden("only a provider's users (provider_admin, provider_user) apply to services")


def _ensure_team(repos, who: Principal, service_id: str) -> None:
    from seteli.services.teams import ensure_in_team

    ensure_in_team(repos, who, service_id)


def _ensure_admin(repos, who: Principal) -> None:
    """Signing needs the provider's admin role (the seed's KATSO signature), an active one, signed in
    as a person: an API key (a machine) never signs."""
    if getattr(who, "via_api_key", False):
        raise Forbidden("an application is signed by a person: sign in as the provider's admin to submit it")
    if PROVIDER_ADMIN not in who.groups:
        raise Forbidden("only the provider's admin (provider_admin) signs and submits the application")
    me = repos.users.get(who.provider_id, who.subject)
    if me is not None and not me.is_active_admin:
        raise Forbidden("your account is no longer an active admin of the provider")


def _ensure_decider(who: Principal) -> None:
    if not who.has_any(MUNICIPALITY_ADMIN, CASE_WORKER):
        raise Forbidden("only the municipality (municipality_admin, case_worker) decides applications")


def _read(repos, who: Principal, application_id: str) -> Application:
    """The application, if the caller may see it. A provider user gets the same 403 for another
    provider's application and for one that does not exist (the answer reveals nothing)."""
    if not (who.is_municipality or who.is_provider):
        raise Forbidden("only the provider's users and the municipality see applications")
    app = repos.applications.get(application_id)
    if who.is_provider and not who.is_municipality:
        if app is None or app.provider_id != who.provider_id:
            raise Forbidden(f"application {application_id} is not one of your provider's applications")
        _ensure_team(repos, who, app.service_id)
        return app
    if app is None:
        raise NotFound(f"no application {application_id}")
    return app


def _check_version(app: Application, version: int) -> None:
    if app.version != version:
        raise Conflict(
            f"the application changed meanwhile (version {app.version}, you sent {version}); read it again "
            "and repeat your change",
            [FieldError("body.version", "stale: read again")],
        )


def _transition(app: Application, to: ApplicationStatus, by: Actor, at: datetime, comment: str | None) -> Transition:
    return Transition(
        application_id=app.id,
        seq=app.transitions + 1,
        from_status=app.status,
        to_status=to,
        by=by,
        at=at,
        comment=comment,
    )


# ---------------------------------------------------------------- create


def create_application(repos, who: Principal, *, service_id: str, provider_id: str | None = None) -> Application:
    provider_id = provider_id or who.provider_id or ""
    _ensure_provider_member(who, provider_id)
    tenant = _tenant(repos)
    _service(tenant, service_id)
    _ensure_team(repos, who, service_id)
    provider = repos.providers.get(provider_id)
    if provider is None:
        raise NotFound(f"no provider {provider_id}")
    if provider.status == ProviderStatus.passive:
        raise Conflict("the provider is passive: it no longer applies to services")
    existing = repos.applications.guard(provider_id, service_id)
    previous = repos.applications.get(existing) if existing else None
    rejected = existing if previous is not None and previous.status == S.rejected else None
    if existing and not rejected:
        raise Conflict(
            f"the provider has applied to service {service_id} already: application {existing}; continue that one",
            [FieldError("body.service_id", f"applied already (application {existing})")],
        )
    at = now()
    by = actor(repos, who)
    app = Application(
        id=_new_id(),
        provider_id=provider_id,
        service_id=service_id,
        created_by=by,
        created_at=at,
        updated_at=at,
        transitions=1,
    )
    first = Transition(application_id=app.id, seq=1, from_status=None, to_status=S.draft, by=by, at=at)
    # a rejected company may apply again: a new application, the rejected one stays as it was
    return repos.applications.create(app, first, after_rejected=rejected)


# ---------------------------------------------------------------- list


def _cursor_secret(repos) -> str:
    from seteli.services.providers import cursor_secret

    return cursor_secret(repos.settings)


def _start_key(cursor: str | None, secret: str, status: ApplicationStatus) -> dict[str, Any] | None:
    from seteli.api.paging import start_key
    from seteli.store import keys

    return start_key(
        cursor,
        secret,
        index="gsi2",
        partition=keys.applications_by_status_gsi2pk(status.value),
        sk_prefix=keys.APPLICATION_SK,
    )


def list_applications(
    repos,
    who: Principal,
    *,
    status: ApplicationStatus | None = None,
    service_id: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[Application], str | None]:
    """Provider users: their provider's applications (of their teams). Municipality users: the queue
    of one status (default submitted), oldest first, optionally of one service; paged."""
    if who.is_provider and not who.is_municipality:
        from seteli.services.teams import teams_of

        teams = teams_of(repos, who)
        apps = [
            a
            for a in repos.applications.for_provider(who.provider_id)
            if (teams is None or a.service_id in teams)
            and (status is None or a.status == status)
            and (service_id is None or a.service_id == service_id)
        ]
        return apps, None
    if not who.is_municipality:
        raise Forbidden("only the provider's users and the municipality see applications")
    status = status or S.submitted
    secret = _cursor_secret(repos)
    apps, last = repos.applications.queue(
        status, service_id=service_id, limit=limit, start=_start_key(cursor, secret, status)
    )
    return apps, encode_cursor(last, secret)


# ---------------------------------------------------------------- read, with the steps


@dataclass
class Missing:
    """What a submit would refuse, each item with the step it belongs to."""

    items: list[tuple[str, FieldError]] = field(default_factory=list)

    @property
    def errors(self) -> list[FieldError]:
        return [e for _, e in self.items]

    def of(self, step: str) -> list[FieldError]:
        return [e for s, e in self.items if s == step]


@dataclass
class View:
    application: Application
    transitions: list[Transition]
    missing: Missing
    provider: Provider | None
    parts: dict[str, ProviderPart]
    subcontractors: dict[str, Subcontractor]
    price_lists: list[Any]
    rulebook: rules.RulebookState
    intake: rules.RoundState


def rulebook_state(tenant: Tenant, service: Service) -> rules.RulebookState:
    rb = tenant.rulebook(service.rulebook)
    general = tenant.rulebook(tenant.general_rulebook) if tenant.general_rulebook else None
    return rules.RulebookState(
        rulebook_id=service.rulebook,
        current_version=rb.version if rb else "",
        general_rulebook_id=general.id if general else None,
        general_current_version=general.version if general else None,
    )


_PART_FIELDS = (
    ("site_ids", PartKind.site, "sites"),
    ("unit_ids", PartKind.unit, "units"),
    ("employee_ids", PartKind.employee, "employees"),
)


def _selection_problems(
    app: Application, parts: dict[str, ProviderPart], subs: dict[str, Subcontractor]
) -> list[tuple[str, FieldError]]:
    """Selected parts or subcontractors that are no longer active (passivated after selecting)."""
    out: list[tuple[str, FieldError]] = []
    for name, kind, step in _PART_FIELDS:
        for i, pid in enumerate(getattr(app, name)):
            part = parts.get(pid)
            if part is None or part.kind != kind or not part.active:
                out.append(
                    (step, FieldError(f"body.{name}[{i}]", f"{kind.value} {pid} is no longer active: remove it"))
                )
    for i, sid in enumerate(app.subcontractor_ids):
        sub = subs.get(sid)
        if sub is None or not sub.active:
            msg = f"subcontractor {sid} is no longer active: remove it"
            out.append(("subcontractors", FieldError(f"body.subcontractor_ids[{i}]", msg)))
    return out


def compute_missing(
    repos,
    tenant: Tenant,
    service: Service,
    app: Application,
    parts: dict[str, ProviderPart],
    subs: dict[str, Subcontractor],
    lists: list[Any],
    on: date,
) -> Missing:
    site_names = {p.id: p.name for p in parts.values()}
    m = Missing()
    m.items += [("summary", e) for e in rules.rulebook_problems(app, rulebook_state(tenant, service))]
    for a in attachment_problems(repos, tenant, service, app.provider_id, app.site_ids, on, site_names):
        step = "sites" if str(a.field).startswith("attachments.site.") else "company"
        m.items.append((step, FieldError(a.field, a.message)))
    without = sites_without_prices(lists, app.site_ids) if lists else []
    for e in rules.site_problems(app.site_ids, without, bool(lists)):
        m.items.append(("sites" if e.field == "body.site_ids" else "price_list", e))
    m.items += _selection_problems(app, parts, subs)
    return m


def application_view(repos, who: Principal, application_id: str) -> View:
    app = _read(repos, who, application_id)
    return _view(repos, app)


def _view(repos, app: Application) -> View:
    tenant = _tenant(repos)
    service = _service(tenant, app.service_id, "service_id")
    parts = {p.id: p for p in repos.providers.parts(app.provider_id)}
    subs = {s.id: s for s in repos.providers.subcontractors(app.provider_id)}
    lists = price_lists_of(repos, app.provider_id, app.service_id)
    today = today_in_helsinki()
    return View(
        application=app,
        transitions=repos.applications.transitions(app.id),
        missing=compute_missing(repos, tenant, service, app, parts, subs, lists, today),
        provider=repos.providers.get(app.provider_id),
        parts=parts,
        subcontractors=subs,
        price_lists=lists,
        rulebook=rulebook_state(tenant, service),
        intake=rules.round_for(service.applications, today),
    )


# ---------------------------------------------------------------- edit the steps


def _check_parts(
    ids: list[str], name: str, kind: PartKind, parts: dict[str, ProviderPart], errors: list[FieldError]
) -> list[str]:
    seen: set[str] = set()
    for i, pid in enumerate(ids):
        part = parts.get(pid)
        if pid in seen:
            errors.append(FieldError(f"body.{name}[{i}]", "listed twice"))
        elif part is None or part.kind != kind:
            errors.append(FieldError(f"body.{name}[{i}]", f"not a {kind.value} of this provider"))
        elif not part.active:
            errors.append(FieldError(f"body.{name}[{i}]", f"the {kind.value} is passive: activate it first"))
        seen.add(pid)
    return list(ids)


def update_application(
    repos, who: Principal, application_id: str, *, version: int, changes: dict[str, Any]
) -> Application:
    """Fill in the steps (draft or returned only; a submitted application is locked)."""
    app = _read(repos, who, application_id)
    _ensure_provider_member(who, app.provider_id)
    rules.ensure_editable(app)
    _check_version(app, version)
    errors: list[FieldError] = []
    update: dict[str, Any] = {}
    if any(k in changes for k in ("site_ids", "unit_ids", "employee_ids")):
        parts = {p.id: p for p in repos.providers.parts(app.provider_id)}
        for name, kind, _ in _PART_FIELDS:
            if changes.get(name) is not None:
                update[name] = _check_parts(changes[name], name, kind, parts, errors)
    if changes.get("subcontractor_ids") is not None:
        subs = {s.id: s for s in repos.providers.subcontractors(app.provider_id)}
        seen: set[str] = set()
        for i, sid in enumerate(changes["subcontractor_ids"]):
            sub = subs.get(sid)
            if sid in seen:
                errors.append(FieldError(f"body.subcontractor_ids[{i}]", "listed twice"))
            elif sub is None:
                errors.append(FieldError(f"body.subcontractor_ids[{i}]", "not a subcontractor of this provider"))
            elif not sub.active:
                errors.append(FieldError(f"body.subcontractor_ids[{i}]", "the subcontractor is passive"))
            seen.add(sid)
        update["subcontractor_ids"] = list(changes["subcontractor_ids"])
    if changes.get("operating_areas") is not None:
        areas = [a.strip() for a in changes["operating_areas"]]
        for i, a in enumerate(areas):
            if not a:
                errors.append(FieldError(f"body.operating_areas[{i}]", "empty"))
        update["operating_areas"] = list(dict.fromkeys(areas))
    if "notes" in changes:
        update["notes"] = (changes["notes"] or "").strip() or None
    if errors:
        raise ValidationFailed("the application has invalid fields: " + ", ".join(e.field for e in errors), errors)
    changed = app.model_copy(update={**update, "updated_at": now()})
    return repos.applications.change(changed)


def accept_rulebook(repos, who: Principal, application_id: str, *, version: int, rulebook_version: str) -> Application:
    """Accept the service's rulebook (and the tenant's general part) in its current version."""
    app = _read(repos, who, application_id)
    _ensure_provider_member(who, app.provider_id)
    rules.ensure_editable(app)
    _check_version(app, version)
    tenant = _tenant(repos)
    state = rulebook_state(tenant, _service(tenant, app.service_id, "service_id"))
    if rulebook_version != state.current_version:
        raise ValidationFailed(
            f"the current version of the rulebook {state.rulebook_id} is {state.current_version}: read and accept it",
            [FieldError("body.rulebook_version", f"not the current version (current: {state.current_version})")],
        )
    at = now()
    acceptance = RulebookAcceptance(
        rulebook_id=state.rulebook_id,
        version=state.current_version,
        general_rulebook_id=state.general_rulebook_id,
        general_version=state.general_current_version,
        accepted_by=actor(repos, who),
        accepted_at=at,
    )
    return repos.applications.change(app.model_copy(update={"rulebook": acceptance, "updated_at": at}))


# ---------------------------------------------------------------- submit


@dataclass
class Submitted:
    application: Application
    message: str
    email_failed: bool = False


def _intake_message(state: rules.RoundState, service_id: str) -> str:
    r = state.round
    if state.intake is rules.Intake.round and r is not None:
        return (
            f"Submitted in the application round {r.opens.isoformat()}..{r.closes.isoformat()}: "
            f"the municipality decides by {r.decisions_by.isoformat()}."
        )
    if state.intake is rules.Intake.waiting and r is not None:
        return (
            f"Submitted. Service {service_id} takes applications in rounds: yours waits for the round "
            f"{r.opens.isoformat()}..{r.closes.isoformat()} (decisions by {r.decisions_by.isoformat()})."
        )
    return "Submitted. The municipality decides applications as they come."


def submit(repos, who: Principal, application_id: str, *, version: int) -> Submitted:
    """Sign and submit: refused (422) with every missing thing at once; the application is then locked."""
    app = _read(repos, who, application_id)
    _ensure_provider_member(who, app.provider_id)
    _ensure_admin(repos, who)
    _check_version(app, version)
    rules.check_transition(app.status, S.submitted, "provider")
    view = _view(repos, app)
    errors = list(view.missing.errors)
    if not view.intake.accepts:
        errors.insert(
            0, FieldError("body.service_id", f"service {app.service_id} takes no applications now (no round open)")
        )
    if errors:
        head = (
            f"service {app.service_id} takes no applications now"
            if not view.intake.accepts
            else "the application cannot be submitted yet"
        )
        raise ValidationFailed(f"{head}: {len(errors)} thing(s) missing or wrong, see errors", errors)
    at = now()
    by = actor(repos, who)
    r = view.intake.round
    changed = app.model_copy(
        update={
            "status": S.submitted,
            "signed_by": by,
            "signed_at": at,
            "submitted_at": at,
            "round": Round(opens=r.opens, closes=r.closes, decisions_by=r.decisions_by) if r else None,
            "decision_due": view.intake.decision_due,
            "updated_at": at,
            "transitions": app.transitions + 1,
        }
    )
    t = _transition(app, S.submitted, by, at, None)
    saved = repos.applications.change(changed, t)
    message = _intake_message(view.intake, app.service_id)
    failed = _notify(repos, saved, t, "application_submitted", view.provider, extra={"message": message})
    return Submitted(saved, message, failed)


# ---------------------------------------------------------------- decide


def decide(
    repos, who: Principal, application_id: str, *, version: int, decision: Decision, comment: str | None
) -> tuple[Application, bool]:
    """The municipality approves, returns (asks for more) or rejects a submitted application.
    Approving activates the provider and approves its draft price lists of the service, atomically."""
    _ensure_decider(who)
    app = _read(repos, who, application_id)
    problems = rules.decision_problems(decision, comment)
    if problems:
        raise ValidationFailed("the decision needs a comment", problems)
    _check_version(app, version)
    to = rules.DECISION_TARGET[decision]
    rules.check_transition(app.status, to, "municipality")
    at = now()
    by = actor(repos, who)
    comment = (comment or "").strip() or None
    extra: list = []
    provider = repos.providers.get(app.provider_id)
    if to == S.approved:
        extra += price_list_approval_items(repos, app.provider_id, app.service_id, at=at, by=who.subject)
        if provider is not None and provider.status == ProviderStatus.registered:
            active = provider.model_copy(update={"status": ProviderStatus.active, "updated_at": at})
            extra.append((repos.providers.item_for(active), False))
    changed = app.model_copy(
        update={
            "status": to,
            "decided_by": by,
            "decided_at": at,
            "decision_comment": comment,
            "updated_at": at,
            "transitions": app.transitions + 1,
        }
    )
    t = _transition(app, to, by, at, comment)
    saved = repos.applications.change(changed, t, extra=extra)
    failed = _notify(repos, saved, t, f"application_{to.value}", provider)
    return saved, failed


# ---------------------------------------------------------------- email


def _recipients(app: Application, provider: Provider | None) -> list[str]:
    out = [provider.contact_email if provider else None, app.signed_by.email if app.signed_by else None]
    return list(dict.fromkeys(e for e in out if e))


def _notify(
    repos, app: Application, t: Transition, template: str, provider: Provider | None, extra: dict | None = None
) -> bool:
    """Email the provider about the transition; True if it failed (logged, noted on the transition).
    The decision stands either way."""
    from seteli.adapters.email import email_sender, render
    from seteli.observability import logger

    to = _recipients(app, provider)
    if not to:
        return False
    try:
        tenant = _tenant(repos)
        service = tenant.service(app.service_id)
        email = render(
            template,
            to,
            application_id=app.id,
            provider_name=provider.name if provider else app.provider_id,
            service_id=app.service_id,
            service_fi=service.name.fi if service else app.service_id,
            service_sv=service.name.get("sv") if service else app.service_id,
            service_en=service.name.get("en") if service else app.service_id,
            municipality=tenant.name.fi,
            comment=t.comment,
            decision_due=app.decision_due.isoformat() if app.decision_due else None,
            by_name=t.by.name or t.by.subject,
            at=t.at.astimezone(HELSINKI).strftime("%d.%m.%Y %H:%M"),
            **(extra or {}),
        )
        sent = email_sender().send(email)
    except Exception as exc:  # noqa: BLE001 - the decision is saved; a lost email is reported, not fatal
        logger.warning("application email failed", extra={"application_id": app.id, "error": type(exc).__name__})
        sent = None
    if sent is not None:
        return False
    logger.warning("application email not sent", extra={"application_id": app.id, "template": template})
    try:
        repos.applications.mark_email_failed(t)
    except Exception as exc:  # noqa: BLE001 - best effort: the log line above is the record then
        logger.warning("could not note the failed email", extra={"application_id": app.id, "error": type(exc).__name__})
    return True


# ---------------------------------------------------------------- rounds


@dataclass
class ServiceRounds:
    service_id: str
    name: str
    continuous: bool
    rounds: list[tuple[Round, str]]  # (round, phase today)
    intake: rules.RoundState


def rounds(repos, who: Principal, service_id: str | None = None) -> list[ServiceRounds]:
    """The application rounds of one service or of all, and whether each takes applications today."""
    tenant = _tenant(repos)
    services = [_service(tenant, service_id, "query.service_id")] if service_id else list(tenant.services)
    today = today_in_helsinki()
    out = []
    for s in services:
        rs = sorted(
            (Round(opens=r.opens, closes=r.closes, decisions_by=r.decisions_by) for r in s.applications.rounds),
            key=lambda r: r.opens,
        )
        out.append(
            ServiceRounds(
                service_id=s.id,
                name=s.name.fi,
                continuous=s.applications.continuous,
                rounds=[(r, rules.round_phase(r, today)) for r in rs],
                intake=rules.round_for(s.applications, today),
            )
        )
    return out
