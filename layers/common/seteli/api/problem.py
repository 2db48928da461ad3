"""RFC 9457 problem details: the one shape of every error the API returns."""

from __future__ import annotations

import json

PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


def problem_body(status: int, detail: str, errors: list[dict] | None = None, title: str | None = None) -> str:
    return json.dumps(
        {
            "type": "about:blank",
            "title": title or TITLES.get(status, "Error"),
            "status": status,
            "detail": detail,
            "errors": errors or [],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
