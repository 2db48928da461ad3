"""`make run` and `make job`: the whole system on this machine, no Docker, no AWS account.

python -m local run [--tenant demo] [--state-dir .seteli] [--port 8700] [--site-port 8701] [--fresh]
python -m local job settlement [--month 2026-10] [--state-dir .seteli]
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

from local import ROOT

log = logging.getLogger("local")
TEMPLATE = ROOT / "template.yaml"


def _tenant_name(tenant: str) -> str:
    from seteli.domain.tenant_file import load_tenant_yaml

    return load_tenant_yaml(ROOT / "tenants" / f"{tenant}.yaml").name.fi


def boot(tenant: str, state_dir: Path, fresh: bool, with_server: bool = True):
    """Start the emulator with the stack's resources, the tenant and the demo data in it."""
    from local import emulator, snapshot
    from local.demo import DEMO_USERS, seed_demo
    from local.resources import create_resources, describe_existing
    from local.users import create_demo_users

    em = emulator.start(with_server=with_server)
    snap = state_dir / "state" / "moto.pickle"
    name = _tenant_name(tenant)
    resources = None
    if snap.exists() and not fresh:
        try:
            meta = snapshot.restore(snap)
            if meta.get("tenant_id") == tenant:
                resources = describe_existing(TEMPLATE, tenant, "local", meta["physical"], tenant_name=name)
                log.info("restored local data from %s", snap)
            else:
                log.warning("the snapshot is of tenant %s; starting %s from demo data", meta.get("tenant_id"), tenant)
                em.stop()
                em = emulator.start(with_server=with_server)
        except snapshot.SnapshotUnusable as exc:
            log.warning("could not restore the snapshot (%s); kept it as moto.pickle.bad, starting fresh", exc)
            os.replace(snap, snap.with_suffix(".pickle.bad"))
            em.stop()
            em = emulator.start(with_server=with_server)
    created = resources is None
    if created:
        resources = create_resources(TEMPLATE, tenant, "local", tenant_name=name)
        log.info("created the resources of template.yaml: %s", ", ".join(sorted(resources.physical.values())))
    os.environ.update(resources.env)
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")
    from seteli.config import Settings, reset_settings

    reset_settings()
    settings = Settings.from_env()
    from tools.load_tenant import load_tenant_file

    version = load_tenant_file(ROOT / "tenants" / f"{tenant}.yaml", settings.table_name)
    log.info("loaded tenants/%s.yaml (configuration version %s)", tenant, version)
    if created:
        create_demo_users(resources.user_pool_id, DEMO_USERS, resources.region)
        n = seed_demo(settings)
        log.info("demo data: %d providers, %d users", n, len(DEMO_USERS))
    return em, resources


def save_snapshot(state_dir: Path, resources) -> None:
    from local import snapshot

    snapshot.save(
        state_dir / "state" / "moto.pickle", {"tenant_id": resources.tenant_id, "physical": resources.physical}
    )


def write_placeholder_site(site_dir: Path, tenant: str, api_url: str) -> None:
    from seteli.domain.tenant_file import load_tenant_yaml

    t = load_tenant_yaml(ROOT / "tenants" / f"{tenant}.yaml")
    site_dir.mkdir(parents=True, exist_ok=True)
    items = "\n".join(f"<li>{html.escape(s.name.fi)}</li>" for s in t.services)
    (site_dir / "index.html").write_text(
        f"""<!doctype html><html lang="fi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(t.name.fi)}: palvelusetelit</title></head>
<body><main><h1>{html.escape(t.name.fi)}: palvelusetelipalvelut</h1>
<p>Vertailusivusto tulee tähän (issue 7). Palvelut:</p><ul>{items}</ul>
<p>API: <a href="{api_url}/v1/docs">{api_url}/v1/docs</a></p></main></body></html>""",
        encoding="utf-8",
    )


