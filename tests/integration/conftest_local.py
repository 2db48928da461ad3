"""Helpers for the local runtime's tests (imported explicitly; not a conftest pytest loads by itself).

The tests share one process with the rest of the suite, where a session-wide moto may already hold
the real stack: they start moto nested (which resets nothing), give everything they create unique
names, put the environment back, and put the whole emulator state back after tests that wipe it.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures_local"
FIXTURE_TEMPLATE = FIXTURES / "template.yaml"
ROOT = Path(__file__).resolve().parents[2]
REAL_TEMPLATE = ROOT / "template.yaml"
REGION = "eu-north-1"
PASSWORD = "Sala-sana-2026!"


def unique_tenant(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@contextlib.contextmanager
def moto_running():
    """moto's mock for the duration (nested inside one already running: then it resets nothing)."""
    from local.emulator import FAKE_CREDENTIALS

    os.environ.update(FAKE_CREDENTIALS)
    from moto import mock_aws

    mock = mock_aws()
    mock.start()
    try:
        yield
    finally:
        mock.stop()


@contextlib.contextmanager
def environment_kept():
    """Put os.environ back as it was (the gateway sets the functions' environment)."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def emulator_state_kept(tmp_path: Path):
    """Put the whole emulator state back afterwards (for tests that wipe or replace it)."""
    from local import snapshot

    keep = tmp_path / "keep.pickle"
    snapshot.save(keep, {})
    try:
        yield
    finally:
        snapshot.restore(keep)


def add_user(pool_id: str, email: str, groups: list[str], provider_id: str | None = None) -> None:
    import boto3

    idp = boto3.client("cognito-idp", region_name=REGION)
    attrs = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    if provider_id:
        attrs.append({"Name": "custom:provider_id", "Value": provider_id})
    idp.admin_create_user(UserPoolId=pool_id, Username=email, UserAttributes=attrs, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=PASSWORD, Permanent=True)
    for g in groups:
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=g)


def tokens(client_id: str, email: str, endpoint_url: str | None = None) -> dict[str, str]:
    """IdToken, AccessToken and RefreshToken of a USER_PASSWORD_AUTH sign-in."""
    import boto3

    idp = boto3.client("cognito-idp", region_name=REGION, endpoint_url=endpoint_url)
    res = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD}
    )
    return res["AuthenticationResult"]


def moto_signed(claims: dict) -> str:
    """A token signed with moto's own Cognito key (for claims moto would never issue, e.g. expired)."""
    import gzip
    import json

    import jwt
    import moto

    path = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-private.json.gz"
    jwk = json.loads(gzip.decompress(path.read_bytes()))
    key = jwt.PyJWK.from_dict(jwk)
    return jwt.encode(claims, key.key, algorithm="RS256", headers={"kid": jwk["kid"]})
