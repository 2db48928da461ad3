"""Who may see what. Pure: takes the principal and the target, answers or raises Forbidden.

Every check here runs before anything is read, so a 403 never tells whether another provider's
data exists.
"""

from __future__ import annotations

from seteli.api.auth import PROVIDER_ADMIN, Principal
from seteli.errors import Forbidden


def can_read_provider(p: Principal, provider_id: str) -> bool:
    """Municipality users see every provider of their tenant; a provider user only its own."""
    if p.is_municipality:
        return True
    return p.is_provider and p.provider_id == provider_id


def ensure_can_read_provider(p: Principal, provider_id: str) -> None:
    if not can_read_provider(p, provider_id):
        raise Forbidden("you may only see your own provider's data")


def can_change_provider(p: Principal, provider_id: str) -> bool:
    """Only an admin of the provider itself changes its company data, billing, parts and
    subcontractors (the municipality reads them; it does not edit a company's own data)."""
    return p.is_provider and p.provider_id == provider_id and PROVIDER_ADMIN in p.groups


def ensure_can_change_provider(p: Principal, provider_id: str) -> None:
    if p.is_provider and p.provider_id != provider_id:
        raise Forbidden("you may only see and change your own provider's data")
    if not can_change_provider(p, provider_id):
        raise Forbidden("only an admin of the provider (provider_admin) may change its company data")


def ensure_municipality(p: Principal, what: str = "this") -> None:
    if not p.is_municipality:
        raise Forbidden(f"only municipality users (municipality_admin, case_worker) may see {what}")


def ensure_can_check_obligations(p: Principal, provider_id: str) -> None:
    """Municipality users, or the provider's own admin, may run the obligations check again."""
    if p.is_municipality:
        return
    if p.is_provider and p.provider_id != provider_id:
        raise Forbidden("you may only see and change your own provider's data")
    if not can_change_provider(p, provider_id):
        raise Forbidden("only municipality users or the provider's admin may run the obligations check")


def ensure_person(p: Principal, what: str) -> None:
    """A provider's system signing with an API key reads and records data, but what moves money or
    rights (bank account, users, keys) needs a person signed in: a leaked key must not redirect
    payments or let anyone in."""
    if getattr(p, "via_api_key", False):
        raise Forbidden(f"an API key cannot {what}; sign in as the provider's admin")
