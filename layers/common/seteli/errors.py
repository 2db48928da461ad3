"""Domain exceptions. Raised by rules and use cases, mapped to HTTP in one place (api.app)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    field: str
    message: str


@dataclass
class SeteliError(Exception):
    """Base of every error a client can cause. Never carries personal identity codes."""

    detail: str
    errors: list[FieldError] = field(default_factory=list)
    status = 400
    title = "Bad request"

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return self.detail


class ValidationFailed(SeteliError):
    status = 422
    title = "Invalid input"


class Unauthorized(SeteliError):
    status = 401
    title = "Not signed in"


class Forbidden(SeteliError):
    status = 403
    title = "Not allowed"


class NotFound(SeteliError):
    status = 404
    title = "Not found"


class Conflict(SeteliError):
    status = 409
    title = "Conflict"


class Throttled(SeteliError):
    status = 429
    title = "Too many requests"
