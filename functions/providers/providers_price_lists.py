"""Price lists (spec 5; seed 003 K1.3.7, K2.4): drafts, publishing, and the price on a date.
Who may call what: ``seteli.services.price_lists``."""

from datetime import date, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from seteli.api.app import principal
from seteli.api.paging import Page
from seteli.api.types import Id, IsoDate, Version
from seteli.domain.money import Money
from seteli.rules.price_lists import PriceLevel, PriceListStatus
from seteli.services import price_lists as svc
from seteli.store import repositories

router = Router()
TAGS = ["price lists"]

ContentId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
PriceText = Annotated[
    str,
    Field(
        max_length=20,
        description='Unit price in euros as a string, not negative, at most two decimals: "32.50"',
        examples=["32.50"],
    ),
]
Prices = Annotated[
    dict[ContentId, PriceText],
    Field(
        max_length=200,
        description="Service content id -> unit price (at least one; contents of the service only)",
        examples=[{"care-day": "118.50"}],
    ),
]
Name = Annotated[str, Field(min_length=1, max_length=100, description="e.g. Toimipaikkahinnasto 1-2026")]
Notes = Annotated[str, Field(max_length=4000, description="Lisätiedot: may change any time, also when approved")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PriceListIn(Strict):
    service_id: Id
    name: Name
    starts_on: IsoDate = Field(description="The first day the list is in force (it stays until the next one)")
    level: PriceLevel | None = Field(
        default=None, description="company or part; default: part when part_id is given, else company"
    )
    part_id: Id | None = Field(default=None, description="The site, unit or employee of a part-level list")
    prices: Prices
    notes: Notes | None = None


class PriceListPatch(Strict):
    version: Version
    name: Name | None = None
    starts_on: IsoDate | None = None
    level: PriceLevel | None = None
    part_id: Id | None = None
    prices: Prices | None = Field(default=None, description="Replaces all the prices")
    notes: Notes | None = Field(default=None, description="The only field an approved list lets you change")


class PublishIn(Strict):
    version: Version


class PriceListOut(BaseModel):
    id: str
    provider_id: str
    service_id: str
    level: PriceLevel
    part_id: str | None = None
    name: str
    starts_on: date
    prices: dict[str, Money]
    status: PriceListStatus
    notes: str | None = None
    valid_from: date | None = Field(description="Approved lists: the first day in force; null for a draft")
    valid_until: date | None = Field(
        description="The last day in force (the day before the next list of the level/part starts); "
        "null: until further notice (toistaiseksi), or a draft"
    )
    created_at: datetime
    created_by: str
    updated_at: datetime
    approved_at: datetime | None = None
    approved_by: str | None = None
    version: int


class PriceOut(BaseModel):
    price: Money
    price_list_id: str
    level: PriceLevel
    part_id: str | None = Field(description="The part of the list that priced it (null: the company's list)")
    valid_from: date
    valid_until: date | None = Field(description="null: until further notice (toistaiseksi)")
    provider_id: str
    service_id: str
    content_id: str
    on: date


def _out(x: svc.Listed) -> PriceListOut:
    pl = x.price_list
    return PriceListOut(
        **pl.model_dump(include=set(PriceListOut.model_fields) - {"valid_from", "valid_until"}),
        valid_from=x.valid_from,
        valid_until=x.valid_until,
    )


def _base(provider_id: str) -> str:
    return f"/v1/providers/{provider_id}/price-lists"


def _changes(body: BaseModel) -> dict[str, Any]:
    return {k: getattr(body, k) for k in body.model_fields_set if k != "version"}


PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


@router.post(
    "/v1/providers/<provider_id>/price-lists",
    summary="Make a draft price list (provider admin, or a provider user in the service's team)",
    description=(
        "A draft is approved with the provider's application for the service, or published by the provider's "
        "admin once the service is approved. Prices are strings with at most two decimals."
    ),
    tags=TAGS,
    status_code=201,
    responses={201: {"description": "The draft"}, 422: {"description": "Invalid fields", "content": PROBLEM}},
)
def create_price_list(provider_id: Id, body: Annotated[PriceListIn, Body()]) -> Response[PriceListOut]:
    repos = repositories()
    pl = svc.create_price_list(
        repos,
        principal(router),
        provider_id,
        service_id=body.service_id,
        name=body.name,
        starts_on=body.starts_on,
        prices=body.prices,
        level=body.level,
        part_id=body.part_id,
        notes=body.notes,
    )
    out = _out(svc.Listed(pl, None, None))
    return Response(201, "application/json", out, headers={"Location": f"{_base(provider_id)}/{pl.id}"})


@router.get(
    "/v1/providers/<provider_id>/price-lists",
    summary="A provider's price lists with the days each is in force",
    description="Provider users see the services of their teams; municipality users see all.",
    tags=TAGS,
)
def list_price_lists(
    provider_id: Id,
    service_id: Annotated[Id | None, Query(description="Only this service's lists")] = None,
    status: Annotated[PriceListStatus | None, Query(description="draft or approved")] = None,
) -> Page[PriceListOut]:
    rows = svc.list_price_lists(repositories(), principal(router), provider_id, service_id=service_id, status=status)
    return Page[PriceListOut](items=[_out(x) for x in rows], next=None)


@router.get(
    "/v1/providers/<provider_id>/price-lists/<price_list_id>",
    summary="One price list with the days it is in force",
    tags=TAGS,
)
def get_price_list(provider_id: Id, price_list_id: Id) -> PriceListOut:
    return _out(svc.get_price_list(repositories(), principal(router), provider_id, price_list_id))


@router.patch(
    "/v1/providers/<provider_id>/price-lists/<price_list_id>",
    summary="Change a draft; of an approved list only its notes",
    description="An approved list is never edited (409): make a new list with a later start date.",
    tags=TAGS,
    responses={
        200: {"description": "Changed"},
        409: {"description": "Approved, or a stale version", "content": PROBLEM},
    },
)
def patch_price_list(provider_id: Id, price_list_id: Id, body: Annotated[PriceListPatch, Body()]) -> PriceListOut:
    repos, who = repositories(), principal(router)
    svc.update_price_list(repos, who, provider_id, price_list_id, version=body.version, changes=_changes(body))
    return _out(svc.get_price_list(repos, who, provider_id, price_list_id))


@router.delete(
    "/v1/providers/<provider_id>/price-lists/<price_list_id>",
    summary="Delete a draft (an approved list is never deleted)",
    tags=TAGS,
    status_code=204,
    responses={204: {"description": "Deleted"}, 409: {"description": "Approved, or stale", "content": PROBLEM}},
)
def delete_price_list(
    provider_id: Id,
    price_list_id: Id,
    version: Annotated[int, Query(ge=0, description="The version you read; a stale one is a 409")],
) -> Response[None]:
    svc.delete_price_list(repositories(), principal(router), provider_id, price_list_id, version=version)
    return Response(204, None, None)


@router.post(
    "/v1/providers/<provider_id>/price-lists/<price_list_id>/publish",
    summary="Approve a new price list of a service the provider is approved for (provider admin)",
    description=(
        "The list must start after today (Europe/Helsinki), today must be inside the rulebook's price change "
        "window when it has one, and it must start after the current list of its level and part (409 otherwise)."
    ),
    tags=TAGS,
    responses={
        200: {"description": "Published: approved"},
        409: {"description": "Cannot be published now, or stale", "content": PROBLEM},
    },
)
def publish_price_list(provider_id: Id, price_list_id: Id, body: Annotated[PublishIn, Body()]) -> PriceListOut:
    return _out(svc.publish(repositories(), principal(router), provider_id, price_list_id, version=body.version))


@router.get(
    "/v1/providers/<provider_id>/prices",
    summary="The price of a service content at a part on a day (approved lists only)",
    description=(
        "The part's own list valid that day wins over the company's; the list valid on the event's day "
        "prices it, not the day it is recorded. 404 when no approved list prices it."
    ),
    tags=TAGS,
    responses={200: {"description": "The price"}, 404: {"description": "No approved price", "content": PROBLEM}},
)
def get_price(
    provider_id: Id,
    service_id: Annotated[Id, Query(description="The service")],
    content_id: Annotated[Id, Query(description="The service content")],
    part_id: Annotated[Id | None, Query(description="The site, unit or employee (default: company level)")] = None,
    on: Annotated[IsoDate | None, Query(description="The day (YYYY-MM-DD); default today")] = None,
) -> PriceOut:
    found = svc.price_of(
        repositories(),
        principal(router),
        provider_id,
        service_id=service_id,
        content_id=content_id,
        part_id=part_id,
        on=on,
    )
    pl = found.price_list
    return PriceOut(
        price=found.price,
        price_list_id=pl.id,
        level=pl.level,
        part_id=pl.part_id,
        valid_from=found.valid_from,
        valid_until=found.valid_until,
        provider_id=provider_id,
        service_id=service_id,
        content_id=content_id,
        on=found.on,
    )
