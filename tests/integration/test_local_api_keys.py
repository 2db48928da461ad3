"""An API key end to end through the local API Gateway: the Lambda authorizer from template.yaml is
invoked as API Gateway invokes it, its answer is cached per Authorization header, and the handler
sees the key as its provider's admin."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest

from local.gateway import build_gateway
from tests.factories import new_provider
from tests.integration.conftest_local import add_user, tokens


@pytest.fixture(scope="module")
def gateway(stack):
    return build_gateway(stack)


@pytest.fixture(scope="module")
def api(gateway):
    with httpx.Client(transport=httpx.WSGITransport(app=gateway), base_url="http://local") as client:
        yield client


@pytest.fixture(scope="module")
def admin(stack):
    """A fresh provider and the ID token of its admin, signed in at the local pool."""
    from seteli.store import repositories

    pid, _ = new_provider(repositories())
    email = f"admin-{uuid.uuid4().hex[:8]}@keys.example"
    add_user(stack.user_pool_id, email, ["provider_admin"], provider_id=pid)
    return pid, {"Authorization": f"Bearer {tokens(stack.client_id, email)['IdToken']}"}


def _expires(days: int = 30) -> str:
    from seteli.services.api_keys import today

    return (today() + timedelta(days=days)).isoformat()


def test_an_api_key_works_end_to_end_until_revoked(stack, api, gateway, admin):
    pid, bearer = admin
    # Given a key the provider's admin created through the gateway
    res = api.post(f"/v1/providers/{pid}/api-keys", json={"name": "ERP", "expires_on": _expires()}, headers=bearer)
    assert res.status_code == 201, res.text
    key_id, key = res.json()["id"], res.json()["key"]
    as_key = {"Authorization": f"ApiKey {key}"}
    # When the provider's system calls with it, then it acts as the provider's admin
    res = api.get(f"/v1/providers/{pid}", headers=as_key)
    assert res.status_code == 200 and res.json()["id"] == pid
    assert api.get("/v1/providers/prv-koivurinne", headers=as_key).status_code == 403
    # but it cannot mint keys
    res = api.post(f"/v1/providers/{pid}/api-keys", json={"name": "x", "expires_on": _expires()}, headers=as_key)
    assert res.status_code == 403 and res.headers["content-type"] == "application/problem+json"
    # When the admin revokes it
    assert api.delete(f"/v1/providers/{pid}/api-keys/{key_id}", headers=bearer).json()["status"] == "revoked"
    # Then, once the cached answer is gone (ReauthorizeEvery), the gateway refuses it before any handler
    gateway._auth_cache.clear()
    before = gateway.requests
    res = api.get(f"/v1/providers/{pid}", headers=as_key)
    assert res.status_code == 401 and res.json()["status"] == 401
    assert gateway.requests == before


def test_the_authorizer_answer_is_cached_per_header_and_bad_keys_are_401(stack, admin):
    pid, bearer = admin
    gw = build_gateway(stack)
    calls = []
    real = gw._handler(stack.functions["AuthorizerFunction"])

    def counting(event, context):
        calls.append(event)
        return real(event, context)

    gw._handlers["AuthorizerFunction"] = counting
    client = httpx.Client(transport=httpx.WSGITransport(app=gw), base_url="http://local")
    for _ in range(3):
        assert client.get(f"/v1/providers/{pid}", headers=bearer).status_code == 200
    assert len(calls) == 1  # cached for ReauthorizeEvery across requests
    (event,) = calls
    assert event["type"] == "REQUEST" and event["headers"]["Authorization"] == bearer["Authorization"]
    assert event["methodArn"].endswith(f"/test/GET/v1/providers/{pid}")
    for headers in ({}, {"Authorization": ""}, {"Authorization": "ApiKey seteli_nope"}, {"Authorization": "Bearer x"}):
        res = client.get(f"/v1/providers/{pid}", headers=headers)
        assert res.status_code == 401 and res.headers["content-type"] == "application/problem+json", headers
    assert len(calls) == 3  # no call without the header; refusals are not cached
    assert client.get("/v1/health").status_code == 200  # open routes need nothing


def test_the_authorizer_fetches_the_pools_jwks_from_the_emulators_server(stack):
    """As in `make run`: COGNITO_ENDPOINT_URL points at moto's server, which serves the pool's JWKS."""
    import sys
    import time

    from local import emulator
    from seteli.config import Settings
    from tests.conftest import load_function
    from tests.integration.conftest_local import environment_kept, moto_signed

    load_function("authorizer")
    module = sys.modules["seteli_fn_authorizer"]
    given = module._static_keys
    now = int(time.time())
    iss = f"https://cognito-idp.{stack.region}.amazonaws.com/{stack.user_pool_id}"
    token = moto_signed({"sub": "s", "token_use": "id", "aud": stack.client_id, "iss": iss, "exp": now + 60})
    with environment_kept():
        em = emulator.start(with_server=True)
        try:
            module.use_jwks(None)
            s = Settings.from_env().model_copy(update={"cognito_endpoint_url": em.endpoint})
            assert module.verify_token(token, s)["sub"] == "s"
            assert module.jwks_url(s) in module._jwk_clients  # fetched once, kept for the next requests
        finally:
            module._static_keys = given
            em.stop()
