"""One observability module: logger, tracer and metrics, each carrying the tenant id.

Personal identity codes must never reach a log line: the logger's serializer masks anything
that looks like a Finnish personal identity code (hetu) in every record it writes.
"""

from __future__ import annotations

import json
import re

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "seteli"
_HETU = re.compile(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]", re.IGNORECASE)


def redact(text: str) -> str:
    """Mask personal identity codes (hetu) in free text."""
    return _HETU.sub("******-****", text)


def _serialize(record: dict) -> str:
    return redact(json.dumps(record, default=str, ensure_ascii=False, separators=(",", ":")))


logger = Logger(service=SERVICE, json_serializer=_serialize)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace="Seteli", service=SERVICE)


def bind_tenant(tenant_id: str) -> None:
    """Every log line and metric from here on carries the tenant id."""
    logger.append_keys(tenant_id=tenant_id)
    metrics.set_default_dimensions(tenant_id=tenant_id)
