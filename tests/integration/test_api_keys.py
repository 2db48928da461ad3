"""API keys through the real providers handler and the real authorizer, on moto."""

from __future__ import annotations

import sys
import time
import uuid
from datetime import timedelta

import pytest

from tests.conftest import load_function
from tests.factories import new_provider, provider_claims
from tests.integration.apigw import call, claims_for, event
from tests.integration.conftest_local import add_user, moto_signed, tokens

pytestmark = pytest.mark.usefixtures("stack")

METHOD_ARN = "arn:aws:execute-api:eu-north-1:123456789012:abc123/test/GET/v1/providers/prv-x"


def _today():
    from seteli.services.api_keys import today

    return today()


def _in(days: int) -> str:
    return (_today() + timedelta(days=days)).isoformat()


def _keys(pid: str) -> str:
    return f"/v1/providers/{pid}/api-keys"


@pytest.fixture
def company():
    from seteli.store import repositories

    pid, _ = new_provider(repositories())
    return pid, provider_claims(pid, "provider_admin")


def _create(fn, pid, claims, name="Toiminnanohjaus", days=180):
    return call(fn("providers"), event("POST", _keys(pid), body={"name": name, "expires_on": _in(days)}, claims=claims))


def _key_event(method, path, context, body=None):
    """An event as our Lambda authorizer hands it over: a flat context, not Cognito claims."""
    ev = event(method, path, body=body)
    ev["requestContext"]["authorizer"] = {**context, "principalId": context["sub"], "integrationLatency": 5}
    return ev


@pytest.fixture
def authorizer():
    from local.auth import moto_jwks

    handler = load_function("authorizer")
    module = sys.modules["seteli_fn_authorizer"]
    module.use_jwks(moto_jwks())
    yield handler
    module.use_jwks(None)


