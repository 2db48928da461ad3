"""Availability (spec 16): how soon the provider can start a service, shown on the comparison site.
The provider's own users (in the service's team) or its API keys tell it; municipality users read it."""

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel, ConfigDict, Field

from seteli.api.app import principal
from seteli.api.types import Id, Version
from seteli.domain.comparison import StoredAvailability
from seteli.services import comparison as svc
from seteli.store import repositories

router = Router()
TAGS = ["providers"]


class AvailabilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_within_days: int | None = Field(
        default=None, ge=0, le=365, description="0: can start at once; n: within n days; null: no free places (a queue)"
    )
    free_places: int | None = Field(default=None, ge=0, le=10000, description="Free places now, if you count them")
    note: str | None = Field(default=None, max_length=280, description="A short public note, e.g. 'evenings only'")
    version: Version = 0


class AvailabilityOut(BaseModel):
    provider_id: str
    service_id: str
    starts_within_days: int | None
    free_places: int | None
    note: str | None
    updated_at: datetime
    updated_by: str
    version: int


class AvailabilityList(BaseModel):
    items: list[AvailabilityOut]


def _out(a: StoredAvailability) -> AvailabilityOut:
    return AvailabilityOut.model_validate(a.model_dump())


@router.get(
    "/v1/providers/<provider_id>/availability",
    summary="The provider's availability per service (as the comparison site shows it)",
    tags=TAGS,
)
def list_availability(provider_id: Id) -> AvailabilityList:
    items = svc.availability(repositories(), principal(router), provider_id)
    return AvailabilityList(items=[_out(a) for a in items])


@router.put(
    "/v1/providers/<provider_id>/availability/<service_id>",
    summary="Tell how soon you can start the service (shown on the comparison site within a minute)",
    tags=TAGS,
)
def put_availability(provider_id: Id, service_id: Id, body: Annotated[AvailabilityIn, Body()]) -> AvailabilityOut:
    a = svc.set_availability(
        repositories(),
        principal(router),
        provider_id,
        service_id,
        starts_within_days=body.starts_within_days,
        free_places=body.free_places,
        note=body.note,
        version=body.version,
    )
    return _out(a)
