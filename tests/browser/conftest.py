"""The browser test's fixtures: headless Debian Chromium driven by Playwright, and a site to open.

``site_url`` is the one fixture the tests read the site from (its root, ending in ``/``). Now it
is a synthetic site (``seteli_site.sample``: the demo tenant, 60 providers) built into a temporary
folder and served on 127.0.0.1 by a threaded ``http.server``; pointing the tests at the local
runtime's site is a change of that fixture alone (``SETELI_SITE_URL=http://...`` points them at a
site served elsewhere without a change).

Nothing leaves the machine: every request to another host (a real tile server's tiles) is
aborted, and the synthetic site's tiles URL points at a closed port, so the whole file runs as if
no tile server answered (issue 7: the markers must still work then).

Without Chromium or Playwright the tests are skipped with the reason; ``tools/install_browser.sh``
installs both.
"""

from __future__ import annotations

import functools
import json
import os
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.harness import ARTIFACTS, build_sample_site, closed_port_tiles, launch, missing, serve

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PROVIDERS = 60  # more sites than one page (tenant.site.page_size, 50 by default): page 2 exists
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    reason = missing()
    if reason:
        for item in items:
            if HERE in Path(str(item.path)).resolve().parents:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)  # the new_context fixture screenshots failed tests
    return report


# ---------------------------------------------------------------- the site under test


@pytest.fixture(scope="session")
def sample_site_url(tmp_path_factory):
    """The synthetic site, served; its tiles URL points at a closed port (no tile server)."""
    site = build_sample_site(tmp_path_factory.mktemp("site"), PROVIDERS, tiles_url=closed_port_tiles())
    server, url = serve(site)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def site_url(request):
    """The root of the site under test (ends in ``/``): ``SETELI_SITE_URL`` when set (a site served
    elsewhere), else the synthetic one. Switch to the local runtime's site here."""
    if os.environ.get("SETELI_SITE_URL"):
        return os.environ["SETELI_SITE_URL"].rstrip("/") + "/"
    return request.getfixturevalue("sample_site_url")


@pytest.fixture(scope="session")
def fetch_json(site_url):
    """``fetch_json("data/home-care.json")``: a file of the site under test, parsed (cached)."""

    @functools.cache
    def fetch(path: str):
        with urllib.request.urlopen(site_url + path, timeout=10) as response:  # our own server
            return json.loads(response.read())

    return fetch


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    for old in ARTIFACTS.glob("failed-*.png"):  # the screenshots of an earlier run's failures
        old.unlink()
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def _failed(node) -> bool:
    return any(getattr(getattr(node, f"rep_{when}", None), "failed", False) for when in ("setup", "call"))


@pytest.fixture
def new_context(browser, site_url, request):
    """``new_context(**options)``: a fresh browser context (its own cache and storage) that reaches
    only the site's host; its pages are screenshot into test-artifacts/ when the test fails."""
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(site_url))
    contexts = []

    def only_the_site(route):
        if route.request.url.startswith(origin):
            route.continue_()
        else:
            route.abort("addressunreachable")

    def make(**options):
        options.setdefault("locale", "fi-FI")
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(5_000)
        context.route("**/*", only_the_site)
        contexts.append(context)
        return context

    yield make
    failed = _failed(request.node)
    for i, context in enumerate(contexts):
        for j, page in enumerate(context.pages if failed else []):
            ARTIFACTS.mkdir(exist_ok=True)
            try:
                page.screenshot(path=str(ARTIFACTS / f"failed-{request.node.name}-{i}-{j}.png"), full_page=True)
            except Exception:  # noqa: S110 - a screenshot helps; it must never be a second failure
                pass
        context.close()


@pytest.fixture
def page(new_context):
    """A page with JavaScript on; the page's uncaught errors collect in ``page.errors``."""
    p = new_context().new_page()
    p.errors = []
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    return p


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")
