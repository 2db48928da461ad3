"""Provider users (spec 14): invite, list, read, change role, passivate and reactivate, service teams.

Who may do what:

- a provider admin of the provider (an active one): everything on its own provider's users;
- a provider user of the provider: the list and its own record;
- municipality users (admin, case worker): read every provider's users;
- anyone else, and any user of another provider: 403, decided before anything is read.

Cognito holds the sign-in (email is the user name); the ``ProviderUser`` record holds the role,
``active`` and the teams. A change is saved to the record first (conditioned on the version the
client read, so a stale change is a 409 and touches nothing), then applied to the pool; if the pool
refuses, the record is put back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from seteli.api.auth import PROVIDER_ADMIN, Principal
from seteli.clock import now
from seteli.domain.users import ROLES, ProviderUser, UserRole
from seteli.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from seteli.rules.access import ensure_person

if TYPE_CHECKING:
    from seteli.adapters.identity import IdentityPort

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
NAME_MAX = 200
EMAIL_MAX = 254
TEAMS_MAX = 50


# ---------------------------------------------------------------- rules (pure)


def email_problem(email: str) -> str | None:
    if not isinstance(email, str) or not email.strip():
        return "required"
    if len(email.strip()) > EMAIL_MAX or not EMAIL.match(email.strip()):
        return "not an email address (name@example.fi)"
    return None


def name_problem(name: str) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "required: the user's name as colleagues know it"
    if len(name.strip()) > NAME_MAX:
        return f"at most {NAME_MAX} characters"
    return None


def team_problems(teams: Iterable[str], service_ids: Iterable[str], field: str = "body.teams") -> list[FieldError]:
    known = set(service_ids)
    teams = list(teams)
    errors = [
        FieldError(f"{field}.{i}", "not a service of this municipality (see `seteli services`)")
        for i, t in enumerate(teams)
        if t not in known
    ]
    if len(set(teams)) > TEAMS_MAX:
        errors.append(FieldError(field, f"at most {TEAMS_MAX} teams"))
    return errors


def dedupe(teams: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(teams))


def last_admin_problem(target: ProviderUser, after: ProviderUser, others: Iterable[ProviderUser]) -> str | None:
    """Why ``target`` -> ``after`` would leave the provider without an active admin (None if it won't)."""
    if not target.is_active_admin or after.is_active_admin:
        return None
    if any(u.is_active_admin for u in others if u.subject != target.subject):
        return None
    what = "passivate" if not after.active else "take the admin role from"
    return (
        f"cannot {what} the last active admin of the provider: make another user an admin first, "
        "so that someone can still manage the company's data and users"
    )


# ---------------------------------------------------------------- authorisation


def ensure_can_read_users(who: Principal, provider_id: str) -> None:
    if who.is_municipality:
        return
    if who.is_provider and who.provider_id == provider_id:
        return
    raise Forbidden("you may only see your own provider's users")


def ensure_can_manage_users(repos, who: Principal, provider_id: str) -> None:
    """An admin of this provider, whose own record (if any) is an active admin: tokens live for an
    hour, the record tells whether the caller was passivated or demoted meanwhile."""
    if not (who.is_provider and who.provider_id == provider_id and PROVIDER_ADMIN in who.groups):
        raise Forbidden("only an admin of the provider may add and change its users")
    ensure_person(who, "add or change users")
    me = repos.users.get(provider_id, who.subject)
    if me is not None and not me.is_active_admin:
        raise Forbidden("your account is no longer an active admin of the provider")


# ---------------------------------------------------------------- use cases


def _service_ids(repos) -> list[str]:
    from seteli.services.tenant_config import current_tenant

    return [s.id for s in current_tenant(repos.tenant).services]


def _provider_name(repos, provider_id: str) -> str | None:
    try:
        provider = repos.providers.get(provider_id)
    except Exception:  # noqa: BLE001 - the name only decorates the letter
        return None
    return provider.name if provider is not None else None


def invite_user(
    repos,
    identity: IdentityPort,
    *,
    provider_id: str,
    email: str,
    name: str,
    role: str,
    teams: Iterable[str] = (),
    invited_by: str | None = None,
) -> ProviderUser:
    """Create a provider user: Cognito user (temporary password, in its group), the record, and our
    invitation email. 422 on bad fields, 409 (``body.email``) when the email is taken. No
    authorisation here: callers decide (the admin route; registration for the company's first admin).
    """
    from seteli.adapters.identity import normalise_email, temporary_password

    errors = []
    if p := email_problem(email):
        errors.append(FieldError("body.email", p))
    if p := name_problem(name):
        errors.append(FieldError("body.name", p))
    if role not in ROLES:
        errors.append(FieldError("body.role", f"one of: {', '.join(ROLES)}"))
    teams = dedupe(teams)
    if teams:
        errors += team_problems(teams, _service_ids(repos))
    if errors:
        raise ValidationFailed("the user has invalid fields: " + ", ".join(e.field for e in errors), errors)

    email = normalise_email(email)
    taken = Conflict(
        "a user with this email exists already; every user signs in with an email of their own",
        [FieldError("body.email", "a user with this email exists already")],
    )
    if identity.user_exists(email):
        raise taken
    password = temporary_password()
    try:
        subject = identity.create_user(email, name.strip(), role, provider_id, temporary_password=password)
    except Conflict as exc:
        raise taken from exc
    at = now()
    user = ProviderUser(
        subject=subject,
        provider_id=provider_id,
        email=email,
        name=name.strip(),
        role=UserRole(role),
        active=True,
        teams=teams,
        invited_by=invited_by,
        created_at=at,
        updated_at=at,
    )
    try:
        user = repos.users.create(user)
    except Exception:
        identity.delete(email)  # never a sign-in without its record
        raise
    _send_invitation(repos, user, password)
    return user


def _send_invitation(repos, user: ProviderUser, password: str) -> None:
    from seteli.adapters.email import email_sender, render

    mail = render(
        "user_invited",
        user.email,
        name=user.name,
        email=user.email,
        provider_name=_provider_name(repos, user.provider_id) or "",
        admin=user.is_admin,
        temporary_password=password,
    )
    email_sender().send(mail)


def add_user(
    repos, identity: IdentityPort, who: Principal, provider_id: str, *, email: str, name: str, role: str, teams=()
) -> ProviderUser:
    ensure_can_manage_users(repos, who, provider_id)
    if repos.providers.get(provider_id) is None:
        raise NotFound(f"no provider {provider_id}")
    return invite_user(
        repos,
        identity,
        provider_id=provider_id,
        email=email,
        name=name,
        role=role,
        teams=teams,
        invited_by=who.subject,
    )


def list_users(repos, who: Principal, provider_id: str) -> list[ProviderUser]:
    ensure_can_read_users(who, provider_id)
    if not who.is_provider and repos.providers.get(provider_id) is None:
        raise NotFound(f"no provider {provider_id}")
    return repos.users.list(provider_id)


def read_user(repos, who: Principal, provider_id: str, subject: str) -> ProviderUser:
    ensure_can_read_users(who, provider_id)
    if who.is_provider and PROVIDER_ADMIN not in who.groups and who.subject != subject:
        raise Forbidden("a provider user may read only its own record; the list shows the others")
    user = repos.users.get(provider_id, subject)
    if user is None:
        raise NotFound(f"no user {subject} in provider {provider_id}")
    return user


def update_user(
    repos,
    identity: IdentityPort,
    who: Principal,
    provider_id: str,
    subject: str,
    *,
    version: int,
    name: str | None = None,
    role: str | None = None,
    active: bool | None = None,
    teams: Iterable[str] | None = None,
) -> ProviderUser:
    """Change name, role, active (passivate / reactivate) and teams; 409 on a stale ``version`` and
    when the change would leave the provider without an active admin."""
    ensure_can_manage_users(repos, who, provider_id)
    errors = []
    if name is not None and (p := name_problem(name)):
        errors.append(FieldError("body.name", p))
    if role is not None and role not in ROLES:
        errors.append(FieldError("body.role", f"one of: {', '.join(ROLES)}"))
    if teams is not None:
        teams = dedupe(teams)
        errors += team_problems(teams, _service_ids(repos))
    if errors:
        raise ValidationFailed("the change has invalid fields: " + ", ".join(e.field for e in errors), errors)

    user = repos.users.get(provider_id, subject)
    if user is None:
        raise NotFound(f"no user {subject} in provider {provider_id}")
    if user.version != version:
        raise Conflict(
            f"the user changed meanwhile (version {user.version}, you sent {version}); read it again",
            [FieldError("body.version", "stale: read the user again")],
        )
    changes: dict = {}
    if name is not None and name.strip() != user.name:
        changes["name"] = name.strip()
    if role is not None and role != user.role:
        changes["role"] = UserRole(role)
    if active is not None and active != user.active:
        changes["active"] = active
        changes["passivated_at"] = None if active else now()
    if teams is not None and teams != user.teams:
        changes["teams"] = teams
    if not changes:
        return user
    after = user.model_copy(update={**changes, "updated_at": now()})

    keep_admin = None
    if user.is_active_admin and not after.is_active_admin:
        others = [u for u in repos.users.list(provider_id) if u.subject != subject and u.is_active_admin]
        if why := last_admin_problem(user, after, others):
            raise Conflict(why, [FieldError("body.active" if "active" in changes else "body.role", why)])
        keep_admin = others[0]

    saved = repos.users.update(after, keep_admin=keep_admin)
    try:
        if "role" in changes:
            identity.set_group(user.email, after.role.value)
        if "active" in changes:
            (identity.enable if after.active else identity.disable)(user.email)
    except Exception:
        # put the record back as it was, so the record and the pool agree
        repos.users.update(user.model_copy(update={"version": saved.version}))
        raise
    return saved
