"""The public comparison site in headless Chromium (issue 7 item 6; docs/site.md is the contract).

What a citizen does on the home care page: the list, the filters, sorting, the own-share
calculator, the map (with no tile server), the page without JavaScript, a phone, the other
languages, a provider's page; and axe-core's WCAG 2.0/2.1 A and AA rules on the pages. Expected
figures come from the site's own open data (``data/home-care.json``), so the same tests hold for
the synthetic site and for the local runtime's. A full-page screenshot of the service page is kept
in test-artifacts/site.png (and one of every page of a failed test).
"""

from __future__ import annotations

import re
import time
from decimal import Decimal
from urllib.parse import urljoin

import pytest

from tests.browser.harness import ARTIFACTS, DEMO_TENANT

SERVICE = "home-care"
SERVICE_NAME_FI = "Kotihoito"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]  # one worker builds and serves once
NUMBER = re.compile(r"-?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[,.]\d+)?|-?\d+(?:[,.]\d+)?")


# ---------------------------------------------------------------- helpers


def money(text: str, lang: str = "fi") -> Decimal | None:
    """'1 234,50 €' (fi, sv) or '€1,234.50' (en) -> Decimal; None when the text has no amount."""
    text = text.replace(",", "") if lang == "en" else text
    m = NUMBER.search(text)
    if not m:
        return None
    return Decimal(re.sub(r"[ \u00a0\u202f]", "", m.group()).replace(",", "."))


def count_in(text: str) -> int:
    """'1 234 toimipaikkaa' -> 1234."""
    m = re.search(r"\d+", re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d)", "", text))
    assert m, f"no number in {text!r}"
    return int(m.group())


@pytest.fixture(scope="session")
def page_size() -> int:
    from seteli.domain.tenant_file import load_tenant_yaml

    return load_tenant_yaml(DEMO_TENANT).site.page_size


@pytest.fixture(scope="session")
def data(fetch_json) -> dict:
    """The service's open data: the expected figures."""
    doc = fetch_json(f"data/{SERVICE}.json")
    assert doc["service_id"] == SERVICE and doc["entries"], "the open data of the service is empty"
    return doc


def sites(data, *, attribute=None, value=None, area=None) -> list[tuple[dict, dict]]:
    """(entry, site) of every site matching the filters."""
    out = []
    for entry in data["entries"]:
        if attribute and value not in entry["search_attributes"].get(attribute, []):
            continue
        if area and area not in entry["areas"]:
            continue
        out += [(entry, site) for site in entry["sites"]]
    return out


def plotted(matching) -> int:
    return sum(1 for _e, s in matching if s["lat"] is not None and s["lon"] is not None)


def open_service(page, site_url, lang="fi"):
    page.goto(urljoin(site_url, f"{lang}/{SERVICE}/"))
    page.wait_for_selector("#results li.result")
    page.wait_for_selector("#map[data-ready=true]", state="attached")
    return page


def wait_count(page, expected: int):
    """Until #result-count shows ``expected`` (the list has caught up with a change)."""
    page.wait_for_function(
        "n => (document.querySelector('#result-count').textContent.replace(/\\s/g, '').match(/\\d+/) || [])[0] == n",
        arg=expected,
    )


def row_facts(page, lang="fi") -> list[dict]:
    """Every visible row: provider and site ids, price and own share (Decimal or None)."""
    raw = page.eval_on_selector_all(
        "#results li.result",
        """els => els.map(li => ({
            provider: li.dataset.providerId, site: li.dataset.siteId,
            price: (li.querySelector('.price') || {}).textContent,
            own: (li.querySelector('.own-share') || {}).textContent,
            link: (li.querySelector('a.provider-link') || {}).href,
            availability: !!li.querySelector('.availability'), quality: !!li.querySelector('.quality'),
        }))""",
    )
    for r in raw:
        r["price"] = money(r["price"] or "", lang)
        r["own"] = money(r["own"] or "", lang)
    return raw


def eventually(page, check, seconds: float = 3.0):
    """Run ``check`` (asserts) until it passes or ``seconds`` have gone; the last failure is raised."""
    end = time.monotonic() + seconds
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > end:
                raise
            page.wait_for_timeout(50)


def run_axe(page, axe_source) -> list[str]:
    page.evaluate(axe_source)  # through the debugger protocol: no page CSP can block it
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG
    )
    assert len(result["passes"]) >= 10, "axe-core checked next to nothing"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(" ".join(n["target"]) for n in v["nodes"][:8])
        for v in result["violations"]
    ]


# ---------------------------------------------------------------- the service page


