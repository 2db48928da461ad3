"""Command line: a sample site for a look, or serve a built directory.

python -m seteli_site sample --tenant tenants/demo.yaml --providers 5000 [--services 20]
                             [--sites-per-provider 1] [--seed 1] --out DIR
python -m seteli_site serve DIR [--port 8000]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import sys
import time
from pathlib import Path


def _paths() -> None:
    root = Path(__file__).resolve().parent.parent.parent
    common = root / "layers" / "common"
    if common.is_dir() and str(common) not in sys.path:
        sys.path.insert(0, str(common))


def write_files(files: dict[str, bytes], out: Path, *, clean: bool = True) -> None:
    """Write a build into a plain directory (replacing what was there when ``clean``)."""
    if clean and out.exists():
        shutil.rmtree(out)
    made: set[Path] = set()
    for rel, data in files.items():
        path = out / rel
        parent = path.parent
        if parent not in made:
            parent.mkdir(parents=True, exist_ok=True)
            made.add(parent)
        path.write_bytes(data)


def _sample(args: argparse.Namespace) -> int:
    _paths()
    from seteli.domain.tenant_file import load_tenant_yaml

    from .render import render_site
    from .sample import sample_input

    tenant = load_tenant_yaml(args.tenant)
    t0 = time.perf_counter()
    spp = tuple(int(x) for x in args.services_per_provider.split("-")) if args.services_per_provider else None
    inp = sample_input(
        tenant,
        providers=args.providers,
        services=args.services,
        sites_per_provider=args.sites_per_provider,
        seed=args.seed,
        services_per_provider=spp,  # type: ignore[arg-type]
    )
    t1 = time.perf_counter()
    files = render_site(inp)
    t2 = time.perf_counter()
    out = Path(args.out)
    write_files(files, out)
    t3 = time.perf_counter()
    sites = sum(len(e.sites) for es in inp.entries.values() for e in es)
    print(
        f"{len(files)} files, {sites} sites into {out} "
        f"(data {t1 - t0:.2f} s, render {t2 - t1:.2f} s, write {t3 - t2:.2f} s)"
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(Path(args.dir).resolve()))
    server = http.server.ThreadingHTTPServer((args.host, args.port), handler)
    print(f"serving {args.dir} at http://{args.host}:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m seteli_site")
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample", help="render a site from synthetic data into a directory")
    s.add_argument("--tenant", default="tenants/demo.yaml")
    s.add_argument("--providers", type=int, default=200)
    s.add_argument("--services", type=int, default=None, help="clone the tenant's services up to this many")
    s.add_argument("--sites-per-provider", type=int, default=1)
    s.add_argument("--services-per-provider", default=None, help="e.g. 1-3: each provider in 1..3 services")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--out", required=True)
    s.set_defaults(func=_sample)
    v = sub.add_parser("serve", help="serve a directory over HTTP")
    v.add_argument("dir")
    v.add_argument("--port", type=int, default=8000)
    v.add_argument("--host", default="127.0.0.1")
    v.set_defaults(func=_serve)
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
