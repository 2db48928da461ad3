"""Builds the public comparison site and publishes it to the site bucket (issue 7).

Runs nightly (EventBridge Scheduler) and, later, when prices or decisions change.
"""

from typing import Any

from seteli.config import settings
from seteli.observability import bind_tenant, logger


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    bind_tenant(settings().tenant_id)
    logger.info("site build requested", extra={"trigger": event.get("job", "event")})
    return {"status": "skipped", "reason": "the site generator arrives with issue 7"}
