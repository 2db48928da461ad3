"""An HTTP adapter that behaves like API Gateway (REST API, Lambda proxy integration, payload 1.0)
in front of the handlers.

Routes come from the functions' `Api` events in template.yaml: the most specific resource wins
(segment by segment, a fixed segment before a ``{param}`` before a greedy ``{proxy+}``), then the
method (an explicit one before ``ANY``). For each request it answers a CORS preflight the way SAM's
``Cors`` setting does, authorises the request when the route needs it (the gateway's UNAUTHORIZED
answer otherwise, before any handler runs), builds the proxy event API Gateway would send, calls the
function's ``lambda_handler(event, context)`` and turns the proxy response back into HTTP.

Authorising follows the API's default authorizer in the template: a Lambda REQUEST authorizer
(``FunctionArn``) is invoked as API Gateway invokes it (a ``REQUEST`` event with the headers and the
``methodArn``; a missing identity header is a 401 without a call; its policy must allow the method;
its ``context`` becomes ``requestContext.authorizer``; the answer is cached per identity for
``ReauthorizeEvery`` seconds), a Cognito user pool authorizer (``UserPoolArn``) is a local check of
the ID token (``local.auth.TokenVerifier``).

API Gateway's own answers (unknown route, 401, failed function, timeout, too large) are the
template's ``GatewayResponses``, else AWS's defaults.

Use it as a WSGI app (local/server.py serves it; httpx.WSGITransport drives it in tests):

    gateway = build_gateway(resources)                       # or build_gateway(template, resources, verifier)
    client = httpx.Client(transport=httpx.WSGITransport(app=gateway), base_url="http://local")
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import importlib.util
import json
import os
import re
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from local import template as tpl
from local.auth import InvalidToken, TokenVerifier, moto_jwks
from local.resources import ACCOUNT_ID, FunctionSpec, GatewayResponse, LocalResources

ROOT = Path(__file__).resolve().parent.parent
API_GATEWAY_TIMEOUT_S = 29  # the REST API integration timeout
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
MAX_LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024  # a synchronous Lambda response
Headers = list[tuple[str, str]]


# ---------------------------------------------------------------- the event and the context


def _media_matches(media: str | None, patterns: list[str]) -> bool:
    if not media or not patterns:
        return False
    types = [m.split(";")[0].strip().lower() for m in media.split(",")]
    return any(fnmatch.fnmatch(t, p.lower()) for t in types if t for p in patterns)


def _header(headers: Headers | None, name: str) -> str | None:
    return next((v for k, v in reversed(headers or []) if k.lower() == name.lower()), None)


def proxy_event(
    method: str,
    path: str,
    *,
    resource: str,
    path_params: dict[str, str] | None = None,
    query: list[tuple[str, str]] | None = None,
    headers: Headers | None = None,
    body: bytes | str | None = None,
    claims: dict[str, str] | None = None,
    stage: str = "local",
    source_ip: str = "127.0.0.1",
    binary_media_types: list[str] | None = None,
    request_id: str | None = None,
    now: float | None = None,
    authorizer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The REST API proxy event (payload version 1.0) for one request.

    ``headers``/``queryStringParameters`` keep the last value of a repeated name, the
    ``multiValue...`` maps all of them; empty maps are ``null``, as API Gateway sends them. A body is
    base64 (``isBase64Encoded``) when its Content-Type is one of the API's binary media types, or
    when it is not UTF-8 text at all.
    """
    mvh: dict[str, list[str]] = {}
    for k, v in headers or []:
        mvh.setdefault(k, []).append(v)
    mvq: dict[str, list[str]] = {}
    for k, v in query or []:
        mvq.setdefault(k, []).append(v)
    is_b64 = False
    if isinstance(body, bytes):
        if body and _media_matches(_header(headers, "Content-Type"), binary_media_types or []):
            body, is_b64 = base64.b64encode(body).decode(), True
        else:
            try:
                body = body.decode("utf-8")
            except UnicodeDecodeError:
                body, is_b64 = base64.b64encode(body).decode(), True
    now = time.time() if now is None else now
    host = _header(headers, "Host") or "127.0.0.1"
    context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": "local",
        "domainName": host,
        "domainPrefix": host.split(".")[0].split(":")[0],
        "extendedRequestId": uuid.uuid4().hex[:16] + "=",
        "httpMethod": method,
        "identity": {
            "accessKey": None,
            "accountId": None,
            "apiKey": None,
            "apiKeyId": None,
            "caller": None,
            "clientCert": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": source_ip,
            "user": None,
            "userAgent": _header(headers, "User-Agent"),
            "userArn": None,
        },
        "path": f"/{stage}{path}",
        "protocol": "HTTP/1.1",
        "requestId": request_id or str(uuid.uuid4()),
        "requestTime": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": int(now * 1000),
        "resourceId": hashlib.sha1(resource.encode(), usedforsecurity=False).hexdigest()[:6],
        "resourcePath": resource,
        "stage": stage,
    }
    if claims:
        context["authorizer"] = {"claims": claims}
    elif authorizer:
        context["authorizer"] = authorizer  # a Lambda authorizer's context, principalId, integrationLatency
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {k: v[-1] for k, v in mvh.items()} or None,
        "multiValueHeaders": mvh or None,
        "queryStringParameters": {k: v[-1] for k, v in mvq.items()} or None,
        "multiValueQueryStringParameters": mvq or None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": context,
        "body": body if body not in ("", None) else None,
        "isBase64Encoded": is_b64,
    }


