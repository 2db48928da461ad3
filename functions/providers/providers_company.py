"""Company data (spec 3): registration, the provider record, billing, parts (sites, units,
employees), subcontractors and the obligations check. Who may call what: ``seteli.services.providers``."""

from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import BaseModel, ConfigDict, Field

from seteli.adapters.identity import identity
from seteli.adapters.obligations import obligations_register
from seteli.api.app import principal
from seteli.api.paging import Page
from seteli.api.types import Id, Limit, Version
from seteli.domain.geo import LAT_RANGE, LON_RANGE
from seteli.domain.identifiers import BusinessId, format_iban
from seteli.domain.provider import (
    Address,
    Billing,
    ObligationsState,
    ObligationsStatus,
    PartKind,
    Provider,
    ProviderPart,
    ProviderStatus,
    Subcontractor,
)
from seteli.services import providers as svc
from seteli.store import repositories

router = Router()

Name = Annotated[str, Field(min_length=1, max_length=200)]
Email = Annotated[str, Field(max_length=254, description="An email address")]
Phone = Annotated[str, Field(max_length=40)]
Code = Annotated[str, Field(max_length=40, description="The provider's own code for the part")]
Description = Annotated[str, Field(max_length=4000)]
Lat = Annotated[float, Field(ge=LAT_RANGE[0], le=LAT_RANGE[1], description="Latitude (WGS84), inside Finland")]
Lon = Annotated[float, Field(ge=LON_RANGE[0], le=LON_RANGE[1], description="Longitude (WGS84), inside Finland")]
AttrId = Annotated[str, Field(min_length=1, max_length=64)]
SearchAttributes = Annotated[
    dict[AttrId, list[Annotated[str, Field(max_length=100)]]],
    Field(
        max_length=50,
        description="Search attribute id -> value ids (see the municipality's search attributes)",
        examples=[{"languages": ["finnish", "swedish"]}],
    ),
]
TAGS = ["providers"]


# ---------------------------------------------------------------- output


class BillingOut(BaseModel):
    iban: str = Field(description="IBAN in groups of four")
    bic: str
    reference_info: str | None = None
    billing_email: str
    send_payment_pdf: bool
    updated_at: datetime | None = None


class ObligationsOut(BaseModel):
    status: ObligationsState = Field(description="ok | documents_missing | not_in_programme | unknown")
    checked_at: datetime
    details: list[str]
    source: str


class PartOut(BaseModel):
    id: str
    kind: PartKind
    name: str
    address: Address | None = None
    lat: float | None = None
    lon: float | None = None
    email: str | None = None
    code: str | None = None
    phone: str | None = None
    site_id: str | None = Field(default=None, description="A unit's or employee's site")
    description: str | None = None
    active: bool
    billing: BillingOut | None = Field(default=None, description="A site's own billing (wins over the company's)")
    version: int


class SubcontractorOut(BaseModel):
    id: str
    name: str
    business_id: str
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    description: str | None = None
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


class ProviderOut(BaseModel):
    id: str
    name: str
    business_id: str
    status: ProviderStatus
    description: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    address: Address | None = None
    search_attributes: dict[str, list[str]]
    billing: BillingOut | None = None
    obligations: ObligationsOut | None = None
    parts: list[PartOut]
    subcontractors: list[SubcontractorOut]
    created_at: datetime
    updated_at: datetime
    version: int


class ProviderSummary(BaseModel):
    id: str
    name: str
    business_id: str
    status: ProviderStatus
    contact_name: str | None = None
    contact_email: str | None = None
    obligations_status: ObligationsState | None = None
    obligations_checked_at: datetime | None = None
    created_at: datetime


class AdminOut(BaseModel):
    email: str
    subject: str


class RegistrationOut(BaseModel):
    provider: ProviderOut
    admin: AdminOut
    next_steps: list[str]


def _billing(b: Billing | None) -> BillingOut | None:
    if b is None:
        return None
    return BillingOut(**b.model_dump(include=set(BillingOut.model_fields) - {"iban"}), iban=format_iban(b.iban))


def _obligations(o: ObligationsStatus | None) -> ObligationsOut | None:
    return ObligationsOut(**o.model_dump(include=set(ObligationsOut.model_fields))) if o else None


def _part(p: ProviderPart) -> PartOut:
    return PartOut(**p.model_dump(include=set(PartOut.model_fields) - {"billing"}), billing=_billing(p.billing))


