"""Time `make run` to ready: on a fresh machine (empty virtualenv, fresh clone) and again after.

Copies the working tree (tracked files) to a temporary directory, runs `make run` there with an
unused port, and times until `.seteli/local.json` appears and /v1/health answers; then Ctrl-C.
Runs it a second time in the same copy (virtualenv and snapshot present). Budgets (issue 2):
under 3 minutes fresh including installs, under 15 s after.

    .venv/bin/python bench/make_run.py [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_tree(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    for rel in files.stdout.splitlines():
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def timed_run(workdir: Path, port: int, site_port: int, timeout: float = 300) -> float:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("VIRTUAL_ENV", None)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        ["make", "run", f"RUN_ARGS=--port {port} --site-port {site_port}"],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    state = workdir / ".seteli" / "local.json"
    try:
        while time.perf_counter() - t0 < timeout:
            if proc.poll() is not None:
                raise SystemExit(f"make run exited early:\n{proc.stdout.read()[-3000:]}")
            if state.exists():
                try:
                    api = json.loads(state.read_text())["api_url"]
                    with urllib.request.urlopen(f"{api}/v1/health", timeout=2) as r:  # noqa: S310
                        if r.status == 200:
                            return time.perf_counter() - t0
                except (OSError, ValueError, KeyError):
                    pass
            time.sleep(0.1)
        raise SystemExit("make run did not become ready in time")
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", action="store_true", help="keep the temporary copy")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="seteli-makerun-"))
    try:
        copy_tree(work)
        fresh = timed_run(work, free_port(), free_port())
        again = timed_run(work, free_port(), free_port())
        print(f"make run, fresh clone incl. installs: {fresh:6.1f} s (budget 180 s)")
        print(f"make run, second time:                {again:6.1f} s (budget 15 s)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
