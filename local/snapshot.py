"""Keep the emulator's state across restarts: pickle moto's backends on exit, restore on start.

The snapshot is written to a temporary file and renamed, so a crash never leaves half a snapshot.
moto's Cognito backend holds an RSA private key, which pickle can't handle by itself: a copyreg
reducer turns it into PEM bytes and back.
"""

from __future__ import annotations

import copyreg
import os
import pickle
from pathlib import Path
from typing import Any

SERVICES = ("dynamodb", "s3", "cognitoidp", "ses", "sqs")
FORMAT = 1


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


def _register_key_reducers() -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    copyreg.pickle(type(private), _reduce_private)
    copyreg.pickle(type(private.public_key()), _reduce_public)


def save(path: Path, meta: dict[str, Any]) -> None:
    import moto
    from moto.backends import get_backend

    _register_key_reducers()
    state = {
        "format": FORMAT,
        "moto": moto.__version__,
        "meta": meta,
        "backends": {name: dict(get_backend(name)) for name in SERVICES},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    try:
        with open(tmp, "wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class SnapshotUnusable(Exception):
    pass


def restore(path: Path) -> dict[str, Any]:
    """Put the saved backends back; returns the saved meta. Raises SnapshotUnusable."""
    import moto
    from moto.backends import get_backend

    _register_key_reducers()
    try:
        with open(path, "rb") as f:
            state = pickle.load(f)  # noqa: S301 - our own file in the local state directory
    except Exception as exc:  # noqa: BLE001 - any unreadable snapshot is unusable
        raise SnapshotUnusable(f"cannot read {path}: {exc}") from exc
    if state.get("format") != FORMAT or state.get("moto") != moto.__version__:
        raise SnapshotUnusable(f"snapshot from moto {state.get('moto')}, running {moto.__version__}")
    for name, accounts in state["backends"].items():
        backend = get_backend(name)
        backend.clear()
        backend.update(accounts)
    return state["meta"]
