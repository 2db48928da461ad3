"""The public comparison site's renderer (site/seteli_site, docs/site.md): the files, the DOM the
browser test relies on, relative links, the no-JavaScript list, provider pages, partial builds,
the open data and its schema, escaping, and the JavaScript own-share rule against the Python one."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from posixpath import dirname, join, normpath

import pytest

from seteli.domain.comparison import Availability, ComparisonEntry, ComparisonFile
from seteli.domain.money import Money
from seteli.domain.tenant import Content
from seteli.domain.tenant_file import load_tenant_yaml
from seteli.rules.comparison import unit_own_share
from seteli_site import Changes, SiteInput, i18n, render_site
from seteli_site.sample import business_id, sample_input

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 3)
PAGE_SIZE = 10


# ---------------------------------------------------------------- a tiny DOM (no bs4 here)


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node] = []
        self.texts: list[str] = []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        parts = list(self.texts)
        for c in self.children:
            parts.append(c.text())
        return " ".join(p.strip() for p in parts if p.strip())

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        out = []
        for n in self.walk():
            if n is self:
                continue
            if tag and n.tag != tag:
                continue
            if cls and cls not in n.classes:
                continue
            if any(n.attrs.get(k.replace("_", "-")) != v for k, v in attrs.items()):
                continue
            out.append(n)
        return out

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'}> class={cls} {attrs} in <{self.tag}>"
        return found[0]

    def by_id(self, ident: str) -> Node:
        return self.find(id=ident)


VOID = {"meta", "link", "input", "br", "img", "hr", "source", "area", "base", "col", "embed", "wbr"}


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, dict(attrs), self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        assert n is not None, f"stray </{tag}>"
        self.cur = n.parent or self.root

    def handle_data(self, data):
        self.cur.texts.append(data)


def dom(data: bytes) -> Node:
    p = _Parser()
    p.feed(data.decode())
    p.close()
    assert p.cur is p.root, f"unclosed <{p.cur.tag}>"
    return p.root


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def tenant():
    t = load_tenant_yaml(ROOT / "tenants" / "demo.yaml")
    return t.model_copy(update={"site": t.site.model_copy(update={"page_size": PAGE_SIZE})})


@pytest.fixture(scope="module")
def inp(tenant) -> SiteInput:
    return sample_input(tenant, providers=24, sites_per_provider=1, seed=7, today=TODAY)


@pytest.fixture(scope="module")
def files(inp) -> dict[str, bytes]:
    return render_site(inp)


def providers_of(inp: SiteInput) -> set[str]:
    return {e.provider_id for es in inp.entries.values() for e in es}


def sites_of(inp: SiteInput, service_id: str) -> int:
    return sum(len(e.sites) for e in inp.entries[service_id])


# ---------------------------------------------------------------- the files


def test_every_file_of_the_contract_is_there(inp, files):
    t = inp.tenant
    assert "index.html" in files
    for path in ("data/index.json", "data/schema.json"):
        assert path in files
    for lang in t.languages:
        assert f"{lang}/index.html" in files
        for s in t.services:
            assert f"{lang}/{s.id}/index.html" in files
            pages = -(-sites_of(inp, s.id) // PAGE_SIZE)
            assert pages == 3  # 24 sites, 10 a page
            for n in range(2, pages + 1):
                assert f"{lang}/{s.id}/page-{n}.html" in files
            assert f"{lang}/{s.id}/page-{pages + 1}.html" not in files
        for pid in providers_of(inp):
            assert f"{lang}/providers/{pid}.html" in files
    for s in t.services:
        assert f"data/{s.id}.json" in files
    # assets: content-hashed, the vendored libraries with their licences
    names = [p for p in files if p.startswith("assets/")]
    assert any(re.fullmatch(r"assets/site\.[0-9a-f]{12}\.css", p) for p in names)
    assert any(re.fullmatch(r"assets/site\.[0-9a-f]{12}\.js", p) for p in names)
    assert any(re.fullmatch(r"assets/vendor/leaflet\.[0-9a-f]{12}\.js", p) for p in names)
    assert any(re.fullmatch(r"assets/vendor/supercluster\.min\.[0-9a-f]{12}\.js", p) for p in names)
    assert {"assets/vendor/LICENSE-leaflet.txt", "assets/vendor/LICENSE-supercluster.txt"} <= set(names)
    assert all(isinstance(v, bytes) for v in files.values())


def test_the_data_index_lists_every_service_and_its_file(inp, files):
    index = json.loads(files["data/index.json"])
    assert index["schema"] == "schema.json"
    assert [s["id"] for s in index["services"]] == [s.id for s in inp.tenant.services]
    for s in index["services"]:
        assert f"data/{s['file']}" in files
        assert s["providers"] == len(inp.entries[s["id"]])


def test_every_language_has_its_lang_and_links_to_the_others(inp, files):
    langs = inp.tenant.languages
    for lang in langs:
        for path in (f"{lang}/index.html", f"{lang}/home-care/index.html", f"{lang}/home-care/page-2.html"):
            doc = dom(files[path])
            html = doc.find("html")
            assert html.attrs["lang"] == lang
            skip = doc.find("a", cls="skip-link")
            assert skip.attrs["href"] == "#main"
            assert doc.by_id("main").tag == "main"
            nav = doc.by_id("languages")
            links = {a.attrs["hreflang"]: a.attrs["href"] for a in nav.find_all("a") if "hreflang" in a.attrs}
            assert set(links) == set(langs) - {lang}
            for other, href in links.items():
                target = normpath(join(dirname(path), href))
                assert target == path.replace(f"{lang}/", f"{other}/", 1)
    # the words are the language's
    assert "Laske omavastuusi" in files["fi/home-care/index.html"].decode()
    assert "Räkna ut din självriskandel" in files["sv/home-care/index.html"].decode()
    assert "Work out your own share" in files["en/home-care/index.html"].decode()
    root = dom(files["index.html"])
    assert root.find("html").attrs["lang"] == "fi"
    assert {a.attrs.get("hreflang") for a in root.by_id("languages").find_all("a")} == {"sv", "en"}


def _links(path: str, data: bytes) -> list[str]:
    refs = []
    for n in dom(data).walk():
        for attr in ("href", "src"):
            v = n.attrs.get(attr)
            if v is not None and not (n.tag == "a" and attr == "href" and v == "#main"):
                refs.append(v)
    return refs


def test_every_relative_link_resolves_to_a_produced_file(files):
    checked = 0
    for path, data in files.items():
        if not path.endswith(".html"):
            continue
        for ref in _links(path, data):
            if re.match(r"^(https?:|mailto:|tel:)", ref):
                continue
            assert not ref.startswith("/"), f"{path}: absolute link {ref}"
            target = ref.split("#", 1)[0].split("?", 1)[0]
            if not target:
                continue
            resolved = normpath(join(dirname(path), target))
            assert resolved in files, f"{path}: {ref} -> {resolved} is not in the build"
            checked += 1
    assert checked > 1000


# ---------------------------------------------------------------- the service page


def test_service_page_has_the_contracts_parts(inp, files):
    doc = dom(files["fi/home-care/index.html"])
    service = inp.tenant.service("home-care")
    calc = doc.by_id("calculator")
    assert calc.tag == "form"
    select = calc.find("select", id="content")
    assert [o.attrs["value"] for o in select.find_all("option")] == [c.id for c in service.contents]
    value = calc.find("input", id="voucher-value")
    assert value.attrs["inputmode"] == "decimal"
    assert value.attrs["value"] == "32,00"  # the first content's first calculator value, as typed in Finnish
    preset = calc.find("select", id="voucher-preset")
    assert [o.attrs["value"] for o in preset.find_all("option")][1:] == ["3200"]
    filters = doc.by_id("filters")
    fieldsets = filters.find_all("fieldset")
    assert [f.attrs["data-attribute"] for f in fieldsets] == service.search_attributes
    for f in fieldsets:
        boxes = f.find_all("input", type="checkbox")
        assert boxes and all(b.attrs["name"] == f.attrs["data-attribute"] for b in boxes)
    assert "finnish" in [b.attrs["value"] for b in fieldsets[0].find_all("input")]
    areas = [o.attrs["value"] for o in filters.find("select", id="area").find_all("option")]
    assert areas[0] == "" and set(areas[1:]) == {a for e in inp.entries["home-care"] for a in e.areas}
    sorts = [o.attrs["value"] for o in filters.find("select", id="sort").find_all("option")]
    assert sorts == ["name", "price", "own-share", "availability", "quality"]
    count = doc.by_id("result-count")
    assert count.tag == "output" and count.attrs["aria-live"] == "polite"
    assert count.text() == "24 toimipaikkaa"
    assert doc.by_id("map").tag == "div"
    # every input has a label
    labels = {lab.attrs.get("for") for lab in doc.find_all("label")}
    for n in doc.walk():
        if n.tag in ("input", "select") and n.attrs.get("type") != "hidden":
            assert n.attrs.get("id") in labels, f"no label for {n.attrs}"
    # the JavaScript's configuration: tiles from tenant.site, the map's centre from the tenant
    config = json.loads(doc.by_id("site-config").text())
    assert config["tiles"]["url"] == inp.tenant.site.tiles_url
    assert config["center"] == list(inp.tenant.map_center)
    assert config["data_url"] == "../../data/home-care.json"
    assert "".join(config["row"][0::2]).startswith('<li class="result"')


def _rows(data: bytes) -> list[Node]:
    return dom(data).by_id("results").find_all("li", cls="result")


def test_the_list_without_javascript_has_prices_and_own_shares(inp, files):
    rows = _rows(files["fi/home-care/index.html"])
    assert len(rows) == PAGE_SIZE
    names = []
    for row in rows:
        assert row.attrs["data-provider-id"] and row.attrs["data-site-id"]
        link = row.find("a", cls="provider-link")
        assert link.attrs["href"] == f"../providers/{row.attrs['data-provider-id']}.html"
        names.append(link.text())
        for cls in ("price", "own-share", "availability", "quality"):
            assert row.find(cls=cls).text()
    assert names == sorted(names, key=lambda n: n.casefold().translate(str.maketrans("åäö", "{|}")))
    # one row's own share by the Python rule, for the default voucher value
    service = inp.tenant.service("home-care")
    content = service.contents[0]
    by_site = {s.id: (e, s) for e in inp.entries["home-care"] for s in e.sites}
    for row in rows:
        _e, site = by_site[row.attrs["data-site-id"]]
        price = site.prices[content.id]
        share = unit_own_share(content, price, content.calculator_values()[0])
        assert row.find(cls="price").text() == f"{i18n.money(price.cents, 'fi')} / tunti"
        assert row.find(cls="own-share").text() == f"{i18n.money(share.cents, 'fi')} / tunti"
    en = _rows(files["en/home-care/index.html"])[0].find(cls="price").text()
    assert re.fullmatch(r"€\d+\.\d\d per hour", en)


def test_pagination_covers_every_site_once(inp, files):
    seen = []
    for page in ("index.html", "page-2.html", "page-3.html"):
        data = files[f"fi/home-care/{page}"]
        seen += [r.attrs["data-site-id"] for r in _rows(data)]
        nav = dom(data).find("nav", cls="pagination")
        current = nav.find("a", aria_current="page")
        assert current.text() == str(1 + ("index.html", "page-2.html", "page-3.html").index(page))
    assert len(seen) == sites_of(inp, "home-care") == len(set(seen))
    nav = dom(files["fi/home-care/page-2.html"]).find("nav", cls="pagination")
    hrefs = [a.attrs.get("href") for a in nav.find_all("a")]
    assert "index.html" in hrefs and "page-3.html" in hrefs


def test_availability_in_words(tenant):
    at = datetime(2026, 11, 2, 10, tzinfo=UTC)
    base = sample_input(tenant, providers=4, services=1, today=TODAY)
    entries = base.entries["assisted-living"]
    cases = [
        Availability(starts_within_days=0, free_places=2, updated_at=at),
        Availability(starts_within_days=14, free_places=1, updated_at=at),
        Availability(starts_within_days=None, free_places=0, updated_at=at),
        Availability(starts_within_days=3, updated_at=at - timedelta(days=tenant.site.availability_stale_days + 5)),
    ]
    changed = [e.model_copy(update={"availability": a}) for e, a in zip(entries, cases, strict=True)]
    inp = SiteInput(tenant=base.tenant, entries={"assisted-living": changed}, generated_at=at, today=TODAY)
    out = render_site(inp)
    texts = {
        r.attrs["data-provider-id"]: r.find(cls="availability").text()
        for r in _rows(out["fi/assisted-living/index.html"])
    }
    got = [texts[e.provider_id] for e in changed]
    assert got[0] == "Voi aloittaa heti, 2 vapaata paikkaa (päivitetty 2.11.2026)"
    assert got[1] == "Voi aloittaa 14 päivän kuluessa, 1 vapaa paikka (päivitetty 2.11.2026)"
    assert got[2] == "Ei vapaita paikkoja (päivitetty 2.11.2026)"
    assert got[3].startswith("Voi aloittaa 3 päivän kuluessa (ei päivitetty äskettäin, viimeksi ")
    sv = [r.find(cls="availability").text() for r in _rows(out["sv/assisted-living/index.html"])]
    assert any(t.startswith("Kan börja genast") for t in sv)


# ---------------------------------------------------------------- the provider page


def test_provider_page_shows_contact_sites_prices_and_quality(inp, files):
    entry = inp.entries["home-care"][0]
    doc = dom(files[f"fi/providers/{entry.provider_id}.html"])
    assert doc.find("h1").text() == entry.name
    assert entry.contact_email in doc.by_id("contact").text()
    sites = doc.by_id("sites").text()
    for s in entry.sites:
        assert s.name in sites and s.city in sites
    tables = doc.by_id("prices").find_all("table")
    mine = [s for s in inp.tenant.services if any(e.provider_id == entry.provider_id for e in inp.entries[s.id])]
    assert len(tables) == len(mine)
    for table in tables:
        assert table.find("caption").text()
        assert table.find_all("th", scope="col") and table.find_all("th", scope="row")
    home = doc.by_id("prices").find("table", data_service_id="home-care")
    cell = home.find("tbody").find_all("td")[0].text()
    assert cell == i18n.money(entry.sites[0].prices[inp.tenant.service("home-care").contents[0].id].cents, "fi")
    quality = doc.by_id("quality")
    q = entry.quality
    assert quality.find(cls="thanks").text() == str(q.thanks)
    assert quality.find(cls="complaints").text() == str(q.complaints)
    assert quality.find(cls="reclamations").text() == str(q.reclamations)
    share = quality.find(cls="answered-share").text()
    assert share == ("ei vastattavaa" if q.answered_share is None else f"{int(q.answered_share * 100)}\u00a0%")
    assert "12 kuukauden" in quality.text()


def test_quality_answered_share_in_the_list(tenant):
    base = sample_input(tenant, providers=1, services=1, today=TODAY)
    e = base.entries["assisted-living"][0]
    q = e.quality.model_copy(
        update={"thanks": 5, "complaints": 2, "reclamations": 1, "needing_reply": 2, "answered": 2,
                "answered_share": Decimal("0.90")}
    )  # fmt: skip
    inp = SiteInput(
        tenant=base.tenant,
        entries={"assisted-living": [e.model_copy(update={"quality": q})]},
        generated_at=base.generated_at,
        today=TODAY,
    )
    out = render_site(inp)
    row = _rows(out["fi/assisted-living/index.html"])[0]
    assert row.find(cls="quality").text() == "5 kiitosta, 2 moitetta, 1 reklamaatio, vastattu 90 %"
    provider = dom(out[f"fi/providers/{e.provider_id}.html"]).by_id("quality")
    assert provider.find(cls="answered-share").text() == "90\u00a0%"


# ---------------------------------------------------------------- partial builds


def test_only_renders_the_changed_files_equal_to_a_full_build(inp, files):
    pid = inp.entries["cleaning"][3].provider_id
    part = render_site(inp, only=Changes(services={"cleaning"}, providers={pid}))
    for path, data in part.items():
        assert files[path] == data, path
    expected = {"data/cleaning.json", "data/schema.json"}  # the front pages and index count all: full builds
    for lang in inp.tenant.languages:
        expected |= {f"{lang}/cleaning/index.html", f"{lang}/cleaning/page-2.html"}
        expected |= {f"{lang}/cleaning/page-3.html", f"{lang}/providers/{pid}.html"}
    assert expected <= set(part)
    html_and_data = {p for p in part if not p.startswith("assets/")}
    assert html_and_data == expected
    nothing = render_site(inp, only=Changes())
    assert not any(p.startswith(("fi/providers/", "fi/cleaning/")) for p in nothing)


def test_a_build_in_several_processes_is_the_same(inp, files):
    assert render_site(inp, workers=2) == files


# ---------------------------------------------------------------- the open data


def test_schema_validates_the_open_data(inp, files):
    schema = json.loads(files["data/schema.json"])
    assert schema["title"] == "ComparisonFile"
    for s in inp.tenant.services:
        doc = json.loads(files[f"data/{s.id}.json"])
        assert doc["service_id"] == s.id and doc["tenant_id"] == inp.tenant.id
        assert len(doc["entries"]) == len(inp.entries[s.id])
        try:
            import jsonschema
        except ImportError:  # pragma: no cover - validate with the model instead
            ComparisonFile.model_validate_json(files[f"data/{s.id}.json"])
        else:
            jsonschema.validate(doc, schema)
            bad = {**doc, "entries": [{**doc["entries"][0], "sites": []}]}
            with pytest.raises(jsonschema.ValidationError):
                jsonschema.validate(bad, schema)
    # every entry as given (the order given: the page's JavaScript sorts)
    ids = [e["provider_id"] for e in json.loads(files["data/home-care.json"])["entries"]]
    assert ids == [e.provider_id for e in inp.entries["home-care"]]


PERSONAL = re.compile(r"customer|hetu|ssn|personal|birth|decision|entitlement|updated_by|user|password", re.I)


def test_no_personal_data_fields_in_the_open_data(files):
    def keys(value, out):
        if isinstance(value, dict):
            for k, v in value.items():
                out.add(k)
                keys(v, out)
        elif isinstance(value, list):
            for v in value:
                keys(v, out)
        return out

    found: set[str] = set()
    for path, data in files.items():
        if path.startswith("data/") and path != "data/schema.json":
            keys(json.loads(data), found)
    assert "provider_id" in found and "quality" in found
    assert not {k for k in found if PERSONAL.search(k)}


def test_provider_given_text_is_escaped(tenant):
    base = sample_input(tenant, providers=2, services=1, today=TODAY)
    evil = '<script>alert("x")</script> & Hoiva "Oy"'
    first = base.entries["assisted-living"][0]
    site = first.sites[0].model_copy(update={"name": "<b>Koti</b>"})
    changed = first.model_copy(update={"name": evil, "description": "<img src=x onerror=alert(1)>", "sites": [site]})
    inp = SiteInput(
        tenant=base.tenant,
        entries={"assisted-living": [changed, base.entries["assisted-living"][1]]},
        generated_at=base.generated_at,
        today=TODAY,
    )
    out = render_site(inp)
    for path in ("fi/assisted-living/index.html", f"fi/providers/{first.provider_id}.html"):
        text = out[path].decode()
        assert "<script>alert" not in text and "<img src=x" not in text and "<b>Koti" not in text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Hoiva &#34;Oy&#34;" in text
    page = dom(out["fi/assisted-living/index.html"])
    names = [a.text() for a in page.find_all("a", cls="provider-link")]
    assert evil in names
    assert sum(1 for n in page.walk() if n.tag == "script") == 6  # js class, config, 4 assets: nothing injected


# ---------------------------------------------------------------- words and the JavaScript rule


def test_money_and_dates_as_each_language_writes_them():
    assert i18n.money(3250, "fi") == "32,50\u00a0€"
    assert i18n.money(125000, "sv") == "1\u00a0250,00\u00a0€"
    assert i18n.money(3250, "en") == "€32.50"
    assert i18n.money(125000, "en") == "€1,250.00"
    assert i18n.day(date(2026, 11, 3), "fi") == "3.11.2026"
    assert i18n.day(date(2026, 11, 3), "en") == "2026-11-03"
    assert i18n.moment(datetime(2026, 11, 3, 6, 5, tzinfo=UTC), "fi") == "3.11.2026 klo 8.05"
    assert business_id(1)[-2] == "-"


NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="needs node")
def test_the_javascript_own_share_rule_is_the_python_rule():
    contents = {
        "voucher": Content(id="a", name={"fi": "A"}, unit="hour", voucher_value="32.00"),
        "customer_pays": Content(id="b", name={"fi": "B"}, unit="hour", customer_pays=True),
        "no_own_share": Content(id="c", name={"fi": "C"}, unit="day", voucher_value="95.00", no_own_share=True),
    }
    prices = [0, 1, 3199, 3200, 3201, 4470, 999999]
    values = [None, 0, 3200, 3250, 5000]
    cases = []
    for key, content in contents.items():
        for p in prices:
            for v in values:
                money_v = None if v is None else Money.from_cents(v)
                want = unit_own_share(content, Money.from_cents(p), money_v)
                cases.append([key, p, v, None if want is None else want.cents])
    typed = {
        "32,50": 3250, "32.50": 3250, "32": 3200, "32,5": 3250, " 32,50 € ": 3250, "1 234,50": 123450,
        "0": 0, "": None, "abc": None, "32,505": None, "-5": None, "32.5.1": None, "1e3": None,
    }  # fmt: skip
    flags = {k: {"customer_pays": c.customer_pays, "no_own_share": c.no_own_share} for k, c in contents.items()}
    script = f"""
