"""Who may see what. Pure: takes the principal and the target, answers or raises Forbidden."""

from __future__ import annotations

from seteli.api.auth import Principal
from seteli.errors import Forbidden


def can_read_provider(p: Principal, provider_id: str) -> bool:
    """Municipality users see every provider of their tenant; a provider user only its own."""
    if p.is_municipality:
        return True
    return p.is_provider and p.provider_id == provider_id


def ensure_can_read_provider(p: Principal, provider_id: str) -> None:
    if not can_read_provider(p, provider_id):
        raise Forbidden("you may only see your own provider's data")
