"""Render the public comparison site: data in, files out (docs/site.md). No AWS, no database.

Speed (issue 7: 5,000 providers x 20 services in under 3 s, one change in under 200 ms) comes from
doing per row only what differs per row:

- The templates are compiled once at import. A page or a piece that repeats thousands of times (a
  list row, a list page, a provider page, a price table) is rendered by jinja ONCE per language
  (and service) with placeholders, and split into a :class:`Fragment`: literal text and slots,
  filled in Python with values escaped once per entry (``markupsafe.escape``), not per language.
- Language-dependent words (prices, availability, quality) are cached per distinct value.
- The open JSON is pydantic's own serializer (``model_dump_json``, in Rust).
- Assets (CSS, JavaScript, Leaflet) are read and hashed once per process.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import mmap
import operator
import os
import pickle
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from seteli.clock import HELSINKI
from seteli.domain.comparison import ComparisonEntry, ComparisonFile
from seteli.domain.money import Money
from seteli.domain.tenant import Content, Service, Tenant
from seteli.rules.comparison import unit_own_share

from . import i18n
from .model import Changes, SiteInput

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"

_ENV = Environment(
    loader=FileSystemLoader(str(HERE / "templates")),
    autoescape=True,
    undefined=StrictUndefined,
    auto_reload=False,
)
_T_FRONT = _ENV.get_template("front.html")
_T_SERVICE = _ENV.get_template("service.html")
_T_LIST = _ENV.get_template("list_page.html")
_T_PROVIDER = _ENV.get_template("provider.html")
_F = _ENV.get_template("fragments.html").module

SORTS = ("name", "price", "own-share", "availability", "quality")
_ROW_ORDER = operator.itemgetter(0, 1, 2, 3)
NO_PRICE = "no-price"  # a site without a price for the content: no own share either
_SLOT = re.compile(r"\x00(\d+)\x00")


# ---------------------------------------------------------------- fragments


def _mark(i: int) -> Markup:
    """The placeholder of slot ``i`` (see :class:`Fragment`)."""
    return Markup(f"\x00{i}\x00")  # noqa: S704 - a constant marker, no input


def _html(text: str) -> Markup:
    """HTML the renderer made itself (every value in it escaped when it was filled)."""
    return Markup(text)  # noqa: S704 - our own output, escaped piece by piece


class Fragment:
    """A template rendered once with placeholders, filled many times: ``fill(*values)``.

    ``render(**static, **slots)`` is called once with each slot set to a unique marker; the text is
    split at the markers. Values given to ``fill`` go in as they are: escape them first.
    """

    __slots__ = ("fill", "pieces")

    def __init__(self, render: Callable[..., Any], slots: Sequence[str], **static: Any) -> None:
        marks = {name: _mark(i) for i, name in enumerate(slots)}
        text = str(render(**static, **marks))
        parts = _SLOT.split(text)
        self.pieces: list[str] = []  # literal, slot name, literal, ... (for the JavaScript)
        exprs: list[str] = []
        for k, part in enumerate(parts):
            if k % 2:
                self.pieces.append(slots[int(part)])
                exprs.append(f"a{part}")
            else:
                self.pieces.append(part)
                if part:
                    exprs.append(repr(part))
        args = ", ".join(f"a{i}" for i in range(len(slots)))
        # Built from our own template text only (repr() literals and argument names): no input.
        self.fill: Callable[..., str] = eval(f"lambda {args}: ''.join(({', '.join(exprs)},))")  # noqa: S307


def _joined(a: list[str], b: list[str]) -> list[str]:
    """Two fragments' pieces (literal, slot, ..., literal) as one list of the same shape."""
    return [*a[:-1], a[-1] + b[0], *b[1:]]


# ---------------------------------------------------------------- assets


ASSET_FILES = {
    "css": "site.css",
    "money_js": "money.js",
    "site_js": "site.js",
    "leaflet_js": "vendor/leaflet/leaflet.js",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "supercluster_js": "vendor/supercluster/supercluster.min.js",
}
LICENCE_FILES = {
    "vendor/leaflet/LICENSE": "assets/vendor/LICENSE-leaflet.txt",
    "vendor/supercluster/LICENSE": "assets/vendor/LICENSE-supercluster.txt",
    "vendor/supercluster/LICENSE-kdbush": "assets/vendor/LICENSE-kdbush.txt",
}


@functools.cache
def assets() -> tuple[dict[str, str], dict[str, bytes]]:
    """(logical name -> path under the site root, path -> bytes): content-hashed, read once."""
    names: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for key, rel in ASSET_FILES.items():
        data = (STATIC / rel).read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:12]
        src = Path(rel)
        folder = "assets/vendor/" if rel.startswith("vendor/") else "assets/"
        path = f"{folder}{src.stem}.{digest}{src.suffix}"
        names[key] = path
        files[path] = data
    for rel, path in LICENCE_FILES.items():
        files[path] = (STATIC / rel).read_bytes()
    return names, files


