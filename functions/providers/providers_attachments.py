"""Attachments (spec 3.4): typed, named documents with validity, uploaded through presigned S3
POSTs, checked for type and size, and what a service's rulebook requires.
Who may call what: ``seteli.services.attachments``."""

from datetime import date, datetime
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import BaseModel, ConfigDict, Field

from seteli.adapters.files import files
from seteli.api.app import principal
from seteli.api.paging import Page
from seteli.api.types import Id, IsoDate, Version
from seteli.domain.attachments import Attachment, AttachmentStatus
from seteli.rules import attachments as rules
from seteli.services import attachments as svc
from seteli.store import repositories

router = Router()
TAGS = ["attachments"]
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}

Filename = Annotated[
    str, Field(min_length=1, max_length=rules.MAX_FILENAME, description="The file's name, e.g. extract.pdf")
]
ContentType = Annotated[
    str,
    Field(max_length=100, description=f"The file's type: one of {', '.join(rules.ALLOWED_TYPES)}"),
]
Size = Annotated[int, Field(description=f"The file's exact size in bytes (1..{rules.MAX_BYTES})")]
Name = Annotated[str, Field(min_length=1, max_length=200)]


# ---------------------------------------------------------------- output


class PendingUploadOut(BaseModel):
    filename: str
    content_type: str
    size: int
    expires_at: datetime


class AttachmentOut(BaseModel):
    id: str
    provider_id: str
    type_id: str
    name: str
    part_id: str | None = Field(default=None, description="null: company level; else the part (site) it is for")
    valid_from: date | None = None
    valid_until: date | None = None
    status: AttachmentStatus = Field(description="pending: the first file is not uploaded and checked yet")
    filename: str
    content_type: str = Field(description="The type declared by the uploader")
    sniffed_type: str | None = Field(default=None, description="The type the file's first bytes show")
    size: int
    pending_upload: PendingUploadOut | None = Field(
        default=None, description="An upload (first file or replacement) waiting for .../complete"
    )
    uploaded_by: str | None = None
    uploaded_at: datetime | None = None
    replaced_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int
    download_url: str | None = Field(
        default=None, description="Single item only, when ready: a short-lived link that downloads the file"
    )
    download_expires_at: datetime | None = None


class UploadOut(BaseModel):
    url: str = Field(description="POST a multipart/form-data form here")
    fields: dict[str, str] = Field(description="Send these form fields as given, then the file as the field `file`")
    expires_at: datetime


class AttachmentUploadOut(BaseModel):
    attachment: AttachmentOut
    upload: UploadOut
    next_step: str


class RequirementOut(BaseModel):
    type_id: str
    type_name: str
    state: Literal["ok", "missing", "expired", "not_yet_valid", "upload_incomplete"]
    attachment_ids: list[str]
    valid_until: date | None = Field(default=None, description="When ok: the end of the longest validity (null: open)")


class SiteRequirementsOut(BaseModel):
    site_id: str
    site_name: str
    requirements: list[RequirementOut]


class MissingOut(BaseModel):
    field: str
    type_id: str
    site_id: str | None = None
    reason: Literal["missing", "expired", "not_yet_valid", "upload_incomplete"]
    message: str


class RequirementsOut(BaseModel):
    service_id: str
    on: date = Field(description="The day the validity is checked on (today in Europe/Helsinki)")
    complete: bool = Field(description="Every mandatory attachment is present and valid")
    company: list[RequirementOut]
    sites: list[SiteRequirementsOut]
    missing: list[MissingOut]


def _out(a: Attachment, view: svc.AttachmentView | None = None) -> AttachmentOut:
    pending = None
    if a.upload is not None:
        pending = PendingUploadOut(**a.upload.model_dump(include=set(PendingUploadOut.model_fields)))
    fields = set(AttachmentOut.model_fields) - {"pending_upload", "download_url", "download_expires_at"}
    return AttachmentOut(
        **a.model_dump(include=fields),
        pending_upload=pending,
        download_url=view.download_url if view else None,
        download_expires_at=view.download_expires_at if view else None,
    )


def _upload(a: Attachment, ticket: svc.UploadTicket) -> AttachmentUploadOut:
    return AttachmentUploadOut(
        attachment=_out(a),
        upload=UploadOut(url=ticket.url, fields=ticket.fields, expires_at=ticket.expires_at),
        next_step=(
            f"POST the form fields and the file (as `file`) to upload.url before {ticket.expires_at:%H:%M} UTC, "
            f"then POST /v1/providers/{a.provider_id}/attachments/{a.id}/complete"
        ),
    )


# ---------------------------------------------------------------- input


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AttachmentIn(Strict):
    type_id: Id = Field(description="An attachment type of the municipality (see its rulebooks)")
    name: Name | None = Field(default=None, description="Default: the type's name")
    part_id: Id | None = Field(default=None, description="A part (site) of the provider; omit for company level")
    valid_from: IsoDate | None = None
    valid_until: IsoDate | None = Field(default=None, description="Inclusive; omit when valid until further notice")
    filename: Filename
    content_type: ContentType
    size: Size


class AttachmentPatch(Strict):
    version: Version
    name: Name | None = None
    valid_from: IsoDate | None = Field(default=None, description="null clears it")
    valid_until: IsoDate | None = Field(default=None, description="null clears it")


class ReplaceIn(Strict):
    version: Version
    filename: Filename
    content_type: ContentType
    size: Size


# ---------------------------------------------------------------- routes

BASE = "/v1/providers/<provider_id>/attachments"