def _sub(s: Subcontractor) -> SubcontractorOut:
    return SubcontractorOut(**s.model_dump(include=set(SubcontractorOut.model_fields)))


def _provider(
    p: Provider,
    parts: list[ProviderPart],
    subs: list[Subcontractor],
    obligations: ObligationsStatus | None,
) -> ProviderOut:
    computed = {"billing", "obligations", "parts", "subcontractors"}
    return ProviderOut(
        **p.model_dump(include=set(ProviderOut.model_fields) - computed),
        billing=_billing(p.billing),
        obligations=_obligations(obligations),
        parts=[_part(x) for x in parts],
        subcontractors=[_sub(s) for s in subs],
    )


def _view(v: svc.ProviderView) -> ProviderOut:
    return _provider(v.provider, v.parts, v.subcontractors, v.obligations)


# ---------------------------------------------------------------- input


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SiteIn(Strict):
    name: Name | None = Field(default=None, description="Default: the company's name")
    address: Address | None = Field(default=None, description="Default: the company's address")
    lat: Lat
    lon: Lon
    email: Email | None = Field(default=None, description="The site's visible email (default: the contact email)")
    code: Code | None = None
    phone: Phone | None = None


class AdminIn(Strict):
    email: Email = Field(description="The first admin's email: the user name for signing in")
    name: Name


class RegistrationIn(Strict):
    name: Name = Field(description="The company's name")
    business_id: BusinessId
    address: Address
    contact_name: Name | None = Field(default=None, description="The contact person")
    contact_email: Email | None = None
    contact_phone: Phone | None = None
    description: Description | None = None
    search_attributes: SearchAttributes = Field(default_factory=dict)
    site: SiteIn = Field(description="The first site (toimipaikka): always created, even when it equals the company")
    admin: AdminIn = Field(description="The company's first admin user: gets a one-time password by email")


class ProviderPatch(Strict):
    version: Version
    name: Name | None = None
    description: Description | None = None
    contact_name: Name | None = None
    contact_email: Email | None = None
    contact_phone: Phone | None = None
    address: Address | None = None
    search_attributes: SearchAttributes | None = Field(default=None, description="Replaces all of them")
    business_id: str | None = Field(default=None, description="Cannot be changed: register the new company")


class BillingIn(Strict):
    iban: str = Field(max_length=42, description="IBAN (checksum verified; spaces allowed, stored compact)")
    bic: str = Field(max_length=11, description="BIC (SWIFT code), 8 or 11 characters")
    reference_info: Annotated[str, Field(max_length=140)] | None = Field(
        default=None, description="What the payment's message should say"
    )
    billing_email: Email
    send_payment_pdf: bool = Field(default=True, description="Send the payment specification PDF by email")
    version: Version | None = Field(default=None, description="Optional: the version you read (409 when stale)")


class PartIn(Strict):
    kind: PartKind
    name: Name
    address: Address | None = Field(default=None, description="Required for a site")
    lat: Lat | None = Field(default=None, description="Required for a site")
    lon: Lon | None = Field(default=None, description="Required for a site")
    email: Email | None = None
    code: Code | None = None
    phone: Phone | None = None
    site_id: Id | None = Field(default=None, description="A unit's or employee's site (a site of this provider)")
    description: Description | None = None


class PartPatch(Strict):
    version: Version
    name: Name | None = None
    address: Address | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    email: Email | None = None
    code: Code | None = None
    phone: Phone | None = None
    site_id: Id | None = None
    description: Description | None = None
    active: bool | None = Field(default=None, description="false passivates the part (never the last site)")


BusinessIdText = Annotated[
    str, Field(max_length=20, description="Finnish business ID (Y-tunnus), check digit verified")
]


class SubcontractorIn(Strict):
    name: Name
    business_id: BusinessIdText
    contact_name: Name | None = None
    contact_email: Email | None = None
    contact_phone: Phone | None = None
    description: Description | None = None


class SubcontractorPatch(Strict):
    version: Version
    name: Name | None = None
    business_id: BusinessIdText | None = None
    contact_name: Name | None = None
    contact_email: Email | None = None
    contact_phone: Phone | None = None
    description: Description | None = None
    active: bool | None = None


def _changes(body: BaseModel) -> dict[str, Any]:
    """The fields the client sent (an explicit null clears a field that may be empty)."""
    return {k: getattr(body, k) for k in body.model_fields_set if k != "version"}


# ---------------------------------------------------------------- providers


