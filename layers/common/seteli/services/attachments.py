"""Attachment use cases (spec 3.4): create with an upload URL, complete (check the file), read,
change the name and validity, replace the file, remove, and what a service's rulebook requires.

Who may do what (decided before anything is read, so a 403 never tells whether another provider's
attachment exists):

- the provider's own users (provider_admin, provider_user; an active user record) create, change,
  replace and remove;
- they and municipality users (municipality_admin, case_worker) read, download and see the
  requirements;
- everyone else: 403.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from seteli import clock
from seteli.api.auth import PROVIDER_ADMIN, PROVIDER_USER, Principal
from seteli.clock import now
from seteli.domain.attachments import Attachment, AttachmentStatus, PendingUpload
from seteli.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from seteli.rules import attachments as rules
from seteli.rules.access import ensure_can_read_provider

if TYPE_CHECKING:
    from seteli.adapters.files import FilesPort
    from seteli.domain.tenant import Service, Tenant


def today() -> date:
    return clock.today()


@dataclass
class UploadTicket:
    """Where and how to POST the file: the form fields, then the file as the last field ``file``."""

    url: str
    fields: dict[str, str]
    expires_at: datetime


@dataclass
class AttachmentView:
    attachment: Attachment
    download_url: str | None = None
    download_expires_at: datetime | None = None


@dataclass
class Requirement:
    type_id: str
    type_name: str
    state: str
    attachment_ids: list[str]
    valid_until: date | None


@dataclass
class SiteRequirements:
    site_id: str
    site_name: str
    requirements: list[Requirement] = field(default_factory=list)


@dataclass
class Requirements:
    service_id: str
    on: date
    company: list[Requirement]
    sites: list[SiteRequirements]
    missing: list[rules.MissingAttachment]

    @property
    def complete(self) -> bool:
        return not self.missing


# ---------------------------------------------------------------- access and helpers


def ensure_can_write(who: Principal, provider_id: str) -> None:
    """Only the provider's own users (admin or user) upload, change and remove its attachments."""
    if who.is_provider and who.provider_id != provider_id:
        raise Forbidden("you may only see and change your own provider's data")
    if not (who.is_provider and who.has_any(PROVIDER_ADMIN, PROVIDER_USER)):
        raise Forbidden("only the provider's own users (provider_admin, provider_user) may change its attachments")


def _ensure_active_user(repos, who: Principal, provider_id: str) -> None:
    """A token lives for an hour; the user record tells whether the user was passivated meanwhile."""
    me = repos.users.get(provider_id, who.subject)
    if me is not None and not me.active:
        raise Forbidden("your account is passive: ask your company's admin")


def _tenant(repos) -> Tenant:
    from seteli.services.tenant_config import current_tenant

    return current_tenant(repos.tenant)


def _invalid(what: str, errors: list[FieldError]) -> ValidationFailed:
    return ValidationFailed(f"{what} has invalid fields: " + ", ".join(e.field for e in errors), errors)


def _get(repos, provider_id: str, attachment_id: str) -> Attachment:
    att = repos.attachments.get(provider_id, attachment_id)
    if att is None:
        raise NotFound(f"provider {provider_id} has no attachment {attachment_id}")
    return att


def _check_version(att: Attachment, sent: int) -> None:
    if att.version != sent:
        raise Conflict(
            f"the attachment changed meanwhile (version {att.version}, you sent {sent}); read it again "
            "and repeat your change",
            [FieldError("body.version", "stale: read again")],
        )


def _object_key(provider_id: str, attachment_id: str, n: int) -> str:
    return f"attachments/{provider_id}/{attachment_id}/{n}"


def _ticket(files: FilesPort, upload: PendingUpload) -> UploadTicket:
    post = files.presign_post(
        upload.object_key, upload.content_type, upload.size, rules.UPLOAD_SECONDS, min_bytes=upload.size
    )
    return UploadTicket(url=post["url"], fields=dict(post["fields"]), expires_at=upload.expires_at)


def _pending(att_provider: str, att_id: str, n: int, who: Principal, filename: str, content_type: str, size: int):
    at = now()
    return PendingUpload(
        object_key=_object_key(att_provider, att_id, n),
        filename=rules.clean_filename(filename),
        content_type=content_type,
        size=size,
        requested_by=who.subject,
        requested_at=at,
        expires_at=at + timedelta(seconds=rules.UPLOAD_SECONDS),
    )


def _delete_quietly(files: FilesPort, key: str | None) -> None:
    """Remove an object no record points to any more; a failure leaves an orphan, never a broken record."""
    if not key:
        return
    try:
        files.delete(key)
    except Exception:  # noqa: BLE001 - the record is saved; an orphan object is logged, not fatal
        from seteli.observability import logger

        logger.warning("attachment object not deleted", extra={"key": key})


# ---------------------------------------------------------------- reading