@router.post(
    BASE,
    summary="Add an attachment: returns a presigned upload for its file (the provider's users)",
    description=(
        "Declare the file (name, type, exact size: PDF, PNG or JPEG, at most 10 MB), POST it to `upload.url` "
        "with `upload.fields`, then call `.../complete`: the file is checked before the attachment counts."
    ),
    tags=TAGS,
    status_code=201,
    responses={201: {"description": "Created (pending) with its upload form"}, 422: {"content": PROBLEM}},
)
def create_attachment(provider_id: Id, body: Annotated[AttachmentIn, Body()]) -> Response[AttachmentUploadOut]:
    att, ticket = svc.create_attachment(
        repositories(),
        files(),
        principal(router),
        provider_id,
        type_id=body.type_id,
        name=body.name,
        part_id=body.part_id,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        filename=body.filename,
        content_type=body.content_type,
        size=body.size,
    )
    return Response(
        201,
        "application/json",
        _upload(att, ticket),
        headers={"Location": f"/v1/providers/{provider_id}/attachments/{att.id}"},
    )


@router.post(
    f"{BASE}/<attachment_id>/complete",
    summary="Check the uploaded file and make it the attachment's file (the provider's users)",
    description=(
        "The file must be there, of the declared size and really of the declared type (its first bytes). "
        "A refused file is deleted: 422 naming `file` and the reason."
    ),
    tags=TAGS,
    responses={
        200: {"description": "The file is checked and in place"},
        422: {"description": "The file was refused and deleted", "content": PROBLEM},
    },
)
def complete_upload(provider_id: Id, attachment_id: Id) -> AttachmentOut:
    return _out(svc.complete_upload(repositories(), files(), principal(router), provider_id, attachment_id))


@router.get(BASE, summary="A provider's attachments (its users, municipality users)", tags=TAGS)
def list_attachments(
    provider_id: Id,
    part_id: Annotated[Id | None, Query(description="A part's attachments; `company` for company level")] = None,
    type_id: Annotated[Id | None, Query(description="Attachments of one type")] = None,
) -> Page[AttachmentOut]:
    atts = svc.list_attachments(repositories(), principal(router), provider_id, part_id=part_id, type_id=type_id)
    return Page[AttachmentOut](items=[_out(a) for a in atts], next=None)


@router.get(
    f"{BASE}/<attachment_id>",
    summary="An attachment, with a short-lived download link when its file is there",
    tags=TAGS,
)
def get_attachment(provider_id: Id, attachment_id: Id) -> AttachmentOut:
    view = svc.get_attachment(repositories(), files(), principal(router), provider_id, attachment_id)
    return _out(view.attachment, view)


@router.patch(
    f"{BASE}/<attachment_id>",
    summary="Change an attachment's name or validity (the provider's users)",
    tags=TAGS,
    responses={200: {"description": "Done"}, 409: {"description": "Stale version", "content": PROBLEM}},
)
def patch_attachment(provider_id: Id, attachment_id: Id, body: Annotated[AttachmentPatch, Body()]) -> AttachmentOut:
    changes = {k: getattr(body, k) for k in body.model_fields_set if k != "version"}
    att = svc.update_attachment(
        repositories(), principal(router), provider_id, attachment_id, version=body.version, changes=changes
    )
    return _out(att)


@router.post(
    f"{BASE}/<attachment_id>/replace",
    summary="Replace the file: a new upload; the old file stays until the new one is completed",
    tags=TAGS,
    responses={200: {"description": "Done"}, 409: {"description": "Stale version", "content": PROBLEM}},
)
def replace_file(provider_id: Id, attachment_id: Id, body: Annotated[ReplaceIn, Body()]) -> AttachmentUploadOut:
    att, ticket = svc.replace_file(
        repositories(),
        files(),
        principal(router),
        provider_id,
        attachment_id,
        version=body.version,
        filename=body.filename,
        content_type=body.content_type,
        size=body.size,
    )
    return _upload(att, ticket)


@router.delete(
    f"{BASE}/<attachment_id>",
    summary="Remove an attachment and its file (the provider's users)",
    tags=TAGS,
    status_code=204,
    responses={204: {"description": "Removed"}, 409: {"description": "Stale version", "content": PROBLEM}},
)
def delete_attachment(
    provider_id: Id,
    attachment_id: Id,
    version: Annotated[int, Query(ge=0, description="The version you read; a stale one is a 409")],
) -> Response[None]:
    svc.remove_attachment(repositories(), files(), principal(router), provider_id, attachment_id, version=version)
    return Response(204, headers={"Cache-Control": "no-store"})


@router.get(
    "/v1/providers/<provider_id>/attachment-requirements",
    summary="What a service's rulebook requires: mandatory attachments at company level and per site",
    description=(
        "For each mandatory type: ok, missing, expired, not_yet_valid or upload_incomplete on the day "
        "(today in Europe/Helsinki). Sites: the `site_id`s given (repeatable), else the provider's active sites."
    ),
    tags=TAGS,
)
def get_requirements(
    provider_id: Id,
    service_id: Annotated[Id, Query(description="A service of the municipality")],
    site_id: Annotated[list[Id] | None, Query(description="Sites to check (repeatable); default: active sites")] = None,
) -> RequirementsOut:
    r = svc.requirements(repositories(), principal(router), provider_id, service_id, site_id)
    return RequirementsOut(
        service_id=r.service_id,
        on=r.on,
        complete=r.complete,
        company=[RequirementOut(**vars(x)) for x in r.company],
        sites=[
            SiteRequirementsOut(
                site_id=s.site_id,
                site_name=s.site_name,
                requirements=[RequirementOut(**vars(x)) for x in s.requirements],
            )
            for s in r.sites
        ],
        missing=[MissingOut(**vars(m)) for m in r.missing],
    )
