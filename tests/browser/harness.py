"""What the browser test and ``bench/site_browser.py`` share: a synthetic site built into a folder,
served on 127.0.0.1, and Debian's Chromium launched through Playwright (never a downloaded browser).
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import socket
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SETELI_CHROMIUM", "/usr/bin/chromium")
DEMO_TENANT = ROOT / "tenants" / "demo.yaml"
ARTIFACTS = ROOT / "test-artifacts"  # screenshots (make clean removes it)
LAUNCH_ARGS = ["--no-sandbox", "--disable-dev-shm-usage"]


def missing() -> str | None:
    """Why the browser cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (run tools/install_browser.sh)"
    if importlib.util.find_spec("playwright") is None:
        return "the Python playwright package is not installed (run tools/install_browser.sh)"
    return None


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port_tiles() -> str:
    """A tiles URL nobody answers (a port that was free a moment ago)."""
    return f"http://127.0.0.1:{free_port()}/tiles/{{z}}/{{x}}/{{y}}.png"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``directory`` on a free port of 127.0.0.1 from a thread: (server, root URL ending in /).
    Stop with ``server.shutdown(); server.server_close()``."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="site-server", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def build_sample_site(
    out: Path,
    providers: int,
    sites_per_provider: int = 1,
    tiles_url: str | None = None,
    services: int | None = None,
) -> Path:
    """A synthetic site of the demo tenant written into ``out`` (in-process: ``sample_input`` +
    ``render_site``), with ``tiles_url`` instead of the tenant's when given and the first
    ``services`` services of the tenant when given."""
    from seteli_site import render_site
    from seteli_site.sample import sample_input

    tenant = _tenant()
    if tiles_url is not None:
        tenant = tenant.model_copy(update={"site": tenant.site.model_copy(update={"tiles_url": tiles_url})})
    site_input = sample_input(tenant, providers=providers, services=services, sites_per_provider=sites_per_provider)
    write_files(render_site(site_input), out)
    return out


def write_files(files: dict[str, bytes], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for path, data in files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _tenant():
    from seteli.domain.tenant_file import load_tenant_yaml

    return load_tenant_yaml(DEMO_TENANT)