const M = require({json.dumps(str(ROOT / "site" / "seteli_site" / "static" / "money.js"))});
const flags = {json.dumps(flags)};
const out = {{shares: [], typed: {{}}, money: [], decimal: []}};
for (const [k, p, v] of {json.dumps(cases)}) out.shares.push(M.ownShareCents(flags[k], p, v));
for (const t of {json.dumps(list(typed))}) out.typed[t] = M.parseCents(t);
for (const [c, l] of [[3250, "fi"], [125000, "sv"], [125000, "en"], [5, "fi"]]) out.money.push(M.formatMoney(c, l));
for (const t of ["31.40", "0.05", "-2.00", "3.1", "x"]) out.decimal.push(M.decimalCents(t));
console.log(JSON.stringify(out));
"""
    got = json.loads(subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True).stdout)
    assert got["shares"] == [c[3] for c in cases]
    assert got["typed"] == typed
    assert got["money"] == [i18n.money(3250, "fi"), i18n.money(125000, "sv"), i18n.money(125000, "en"), "0,05\u00a0€"]
    assert got["decimal"] == [3140, 5, -200, None, None]


def test_an_entry_without_coordinates_is_still_listed(tenant):
    base = sample_input(tenant, providers=3, services=1, today=TODAY)
    e = base.entries["assisted-living"][0]
    site = e.sites[0].model_copy(update={"lat": None, "lon": None})
    entries = [e.model_copy(update={"sites": [site]}), *base.entries["assisted-living"][1:]]
    inp = SiteInput(
        tenant=base.tenant, entries={"assisted-living": entries}, generated_at=base.generated_at, today=TODAY
    )
    ids = [r.attrs["data-site-id"] for r in _rows(render_site(inp)["fi/assisted-living/index.html"])]
    assert site.id in ids


def test_sample_input_is_deterministic_and_clones_services(tenant):
    a = sample_input(tenant, providers=5, services=12, today=TODAY)
    b = sample_input(tenant, providers=5, services=12, today=TODAY)
    assert [s.id for s in a.tenant.services][5:7] == ["assisted-living-2", "service-housing-2"]
    assert len(a.tenant.services) == 12 and set(a.entries) == {s.id for s in a.tenant.services}
    first = [e.model_dump() for e in a.entries["home-care-2"]]
    assert first == [e.model_dump() for e in b.entries["home-care-2"]]
    assert all(isinstance(e, ComparisonEntry) for es in a.entries.values() for e in es)
    mix = sample_input(tenant, providers=50, services=20, services_per_provider=(1, 3), today=TODAY)
    per = {}
    for es in mix.entries.values():
        for e in es:
            per[e.provider_id] = per.get(e.provider_id, 0) + 1
    assert set(per.values()) <= {1, 2, 3} and len(per) == 50