def list_attachments(
    repos, who: Principal, provider_id: str, *, part_id: str | None = None, type_id: str | None = None
) -> list[Attachment]:
    ensure_can_read_provider(who, provider_id)
    atts = repos.attachments.for_provider(provider_id)
    if part_id is not None:
        atts = [a for a in atts if (a.part_id or "company") == part_id]
    if type_id is not None:
        atts = [a for a in atts if a.type_id == type_id]
    return sorted(atts, key=lambda a: (a.part_id or "", a.type_id, a.created_at, a.id))


def get_attachment(repos, files: FilesPort, who: Principal, provider_id: str, attachment_id: str) -> AttachmentView:
    """The attachment, with a short-lived download link when its file is there."""
    ensure_can_read_provider(who, provider_id)
    att = _get(repos, provider_id, attachment_id)
    if att.status != AttachmentStatus.ready or not att.object_key:
        return AttachmentView(att)
    url = files.presign_get(att.object_key, att.filename, att.sniffed_type or att.content_type, rules.DOWNLOAD_SECONDS)
    return AttachmentView(att, url, now() + timedelta(seconds=rules.DOWNLOAD_SECONDS))


# ---------------------------------------------------------------- creating and uploading


def create_attachment(
    repos,
    files: FilesPort,
    who: Principal,
    provider_id: str,
    *,
    type_id: str,
    name: str | None,
    part_id: str | None,
    valid_from: date | None,
    valid_until: date | None,
    filename: str,
    content_type: str,
    size: int,
) -> tuple[Attachment, UploadTicket]:
    """A new attachment (pending) and the presigned upload for its file."""
    ensure_can_write(who, provider_id)
    errors = rules.upload_problems(filename, content_type, size)
    errors += rules.validity_problems(valid_from, valid_until)
    tenant = _tenant(repos)
    types = {t.id: t for t in tenant.attachment_types}
    if type_id not in types:
        errors.append(FieldError("body.type_id", f"not an attachment type of the municipality ({', '.join(types)})"))
    if repos.providers.get(provider_id) is None:
        raise NotFound(f"no provider {provider_id}")
    if part_id is not None and repos.providers.part(provider_id, part_id) is None:
        errors.append(FieldError("body.part_id", "not a part (site, unit, employee) of this provider"))
    if errors:
        raise _invalid("the attachment", errors)
    _ensure_active_user(repos, who, provider_id)
    att_id = f"att-{secrets.token_hex(6)}"
    upload = _pending(provider_id, att_id, 1, who, filename, content_type, size)
    at = upload.requested_at
    att = Attachment(
        id=att_id,
        provider_id=provider_id,
        type_id=type_id,
        name=(name or "").strip() or types[type_id].name.fi,
        part_id=part_id,
        valid_from=valid_from,
        valid_until=valid_until,
        status=AttachmentStatus.pending,
        filename=upload.filename,
        content_type=content_type,
        size=size,
        object_n=1,
        upload=upload,
        created_by=who.subject,
        created_at=at,
        updated_at=at,
    )
    ticket = _ticket(files, upload)
    return repos.attachments.create(att), ticket


def complete_upload(repos, files: FilesPort, who: Principal, provider_id: str, attachment_id: str) -> Attachment:
    """Check the uploaded file (there, of the declared size, really a PDF/PNG/JPEG of the declared
    type) and make it the attachment's file. A refused file is deleted (422 naming the reason); a
    replacement's old file is deleted once the new one is in place."""
    ensure_can_write(who, provider_id)
    att = _get(repos, provider_id, attachment_id)
    up = att.upload
    if up is None:
        raise Conflict(
            "no upload is waiting for this attachment: it is complete; to change the file use .../replace",
            [FieldError("path.attachment_id", "no upload in progress")],
        )
    _ensure_active_user(repos, who, provider_id)
    size = files.head(up.object_key)
    first = files.read_head(up.object_key, rules.SNIFF_BYTES) if size else b""
    problem = rules.uploaded_file_problem(up.content_type, up.size, size, first)
    if problem is not None:
        field_name, reason = problem
        if size is not None:
            _delete_quietly(files, up.object_key)
        raise ValidationFailed(
            f"the uploaded file was refused: {reason}" + (" (it was deleted)" if size is not None else ""),
            [FieldError(field_name, reason)],
        )
    old_key = att.object_key if att.status == AttachmentStatus.ready else None
    at = now()
    done = att.model_copy(
        update={
            "status": AttachmentStatus.ready,
            "filename": up.filename,
            "content_type": up.content_type,
            "sniffed_type": rules.sniff_type(first),
            "size": size,
            "object_key": up.object_key,
            "upload": None,
            "uploaded_by": who.subject,
            "uploaded_at": at,
            "replaced_at": at if old_key else att.replaced_at,
            "updated_at": at,
        }
    )
    saved = repos.attachments.update(done)
    if old_key and old_key != up.object_key:
        _delete_quietly(files, old_key)
    return saved


