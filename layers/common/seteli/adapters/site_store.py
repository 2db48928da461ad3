"""Where the comparison site is published: the site bucket and the pointer CloudFront reads.

A build's files go under ``builds/<build_id>/<path>`` (never overwritten: a build id is new each
time). What is live is decided by the pointer (``seteli.domain.comparison.SitePointer``), flipped
in one conditional write after every file of the build is in the bucket. On AWS the pointer is
mirrored into the CloudFront KeyValueStore that the site's viewer-request function reads
(``base`` and ``p:<path>`` keys, one ``UpdateKeys`` call, conditioned on the store's ETag);
locally the site server reads the pointer from the table itself (``local/site.py``).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from seteli.domain.comparison import SitePointer

BUILDS = "builds"
PATH_KEY = "p:"  # KeyValueStore key of a path's override: p:<generation>:<path>
MAX_KEYS_PER_CALL = 50  # UpdateKeys takes at most 50 puts and deletes
IMMUTABLE = "public, max-age=31536000, immutable"  # content-hashed assets
SHORT = "public, max-age=60"  # pages and data: a publish shows within a minute

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}


def object_key(build_id: str, path: str) -> str:
    return f"{BUILDS}/{build_id}/{path}"


def content_type(path: str) -> str:
    suffix = path[path.rfind(".") :] if "." in path else ""
    return TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def cache_control(path: str) -> str:
    return IMMUTABLE if path.startswith("assets/") else SHORT


class SiteFiles(Protocol):
    def put_build(self, build_id: str, files: Mapping[str, bytes]) -> None: ...
    def get(self, build_id: str, path: str) -> bytes | None: ...
    def delete_build(self, build_id: str) -> None: ...


class S3SiteFiles:
    """The site bucket. ``workers``: parallel PUTs (1 locally: the in-process emulator is not thread-safe)."""

    def __init__(self, bucket: str, region: str, endpoint_url: str | None = None, workers: int = 16) -> None:
        self.bucket = bucket
        self.region = region
        self.endpoint_url = endpoint_url
        self.workers = workers
        self._client = None

    @property
    def s3(self):
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.client(
                "s3", region_name=self.region, config=Config(max_pool_connections=max(self.workers, 10))
            )
        return self._client

    def _put(self, build_id: str, path: str, data: bytes) -> None:
        self.s3.put_object(
            Bucket=self.bucket,
            Key=object_key(build_id, path),
            Body=data,
            ContentType=content_type(path),
            CacheControl=cache_control(path),
        )

    def put_build(self, build_id: str, files: Mapping[str, bytes]) -> None:
        """Every file of the build; raises if any PUT fails (the pointer is then not flipped)."""
        if self.workers <= 1:
            for path, data in files.items():
                self._put(build_id, path, data)
            return
        with ThreadPoolExecutor(self.workers) as pool:
            for f in [pool.submit(self._put, build_id, p, d) for p, d in files.items()]:
                f.result()

    def get(self, build_id: str, path: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            return self.s3.get_object(Bucket=self.bucket, Key=object_key(build_id, path))["Body"].read()
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise


    def delete_build(self, build_id: str) -> None:
        """Remove a build nobody reads any more (ListObjectsV2 of its prefix, DeleteObjects by 1,000)."""
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{BUILDS}/{build_id}/"):
            gone = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if gone:
                self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": gone, "Quiet": True})


class KvsPointer:
    """Mirror the pointer into CloudFront's KeyValueStore (what the viewer-request function reads).

    Keys: ``gen`` (the live generation), ``base:<gen>`` (its full build) and ``p:<gen>:<path>`` (a
    path rewritten since by a later, smaller build). A full build is a new generation: its ``base``
    is written first and ``gen`` flipped last, in one call; a small build puts its paths of the live
    generation in one ``UpdateKeys`` call (at most ``MAX_KEYS_PER_CALL``; the publisher makes a full
    build when more paths changed). So CloudFront sees either build, never a mix. Old generations'
    keys are deleted afterwards. Needs ``awscrt`` (the KeyValueStore API is signed with SigV4A)."""

    def __init__(self, arn: str) -> None:
        self.arn = arn

    def _update(self, kvs, etag: str, puts: list[dict], deletes: list[dict]) -> str:
        return kvs.update_keys(KvsARN=self.arn, IfMatch=etag, Puts=puts, Deletes=deletes)["ETag"]

    def mirror(self, new: SitePointer, old: SitePointer | None) -> None:
        import boto3

        kvs = boto3.client("cloudfront-keyvaluestore", region_name="us-east-1")
        etag = kvs.describe_key_value_store(KvsARN=self.arn)["ETag"]
        gen = str(new.generation)
        if old is None or old.generation != new.generation:
            etag = self._update(kvs, etag, [{"Key": f"base:{gen}", "Value": new.base}], [])
            etag = self._update(kvs, etag, [{"Key": "gen", "Value": gen}], [])
            if old is not None:  # tidy the old generation (nothing reads it any more)
                stale = [{"Key": f"base:{old.generation}"}] + [
                    {"Key": f"{PATH_KEY}{old.generation}:{p}"} for p in old.overrides
                ]
                for i in range(0, len(stale), MAX_KEYS_PER_CALL):
                    etag = self._update(kvs, etag, [], stale[i : i + MAX_KEYS_PER_CALL])
            return
        changed = {p: b for p, b in new.overrides.items() if old.overrides.get(p) != b}
        if len(changed) > MAX_KEYS_PER_CALL:
            raise ValueError(f"{len(changed)} paths changed: a build this big must be a full one")
        if changed:
            self._update(kvs, etag, [{"Key": f"{PATH_KEY}{gen}:{p}", "Value": b} for p, b in changed.items()], [])
