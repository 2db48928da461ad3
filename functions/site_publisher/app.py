"""Builds the public comparison site and publishes it to the site bucket (spec 16, issue 7).

Three ways in, one function (reserved concurrency 1: publishes never overlap):

- the nightly schedule ``{"job": "site"}``: everything, refreshed (prices that start today);
- the table's stream (filtered in the template to profiles, sites, price lists, availability,
  applications and feedback): the changed providers only;
- on demand ``{"providers": ["prov-..."]}``, ``{"job": "site"}`` or ``{"job": "site-changes"}``
  (every provider refreshed, only what changed published; the local runtime's watcher sends it).
"""

from __future__ import annotations

import os
from datetime import date, datetime
from typing import Any

from seteli.adapters.site_store import KvsPointer, S3SiteFiles
from seteli.config import settings
from seteli.domain.comparison import ComparisonEntry
from seteli.domain.tenant import Tenant
from seteli.observability import bind_tenant, logger
from seteli.rules.comparison import provider_of_change
from seteli.services import site_publisher
from seteli.store import repositories


def render(
    tenant: Tenant,
    entries: dict[str, list[ComparisonEntry]],
    generated_at: datetime,
    today: date,
    only: tuple[set[str], set[str]] | None,
) -> dict[str, bytes]:
    from seteli_site import Changes, SiteInput, render_site  # the generator (site/), packaged as a layer

    inp = SiteInput(tenant=tenant, entries=entries, generated_at=generated_at, today=today)
    return render_site(inp, only=Changes(services=only[0], providers=only[1]) if only else None)


def _files() -> S3SiteFiles:
    s = settings()
    if not s.site_bucket:
        raise RuntimeError("the stack has no SITE_BUCKET")
    return S3SiteFiles(s.site_bucket, s.region, workers=1 if s.files_endpoint_url else 16)


def _mirror():
    arn = os.environ.get("SITE_KVS_ARN")
    return KvsPointer(arn).mirror if arn else None


def _images(record: dict[str, Any]):
    ddb = record.get("dynamodb") or {}
    for image in (ddb.get("NewImage"), ddb.get("OldImage"), ddb.get("Keys")):
        if image:
            yield {k: v["S"] for k, v in image.items() if isinstance(v, dict) and "S" in v}


def providers_in(records: list[dict[str, Any]]) -> set[str]:
    """The providers whose public entries the stream's records may change (new and old images)."""
    out: set[str] = set()
    for record in records:
        for image in _images(record):
            pid = provider_of_change(image.get("pk", ""), image.get("sk", ""), image.get("gsi1pk"))
            if pid:
                out.add(pid)
    return out


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    bind_tenant(settings().tenant_id)
    repos = repositories()
    if "Records" in event:
        providers = providers_in(event["Records"])
        if not providers:
            return {"mode": "unchanged", "reason": "no change the public sees"}
        done = site_publisher.publish_changes(repos, _files(), render, providers, mirror=_mirror())
    elif event.get("providers"):
        done = site_publisher.publish_changes(repos, _files(), render, set(event["providers"]), mirror=_mirror())
    elif event.get("job") == "site-changes":  # every provider refreshed, only changes published
        everyone = set(site_publisher.all_provider_ids(repos))
        done = site_publisher.publish_changes(repos, _files(), render, everyone, mirror=_mirror())
    else:
        done = site_publisher.publish_full(repos, _files(), render, mirror=_mirror())
    result = site_publisher.report(done)
    logger.info("site published", extra=result)
    return result