def test_service_page_lists_every_site_with_prices(page, site_url, data, page_size):
    open_service(page, site_url)
    assert page.locator("html").get_attribute("lang") == "fi"
    total = len(sites(data))
    assert count_in(page.text_content("#result-count")) == total
    assert page.get_attribute("#result-count", "aria-live") == "polite"
    facts = row_facts(page)
    assert len(facts) == min(total, page_size)
    known = {(e["provider_id"], s["id"]) for e, s in sites(data)}
    for r in facts:
        assert (r["provider"], r["site"]) in known, r
        assert r["price"] is not None and r["own"] is not None, r
        assert r["link"] and f"providers/{r['provider']}.html" in r["link"], r
        assert r["availability"] and r["quality"], r
    assert page.locator("a[href='#main']").count() == 1, "no skip link to #main"
    page.wait_for_timeout(300)  # let the map settle for the screenshot
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site.png"), full_page=True)
    assert page.errors == []


def test_filters_by_search_attribute_and_area(page, site_url, data, page_size):
    open_service(page, site_url)
    total = len(sites(data))
    box = page.locator("fieldset[data-attribute=languages] input[type=checkbox][name=languages][value=swedish]")
    box.check()
    swedish = sites(data, attribute="languages", value="swedish")
    assert 0 < len(swedish) < total, "the data gives the filter nothing to do"
    wait_count(page, len(swedish))
    providers = {e["provider_id"] for e, _s in swedish}
    facts = row_facts(page)
    assert len(facts) == min(len(swedish), page_size)
    assert all(r["provider"] in providers for r in facts)
    assert page.get_attribute("#map", "data-marker-count") == str(plotted(swedish))

    areas = [v for v in page.eval_on_selector_all("#area option", "os => os.map(o => o.value)") if v]
    assert areas, "select#area has no areas"
    area = max(areas, key=lambda a: (0 < len(sites(data, attribute="languages", value="swedish", area=a)), -len(a)))
    both = sites(data, attribute="languages", value="swedish", area=area)
    assert 0 < len(both) < len(swedish)
    page.select_option("#area", area)
    wait_count(page, len(both))
    providers = {e["provider_id"] for e, _s in both}
    facts = row_facts(page)
    assert len(facts) == min(len(both), page_size)
    assert all(r["provider"] in providers for r in facts)
    assert page.get_attribute("#map", "data-marker-count") == str(plotted(both))

    box.uncheck()
    page.select_option("#area", "")
    wait_count(page, total)
    assert page.errors == []


def test_sorts_by_price(page, site_url, data):
    open_service(page, site_url)
    content = page.eval_on_selector("#content", "s => s.value")
    page.select_option("#sort", "price")
    cheapest = min(Decimal(s["prices"][content]) for _e, s in sites(data) if content in s["prices"])

    def ascending():
        prices = [r["price"] for r in row_facts(page)]
        shown = [p for p in prices if p is not None]
        assert shown == sorted(shown), prices
        assert prices[: len(shown)] == shown, "rows without a price must come last"
        assert shown[0] == cheapest

    eventually(page, ascending)
    assert page.errors == []


def test_calculator_own_share(page, site_url, data):
    from seteli.domain.tenant_file import load_tenant_yaml

    service = next(s for s in load_tenant_yaml(DEMO_TENANT).services if s.id == SERVICE)
    open_service(page, site_url)
    first = service.contents[0]
    assert money(page.input_value("#voucher-value")) == first.calculator_values()[0].amount
    assert page.get_attribute("#voucher-value", "inputmode") == "decimal"

    content = service.contents[-1]  # not the first content: the prices change too
    prices = {(e["provider_id"], s["id"]): Decimal(s["prices"][content.id]) for e, s in sites(data)}
    page.select_option("#content", content.id)
    page.fill("#voucher-value", "30,00")
    page.press("#voucher-value", "Tab")

    def shares_follow(value: Decimal):
        def check():
            facts = row_facts(page)[:10]
            assert facts
            for r in facts:
                assert r["price"] == prices[r["provider"], r["site"]], r
                assert r["own"] == max(Decimal(0), r["price"] - value), r

        eventually(page, check)

    shares_follow(Decimal("30.00"))
    presets = [v for v in page.eval_on_selector_all("#voucher-preset option", "os => os.map(o => o.value)") if v]
    assert presets, "select#voucher-preset offers no values"
    page.select_option("#voucher-preset", presets[-1])
    value = content.calculator_values()[-1].amount

    def value_follows():
        assert money(page.input_value("#voucher-value")) == value, page.input_value("#voucher-value")

    eventually(page, value_follows)
    shares_follow(value)
    assert page.errors == []


# ---------------------------------------------------------------- the map


MARKERS_JS = (
    "() => [...document.querySelectorAll('.cluster-marker, .site-marker')]"
    ".map(m => m.className + m.textContent).join('|')"
)


