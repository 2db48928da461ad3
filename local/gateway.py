"""An HTTP adapter that behaves like API Gateway (REST, proxy integration) in front of the handlers.

Routes come from the functions' `Api` events in template.yaml. For each request it verifies the
Cognito ID token when the route needs one (401 otherwise, before any handler runs), builds the
same proxy event API Gateway would send, calls the function's `lambda_handler`, and writes the
proxy response back. Usable as a WSGI app by the local server and, in-process, by tests.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from local.auth import InvalidToken, TokenVerifier
from local.resources import FunctionSpec, LocalResources

_BINARY_TYPES = ("application/pdf", "application/octet-stream", "image/", "application/zip")


def proxy_event(
    method: str,
    path: str,
    *,
    resource: str,
    path_params: dict[str, str] | None = None,
    query: list[tuple[str, str]] | None = None,
    headers: list[tuple[str, str]] | None = None,
    body: bytes | str | None = None,
    claims: dict[str, str] | None = None,
    stage: str = "local",
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """The REST API proxy event (payload version 1.0) for one request."""
    mvh: dict[str, list[str]] = {}
    for k, v in headers or []:
        mvh.setdefault(k, []).append(v)
    mvq: dict[str, list[str]] = {}
    for k, v in query or []:
        mvq.setdefault(k, []).append(v)
    is_b64 = False
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            body, is_b64 = base64.b64encode(body).decode(), True
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
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": source_ip, "userAgent": dict(headers or []).get("User-Agent")},
            "authorizer": {"claims": claims} if claims else None,
        },
        "body": body or None,
        "isBase64Encoded": is_b64,
    }


class LambdaContext:
    def __init__(self, function_name: str, timeout_s: int = 29) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 1024
        self.invoked_function_arn = f"arn:aws:lambda:eu-north-1:123456789012:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class Route:
    function: FunctionSpec
    template: str
    method: str
    auth: bool
    regex: re.Pattern
    rank: tuple


def _compile(path: str) -> tuple[re.Pattern, tuple]:
    pattern, params, greedy = "", 0, False
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{"):
            name = part[1:-1]
            if name.endswith("+"):
                pattern += f"(?P<{name[:-1]}>.+)"
                greedy = True
            else:
                pattern += f"(?P<{name}>[^/]+)"
            params += 1
        else:
            pattern += re.escape(part)
    # exact paths win over parameters, parameters over greedy {proxy+}
    return re.compile(f"^{pattern}$"), (greedy, params, -len(path))


def load_handler(spec: FunctionSpec):
    module_name, func = spec.handler.rsplit(".", 1)
    unique = f"seteli_fn_{spec.code_dir.name}"
    module = sys.modules.get(unique)
    if module is None:
        ms = importlib.util.spec_from_file_location(unique, spec.code_dir / f"{module_name}.py")
        module = importlib.util.module_from_spec(ms)
        sys.modules[unique] = module
        ms.loader.exec_module(module)
    return getattr(module, func)


class Gateway:
    def __init__(self, resources: LocalResources, verifier: TokenVerifier | None, serialize: bool = True) -> None:
        self.resources = resources
        self.verifier = verifier
        self.routes: list[Route] = []
        for spec in resources.functions.values():
            for r in spec.routes:
                regex, rank = _compile(r["path"])
                self.routes.append(Route(spec, r["path"], r["method"], r["auth"], regex, rank))
        self.routes.sort(key=lambda r: r.rank)
        self._handlers: dict[str, Any] = {}
        # moto is not thread-safe and a Lambda container runs one request at a time
        self.lock = threading.RLock() if serialize else _NoLock()

    def warm(self) -> None:
        for spec in self.resources.functions.values():
            self._handler(spec)

    def _handler(self, spec: FunctionSpec):
        if spec.logical_id not in self._handlers:
            self._handlers[spec.logical_id] = load_handler(spec)
        return self._handlers[spec.logical_id]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            m = route.regex.match(path)
            if m and route.method in ("ANY", method):
                return route, m.groupdict()
        return None

    def handle(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: list[tuple[str, str]],
        body: bytes,
        source_ip: str = "127.0.0.1",
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        if method == "OPTIONS":
            return (
                204,
                [
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Methods", "GET,POST,PUT,PATCH,DELETE,OPTIONS"),
                    ("Access-Control-Allow-Headers", "Authorization,Content-Type,Idempotency-Key,X-Api-Key"),
                ],
                b"",
            )
        found = self.match(method, path)
        if found is None:
            # what API Gateway answers for a path or method it has no resource for
            return self._gateway_response("MISSING_AUTHENTICATION_TOKEN")
        route, params = found
        claims = None
        if route.auth:
            auth = next((v for k, v in headers if k.lower() == "authorization"), None)
            try:
                if self.verifier is None:
                    raise InvalidToken("no verifier")
                claims = self.verifier.claims(auth)
            except InvalidToken:
                return self._gateway_response("UNAUTHORIZED")
        event = proxy_event(
            method,
            path,
            resource=route.template,
            path_params=params,
            query=query,
            headers=headers,
            body=body,
            claims=claims,
            stage=self.resources.stage,
            source_ip=source_ip,
        )
        try:
            with self.lock:
                result = self._handler(route.function)(event, LambdaContext(route.function.logical_id))
        except Exception:  # noqa: BLE001 - a crashed Lambda is a 502 at the gateway, as in AWS
            traceback.print_exc()
            return self._gateway_response("DEFAULT_5XX")
        return _response(result)

    def _gateway_response(self, kind: str) -> tuple[int, list[tuple[str, str]], bytes]:
        status, ctype, body = self.resources.gateway_responses[kind]
        return status, [("Content-Type", ctype)], body.encode()

    # WSGI
    def __call__(self, environ: dict[str, Any], start_response) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = [(k[5:].replace("_", "-").title(), v) for k, v in environ.items() if k.startswith("HTTP_")]
        if environ.get("CONTENT_TYPE"):
            headers.append(("Content-Type", environ["CONTENT_TYPE"]))
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        path = environ.get("PATH_INFO", "/")
        if isinstance(path, str):  # WSGI hands latin-1 decoded bytes
            path = path.encode("latin-1").decode("utf-8", "replace")
        status, hdrs, payload = self.handle(
            environ["REQUEST_METHOD"], path, query, headers, body, environ.get("REMOTE_ADDR", "127.0.0.1")
        )
        start_response(f"{status} {_REASONS.get(status, 'Status')}", [*hdrs, ("Content-Length", str(len(payload)))])
        return [payload]


class _NoLock:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def _json(status: int, body: dict) -> tuple[int, list[tuple[str, str]], bytes]:
    return status, [("Content-Type", "application/json")], json.dumps(body).encode()


def _response(result: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    if not isinstance(result, dict) or "statusCode" not in result:
        return _json(502, {"message": "Internal server error"})
    headers: list[tuple[str, str]] = []
    seen = set()
    for k, values in (result.get("multiValueHeaders") or {}).items():
        seen.add(k.lower())
        headers += [(k, str(v)) for v in values]
    headers += [(k, str(v)) for k, v in (result.get("headers") or {}).items() if k.lower() not in seen]
    body = result.get("body") or ""
    payload = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
    return int(result["statusCode"]), headers, payload


def build_gateway(resources: LocalResources, verifier: TokenVerifier | None = None) -> Gateway:
    """A WSGI app serving the stack's API in-process."""
    if verifier is None:
        verifier = TokenVerifier(resources.region, resources.user_pool_id, resources.client_id)
    return Gateway(resources, verifier)
