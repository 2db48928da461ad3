"""The monthly jobs (spec 11): started by EventBridge Scheduler (``{"job": ...}``) or by
``POST /v1/jobs/{job}``; their pages arrive from the jobs queue (SQS, one page a message).

- ``POST /v1/jobs/{job}`` (municipality admin) starts a run (or resumes one not finished) and
  answers 202 with its progress; ``GET /v1/jobs/{job}?month=`` shows it (``make job`` polls it).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from seteli.api.app import create_app, make_handler, principal
from seteli.api.auth import MUNICIPALITY_ADMIN, require_group
from seteli.api.types import IsoDate, Month
from seteli.config import settings
from seteli.domain.settlement import JobRunReport
from seteli.observability import bind_tenant, logger
from seteli.services import jobs

app = create_app("jobs")
JobName = Literal["auto-events", "reminders", "settlement"]


class JobRequest(BaseModel):
    month: Month | None = None


@app.post(
    "/v1/jobs/<job>", summary="Start a monthly job now (or resume a run not finished)", tags=["jobs"], status_code=202
)
def start_job(job: JobName, request: Annotated[JobRequest, Body()]) -> Response[JobRunReport]:
    who = principal(app)
    require_group(who, MUNICIPALITY_ADMIN)
    run = jobs.start(job, request.month, who.subject)
    return Response(202, "application/json", run)


@app.get("/v1/jobs/<job>", summary="A monthly job's run for a month: progress and what it did", tags=["jobs"])
def job_status(
    job: JobName,
    month: Annotated[Month | None, Query()] = None,
    day: Annotated[IsoDate | None, Query(description="reminders: the day of the run (default today)")] = None,
) -> JobRunReport:
    require_group(principal(app), MUNICIPALITY_ADMIN)
    return jobs.latest_report(job, month, day)


_api_handler = make_handler(app)


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "httpMethod" in event:
        return _api_handler(event, context)
    bind_tenant(settings().tenant_id)
    logger.set_correlation_id(getattr(context, "aws_request_id", None))
    if "Records" in event:  # pages from the jobs queue; a failed page is retried alone
        failures = []
        for record in event["Records"]:
            try:
                body = json.loads(record["body"])
                jobs.run_page(body["run_id"], int(body["page"]))
            except Exception:  # noqa: BLE001 - reported to SQS; the page is idempotent
                logger.exception("job page failed", extra={"message_id": record.get("messageId")})
                failures.append({"itemIdentifier": record.get("messageId")})
        return {"batchItemFailures": failures}
    # A schedule: {"job": "settlement", "month": optional}
    return jobs.run_job(event.get("job", ""), event.get("month")).model_dump(mode="json")
