"""Build API Gateway REST (v1) proxy events the way API Gateway sends them to a handler."""

from __future__ import annotations

import json
import uuid
from typing import Any

CLAIMS = {
    "municipality_admin": {"sub": "sub-admin", "email": "admin@kunta.example", "cognito:groups": "municipality_admin"},
    "case_worker": {"sub": "sub-cw", "email": "kasittelija@kunta.example", "cognito:groups": "case_worker"},
    "provider_admin": {
        "sub": "sub-pa",
        "email": "paakayttaja@aurinkohoiva.example",
        "cognito:groups": "provider_admin",
        "custom:provider_id": "prv-aurinkohoiva",
    },
    "provider_user": {
        "sub": "sub-pu",
        "email": "hoitaja@aurinkohoiva.example",
        "cognito:groups": "provider_user",
        "custom:provider_id": "prv-aurinkohoiva",
    },
    "citizen": {"sub": "sub-c", "email": "asiakas@example.fi", "cognito:groups": "citizen"},
}


def claims_for(group: str) -> dict[str, str]:
    c = dict(CLAIMS[group])
    c.update({"token_use": "id", "cognito:username": c["sub"], "email_verified": "true"})
    return c


def event(
    method: str,
    path: str,
    *,
    resource: str | None = None,
    body: Any = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    as_group: str | None = None,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    hdrs = {"Accept": "application/json", "Host": "api.example", **(headers or {})}
    if body is not None and not isinstance(body, str):
        body = json.dumps(body)
        hdrs.setdefault("Content-Type", "application/json")
    if as_group:
        claims = claims_for(as_group)
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": hdrs,
        "multiValueHeaders": {k: [v] for k, v in hdrs.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource or path,
            "httpMethod": method,
            "path": f"/test{path}",
            "stage": "test",
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": "127.0.0.1"},
            "authorizer": {"claims": claims} if claims else None,
        },
        "body": body,
        "isBase64Encoded": False,
    }


class FakeContext:
    function_name = "test"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:eu-north-1:123456789012:function:test"
    aws_request_id = "req-test"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def call(handler, ev: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    res = handler(ev, FakeContext())
    headers = {k.lower(): v for k, v in (res.get("headers") or {}).items()}
    for k, v in (res.get("multiValueHeaders") or {}).items():
        headers.setdefault(k.lower(), v[0] if v else "")
    body = res.get("body")
    if body and "json" in headers.get("content-type", ""):
        body = json.loads(body)
    return res["statusCode"], headers, body