@functools.cache
def schema_bytes() -> bytes:
    schema = ComparisonFile.model_json_schema()
    schema["$id"] = "schema.json"
    schema["description"] = (
        "The open data of one service of the public comparison site (data/<service_id>.json): every "
        "provider with an approved application and a price list valid today, per site. Money is a "
        'decimal string in euros ("32.50"); instants are UTC (ISO 8601); dates ISO.'
    )
    return orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)


# ---------------------------------------------------------------- words


def _unit(lang: str, content: Content) -> str:
    return i18n.MESSAGES[lang][f"unit_{content.unit.value}"]


def _value_text(cents: int, lang: str) -> str:
    """A voucher value as typed in the input: ``32,00`` (fi/sv) or ``32.00`` (en)."""
    euros, rest = divmod(cents, 100)
    return f"{euros}{'.' if lang == 'en' else ','}{rest:02d}"


_NAME_KEY = str.maketrans({"å": "z\x01", "ä": "z\x02", "ö": "z\x03", "Å": "z\x01", "Ä": "z\x02", "Ö": "z\x03"})


def name_key(text: str) -> str:
    """Finnish alphabetical order: ... x y z å ä ö."""
    return text.casefold().translate(_NAME_KEY)


_SAFE = re.compile(r"[A-Za-z0-9_.~-]+")
_SPECIAL = re.compile(r"[&<>\"']")  # what HTML escaping changes


def _safe_id(value: str) -> str:
    """An id as a path segment and in HTML (ids are slugs/ULIDs; anything else is percent-encoded)."""
    if _SAFE.fullmatch(value) and not value.startswith("."):
        return value
    return quote(value, safe="-_~")


class Words:
    """One language's texts, with caches of what repeats (prices, availability, quality)."""

    def __init__(self, lang: str, today: date, stale_days: int) -> None:
        self.lang = lang
        self.m = i18n.MESSAGES[lang]
        self.today = today
        self.stale_days = stale_days
        self._money: dict[int, str] = {}
        self._avail: dict[Any, str] = {}
        self._starts: dict[tuple, str] = {}
        self._when: dict[datetime, str] = {}
        self._quality: dict[Any, str] = {}

    def money(self, cents: int) -> str:
        text = self._money.get(cents)
        if text is None:
            text = self._money[cents] = i18n.money(cents, self.lang)
        return text

    def availability(self, key: tuple | None) -> str:
        text = self._avail.get(key)
        if text is None:
            text = self._avail[key] = self._availability(key)
        return text

    def _availability(self, key: tuple | None) -> str:
        if key is None:
            return self.m["avail_unknown"]
        days, free, updated_at = key
        start = self._starts.get((days, free))
        if start is None:
            start = self._starts[(days, free)] = self._start_text(days, free)
        when = self._when.get(updated_at)
        if when is None:
            when = self._when[updated_at] = self._when_text(updated_at)
        return f"{start} ({when})"

    def _start_text(self, days: int | None, free: int | None) -> str:
        m, lang = self.m, self.lang
        if days is None:
            return m["avail_queue"]
        text = m["avail_now"] if days == 0 else i18n.count(lang, "avail_days", days)
        if free:
            text += ", " + i18n.count(lang, "free_places", free)
        return text

    def _when_text(self, updated_at: datetime) -> str:
        updated = updated_at.astimezone(HELSINKI).date()
        when = i18n.day(updated, self.lang)
        if (self.today - updated).days > self.stale_days:
            return self.m["stale"].format(date=when)
        return self.m["updated"].format(date=when)

    def quality(self, key: tuple) -> str:
        text = self._quality.get(key)
        if text is None:
            text = self._quality[key] = self._quality_text(key)
        return text

    def _quality_text(self, key: tuple) -> str:
        thanks, complaints, reclamations, share = key
        pct = None if share is None else int(share * 100)
        lang = self.lang
        if not (thanks or complaints or reclamations):
            return self.m["no_feedback"]
        parts = [
            i18n.count(lang, "thanks_n", thanks),
            i18n.count(lang, "complaints_n", complaints),
            i18n.count(lang, "reclamations_n", reclamations),
        ]
        if pct is not None:
            parts.append(self.m["answered_pct"].format(pct=pct))
        return ", ".join(parts)


def _quality_key(entry: ComparisonEntry) -> tuple:
    """What the list says of the quality (converted to words once per distinct key)."""
    q = entry.quality
    return (q.thanks, q.complaints, q.reclamations, q.answered_share)


def _availability_key(entry: ComparisonEntry) -> tuple | None:
    a = entry.availability
    if a is None:
        return None
    return (a.starts_within_days, a.free_places, a.updated_at)


def _address(street: str | None, postal: str | None, city: str | None) -> str:
    place = " ".join(p for p in (postal, city) if p)
    return ", ".join(p for p in (street, place) if p)