class LambdaContext:
    """What Lambda hands a handler as ``context`` (the attributes powertools and our code read)."""

    def __init__(
        self,
        function_name: str,
        timeout_s: int = API_GATEWAY_TIMEOUT_S,
        memory_mb: int = 1024,
        region: str = "eu-north-1",
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]local"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def context_for(spec: FunctionSpec, region: str = "eu-north-1") -> LambdaContext:
    return LambdaContext(spec.function_name or spec.logical_id, spec.timeout, spec.memory, region)


# ---------------------------------------------------------------- routes


@dataclass
class Route:
    function: FunctionSpec
    template: str
    method: str
    auth: bool
    regex: re.Pattern
    rank: tuple


def _compile(path: str) -> tuple[re.Pattern, tuple]:
    """The path template as a regex, and its rank: lower ranks are more specific."""
    pattern, kinds, greedy = "", [], False
    for segment in path.strip("/").split("/") if path.strip("/") else []:
        m = re.fullmatch(r"\{([^}]+)\}", segment)
        if m is None:
            pattern += "/" + re.escape(segment)
            kinds.append(0)
        elif m.group(1).endswith("+"):
            pattern += f"/(?P<{m.group(1)[:-1]}>.+)"
            kinds.append(2)
            greedy = True
        else:
            pattern += f"/(?P<{m.group(1)}>[^/]+)"
            kinds.append(1)
    # segment by segment: a fixed segment beats {param}, which beats {proxy+}
    return re.compile(f"^{pattern or '/'}$"), (greedy, tuple(kinds))


def _module_name(spec: FunctionSpec) -> str:
    name = f"seteli_fn_{spec.code_dir.name}"
    if spec.code_dir == ROOT / "functions" / spec.code_dir.name:
        return name  # the same module the test suite's own loader imports
    return f"{name}_{hashlib.sha1(str(spec.code_dir).encode(), usedforsecurity=False).hexdigest()[:8]}"


def load_handler(spec: FunctionSpec):
    """Import ``<CodeUri>/<module>.py`` (once, under a name unique to the function) and return the handler."""
    module_file, func = spec.handler.rsplit(".", 1)
    unique = _module_name(spec)
    module = sys.modules.get(unique)
    if module is None:
        ms = importlib.util.spec_from_file_location(unique, spec.code_dir / f"{module_file.replace('.', '/')}.py")
        if ms is None or ms.loader is None:
            raise ImportError(f"no {module_file}.py in {spec.code_dir}")
        module = importlib.util.module_from_spec(ms)
        sys.modules[unique] = module
        # Lambda puts the code directory on sys.path: a handler may import its sibling modules
        # (named <context>_<what>.py, so that two functions' siblings never share a name).
        if str(spec.code_dir) not in sys.path:
            sys.path.append(str(spec.code_dir))
        try:
            ms.loader.exec_module(module)
        except BaseException:
            del sys.modules[unique]
            raise
    return getattr(module, func)


class _NoLock:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# ---------------------------------------------------------------- the API's authorizer


@dataclass
class AuthorizerSpec:
    """The API's default authorizer: a Lambda REQUEST authorizer (``function``) or Cognito (None)."""

    name: str
    function: str | None
    headers: list[str]
    ttl: int


