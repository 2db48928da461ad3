"""The local API Gateway: routes from the template, the proxy event, Cognito tokens, API Gateway's
own answers, and the HTTP servers in front of it."""

from __future__ import annotations

import base64
import copy
import json
import re
import socket
import time

import httpx
import pytest

from local import gateway as gw_module
from local.auth import InvalidToken, TokenVerifier, api_gateway_claims, fetch_jwks, moto_jwks
from local.gateway import Gateway, _compile, build_gateway, local_event, proxy_event
from local.resources import create_resources
from local.server import placeholder_page, redact, serve_api
from local.site import resolve_path, serve_pointer_site
from tests.integration.conftest_local import (
    FIXTURE_TEMPLATE,
    add_user,
    environment_kept,
    moto_running,
    moto_signed,
    tokens,
    unique_tenant,
)

EMAIL = "kaisa@fx.example"


@pytest.fixture(scope="module")
def fx():
    with moto_running(), environment_kept():
        res = create_resources(
            FIXTURE_TEMPLATE, unique_tenant(), "test", tenant_name="Testikunta", email_from="a@fx.fi"
        )
        add_user(res.user_pool_id, EMAIL, ["admins", "users"], provider_id="prv-1")
        yield res


@pytest.fixture(scope="module")
def signed_in(fx):
    return tokens(fx.client_id, EMAIL)


@pytest.fixture(scope="module")
def gateway(fx):
    return build_gateway(FIXTURE_TEMPLATE, fx, TokenVerifier.for_resources(fx))


@pytest.fixture(scope="module")
def api(gateway):
    with httpx.Client(transport=httpx.WSGITransport(app=gateway), base_url="http://local") as client:
        yield client


