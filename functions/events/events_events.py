"""Service events (spec 7; seed 003 K4.3): a provider records, edits, deletes and confirms them.

- ``POST /v1/events``: record one (or save it as a draft with ``draft: true``); a retry with the same
  ``Idempotency-Key`` header answers the event the first try made (200) instead of a second one;
- ``POST /v1/events/batch``: record up to 100 at once, each on its own, answered row by row
  (the CLI's bulk import sends a CSV file in batches; a row's ``source_ref`` makes a rerun harmless);
- ``GET /v1/events?month=``: a provider's events of a month (a municipality user names the provider);
- ``GET|PATCH|DELETE /v1/events/{event_id}``: read, change or remove one until it is settled;
- ``POST /v1/events/{event_id}/record``: a draft (or an automatic event) becomes recorded;
- ``POST /v1/events/record``: confirm several drafts at once.

Units and money are computed, never typed. Who may call what: ``seteli.services.events``.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import BaseModel, ConfigDict, Field

from seteli.api.app import principal
from seteli.api.paging import Page
from seteli.api.types import DecisionNumber, HourMinute, Id, IsoDate, Month, Version
from seteli.domain.events import EventStatus, ServiceEvent
from seteli.domain.money import QuantityField
from seteli.errors import FieldError, ValidationFailed
from seteli.services import events as svc
from seteli.store import repositories

router = Router()
TAGS = ["events"]
Text = Annotated[str, Field(max_length=2000)]
Slug = Annotated[str, Field(min_length=1, max_length=64)]


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision_number: DecisionNumber
    content_id: Slug | None = Field(default=None, description="Default: the content your reservation covers")
    part_id: Id | None = Field(default=None, description="The part giving the service; default: the reservation's")
    first_day: IsoDate = Field(description="The service date, or the first day of a day range")
    last_day: IsoDate | None = Field(default=None, description="Day units: the last day (default: first_day)")
    start_time: HourMinute | None = Field(default=None, description="Hour units: HH:MM")
    end_time: HourMinute | None = Field(default=None, description="Hour units: HH:MM")
    quantity: QuantityField | None = Field(default=None, description="Pieces or square metres only (typed)")
    travel_km: QuantityField | None = Field(default=None, description="Round-trip kilometres (matkakorvaus)")
    giver: Annotated[str, Field(max_length=200)] | None = Field(default=None, description="Default: you")
    notes: Text | None = None
    draft: bool = Field(default=False, description="Save unfinished: a draft is never settled")
    source_ref: Annotated[str, Field(max_length=300)] | None = Field(
        default=None, description="A bulk import's row identity: the same ref again answers the existing event"
    )
    provider_id: Id | None = Field(default=None, description="Your provider (the default)")

    def input(self) -> svc.EventInput:
        return svc.EventInput(**self.model_dump(exclude={"provider_id"}))


@router.post("/v1/events", tags=TAGS, summary="Record a service event (provider)", status_code=201)
def post_event(body: Annotated[EventIn, Body()]) -> Response[ServiceEvent]:
    x = body.input()
    if x.source_ref is None:  # a retried POST with the same Idempotency-Key answers the event it made
        x.source_ref = svc.idempotency_ref(router.current_event.headers.get("idempotency-key"))
    done = svc.record(repositories(), principal(router), x, body.provider_id)
    return Response(
        201 if done.created else 200,
        "application/json",
        done.event,
        headers={"Location": f"/v1/events/{done.event.id}"},
    )


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[EventIn] = Field(min_length=1, max_length=100)


class RowProblem(BaseModel):
    field: str
    message: str


class RowOut(BaseModel):
    index: int = Field(description="The row's place in the request, from 0")
    ok: bool
    status: int = Field(description="201 recorded, 200 already there (a rerun), 4xx refused")
    created: bool = False
    event: ServiceEvent | None = None
    detail: str | None = None
    errors: list[RowProblem] = Field(default_factory=list)


class BatchOut(BaseModel):
    results: list[RowOut]
    created: int
    unchanged: int
    refused: int


def _rows(outcomes: list[svc.Outcome]) -> BatchOut:
    rows = [
        RowOut(
            index=o.index,
            ok=o.ok,
            status=o.status,
            created=o.created,
            event=o.event,
            detail=o.detail,
            errors=[RowProblem(field=e.field, message=e.message) for e in o.errors],
        )
        for o in outcomes
    ]
    return BatchOut(
        results=rows,
        created=sum(1 for r in rows if r.ok and r.created),
        unchanged=sum(1 for r in rows if r.ok and not r.created),
        refused=sum(1 for r in rows if not r.ok),
    )


@router.post("/v1/events/batch", tags=TAGS, summary="Record up to 100 events, each on its own (bulk import)")
def post_events_batch(body: Annotated[BatchIn, Body()]) -> BatchOut:
    pids = {e.provider_id for e in body.events} - {None}
    if len(pids) > 1:
        msg = "one batch records for one provider: give the same provider_id in every row, or none"
        raise ValidationFailed(msg, [FieldError("body.events", msg)])
    provider_id = pids.pop() if pids else None
    rows = [e.input() for e in body.events]
    return _rows(svc.record_many(repositories(), principal(router), rows, provider_id))


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_ids: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(min_length=1, max_length=100)


@router.post("/v1/events/record", tags=TAGS, summary="Confirm several drafts (bulk confirm)")
def post_events_record(body: Annotated[ConfirmIn, Body()]) -> BatchOut:
    return _rows(svc.confirm_many(repositories(), principal(router), body.event_ids))


@router.get("/v1/events", tags=TAGS, summary="Events of a month (yours; a municipality user names the provider)")
def get_events(
    month: Annotated[Month, Query(description="YYYY-MM")],
    provider_id: Annotated[Id | None, Query()] = None,
    decision_number: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[EventStatus | None, Query()] = None,
    auto: Annotated[bool | None, Query(description="true: only automatic events; false: only the others")] = None,
) -> Page[ServiceEvent]:
    found = svc.list_for_month(
        repositories(),
        principal(router),
        month,
        provider_id=provider_id,
        decision_number=decision_number,
        status=status,
        auto=auto,
    )
    return Page[ServiceEvent](items=found, next=None)


@router.get("/v1/events/<event_id>", tags=TAGS, summary="One event with its lines")
def get_event(event_id: Id) -> ServiceEvent:
    return svc.get(repositories(), principal(router), event_id)


class EventPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Version
    part_id: Id | None = None
    first_day: IsoDate | None = None
    last_day: IsoDate | None = None
    start_time: HourMinute | None = None
    end_time: HourMinute | None = None
    quantity: QuantityField | None = None
    travel_km: QuantityField | None = None
    giver: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    notes: Text | None = None


@router.patch("/v1/events/<event_id>", tags=TAGS, summary="Change an event until it is settled")
def patch_event(event_id: Id, body: Annotated[EventPatch, Body()]) -> ServiceEvent:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    return svc.update(repositories(), principal(router), event_id, body.version, changes)


@router.delete("/v1/events/<event_id>", tags=TAGS, summary="Delete an event until it is settled", status_code=204)
def delete_event(event_id: Id, version: Annotated[Version, Query()]) -> Response[None]:
    svc.delete(repositories(), principal(router), event_id, version)
    return Response(204, None, None)


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Version | None = None


@router.post("/v1/events/<event_id>/record", tags=TAGS, summary="Confirm a draft: it becomes recorded")
def post_event_record(event_id: Id, body: Annotated[RecordIn | None, Body()] = None) -> ServiceEvent:
    return svc.confirm(repositories(), principal(router), event_id, body.version if body else None)
