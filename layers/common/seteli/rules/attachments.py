"""Attachment rules (spec 3.4). Pure: no I/O.

- what may be uploaded: PDF, PNG or JPEG, 1 byte .. 10 MB, with a file name whose extension fits;
- what a file really is: its first bytes (``sniff_type``), never the name or the declared type;
- how a download is named (``content_disposition``, RFC 6266 with an ASCII fallback);
- what a service's rulebook still needs (``requirement_states``, ``missing_mandatory``): each
  mandatory type at company level, and at site level for every site, present and valid on a day.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

from seteli.errors import FieldError

if TYPE_CHECKING:
    from seteli.domain.attachments import Attachment
    from seteli.domain.tenant import Service

MAX_BYTES = 10 * 1024 * 1024  # 10 MB
MIN_BYTES = 1
MAX_FILENAME = 200
SNIFF_BYTES = 16  # how many first bytes ``sniff_type`` needs
UPLOAD_SECONDS = 15 * 60  # a presigned upload is valid this long
DOWNLOAD_SECONDS = 5 * 60  # a presigned download link is valid this long

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
ALLOWED_TYPES = (PDF, PNG, JPEG)
EXTENSIONS: dict[str, tuple[str, ...]] = {PDF: (".pdf",), PNG: (".png",), JPEG: (".jpg", ".jpeg")}
KIND_NAMES = {PDF: "a PDF", PNG: "a PNG image", JPEG: "a JPEG image"}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Reason = Literal["missing", "expired", "not_yet_valid", "upload_incomplete"]
Level = Literal["company", "site"]


# ---------------------------------------------------------------- files


def sniff_type(first_bytes: bytes) -> str | None:
    """The content type the first bytes of a file show (PDF, PNG, JPEG), or None for anything else.

    Only these signatures count: HTML, scripts, executables (MZ, ELF), archives and every other
    file are None, whatever their name or declared type says.
    """
    b = bytes(first_bytes or b"")
    if b.startswith(b"%PDF-"):
        return PDF
    if b.startswith(_PNG_SIGNATURE):
        return PNG
    if b.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


def clean_filename(name: str) -> str:
    """The file's own name without any directory part, surrounding spaces or control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    return _CONTROL.sub("", unicodedata.normalize("NFC", base)).strip()


def upload_problems(filename: str, content_type: str, size: int, prefix: str = "body") -> list[FieldError]:
    """What is wrong with an upload the client declares (file name, content type, size)."""
    errors: list[FieldError] = []
    name = clean_filename(filename)
    if content_type not in ALLOWED_TYPES:
        errors.append(FieldError(f"{prefix}.content_type", f"must be one of {', '.join(ALLOWED_TYPES)}"))
    if not name or name in (".", ".."):
        errors.append(FieldError(f"{prefix}.filename", "give the file's name, e.g. extract.pdf"))
    elif len(name) > MAX_FILENAME:
        errors.append(FieldError(f"{prefix}.filename", f"at most {MAX_FILENAME} characters"))
    elif content_type in ALLOWED_TYPES and not name.lower().endswith(EXTENSIONS[content_type]):
        allowed = " or ".join(EXTENSIONS[content_type])
        errors.append(FieldError(f"{prefix}.filename", f"{KIND_NAMES[content_type]} must be named *{allowed}"))
    if size < MIN_BYTES:
        errors.append(FieldError(f"{prefix}.size", "an empty file cannot be uploaded"))
    elif size > MAX_BYTES:
        errors.append(FieldError(f"{prefix}.size", f"at most {MAX_BYTES // (1024 * 1024)} MB ({MAX_BYTES} bytes)"))
    return errors


def uploaded_file_problem(
    declared_type: str, declared_size: int, actual_size: int | None, first_bytes: bytes
) -> tuple[str, str] | None:
    """Why an uploaded file is refused, as (field, reason); None when it is what was declared."""
    if actual_size is None:
        return "file", "nothing was uploaded: POST the file to the upload URL first"
    if actual_size > MAX_BYTES:
        return "file", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB"
    if actual_size != declared_size:
        return "file", f"the file is {actual_size} bytes, not the {declared_size} bytes declared"
    sniffed = sniff_type(first_bytes)
    if sniffed is None:
        return "file", "the file is not a PDF, PNG or JPEG (its first bytes show no such file)"
    if sniffed != declared_type:
        return "file", f"the file is {KIND_NAMES[sniffed]}, not {KIND_NAMES.get(declared_type, declared_type)}"
    return None


def ascii_filename(name: str) -> str:
    """An ASCII stand-in for a file name (for old clients): accents dropped, quotes replaced."""
    text = unicodedata.normalize("NFKD", clean_filename(name)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r'["\\;%]', "_", text).strip()
    if not text or text.startswith("."):  # nothing left of the name itself (e.g. all non-Latin)
        text = "attachment" + text
    return text