def test_map_markers_clusters_and_popup(page, site_url, data):
    open_service(page, site_url)
    expected = plotted(sites(data))
    assert page.get_attribute("#map", "data-marker-count") == str(expected)
    clusters = page.locator("#map .cluster-marker")
    singles = page.locator("#map .site-marker")
    assert clusters.count() + singles.count() > 0, "no markers drawn"
    in_clusters = sum(count_in(t) for t in clusters.all_text_contents())
    assert 0 < in_clusters + singles.count() <= expected

    for _ in range(8):  # zoom in through clusters until a single site shows
        if singles.count():
            break
        before = page.evaluate(MARKERS_JS)
        clusters.first.click()
        page.wait_for_function(f"s => ({MARKERS_JS})() != s", arg=before)
        page.wait_for_timeout(300)  # the zoom animation
    assert singles.count(), "clicking clusters never showed a single site"
    singles.first.click()
    link = page.locator("#map a[href*='providers/']").first
    link.wait_for(state="visible")
    provider = re.search(r"providers/([^/]+)\.html", link.get_attribute("href")).group(1)
    assert provider in {e["provider_id"] for e in data["entries"]}
    assert page.errors == []


def test_markers_without_a_tile_server(new_context, site_url, data):
    page = new_context().new_page()
    images = {"ok": [], "failed": []}
    page.on("requestfailed", lambda r: r.resource_type == "image" and images["failed"].append(r.url))
    page.on(
        "requestfinished",
        lambda r: r.resource_type == "image" and not r.url.startswith(site_url) and images["ok"].append(r.url),
    )
    open_service(page, site_url)
    assert page.locator("#map .cluster-marker, #map .site-marker").count() > 0
    assert page.get_attribute("#map", "data-marker-count") == str(plotted(sites(data)))
    assert images["ok"] == [], "a tile server answered: this test wants none"


# ---------------------------------------------------------------- without JavaScript, on a phone, other languages


def test_list_and_pages_without_javascript(new_context, site_url, data, page_size):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(urljoin(site_url, f"fi/{SERVICE}/"))
    total = len(sites(data))
    assert total > page_size, "the sample has a single page: nothing to test"
    first = row_facts(page)
    assert len(first) == page_size
    assert all(r["price"] is not None for r in first), first[:3]
    page.locator("nav.pagination a[href*='page-2']").first.click()
    page.wait_for_url(re.compile(r"page-2\.html$"))
    second = row_facts(page)
    assert 0 < len(second) <= page_size
    assert not {r["site"] for r in first} & {r["site"] for r in second}
    assert all(r["price"] is not None for r in second)


@pytest.mark.parametrize("width,height", [(390, 844), (320, 640)])
def test_phone_has_no_horizontal_scroll(new_context, site_url, width, height):
    context = new_context(viewport={"width": width, "height": height}, is_mobile=True, has_touch=True)
    page = open_service(context.new_page(), site_url)
    widths = page.evaluate("() => [window.innerWidth, document.documentElement.scrollWidth, document.body.scrollWidth]")
    assert max(widths[1:]) <= widths[0], f"the page scrolls sideways: {widths}"


SMALL_TARGETS_JS = """() => {
  const out = [];
  const targets = 'a[href], button, input, select, textarea, summary, [role=button], [tabindex="0"]';
  for (const el of document.querySelectorAll(targets)) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || el.closest('.leaflet-control-attribution')) continue;
    // WCAG's exception: a link inside a sentence (its block has more text than the link)
    const block = el.parentElement;
    if (el.tagName === 'A' && block && block.textContent.trim().length > el.textContent.trim().length + 2) continue;
    let w = r.width, h = r.height;
    for (const label of el.labels || []) {
      const l = label.getBoundingClientRect();
      w = Math.max(w, l.width); h = Math.max(h, l.height);
    }
    if (w < 43.5 || h < 43.5) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
      out.push(`${name} "${el.textContent.trim().slice(0, 40)}" ${Math.round(w)}x${Math.round(h)}`);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("which", ["service", "provider"])
def test_touch_targets_on_a_phone(new_context, site_url, data, which):
    context = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    if which == "service":
        open_service(page, site_url)
    else:
        page.goto(urljoin(site_url, f"fi/providers/{data['entries'][0]['provider_id']}.html"))
    small = page.evaluate(SMALL_TARGETS_JS)
    assert not small, f"touch targets under 44 x 44 px on the {which} page:\n" + "\n".join(small)


@pytest.mark.parametrize("lang,pattern", [("sv", r"\d+,\d{2}\s?€"), ("en", r"€\s?\d[\d,]*\.\d{2}")])
def test_language_links(page, site_url, lang, pattern):
    open_service(page, site_url)
    assert re.search(r"\d+,\d{2}\s?€", page.text_content("#results li.result .price")), "fi money as 32,50 €"
    page.locator(f"nav#languages a[hreflang={lang}]").click()
    page.wait_for_url(re.compile(rf"/{lang}/{SERVICE}/(index\.html)?$"))
    assert page.locator("html").get_attribute("lang") == lang
    page.wait_for_selector("#results li.result")
    price = page.text_content("#results li.result .price")
    assert re.search(pattern, price), f"{lang} money: {price!r}"
    assert page.locator("nav#languages a[hreflang=fi]").count() == 1


def test_keyboard_skip_link_focus_and_cluster(page, site_url):
    open_service(page, site_url)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#main", (
        "Tab first reaches the skip link"
    )
    outline = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"""
    )
    assert (outline[0] != "none" and outline[1] != "0px") or outline[2] != "none", f"focus not visible: {outline}"
    # a marker is reached with Tab and Enter does what a click does: a cluster zooms in
    cluster = page.locator("#map .cluster-marker").first
    assert cluster.evaluate("m => m.tabIndex") >= 0, "a cluster marker cannot be reached with the keyboard"
    before = page.evaluate(MARKERS_JS)
    cluster.focus()
    page.keyboard.press("Enter")
    try:
        page.wait_for_function(f"s => ({MARKERS_JS})() != s", arg=before, timeout=2_000)
    except Exception as e:
        raise AssertionError("Enter on a focused cluster marker does not zoom in") from e


