"""Reservations by providers (seed 003 K4.1) and the providers' view of customers (K4.2).

- ``POST /v1/reservations``: activate and reserve an entitlement (decision number + verification
  code, or none when the decision names the provider);
- ``GET /v1/reservations``: the provider's reservations, newest first;
- ``DELETE /v1/reservations/{decision_number}?version=``: cancel its own reservation (nothing charged);
- ``GET /v1/customers?q=``: a provider's customers by name or decision number (a municipality
  user: the municipality's search by name);
- ``POST /v1/customers/lookup``: a provider's search by personal identity code (in the body, never
  in a URL);
- ``PUT /v1/customers/{customer_id}/number``: the provider's own customer number.

Who may call what: ``seteli.services.reservations``.
"""

from datetime import date, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import BaseModel, ConfigDict, Field

from seteli.api.app import principal
from seteli.api.paging import Page
from seteli.api.types import DecisionNumber, DecisionNumberInPath, Id, Limit, Version
from seteli.domain.entitlements import Reservation
from seteli.services import reservations as svc
from seteli.store import repositories

router = Router()
TAGS = ["reservations"]
CUSTOMER_TAGS = ["customers"]


# ---------------------------------------------------------------- reservations


class ReserveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision_number: DecisionNumber
    verification_code: Annotated[str, Field(min_length=1, max_length=40)] | None = Field(
        default=None,
        description="The verification code of the provider copy; not needed when the decision names your provider",
    )
    content_id: Annotated[str, Field(min_length=1, max_length=64)] = Field(description="The one content reserved")
    part_id: Id | None = Field(
        default=None, description="The part (site, unit, employee) reserving; default: the company"
    )
    accept_terms: bool = Field(description="Acceptance of the terms and of forming the contract: must be true")
    info: Annotated[str, Field(max_length=2000)] | None = Field(default=None, description="lisätiedot")
    provider_id: Id | None = Field(default=None, description="Your provider (the default)")


class ReservationOut(BaseModel):
    decision_number: str
    provider_id: str
    part_id: str | None = None
    content_id: str
    customer_id: str
    accepted_terms: bool
    by_municipality: bool
    info: str | None = None
    reserved_at: datetime
    reserved_by: str
    cancelled_at: datetime | None = None
    version: int


def _out(r: Reservation) -> ReservationOut:
    return ReservationOut.model_validate(r.model_dump())


def _source() -> str | None:
    ctx = router.current_event.request_context
    return ctx.identity.source_ip if ctx and ctx.identity else None


@router.post(
    "/v1/reservations",
    tags=TAGS,
    summary="Activate and reserve an entitlement (provider)",
    status_code=201,
)
def post_reservation(body: Annotated[ReserveIn, Body()]) -> Response[ReservationOut]:
    who = principal(router)
    r = svc.reserve(
        repositories(),
        who,
        decision_number=body.decision_number,
        verification_code=body.verification_code,
        content_id=body.content_id,
        part_id=body.part_id,
        accept_terms=body.accept_terms,
        info=body.info,
        provider_id=body.provider_id,
        source=_source(),
    )
    return Response(201, "application/json", _out(r), headers={"Location": f"/v1/reservations/{r.decision_number}"})


@router.get("/v1/reservations", tags=TAGS, summary="Your provider's reservations, newest first")
def get_reservations(
    include_cancelled: Annotated[bool, Query(description="Also the cancelled ones")] = False,
    limit: Annotated[Limit, Query()] = 100,
) -> Page[ReservationOut]:
    found = svc.reservations_of(repositories(), principal(router), include_cancelled=include_cancelled, limit=limit)
    return Page[ReservationOut](items=[_out(r) for r in found], next=None)


@router.delete("/v1/reservations/<decision_number>", tags=TAGS, summary="Cancel your reservation (nothing charged)")
def delete_reservation(decision_number: DecisionNumberInPath, version: Annotated[Version, Query()]) -> ReservationOut:
    return _out(svc.cancel(repositories(), principal(router), decision_number, version))


# ---------------------------------------------------------------- customers


class HeldOut(BaseModel):
    decision_number: str
    kind: str
    service_id: str
    valid_from: date
    valid_until: date | None = Field(default=None, description="null: until further notice")
    state: str = Field(description="granted | open | closed")
    content_id: str
    part_id: str | None = None
    reserved_at: datetime


class ProviderCustomerOut(BaseModel):
    id: str
    name: str
    first_names: str
    last_name: str
    home_municipality: str | None = None
    customer_number: str | None = Field(default=None, description="Your own customer number (providers)")
    entitlements: list[HeldOut] = Field(description="The entitlements your provider holds (providers)")
    personal_id: str | None = Field(default=None, description="Only in the answer to your personal-ID lookup")
    version: int = Field(description="Of your relation to the customer: send it when setting the customer number")


def _customer(v: svc.CustomerView) -> ProviderCustomerOut:
    return ProviderCustomerOut.model_validate(svc.as_dict(v))


@router.get("/v1/customers", tags=CUSTOMER_TAGS, summary="Search customers by name or decision number")
def get_customers(
    q: Annotated[str, Query(min_length=1, max_length=100, description="Name words or a decision number")],
    limit: Annotated[Limit, Query()] = 50,
    next: Annotated[str | None, Query(max_length=2000)] = None,  # noqa: A002 - the API's paging name
) -> Page[ProviderCustomerOut]:
    found, cursor = svc.search_customers(repositories(), principal(router), q, limit=limit, cursor=next)
    return Page[ProviderCustomerOut](items=[_customer(v) for v in found], next=cursor)


class LookupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    personal_id: Annotated[str, Field(min_length=1, max_length=20, description="henkilötunnus")]


@router.post("/v1/customers/lookup", tags=CUSTOMER_TAGS, summary="Find your customer by personal identity code")
def post_customer_lookup(body: Annotated[LookupIn, Body()]) -> Page[ProviderCustomerOut]:
    found = svc.lookup_customer(repositories(), principal(router), body.personal_id)
    return Page[ProviderCustomerOut](items=[_customer(v) for v in found], next=None)


class NumberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_number: Annotated[str, Field(max_length=40)] | None = Field(description="null or empty: remove it")
    version: Version | None = None


@router.put("/v1/customers/<customer_id>/number", tags=CUSTOMER_TAGS, summary="Set your own customer number")
def put_customer_number(customer_id: Id, body: Annotated[NumberIn, Body()]) -> ProviderCustomerOut:
    view = svc.set_customer_number(repositories(), principal(router), customer_id, body.customer_number, body.version)
    return _customer(view)