def bearer(t: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {t}"}


# ---------------------------------------------------------------- routes


def test_path_templates_rank_fixed_before_param_before_proxy():
    assert _compile("/v1/items/special")[1] < _compile("/v1/items/{id}")[1] < _compile("/v1/items/{proxy+}")[1]
    # segment by segment: /v1/b/{c} is more specific than /v1/{a}/x for /v1/b/x
    assert _compile("/v1/b/{c}")[1] < _compile("/v1/{a}/x")[1]
    assert _compile("/v1/items/{id}")[0].match("/v1/items/a/b") is None
    assert _compile("/v1/t/{proxy+}")[0].match("/v1/t/a/b").groupdict() == {"proxy": "a/b"}


def test_the_most_specific_resource_and_then_its_method_wins(gateway):
    def target(method, path):
        found = gateway.match(method, path)
        return found and (found[0].function.logical_id, found[0].template, found[1])

    assert target("GET", "/v1/items/special") == ("EchoFunction", "/v1/items/special", {})
    assert target("DELETE", "/v1/items/special") == ("OtherFunction", "/v1/items/special", {})
    assert target("GET", "/v1/items/42") == ("EchoFunction", "/v1/items/{id}", {"id": "42"})
    assert target("PATCH", "/v1/items/42") == ("EchoFunction", "/v1/items/{id}", {"id": "42"})  # ANY
    assert target("GET", "/v1/items/4/parts/p") == (
        "EchoFunction",
        "/v1/items/{id}/parts/{part}",
        {"id": "4", "part": "p"},
    )
    assert target("GET", "/v1/things/fixed") == ("OtherFunction", "/v1/things/fixed", {})
    assert target("GET", "/v1/things/a/b") == ("EchoFunction", "/v1/things/{proxy+}", {"proxy": "a/b"})
    # the resource /v1/things/fixed has no POST: API Gateway does not fall back to {proxy+}
    assert target("POST", "/v1/things/fixed") is None
    assert target("DELETE", "/v1/items") is None and target("GET", "/v1/nothing") is None


def test_unknown_routes_get_api_gateways_missing_authentication_token(api):
    for method, path in (("GET", "/v1/nothing"), ("DELETE", "/v1/items"), ("POST", "/v1/things/fixed")):
        res = api.request(method, path)
        assert res.status_code == 403, (method, path)
        assert res.json() == {"message": "Missing Authentication Token"}
        assert res.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"


def test_a_cors_preflight_answers_like_sams_cors_setting(api):
    res = api.options("/v1/items", headers={"Origin": "http://x", "Access-Control-Request-Method": "GET"})
    assert res.status_code == 200 and res.content == b""
    assert res.headers["access-control-allow-origin"] == "*"
    assert res.headers["access-control-allow-methods"] == "GET,OPTIONS"  # the resource's methods
    assert res.headers["access-control-allow-headers"] == "Authorization,Content-Type"
    assert api.options("/v1/nothing").status_code == 403


# ---------------------------------------------------------------- the event


def test_a_public_route_gets_the_rest_proxy_event(api, fx):
    res = api.get("/v1/open/a/b?x=1&x=2&y=&z=%C3%A4", headers={"X-Trace": "t1"})
    assert res.status_code == 200
    out = res.json()
    ev, ctx = out["event"], out["event"]["requestContext"]
    assert (ev["resource"], ev["path"], ev["httpMethod"]) == ("/v1/open/{proxy+}", "/v1/open/a/b", "GET")
    assert ev["pathParameters"] == {"proxy": "a/b"}
    assert ev["multiValueQueryStringParameters"] == {"x": ["1", "2"], "y": [""], "z": ["ä"]}
    assert ev["queryStringParameters"] == {"x": "2", "y": "", "z": "ä"}  # the last value, as API Gateway
    assert ev["headers"]["X-Trace"] == "t1" and ev["multiValueHeaders"]["X-Trace"] == ["t1"]
    assert ev["headers"]["X-Forwarded-Proto"] == "http"
    assert ev["stageVariables"] is None and ev["body"] is None and ev["isBase64Encoded"] is False
    assert ctx["stage"] == "test" and ctx["path"] == "/test/v1/open/a/b"
    assert ctx["resourcePath"] == "/v1/open/{proxy+}" and ctx["httpMethod"] == "GET"
    assert ctx["accountId"] == "123456789012" and ctx["protocol"] == "HTTP/1.1"
    assert ctx["identity"]["sourceIp"] and isinstance(ctx["requestTimeEpoch"], int)
    assert re.fullmatch(r"\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000", ctx["requestTime"])
    assert "authorizer" not in ctx  # a route without an authorizer
    assert res.headers["x-amzn-requestid"] == ctx["requestId"]
    # the context and the environment of the function
    assert out["context"]["function_name"] == f"fx-{fx.tenant_id}-test-echo"
    assert out["context"]["memory_limit_in_mb"] == 256
    assert 0 < out["context"]["remaining_ms"] <= 10_000
    assert out["context"]["invoked_function_arn"].endswith(f":function:fx-{fx.tenant_id}-test-echo")
    assert out["env"] == {"TABLE_NAME": fx.table_name, "TENANT_ID": fx.tenant_id}


def test_bodies_are_text_or_base64_as_api_gateway_passes_them(api):
    def sent(content: bytes, ctype: str) -> dict:
        return api.post("/v1/open/upload", content=content, headers={"Content-Type": ctype}).json()["event"]

    ev = sent(b'{"a": "\xc3\xa4"}', "application/json")
    assert ev["body"] == '{"a": "ä"}' and ev["isBase64Encoded"] is False
    ev = sent(b"%PDF-1.4", "application/pdf")  # a binary media type of the Api
    assert ev["isBase64Encoded"] is True and base64.b64decode(ev["body"]) == b"%PDF-1.4"
    ev = sent(b"\xff\xd8\xff", "application/octet-stream")  # not text at all
    assert ev["isBase64Encoded"] is True and ev["body"] == "/9j/"


def test_repeated_headers_and_parameters_are_multi_valued():
    ev = proxy_event(
        "GET",
        "/x",
        resource="/x",
        headers=[("Accept", "a"), ("X-Multi", "1"), ("X-Multi", "2")],
        query=[("q", "1"), ("q", "2")],
        stage="local",
    )
    assert ev["multiValueHeaders"]["X-Multi"] == ["1", "2"] and ev["headers"]["X-Multi"] == "2"
    assert ev["multiValueQueryStringParameters"] == {"q": ["1", "2"]} and ev["queryStringParameters"] == {"q": "2"}
    assert ev["requestContext"]["path"] == "/local/x"


def test_local_event_resolves_the_route(fx):
    with environment_kept():
        ev = local_event(fx, "GET", "/v1/items/7", claims={"sub": "s"}, query=[("a", "1")])
    assert ev["resource"] == "/v1/items/{id}" and ev["pathParameters"] == {"id": "7"}
    assert ev["requestContext"]["authorizer"] == {"claims": {"sub": "s"}}
    with pytest.raises(LookupError):
        local_event(fx, "GET", "/nowhere")


# ---------------------------------------------------------------- responses


def test_headers_and_multi_value_headers_merge_as_in_api_gateway(api):
    res = api.get("/v1/open/multi")
    assert res.status_code == 201
    assert res.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert res.headers.get_list("x-both") == ["m1", "m2"]  # multiValueHeaders win for a name in both
    assert res.headers["x-one"] == "one"


def test_a_base64_body_is_binary_only_for_the_apis_binary_media_types(api):
    res = api.get("/v1/open/pdf", headers={"Accept": "application/pdf, */*"})
    assert res.content == b"%PDF-1.4\n\xff\xfe"
    for accept in ("application/json", "text/html, application/pdf"):  # only the first Accept type counts
        res = api.get("/v1/open/pdf", headers={"Accept": accept})
        assert base64.b64decode(res.content) == b"%PDF-1.4\n\xff\xfe"  # AWS sends the base64 text then


def test_a_crashing_or_malformed_function_is_a_502(api, capsys):
    for path in ("/v1/open/crash", "/v1/open/malformed"):
        res = api.get(path)
        assert res.status_code == 502 and res.json() == {"message": "Internal server error"}, path
    err = capsys.readouterr().err
    assert "the handler crashed on purpose" in err and "malformed Lambda proxy response" in err


def test_timeouts_and_sizes_are_api_gateways(fx, monkeypatch):
    res = copy.deepcopy(fx)
    res.functions["EchoFunction"].timeout = 0  # every call is over it
    with environment_kept():
        client = httpx.Client(transport=httpx.WSGITransport(app=build_gateway(res)), base_url="http://l")
    assert client.get("/v1/open").status_code == 502  # Lambda's timeout: a failed function
    monkeypatch.setattr(gw_module, "API_GATEWAY_TIMEOUT_S", 0)
    res.functions["EchoFunction"].timeout = 10
    answer = client.get("/v1/open")
    assert answer.status_code == 504 and answer.json() == {"message": "Endpoint request timed out"}
    monkeypatch.setattr(gw_module, "MAX_REQUEST_BYTES", 10)
    answer = client.post("/v1/open/x", content=b"x" * 11)
    assert answer.status_code == 413 and answer.json() == {"message": "Request Too Long"}


def test_functions_load_on_first_use_and_warm_loads_all(fx):
    with environment_kept():
        g = build_gateway(fx)
        assert g._handlers == {}
        client = httpx.Client(transport=httpx.WSGITransport(app=g), base_url="http://l")
        assert client.get("/v1/open").json()["fn"] == "echo"
        assert set(g._handlers) == {"EchoFunction"}
        g.warm()
        assert set(g._handlers) == {"EchoFunction", "OtherFunction"}
        out = g.invoke("EchoFunction", {"job": "tidy", "path": "/"})
    assert json.loads(out["body"])["event"] == {"job": "tidy", "path": "/"}


# ---------------------------------------------------------------- Cognito


def test_requests_without_a_valid_token_never_reach_the_handler(api, gateway, fx, signed_in):
    now = int(time.time())
    base = {"sub": "s", "token_use": "id", "aud": fx.client_id, "iss": gateway.verifier.issuer, "iat": now}
    expired = moto_signed({**base, "exp": now - 60})
    foreign_aud = moto_signed({**base, "aud": "another-client", "exp": now + 600})
    before = gateway.requests
    for headers, message in (
        ({}, "Unauthorized"),
        ({"Authorization": ""}, "Unauthorized"),
        ({"Authorization": "Bearer nonsense"}, "Unauthorized"),
        (bearer(signed_in["IdToken"][:-6] + "AAAAAA"), "Unauthorized"),  # a broken signature
        (bearer(signed_in["AccessToken"]), "Unauthorized"),  # an access token: no scopes on the method
        (bearer(foreign_aud), "Unauthorized"),
        (bearer(expired), "The incoming token has expired"),
    ):
        res = api.get("/v1/items", headers=headers)
        assert res.status_code == 401, headers
        assert res.json() == {"message": message}
        assert res.headers["x-amzn-errortype"] == "UnauthorizedException"
    assert gateway.requests == before


def test_a_token_from_another_key_is_refused(fx):
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    verifier = TokenVerifier.for_resources(fx)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {"sub": "x", "token_use": "id", "aud": fx.client_id, "iss": verifier.issuer, "exp": int(time.time()) + 60}
    kid = moto_jwks()["keys"][0]["kid"]
    for headers in ({"kid": kid}, {"kid": "unknown"}):
        with pytest.raises(InvalidToken):
            verifier.claims(jwt.encode(claims, key, algorithm="RS256", headers=headers))


def test_a_real_id_token_passes_its_claims_as_the_rest_authorizer_does(api, signed_in):
    for authorization in (f"Bearer {signed_in['IdToken']}", signed_in["IdToken"]):  # with or without Bearer
        res = api.get("/v1/items", headers={"Authorization": authorization})
        assert res.status_code == 200
        claims = res.json()["event"]["requestContext"]["authorizer"]["claims"]
        assert all(isinstance(v, str) for v in claims.values())
        assert set(claims["cognito:groups"].split(",")) == {"admins", "users"}  # comma-separated
        assert claims["custom:provider_id"] == "prv-1" and claims["email"] == EMAIL
        assert claims["token_use"] == "id" and claims["cognito:username"]
        assert re.fullmatch(r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4}", claims["exp"])
        assert claims["auth_time"].isdigit()


def test_claims_format():
    claims = api_gateway_claims(
        {"cognito:groups": ["a", "b"], "exp": 1469814773, "iat": 0, "auth_time": 5, "email_verified": True}
    )
    assert claims == {
        "cognito:groups": "a,b",
        "exp": "Fri Jul 29 17:52:53 UTC 2016",
        "iat": "Thu Jan 01 00:00:00 UTC 1970",
        "auth_time": "5",
        "email_verified": "true",
    }


def test_a_token_signed_in_through_the_emulators_server_is_accepted(fx):
    # Given the emulator's server, as the CLI in another process reaches it
    from local import emulator

    with environment_kept():
        em = emulator.start(with_server=True)
        try:
            # When a user signs in there (the same pool: the server shares the in-process state)
            token = tokens(fx.client_id, EMAIL, endpoint_url=em.endpoint)["IdToken"]
            jwks = fetch_jwks(em.endpoint, fx.user_pool_id)
        finally:
            em.stop()
    # Then the gateway's verifier takes the token, and moto's JWKS is the one it ships
    assert TokenVerifier.for_resources(fx).claims(f"Bearer {token}")["email"] == EMAIL
    assert {k["kid"] for k in jwks["keys"]} == {k["kid"] for k in moto_jwks()["keys"]}


# ---------------------------------------------------------------- the servers


def _hello(environ, start_response):
    body = b"hello " + environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


def test_requests_do_not_stall_with_keep_alive_or_new_connections():
    """TCP_NODELAY and one write per response: 20 requests take far less than 20 x 40 ms."""
    server, _ = serve_api(_hello, 0, verbose=False)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with httpx.Client() as c:
            c.get(url)
            t = time.perf_counter()
            for _ in range(20):
                assert c.post(url, content=b"x").text == "hello x"
            keep_alive = time.perf_counter() - t
        t = time.perf_counter()
        for _ in range(20):
            with httpx.Client() as c:
                assert c.get(url, headers={"Connection": "close"}).status_code == 200
        fresh = time.perf_counter() - t
    finally:
        server.shutdown()
    # a stall (Nagle + delayed ACK, a blocking accept) costs ~200 ms a request: 4 s for 20
    assert keep_alive < 2.5, f"20 keep-alive requests took {keep_alive:.2f} s"
    assert fresh < 2.5, f"20 new connections took {fresh:.2f} s"


def test_one_connection_serves_several_requests_and_chunked_bodies():
    server, _ = serve_api(_hello, 0, verbose=False)
    try:
        with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            first = s.recv(4096)
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
            second = s.recv(4096)
            s.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            third = s.recv(4096)
    finally:
        server.shutdown()
    assert first.startswith(b"HTTP/1.1 200") and first.endswith(b"hello ")
    assert second.endswith(b"hello abc")
    assert third.startswith(b"HTTP/1.1 200") and b"Content-Length: 6" in third and third.endswith(b"\r\n\r\n")


def test_the_served_gateway_keeps_header_case_and_repeats(gateway):
    lines: list[str] = []
    server, _ = serve_api(gateway, 0, log=lines.append)
    try:
        port = server.server_address[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET /v1/open/010190-123A?hetu=010190-123A HTTP/1.1\r\nHost: x\r\nx-multi: 1\r\nX-Multi: 2\r\n")
            s.sendall(b"Connection: close\r\n\r\n")
            raw = b""
            while chunk := s.recv(65536):
                raw += chunk
    finally:
        server.shutdown()
    ev = json.loads(raw.split(b"\r\n\r\n", 1)[1])["event"]
    assert ev["multiValueHeaders"]["x-multi"] == ["1"] and ev["multiValueHeaders"]["X-Multi"] == ["2"]
    assert ev["multiValueHeaders"]["Host"] == ["x"]
    # one line per request; no identity code and no query string in it
    assert lines == [lines[0]] and lines[0].startswith("GET /v1/open/******-**** 200")
    assert "010190" not in lines[0] and redact("/c/131052-308T/x") == "/c/******-****/x"


def test_the_site_server_shows_a_placeholder_until_the_site_is_built():
    live: dict[str, bytes] = {}  # what the pointer's builds hold (the bucket reader, locally)

    def read(path: str):
        return (live[path], "text/html; charset=utf-8") if path in live else None

    server, _ = serve_pointer_site(
        0, read, placeholder=lambda: placeholder_page("Testikunta", ["Kotihoito <A>"], "http://api")
    )
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        first = httpx.get(url + "/")
        live["index.html"] = b"<h1>built</h1>"
        live["fi/index.html"] = b"<h1>fi</h1>"
        second = httpx.get(url + "/")
        missing = httpx.get(url + "/nope.css")
        directory = httpx.get(url + "/fi")  # as on S3 behind CloudFront: the slash added
    finally:
        server.shutdown()
    assert first.status_code == 200 and "Kotihoito &lt;A&gt;" in first.text and "Testikunta" in first.text
    assert second.text == "<h1>built</h1>" and missing.status_code == 404
    assert directory.status_code == 301 and directory.headers["location"] == "/fi/"
    assert resolve_path("/fi/../../etc/passwd") is None and resolve_path("/fi/") == "fi/index.html"


def test_build_gateway_takes_resources_alone_or_a_template(fx):
    with environment_kept():
        assert isinstance(build_gateway(fx), Gateway)
        verifier = TokenVerifier.for_resources(fx)
        assert build_gateway(fx, verifier).verifier is verifier
        assert build_gateway(FIXTURE_TEMPLATE, fx, verifier).match("GET", "/v1/open") is not None
        with pytest.raises(TypeError):
            build_gateway(FIXTURE_TEMPLATE)
