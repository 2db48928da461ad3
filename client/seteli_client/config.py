"""Where the client keeps its session, and how it finds a local Seteli (`make run`).

- The session (ID token, refresh token, expiry, API URL, user name and what is needed to refresh)
  lives in ``$SETELI_CONFIG_DIR/session.json``, else ``$XDG_CONFIG_HOME/seteli/session.json``,
  else ``~/.config/seteli/session.json``. The file is written with mode 0600, the directory 0700.
- A local Seteli writes ``<state dir>/local.json`` (default state dir ``.seteli``) when it is ready;
  :func:`find_local` looks for ``.seteli/local.json`` in the current directory and its parents.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

LOCAL_STATE_DIR = ".seteli"
LOCAL_FILE = "local.json"
SESSION_FILE = "session.json"
DEFAULT_REGION = "eu-north-1"


class ConfigError(Exception):
    """A configuration file is missing or unreadable."""


def config_dir() -> Path:
    env = os.environ.get("SETELI_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "seteli"


def session_path() -> Path:
    return config_dir() / SESSION_FILE


# ---------------------------------------------------------------- local.json


@dataclass
class LocalUser:
    username: str
    password: str
    group: str
    provider_id: str | None = None


@dataclass
class LocalInfo:
    """What ``python -m local run`` writes to ``<state dir>/local.json``."""

    api_url: str
    path: Path
    site_url: str | None = None
    region: str = DEFAULT_REGION
    cognito_endpoint: str | None = None
    user_pool_id: str | None = None
    client_id: str | None = None
    tenant_id: str | None = None
    users: list[LocalUser] = field(default_factory=list)

    def users_in(self, group: str) -> list[LocalUser]:
        return [u for u in self.users if u.group == group]


def load_local(state_dir: str | os.PathLike[str] = LOCAL_STATE_DIR) -> LocalInfo:
    """Read ``<state_dir>/local.json`` (``state_dir`` may also be the file itself)."""
    path = Path(state_dir).expanduser()
    if path.is_dir() or path.name != LOCAL_FILE:
        path = path / LOCAL_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path} does not exist: is the local Seteli running (`make run`)?") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or not data.get("api_url"):
        raise ConfigError(f"{path} has no api_url")
    users = []
    for u in data.get("users") or []:
        if isinstance(u, dict) and u.get("username"):
            users.append(
                LocalUser(
                    username=str(u["username"]),
                    password=str(u.get("password") or ""),
                    group=str(u.get("group") or ""),
                    provider_id=u.get("provider_id") or None,
                )
            )
    return LocalInfo(
        api_url=str(data["api_url"]).rstrip("/"),
        path=path,
        site_url=data.get("site_url"),
        region=data.get("region") or DEFAULT_REGION,
        cognito_endpoint=data.get("cognito_endpoint"),
        user_pool_id=data.get("user_pool_id"),
        client_id=data.get("client_id"),
        tenant_id=data.get("tenant_id"),
        users=users,
    )


def find_local(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The nearest ``.seteli/local.json`` in ``start`` (default: cwd) or its parents, if any."""
    here = Path(start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        candidate = d / LOCAL_STATE_DIR / LOCAL_FILE
        if candidate.is_file():
            return candidate
    return None


# ---------------------------------------------------------------- session.json


@dataclass
class Session:
    """A signed-in user: what is needed to call the API and to refresh the ID token."""

    id_token: str
    expires_at: float  # epoch seconds when the ID token expires
    api_url: str
    username: str
    refresh_token: str | None = None
    client_id: str | None = None
    region: str = DEFAULT_REGION
    cognito_endpoint: str | None = None

    def expired(self, now: float | None = None, skew: float = 60.0) -> bool:
        """True when the ID token has expired or will within ``skew`` seconds."""
        return (now if now is not None else time.time()) >= self.expires_at - skew

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def save_session(session: Session, path: Path | None = None) -> Path:
    """Write the session atomically; the file is never readable by others, not even for a moment."""
    path = path or session_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # O_CREAT's mode is masked by umask and ignored for an existing file
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(session.to_dict(), f, indent=1)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    return path


def load_session(path: Path | None = None) -> Session | None:
    path = path or session_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Session.from_dict(data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError):
        return None  # a damaged session is no session: `seteli login` writes a new one


def delete_session(path: Path | None = None) -> bool:
    path = path or session_path()
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False
