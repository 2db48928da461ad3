"""The monthly jobs: run by EventBridge Scheduler ({"job": ...}) or `POST /v1/jobs/{job}`.

Issue 6 gives them their work; until then each job logs what it would do and answers.
"""

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from seteli.api.app import create_app, make_handler, principal
from seteli.api.auth import MUNICIPALITY_ADMIN, require_group
from seteli.api.types import Month
from seteli.config import settings
from seteli.observability import bind_tenant, logger
from seteli.services.jobs import JobResult, run_job

app = create_app("jobs")
JobName = Literal["auto-events", "reminders", "settlement"]


class JobRequest(BaseModel):
    month: Month | None = None


@app.post("/v1/jobs/<job>", summary="Run a monthly job now", tags=["jobs"])
def start_job(job: JobName, request: Annotated[JobRequest, Body()]) -> JobResult:
    require_group(principal(app), MUNICIPALITY_ADMIN)
    return run_job(job, request.month)


_api_handler = make_handler(app)


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "httpMethod" in event:
        return _api_handler(event, context)
    # A schedule: {"job": "settlement", "month": optional}
    bind_tenant(settings().tenant_id)
    logger.set_correlation_id(getattr(context, "aws_request_id", None))
    return run_job(event.get("job", ""), event.get("month")).model_dump(mode="json")