NEXT_STEPS = [
    "The admin got an email with a one-time password: sign in with `seteli login --username <email>` "
    "and choose a new password.",
    "Add billing details: `seteli provider billing set --iban ... --bic ... --email ...`.",
    "Add the other sites, units and employees: `seteli provider parts add ...`.",
    "Upload the company's attachments and apply to a service.",
]


PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


@router.post(
    "/v1/providers",
    summary="Register a company (no sign-in): the provider, its first site and its first admin user",
    description=(
        "Open to anyone (throttled per source address). The business ID's check digit is verified and it must be "
        "new (409 `body.business_id`), the admin's email must have no user yet (409 `body.admin.email`). "
        "The admin gets a one-time password by email."
    ),
    tags=[*TAGS, "public"],
    status_code=201,
    responses={
        201: {"description": "Registered: the provider with its first site, its admin, and what to do next"},
        409: {
            "description": "The business ID is registered already, or the admin's email has a user",
            "content": PROBLEM,
        },
        500: {"description": "The user pool or the table failed: nothing was written", "content": PROBLEM},
    },
)
def register(body: Annotated[RegistrationIn, Body()]) -> Response[RegistrationOut]:
    ctx = router.current_event.request_context
    source = ctx.identity.source_ip if ctx and ctx.identity else None
    done = svc.register_provider(
        repositories(),
        identity(),
        obligations_register(),
        source=source or "unknown",
        name=body.name,
        business_id=body.business_id,
        address=body.address,
        contact_name=body.contact_name,
        contact_email=body.contact_email,
        contact_phone=body.contact_phone,
        description=body.description,
        search_attributes=body.search_attributes,
        site=body.site.model_dump(exclude_none=True),
        admin_email=body.admin.email,
        admin_name=body.admin.name,
    )
    out = RegistrationOut(
        provider=_provider(done.provider, [done.site], [], done.obligations),
        admin=AdminOut(email=done.admin_email, subject=done.admin_subject),
        next_steps=NEXT_STEPS,
    )
    return Response(201, "application/json", out, headers={"Location": f"/v1/providers/{done.provider.id}"})


@router.get(
    "/v1/providers",
    summary="The providers by name, with status and obligations (municipality)",
    tags=TAGS,
)
def list_providers(
    limit: Annotated[Limit, Query(description="Page size")] = 50,
    next: Annotated[str | None, Query(description="The `next` of the previous page", max_length=2000)] = None,  # noqa: A002
) -> Page[ProviderSummary]:
    rows, cursor = svc.list_providers(repositories(), principal(router), limit=limit, cursor=next)
    items = [
        ProviderSummary(
            **p.model_dump(include=set(ProviderSummary.model_fields)),
            obligations_status=o.status if o else None,
            obligations_checked_at=o.checked_at if o else None,
        )
        for p, o in rows
    ]
    return Page[ProviderSummary](items=items, next=cursor)


@router.get("/v1/providers/<provider_id>", summary="A provider's company data and parts", tags=TAGS)
def get_provider(provider_id: Id) -> ProviderOut:
    return _view(svc.provider_view(repositories(), principal(router), provider_id))


@router.patch("/v1/providers/<provider_id>", summary="Change the company data (provider admin)", tags=TAGS)
def patch_provider(provider_id: Id, body: Annotated[ProviderPatch, Body()]) -> ProviderOut:
    repos, who = repositories(), principal(router)
    svc.update_provider(repos, who, provider_id, version=body.version, changes=_changes(body))
    return _view(svc.provider_view(repos, who, provider_id))


# ---------------------------------------------------------------- billing


def _billing_in(body: BillingIn) -> dict[str, Any]:
    return body.model_dump(exclude={"version"})


@router.put(
    "/v1/providers/<provider_id>/billing",
    summary="Set the company's billing details (provider admin; the municipality is notified)",
    tags=TAGS,
)
def put_billing(provider_id: Id, body: Annotated[BillingIn, Body()]) -> ProviderOut:
    repos, who = repositories(), principal(router)
    svc.set_billing(repos, who, provider_id, _billing_in(body), version=body.version)
    return _view(svc.provider_view(repos, who, provider_id))


@router.put(
    "/v1/providers/<provider_id>/parts/<part_id>/billing",
    summary="Set a site's own billing details, which win over the company's (provider admin)",
    tags=TAGS,
)
def put_part_billing(provider_id: Id, part_id: Id, body: Annotated[BillingIn, Body()]) -> PartOut:
    part = svc.set_part_billing(
        repositories(), principal(router), provider_id, part_id, _billing_in(body), version=body.version
    )
    return _part(part)