def replace_file(
    repos,
    files: FilesPort,
    who: Principal,
    provider_id: str,
    attachment_id: str,
    *,
    version: int,
    filename: str,
    content_type: str,
    size: int,
) -> tuple[Attachment, UploadTicket]:
    """A new upload URL for the attachment's file. The old file stays until the new one is completed."""
    ensure_can_write(who, provider_id)
    errors = rules.upload_problems(filename, content_type, size)
    if errors:
        raise _invalid("the new file", errors)
    att = _get(repos, provider_id, attachment_id)
    _check_version(att, version)
    _ensure_active_user(repos, who, provider_id)
    n = att.object_n + 1
    upload = _pending(provider_id, att.id, n, who, filename, content_type, size)
    changed = att.model_copy(update={"object_n": n, "upload": upload, "updated_at": upload.requested_at})
    if att.status == AttachmentStatus.pending:  # never completed: the declared file is the new one
        changed = changed.model_copy(update={"filename": upload.filename, "content_type": content_type, "size": size})
    ticket = _ticket(files, upload)
    saved = repos.attachments.update(changed)
    if att.upload is not None and att.upload.object_key != att.object_key:
        _delete_quietly(files, att.upload.object_key)  # an earlier upload nobody completed
    return saved, ticket


# ---------------------------------------------------------------- changing and removing


def update_attachment(
    repos, who: Principal, provider_id: str, attachment_id: str, *, version: int, changes: dict[str, Any]
) -> Attachment:
    """Change the name or validity (an explicit null clears valid_from / valid_until)."""
    ensure_can_write(who, provider_id)
    att = _get(repos, provider_id, attachment_id)
    _check_version(att, version)
    _ensure_active_user(repos, who, provider_id)
    update: dict[str, Any] = {}
    errors: list[FieldError] = []
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name:
            errors.append(FieldError("body.name", "must not be empty"))
        update["name"] = name
    for key in ("valid_from", "valid_until"):
        if key in changes:
            update[key] = changes[key]
    merged = att.model_copy(update=update)
    errors += rules.validity_problems(merged.valid_from, merged.valid_until)
    if errors:
        raise _invalid("the change", errors)
    if not update:
        return att
    return repos.attachments.update(merged.model_copy(update={"updated_at": now()}))


def remove_attachment(
    repos, files: FilesPort, who: Principal, provider_id: str, attachment_id: str, *, version: int
) -> None:
    """Remove the attachment and its file(s). The record goes first: no record ever points to a
    deleted file."""
    ensure_can_write(who, provider_id)
    att = _get(repos, provider_id, attachment_id)
    if att.version != version:
        raise Conflict(
            f"the attachment changed meanwhile (version {att.version}, you sent {version}); read it again",
            [FieldError("query.version", "stale: read again")],
        )
    _ensure_active_user(repos, who, provider_id)
    repos.attachments.delete(att)
    _delete_quietly(files, att.object_key)
    if att.upload is not None:
        _delete_quietly(files, att.upload.object_key)


# ---------------------------------------------------------------- requirements


def _service(tenant: Tenant, service_id: str) -> Service:
    service = tenant.service(service_id)
    if service is None:
        known = ", ".join(s.id for s in tenant.services)
        raise ValidationFailed(
            f"no service {service_id}", [FieldError("query.service_id", f"not a service of the municipality ({known})")]
        )
    return service


def requirements(
    repos, who: Principal, provider_id: str, service_id: str, site_ids: list[str] | None = None, on: date | None = None
) -> Requirements:
    """What the service's rulebook requires of the provider at company level and for each site
    (default: its active sites), what is present and valid on ``on`` (default: today in Helsinki),
    and what is missing, expired, not yet valid or not completely uploaded."""
    ensure_can_read_provider(who, provider_id)
    tenant = _tenant(repos)
    service = _service(tenant, service_id)
    if repos.providers.get(provider_id) is None:
        raise NotFound(f"no provider {provider_id}")
    parts = {p.id: p for p in repos.providers.parts(provider_id)}
    if site_ids:
        bad = [s for s in dict.fromkeys(site_ids) if s not in parts or parts[s].kind != "site"]
        if bad:
            raise ValidationFailed(
                "site_id names no site of this provider",
                [FieldError("query.site_id", f"not a site of this provider: {', '.join(bad)}")],
            )
        sites = list(dict.fromkeys(site_ids))
    else:
        sites = [p.id for p in parts.values() if p.kind == "site" and p.active]
    day = on or today()
    atts = repos.attachments.for_provider(provider_id)
    type_names = {t.id: t.name.get("en") for t in tenant.attachment_types}
    site_names = {s: parts[s].name for s in sites}
    states = rules.requirement_states(service, atts, sites, day)
    missing = rules.missing_mandatory(service, atts, sites, day, type_names=type_names, site_names=site_names)

    def req(r: rules.RequirementState) -> Requirement:
        return Requirement(
            r.type_id, type_names.get(r.type_id, r.type_id), r.state, list(r.attachment_ids), r.valid_until
        )

    company = [req(r) for r in states if r.level == "company"]
    per_site = [
        SiteRequirements(s, site_names[s], [req(r) for r in states if r.level == "site" and r.site_id == s])
        for s in sites
    ]
    return Requirements(service.id, day, company, per_site, missing)