def content_disposition(filename: str) -> str:
    """``attachment; filename="..."; filename*=UTF-8''...`` (RFC 6266 / RFC 8187)."""
    name = clean_filename(filename) or "attachment"
    fallback = ascii_filename(name)
    value = f'attachment; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


# ---------------------------------------------------------------- validity


def validity_problems(valid_from: date | None, valid_until: date | None, prefix: str = "body") -> list[FieldError]:
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        return [FieldError(f"{prefix}.valid_until", "is before valid_from")]
    return []


def state_on(att: Attachment, on: date) -> Literal["valid", "expired", "not_yet_valid", "upload_incomplete"]:
    """Whether ``att`` counts on day ``on``: its file checked, ``on`` inside its validity."""
    if att.status != "ready":
        return "upload_incomplete"
    if att.valid_from is not None and on < att.valid_from:
        return "not_yet_valid"
    if att.valid_until is not None and on > att.valid_until:
        return "expired"
    return "valid"


# ---------------------------------------------------------------- what a service requires


@dataclass(frozen=True)
class MissingAttachment:
    """A mandatory attachment that is not there (or not valid) on the day asked about."""

    field: str  # attachments.company.<type_id> or attachments.site.<site_id>.<type_id>
    type_id: str
    site_id: str | None  # None: company level
    reason: Reason
    message: str


@dataclass(frozen=True)
class RequirementState:
    """One mandatory type at one level (company, or one site) and what the provider has for it."""

    level: Level
    type_id: str
    site_id: str | None
    state: Literal["ok", "missing", "expired", "not_yet_valid", "upload_incomplete"]
    attachment_ids: tuple[str, ...]  # the provider's attachments of this type at this level
    valid_until: date | None  # the latest end of validity among the valid ones (None: open-ended or none)


_REASON_ORDER: tuple[Reason, ...] = ("not_yet_valid", "expired", "upload_incomplete")


def _state(candidates: list[Attachment], on: date) -> tuple[str, date | None]:
    states = [(a, state_on(a, on)) for a in candidates]
    valid = [a for a, s in states if s == "valid"]
    if valid:
        ends = [a.valid_until for a in valid]
        return "ok", None if any(e is None for e in ends) else max(e for e in ends if e is not None)
    present = {s for _, s in states}
    for reason in _REASON_ORDER:
        if reason in present:
            return reason, None
    return "missing", None


def requirement_states(
    service: Service, attachments: Iterable[Attachment], site_ids: Iterable[str], on: date
) -> list[RequirementState]:
    """Every mandatory (level, type, site) of the service and its state on ``on``."""
    atts = list(attachments)
    out: list[RequirementState] = []
    wanted: list[tuple[Level, str, str | None]] = [("company", t, None) for t in service.mandatory_attachments.company]
    for site in dict.fromkeys(site_ids):
        wanted += [("site", t, site) for t in service.mandatory_attachments.site]
    for level, type_id, site in wanted:
        candidates = [a for a in atts if a.type_id == type_id and a.part_id == site]
        state, until = _state(candidates, on)
        out.append(RequirementState(level, type_id, site, state, tuple(a.id for a in candidates), until))
    return out


_REASON_TEXT = {
    "missing": "is missing",
    "expired": "has expired",
    "not_yet_valid": "is not valid yet",
    "upload_incomplete": "has not been uploaded completely",
}


def missing_mandatory(
    service: Service,
    attachments: Iterable[Attachment],
    site_ids: Iterable[str],
    on: date,
    *,
    type_names: Mapping[str, str] | None = None,
    site_names: Mapping[str, str] | None = None,
) -> list[MissingAttachment]:
    """The service's mandatory attachments that are not present and valid on ``on``: each type of
    ``mandatory_attachments.company`` at company level, each of ``.site`` for every one of ``site_ids``.

    A type counts when at least one attachment of it (at that level) is ready and valid on ``on``;
    otherwise the reason is the best one found (not_yet_valid, expired, upload_incomplete), else missing.
    ``type_names`` / ``site_names`` make the messages readable (ids are used without them).
    """
    types, sites = type_names or {}, site_names or {}
    out: list[MissingAttachment] = []
    for r in requirement_states(service, attachments, site_ids, on):
        if r.state == "ok":
            continue
        what = types.get(r.type_id) or r.type_id
        if r.site_id is None:
            where, field = "at company level", f"attachments.company.{r.type_id}"
        else:
            site = sites.get(r.site_id)
            where = f"for site {site} ({r.site_id})" if site else f"for site {r.site_id}"
            field = f"attachments.site.{r.site_id}.{r.type_id}"
        message = f"{what} {where} {_REASON_TEXT[r.state]} (service {service.id}, on {on.isoformat()})"
        out.append(MissingAttachment(field, r.type_id, r.site_id, r.state, message))  # type: ignore[arg-type]
    return out
