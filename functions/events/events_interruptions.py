"""Interruptions (spec 8; seed 003 K4.3.5): a day-unit customer's absence, paid by the tenant's
percentage bands.

- ``POST /v1/interruptions``: start one (departure day, reason; a draft until the return day);
- ``GET /v1/interruptions``: a provider's interruptions (a municipality user names the provider);
- ``GET|PATCH|DELETE /v1/interruptions/{interruption_id}``: read; set the return day and record it
  (``record: true``); remove it until it is settled.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import BaseModel, ConfigDict, Field

from seteli.api.app import principal
from seteli.api.paging import Page
from seteli.api.types import DecisionNumber, Id, IsoDate, Version
from seteli.domain.events import Interruption, InterruptionReason
from seteli.services import interruptions as svc
from seteli.store import repositories

router = Router()
TAGS = ["interruptions"]


class InterruptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision_number: DecisionNumber
    reason: InterruptionReason = Field(description="hospital, holiday or other")
    departure_day: IsoDate = Field(description='The day the customer left ("day 0")')
    return_day: IsoDate | None = Field(default=None, description="Enter when the customer is back")
    content_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    part_id: Id | None = None
    notes: Annotated[str, Field(max_length=2000)] | None = None
    record: bool = Field(default=False, description="Record it now (needs the return day); else a draft")
    provider_id: Id | None = None


@router.post("/v1/interruptions", tags=TAGS, summary="Start an interruption (provider)", status_code=201)
def post_interruption(body: Annotated[InterruptionIn, Body()]) -> Response[Interruption]:
    x = svc.InterruptionInput(
        decision_number=body.decision_number,
        reason=body.reason,
        departure_day=body.departure_day,
        return_day=body.return_day,
        content_id=body.content_id,
        part_id=body.part_id,
        notes=body.notes,
        draft=not body.record,
    )
    i = svc.start(repositories(), principal(router), x, body.provider_id)
    return Response(201, "application/json", i, headers={"Location": f"/v1/interruptions/{i.id}"})


@router.get("/v1/interruptions", tags=TAGS, summary="A provider's interruptions")
def get_interruptions(
    provider_id: Annotated[Id | None, Query()] = None,
    since: Annotated[IsoDate | None, Query(description="Departed on or after")] = None,
) -> Page[Interruption]:
    found = svc.list_of(repositories(), principal(router), provider_id=provider_id, since=since)
    return Page[Interruption](items=found, next=None)


@router.get("/v1/interruptions/<interruption_id>", tags=TAGS, summary="One interruption split by day")
def get_interruption(interruption_id: Id) -> Interruption:
    return svc.get(repositories(), principal(router), interruption_id)


class InterruptionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Version
    return_day: IsoDate | None = None
    departure_day: IsoDate | None = None
    reason: InterruptionReason | None = None
    notes: Annotated[str, Field(max_length=2000)] | None = None
    record: bool = Field(default=False, description="Record it (needs the return day)")


@router.patch("/v1/interruptions/<interruption_id>", tags=TAGS, summary="Set the return day, record it")
def patch_interruption(interruption_id: Id, body: Annotated[InterruptionPatch, Body()]) -> Interruption:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    return svc.update(repositories(), principal(router), interruption_id, body.version, changes)


@router.delete(
    "/v1/interruptions/<interruption_id>", tags=TAGS, summary="Delete an interruption until settled", status_code=204
)
def delete_interruption(interruption_id: Id, version: Annotated[Version, Query()]) -> Response[None]:
    svc.delete(repositories(), principal(router), interruption_id, version)
    return Response(204, None, None)
