"""`make run` and `make job`: the whole system on this machine, in one process, no Docker, no AWS.

    python -m local run [--tenant demo] [--state-dir .seteli] [--port 8700] [--site-port 8701] [--fresh]
    python -m local job settlement [--month 2026-10] [--state-dir .seteli]

`run` starts moto (in-process, plus its server for other processes), creates what template.yaml
declares, loads tenants/<tenant>.yaml, the demo users and providers (first start only; later starts
restore the saved data and reload the tenant file), serves the API through the API Gateway adapter
and the comparison site, and writes <state-dir>/local.json for the client. Ctrl-C saves and stops.

`job` runs a scheduled job now: through the API of a running `run` (as a municipality admin), or,
with nothing running, directly against the saved data as EventBridge Scheduler would invoke it.
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()

import argparse  # noqa: E402
import errno  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

from local import ROOT  # noqa: E402

log = logging.getLogger("local")
TEMPLATE = ROOT / "template.yaml"
STAGE = "local"
SNAPSHOT_EVERY_S = 60


# ---------------------------------------------------------------- the stack


def _tenant_file(tenant: str) -> Path:
    return ROOT / "tenants" / f"{tenant}.yaml"


def _tenant(tenant: str):
    """The parsed tenant file, or None (with a warning) when it can't be read."""
    try:
        from seteli.domain.tenant_file import load_tenant_yaml

        return load_tenant_yaml(_tenant_file(tenant))
    except Exception as exc:  # noqa: BLE001 - the stack still starts; the warning says why
        log.warning("could not read %s: %s", _tenant_file(tenant).relative_to(ROOT), exc)
        return None


def _restore(em, snap: Path, tenant: str, fresh: bool) -> bool:
    """Restore the saved data of ``tenant`` into the emulator; True if restored."""
    from local import snapshot

    if fresh:
        if snap.exists():
            other = (snapshot.read_meta(snap) or {}).get("tenant_id")
            if other not in (None, tenant):
                snapshot.park(snap, other)  # another tenant's data is kept, not overwritten
            log.info("--fresh: starting from the demo data (the saved data is replaced on exit)")
        return False
    meta = snapshot.restore_or_quarantine(snap)
    if meta is not None and meta.get("tenant_id") not in (None, tenant):
        other = meta.get("tenant_id")
        em.reset()
        snapshot.park(snap, other)
        log.info("parked the saved data of tenant %s as %s", other, snapshot.parked(snap, other).name)
        meta = None
    if meta is None and snapshot.parked(snap, tenant).exists():
        os.replace(snapshot.parked(snap, tenant), snap)
        meta = snapshot.restore_or_quarantine(snap)
    if meta is None:
        em.reset()
        return False
    log.info("restored the saved local data (%s)", snap)
    return True


def boot(tenant: str, state_dir: Path, fresh: bool = False, with_server: bool = True):
    """Start the emulator with the stack's resources, the tenant and (first time) the demo data.

    Returns (emulator, resources, restored).
    """
    from local import emulator
    from local.resources import create_resources

    em = emulator.start(with_server=with_server)
    log.info("emulator up%s", f" (moto server {em.endpoint})" if em.endpoint else "")
    snap = state_dir / "state" / "moto.pickle"
    restored = _restore(em, snap, tenant, fresh)
    t = _tenant(tenant)
    name = t.name.fi if t is not None else tenant
    resources = create_resources(TEMPLATE, tenant, STAGE, tenant_name=name)
    if not restored:
        groups = sum(1 for k in resources.types.values() if k == "AWS::Cognito::UserPoolGroup")
        log.info(
            "created what template.yaml declares: %d tables, %d buckets, %d queues, a user pool with %d groups",
            len(resources.tables),
            len(resources.buckets),
            len(resources.queues),
            groups,
        )
    os.environ.update(resources.env)
    if em.endpoint:  # browsers (presigned uploads) and token verification reach moto's server here
        os.environ["FILES_ENDPOINT_URL"] = em.endpoint
        os.environ["COGNITO_ENDPOINT_URL"] = em.endpoint
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")
    from seteli.config import Settings, reset_settings

    reset_settings()
    _forget_caches()
    settings = Settings.from_env()
    try:
        from tools.load_tenant import load_tenant_file
    except ImportError as exc:
        log.warning("tools/load_tenant.py is not usable (%s): the tenant file is not loaded", exc)
    else:
        version = load_tenant_file(_tenant_file(tenant), settings.table_name)
        log.info("loaded tenants/%s.yaml (configuration version %s)", tenant, version)
    if not restored:
        from local.users import create_demo_users, demo_users

        users = demo_users()
        create_demo_users(resources.user_pool_id, users, resources.region)
        try:
            from local.demo import seed_demo
        except ImportError:
            log.warning("local/demo.py has no seed_demo: no demo providers")
        else:
            n = seed_demo(settings)
            log.info("demo data: %d providers, %d users", n, len(users))
    return em, resources, restored


