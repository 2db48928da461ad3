"""One observability module: logger, tracer and metrics, each carrying the tenant id.

Personal identity codes must never reach a log line: the logger's serializer masks anything
that looks like a Finnish personal identity code (hetu) in every record it writes.

The X-Ray tracer is created on first use, not at import: importing the X-Ray SDK costs ~170 ms,
which would break the handler-import budget (see bench/cold_start.py).
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics

SERVICE = "seteli"
# a hetu standing alone (not inside a longer token such as a UUID)
_HETU = re.compile(r"(?<![0-9A-Za-z])\d{6}[-+A-FU-Y]\d{3}[0-9A-Y](?![0-9A-Za-z])", re.IGNORECASE)
F = TypeVar("F", bound=Callable[..., Any])


def redact(text: str) -> str:
    """Mask personal identity codes (hetu) in free text."""
    return _HETU.sub("******-****", text)


def _serialize(record: dict) -> str:
    return redact(json.dumps(record, default=str, ensure_ascii=False, separators=(",", ":")))


logger = Logger(service=SERVICE, json_serializer=_serialize)
metrics = Metrics(namespace="Seteli", service=SERVICE)


@functools.cache
def get_tracer():
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)


def tracing_enabled(env: dict[str, str] | None = None) -> bool:
    """Powertools traces only inside Lambda and unless POWERTOOLS_TRACE_DISABLED; outside, skip the SDK."""
    e = os.environ if env is None else env
    disabled = e.get("POWERTOOLS_TRACE_DISABLED", "").lower() in ("1", "true")
    return bool(e.get("AWS_LAMBDA_FUNCTION_NAME")) and not disabled and not e.get("AWS_SAM_LOCAL")


def traced_handler(handler: F) -> F:
    """Like ``Tracer.capture_lambda_handler``, with the tracer made on the first invocation.

    Where powertools would disable tracing anyway (outside Lambda, or POWERTOOLS_TRACE_DISABLED),
    the X-Ray SDK is never imported.
    """
    wrapped: list[Callable[..., Any]] = []

    @functools.wraps(handler)
    def run(event: Any, context: Any) -> Any:
        if not wrapped:
            traced = tracing_enabled()
            wrapped.append(get_tracer().capture_lambda_handler(handler, capture_response=False) if traced else handler)
        return wrapped[0](event, context)

    return run  # type: ignore[return-value]


def bind_tenant(tenant_id: str) -> None:
    """Every log line and metric from here on carries the tenant id."""
    logger.append_keys(tenant_id=tenant_id)
    metrics.set_default_dimensions(tenant_id=tenant_id)