def _authorize(authorizer, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    return authorizer({"type": "REQUEST", "methodArn": METHOD_ARN, "headers": headers}, None)


# ---------------------------------------------------------------- create, list, revoke


def test_an_admin_creates_a_key_shown_once_and_stored_as_a_hash(fn, company):
    from seteli.rules.api_keys import hash_key, parse_key
    from seteli.store import keys
    from seteli.store.models import DocItem

    pid, admin = company
    status, headers, body = _create(fn, pid, admin)
    assert status == 201, body
    key = body["key"]
    assert parse_key(key) == body["id"] and body["status"] == "active" and body["provider_id"] == pid
    assert body["expires_on"] == _in(180) and body["last4"] == key[-4:] and body["created_by"] == admin["sub"]
    assert headers["location"].endswith(f"/api-keys/{body['id']}") and headers["cache-control"] == "no-store"
    item = DocItem.get(keys.api_key_pk(body["id"]), keys.API_KEY_SK)
    assert key not in item.document and key.split("_", 2)[2] not in item.document  # the secret may hold "_"
    assert hash_key(key) in item.document and item.gsi1pk == keys.provider_api_keys_gsi1pk(pid)
    # the list never shows a key or a hash
    status, _, listed = call(fn("providers"), event("GET", _keys(pid), claims=admin))
    assert status == 200 and [k["id"] for k in listed["items"]] == [body["id"]]
    assert "key" not in listed["items"][0] and "hash" not in listed["items"][0]


@pytest.mark.parametrize(
    ("expires_on", "why"),
    [(0, "after today"), (-3, "after today"), (366, "365"), ("2026-13-01", None), ("1.1.2027", None), (None, None)],
)
def test_a_bad_expiry_is_422_naming_the_field(fn, company, expires_on, why):
    pid, admin = company
    body = {"name": "ERP"}
    if expires_on is not None:
        body["expires_on"] = _in(expires_on) if isinstance(expires_on, int) else expires_on
    status, _, problem = call(fn("providers"), event("POST", _keys(pid), body=body, claims=admin))
    assert status == 422, problem
    fields = {e["field"]: e["message"] for e in problem["errors"]}
    assert "body.expires_on" in fields
    if why:
        assert why in fields["body.expires_on"]


def test_revoking_keeps_the_key_for_audit(fn, company):
    pid, admin = company
    _, _, created = _create(fn, pid, admin)
    path = f"{_keys(pid)}/{created['id']}"
    status, _, revoked = call(fn("providers"), event("DELETE", path, claims=admin))
    assert status == 200 and revoked["status"] == "revoked" and revoked["revoked_by"] == admin["sub"]
    assert revoked["revoked_at"] and revoked["version"] == created["version"] + 1
    again = call(fn("providers"), event("DELETE", path, claims=admin))
    assert again[0] == 200 and again[2]["revoked_at"] == revoked["revoked_at"]  # idempotent, no second write
    _, _, listed = call(fn("providers"), event("GET", _keys(pid), claims=admin))
    assert [(k["id"], k["status"]) for k in listed["items"]] == [(created["id"], "revoked")]
    assert call(fn("providers"), event("DELETE", f"{_keys(pid)}/nosuchkey000", claims=admin))[0] == 404


def test_a_concurrent_revoke_is_409(fn, company):
    from seteli.errors import Conflict
    from seteli.store import repositories

    pid, admin = company
    _, _, created = _create(fn, pid, admin)
    repos = repositories()
    stale = repos.api_keys.get(created["id"])
    repos.api_keys.update(stale.model_copy(update={"name": "renamed"}))
    with pytest.raises(Conflict):
        repos.api_keys.update(stale.model_copy(update={"name": "stale write"}))


def test_a_municipality_admin_lists_and_revokes_but_does_not_create(fn, company):
    pid, admin = company
    _, _, created = _create(fn, pid, admin)
    muni = claims_for("municipality_admin")
    assert call(fn("providers"), event("GET", _keys(pid), claims=muni))[0] == 200
    assert _create(fn, pid, muni)[0] == 403
    assert call(fn("providers"), event("DELETE", f"{_keys(pid)}/{created['id']}", claims=muni))[0] == 200
    for group in ("case_worker", "citizen"):
        assert call(fn("providers"), event("GET", _keys(pid), claims=claims_for(group)))[0] == 403


def test_another_provider_and_a_provider_user_get_403(fn, company):
    from seteli.store import repositories

    pid, admin = company
    _, _, created = _create(fn, pid, admin)
    other_pid, _ = new_provider(repositories())
    other_admin = provider_claims(other_pid, "provider_admin")
    user = provider_claims(pid, "provider_user")
    for claims in (other_admin, user):
        assert _create(fn, pid, claims)[0] == 403
        assert call(fn("providers"), event("GET", _keys(pid), claims=claims))[0] == 403
        assert call(fn("providers"), event("DELETE", f"{_keys(pid)}/{created['id']}", claims=claims))[0] == 403
    # another provider's admin cannot revoke this key through its own path either
    assert call(fn("providers"), event("DELETE", f"{_keys(other_pid)}/{created['id']}", claims=other_admin))[0] == 404
    # a provider that does not exist: still 403 for a foreign admin (nothing is read), 404 for "its" admin
    ghost = f"prv-ghost{uuid.uuid4().hex[:6]}"
    assert _create(fn, ghost, admin)[0] == 403
    assert _create(fn, ghost, provider_claims(ghost, "provider_admin"))[0] == 404


def test_a_passivated_admin_cannot_create_keys(fn, company):
    from seteli.domain.users import ProviderUser, UserRole
    from seteli.store import repositories
    from seteli.store.base import now

    pid, admin = company
    repositories().users.create(
        ProviderUser(
            subject=admin["sub"],
            provider_id=pid,
            email=admin["email"],
            name="Entinen",
            role=UserRole.provider_admin,
            active=False,
            created_at=now(),
            updated_at=now(),
        )
    )
    status, _, problem = _create(fn, pid, admin)
    assert status == 403 and "no longer an active admin" in problem["detail"]


def test_a_key_cannot_mint_list_or_revoke_keys(fn, company, authorizer):
    pid, admin = company
    _, _, created = _create(fn, pid, admin)
    context = _authorize(authorizer, f"ApiKey {created['key']}")["context"]
    ev = _key_event("POST", _keys(pid), context, body={"name": "child", "expires_on": _in(10)})
    status, _, problem = call(fn("providers"), ev)
    assert status == 403 and "API key" in problem["detail"]
    assert call(fn("providers"), _key_event("GET", _keys(pid), context))[0] == 403
    assert call(fn("providers"), _key_event("DELETE", f"{_keys(pid)}/{created['id']}", context))[0] == 403
    # but it reads its provider's data as the provider's admin would
    status, _, provider = call(fn("providers"), _key_event("GET", f"/v1/providers/{pid}", context))
    assert status == 200 and provider["id"] == pid


# ---------------------------------------------------------------- the authorizer


def test_a_valid_key_is_allowed_with_its_providers_context(fn, company, authorizer):
    pid, admin = company
    _, _, created = _create(fn, pid, admin, name="ERP")
    answer = _authorize(authorizer, f"ApiKey {created['key']}")
    assert answer["principalId"] == f"apikey:{created['id']}"
    (statement,) = answer["policyDocument"]["Statement"]
    assert statement == {
        "Action": "execute-api:Invoke",
        "Effect": "Allow",
        "Resource": "arn:aws:execute-api:eu-north-1:123456789012:abc123/test/*/*",
    }
    assert answer["context"] == {
        "sub": f"apikey:{created['id']}",
        "username": "api key ERP",
        "email": "",
        "groups": "provider_admin",
        "provider_id": pid,
        "auth": "api_key",
        "key_id": created["id"],
    }
    assert all(isinstance(v, str) for v in answer["context"].values())


def test_revoked_expired_wrong_and_garbage_keys_are_unauthorized(fn, company, authorizer):
    from seteli.store import repositories

    pid, admin = company
    _, _, revoked = _create(fn, pid, admin)
    call(fn("providers"), event("DELETE", f"{_keys(pid)}/{revoked['id']}", claims=admin))
    _, _, expired = _create(fn, pid, admin)
    repos = repositories()
    old = repos.api_keys.get(expired["id"])
    repos.api_keys.update(old.model_copy(update={"expires_on": _today() - timedelta(days=1)}))
    _, _, good = _create(fn, pid, admin)
    secret = good["key"]
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    unknown = f"seteli_zzzzzzzzzzzz_{secret[-43:]}"  # well-formed, no such key
    for authorization in (
        f"ApiKey {revoked['key']}",
        f"ApiKey {expired['key']}",
        f"ApiKey {wrong}",
        f"ApiKey {unknown}",
        "ApiKey garbage",
        "ApiKey ",
        f"Basic {secret}",
        "",
        None,
    ):
        with pytest.raises(Exception, match="^Unauthorized$"):
            _authorize(authorizer, authorization)
    assert _authorize(authorizer, f"apikey {secret}")["context"]["key_id"] == good["id"]  # scheme any case


def test_a_cognito_id_token_from_the_pool_is_allowed_with_its_groups(stack, authorizer):
    email = f"kaisa-{uuid.uuid4().hex[:8]}@auth.example"
    add_user(stack.user_pool_id, email, ["provider_admin", "provider_user"], provider_id="prv-tok")
    signed = tokens(stack.client_id, email)
    for authorization in (f"Bearer {signed['IdToken']}", signed["IdToken"]):
        answer = _authorize(authorizer, authorization)
        ctx = answer["context"]
        assert ctx["auth"] == "cognito" and ctx["email"] == email and ctx["provider_id"] == "prv-tok"
        assert set(ctx["groups"].split(",")) == {"provider_admin", "provider_user"}
        assert answer["principalId"] == ctx["sub"] and ctx["username"]
    with pytest.raises(Exception, match="^Unauthorized$"):
        _authorize(authorizer, f"Bearer {signed['AccessToken']}")  # not an ID token


def test_expired_forged_and_foreign_tokens_are_unauthorized(stack, authorizer):
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    now = int(time.time())
    iss = f"https://cognito-idp.{stack.region}.amazonaws.com/{stack.user_pool_id}"
    base = {"sub": "s", "token_use": "id", "aud": stack.client_id, "iss": iss, "iat": now, "exp": now + 600}
    assert _authorize(authorizer, f"Bearer {moto_signed(base)}")["context"]["sub"] == "s"  # the control
    forged = jwt.encode(base, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256")
    for token in (
        moto_signed({**base, "exp": now - 60}),
        moto_signed({**base, "aud": "another-client"}),
        moto_signed({**base, "iss": "https://cognito-idp.eu-north-1.amazonaws.com/eu-north-1_other"}),
        moto_signed({**base, "token_use": "access"}),
        forged,
        "nonsense",
    ):
        with pytest.raises(Exception, match="^Unauthorized$"):
            _authorize(authorizer, f"Bearer {token}")


def test_the_jwks_url_is_the_pools_or_the_emulators():
    load_function("authorizer")
    module = sys.modules["seteli_fn_authorizer"]
    from seteli.config import Settings

    s = Settings(tenant_id="t", table_name="x", region="eu-north-1", user_pool_id="eu-north-1_abc")
    assert module.jwks_url(s) == "https://cognito-idp.eu-north-1.amazonaws.com/eu-north-1_abc/.well-known/jwks.json"
    local = s.model_copy(update={"cognito_endpoint_url": "http://127.0.0.1:5000/"})
    assert module.jwks_url(local) == "http://127.0.0.1:5000/eu-north-1_abc/.well-known/jwks.json"
    assert module.api_arn("arn:aws:execute-api:r:1:api/prod/POST/v1/x/y") == "arn:aws:execute-api:r:1:api/prod/*/*"


def test_a_key_reads_itself_and_users_get_404(fn, company, authorizer):
    pid, admin = company
    _, _, created = _create(fn, pid, admin, name="Kassa")
    context = _authorize(authorizer, f"ApiKey {created['key']}")["context"]
    status, _, me = call(fn("providers"), _key_event("GET", "/v1/providers/api-keys/current", context))
    assert status == 200 and me["id"] == created["id"] and me["name"] == "Kassa" and me["provider_id"] == pid
    assert "key" not in me and "hash" not in me
    assert call(fn("providers"), event("GET", "/v1/providers/api-keys/current", claims=admin))[0] == 404
