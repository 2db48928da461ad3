"""Attachments (liitteet, spec 3.4): documents a provider uploads, each of a type of the tenant's
rulebook (``attachment_types``), at company level or for one of its parts (a site), with validity.

The file itself lives in the attachments bucket under ``attachments/<provider>/<attachment>/<n>``;
``n`` grows with every new upload, so an old presigned upload URL can never overwrite a newer file.
An attachment is ``pending`` until its first upload is completed (checked for size and type);
a replacement keeps the attachment ``ready`` with the old file until the new one is completed.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class AttachmentStatus(StrEnum):
    pending = "pending"  # created, the first file not uploaded and checked yet
    ready = "ready"  # a checked file is there (a replacement may be on its way)


class PendingUpload(BaseModel):
    """An upload the client was given a presigned URL for and has not completed yet."""

    model_config = ConfigDict(extra="ignore")

    object_key: str
    filename: str
    content_type: str  # declared by the client
    size: int  # declared by the client: the upload must be exactly this long
    requested_by: str
    requested_at: datetime
    expires_at: datetime


class Attachment(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    provider_id: str
    type_id: str
    name: str
    part_id: str | None = None  # None: company level; else a part (site) of the provider
    valid_from: date | None = None
    valid_until: date | None = None  # inclusive; None: valid until further notice
    status: AttachmentStatus = AttachmentStatus.pending
    # The current (checked) file; while pending, the declared one.
    filename: str
    content_type: str  # declared
    sniffed_type: str | None = None  # what the first bytes say (set when an upload is completed)
    size: int
    object_key: str | None = None  # None until the first upload is completed
    object_n: int = 0  # the number of the latest upload key handed out
    upload: PendingUpload | None = None
    created_by: str
    created_at: datetime
    uploaded_by: str | None = None
    uploaded_at: datetime | None = None
    replaced_at: datetime | None = None
    updated_at: datetime
    version: int = 0

    @property
    def is_company_level(self) -> bool:
        return self.part_id is None