# ---------------------------------------------------------------- a provider's page


def test_provider_page_shows_quality(page, site_url, data):
    open_service(page, site_url)
    row = page.locator("#results li.result").first
    provider = row.get_attribute("data-provider-id")
    entry = next(e for e in data["entries"] if e["provider_id"] == provider)
    row.locator("a.provider-link").click()
    page.wait_for_url(re.compile(rf"providers/{re.escape(provider)}\.html$"))
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.text_content("h1").strip() == entry["name"]
    for section in ("#contact", "#sites", "#prices", "#quality"):
        assert page.locator(f"section{section}").count() == 1, f"no section{section}"
    assert entry["sites"][0]["street"] in page.text_content("section#sites")
    assert page.locator("section#prices table").count() >= 1
    # one row of figures, or one per service (its name in the row's header): the home care row
    figures = page.locator("section#quality :is(tr, li, div, dl):has(> .thanks)")
    if figures.count() > 1:
        figures = figures.filter(has=page.get_by_text(SERVICE_NAME_FI, exact=True))
    assert figures.count() == 1, f"no single quality row for {SERVICE_NAME_FI}"
    q = entry["quality"]
    for cls, key in ((".thanks", "thanks"), (".complaints", "complaints"), (".reclamations", "reclamations")):
        assert count_in(figures.locator(cls).text_content()) == q[key], cls
    share = figures.locator(".answered-share").text_content()
    if q["answered_share"] is not None:
        assert count_in(share) == int(Decimal(q["answered_share"]) * 100), share


# ---------------------------------------------------------------- accessibility (axe-core)


def test_axe_service_page(page, site_url, axe_source):
    open_service(page, site_url)
    violations = run_axe(page, axe_source)
    assert not violations, "axe-core, fi service page (JavaScript on):\n" + "\n".join(violations)


def test_axe_provider_page(page, site_url, data, axe_source):
    page.goto(urljoin(site_url, f"fi/providers/{data['entries'][0]['provider_id']}.html"))
    violations = run_axe(page, axe_source)
    assert not violations, "axe-core, fi provider page:\n" + "\n".join(violations)


def test_axe_without_javascript(new_context, site_url, axe_source):
    # axe-core needs timers, which a page with JavaScript switched off never runs. So the page is
    # served as a browser without JavaScript shows it: a CSP that lets none of its scripts run and
    # <noscript> unwrapped; axe itself runs through the debugger protocol, which no CSP blocks.
    context = new_context()

    def without_scripts(route):
        if route.request.resource_type != "document":
            return route.fallback()
        response = route.fetch()
        body = re.sub(r"</?noscript\b[^>]*>", "", response.text())
        headers = {**response.headers, "content-security-policy": "script-src 'none'"}
        route.fulfill(response=response, body=body, headers=headers)

    context.route("**/*", without_scripts)
    page = context.new_page()
    page.goto(urljoin(site_url, f"fi/{SERVICE}/"))
    page.wait_for_selector("#results li.result")
    assert page.get_attribute("#map", "data-ready") != "true", "the page's scripts ran"
    violations = run_axe(page, axe_source)
    assert not violations, "axe-core, fi service page without JavaScript:\n" + "\n".join(violations)
