"""The tenant configuration, read from the table and cached per container for a minute."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol

from seteli.errors import SeteliError

if TYPE_CHECKING:
    from seteli.domain.tenant import Tenant

CACHE_SECONDS = 60.0


class TenantSource(Protocol):
    def get(self) -> Tenant | None: ...


class TenantNotLoaded(SeteliError):
    status = 503
    title = "Service unavailable"


_cache: tuple[float, int, Tenant] | None = None


def current_tenant(source: TenantSource, now: float | None = None) -> Tenant:
    global _cache
    t = time.monotonic() if now is None else now
    if _cache is not None and _cache[1] == id(source) and t - _cache[0] < CACHE_SECONDS:
        return _cache[2]
    tenant = source.get()
    if tenant is None:
        raise TenantNotLoaded("the tenant configuration is not loaded yet: run tools/load_tenant.py")
    _cache = (t, id(source), tenant)
    return tenant


def forget() -> None:
    global _cache
    _cache = None
