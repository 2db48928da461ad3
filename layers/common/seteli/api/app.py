"""The app factory every function uses: one place that maps errors to problem JSON.

A handler module does::

    app = create_app("providers")

    @app.get("/v1/providers/<provider_id>")
    def get_provider(provider_id: Id) -> ProviderOut: ...

    lambda_handler = make_handler(app)
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.logging import correlation_paths

from seteli.api.auth import Principal, require_principal
from seteli.api.problem import PROBLEM_JSON, problem_body
from seteli.config import settings
from seteli.errors import SeteliError
from seteli.observability import bind_tenant, logger, metrics, traced_handler


def problem(status: int, detail: str, errors: list[dict] | None = None, title: str | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=PROBLEM_JSON,
        body=problem_body(status, detail, errors, title),
        headers={"Cache-Control": "no-store"},
    )


def _field(loc: tuple | list) -> str:
    parts = [str(p) for p in loc]
    # powertools prefixes body fields with "body"; query/path/header likewise. Keep the prefix:
    # it tells a client where to look.
    return ".".join(parts) if parts else "body"


def validation_errors(exc: RequestValidationError) -> list[dict]:
    out = []
    for err in exc.errors():
        msg = str(err.get("msg", "invalid"))
        if err.get("type") == "json_invalid":
            msg = "the body is not valid JSON"
        elif err.get("type") == "missing":
            msg = "required"
        # never echo the input value back: it may be a personal identity code
        out.append({"field": _field(err.get("loc", ())), "message": msg})
    return out


def _refusal(status: int, detail: str, field: str, message: str) -> dict:
    return {
        "statusCode": status,
        "headers": {"Content-Type": PROBLEM_JSON, "Cache-Control": "no-store"},
        "body": problem_body(status, detail, [{"field": field, "message": message}]),
        "isBase64Encoded": False,
    }


def refuse_unreadable_body(event: dict) -> dict | None:
    """A body must be UTF-8 JSON: anything else is a 4xx naming why, before validation parses it."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    media = (headers.get("content-type") or "").split(";")[0].strip().lower()
    body = event.get("body")
    if media and media != "application/json" and not media.endswith("+json"):
        if body or event.get("httpMethod") not in ("GET", "HEAD", "DELETE", "OPTIONS"):
            return _refusal(
                415,
                f"send the body as application/json, not {media[:60]}",
                "header.content-type",
                "must be application/json",
            )
    if body and event.get("isBase64Encoded"):
        try:
            base64.b64decode(body).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return _refusal(400, "the body is not UTF-8 text", "body", "send JSON encoded as UTF-8")
    return None


def create_app(service: str) -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(
        enable_validation=True,
        cors=CORSConfig(
            allow_origin="*", allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Api-Key"]
        ),
    )

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response:
        errors = validation_errors(exc)
        return problem(422, "the request has invalid fields: " + ", ".join(e["field"] for e in errors), errors)

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported(exc: RequestUnsupportedContentType) -> Response:
        return problem(
            415, "send the body as application/json", [{"field": "header.content-type", "message": str(exc)}]
        )

    @app.exception_handler(SeteliError)
    def _domain(exc: SeteliError) -> Response:
        errors = [{"field": e.field, "message": e.message} for e in exc.errors]
        if exc.status >= 500:
            logger.error("service error", extra={"detail": exc.detail})
        return problem(exc.status, exc.detail, errors, exc.title)

    @app.not_found
    def _not_found(exc: Exception) -> Response:
        return problem(404, f"no such resource: {app.current_event.http_method} {app.current_event.path}")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unexpected error")
        metrics.add_metric(name="UnexpectedErrors", unit="Count", value=1)
        ctx = getattr(app, "lambda_context", None)
        rid = getattr(ctx, "aws_request_id", "unknown")
        return problem(500, f"something went wrong on our side; the request id is {rid}")

    app.append_context(service=service)
    return app


def principal(app: APIGatewayRestResolver | Router) -> Principal:
    """The signed-in caller (401 if the request carries no verified claims)."""
    return require_principal(app.current_event.raw_event)


def make_handler(app: APIGatewayRestResolver) -> Callable[[dict, Any], dict]:
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
    @traced_handler
    @metrics.log_metrics
    def lambda_handler(event: dict, context: Any) -> dict:
        bind_tenant(settings().tenant_id)
        return refuse_unreadable_body(event) or app.resolve(event, context)

    return lambda_handler