def _logical_id(arn: Any) -> str | None:
    if isinstance(arn, dict) and "Fn::GetAtt" in arn:
        target = arn["Fn::GetAtt"]
        return (target if isinstance(target, list) else str(target).split("."))[0]
    return None


def api_authorizer(resources: LocalResources) -> AuthorizerSpec | None:
    """The default authorizer the template gives the API (None: no sign-in anywhere)."""
    api = resources.api
    if api is None or not api.default_authorizer or resources.template_path is None:
        return None
    t = tpl.load(resources.template_path)
    props = ((t.get("Resources") or {}).get(api.logical_id) or {}).get("Properties") or {}
    auth = props.get("Auth") or ((t.get("Globals") or {}).get("Api") or {}).get("Auth") or {}
    spec = (auth.get("Authorizers") or {}).get(api.default_authorizer) or {}
    function = _logical_id(spec.get("FunctionArn"))
    identity = spec.get("Identity") or {}
    if function is None:  # a Cognito user pool authorizer: the ID token in the Authorization header
        return AuthorizerSpec(api.default_authorizer, None, [identity.get("Header", "Authorization")], 0)
    headers = identity.get("Headers") or ([identity["Header"]] if identity.get("Header") else ["Authorization"])
    return AuthorizerSpec(api.default_authorizer, function, list(headers), int(identity.get("ReauthorizeEvery", 300)))


def _policy_decision(document: Any, method_arn: str) -> str:
    """``allow``, ``deny`` (explicit) or ``none`` for ``execute-api:Invoke`` on ``method_arn``."""
    statements = (document or {}).get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    allowed = False
    for st in statements:
        actions = st.get("Action") or []
        actions = [actions] if isinstance(actions, str) else actions
        resources = st.get("Resource") or []
        resources = [resources] if isinstance(resources, str) else resources
        if not any(fnmatch.fnmatchcase("execute-api:Invoke", a) for a in actions):
            continue
        if not any(fnmatch.fnmatchcase(method_arn, r) for r in resources):
            continue
        if st.get("Effect") == "Deny":
            return "deny"
        allowed = allowed or st.get("Effect") == "Allow"
    return "allow" if allowed else "none"


def _authorizer_context(answer: Any) -> tuple[str, Any, dict[str, Any]]:
    """(principalId, policyDocument, context as API Gateway passes it on); ValueError if malformed."""
    if not isinstance(answer, dict) or "principalId" not in answer or "policyDocument" not in answer:
        raise ValueError("the answer needs principalId and policyDocument")
    context: dict[str, Any] = {}
    for k, v in (answer.get("context") or {}).items():
        if isinstance(v, bool):
            context[k] = "true" if v else "false"
        elif isinstance(v, str | int | float):
            context[k] = str(v)
        else:  # API Gateway refuses objects and arrays in the context
            raise ValueError(f"context value {k!r} is not a string, number or boolean")
    return str(answer["principalId"]), answer["policyDocument"], context


# ---------------------------------------------------------------- the gateway


