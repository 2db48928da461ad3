"""Keep the emulator's state across restarts: pickle moto's backends, restore them on start.

The snapshot is written to a temporary file, flushed and renamed, so a crash never leaves half a
snapshot. Objects pickle can't handle by itself get a copyreg reducer: moto's Cognito backend holds
an RSA private key (kept as PEM), SQS queues hold locks and conditions (restored as new, unlocked
ones).

A snapshot carries the moto version it was written with; another version's snapshot (or an
unreadable file) is refused with ``SnapshotUnusable``, and ``restore_or_quarantine`` keeps it aside as
``moto.pickle.bad``. The state of one tenant at a time is live; switching tenants parks the other's
snapshot as ``moto.<tenant>.pickle`` and picks it up again when that tenant is run.
"""

from __future__ import annotations

import copyreg
import hashlib
import logging
import os
import pickle
import sys
import threading
from pathlib import Path
from typing import Any

SERVICES = ("dynamodb", "dynamodbstreams", "s3", "cognitoidp", "ses", "sesv2", "sqs")
FORMAT = 1
log = logging.getLogger("local")


class SnapshotUnusable(Exception):
    pass


# ---------------------------------------------------------------- what pickle needs help with


def load_private_key(pem: bytes):
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(pem, password=None)


def load_public_key(pem: bytes):
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_public_key(pem)


def _reduce_private(key):
    from cryptography.hazmat.primitives import serialization

    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return load_private_key, (pem,)


def _reduce_public(key):
    from cryptography.hazmat.primitives import serialization

    return load_public_key, (
        key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
    )


def _new_condition() -> threading.Condition:
    return threading.Condition()


_registered = False


def register_reducers() -> None:
    global _registered
    if _registered:
        return
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    copyreg.pickle(type(private), _reduce_private)
    copyreg.pickle(type(private.public_key()), _reduce_public)
    # a lock in a snapshot is a new, unlocked lock after the restore
    copyreg.pickle(type(threading.Lock()), lambda _lock: (threading.Lock, ()))
    copyreg.pickle(type(threading.RLock()), lambda _lock: (threading.RLock, ()))
    copyreg.pickle(threading.Condition, lambda _cond: (_new_condition, ()))
    _registered = True


_register_key_reducers = register_reducers  # the earlier name


# ---------------------------------------------------------------- save and restore


def _backends(services: tuple[str, ...] = SERVICES) -> dict[str, Any]:
    from moto.backends import get_backend

    out = {}
    for name in services:
        try:
            out[name] = get_backend(name)
        except Exception:  # noqa: BLE001, S112 - a service this moto doesn't have
            continue
    return out


def dumps(meta: dict[str, Any]) -> bytes:
    """The emulator's state as bytes (take the gateway's lock around this while it serves)."""
    import moto

    register_reducers()
    state = {
        "format": FORMAT,
        "moto": moto.__version__,
        "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
        "meta": meta,
        "backends": {name: dict(backend) for name, backend in _backends().items()},
    }
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def save(path: Path, meta: dict[str, Any]) -> None:
    write(path, dumps(meta))


def restore(path: Path) -> dict[str, Any]:
    """Put the saved backends back; returns the saved meta. Raises SnapshotUnusable."""
    import moto
    from moto.core.base_backend import BackendDict

    register_reducers()
    try:
        with open(path, "rb") as f:
            state = pickle.load(f)  # noqa: S301 - our own file in the local state directory
    except Exception as exc:  # noqa: BLE001 - any unreadable snapshot is unusable
        raise SnapshotUnusable(f"cannot read {path.name}: {exc.__class__.__name__}: {exc}") from exc
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise SnapshotUnusable(f"{path.name} is not a snapshot of this format")
    if state.get("moto") != moto.__version__:
        raise SnapshotUnusable(f"{path.name} was written by moto {state.get('moto')}, this is moto {moto.__version__}")
    backends = _backends(tuple(state["backends"]))
    for name, accounts in state["backends"].items():
        backend = backends.get(name)
        if backend is None:
            raise SnapshotUnusable(f"{path.name} has {name}, which this moto does not have")
        backend.clear()
        backend.update(accounts)
        if backend not in BackendDict._instances:  # so that stopping the mock resets it, as usual
            BackendDict._instances.append(backend)
    return state.get("meta") or {}


def restore_or_quarantine(path: Path) -> dict[str, Any] | None:
    """Restore ``path`` if there is one; a snapshot that can't be used is kept as ``<name>.bad``
    (replacing an older one) and None returned: the caller starts fresh."""
    if not path.exists():
        return None
    try:
        return restore(path)
    except SnapshotUnusable as exc:
        bad = path.with_name(path.name + ".bad")
        os.replace(path, bad)
        log.warning("could not restore the saved local data (%s); kept it as %s and starting fresh", exc, bad.name)
        return None


def park(path: Path, tenant: str) -> Path:
    """Move another tenant's snapshot aside (``moto.<tenant>.pickle``); returns where it went."""
    parked = path.with_name(f"{path.stem}.{tenant}{path.suffix}")
    os.replace(path, parked)
    return parked


def parked(path: Path, tenant: str) -> Path:
    return path.with_name(f"{path.stem}.{tenant}{path.suffix}")


def read_meta(path: Path) -> dict[str, Any] | None:
    """The meta of a snapshot without restoring it (None when unreadable)."""
    register_reducers()
    try:
        with open(path, "rb") as f:
            state = pickle.load(f)  # noqa: S301 - our own file
        return state.get("meta") or {}
    except Exception:  # noqa: BLE001
        return None


class Snapshotter:
    """Saves the state now and then (a kill -9 loses at most ``interval_s``) and on stop.

    Writes only when the state changed since the last write (the pickled bytes differ), under
    ``lock`` (the gateway's, so no handler is half-way through a change).
    """

    def __init__(self, path: Path, meta: dict[str, Any], lock, interval_s: float = 60.0) -> None:
        self.path = path
        self.meta = meta
        self.lock = lock
        self.interval_s = interval_s
        self._last: bytes | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def save(self) -> bool:
        """Write a snapshot if anything changed; True if written. Never raises."""
        try:
            with self.lock:
                data = dumps(self.meta)
        except Exception as exc:  # noqa: BLE001 - e.g. the moto server changed a dict mid-pickle
            log.warning("snapshot failed (will retry): %s", exc)
            return False
        digest = hashlib.sha256(data).digest()
        if digest == self._last and self.path.exists():
            return False
        try:
            write(self.path, data)
        except OSError as exc:
            log.warning("could not write %s: %s", self.path, exc)
            return False
        self._last = digest
        return True

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="snapshots", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.save()

    def stop(self) -> bool:
        """Stop the periodic saves and save a last time."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        return self.save()
