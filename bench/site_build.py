"""Build time of the public comparison site (issue 7 item 7): rendering to bytes, as the publisher
does before it writes anything.

Three inputs from ``seteli_site.sample`` (deterministic synthetic data, the demo tenant's services
cloned to 20, one site per provider):

- ``all``: 5,000 providers, each in all 20 services: 100,000 provider-service entries (the
  literal reading of "5,000 providers x 20 services").
- ``mix``: 5,000 providers, 20 services, each provider in 1-3 of them (a realistic tenant).
- the one change: ``only=Changes(services={one}, providers={one})`` on ``all`` (one price changed).

Budgets: a full build under 3 s; one change under 200 ms. Timed is ``render_site`` (best and
median of ``--runs``); writing the files into a temporary directory is reported apart (that is the
publisher's part). Generating the sample data is not timed.

    .venv/bin/python bench/site_build.py [--providers 5000] [--services 20] [--runs 3] [--workers N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

from _env import ROOT  # noqa: E402 - paths and fake credentials first

sys.path.insert(0, str(ROOT / "site"))


def _timed(fn, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        result = None
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def _figures(times: list[float]) -> dict:
    return {"best_s": round(min(times), 3), "median_s": round(statistics.median(times), 3), "runs": len(times)}


def _size(files: dict[str, bytes]) -> dict:
    return {"files": len(files), "megabytes": round(sum(map(len, files.values())) / 1e6, 1)}


def _write_time(files: dict[str, bytes]) -> float:
    from seteli_site.__main__ import write_files

    tmp = tempfile.mkdtemp(prefix="seteli-site-bench-")
    try:
        t0 = time.perf_counter()
        write_files(files, __import__("pathlib").Path(tmp) / "site")
        return round(time.perf_counter() - t0, 3)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--providers", type=int, default=5_000)
    ap.add_argument("--services", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=None, help="processes (default: the renderer's choice)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from seteli.domain.tenant_file import load_tenant_yaml
    from seteli_site import Changes, render_site
    from seteli_site.sample import sample_input

    tenant = load_tenant_yaml(ROOT / "tenants" / "demo.yaml")
    out: dict = {"bench": "site_build", "cores": os.cpu_count(), "budget_full_s": 3.0, "budget_change_s": 0.2}

    t0 = time.perf_counter()
    every = sample_input(tenant, providers=args.providers, services=args.services)
    out["sample_s"] = round(time.perf_counter() - t0, 1)
    entries = sum(len(es) for es in every.entries.values())

    times, files = _timed(lambda: render_site(every, workers=args.workers), args.runs)
    out["all"] = {"entries": entries, **_figures(times), **_size(files), "write_s": _write_time(files)}
    files = None
    times, files = _timed(lambda: render_site(every, workers=1), max(1, args.runs - 1))
    out["all"]["one_process"] = _figures(times)
    files = None

    service = every.tenant.services[len(every.tenant.services) // 2].id
    provider = every.entries[service][len(every.entries[service]) // 2].provider_id
    change = Changes(services={service}, providers={provider})
    render_site(every, only=change)  # warm: templates, assets and schema are cached per process
    times, files = _timed(lambda: render_site(every, only=change), max(5, args.runs))
    out["one_change"] = {"service": service, **_figures(times), **_size(files), "write_s": _write_time(files)}
    every = files = None

    mix = sample_input(tenant, providers=args.providers, services=args.services, services_per_provider=(1, 3))
    entries = sum(len(es) for es in mix.entries.values())
    times, files = _timed(lambda: render_site(mix, workers=args.workers), args.runs)
    out["mix"] = {"entries": entries, **_figures(times), **_size(files), "write_s": _write_time(files)}
    files = None
    times, files = _timed(lambda: render_site(mix, workers=1), max(1, args.runs - 1))
    out["mix"]["one_process"] = _figures(times)

    print(json.dumps(out) if args.json else json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
