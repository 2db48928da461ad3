"""Service teams (spec 14): a provider user sees a service's data only when in that service's team.

The contract every area uses (applications, price lists, attachments per service, later events):

- ``teams_of(repos, who)`` -> ``None`` when the caller sees every service of its scope (municipality
  users, active provider admins, API keys), else the set of service ids of the user's teams
  (empty for a passivated user, or one without a record).
- ``ensure_in_team(repos, who, service_id)`` raises Forbidden naming the service otherwise.

The role, ``active`` and team membership are read from the provider user's record (GetItem
``PROVIDER#<id>`` / ``USER#<sub>``), so a change takes effect at the next request, not at the next
sign-in: a demoted or passivated admin loses the all-services view while its token still says admin.
"""

from __future__ import annotations

from seteli.api.auth import PROVIDER_ADMIN, Principal
from seteli.errors import Forbidden


def via_api_key(who: Principal) -> bool:
    """Whether the caller is an API key (a machine of the provider), whatever shape the flag has."""
    if getattr(who, "via_api_key", False) or getattr(who, "api_key_id", None):
        return True
    return str(getattr(who, "auth", "") or "").replace("-", "_").lower() == "api_key"


def teams_of(repos, who: Principal) -> frozenset[str] | None:
    if who.is_municipality or not who.is_provider or via_api_key(who):
        return None
    user = repos.users.get(who.provider_id, who.subject)
    if user is None:
        # no record (a token from before records existed): the token's group decides
        return None if PROVIDER_ADMIN in who.groups else frozenset()
    if not user.active:
        return frozenset()
    if user.is_admin:
        return None
    return frozenset(user.teams)


def ensure_in_team(repos, who: Principal, service_id: str) -> None:
    teams = teams_of(repos, who)
    if teams is not None and service_id not in teams:
        raise Forbidden(f"you are not in the team of service {service_id}; ask your provider's admin to add you")
