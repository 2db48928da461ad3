"""The comparison page in the browser (issue 7 item 7): time from navigation start to the first
rendered map markers and list, with 5,000 and 50,000 sites of one service.

A synthetic site (``seteli_site.sample``, the demo tenant's first service, one site per provider)
is rendered (the service's pages and open data; the provider pages are not needed) and served on
127.0.0.1; headless Debian Chromium (Playwright, ``/usr/bin/chromium``) opens the Finnish service
page in a fresh context each run (cold cache). Measured in the page, from navigation start
(``performance.now()``): when ``#map[data-ready=true]`` with marker elements and
``#results li.result`` are first in the DOM (a MutationObserver), and the next animation frame
after that (the frame that paints them); plus first-contentful-paint. Median of 5 runs. The tiles
URL points at a closed port: the figures do not wait for a tile server. Goals: 300 ms (5,000),
1 s (50,000).

For contrast, the naive page: one Leaflet ``L.marker`` per site (the same Leaflet, the same data)
with 5,000 sites (``--naive-sites 0`` skips it).

    .venv/bin/python bench/site_browser.py [--sizes 5000,50000] [--runs 5] [--naive-sites 5000] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _env import ROOT  # noqa: E402 - paths and fake credentials first

sys.path.insert(0, str(ROOT / "site"))

from tests.browser.harness import closed_port_tiles, launch, missing, serve, write_files  # noqa: E402

GOALS_MS = {5_000: 300, 50_000: 1_000}

# Installed before the page's own scripts: records when the map (with markers) and the list are
# first in the DOM, and the animation frame after that.
PROBE = """
(() => {
  const t = window.__bench = {};
  const ready = () => document.querySelector('#map[data-ready="true"]')
    && document.querySelector('#map .cluster-marker, #map .site-marker, #map .leaflet-marker-icon')
    && document.querySelector('#results li.result, #naive-done');
  const check = () => {
    if (t.dom === undefined && ready()) {
      t.dom = performance.now();
      for (const r of performance.getEntriesByType('resource')) {
        if (r.name.includes('/data/')) { t.data = r.responseEnd; t.data_bytes = r.encodedBodySize; }
      }
      requestAnimationFrame(() => { t.frame = performance.now(); });
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true,
    attributeFilter: ['data-ready']});
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) t[e.name] = e.startTime;
  }).observe({type: 'paint', buffered: true});
})();
"""

NAIVE = """<!doctype html>
<html lang="fi"><head><meta charset="utf-8"><title>Naive: one marker per site</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{css}"><style>#map {{ height: 480px }}</style></head>
<body><main><div id="map"></div></main>
<script src="{js}"></script>
<script>
fetch("data/{service}.json").then(r => r.json()).then(doc => {{
  const map = L.map("map", {{preferCanvas: false}}).setView([62.24, 25.75], 6);
  L.tileLayer("{tiles}", {{maxZoom: 18}}).addTo(map);
  let n = 0;
  for (const e of doc.entries) for (const s of e.sites) {{
    if (s.lat == null || s.lon == null) continue;
    L.marker([s.lat, s.lon], {{title: s.name}}).bindPopup(e.name).addTo(map); n++;
  }}
  const el = document.getElementById("map");
  el.dataset.markerCount = n;
  const done = document.createElement("p"); done.id = "naive-done"; document.body.append(done);
  el.dataset.ready = "true";
}});
</script></body></html>
"""


def build(out: Path, sites: int, tiles: str) -> tuple[str, float, int]:
    """The demo tenant's first service with ``sites`` providers of one site each; (service id,
    build seconds, files written)."""
    from seteli.domain.tenant_file import load_tenant_yaml
    from seteli_site import Changes, render_site
    from seteli_site.sample import sample_input

    tenant = load_tenant_yaml(ROOT / "tenants" / "demo.yaml")
    tenant = tenant.model_copy(update={"site": tenant.site.model_copy(update={"tiles_url": tiles})})
    site_input = sample_input(tenant, providers=sites, services=1, sites_per_provider=1)
    service = site_input.tenant.services[0].id
    t0 = time.perf_counter()
    files = render_site(site_input, only=Changes(services={service}))
    seconds = time.perf_counter() - t0
    if f"fi/{service}/index.html" not in files or f"data/{service}.json" not in files:
        files = render_site(site_input)  # a renderer whose partial build leaves the page out
    write_files(files, out)
    return service, seconds, len(files)


def write_naive(out: Path, service: str, tiles: str) -> bool:
    assets = out / "assets"
    js = sorted(p for p in assets.rglob("leaflet*.js") if "cluster" not in p.name.lower())
    css = sorted(p for p in assets.rglob("leaflet*.css") if "cluster" not in p.name.lower())
    if not js or not css:
        return False
    page = NAIVE.format(
        css=css[0].relative_to(out).as_posix(), js=js[0].relative_to(out).as_posix(), service=service, tiles=tiles
    )
    (out / "naive.html").write_text(page, encoding="utf-8")
    return True


def measure(browser, url: str, runs: int) -> dict:
    def once() -> dict:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi-FI")
        context.add_init_script(PROBE)
        origin = url.split("/", 3)[:3]
        prefix = "/".join(origin) + "/"
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(prefix) else r.abort())
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url, wait_until="commit")
        page.wait_for_function("() => window.__bench && window.__bench.frame !== undefined", timeout=120_000)
        t = page.evaluate("() => window.__bench")
        t["markers"] = int(page.get_attribute("#map", "data-marker-count") or 0)
        t["errors"] = errors
        context.close()
        return t

    once()  # warm the browser's processes (a fresh context each run: the HTTP cache is cold)
    samples = [once() for _ in range(runs)]

    def med(key):
        values = [s[key] for s in samples if s.get(key) is not None]
        return round(statistics.median(values)) if values else None

    return {
        "first_render_ms": med("frame"),
        "in_dom_ms": med("dom"),
        "first_contentful_paint_ms": med("first-contentful-paint"),
        "data_loaded_ms": med("data"),
        "data_bytes": samples[-1].get("data_bytes"),
        "runs_ms": [round(s["frame"]) for s in samples],
        "markers": samples[-1]["markers"],
        "page_errors": sorted({e for s in samples for e in s["errors"]}),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="5000,50000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--naive-sites", type=int, default=5000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    reason = missing()
    if reason:
        print(f"site_browser: skipped: {reason}")
        return 0
    from playwright.sync_api import sync_playwright

    sizes = [int(s) for s in args.sizes.split(",") if s]
    tiles = closed_port_tiles()
    results = []
    with tempfile.TemporaryDirectory(prefix="seteli-site-bench-") as tmp, sync_playwright() as p:
        browser = launch(p)
        version = browser.version
        for n in sorted(set(sizes) | ({args.naive_sites} if args.naive_sites else set())):
            out = Path(tmp) / str(n)
            service, build_s, nfiles = build(out, n, tiles)
            server, root = serve(out)
            try:
                if n in sizes:
                    r = measure(browser, f"{root}fi/{service}/", args.runs)
                    results.append({"page": "site", "sites": n, "goal_ms": GOALS_MS.get(n), **r})
                if n == args.naive_sites and write_naive(out, service, tiles):
                    r = measure(browser, f"{root}naive.html", max(1, min(args.runs, 3)))
                    results.append({"page": "naive L.marker", "sites": n, "goal_ms": None, **r})
            finally:
                server.shutdown()
                server.server_close()
        browser.close()
    out = {"bench": "site_browser", "chromium": version, "runs": args.runs, "results": results}
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"site_browser: headless Chromium {version}, median of {args.runs} cold runs, ms from navigation start")
    print(
        f"{'page':<16}{'sites':>7}{'markers':>8}{'map+list':>9}{'in DOM':>7}{'FCP':>6}{'data in':>8}{'data MB':>8}"
        f"{'goal':>6}  runs"
    )
    for r in results:
        goal = r["goal_ms"]
        verdict = "" if goal is None else ("ok" if r["first_render_ms"] <= goal else "OVER")
        mb = f"{r['data_bytes'] / 1e6:.1f}" if r["data_bytes"] else "-"
        print(
            f"{r['page']:<16}{r['sites']:>7}{r['markers']:>8}{r['first_render_ms']:>9}{r['in_dom_ms']:>7}"
            f"{r['first_contentful_paint_ms'] or '-':>6}{r['data_loaded_ms'] or '-':>8}{mb:>8}{goal or '-':>6}"
            f"  {r['runs_ms']} {verdict}"
        )
        for e in r["page_errors"]:
            print(f"  page error: {e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
