"""Service teams (spec 14): a provider user sees a service's data only when in that service's team.

The contract every area uses (applications, price lists, attachments per service, later events):

- ``teams_of(repos, who)`` -> ``None`` when the caller sees every service of its scope (municipality
  users, provider admins, API keys), else the set of service ids of the user's teams.
- ``ensure_in_team(repos, who, service_id)`` raises Forbidden naming the service otherwise.

The team membership is read from the provider user's record (GetItem ``PROVIDER#<id>`` /
``USER#<sub>``), so a change takes effect at the next request, not at the next sign-in.
"""

from __future__ import annotations

from seteli.api.auth import PROVIDER_ADMIN, Principal
from seteli.errors import Forbidden


def teams_of(repos, who: Principal) -> frozenset[str] | None:
    if who.is_municipality or PROVIDER_ADMIN in who.groups or not who.is_provider:
        return None
    user = repos.users.get(who.provider_id, who.subject)
    if user is None or not user.active:
        return frozenset()
    return frozenset(user.teams)


def ensure_in_team(repos, who: Principal, service_id: str) -> None:
    teams = teams_of(repos, who)
    if teams is not None and service_id not in teams:
        raise Forbidden(f"you are not in the team of service {service_id}; ask your provider's admin to add you")