def run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    state_dir = Path(args.state_dir).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    em, resources = boot(args.tenant, state_dir, args.fresh)
    from local.auth import TokenVerifier
    from local.demo import DEMO_USERS
    from local.gateway import Gateway
    from local.server import serve_api, serve_site

    gateway = Gateway(resources, TokenVerifier(resources.region, resources.user_pool_id, resources.client_id))
    api_server, _ = serve_api(gateway, args.port, verbose=not args.quiet)
    api_url = f"http://127.0.0.1:{api_server.server_address[1]}"
    site_dir = state_dir / "site"
    if not (site_dir / "index.html").exists():
        write_placeholder_site(site_dir, args.tenant, api_url)
    site_server, _ = serve_site(site_dir, args.site_port)
    site_url = f"http://127.0.0.1:{site_server.server_address[1]}"
    threading.Thread(target=gateway.warm, daemon=True).start()
    info = {
        "api_url": api_url,
        "site_url": site_url,
        "region": resources.region,
        "cognito_endpoint": em.endpoint,
        "user_pool_id": resources.user_pool_id,
        "client_id": resources.client_id,
        "tenant_id": resources.tenant_id,
        "table_name": resources.table_name,
        "users": [{k: u[k] for k in ("username", "password", "group", "provider_id")} for u in DEMO_USERS],
        "pid": os.getpid(),
    }
    local_json = state_dir / "local.json"
    tmp = local_json.with_suffix(".tmp")
    tmp.write_text(json.dumps(info, indent=1), encoding="utf-8")
    os.replace(tmp, local_json)
    width = max(len(u["username"]) for u in DEMO_USERS)
    shown = local_json.relative_to(Path.cwd()) if local_json.is_relative_to(Path.cwd()) else local_json
    users = "\n".join(f"    {u['group']:19s} {u['username']:{width}s}  {u['password']}" for u in DEMO_USERS)
    print(
        f"""
Seteli is running for tenant '{resources.tenant_id}' (ready in {time.perf_counter() - t0:.1f} s)
  API       {api_url}/v1/health   docs: {api_url}/v1/docs
  Site      {site_url}
  Cognito   {em.endpoint}  pool {resources.user_pool_id}  client {resources.client_id}
  Sign-ins (password after the name):
{users}
  Client:   .venv/bin/seteli login --as provider_admin   (reads {shown})
  Ctrl-C stops; data is kept in {state_dir / "state"} (make reset forgets it).
""",
        flush=True,
    )
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    last = time.monotonic()
    while not stop.wait(1.0):
        if time.monotonic() - last > 60:  # a kill -9 loses at most a minute
            with gateway.lock:
                _try_snapshot(state_dir, resources)
            last = time.monotonic()
    print("stopping: saving local data ...", flush=True)
    api_server.shutdown()
    site_server.shutdown()
    with gateway.lock:
        _try_snapshot(state_dir, resources)
    local_json.unlink(missing_ok=True)
    em.stop()
    print("stopped.", flush=True)
    return 0


def _try_snapshot(state_dir: Path, resources) -> None:
    try:
        save_snapshot(state_dir, resources)
    except Exception as exc:  # noqa: BLE001 - never lose the running system over a snapshot
        log.warning("snapshot failed (will retry): %s", exc)


def job(args: argparse.Namespace) -> int:
    state_dir = Path(args.state_dir).resolve()
    local_json = state_dir / "local.json"
    if local_json.exists():
        info = json.loads(local_json.read_text(encoding="utf-8"))
        if _alive(info.get("pid")):
            return _job_through_api(info, args.name, args.month)
    em, resources = boot(args.tenant, state_dir, fresh=False, with_server=False)
    from local.gateway import LambdaContext, load_handler

    handler = load_handler(resources.functions["JobsFunction"])
    event = {"job": args.name, **({"month": args.month} if args.month else {})}
    print(json.dumps(handler(event, LambdaContext("JobsFunction", 900)), indent=1, ensure_ascii=False))
    save_snapshot(state_dir, resources)
    em.stop()
    return 0


def _alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
        return True
    except (TypeError, ValueError, OSError):
        return False


def _job_through_api(info: dict, name: str, month: str | None) -> int:
    import httpx

    from local.users import sign_in

    admin = next(u for u in info["users"] if u["group"] == "municipality_admin")
    token = sign_in(info["client_id"], admin["username"], admin["password"], info["region"], info["cognito_endpoint"])
    res = httpx.post(
        f"{info['api_url']}/v1/jobs/{name}",
        json={"month": month} if month else {},
        headers={"Authorization": f"Bearer {token}"},
        timeout=900,
    )
    print(json.dumps(res.json(), indent=1, ensure_ascii=False))
    return 0 if res.status_code < 400 else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m local", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="start the whole system locally")
    r.add_argument("--tenant", default="demo")
    r.add_argument("--state-dir", default=".seteli")
    r.add_argument("--port", type=int, default=8700, help="API port (0 = any free port)")
    r.add_argument("--site-port", type=int, default=8701)
    r.add_argument("--fresh", action="store_true", help="ignore saved data, start from the demo data")
    r.add_argument("--quiet", action="store_true", help="no line per request")
    j = sub.add_parser("job", help="run a monthly job now")
    j.add_argument("name", choices=["auto-events", "reminders", "settlement"])
    j.add_argument("--month", default=None)
    j.add_argument("--tenant", default="demo")
    j.add_argument("--state-dir", default=".seteli")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    for noisy in ("werkzeug", "botocore", "pynamodb", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return run(args) if args.command == "run" else job(args)


if __name__ == "__main__":
    sys.exit(main())
