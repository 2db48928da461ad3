"""Cold-start proxy: import time of every handler module, and import + first signed-in GET on moto.

Each measurement runs in a fresh Python process (like a fresh Lambda container). Budgets (issue 2):
import under 150 ms; import + first signed-in GET under 400 ms.

    .venv/bin/python bench/cold_start.py [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = sorted(p.name for p in (ROOT / "functions").iterdir() if (p / "app.py").exists())
ENV = {
    **os.environ,
    "PYTHONPATH": f"{ROOT / 'layers' / 'common'}:{ROOT}",
    "TENANT_ID": "demo",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-north-1",
    "AWS_REGION": "eu-north-1",
    "PYDANTIC_DISABLE_PLUGINS": "__all__",
    "POWERTOOLS_SERVICE_NAME": "bench",
}

IMPORT_ONLY = """
import importlib.util, sys, time
t = time.perf_counter()
sys.path.append(sys.argv[1])
spec = importlib.util.spec_from_file_location("fn", sys.argv[1] + "/app.py")
m = importlib.util.module_from_spec(spec); sys.modules["fn"] = m; spec.loader.exec_module(m)
print((time.perf_counter() - t) * 1000)
"""

# The measured process is fresh (nothing imported, no botocore caches); the emulator with the
# stack's resources and demo data runs in this (parent) process as moto's server.
FIRST_GET = """
import importlib.util, json, sys, time
t = time.perf_counter()
sys.path.append("functions/providers")
spec = importlib.util.spec_from_file_location("fn", "functions/providers/app.py")
m = importlib.util.module_from_spec(spec); sys.modules["fn"] = m; spec.loader.exec_module(m)
res = m.lambda_handler(json.loads(sys.argv[1]), type("Ctx", (), {"aws_request_id": "bench",
    "function_name": "providers", "memory_limit_in_mb": 1024, "invoked_function_arn": "arn",
    "get_remaining_time_in_millis": lambda self: 29000})())
elapsed = (time.perf_counter() - t) * 1000
assert res["statusCode"] == 200, res
print(elapsed)
"""


def prepare_stack() -> dict[str, str]:
    """moto (in-process + server) with the template's resources, the demo tenant and providers."""
    sys.path[:0] = [str(ROOT / "layers" / "common"), str(ROOT)]
    os.environ.update({k: v for k, v in ENV.items() if k.startswith(("AWS_", "PYDANTIC"))})
    from local import emulator
    from local.demo import seed_demo
    from local.resources import create_resources
    from seteli.config import Settings
    from tools.load_tenant import load_tenant_file

    em = emulator.start(with_server=True)
    res = create_resources(ROOT / "template.yaml", "demo", "bench")
    os.environ.update(res.env)
    s = Settings.from_env()
    load_tenant_file(ROOT / "tenants" / "demo.yaml", s.table_name)
    seed_demo(s)
    ENV.update(res.env)
    ENV["AWS_ENDPOINT_URL"] = em.endpoint
    return res.env


def _run(code: str, *args: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=ENV, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"benchmark failed:\n{out.stderr[-2000:]}")
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results: dict[str, dict[str, float]] = {}
    for fn in FUNCTIONS:
        times = [_run(IMPORT_ONLY, str(ROOT / "functions" / fn)) for _ in range(args.runs)]
        results[f"import {fn}"] = {"min_ms": min(times), "median_ms": statistics.median(times), "max_ms": max(times)}
    prepare_stack()
    from tests.integration.apigw import event

    ev = json.dumps(event("GET", "/v1/providers/prv-aurinkohoiva", as_group="provider_admin"))
    times = [_run(FIRST_GET, ev) for _ in range(args.runs)]
    results["import providers + first signed-in GET"] = {
        "min_ms": min(times),
        "median_ms": statistics.median(times),
        "max_ms": max(times),
    }
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        for name, r in results.items():
            print(f"{name:45s} min {r['min_ms']:5.0f} ms   median {r['median_ms']:5.0f} ms   max {r['max_ms']:5.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