# ---------------------------------------------------------------- the build


class Build:
    """One render: the input, per-language words and fragments, shared by every file."""

    def __init__(self, inp: SiteInput) -> None:
        self.inp = inp
        self.tenant: Tenant = inp.tenant
        self.langs = list(self.tenant.languages)
        self.default_lang = "fi" if "fi" in self.langs else self.langs[0]
        self.asset_names, self.asset_files = assets()
        site = self.tenant.site
        self.words = {lang: Words(lang, inp.today, site.availability_stale_days) for lang in self.langs}
        # The day only (Helsinki): a small build later the same day leaves every page it did not
        # change byte for byte the same, so the publisher writes only the pages that changed.
        generated_day = inp.generated_at.astimezone(i18n.HELSINKI).date()
        self.generated = {lang: i18n.msg(lang, "generated", at=i18n.day(generated_day, lang)) for lang in self.langs}
        self.tenant_name = {lang: self.tenant.name.get(lang) for lang in self.langs}
        self.row_head = Fragment(_F.row_head, ("pid", "sid", "name", "site"))
        self.row_facts = {
            lang: Fragment(_F.row_facts, ("price", "own", "avail", "quality"), m=i18n.MESSAGES[lang])
            for lang in self.langs
        }
        self._esc: dict[str, str] = {}
        self._names: dict[tuple[str, str], tuple[str, str, str]] = {}
        self._places: dict[tuple, tuple[str, str, str]] = {}
        self.page_link = Fragment(_F.page_link, ("href", "text", "label"))
        self.page_current = Fragment(_F.page_current, ("text", "label"))
        self.page_gap = str(_F.page_gap())
        self.pagination = {lang: Fragment(_F.pagination, ("items",), m=i18n.MESSAGES[lang]) for lang in self.langs}

    def esc(self, text: str) -> str:
        """HTML-escaped text (quotes too), remembered: a provider's name is in many files."""
        out = self._esc.get(text)
        if out is None:
            out = self._esc[text] = str(escape(text)) if _SPECIAL.search(text) else text
        return out

    # -- shared page context

    def base(self, lang: str, root: str, home_href: str, href_of: Callable[[str], str]) -> dict[str, Any]:
        return {
            "lang": lang,
            "m": i18n.MESSAGES[lang],
            "root": root,
            "home_href": home_href,
            "assets": self.asset_names,
            "tenant_name": self.tenant_name[lang],
            "generated": self.generated[lang],
            "lang_links": [
                {"code": code, "name": i18n.LANGUAGE_NAMES[code], "href": href_of(code), "current": code == lang}
                for code in self.langs
            ],
        }

    # -- front pages

    def front(self, lang: str, at_root: bool, counts: dict[str, int]) -> bytes:
        root = "" if at_root else "../"
        prefix = f"{lang}/" if at_root else ""

        def href_of(code: str) -> str:
            return f"{code}/index.html" if at_root else f"../{code}/index.html"

        services = []
        for s in self.tenant.services:
            providers = counts.get(s.id, 0)
            if providers:
                text = i18n.count(lang, "providers_n", providers)
            else:
                text = i18n.msg(lang, "providers_none")
            services.append(
                {
                    "href": f"{prefix}{_safe_id(s.id)}/index.html",
                    "name": s.name.get(lang),
                    "description": s.description.get(lang) if s.description else None,
                    "count": text,
                }
            )
        home = f"{prefix}index.html"
        ctx = self.base(lang, root, home, href_of)
        return _T_FRONT.render(**ctx, services=services).encode()

    def data_index(self, counts: dict[str, int]) -> bytes:
        doc = {
            "schema_version": 1,
            "tenant_id": self.tenant.id,
            "tenant_name": self.tenant.name.model_dump(exclude_none=True),
            "generated_at": self.inp.generated_at,
            "schema": "schema.json",
            "languages": self.langs,
            "services": [
                {
                    "id": s.id,
                    "name": s.name.model_dump(exclude_none=True),
                    "file": f"{_safe_id(s.id)}.json",
                    "providers": counts.get(s.id, 0),
                    "pages": {lang: f"../{lang}/{_safe_id(s.id)}/index.html" for lang in self.langs},
                }
                for s in self.tenant.services
            ],
        }
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2)

    # -- one service

    def service(self, service: Service, entries: list[ComparisonEntry], out: dict[str, bytes]) -> None:
        sid = _safe_id(service.id)
        # The open data in the order given: serializing in another order costs twice the time (the
        # entries are read all over memory); the page's JavaScript sorts by name itself.
        doc = ComparisonFile(
            tenant_id=self.tenant.id, service_id=service.id, generated_at=self.inp.generated_at, entries=entries
        )
        out[f"data/{sid}.json"] = ComparisonFile.__pydantic_serializer__.to_json(doc)

        content = service.contents[0]
        values = content.calculator_values()
        value = values[0] if values else None
        cid = content.id
        own_cache: dict[int, int | None] = {}
        # (name key, provider id, site key, site id, | pid, sid, name, site, price, own, avail, quality)
        rows: list[tuple] = []
        areas: set[str] = set()
        names, places = self._names, self._places
        esc = self.esc
        for e in entries:  # in memory order; the rows are sorted after
            pid = e.provider_id
            known = names.get((pid, e.name))
            if known is None:
                known = names[(pid, e.name)] = (_safe_id(pid), esc(e.name), name_key(e.name))
            spid, name, nkey = known
            a, q = e.availability, e.quality
            akey = None if a is None else (a.starts_within_days, a.free_places, a.updated_at)  # _availability_key
            qkey = (q.thanks, q.complaints, q.reclamations, q.answered_share)  # _quality_key
            areas.update(e.areas)
            for s in e.sites:
                place = places.get((pid, s.id))  # a provider's site is the same place in every service
                if place is None:
                    text = ", ".join(p for p in (s.name, _address(s.street, s.postal_code, s.city)) if p)
                    place = places[(pid, s.id)] = (_safe_id(s.id), esc(text), name_key(s.name))
                price = s.prices.get(cid)
                if price is None:
                    cents, own = None, NO_PRICE
                else:
                    cents = price.cents
                    own = own_cache.get(cents, False)
                    if own is False:
                        share = unit_own_share(content, price, value)
                        own = own_cache[cents] = None if share is None else share.cents
                rows.append((nkey, pid, place[2], s.id, spid, place[0], name, place[1], cents, own, akey, qkey))
        rows.sort(key=_ROW_ORDER)  # by name, provider, site name, site: unique, the rest never compares
        rows = [r[4:] for r in rows]
        page_size = self.tenant.site.page_size
        pages = max(1, -(-len(rows) // page_size))
        area_list = sorted(areas, key=name_key)
        distinct = tuple({r[i] for r in rows} for i in (4, 5, 6, 7))
        head = self.row_head.fill
        heads = [head(r[0], r[1], r[2], r[3]) for r in rows]
        for lang in self.langs:
            self._service_lang(service, lang, rows, heads, distinct, pages, page_size, value, area_list, out)

    def _service_lang(
        self,
        service: Service,
        lang: str,
        rows: list[tuple],
        heads: list[str],
        distinct: tuple[set, ...],
        pages: int,
        page_size: int,
        value: Money | None,
        areas: list[str],
        out: dict[str, bytes],
    ) -> None:
        w = self.words[lang]
        m = w.m
        fill = self.row_facts[lang].fill
        content = service.contents[0]
        unit = _unit(lang, content)
        per_unit = m["per_unit"]
        money = w.money
        avail, quality = w.availability, w.quality
        # each distinct price, own share, availability and quality once, then one fill per row
        prices, owns, avails, qualities = distinct
        pt: dict[Any, str] = {c: per_unit.format(price=money(c), unit=unit) for c in prices if c is not None}
        pt[None] = m["no_price"]
        ot: dict[Any, str] = {c: per_unit.format(price=money(c), unit=unit) for c in owns if isinstance(c, int)}
        ot[None] = m["give_value"]
        ot[NO_PRICE] = m["no_price"]
        at = {k: avail(k) for k in avails}
        qt = {k: quality(k) for k in qualities}
        html = [h + fill(pt[r[4]], ot[r[5]], at[r[6]], qt[r[7]]) for h, r in zip(heads, rows, strict=True)]
        sid = _safe_id(service.id)
        service_name = service.name.get(lang)
        if value is not None:
            note = m["own_share_with"].format(value=per_unit.format(price=money(value.cents), unit=unit))
        else:
            note = m["own_share_unknown"]
        crumbs = [{"href": "../index.html", "text": m["home"]}]

        def href_of(code: str, page: str = "index.html") -> str:
            return f"../../{code}/{sid}/{page}"

        # page 1: the comparison
        ctx = self.base(lang, "../../", "../index.html", href_of)
        first = "".join(html[:page_size])
        out[f"{lang}/{sid}/index.html"] = _T_SERVICE.render(
            **ctx,
            crumbs=[*crumbs, {"href": None, "text": service_name}],
            service_id=sid,
            service_name=service_name,
            service_description=service.description.get(lang) if service.description else None,
            contents=[{"id": c.id, "name": c.name.get(lang), "unit": _unit(lang, c)} for c in service.contents],
            default_value=_value_text(value.cents, lang) if value is not None else "",
            has_presets=any(c.calculator_values() for c in service.contents),
            presets=[{"value": v.cents, "text": money(v.cents)} for v in content.calculator_values()],
            attributes=self._attributes(service, lang),
            areas=areas,
            count=i18n.count(lang, "sites_n", len(rows)),
            own_share_note=note,
            rows=_html(first),
            has_rows=bool(rows),
            no_rows_text=m["no_results"] if rows else m["no_providers"],
            pagination=_html(self._pagination(lang, 1, pages)),
            config=_html(self._config(service, lang, value)),
        ).encode()
        if pages < 2:
            return
        # pages 2..n without JavaScript: one template render per language and service, then filled
        shell = Fragment(
            _T_LIST.render,
            ("page_title", "rows", "pagination", "href_fi", "href_sv", "href_en"),
            **self.base(lang, "../../", "../index.html", lambda code: _mark(3 + i18n.LANGS.index(code))),
            crumbs=[*crumbs, {"href": "index.html", "text": service_name}, {"href": None, "text": _mark(0)}],
            service_name=service_name,
            own_share_note=note,
        )  # fmt: skip
        fill_page = shell.fill
        page_of = m["page_of"]
        for n in range(2, pages + 1):
            page = f"page-{n}.html"
            body = "".join(html[(n - 1) * page_size : n * page_size])
            hrefs = [href_of(code, page) for code in i18n.LANGS]
            out[f"{lang}/{sid}/{page}"] = fill_page(
                page_of.format(n=n, total=pages), body, self._pagination(lang, n, pages), *hrefs
            ).encode()

    def _attributes(self, service: Service, lang: str) -> list[dict[str, Any]]:
        by_id = {a.id: a for a in self.tenant.search_attributes}
        out = []
        for aid in service.search_attributes:
            attr = by_id.get(aid)
            if attr is None or not attr.values:
                continue
            out.append(
                {
                    "id": attr.id,
                    "name": attr.name.get(lang),
                    "options": [{"id": v.id or v.fi, "name": v.get(lang)} for v in attr.values],
                }
            )
        return out

    def _pagination(self, lang: str, n: int, pages: int) -> str:
        if pages < 2:
            return ""
        m = self.words[lang].m
        link, current = self.page_link.fill, self.page_current.fill

        def href(k: int) -> str:
            return "index.html" if k == 1 else f"page-{k}.html"

        items = []
        if n > 1:
            items.append(link(href(n - 1), "‹ " + m["prev"], m["prev"]))
        shown = sorted({1, pages, *range(max(1, n - 2), min(pages, n + 2) + 1)})
        last = 0
        for k in shown:
            if k - last > 1:
                items.append(self.page_gap)
            label = m["page_n"].format(n=k)
            items.append(current(str(k), label) if k == n else link(href(k), str(k), label))
            last = k
        if n < pages:
            items.append(link(href(n + 1), m["next"] + " ›", m["next"]))
        return self.pagination[lang].fill("".join(items))

    def _config(self, service: Service, lang: str, value: Money | None) -> str:
        """The page's JavaScript configuration (JSON inside a script element: ``<`` escaped)."""
        site = self.tenant.site
        m = i18n.MESSAGES[lang]
        center = self.tenant.map_center or (62.2426, 25.7473)
        cfg = {
            "lang": lang,
            "service_id": service.id,
            "data_url": f"../../data/{_safe_id(service.id)}.json",
            "provider_base": "../providers/",
            "page_size": site.page_size,
            "today": self.inp.today.isoformat(),
            "stale_days": site.availability_stale_days,
            "tiles": {"url": site.tiles_url, "attribution": site.tiles_attribution, "max_zoom": site.max_zoom},
            "center": list(center),
            "contents": [
                {
                    "id": c.id,
                    "unit": m[f"unit_{c.unit.value}"],
                    "customer_pays": c.customer_pays,
                    "no_own_share": c.no_own_share,
                    "values": [v.cents for v in c.calculator_values()],
                }
                for c in service.contents
            ],
            "messages": {k: m[k] for k in i18n.JS_MESSAGES},
            "note_with": m["own_share_with"],
            "note_unknown": m["own_share_unknown"],
            "row": _joined(self.row_head.pieces, self.row_facts[lang].pieces),
        }
        return orjson.dumps(cfg).decode().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    # -- one provider

    @functools.cached_property
    def _pfrag(self) -> dict[str, Any]:
        """The provider page's pieces, rendered once per build."""
        shells = {}
        for lang in self.langs:
            m = i18n.MESSAGES[lang]
            slots = ("name", "business_id", "description", "details", "contact", "sites", "prices", "quality")
            slots += tuple(f"href_{code}" for code in i18n.LANGS)
            first_href = len(slots) - len(i18n.LANGS)

            def href(code: str, first_href: int = first_href) -> Markup:
                return _mark(first_href + i18n.LANGS.index(code))

            base = self.base(lang, "../../", "../index.html", href)
            crumbs = [{"href": "../index.html", "text": m["home"]}, {"href": None, "text": _mark(0)}]
            shells[lang] = Fragment(_T_PROVIDER.render, slots, **base, crumbs=crumbs)
        return {
            "shell": shells,
            "description": Fragment(_F.description, ("text",)).fill,
            "site": Fragment(_F.site_item, ("sid", "name", "address")).fill,
            "sites": Fragment(_F.sites, ("items",)).fill,
            "contact": Fragment(_F.contact, ("items",)).fill,
            "contact_item": Fragment(_F.contact_item, ("label", "value")).fill,
            "phone": Fragment(_F.phone, ("href", "text")).fill,
            "email": Fragment(_F.email, ("addr",)).fill,
            "row": Fragment(_F.price_row, ("site", "cells")).fill,
            "cell": Fragment(_F.price_cell, ("value",)).fill,
            "note": Fragment(_F.note, ("text",)).fill,
            "qrow": Fragment(_F.quality_row, ("service", "thanks", "complaints", "reclamations", "answered")).fill,
            "qtable": {lang: Fragment(_F.quality_table, ("caption", "rows"), m=i18n.MESSAGES[lang]).fill
                       for lang in self.langs},
            "tables": {},
            "dates": {},
            "notes": {lang: {} for lang in self.langs},
            "details": {},
        }  # fmt: skip

    def provider(self, pid: str, items: list[tuple[Service, ComparisonEntry]], out: dict[str, bytes]) -> None:
        f = self._pfrag
        esc = self.esc
        spid = _safe_id(pid)
        first = items[0][1]
        name, bid = esc(first.name), esc(first.business_id)
        desc = f["description"](esc(first.description)) if first.description else ""
        site_fill = f["site"]
        sites: dict[str, str] = {}
        for _service, e in items:
            for s in e.sites:
                if s.id not in sites:
                    sites[s.id] = site_fill(_safe_id(s.id), esc(s.name), esc(_address(s.street, s.postal_code, s.city)))
        sites_html = f["sites"]("".join(sites.values()))
        attrs: dict[str, list[str]] = {}
        areas: dict[str, None] = {}
        for _service, e in items:
            for a, ids in e.search_attributes.items():
                have = attrs.setdefault(a, [])
                have.extend(v for v in ids if v not in have)
            areas.update(dict.fromkeys(e.areas))
        qkey0 = _quality_key(first)
        same_quality = all(_quality_key(e) == qkey0 for _s, e in items)
        hrefs = [f"../../{code}/providers/{spid}.html" for code in i18n.LANGS]
        # per entry once: what its notes say (prices from, next prices, availability)
        keys = []
        for _s, e in items:
            sites = e.sites
            if len(sites) == 1:
                start, nxt = sites[0].prices_from, sites[0].next_prices_from
            else:
                start = max(s.prices_from for s in sites)
                nxt = min((s.next_prices_from for s in sites if s.next_prices_from), default=None)
            a = e.availability
            akey = None if a is None else (a.starts_within_days, a.free_places, a.updated_at)
            keys.append((start, nxt, akey, a.note if a else None))
        rows_by_format: dict[str, list[str]] = {}
        for lang in self.langs:
            fmt = "en" if lang == "en" else "fi"  # fi and sv write money alike
            rows = rows_by_format.get(fmt)
            if rows is None:
                rows = rows_by_format[fmt] = [self._price_rows(lang, s, e) for s, e in items]
            tables = self._tables_of(lang)
            notes = f["notes"][lang]
            prices = "".join(
                [
                    tables[s.id](body, notes.get(key) or self._notes(lang, key))
                    for (s, _e), body, key in zip(items, rows, keys, strict=True)
                ]
            )
            out[f"{lang}/providers/{spid}.html"] = (
                f["shell"][lang]
                .fill(
                    name,
                    bid,
                    desc,
                    self._details(lang, attrs, list(areas)),
                    self._contact(lang, first),
                    sites_html,
                    prices,
                    self._quality_table(lang, items, same_quality),
                    *hrefs,
                )
                .encode()
            )

    def _details(self, lang: str, attrs: dict[str, list[str]], areas: list[str]) -> str:
        key = (lang, tuple((a, tuple(v)) for a, v in attrs.items()), tuple(areas))
        cache = self._pfrag["details"]
        text = cache.get(key)
        if text is None:
            text = cache[key] = self._details_text(lang, attrs, areas)
        return text

    def _details_text(self, lang: str, attrs: dict[str, list[str]], areas: list[str]) -> str:
        names = self._value_names
        shown = []
        for a in self.tenant.search_attributes:
            ids = attrs.get(a.id)
            if ids:
                shown.append({"name": a.name.get(lang), "text": ", ".join(names.get((lang, a.id, v), v) for v in ids)})
        return str(_F.details(i18n.MESSAGES[lang], shown, ", ".join(areas)))

    def _contact(self, lang: str, e: ComparisonEntry) -> str:
        f = self._pfrag
        m = i18n.MESSAGES[lang]
        item = f["contact_item"]
        items = []
        if e.contact_name:
            items.append(item(m["contact_person"], self.esc(e.contact_name)))
        if e.contact_phone:
            tel = re.sub(r"[^0-9+]", "", e.contact_phone)
            items.append(item(m["phone"], f["phone"](tel, self.esc(e.contact_phone))))
        if e.contact_email:
            items.append(item(m["email"], f["email"](self.esc(e.contact_email))))
        if not items:
            return str(_F.no_contact(m))
        return f["contact"]("".join(items))

    def _price_rows(self, lang: str, service: Service, e: ComparisonEntry) -> str:
        f = self._pfrag
        row, cell = f["row"], f["cell"]
        money = self.words[lang].money
        cids = [c.id for c in service.contents]
        out = []
        for s in e.sites:
            prices = s.prices
            cells = "".join([cell(money(prices[c].cents)) if c in prices else cell("–") for c in cids])
            out.append(row(self.esc(s.name), cells))
        return "".join(out)

    def _tables_of(self, lang: str) -> dict[str, Callable[[str, str], str]]:
        """Per service, its price table (rows and notes to fill) in ``lang``."""
        tables = self._pfrag["tables"].get(lang)
        if tables is None:
            m = i18n.MESSAGES[lang]
            tables = self._pfrag["tables"][lang] = {
                service.id: Fragment(
                    _F.price_table,
                    ("rows", "notes"),
                    m=m,
                    service_id=_safe_id(service.id),
                    service_name=service.name.get(lang),
                    columns=[f"{c.name.get(lang)} (€ / {_unit(lang, c)})" for c in service.contents],
                ).fill
                for service in self.tenant.services
            }
        return tables

    def _notes(self, lang: str, key: tuple) -> str:
        start, nxt, akey, text = key
        f = self._pfrag
        w = self.words[lang]
        note = f["note"]
        notes = note(self._date_text(lang, "prices_from", start))
        if nxt:
            notes += note(self._date_text(lang, "next_prices", nxt))
        notes += note(w.m["availability"] + ": " + w.availability(akey))
        if text:
            notes += note(self.esc(text))
        f["notes"][lang][key] = notes
        return notes

    def _date_text(self, lang: str, key: str, d: date) -> str:
        cache = self._pfrag["dates"]
        text = cache.get((lang, key, d))
        if text is None:
            text = cache[(lang, key, d)] = i18n.MESSAGES[lang][key].format(date=i18n.day(d, lang))
        return text

    @functools.cached_property
    def _value_names(self) -> dict[tuple[str, str, str], str]:
        return {
            (lang, a.id, v.id or v.fi): v.get(lang)
            for lang in self.langs
            for a in self.tenant.search_attributes
            for v in a.values
        }

    def _quality_table(self, lang: str, items: list[tuple[Service, ComparisonEntry]], same: bool) -> str:
        f = self._pfrag
        m = i18n.MESSAGES[lang]
        q0 = items[0][1].quality
        caption = m["quality_caption"].format(since=i18n.day(q0.since, lang), until=i18n.day(q0.until, lang))
        qrow = f["qrow"]
        rows = []
        chosen = [(m["all_services"], items[0][1])] if same else [(s.name.get(lang), e) for s, e in items]
        for label, e in chosen:
            q = e.quality
            if q.answered_share is None:
                share = m["nothing_to_answer"]
            else:
                pct = int(q.answered_share * 100)
                share = f"{pct}%" if lang == "en" else f"{pct}{i18n.NBSP}%"
            rows.append(qrow(self.esc(label), str(q.thanks), str(q.complaints), str(q.reclamations), share))
        return f["qtable"][lang](self.esc(caption), "".join(rows))


# ---------------------------------------------------------------- entry point


def _providers_of(
    tenant: Tenant, entries: dict[str, list[ComparisonEntry]], wanted: Iterable[str] | None
) -> dict[str, list[tuple[Service, ComparisonEntry]]]:
    out: dict[str, list[tuple[Service, ComparisonEntry]]] = {}
    pid_of = operator.attrgetter("provider_id")
    if wanted is None:
        get = out.get
        for service in tenant.services:
            es = entries.get(service.id, ())
            for e, pid in zip(es, map(pid_of, es), strict=True):
                have = get(pid)
                if have is None:
                    out[pid] = [(service, e)]
                else:
                    have.append((service, e))
        return out
    want = set(wanted)
    if not want:
        return out
    for service in tenant.services:
        es = entries.get(service.id, ())
        for i, pid in enumerate(map(pid_of, es)):
            if pid in want:
                out.setdefault(pid, []).append((service, es[i]))
    return out


# A build this big (rows x languages) is split over forked processes when the machine has cores.
PARALLEL_FROM = 60_000


def render_site(inp: SiteInput, only: Changes | None = None, *, workers: int | None = None) -> dict[str, bytes]:
    """Every file of the site (path relative to the site root -> bytes), or with ``only`` just the
    files of those services and providers, the schema and the assets. The front pages and
    ``data/index.json`` count every service's providers, so only a full build makes them (a small
    build is given whole entries only for the services it renders).

    ``workers``: processes to render with (``os.fork``; the result is the same). None: one per core
    (at most 4) for a big build, else 1. Each process renders whole services and whole providers.
    """
    enabled = gc.isenabled()
    gc.disable()  # a build makes millions of short strings and no cycles: collecting them is wasted time
    try:
        return _render(inp, only, workers)
    finally:
        if enabled:
            gc.enable()


def _render(inp: SiteInput, only: Changes | None, workers: int | None) -> dict[str, bytes]:
    build = Build(inp)
    tenant = inp.tenant
    out: dict[str, bytes] = dict(build.asset_files)
    out["data/schema.json"] = schema_bytes()
    if only is None:
        counts = {s.id: len(inp.entries.get(s.id, ())) for s in tenant.services}
        out["data/index.json"] = build.data_index(counts)
        out["index.html"] = build.front(build.default_lang, True, counts)
        for lang in build.langs:
            out[f"{lang}/index.html"] = build.front(lang, False, counts)
    services = tenant.services if only is None else [s for s in tenant.services if s.id in only.services]
    providers = _providers_of(tenant, inp.entries, None if only is None else only.providers)
    # (weight, kind, key): a service costs its sites, a provider its entries' sites (and the page)
    sites_of = operator.attrgetter("sites")
    tasks = [(sum(map(len, map(sites_of, inp.entries.get(s.id, ())))) + 1, "s", s) for s in services]
    tasks += [(sum(len(e.sites) for _s, e in items) + 2, "p", pid) for pid, items in providers.items()]

    def run(part: list) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for _w, kind, key in part:
            if kind == "s":
                build.service(key, list(inp.entries.get(key.id, ())), files)
            else:
                build.provider(key, providers[key], files)
        return files

    total = sum(t[0] for t in tasks) * len(build.langs)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if total >= PARALLEL_FROM else 1
    if workers <= 1 or not hasattr(os, "fork") or len(tasks) < 2:
        out.update(run(tasks))
        return out
    out.update(_in_processes(run, _balance(tasks, workers)))
    return out


def _balance(tasks: list[tuple], n: int) -> list[list[tuple]]:
    """Split weighted tasks into ``n`` parts of about equal weight (largest first, to the lightest).
    Part 0 (this process) takes a little more: a child also has to hand its files over."""
    parts: list[list[tuple]] = [[] for _ in range(n)]
    loads = [0.0] * n
    loads[0] = -0.04 * sum(t[0] for t in tasks) / n
    for task in sorted(tasks, key=lambda t: -t[0]):
        i = loads.index(min(loads))
        parts[i].append(task)
        loads[i] += task[0]
    return [p for p in parts if p]


def _in_processes(run: Callable[[list], dict[str, bytes]], parts: list[list[tuple]]) -> dict[str, bytes]:
    """Run parts 1.. in forked children, part 0 here. A child writes its files' bytes into an
    anonymous file both share (memfd: one copy each way, no pickling of hundreds of MB) and sends
    the index (path, length) through a pipe."""
    children: list[tuple[int, int, int]] = []
    for part in parts[1:]:
        read_fd, write_fd = os.pipe()
        data_fd = _anonymous_file()
        pid = os.fork()
        if pid == 0:  # the child: render, send, and leave without running the parent's cleanup
            os.close(read_fd)
            code = 0
            try:
                files = run(part)
                with os.fdopen(data_fd, "wb", closefd=False) as sink:
                    index: Any = [(path, sink.write(data)) for path, data in files.items()]
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                index, code = RenderFailed(f"{type(exc).__name__}: {exc}"), 1
            try:
                with os.fdopen(write_fd, "wb") as pipe:
                    pickle.dump(index, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            finally:
                os._exit(code)
        os.close(write_fd)
        children.append((pid, read_fd, data_fd))
    out = run(parts[0])
    failure = None
    for pid, read_fd, data_fd in children:
        try:
            with os.fdopen(read_fd, "rb") as pipe:
                index = pickle.load(pipe)  # noqa: S301 - our own child's output
        except EOFError:
            index = RenderFailed("a rendering process ended without a result")
        os.waitpid(pid, 0)
        try:
            if isinstance(index, RenderFailed):
                failure = failure or index
                continue
            size = sum(n for _p, n in index)
            if size == 0:
                out.update((path, b"") for path, _n in index)
                continue
            with mmap.mmap(data_fd, size, prot=mmap.PROT_READ) as mm:
                pos = 0
                for path, n in index:
                    out[path] = mm[pos : pos + n]
                    pos += n
        finally:
            os.close(data_fd)
    if failure is not None:
        raise failure
    return out


def _anonymous_file() -> int:
    if hasattr(os, "memfd_create"):
        return os.memfd_create("seteli-site", 0)
    import tempfile

    return os.dup(tempfile.TemporaryFile().fileno())  # pragma: no cover - not Linux


class RenderFailed(RuntimeError):
    """A rendering process failed (its error, as text)."""
