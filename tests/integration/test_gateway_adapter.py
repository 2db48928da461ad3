"""The local API Gateway adapter: routes from template.yaml, Cognito tokens, proxy events, speed."""

import json
import socket
import time
from pathlib import Path

import httpx
import pytest

from local.auth import InvalidToken, TokenVerifier, as_authorizer_claims
from local.gateway import Gateway, _compile, build_gateway
from local.users import create_demo_users, sign_in

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def users(stack):
    from local.demo import DEMO_USERS

    create_demo_users(stack.user_pool_id, DEMO_USERS)
    return {u["group"]: u for u in DEMO_USERS}


@pytest.fixture(scope="module")
def token(stack, users):
    cache = {}

    def get(group):
        if group not in cache:
            u = users[group]
            cache[group] = sign_in(stack.client_id, u["username"], u["password"])
        return cache[group]

    return get


@pytest.fixture(scope="module")
def api(stack):
    return httpx.Client(transport=httpx.WSGITransport(app=build_gateway(stack)), base_url="http://local")


def test_routes_exact_beat_parameters_beat_proxy():
    exact, _ = _compile("/v1/health")
    param, _ = _compile("/v1/jobs/{job}")
    proxy, _ = _compile("/v1/providers/{proxy+}")
    assert exact.match("/v1/health")
    assert param.match("/v1/jobs/settlement").groupdict() == {"job": "settlement"}
    assert not param.match("/v1/jobs/a/b")
    assert proxy.match("/v1/providers/p1/parts").groupdict() == {"proxy": "p1/parts"}
    ranks = sorted([_compile(p)[1] for p in ("/v1/providers/{proxy+}", "/v1/jobs/{job}", "/v1/health")])
    assert ranks[0] == _compile("/v1/health")[1] and ranks[-1] == _compile("/v1/providers/{proxy+}")[1]


def test_the_handler_gets_the_api_gateway_event(stack, token):
    seen = {}
    gw = build_gateway(stack)
    spec = stack.functions["ProvidersFunction"]
    gw._handlers[spec.logical_id] = lambda ev, ctx: seen.update(ev) or {"statusCode": 200, "body": "{}"}
    client = httpx.Client(transport=httpx.WSGITransport(app=gw), base_url="http://local")
    res = client.get(
        "/v1/providers/prv-x/parts?a=1&a=2&b=3",
        headers={"Authorization": f"Bearer {token('provider_admin')}", "X-Trace": "t"},
    )
    assert res.status_code == 200
    assert seen["resource"] == "/v1/providers/{proxy+}"
    assert seen["pathParameters"] == {"proxy": "prv-x/parts"}
    assert seen["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["3"]}
    assert seen["queryStringParameters"]["a"] == "2"  # API Gateway keeps the last value
    assert seen["headers"]["X-Trace"] == "t"
    # the Lambda authorizer's flat context (functions/authorizer), as API Gateway passes it on
    context = seen["requestContext"]["authorizer"]
    assert context["groups"] == "provider_admin" and context["auth"] == "cognito"
    assert context["provider_id"] == "prv-aurinkohoiva"
    assert context["principalId"] == context["sub"] and isinstance(context["integrationLatency"], int)
    assert all(isinstance(v, str) for k, v in context.items() if k != "integrationLatency")
    assert seen["requestContext"]["stage"] == "test"


def test_binary_bodies_arrive_base64(stack, token):
    seen = {}
    gw = build_gateway(stack)
    gw._handlers["ProvidersFunction"] = lambda ev, ctx: seen.update(ev) or {"statusCode": 204, "body": ""}
    client = httpx.Client(transport=httpx.WSGITransport(app=gw), base_url="http://local")
    client.post(
        "/v1/providers", content=b"\xff\xd8\xff", headers={"Authorization": f"Bearer {token('provider_admin')}"}
    )
    assert seen["isBase64Encoded"] is True and seen["body"] == "/9j/"


def test_no_or_bad_token_is_401_before_any_handler(api, token):
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": token("provider_admin")[:-4] + "AAAA"}):
        res = api.get("/v1/providers/prv-aurinkohoiva", headers=headers)
        assert res.status_code == 401, headers
        assert res.json()["status"] == 401


def test_expired_and_foreign_tokens_are_refused(stack):
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    verifier = TokenVerifier(stack.region, stack.user_pool_id, stack.client_id)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        {"sub": "x", "token_use": "id", "aud": stack.client_id, "iss": verifier.issuer, "exp": int(time.time()) + 60},
        key,
        algorithm="RS256",
        headers={"kid": "dummy"},
    )
    with pytest.raises(InvalidToken):
        verifier.claims(f"Bearer {forged}")
    with pytest.raises(InvalidToken):
        verifier.claims(None)


def test_groups_as_api_gateway_passes_them():
    claims = as_authorizer_claims({"cognito:groups": ["a", "b"], "exp": 1, "email_verified": True})
    assert claims == {"cognito:groups": "a,b", "exp": "1", "email_verified": "true"}


def test_signed_in_requests_reach_the_handlers(api, token):
    res = api.get("/v1/providers/prv-aurinkohoiva", headers={"Authorization": f"Bearer {token('provider_user')}"})
    assert res.status_code == 200 and res.json()["id"] == "prv-aurinkohoiva"
    res = api.get("/v1/providers/prv-koivurinne", headers={"Authorization": f"Bearer {token('provider_user')}"})
    assert res.status_code == 403
    assert res.headers["content-type"] == "application/problem+json"


def test_unknown_paths_and_methods_answer_like_the_gateway(api):
    for method, path in (("GET", "/v1/nothing"), ("DELETE", "/v1/health")):
        res = api.request(method, path)
        assert res.status_code == 404 and res.json()["status"] == 404


def test_a_crashing_handler_is_a_502(stack):
    gw = build_gateway(stack)

    def boom(ev, ctx):
        raise RuntimeError("bug")

    gw._handlers["PublicFunction"] = boom
    client = httpx.Client(transport=httpx.WSGITransport(app=gw), base_url="http://local")
    assert client.get("/v1/health").status_code == 502


def test_real_sockets_do_not_stall(stack):
    """TCP_NODELAY: 30 sequential keep-alive requests finish far below 30 x 44 ms."""
    from local.server import serve_api

    server, _ = serve_api(Gateway(stack, None), 0, verbose=False)
    try:
        port = server.server_address[1]
        with socket.create_connection(("127.0.0.1", port)):
            pass
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
            c.get("/v1/health")
            t = time.perf_counter()
            for _ in range(30):
                assert c.get("/v1/health").status_code == 200
            elapsed = time.perf_counter() - t
    finally:
        server.shutdown()
    assert elapsed < 1.0, f"30 requests took {elapsed:.2f} s"


def test_every_template_route_reaches_a_function(stack):
    gw = build_gateway(stack)
    assert gw.match("GET", "/v1/public/services")[0].function.logical_id == "PublicFunction"
    assert gw.match("POST", "/v1/jobs/settlement")[0].function.logical_id == "JobsFunction"
    assert gw.match("GET", "/v1/jobs/settlement")[0].function.logical_id == "JobsFunction"  # the run's progress
    assert gw.match("DELETE", "/v1/jobs/settlement") is None
    assert gw.match("PATCH", "/v1/events/e1")[0].function.logical_id == "EventsFunction"
    assert stack.gateway_responses["UNAUTHORIZED"][1] == "application/problem+json"
    assert json.loads(stack.gateway_responses["UNAUTHORIZED"][2])["status"] == 401
