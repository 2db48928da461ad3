"""The municipality's side of entitlements (spec 6): customers, grants, closing, death, provider copy.

- ``POST /v1/customers``: add a customer (personal identity code in the body, validated);
- ``POST /v1/customers/search``: the municipality's search by personal identity code (in the body,
  never in a URL);
- ``GET|PATCH /v1/customers/{customer_id}``: read and change (names, address, contacts, home
  municipality; never the personal identity code);
- ``POST /v1/customers/{customer_id}/death``: record a death: every entitlement closes at death + 1;
- ``GET /v1/customers/{customer_id}/entitlements``: the customer's entitlements;
- ``POST /v1/entitlements``: grant a voucher, a balance voucher or a purchased-service order;
- ``GET /v1/entitlements/{decision_number}``: one entitlement (municipality; the reserving or named
  provider without codes and personal identity code);
- ``POST /v1/entitlements/{decision_number}/close``: close it (case worker);
- ``GET /v1/entitlements/{decision_number}/provider-copy.pdf``: the provider copy ("tuottajan kappale").

Who may call what: ``seteli.services.customers`` and ``seteli.services.entitlements``.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel, ConfigDict, Field

from seteli.api.app import principal
from seteli.api.paging import Page
from seteli.api.types import DecisionNumber, DecisionNumberInPath, Id, IsoDate, Version
from seteli.domain.entitlements import Balance, Customer, EntitlementKind, Period, Reservation, total_value
from seteli.domain.money import MoneyField, QuantityField
from seteli.rules import entitlements as rules
from seteli.services import customers as customers_svc
from seteli.services import entitlements as svc
from seteli.store import repositories

router = Router()
TAGS = ["entitlements"]
CUSTOMER_TAGS = ["customers"]

Name = Annotated[str, Field(min_length=1, max_length=100)]
Text = Annotated[str, Field(max_length=200)]
PersonalIdText = Annotated[
    str, Field(min_length=1, max_length=20, description="henkilötunnus, e.g. 131052-308T; never in a URL")
]
ContentId = Annotated[str, Field(min_length=1, max_length=64)]


Amount = QuantityField
Euros = MoneyField
ServiceId = Annotated[str, Field(min_length=1, max_length=64)]


# ---------------------------------------------------------------- customers


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    personal_id: PersonalIdText
    first_names: Name
    last_name: Name
    home_municipality: Text | None = Field(default=None, description="kotikunta, e.g. Jyväskylä")
    address: Text | None = None
    postal_code: Annotated[str, Field(max_length=10)] | None = None
    city: Text | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None
    email: Annotated[str, Field(max_length=254)] | None = None


class CustomerPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_names: Name | None = None
    last_name: Name | None = None
    home_municipality: Text | None = None
    address: Text | None = None
    postal_code: Annotated[str, Field(max_length=10)] | None = None
    city: Text | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    personal_id: Annotated[str, Field(max_length=20)] | None = Field(
        default=None, description="Cannot be changed: sending it is a 422"
    )
    version: Version


class CustomerOut(BaseModel):
    id: str
    personal_id: str = Field(description="henkilötunnus (municipality users only)")
    first_names: str
    last_name: str
    name: str = Field(description="'<last name> <first names>'")
    home_municipality: str | None = None
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    phone: str | None = None
    email: str | None = None
    died_on: date | None = None
    created_at: datetime
    updated_at: datetime
    version: int


def _customer(c: Customer) -> CustomerOut:
    return CustomerOut.model_validate({**c.model_dump(exclude={"personal_id_hash", "created_by"}), "name": c.name})


class PersonalIdSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    personal_id: PersonalIdText


class DeathIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    died_on: IsoDate = Field(description="The date of death; every entitlement closes on the next day")
    version: Version


@router.post("/v1/customers", tags=CUSTOMER_TAGS, summary="Add a customer (municipality)", status_code=201)
def post_customer(body: Annotated[CustomerIn, Body()]) -> Response[CustomerOut]:
    fields = body.model_dump(exclude={"personal_id"})
    c = customers_svc.create(repositories(), principal(router), body.personal_id, fields)
    return Response(201, "application/json", _customer(c), headers={"Location": f"/v1/customers/{c.id}"})


@router.post(
    "/v1/customers/search", tags=CUSTOMER_TAGS, summary="Find a customer by personal identity code (municipality)"
)
def post_customer_search(body: Annotated[PersonalIdSearch, Body()]) -> Page[CustomerOut]:
    found = customers_svc.find_by_personal_id(repositories(), principal(router), body.personal_id)
    return Page[CustomerOut](items=[_customer(c) for c in found], next=None)


@router.get("/v1/customers/<customer_id>", tags=CUSTOMER_TAGS, summary="A customer (municipality)")
def get_customer(customer_id: Id) -> CustomerOut:
    return _customer(customers_svc.get(repositories(), principal(router), customer_id))


@router.patch("/v1/customers/<customer_id>", tags=CUSTOMER_TAGS, summary="Change a customer's details (municipality)")
def patch_customer(customer_id: Id, body: Annotated[CustomerPatch, Body()]) -> CustomerOut:
    changes = {k: getattr(body, k) for k in body.model_fields_set if k != "version"}
    c = customers_svc.update(repositories(), principal(router), customer_id, changes, body.version)
    return _customer(c)


# ---------------------------------------------------------------- entitlements: output


class EntitlementRowOut(BaseModel):
    content_id: str
    amount: QuantityField = Field(description="Granted amount per period, in the content's unit")
    period: Period
    unit_value: MoneyField = Field(description="The voucher value per unit")
    total_value: MoneyField = Field(description="amount x unit value per period, half-up to the cent")


class EntitlementCustomerOut(BaseModel):
    id: str
    name: str
    first_names: str
    last_name: str
    home_municipality: str | None = None
    personal_id: str | None = Field(default=None, description="Municipality users only")
    died_on: date | None = None


class EntitlementReservationOut(BaseModel):
    provider_id: str
    part_id: str | None = None
    content_id: str
    by_municipality: bool
    reserved_at: datetime
    cancelled_at: datetime | None = None


class EntitlementOut(BaseModel):
    decision_number: str
    kind: EntitlementKind
    state: str = Field(description="granted | open | closed (today, Europe/Helsinki)")
    customer_id: str
    customer: EntitlementCustomerOut | None = None
    service_id: str
    decision_date: date
    valid_from: date
    valid_until: date | None = Field(default=None, description="null: until further notice")
    home_municipality: str
    rows: list[EntitlementRowOut]
    balance: Balance | None = None
    verification_code: str | None = Field(
        default=None, description="For the provider copy (municipality users only)", examples=["KT7HQ4MRXA"]
    )
    citizen_code: str | None = Field(default=None, description="For the decision letter (municipality users only)")
    named_provider_id: str | None = None
    named_part_id: str | None = None
    notes: str | None = Field(default=None, description="Municipality users only")
    closed_on: date | None = Field(default=None, description="The first day it is no longer valid")
    closed_reason: str | None = None
    reserved_by: list[str]
    reservations: list[EntitlementReservationOut]
    created_at: datetime
    updated_at: datetime
    version: int


def _reservation(r: Reservation) -> EntitlementReservationOut:
    return EntitlementReservationOut.model_validate(r.model_dump())


def _entitlement(v: svc.Viewed) -> EntitlementOut:
    e, c, full = v.entitlement, v.customer, v.full
    customer = None
    if c is not None:
        customer = EntitlementCustomerOut(
            id=c.id,
            name=c.name,
            first_names=c.first_names,
            last_name=c.last_name,
            home_municipality=c.home_municipality,
            personal_id=c.personal_id if full else None,
            died_on=c.died_on,
        )
    return EntitlementOut(
        decision_number=e.decision_number,
        kind=e.kind,
        state=v.state,
        customer_id=e.customer_id,
        customer=customer,
        service_id=e.service_id,
        decision_date=e.decision_date,
        valid_from=e.valid_from,
        valid_until=e.valid_until,
        home_municipality=e.home_municipality,
        rows=[
            EntitlementRowOut(
                content_id=r.content_id,
                amount=r.amount,
                period=r.period,
                unit_value=r.unit_value,
                total_value=MoneyField(total_value(r)),
            )
            for r in e.rows
        ],
        balance=e.balance,
        verification_code=e.verification_code if full else None,
        citizen_code=e.citizen_code if full else None,
        named_provider_id=e.named_provider_id,
        named_part_id=e.named_part_id,
        notes=e.notes if full else None,
        closed_on=e.closed_on,
        closed_reason=e.closed_reason,
        reserved_by=list(e.reserved_by) if full else [r.provider_id for r in v.reservations if r.cancelled_at is None],
        reservations=[_reservation(r) for r in v.reservations],
        created_at=e.created_at,
        updated_at=e.updated_at,
        version=e.version,
    )


class DeathOut(BaseModel):
    customer: CustomerOut
    closed: list[EntitlementOut] = Field(description="The entitlements the death closed (at died_on + 1)")


@router.post(
    "/v1/customers/<customer_id>/death",
    tags=CUSTOMER_TAGS,
    summary="Record a customer's death: every entitlement closes at the next day (municipality)",
)
def post_customer_death(customer_id: Id, body: Annotated[DeathIn, Body()]) -> DeathOut:
    repos = repositories()
    done = customers_svc.record_death(repos, principal(router), customer_id, body.died_on, body.version)
    closed = [svc.viewed(e, done.customer, [], full=True) for e in done.closed]
    return DeathOut(customer=_customer(done.customer), closed=[_entitlement(v) for v in closed])


@router.get(
    "/v1/customers/<customer_id>/entitlements", tags=CUSTOMER_TAGS, summary="A customer's entitlements (municipality)"
)
def get_customer_entitlements(customer_id: Id) -> Page[EntitlementOut]:
    found = svc.for_customer(repositories(), principal(router), customer_id)
    return Page[EntitlementOut](items=[_entitlement(v) for v in found], next=None)


# ---------------------------------------------------------------- entitlements: grant, read, close


class GrantRowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_id: ContentId
    amount: Amount = Field(description="Granted amount per period in the content's unit, e.g. 10.00 (h)")
    period: Period = Field(default=Period.validity, description="validity | week | month")
    unit_value: Euros | None = Field(
        default=None, description="Voucher value per unit; default: the content's fixed voucher value"
    )


class GrantContentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_id: ContentId
    subsidy: Euros | None = Field(default=None, description="Per unit; default: the content's own subsidy")


class GrantBalanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    total_euros: Euros | None = Field(default=None, description="e.g. 250.00; or total_units")
    total_units: Amount | None = None
    recurrence: Period = Field(default=Period.validity, description="validity | week | month (e.g. 250.00 per month)")
    contents: Annotated[list[GrantContentIn], Field(max_length=50)]
    provider_ids: Annotated[list[Id], Field(max_length=50)] = Field(
        default_factory=list, description="The providers it may be used with; empty: any approved provider"
    )


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EntitlementKind = Field(default=EntitlementKind.voucher, description="voucher | balance_voucher | order")
    decision_number: DecisionNumber
    customer_id: Id
    service_id: ServiceId
    decision_date: IsoDate
    valid_from: IsoDate
    valid_until: IsoDate | None = Field(default=None, description="null: until further notice (toistaiseksi)")
    home_municipality: Text | None = Field(default=None, description="Default: the customer's home municipality")
    rows: Annotated[list[GrantRowIn], Field(max_length=50)] = Field(
        default_factory=list, description="Vouchers and orders: the contents granted"
    )
    balance: GrantBalanceIn | None = Field(default=None, description="Balance vouchers: the total and contents")
    named_provider_id: Id | None = Field(
        default=None, description="The provider chosen (it activates a voucher without the code); required for an order"
    )
    named_part_id: Id | None = Field(default=None, description="An order's provider part (site, unit or employee)")
    notes: Annotated[str, Field(max_length=2000)] | None = None


def _grant(body: GrantIn) -> svc.GrantRequest:
    b = body.balance
    balance = None
    if b is not None:
        balance = rules.GrantBalance(
            total_euros=b.total_euros,
            total_units=b.total_units,
            recurrence=b.recurrence,
            contents=tuple(rules.GrantContent(c.content_id, c.subsidy) for c in b.contents),
            provider_ids=tuple(b.provider_ids),
        )
    g = rules.Grant(
        kind=body.kind,
        service_id=body.service_id,
        decision_date=body.decision_date,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        rows=tuple(rules.GrantRow(r.content_id, Decimal(r.amount), r.period, r.unit_value) for r in body.rows),
        balance=balance,
        named_provider_id=body.named_provider_id,
        named_part_id=body.named_part_id,
    )
    return svc.GrantRequest(
        decision_number=body.decision_number,
        customer_id=body.customer_id,
        grant=g,
        home_municipality=body.home_municipality,
        notes=body.notes,
    )


@router.post(
    "/v1/entitlements",
    tags=TAGS,
    summary="Grant a voucher, balance voucher or purchased-service order (municipality)",
    status_code=201,
)
def post_entitlement(body: Annotated[GrantIn, Body()]) -> Response[EntitlementOut]:
    v = svc.grant(repositories(), principal(router), _grant(body))
    no = v.entitlement.decision_number
    return Response(201, "application/json", _entitlement(v), headers={"Location": f"/v1/entitlements/{no}"})


@router.get(
    "/v1/entitlements/<decision_number>",
    tags=TAGS,
    summary="An entitlement (municipality; the provider holding or named in it, without codes)",
)
def get_entitlement(decision_number: DecisionNumberInPath) -> EntitlementOut:
    return _entitlement(svc.read(repositories(), principal(router), decision_number))


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    closed_on: IsoDate | None = Field(default=None, description="The first day it is no longer valid; default today")
    reason: Annotated[str, Field(min_length=1, max_length=500)]
    version: Version


@router.post("/v1/entitlements/<decision_number>/close", tags=TAGS, summary="Close an entitlement (case worker)")
def post_entitlement_close(decision_number: DecisionNumberInPath, body: Annotated[CloseIn, Body()]) -> EntitlementOut:
    v = svc.close(repositories(), principal(router), decision_number, body.closed_on, body.reason, body.version)
    return _entitlement(v)


PDF_RESPONSE = {
    200: {
        "description": "The provider copy as a PDF",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get(
    "/v1/entitlements/<decision_number>/provider-copy.pdf",
    tags=TAGS,
    summary="The provider copy (tuottajan kappale) as a PDF",
    responses=PDF_RESPONSE,
)
def get_provider_copy(decision_number: DecisionNumberInPath):  # noqa: ANN201 - no return annotation on purpose
    # Without a return annotation powertools passes the Response through unvalidated (a PDF is no
    # JSON); the body's bytes go out base64-encoded with isBase64Encoded. PDF_RESPONSE documents it.
    pdf = svc.provider_copy(repositories(), principal(router), decision_number)
    return Response(
        200,
        "application/pdf",
        pdf,  # bytes: powertools sends them base64-encoded (isBase64Encoded)
        headers={
            "Content-Disposition": f'attachment; filename="{decision_number}-tuottajan-kappale.pdf"',
            "Cache-Control": "no-store",
        },
    )