@router.delete(
    "/v1/providers/<provider_id>/parts/<part_id>/billing",
    summary="Remove a site's own billing details: the company's apply (provider admin)",
    tags=TAGS,
)
def delete_part_billing(provider_id: Id, part_id: Id) -> PartOut:
    return _part(svc.clear_part_billing(repositories(), principal(router), provider_id, part_id))


# ---------------------------------------------------------------- parts


@router.get("/v1/providers/<provider_id>/parts", summary="A provider's sites, units and employees", tags=TAGS)
def list_parts(provider_id: Id) -> Page[PartOut]:
    parts = svc.list_parts(repositories(), principal(router), provider_id)
    return Page[PartOut](items=[_part(p) for p in parts], next=None)


@router.post(
    "/v1/providers/<provider_id>/parts",
    summary="Add a site, unit or employee (provider admin)",
    tags=TAGS,
    status_code=201,
)
def add_part(provider_id: Id, body: Annotated[PartIn, Body()]) -> Response[PartOut]:
    fields = body.model_dump(exclude={"kind"}, exclude_none=True)
    if body.address is not None:
        fields["address"] = body.address
    part = svc.add_part(repositories(), principal(router), provider_id, kind=body.kind, fields=fields)
    return Response(
        201, "application/json", _part(part), headers={"Location": f"/v1/providers/{provider_id}/parts/{part.id}"}
    )


@router.patch(
    "/v1/providers/<provider_id>/parts/<part_id>",
    summary="Change a part; active=false passivates it (provider admin)",
    tags=TAGS,
)
def patch_part(provider_id: Id, part_id: Id, body: Annotated[PartPatch, Body()]) -> PartOut:
    part = svc.update_part(
        repositories(), principal(router), provider_id, part_id, version=body.version, changes=_changes(body)
    )
    return _part(part)


# ---------------------------------------------------------------- subcontractors


@router.get("/v1/providers/<provider_id>/subcontractors", summary="A provider's subcontractors", tags=TAGS)
def list_subcontractors(provider_id: Id) -> Page[SubcontractorOut]:
    subs = svc.list_subcontractors(repositories(), principal(router), provider_id)
    return Page[SubcontractorOut](items=[_sub(s) for s in subs], next=None)


@router.post(
    "/v1/providers/<provider_id>/subcontractors",
    summary="Add a subcontractor (provider admin)",
    tags=TAGS,
    status_code=201,
)
def add_subcontractor(provider_id: Id, body: Annotated[SubcontractorIn, Body()]) -> Response[SubcontractorOut]:
    sub = svc.add_subcontractor(repositories(), principal(router), provider_id, body.model_dump(exclude_none=True))
    return Response(
        201,
        "application/json",
        _sub(sub),
        headers={"Location": f"/v1/providers/{provider_id}/subcontractors/{sub.id}"},
    )


@router.patch(
    "/v1/providers/<provider_id>/subcontractors/<subcontractor_id>",
    summary="Change a subcontractor; active=false passivates it (provider admin)",
    tags=TAGS,
)
def patch_subcontractor(
    provider_id: Id, subcontractor_id: Id, body: Annotated[SubcontractorPatch, Body()]
) -> SubcontractorOut:
    sub = svc.update_subcontractor(
        repositories(), principal(router), provider_id, subcontractor_id, version=body.version, changes=_changes(body)
    )
    return _sub(sub)


# ---------------------------------------------------------------- obligations


@router.get(
    "/v1/providers/<provider_id>/obligations",
    summary="The latest contractor's-obligations check (tilaajavastuu)",
    tags=TAGS,
)
def get_obligations(provider_id: Id) -> ObligationsOut:
    from seteli.errors import NotFound

    found = svc.read_obligations(repositories(), principal(router), provider_id)
    if found is None:
        raise NotFound(f"provider {provider_id} has not been checked yet: POST .../obligations-check")
    return _obligations(found)


@router.post(
    "/v1/providers/<provider_id>/obligations-check",
    summary="Run the obligations check again (municipality users or the provider's admin)",
    tags=TAGS,
)
def check_obligations(provider_id: Id) -> ObligationsOut:
    return _obligations(svc.check_obligations(repositories(), obligations_register(), principal(router), provider_id))
