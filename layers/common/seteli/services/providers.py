"""Provider use cases."""

from __future__ import annotations

from typing import Protocol

from seteli.api.auth import Principal
from seteli.domain.provider import Provider, ProviderPart
from seteli.errors import NotFound
from seteli.rules.access import ensure_can_read_provider


class ProviderStore(Protocol):
    def get(self, provider_id: str) -> Provider | None: ...
    def parts(self, provider_id: str) -> list[ProviderPart]: ...


def read_provider(store: ProviderStore, who: Principal, provider_id: str) -> tuple[Provider, list[ProviderPart]]:
    # authorise before reading: a 403 must not reveal whether another provider exists
    ensure_can_read_provider(who, provider_id)
    provider = store.get(provider_id)
    if provider is None:
        raise NotFound(f"no provider {provider_id}")
    return provider, store.parts(provider_id)
