"""End-to-end fixtures: the local runtime (`python -m local run`) as a subprocess, and the real CLI.

``local_seteli`` starts a fresh local Seteli in a temporary state directory, waits for its
``local.json`` and hands back a :class:`LocalSeteli` to run ``seteli`` against it. A test may stop it
itself (``stop()`` returns the exit code); otherwise the fixture stops it at the end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
READY_TIMEOUT_S = 90


def _python() -> str:
    p = VENV_BIN / "python"
    return str(p) if p.exists() else sys.executable


def _seteli() -> list[str]:
    exe = VENV_BIN / "seteli"
    return [str(exe)] if exe.exists() else [_python(), "-m", "seteli_client.cli"]


class LocalSeteli:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.log_path = state_dir.parent / "local-run.log"
        self.config_dir = state_dir.parent / "cfg"
        self.proc: subprocess.Popen | None = None
        self.info: dict = {}

    # -------------------------------------------------------- server

    def start(self) -> None:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [_python(), "-m", "local", "run", "--state-dir", str(self.state_dir), "--port", "0"]
            + ["--site-port", "0", "--fresh"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        local_json = self.state_dir / "local.json"
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"`python -m local run` exited with {self.proc.returncode} before it was ready\n{self.output()}"
                )
            if local_json.exists():
                try:
                    self.info = json.loads(local_json.read_text(encoding="utf-8"))
                    return
                except ValueError:
                    pass  # being written
            time.sleep(0.2)
        pytest.fail(f"no {local_json} within {READY_TIMEOUT_S} s\n{self.output()}")

    def stop(self, timeout: float = 15) -> int | None:
        """SIGINT, as Ctrl-C does; the exit code, or None when it did not stop in time (then killed)."""
        if self.proc is None:
            return None
        code: int | None = self.proc.poll()
        if code is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                code = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                code = None
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()
        return code

    def output(self, tail: int = 8000) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no output)"
        return "--- output of `python -m local run` ---\n" + text[-tail:]

    # -------------------------------------------------------- client

    def seteli(self, *args: str, input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:  # noqa: A002
        env = {k: v for k, v in os.environ.items() if not k.startswith("SETELI_")}
        env["SETELI_CONFIG_DIR"] = str(self.config_dir)
        return subprocess.run(
            [*_seteli(), "--local", str(self.state_dir), *args],
            cwd=self.state_dir.parent,
            env=env,
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def explain(self, res: subprocess.CompletedProcess) -> str:
        return (
            f"$ seteli {' '.join(res.args[1:])}\nexit {res.returncode}\n{res.stdout}\n{res.stderr}\n{self.output(3000)}"
        )


@pytest.fixture
def local_seteli(tmp_path):
    server = LocalSeteli(tmp_path / "state-dir")
    server.state_dir.mkdir()
    server.start()
    try:
        yield server
    finally:
        server.stop()
