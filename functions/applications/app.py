"""Applications context: a provider's applications per service and the municipality's review (spec 4).

Who may call what: ``seteli.services.applications``.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import BaseModel, ConfigDict, Field

from seteli.api.app import create_app, make_handler, principal
from seteli.api.paging import Page
from seteli.api.types import Id, Limit, Version
from seteli.domain.applications import STEPS, Actor, Application, ApplicationStatus, Decision, Transition
from seteli.services import applications as svc
from seteli.store import repositories

app = create_app("applications")

TAGS = ["applications"]
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
Ids = Annotated[list[Id], Field(max_length=500)]
Area = Annotated[str, Field(min_length=1, max_length=100)]


# ---------------------------------------------------------------- output


class RulebookOut(BaseModel):
    rulebook_id: str
    version: str
    general_rulebook_id: str | None = None
    general_version: str | None = None
    accepted_by: Actor
    accepted_at: datetime


class RoundOut(BaseModel):
    opens: date
    closes: date
    decisions_by: date


class ApplicationSummary(BaseModel):
    id: str
    provider_id: str
    service_id: str
    status: ApplicationStatus
    submitted_at: datetime | None = None
    decision_due: date | None = None
    updated_at: datetime
    version: int


class ApplicationOut(ApplicationSummary):
    site_ids: list[str]
    operating_areas: list[str]
    unit_ids: list[str]
    employee_ids: list[str]
    subcontractor_ids: list[str]
    notes: str | None = None
    rulebook: RulebookOut | None = None
    signed_by: Actor | None = None
    signed_at: datetime | None = None
    round: RoundOut | None = None
    decided_by: Actor | None = None
    decided_at: datetime | None = None
    decision_comment: str | None = None
    created_by: Actor
    created_at: datetime


class TransitionOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    seq: int
    from_: ApplicationStatus | None = Field(default=None, alias="from", description="None: the application was created")
    to: ApplicationStatus
    by: Actor
    at: datetime
    comment: str | None = None
    email_failed: bool = Field(default=False, description="The provider's email about it could not be sent")


class MissingOut(BaseModel):
    field: str
    message: str


class StepItem(BaseModel):
    id: str
    name: str | None = None
    detail: str | None = None


class StepOut(BaseModel):
    number: int
    id: str
    name: str
    complete: bool
    items: list[StepItem]
    missing: list[MissingOut]


class RulebookInfo(BaseModel):
    rulebook_id: str
    current_version: str
    general_rulebook_id: str | None = None
    general_current_version: str | None = None


class ApplicationDetail(ApplicationOut):
    steps: list[StepOut]
    missing: list[MissingOut] = Field(description="What a submit would refuse now; empty: ready to submit")
    transitions: list[TransitionOut]
    rulebook_current: RulebookInfo
    intake: str = Field(
        description="round | continuous | waiting | closed: whether the service takes applications today"
    )


class SubmittedOut(BaseModel):
    application: ApplicationOut
    message: str
    email_failed: bool


class DecisionOut(BaseModel):
    application: ApplicationOut
    email_failed: bool = Field(description="true: the decision stands but the provider's email could not be sent")


class RoundPhaseOut(RoundOut):
    phase: Literal["upcoming", "open", "deciding", "past"]


class ServiceRoundsOut(BaseModel):
    service_id: str
    name: str
    continuous: bool
    rounds: list[RoundPhaseOut]
    intake: str = Field(description="round | continuous | waiting | closed (today)")
    current_round: RoundOut | None = Field(default=None, description="The open round, or the one applications wait for")


def _summary(a: Application) -> ApplicationSummary:
    return ApplicationSummary(**a.model_dump(include=set(ApplicationSummary.model_fields)))


def _out(a: Application) -> ApplicationOut:
    return ApplicationOut(**a.model_dump(include=set(ApplicationOut.model_fields)))


def _transition(t: Transition) -> TransitionOut:
    return TransitionOut(
        seq=t.seq, from_=t.from_status, to=t.to_status, by=t.by, at=t.at, comment=t.comment, email_failed=t.email_failed
    )


def _part_item(view: svc.View, pid: str) -> StepItem:
    p = view.parts.get(pid)
    if p is None:
        return StepItem(id=pid, detail="no longer a part of the provider")
    city = p.address.city if p.address else None
    return StepItem(
        id=pid, name=p.name, detail=", ".join(x for x in (city, None if p.active else "passive") if x) or None
    )


def _steps(view: svc.View) -> list[StepOut]:
    a, prov = view.application, view.provider
    items: dict[str, list[StepItem]] = {
        "company": [StepItem(id=prov.id, name=prov.name, detail=f"{prov.business_id}, {prov.status.value}")]
        if prov
        else [],
        "sites": [_part_item(view, x) for x in a.site_ids],
        "operating_areas": [StepItem(id=x, name=x) for x in a.operating_areas],
        "units": [_part_item(view, x) for x in a.unit_ids],
        "employees": [_part_item(view, x) for x in a.employee_ids],
        "subcontractors": [
            StepItem(id=x, name=s.name if s else None, detail=s.business_id if s else "no longer a subcontractor")
            for x in a.subcontractor_ids
            for s in [view.subcontractors.get(x)]
        ],
        "price_list": [
            StepItem(
                id=pl.id,
                name=pl.name,
                detail=f"{pl.level.value}{f' {pl.part_id}' if pl.part_id else ''}, from {pl.starts_on.isoformat()}, "
                f"{pl.status.value}",
            )
            for pl in view.price_lists
        ],
        "summary": [
            StepItem(
                id=a.rulebook.rulebook_id,
                name="rulebook accepted",
                detail=f"version {a.rulebook.version} by {a.rulebook.accepted_by.name or a.rulebook.accepted_by.subject}",  # noqa: E501
            )
        ]
        if a.rulebook
        else [],
    }
    out = []
    for n, (sid, name) in enumerate(STEPS, 1):
        missing = view.missing.errors if sid == "summary" else view.missing.of(sid)
        out.append(
            StepOut(
                number=n,
                id=sid,
                name=name,
                complete=not missing,
                items=items[sid],
                missing=[MissingOut(field=e.field, message=e.message) for e in missing],
            )
        )
    return out


def _detail(view: svc.View) -> ApplicationDetail:
    rb = view.rulebook
    return ApplicationDetail(
        **_out(view.application).model_dump(),
        steps=_steps(view),
        missing=[MissingOut(field=e.field, message=e.message) for e in view.missing.errors],
        transitions=[_transition(t) for t in view.transitions],
        rulebook_current=RulebookInfo(
            rulebook_id=rb.rulebook_id,
            current_version=rb.current_version,
            general_rulebook_id=rb.general_rulebook_id,
            general_current_version=rb.general_current_version,
        ),
        intake=view.intake.intake.value,
    )


# ---------------------------------------------------------------- input


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplicationIn(Strict):
    service_id: Id = Field(description="The service applied to")
    provider_id: Id | None = Field(default=None, description="Default: the caller's own provider")


class ApplicationPatch(Strict):
    version: Version
    site_ids: Ids | None = Field(default=None, description="Step 2: the sites (active, this provider's) offering it")
    operating_areas: Annotated[list[Area], Field(max_length=200)] | None = Field(
        default=None, description="Step 3: the areas served (e.g. municipalities or postal code areas)"
    )
    unit_ids: Ids | None = Field(default=None, description="Step 4: the units")
    employee_ids: Ids | None = Field(default=None, description="Step 5: the employees who provide the service")
    subcontractor_ids: Ids | None = Field(default=None, description="Step 6: the subcontractors used for it")
    notes: Annotated[str, Field(max_length=4000)] | None = None


class RulebookIn(Strict):
    version: Version
    rulebook_version: Annotated[str, Field(min_length=1, max_length=40)] = Field(
        description="The version of the service's rulebook you read and accept (must be the current one)"
    )


class SubmitIn(Strict):
    version: Version


class DecisionIn(Strict):
    version: Version
    decision: Decision
    comment: Annotated[str, Field(max_length=4000)] | None = Field(
        default=None, description="Required when returning or rejecting: the provider reads it"
    )


# ---------------------------------------------------------------- routes


@app.get(
    "/v1/applications/rounds",
    summary="Application rounds per service and whether each takes applications today",
    tags=TAGS,
)
def get_rounds(
    service_id: Annotated[Id | None, Query(description="One service (default: all)")] = None,
) -> list[ServiceRoundsOut]:
    principal(app)
    out = []
    for s in svc.rounds(repositories(), principal(app), service_id):
        cur = s.intake.round
        out.append(
            ServiceRoundsOut(
                service_id=s.service_id,
                name=s.name,
                continuous=s.continuous,
                rounds=[RoundPhaseOut(**r.model_dump(), phase=phase) for r, phase in s.rounds],
                intake=s.intake.intake.value,
                current_round=RoundOut(**cur.model_dump()) if cur else None,
            )
        )
    return out


@app.post(
    "/v1/applications",
    summary="Apply to a service: a draft application (the provider's users in the service's team)",
    description="One application per provider and service: a second one is a 409 naming the first.",
    tags=TAGS,
    status_code=201,
    responses={
        201: {"description": "The draft"},
        409: {"description": "The provider has applied to the service already", "content": PROBLEM},
    },
)
def create_application(body: Annotated[ApplicationIn, Body()]) -> Response[ApplicationOut]:
    created = svc.create_application(
        repositories(), principal(app), service_id=body.service_id, provider_id=body.provider_id
    )
    return Response(201, "application/json", _out(created), headers={"Location": f"/v1/applications/{created.id}"})


@app.get(
    "/v1/applications",
    summary="Provider users: their applications. Municipality: the queue of one status, oldest first",
    tags=TAGS,
)
def list_applications(
    status: Annotated[ApplicationStatus | None, Query(description="Municipality default: submitted")] = None,
    service_id: Annotated[Id | None, Query(description="Only this service")] = None,
    limit: Annotated[Limit, Query(description="Page size")] = 50,
    next: Annotated[str | None, Query(description="The `next` of the previous page", max_length=2000)] = None,  # noqa: A002
) -> Page[ApplicationSummary]:
    apps, cursor = svc.list_applications(
        repositories(), principal(app), status=status, service_id=service_id, limit=limit, cursor=next
    )
    return Page[ApplicationSummary](items=[_summary(a) for a in apps], next=cursor)


@app.get(
    "/v1/applications/<application_id>",
    summary="An application with its eight steps, its history and what a submit would still refuse",
    tags=TAGS,
)
def get_application(application_id: Id) -> ApplicationDetail:
    return _detail(svc.application_view(repositories(), principal(app), application_id))


def _changes(body: BaseModel) -> dict[str, Any]:
    return {k: getattr(body, k) for k in body.model_fields_set if k != "version"}


@app.patch(
    "/v1/applications/<application_id>",
    summary="Fill in the steps (draft or returned; a submitted application is locked: 409)",
    tags=TAGS,
)
def patch_application(application_id: Id, body: Annotated[ApplicationPatch, Body()]) -> ApplicationOut:
    changed = svc.update_application(
        repositories(), principal(app), application_id, version=body.version, changes=_changes(body)
    )
    return _out(changed)


@app.post(
    "/v1/applications/<application_id>/accept-rulebook",
    summary="Accept the service's rulebook (and the general part) in its current version",
    tags=TAGS,
)
def accept_rulebook(application_id: Id, body: Annotated[RulebookIn, Body()]) -> ApplicationOut:
    changed = svc.accept_rulebook(
        repositories(), principal(app), application_id, version=body.version, rulebook_version=body.rulebook_version
    )
    return _out(changed)


@app.post(
    "/v1/applications/<application_id>/submit",
    summary="Sign and submit (provider admin): refused with everything that is missing",
    description=(
        "422 lists every missing thing as a field error: body.rulebook, attachments.company.<type>, "
        "attachments.site.<site>.<type>, body.site_ids, body.site_ids[i] (no price list), price_list, "
        "body.service_id (no round open). Once submitted the application is locked until the decision."
    ),
    tags=TAGS,
    responses={200: {"description": "Submitted"}, 422: {"description": "What is missing", "content": PROBLEM}},
)
def submit_application(application_id: Id, body: Annotated[SubmitIn, Body()]) -> SubmittedOut:
    done = svc.submit(repositories(), principal(app), application_id, version=body.version)
    return SubmittedOut(application=_out(done.application), message=done.message, email_failed=done.email_failed)


@app.post(
    "/v1/applications/<application_id>/decision",
    summary="Decide a submitted application: approve, return (ask for more) or reject (municipality)",
    description=(
        "A comment is required for return and reject. Approving activates the provider and approves its draft "
        "price lists of the service in the same transaction. The provider is emailed."
    ),
    tags=TAGS,
)
def decide(application_id: Id, body: Annotated[DecisionIn, Body()]) -> DecisionOut:
    saved, failed = svc.decide(
        repositories(),
        principal(app),
        application_id,
        version=body.version,
        decision=body.decision,
        comment=body.comment,
    )
    return DecisionOut(application=_out(saved), email_failed=failed)


lambda_handler = make_handler(app)
