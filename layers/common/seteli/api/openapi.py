"""One OpenAPI document for the whole API, merged from every function's app.

Powertools generates a document per app; this module merges them and makes the error
responses truthful: every error is RFC 9457 problem JSON (``application/problem+json``), including
422 (powertools would document its own HTTPValidationError shape, which we never send).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class FieldProblem(BaseModel):
    field: str = Field(description="Dotted path of the offending field, e.g. `body.contents.0.unit`")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(default="about:blank", description="A URI naming the kind of problem")
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] = Field(default_factory=list)


ERROR_STATUSES = {
    "400": "Bad input",
    "401": "Not signed in, or the token is not valid",
    "403": "Signed in, but not allowed to see or change this",
    "404": "No such resource",
    "409": "State conflict or concurrent change",
    "415": "The body is not JSON",
    "422": "Invalid fields; `errors` names each field and the reason",
    "429": "Too many requests",
}
PUBLIC_TAGS = {"public"}


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def merge(documents: list[dict[str, Any]], *, title: str, version: str, description: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for doc in documents:
        for path, ops in doc.get("paths", {}).items():
            paths.setdefault(path, {}).update(ops)
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            schemas[name] = schema
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem_schema.pop("$defs", {}))
    schemas["Problem"] = problem_schema
    for path, ops in paths.items():
        for op in ops.values():
            if op.get("tags"):
                op["tags"] = sorted(set(op["tags"]))  # powertools keeps them in a set: order varies per process
            public = bool(set(op.get("tags", [])) & PUBLIC_TAGS)
            responses = op.setdefault("responses", {})
            wanted = ["400", "404", "415", "422", "429"] if public else list(ERROR_STATUSES)
            if "{" not in path and "404" in wanted and public:
                wanted.remove("404")
            for status in wanted:
                responses[status] = _problem_response(ERROR_STATUSES[status])
            if "422" in responses:
                responses["422"] = _problem_response(ERROR_STATUSES["422"])
            if not public:
                op["security"] = [{"cognito": []}]
            else:
                op["security"] = []
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "cognito": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A Cognito ID token of the tenant's user pool",
                }
            },
        },
    }
