"""Load a tenant file (tenants/<id>.yaml) into a stack's table, locally or on AWS.

    python tools/load_tenant.py tenants/kouvola.yaml --table seteli-kouvola-prod-main [--region eu-north-1]
    python tools/load_tenant.py tenants/demo.yaml --check          # validate only

On AWS it uses your normal credentials (AWS_PROFILE etc.). The file is validated first; nothing is
written when it has a problem. The tenant id in the file must match the stack's tenant.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "common"))

from seteli.config import Settings  # noqa: E402
from seteli.domain.tenant import Tenant  # noqa: E402


def read_tenant_file(path: str | Path) -> Tenant:
    from seteli.domain.tenant_file import load_tenant_yaml

    return load_tenant_yaml(path)


def load_tenant_file(
    path: str | Path, table_name: str, region: str | None = None, endpoint_url: str | None = None
) -> int:
    """Validate and store the tenant file; returns the stored configuration's version."""
    from seteli.store import repositories

    tenant = read_tenant_file(path)
    s = Settings(
        tenant_id=tenant.id,
        table_name=table_name,
        region=region or "eu-north-1",
        aws_endpoint_url=endpoint_url,
    )
    return repositories(s).tenant.put(tenant, source=Path(path).name)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--table", help="the stack's main table (output MainTableName)")
    ap.add_argument("--region", default=None)
    ap.add_argument("--endpoint-url", default=None, help="e.g. a local emulator")
    ap.add_argument("--check", action="store_true", help="only validate the file")
    args = ap.parse_args(argv)
    try:
        tenant = read_tenant_file(args.file)
    except (ValueError, OSError) as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 1
    print(f"{args.file}: tenant {tenant.id} with {len(tenant.services)} services is valid")
    if args.check:
        return 0
    if not args.table:
        print("--table is required unless --check", file=sys.stderr)
        return 2
    version = load_tenant_file(args.file, args.table, args.region, args.endpoint_url)
    print(f"loaded into {args.table} (configuration version {version})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
