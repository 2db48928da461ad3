"""Storage: pynamodb models and repositories, the only code that knows keys.

``repositories()`` binds the models to the stack's table (from ``Settings``) and returns the
repositories. pynamodb and boto3 are imported on first use, not when a handler module loads
(cold starts, see bench/).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from seteli.config import Settings, settings

if TYPE_CHECKING:
    from seteli.store.repos import Repositories

_current: tuple[Settings, Repositories] | None = None


def repositories(s: Settings | None = None) -> Repositories:
    global _current
    s = s or settings()
    if _current is None or _current[0] != s:
        from seteli.store import models
        from seteli.store.repos import Repositories

        models.bind(s)
        _current = (s, Repositories(s))
    return _current[1]


def forget() -> None:
    """Drop the binding (tests that switch tables)."""
    global _current
    _current = None
