"""Build the public comparison site and publish it atomically (spec 16, issue 7 item 4).

Two ways in:

- ``publish_full``: nightly and on demand. Refreshes every provider's entries (a price list that
  starts today changes prices without any write), renders the whole site, writes it under a new
  build id and flips the pointer to it as a new generation.
- ``publish_changes``: when a price list, an application decision, a provider's sites or its
  availability change (the table's stream). Refreshes those providers' entries; when nothing the
  public sees changed, publishes nothing. Otherwise renders only the affected files, keeps those
  whose bytes differ from the live site (the live manifest tells), writes them under a new build
  id and flips the pointer with those paths overriding the live generation. More changed paths
  than one pointer flip can carry (``MAX_CHANGED``), or too many overrides piled up since the last
  full build (``MAX_OVERRIDES``): a full build instead.

Atomic: every file is in the bucket before the pointer moves, the pointer moves in one write
conditioned on the version read, and a reader resolves every path through one pointer. A crash
before the flip leaves an unused build behind and the old site live; the next run builds again.

The renderer is given by the caller (``Render``: the site generator in ``site/seteli_site``), so
this module needs no templates and stays testable with a fake one.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import orjson

from seteli import clock
from seteli.adapters.site_store import MAX_KEYS_PER_CALL, SiteFiles
from seteli.domain.comparison import ComparisonEntry, SitePointer
from seteli.domain.tenant import Tenant
from seteli.errors import Conflict
from seteli.services import comparison
from seteli.services.tenant_config import current_tenant

MANIFEST = "_manifest.json"  # path -> content hash of the whole live site, written with every build
MAX_CHANGED = MAX_KEYS_PER_CALL - 2  # changed paths one flip carries (the CloudFront pointer's limit)
MAX_OVERRIDES = 2000  # overrides before a full build folds them in (keeps the pointer item small)

# render(tenant, entries by service, generated_at, today, only) -> files; only = None (all) or
# (services, providers) whose files to render.
Render = Callable[
    [Tenant, dict[str, list[ComparisonEntry]], datetime, date, tuple[set[str], set[str]] | None], dict[str, bytes]
]
Mirror = Callable[[SitePointer, SitePointer | None], None]


@dataclass
class Published:
    mode: str  # full | changes | unchanged
    build_id: str | None = None
    generation: int | None = None
    services: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)
    files: int = 0  # files written
    bytes: int = 0
    seconds: float = 0.0
    reason: str | None = None


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def new_build_id(now: datetime) -> str:
    """Sortable by time, unique: 20261123T201500Z-3f9a1c."""
    return f"{now.astimezone(clock.UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def all_provider_ids(repos) -> list[str]:
    ids: list[str] = []
    start = None
    while True:
        page, start = repos.providers.page(100, start)
        ids += [p.id for p in page]
        if not start:
            return ids


def _manifest(files: Mapping[str, bytes]) -> dict[str, str]:
    return {path: digest(data) for path, data in files.items()}


def _flip(repos, new: SitePointer, old: SitePointer | None, mirror: Mirror | None) -> SitePointer:
    saved = repos.comparison.put_pointer(new)  # Conflict if another publisher flipped meanwhile
    if mirror is not None:
        mirror(saved, old)
    return saved


def publish_full(
    repos,
    files: SiteFiles,
    render: Render,
    *,
    now: datetime | None = None,
    refresh: bool = True,
    mirror: Mirror | None = None,
    progress: Callable[[str], None] | None = None,
) -> Published:
    started = time.perf_counter()
    now = now or clock.now()
    today = clock.today(now)
    tenant = current_tenant(repos.tenant)
    if refresh:
        ids = all_provider_ids(repos)
        for i, pid in enumerate(ids, 1):
            comparison.refresh_provider(repos, pid, today=today, now=now)
            if progress and (i % 100 == 0 or i == len(ids)):
                progress(f"refreshed {i}/{len(ids)} providers")
    entries = {s.id: repos.comparison.entries(s.id) for s in tenant.services}
    out = render(tenant, entries, now, today, None)
    manifest = _manifest(out)
    out[MANIFEST] = orjson.dumps(manifest)
    build_id = new_build_id(now)
    files.put_build(build_id, out)
    for _attempt in range(2):
        old = repos.comparison.pointer()
        new = SitePointer(
            base=build_id,
            generation=(old.generation + 1) if old else 1,
            overrides={},
            published_at=now,
            builds=[build_id],
            retired=sorted(set(old.builds) | {old.base}) if old else [],
            version=old.version if old else 0,
        )
        try:
            saved = _flip(repos, new, old, mirror)
            break
        except Conflict:
            continue  # a small build flipped meanwhile; this full build has read after it began
    else:
        raise Conflict("the site's pointer kept changing: the build was not published")
    # The generation before the previous one is read by nobody now (the previous one stays a day,
    # for readers that resolved a path just before the flip).
    for gone in sorted(set(old.retired if old else []) - set(saved.retired) - {build_id}):
        files.delete_build(gone)
    return Published(
        mode="full",
        build_id=build_id,
        generation=saved.generation,
        services=sorted(entries),
        files=len(out),
        bytes=sum(len(d) for d in out.values()),
        seconds=round(time.perf_counter() - started, 3),
    )


def _live_manifest(files: SiteFiles, pointer: SitePointer) -> dict[str, str] | None:
    newest = max([pointer.base, *pointer.builds])  # build ids sort by time
    raw = files.get(newest, MANIFEST)
    return orjson.loads(raw) if raw is not None else None


def publish_changes(
    repos,
    files: SiteFiles,
    render: Render,
    provider_ids: set[str],
    *,
    now: datetime | None = None,
    mirror: Mirror | None = None,
) -> Published:
    """Publish what changed for these providers (see the module's docstring)."""
    started = time.perf_counter()
    now = now or clock.now()
    today = clock.today(now)
    providers = sorted(provider_ids)
    changed: set[str] = set()
    for pid in providers:
        changed |= comparison.refresh_provider(repos, pid, today=today, now=now)
    if not changed:
        return Published(mode="unchanged", providers=providers, reason="nothing the public sees changed")
    old = repos.comparison.pointer()
    if old is None:
        return publish_full(repos, files, render, now=now, refresh=False, mirror=mirror)
    live = _live_manifest(files, old)
    if live is None:
        return publish_full(repos, files, render, now=now, refresh=False, mirror=mirror)
    tenant = current_tenant(repos.tenant)
    entries: dict[str, list[ComparisonEntry]] = {s: repos.comparison.entries(s) for s in sorted(changed)}
    others = [s.id for s in tenant.services if s.id not in changed]
    for pid in providers:  # the providers' pages show their other services too
        for sid, entry in repos.comparison.of_provider(pid, others).items():
            entries.setdefault(sid, []).append(entry)
    for s in tenant.services:
        entries.setdefault(s.id, [])
    out = render(tenant, entries, now, today, (changed, set(providers)))
    fresh = {path: data for path, data in out.items() if live.get(path) != digest(data)}
    if not fresh:
        return Published(mode="unchanged", providers=providers, services=sorted(changed), reason="same bytes")
    if len(fresh) > MAX_CHANGED or len(old.overrides) + len(fresh) > MAX_OVERRIDES:
        result = publish_full(repos, files, render, now=now, refresh=False, mirror=mirror)
        result.reason = f"{len(fresh)} files changed: published in full"
        return result
    build_id = new_build_id(now)
    manifest = {**live, **{p: digest(d) for p, d in fresh.items()}}
    to_write: dict[str, bytes] = {**fresh, MANIFEST: orjson.dumps(manifest)}
    files.put_build(build_id, to_write)
    new = SitePointer(
        base=old.base,
        generation=old.generation,
        overrides={**old.overrides, **dict.fromkeys(fresh, build_id)},
        published_at=now,
        builds=sorted({*old.builds, build_id}),
        retired=old.retired,
        version=old.version,
    )
    saved = _flip(repos, new, old, mirror)
    return Published(
        mode="changes",
        build_id=build_id,
        generation=saved.generation,
        services=sorted(changed),
        providers=providers,
        files=len(fresh),
        bytes=sum(len(d) for d in fresh.values()),
        seconds=round(time.perf_counter() - started, 3),
    )


def report(p: Published) -> dict[str, Any]:
    return {k: v for k, v in p.__dict__.items() if v not in (None, [], "")}