def _forget_caches() -> None:
    """The seteli package caches its table binding and tenant configuration per process."""
    for module, func in (
        ("seteli.store", "forget"),
        ("seteli.services.tenant_config", "forget"),
        ("seteli.adapters.files", "forget"),
    ):
        try:
            getattr(__import__(module, fromlist=[func]), func)()
        except (ImportError, AttributeError):
            pass


def _meta(resources) -> dict:
    return {"tenant_id": resources.tenant_id, "stage": resources.stage, "physical": resources.physical}


def save_snapshot(state_dir: Path, resources) -> None:
    from local import snapshot

    snapshot.save(state_dir / "state" / "moto.pickle", _meta(resources))


# ---------------------------------------------------------------- run


def _read_local_json(state_dir: Path) -> dict | None:
    try:
        return json.loads((state_dir / "local.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
        return True
    except (TypeError, ValueError, OSError):
        return False


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def run(args: argparse.Namespace) -> int:
    state_dir = Path(args.state_dir).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    live = _read_local_json(state_dir)
    if live and live.get("pid") != os.getpid() and _alive(live.get("pid")):
        print(f"Seteli already runs from {state_dir} (pid {live['pid']}): {live.get('api_url')}", file=sys.stderr)
        return 1
    if not TEMPLATE.exists():
        print(f"{TEMPLATE} is missing: nothing to run", file=sys.stderr)
        return 1
    em, resources, _ = boot(args.tenant, state_dir, args.fresh)
    from local.auth import TokenVerifier
    from local.gateway import Gateway
    from local.server import placeholder_page, serve_api
    from local.site import SiteWatcher, bucket_reader, serve_pointer_site
    from local.snapshot import Snapshotter
    from local.users import demo_users

    gateway = Gateway(resources, TokenVerifier.for_resources(resources))
    # A monthly job started through the API runs its pages in a thread (the API answers at once and
    # `make job` shows the progress); each page takes the gateway's lock, as moto is not thread-safe.
    from seteli.services import jobs as _jobs

    os.environ["JOBS_DISPATCH"] = "thread"
    os.environ.pop("JOBS_QUEUE_URL", None)
    _jobs.use_page_lock(gateway.lock)
    try:
        api_server, _ = serve_api(gateway, args.port, verbose=not args.quiet, log=log.info)
        api_url = f"http://127.0.0.1:{api_server.server_address[1]}"
        t = _tenant(args.tenant)
        title = t.name.fi if t is not None else args.tenant
        services = [s.name.fi for s in t.services] if t is not None else []
        site_server, _ = serve_pointer_site(
            args.site_port, bucket_reader(gateway.lock), placeholder=lambda: placeholder_page(title, services, api_url)
        )
    except OSError as exc:
        em.stop()
        if exc.errno == errno.EADDRINUSE:
            print(f"a port is in use ({exc}); another `make run`? Try --port 0 --site-port 0", file=sys.stderr)
            return 1
        raise
    site_url = f"http://127.0.0.1:{site_server.server_address[1]}"
    threading.Thread(target=gateway.warm, name="warm", daemon=True).start()
    site_watcher = SiteWatcher(gateway, interval=args.site_interval).start()
    users = demo_users()
    info = {
        "api_url": api_url,
        "site_url": site_url,
        "region": resources.region,
        "cognito_endpoint": em.endpoint,
        "user_pool_id": resources.user_pool_id,
        "client_id": resources.client_id,
        "tenant_id": resources.tenant_id,
        "table_name": resources.table_name,
        "users": users,
        "pid": os.getpid(),
        "stage": resources.stage,
        "attachments_bucket": resources.attachments_bucket,
        "site_bucket": resources.site_bucket,
        "state_dir": str(state_dir),
    }
    local_json = state_dir / "local.json"
    _write_json(local_json, info)
    snapshots = Snapshotter(state_dir / "state" / "moto.pickle", _meta(resources), gateway.lock, SNAPSHOT_EVERY_S)
    snapshots.start()
    _print_ready(info, state_dir, resources)

    stop = threading.Event()

    def on_signal(signum, frame):
        if stop.is_set():  # a second Ctrl-C: out now (the last snapshot on disk is whole)
            os._exit(130)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stop.wait(1.0):
        pass
    print("stopping: saving the local data ...", flush=True)
    site_watcher.stop()
    api_server.shutdown()
    site_server.shutdown()
    snapshots.stop()
    current = _read_local_json(state_dir)
    if current is None or current.get("pid") == os.getpid():
        local_json.unlink(missing_ok=True)
    em.stop()
    print("stopped.", flush=True)
    return 0


def _print_ready(info: dict, state_dir: Path, resources) -> None:
    users = info["users"]
    width = max((len(u["username"]) for u in users), default=10)
    cwd = Path.cwd()
    shown = state_dir.relative_to(cwd) if state_dir.is_relative_to(cwd) else state_dir
    rows = "\n".join(f"    {u['group']:19s} {u['username']:{width}s}  {u['password']}" for u in users)
    print(
        f"""
Seteli runs locally for tenant '{resources.tenant_id}' (ready in {time.perf_counter() - _T0:.1f} s)
  API       {info["api_url"]}/v1/health    docs {info["api_url"]}/v1/docs
  Site      {info["site_url"]}
  Mail      {info["api_url"]}/_local/mail    (the emails SES would have sent; `seteli mail`)
  Cognito   {info["cognito_endpoint"]}   pool {info["user_pool_id"]}   client {info["client_id"]}
  Sign-ins  (group, user name, password)
{rows}
  Client    .venv/bin/seteli login --as provider_admin    (reads {shown / "local.json"})
  Jobs      make job JOB=settlement MONTH=YYYY-MM
  Ctrl-C stops; the data stays in {shown / "state"} (make reset forgets it).
""",
        flush=True,
    )


# ---------------------------------------------------------------- job


def _schedule_targets() -> tuple[dict[str, str], set[str]]:
    """From template.yaml: job name -> the function its schedule invokes, and the functions that
    also serve ``POST /v1/jobs/{job}``."""
    from local.template import load

    t = load(TEMPLATE)
    targets: dict[str, str] = {}
    api: set[str] = set()
    for lid, res in (t.get("Resources") or {}).items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        for ev in ((res.get("Properties") or {}).get("Events") or {}).values():
            p = ev.get("Properties") or {}
            if ev.get("Type") in ("ScheduleV2", "Schedule") and isinstance(p.get("Input"), str):
                try:
                    targets.setdefault(json.loads(p["Input"]).get("job", ""), lid)
                except ValueError:
                    continue
            if ev.get("Type") == "Api" and str(p.get("Path", "")).startswith("/v1/jobs/"):
                api.add(lid)
    return targets, api


def job(args: argparse.Namespace) -> int:
    if args.month and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        print(f"--month {args.month}: give it as YYYY-MM", file=sys.stderr)
        return 2
    targets, via_api = _schedule_targets()
    function = targets.get(args.name)
    if function is None:
        print(f"no schedule in template.yaml runs '{args.name}'; known: {', '.join(sorted(targets))}", file=sys.stderr)
        return 2
    state_dir = Path(args.state_dir).resolve()
    info = _read_local_json(state_dir)
    if info and _alive(info.get("pid")):
        if function not in via_api:
            print(f"'{args.name}' has no API route; stop `make run` and run it again", file=sys.stderr)
            return 1
        return _job_through_api(info, args.name, args.month)
    em, resources, _ = boot(args.tenant, state_dir, fresh=False, with_server=False)
    from local.gateway import load_handler

    spec = resources.functions[function]
    log.info("running %s for %s here, as the schedule would (pages inline)", args.name, args.month or "its month")
    code = 0
    try:
        load_handler(spec)  # the function's module and environment, as its schedule would have them
        from seteli.services import jobs as _jobs

        bar = ProgressBar(args.name)
        result = _jobs.start(
            args.name, args.month, "make job", dispatcher=_jobs.Inline(progress=bar.update)
        ).model_dump(mode="json")
        bar.close()
        print(json.dumps(result, indent=1, ensure_ascii=False, default=str))
    except Exception:  # noqa: BLE001 - the job failed; what it did is kept, as on AWS
        traceback.print_exc()
        code = 1
    finally:
        save_snapshot(state_dir, resources)
        em.stop()
    return code


def _job_through_api(info: dict, name: str, month: str | None) -> int:
    import httpx

    from local.emulator import FAKE_CREDENTIALS
    from local.users import sign_in

    os.environ.update(FAKE_CREDENTIALS)  # never a developer's own AWS credentials, even for a local call
    admin = next((u for u in info.get("users", []) if u.get("group") == "municipality_admin"), None)
    if admin is None:
        print("local.json lists no municipality_admin user", file=sys.stderr)
        return 1
    log.info("running %s through %s as %s", name, info["api_url"], admin["username"])
    token = sign_in(info["client_id"], admin["username"], admin["password"], info["region"], info["cognito_endpoint"])
    headers = {"Authorization": f"Bearer {token}"}
    res = httpx.post(
        f"{info['api_url']}/v1/jobs/{name}", json={"month": month} if month else {}, headers=headers, timeout=900
    )
    bar = ProgressBar(name)
    while res.status_code < 400:
        run = res.json()
        bar.update(len(run.get("pages_done") or []), int(run.get("pages_total") or 0))
        if run.get("status") != "running":
            break
        time.sleep(0.5)
        res = httpx.get(
            f"{info['api_url']}/v1/jobs/{name}", params={"month": run["month"]}, headers=headers, timeout=60
        )
    bar.close()
    try:
        print(json.dumps(res.json(), indent=1, ensure_ascii=False))
    except ValueError:
        print(res.text)
    return 0 if res.status_code < 400 else 1


class ProgressBar:
    """``settlement [#########-----------] 9/20 pages`` on standard error, redrawn in place."""

    WIDTH = 30

    def __init__(self, name: str) -> None:
        self.name = name
        self.shown = False

    def update(self, done: int, total: int) -> None:
        filled = self.WIDTH * done // total if total else self.WIDTH
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        sys.stderr.write(f"\r{self.name} [{bar}] {done}/{total} pages")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


# ---------------------------------------------------------------- command line


def _logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("local: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    for noisy in ("werkzeug", "botocore", "boto3", "pynamodb", "urllib3", "httpx", "moto"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m local", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="start the whole system locally")
    r.add_argument("--tenant", default="demo", help="tenants/<tenant>.yaml (default demo)")
    r.add_argument("--state-dir", default=".seteli", help="where local.json, the saved data and the site live")
    r.add_argument("--port", type=int, default=8700, help="API port (0 = any free port)")
    r.add_argument("--site-port", type=int, default=8701, help="site port (0 = any free port)")
    r.add_argument(
        "--site-interval", type=float, default=2.0, help="seconds between the site watcher's looks for changes"
    )
    r.add_argument("--fresh", action="store_true", help="ignore the saved data, start from the demo data")
    r.add_argument("--quiet", action="store_true", help="no line per request")
    j = sub.add_parser("job", help="run a scheduled job now")
    j.add_argument("name", help="auto-events, reminders, settlement, ... (the template's schedules)")
    j.add_argument("--month", default=None, help="YYYY-MM (default: the job's own choice)")
    j.add_argument("--tenant", default="demo", help="without a running `run`: the tenant to load")
    j.add_argument("--state-dir", default=".seteli")
    args = ap.parse_args(argv)
    _logging()
    try:
        return run(args) if args.command == "run" else job(args)
    except KeyboardInterrupt:
        print("interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