class Gateway:
    def __init__(
        self,
        resources: LocalResources,
        verifier: TokenVerifier | None,
        serialize: bool = True,
        apply_env: bool = True,
    ) -> None:
        self.resources = resources
        self.verifier = verifier
        self.authorizer = api_authorizer(resources)
        # identity -> (valid until, principalId, policy, context): API Gateway's authorizer cache
        self._auth_cache: dict[tuple, tuple[float, str, Any, dict[str, Any]]] = {}
        self.stage = resources.api.stage if resources.api else resources.stage
        self.cors = resources.api.cors if resources.api else None
        self.binary_media_types = resources.api.binary_media_types if resources.api else []
        self.routes: list[Route] = []
        for spec in resources.functions.values():
            for r in spec.routes:
                regex, rank = _compile(r["path"])
                self.routes.append(Route(spec, r["path"], r["method"], r["auth"], regex, rank))
        self.routes.sort(key=lambda r: (r.rank, r.method == "ANY"))
        self._handlers: dict[str, Any] = {}
        self._warned: set[str] = set()
        # moto is not thread-safe, and a Lambda execution environment runs one request at a time
        self.lock = threading.RLock() if serialize else _NoLock()
        self.requests = 0  # how many reached a handler (the local runtime snapshots when this moves)
        if apply_env:
            # one process for every function: the Globals environment, as each function gets it
            os.environ.update(resources.env)

    # -- functions
    def warm(self) -> None:
        """Import every function now (the first request to each otherwise pays for its import)."""
        for spec in self.resources.functions.values():
            with self.lock:
                try:
                    self._handler(spec)
                except Exception:  # noqa: BLE001 - the request to it will show the error
                    traceback.print_exc()

    def _handler(self, spec: FunctionSpec):
        if spec.logical_id not in self._handlers:
            self._handlers[spec.logical_id] = load_handler(spec)
        return self._handlers[spec.logical_id]

    def invoke(self, logical_id: str, event: dict[str, Any], context: LambdaContext | None = None) -> Any:
        """Call a function directly, as EventBridge Scheduler or `aws lambda invoke` would."""
        spec = self.resources.functions[logical_id]
        with self.lock:
            return self._handler(spec)(event, context or context_for(spec, self.resources.region))

    # -- routing
    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route API Gateway would pick: the most specific resource, then its method (or ANY)."""
        resource = None
        fallback = None  # ANY, when the resource has no route for this very method
        for route in self.routes:
            if resource is None:
                m = route.regex.match(path)
                if m is None:
                    continue
                resource = route.template
            if route.template != resource:
                continue
            if route.method == method:
                return route, route.regex.match(path).groupdict()
            if route.method == "ANY" and fallback is None:
                fallback = route
        if fallback is not None:
            return fallback, fallback.regex.match(path).groupdict()
        return None

    def _resource_of(self, path: str) -> str | None:
        return next((r.template for r in self.routes if r.regex.match(path)), None)

    def event_for(
        self,
        method: str,
        path: str,
        *,
        query: list[tuple[str, str]] | None = None,
        headers: Headers | None = None,
        body: bytes | str | None = None,
        claims: dict[str, str] | None = None,
        source_ip: str = "127.0.0.1",
        request_id: str | None = None,
    ) -> dict[str, Any]:
        """The event a request would produce (its route resolved), without calling anything."""
        found = self.match(method, path)
        if found is None:
            raise LookupError(f"no route for {method} {path}")
        route, params = found
        return self._event(route, params, method, path, query, headers, body, claims, source_ip, request_id)

    def _event(self, route, params, method, path, query, headers, body, claims, source_ip, request_id, authorizer=None):  # noqa: ANN001, ANN202, PLR0913, E501
        return proxy_event(
            method,
            path,
            resource=route.template,
            path_params=params,
            query=query,
            headers=headers,
            body=body,
            claims=claims,
            stage=self.stage,
            source_ip=source_ip,
            binary_media_types=self.binary_media_types,
            request_id=request_id,
            authorizer=authorizer,
        )

    # -- the Lambda authorizer
    def method_arn(self, method: str, path: str) -> str:
        return f"arn:aws:execute-api:{self.resources.region}:{ACCOUNT_ID}:local/{self.stage}/{method}{path}"

    def _use_local_keys(self, handler: Any) -> None:
        """Without the emulator's server (tests, in-process runs) there is no URL serving the pool's
        JWKS: hand the authorizer the keys moto signs with, as the server would serve them."""
        module = sys.modules.get(getattr(handler, "__module__", ""))
        if os.environ.get("COGNITO_ENDPOINT_URL") or module is None or not hasattr(module, "use_jwks"):
            return
        if not getattr(module, "jwks_given", lambda: False)():
            module.use_jwks(moto_jwks())

    def authorize(
        self,
        route: Route,
        params: dict[str, str],
        method: str,
        path: str,
        query,
        headers: Headers,
        source_ip: str,
        request_id: str,
    ) -> dict[str, Any] | tuple[int, Headers, bytes]:
        """The context for ``requestContext.authorizer``, or API Gateway's refusal."""
        spec = self.authorizer
        identity = tuple(_header(headers, h) for h in spec.headers)
        if any(v is None or not v.strip() for v in identity):
            return self.gateway_response("UNAUTHORIZED", request_id)  # no call: the identity source is missing
        cached = self._auth_cache.get(identity)
        latency = 0
        if cached is None or cached[0] <= time.monotonic():
            fn = self.resources.functions.get(spec.function)
            if fn is None:
                sys.stderr.write(f"authorizer {spec.name}: no function {spec.function} in the template\n")
                return self.gateway_response("AUTHORIZER_CONFIGURATION_ERROR", request_id)
            event = proxy_event(
                method,
                path,
                resource=route.template,
                path_params=params,
                query=query,
                headers=headers,
                stage=self.stage,
                source_ip=source_ip,
                request_id=request_id,
            )
            event.pop("body", None)
            event.pop("isBase64Encoded", None)
            event = {"type": "REQUEST", "methodArn": self.method_arn(method, path), **event}
            started = time.monotonic()
            try:
                with self.lock:
                    handler = self._handler(fn)
                    self._use_local_keys(handler)
                    answer = handler(event, context_for(fn, self.resources.region))
            except Exception as exc:  # noqa: BLE001 - as API Gateway: "Unauthorized" is a 401, the rest a 500
                if str(exc) == "Unauthorized":
                    return self.gateway_response("UNAUTHORIZED", request_id)
                sys.stderr.write(f"{fn.logical_id} (authorizer) failed:\n")
                traceback.print_exc()
                return self.gateway_response("AUTHORIZER_FAILURE", request_id)
            latency = int((time.monotonic() - started) * 1000)
            try:
                principal_id, document, context = _authorizer_context(answer)
            except ValueError as exc:
                sys.stderr.write(f"{fn.logical_id} (authorizer): malformed answer ({exc})\n")
                return self.gateway_response("AUTHORIZER_CONFIGURATION_ERROR", request_id)
            cached = (time.monotonic() + spec.ttl, principal_id, document, context)
            if spec.ttl > 0:
                if len(self._auth_cache) > 10_000:
                    self._auth_cache.clear()
                self._auth_cache[identity] = cached
        _, principal_id, document, context = cached
        decision = _policy_decision(document, self.method_arn(method, path))
        if decision == "deny":
            return self.gateway_response(
                "ACCESS_DENIED", request_id, "User is not authorized to access this resource with an explicit deny"
            )
        if decision != "allow":
            return self.gateway_response("ACCESS_DENIED", request_id)
        return {**context, "principalId": principal_id, "integrationLatency": latency}

    # -- one request
    def handle(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: Headers,
        body: bytes,
        source_ip: str = "127.0.0.1",
    ) -> tuple[int, Headers, bytes]:
        request_id = str(uuid.uuid4())
        if len(body) > MAX_REQUEST_BYTES:
            return self.gateway_response("REQUEST_TOO_LARGE", request_id)
        if method == "OPTIONS" and self.cors is not None:
            resource = self._resource_of(path)
            if resource is None:
                return self.gateway_response("MISSING_AUTHENTICATION_TOKEN", request_id)
            return 200, self._preflight(resource), b""
        found = self.match(method, path)
        if found is None:
            # API Gateway's answer for a path or a method it has no resource for
            return self.gateway_response("MISSING_AUTHENTICATION_TOKEN", request_id)
        route, params = found
        claims = None
        authorizer = None
        if route.auth and self.authorizer is not None and self.authorizer.function:
            outcome = self.authorize(route, params, method, path, query, headers, source_ip, request_id)
            if isinstance(outcome, tuple):
                return outcome
            authorizer = outcome
        elif route.auth:
            try:
                if self.verifier is None:
                    raise InvalidToken("no verifier")
                claims = self.verifier.claims(_header(headers, "Authorization"))
            except InvalidToken as exc:
                return self.gateway_response("UNAUTHORIZED", request_id, exc.message)
        event = self._event(
            route, params, method, path, query, headers, body, claims, source_ip, request_id, authorizer
        )
        spec = route.function
        started = time.monotonic()
        try:
            with self.lock:
                self.requests += 1
                handler = self._handler(spec)
                result = handler(event, context_for(spec, self.resources.region))
        except Exception:  # noqa: BLE001 - a crashed Lambda is a 502 at the gateway, as in AWS
            sys.stderr.write(f"{spec.logical_id} failed on {method} {route.template}:\n")
            traceback.print_exc()
            return self.gateway_response("DEFAULT_5XX", request_id)
        elapsed = time.monotonic() - started
        if elapsed > spec.timeout:
            sys.stderr.write(f"{spec.logical_id}: took {elapsed:.1f} s, over its Timeout of {spec.timeout} s\n")
            return self.gateway_response("DEFAULT_5XX", request_id)
        if elapsed > API_GATEWAY_TIMEOUT_S:
            sys.stderr.write(f"{spec.logical_id}: took {elapsed:.1f} s; API Gateway gives up after 29 s\n")
            return self.gateway_response("INTEGRATION_TIMEOUT", request_id)
        try:
            status, out, payload = self._response(result, headers, route)
            return status, [*out, ("x-amzn-RequestId", request_id)], payload
        except ValueError as exc:
            sys.stderr.write(f"{spec.logical_id}: malformed Lambda proxy response ({exc})\n")
            return self.gateway_response("DEFAULT_5XX", request_id)

    def _preflight(self, resource: str) -> Headers:
        cors = self.cors or {}
        methods = cors.get("AllowMethods")
        if not methods:
            declared = {r.method for r in self.routes if r.template == resource}
            if "ANY" in declared:
                declared = {"DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"}
            methods = ",".join(sorted(declared | {"OPTIONS"}))
        out = [("Access-Control-Allow-Origin", cors.get("AllowOrigin", "*")), ("Access-Control-Allow-Methods", methods)]
        if cors.get("AllowHeaders"):
            out.append(("Access-Control-Allow-Headers", cors["AllowHeaders"]))
        if cors.get("MaxAge"):
            out.append(("Access-Control-Max-Age", cors["MaxAge"]))
        if str(cors.get("AllowCredentials", "")).lower() == "true":
            out.append(("Access-Control-Allow-Credentials", "true"))
        return [*out, ("Content-Type", "application/json")]

    def gateway_response(
        self, kind: str, request_id: str = "", message: str | None = None
    ) -> tuple[int, Headers, bytes]:
        """One of API Gateway's own answers, with the template's $context variables filled in."""
        from local.resources import AWS_GATEWAY_RESPONSES

        server_side = kind.endswith("5XX") or AWS_GATEWAY_RESPONSES.get(kind, (500,))[0] >= 500
        declared = self.resources.gateway_responses
        spec: GatewayResponse = declared.get(kind) or declared["DEFAULT_5XX" if server_side else "DEFAULT_4XX"]
        message = message or AWS_GATEWAY_RESPONSES.get(kind, (0, "Internal server error"))[1]
        values = {
            "$context.error.messageString": json.dumps(message),
            "$context.error.message": message,
            "$context.error.responseType": kind,
            "$context.requestId": request_id,
            "$context.extendedRequestId": request_id,
            "$context.stage": self.stage,
        }
        body = re.sub(r"\$context\.[A-Za-z.]+", lambda m: values.get(m.group(0), ""), spec.body)
        headers = [("Content-Type", spec.content_type), *spec.headers]
        headers.append(("x-amzn-ErrorType", _ERROR_TYPES.get(kind, "")))
        headers.append(("x-amzn-RequestId", request_id))
        return spec.status, [h for h in headers if h[1]], body.encode("utf-8")

    def _response(self, result: Any, request_headers: Headers, route: Route) -> tuple[int, Headers, bytes]:
        """The proxy response as HTTP; ValueError when API Gateway would call it malformed."""
        if not isinstance(result, dict) or "statusCode" not in result:
            raise ValueError("not a dict with statusCode")
        unknown = set(result) - {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
        if unknown:
            raise ValueError(f"unexpected keys {sorted(unknown)}")
        try:
            status = int(result["statusCode"])
        except (TypeError, ValueError):
            raise ValueError(f"statusCode {result['statusCode']!r}") from None
        body = result.get("body")
        if body is not None and not isinstance(body, str):
            raise ValueError("body is not a string")
        if len(json.dumps(result, default=str)) > MAX_LAMBDA_RESPONSE_BYTES:
            raise ValueError("response larger than Lambda's 6 MB")
        headers: Headers = []
        seen = set()
        # both given: API Gateway merges them, the multi-value list winning for a name in both
        for k, values in (result.get("multiValueHeaders") or {}).items():
            seen.add(k.lower())
            headers += [(k, str(v)) for v in values]
        headers += [(k, str(v)) for k, v in (result.get("headers") or {}).items() if k.lower() not in seen]
        payload = (body or "").encode("utf-8")
        if result.get("isBase64Encoded") and body:
            # "API Gateway uses the first Accept header from clients to determine if a response
            # should return binary media" (the binaryMediaTypes documentation)
            accept = (_header(request_headers, "Accept") or "").split(",")[0]
            if _media_matches(accept, self.binary_media_types):
                payload = base64.b64decode(body)
            elif route.template not in self._warned:
                self._warned.add(route.template)
                sys.stderr.write(
                    f"{route.function.logical_id}: a base64 body on {route.template} goes out as base64 text: "
                    "API Gateway decodes it only when the first Accept type is one of the Api's BinaryMediaTypes\n"
                )
        return status, headers, payload

    # -- WSGI
    def __call__(self, environ: dict[str, Any], start_response) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        raw = environ.get("local.headers")  # local/server.py: as sent, case and repeats kept (like API Gateway)
        if raw is not None:
            headers = [(k, v) for k, v in raw if k.lower() not in ("transfer-encoding", "connection")]
        else:  # plain WSGI: names rebuilt from HTTP_* keys
            headers = [(k[5:].replace("_", "-").title(), v) for k, v in environ.items() if k.startswith("HTTP_")]
            if environ.get("CONTENT_TYPE"):
                headers.append(("Content-Type", environ["CONTENT_TYPE"]))
            if environ.get("CONTENT_LENGTH"):
                headers.append(("Content-Length", environ["CONTENT_LENGTH"]))
        source_ip = environ.get("REMOTE_ADDR") or "127.0.0.1"
        headers += [
            ("X-Amzn-Trace-Id", f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"),
            ("X-Forwarded-For", source_ip),
            ("X-Forwarded-Port", str(environ.get("SERVER_PORT", "80"))),
            ("X-Forwarded-Proto", environ.get("wsgi.url_scheme", "http")),
        ]
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        path = environ.get("PATH_INFO", "/") or "/"
        path = path.encode("latin-1").decode("utf-8", "replace")  # WSGI hands latin-1 decoded bytes
        method = environ["REQUEST_METHOD"].upper()
        status, hdrs, payload = self.handle(method, path, query, headers, body, source_ip)
        if method == "HEAD":
            payload = b""
        out = [(k, v) for k, v in hdrs if k.lower() not in ("content-length", "connection", "transfer-encoding")]
        start_response(f"{status} {_REASONS.get(status, 'Status')}", [*out, ("Content-Length", str(len(payload)))])
        return [payload]


_ERROR_TYPES = {
    "UNAUTHORIZED": "UnauthorizedException",
    "MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
    "ACCESS_DENIED": "AccessDeniedException",
    "AUTHORIZER_FAILURE": "AuthorizerConfigurationException",
    "AUTHORIZER_CONFIGURATION_ERROR": "AuthorizerConfigurationException",
    "REQUEST_TOO_LARGE": "RequestTooLargeException",
    "THROTTLED": "TooManyRequestsException",
    "INTEGRATION_TIMEOUT": "InternalServerErrorException",
    "DEFAULT_5XX": "InternalServerErrorException",
}

_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    412: "Precondition Failed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    428: "Precondition Required",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def build_gateway(
    template_or_resources: LocalResources | Path | str,
    resources: LocalResources | TokenVerifier | None = None,
    verifier: TokenVerifier | None = None,
    *,
    serialize: bool = True,
) -> Gateway:
    """A WSGI app serving the stack's API in-process.

    ``build_gateway(resources)`` / ``build_gateway(resources, verifier)``: routes from the template
    the resources were created from. ``build_gateway(template_path, resources, verifier)``: routes
    from ``template_path`` (the resources' physical names and environment stay). Without a verifier,
    tokens are checked against the resources' local user pool.
    """
    if isinstance(template_or_resources, LocalResources):
        res = template_or_resources
        if isinstance(resources, TokenVerifier) and verifier is None:
            verifier = resources
    else:
        if not isinstance(resources, LocalResources):
            raise TypeError("build_gateway(template_path, resources, verifier): resources missing")
        res = resources.for_template(template_or_resources)
    if verifier is None:
        verifier = TokenVerifier(res.region, res.user_pool_id, res.client_id)
    return Gateway(res, verifier, serialize=serialize)


def local_event(resources: LocalResources, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """The API Gateway event a request to the local stack would produce (route resolved from the
    template): ``local_event(res, "GET", "/v1/providers/x", claims={...}, query=[("a", "1")])``."""
    return Gateway(resources, None, apply_env=False).event_for(method, path, **kwargs)
