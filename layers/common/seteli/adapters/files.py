"""Files port: the attachments bucket as the use cases need it (S3 through boto3).

Clients never send files through the API: they get a presigned POST (the policy pins the key, the
content type and the exact length) and upload straight to S3; the API then checks what arrived
(HEAD, the first bytes) before the attachment counts. Downloads are short-lived presigned GETs that
always answer ``Content-Disposition: attachment`` with the sniffed type, so nothing uploaded is ever
rendered by a browser as a page.

Locally (``make run``) and in tests, S3 is moto's: ``Settings.files_endpoint_url`` is moto's
server, which browsers and the CLI reach, and which shares its state with the in-process mock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from seteli.errors import SeteliError
from seteli.rules.attachments import content_disposition


class FilesUnavailable(SeteliError):
    status = 503
    title = "Service unavailable"


class FilesPort(Protocol):
    def presign_post(
        self, key: str, content_type: str, max_bytes: int, expires: int, min_bytes: int = 1
    ) -> dict[str, Any]: ...
    def head(self, key: str) -> int | None: ...
    def read_head(self, key: str, n: int = 16) -> bytes: ...
    def presign_get(self, key: str, filename: str, content_type: str, expires: int) -> str: ...
    def delete(self, key: str) -> None: ...
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...


class S3Files:
    """One bucket. ``endpoint_url``: moto's server locally; None on AWS (the regional endpoint)."""

    def __init__(self, bucket: str, region: str, endpoint_url: str | None = None) -> None:
        self.bucket = bucket
        self.region = region
        self.endpoint_url = endpoint_url
        self._client = None

    @property
    def s3(self):
        if self._client is None:
            import boto3
            from botocore.config import Config

            endpoint = self.endpoint_url or f"https://s3.{self.region}.amazonaws.com"
            style = "path" if self.endpoint_url else "virtual"
            self._client = boto3.client(
                "s3",
                region_name=self.region,
                endpoint_url=endpoint,
                config=Config(signature_version="s3v4", s3={"addressing_style": style}),
            )
        return self._client

    def presign_post(
        self, key: str, content_type: str, max_bytes: int, expires: int, min_bytes: int = 1
    ) -> dict[str, Any]:
        """A form upload of exactly one key: {url, fields, expires_at}. S3 refuses another key, another
        content type, or a length outside ``min_bytes..max_bytes``."""
        post = self.s3.generate_presigned_post(
            self.bucket,
            key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", min_bytes, max_bytes]],
            ExpiresIn=expires,
        )
        return {
            "url": post["url"],
            "fields": dict(post["fields"]),
            "expires_at": datetime.now(UTC) + timedelta(seconds=expires),
        }

    def head(self, key: str) -> int | None:
        """The object's size in bytes, or None when there is no such object."""
        from botocore.exceptions import ClientError

        try:
            res = self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return int(res["ContentLength"])

    def read_head(self, key: str, n: int = 16) -> bytes:
        """The first ``n`` bytes of the object (a Range GET: never the whole file)."""
        res = self.s3.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{max(n, 1) - 1}")
        return res["Body"].read(n)

    def presign_get(self, key: str, filename: str, content_type: str, expires: int) -> str:
        return self.s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": content_disposition(filename),
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
            ExpiresIn=expires,
        )

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write a file the system made (a payment PDF, a finance file); encrypted like the bucket."""
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def delete(self, key: str) -> None:
        """Remove the object (deleting a missing one is fine). The bucket is versioned: the old
        version stays until the lifecycle rule expires it."""
        self.s3.delete_object(Bucket=self.bucket, Key=key)


_files: FilesPort | None = None


def files() -> FilesPort:
    """The stack's attachments bucket, built from the settings once per container."""
    global _files
    if _files is None:
        from seteli.config import settings

        s = settings()
        if not s.attachments_bucket:
            raise FilesUnavailable("attachments are not available: the stack has no ATTACHMENTS_BUCKET")
        _files = S3Files(s.attachments_bucket, s.region, s.files_endpoint_url)
    return _files


def use_files(port: FilesPort | None) -> None:
    """Replace the files port (tests), or forget it (None)."""
    global _files
    _files = port


def forget() -> None:
    """Drop the cached port (the local runtime and tests that switch stacks)."""
    use_files(None)
