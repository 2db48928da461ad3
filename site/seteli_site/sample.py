"""Deterministic synthetic comparison data: for tests, benchmarks and a manual look at the site.

``sample_input(tenant, providers=5000, services=20)`` makes providers with realistic Finnish names,
sites spread over Finland's populated south and centre, prices around the contents' voucher values,
random search attribute values of the tenant, availability and quality figures. The same arguments
always give the same data (``seed``). Nothing is a real company; e-mail addresses are ``.example``.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from seteli.clock import HELSINKI
from seteli.domain.comparison import (
    Availability,
    ComparisonEntry,
    ComparisonSite,
    PriceLevel,
    Quality,
)
from seteli.domain.money import Money
from seteli.domain.tenant import Service, Tenant, Text
from seteli.rules.comparison import quality_window

from .model import SiteInput

# (city, lat, lon, postal code prefix, weight ~ population); south and centre of Finland
CITIES: tuple[tuple[str, float, float, str, int], ...] = (
    ("Helsinki", 60.1699, 24.9384, "00", 66),
    ("Espoo", 60.2055, 24.6559, "02", 31),
    ("Tampere", 61.4978, 23.7610, "33", 25),
    ("Vantaa", 60.2934, 25.0378, "01", 24),
    ("Oulu", 65.0121, 25.4651, "90", 21),
    ("Turku", 60.4518, 22.2666, "20", 20),
    ("Jyväskylä", 62.2426, 25.7473, "40", 15),
    ("Kuopio", 62.8924, 27.6770, "70", 12),
    ("Lahti", 60.9827, 25.6612, "15", 12),
    ("Pori", 61.4851, 21.7974, "28", 8),
    ("Kouvola", 60.8679, 26.7042, "45", 8),
    ("Joensuu", 62.6010, 29.7636, "80", 8),
    ("Lappeenranta", 61.0587, 28.1887, "53", 7),
    ("Hämeenlinna", 60.9959, 24.4643, "13", 7),
    ("Vaasa", 63.0951, 21.6165, "65", 7),
    ("Seinäjoki", 62.7903, 22.8403, "60", 6),
    ("Mikkeli", 61.6886, 27.2723, "50", 5),
    ("Kotka", 60.4664, 26.9458, "48", 5),
    ("Porvoo", 60.3932, 25.6650, "06", 5),
    ("Salo", 60.3844, 23.1289, "24", 5),
    ("Hyvinkää", 60.6305, 24.8597, "05", 5),
    ("Järvenpää", 60.4737, 25.0899, "04", 4),
    ("Rauma", 61.1272, 21.5113, "26", 4),
    ("Kajaani", 64.2222, 27.7278, "87", 3),
    ("Savonlinna", 61.8699, 28.8787, "57", 3),
    ("Jämsä", 61.8640, 25.1900, "42", 2),
    ("Äänekoski", 62.6036, 25.7255, "44", 2),
    ("Laukaa", 62.4142, 25.9526, "41", 2),
    ("Muurame", 62.1296, 25.6728, "40", 1),
    ("Keuruu", 62.2590, 24.7058, "42", 1),
)

SURNAMES = (
    "Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen",
    "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi",
    "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo", "Laitinen", "Tuominen", "Rantanen",
    "Karjalainen", "Jokinen", "Mattila", "Savolainen", "Lahtinen", "Ahonen", "Aaltonen", "Lindholm",
    "Björklund", "Ström", "Nyström", "Kallio", "Peltonen", "Leinonen", "Hiltunen", "Kärkkäinen",
)  # fmt: skip
NATURE = (
    "Koivu", "Kuusi", "Mänty", "Pihlaja", "Vaahtera", "Tammi", "Lehmus", "Kataja", "Kielo", "Lumme",
    "Sinivuokko", "Kanerva", "Ruusu", "Apila", "Lähde", "Niitty", "Ranta", "Harju", "Aamu", "Ilta",
    "Satakieli", "Kotiranta", "Päivänsäde", "Onni", "Hyvä Mieli", "Auringonkukka", "Tuulikki", "Sointu",
)  # fmt: skip
FORMS = (
    "{s} Hoiva Oy", "Hoivakoti {n} Oy", "Kotihoito {s} Oy", "{n}koti Oy", "Palvelutalo {n} Oy",
    "{s} & {s2} Kotipalvelut Ay", "{n} Hoivapalvelut Oy", "Kotiapu {s} Tmi", "{n}hoiva Oy",
    "Siivouspalvelu {s} Oy", "{n} Palvelut Oy", "{s}n Kotiapu Oy", "Vanhusten koti {n} ry",
    "Hoitokoti {n}rinne Oy", "{n}kartano Oy", "Asiointiapu {s} Tmi",
)  # fmt: skip
SITE_FORMS = ("{n}koti", "{n}rinne", "{n}kartano", "Palvelukoti {n}", "{n}piha", "{n}talo", "{c}n yksikkö")
STREETS = (
    "Kauppakatu", "Koulukatu", "Kirkkokatu", "Puistokatu", "Asemakatu", "Rantatie", "Myllytie",
    "Koivukuja", "Kuusitie", "Mäntytie", "Sairaalakatu", "Hallituskatu", "Väinönkatu", "Sepänkatu",
    "Tehtaankatu", "Linnankatu", "Harjutie", "Pihlajatie", "Niittykatu", "Lähteentie",
)  # fmt: skip
DESCRIPTIONS = (
    "Olemme pieni, kodinomainen yritys. Hoitajamme ovat pitkään alalla olleita lähihoitajia.",
    "Tarjoamme turvallista ja yksilöllistä hoivaa kodinomaisessa ympäristössä.",
    "Toimimme alueella jo yli 20 vuoden ajan. Meillä on sama tuttu työntekijä joka käynnillä.",
    "Erikoisosaamistamme on muistisairaiden hoito. Kuuntelemme asiakasta ja omaisia.",
    "Ympärivuorokautinen henkilökunta, oma keittiö ja piha-alue. Tervetuloa tutustumaan!",
    "Palvelemme suomeksi ja ruotsiksi. Vi betjänar även på svenska.",
    "Joustavat käyntiajat myös iltaisin ja viikonloppuisin.",
)
STARTS = (0, 0, 0, 3, 7, 7, 14, 14, 30, 60, None, None)


def business_id(n: int) -> str:
    """A Finnish business id (Y-tunnus) with a valid check digit, from a number."""
    for k in range(n, n + 100):
        digits = f"{(2_000_000 + k * 7919) % 10_000_000:07d}"
        rem = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        if rem != 1:
            return f"{digits}-{0 if rem == 0 else 11 - rem}"
    raise AssertionError("unreachable")  # pragma: no cover


def _slug(text: str) -> str:
    table = str.maketrans({"ä": "a", "ö": "o", "å": "a", "&": "-", " ": "-"})
    out = "".join(ch for ch in text.lower().translate(table) if ch.isalnum() or ch == "-")
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


def _copy_service(service: Service, k: int) -> Service:
    def numbered(text: Text) -> Text:
        return Text(fi=f"{text.fi} {k}", sv=text.sv and f"{text.sv} {k}", en=text.en and f"{text.en} {k}")

    return service.model_copy(update={"id": f"{service.id}-{k}", "name": numbered(service.name)})


def sample_tenant(tenant: Tenant, services: int | None) -> Tenant:
    """The tenant with exactly ``services`` services: the first ones, or clones (``home-care-2``)."""
    if services is None or services == len(tenant.services):
        return tenant
    if services < 1:
        raise ValueError("at least one service")
    base = list(tenant.services)
    out = base[:services]
    k = 2
    while len(out) < services:
        for s in base:
            if len(out) == services:
                break
            out.append(_copy_service(s, k))
        k += 1
    return tenant.model_copy(update={"services": out})


def _price(rng: random.Random, reference: Money | None) -> Money:
    if reference is None or reference.cents == 0:
        cents = rng.randrange(2500, 9000, 10)
    else:
        cents = int(reference.cents * rng.uniform(0.92, 1.3))
        cents -= cents % (50 if reference.cents >= 5000 else 10)
    return Money.from_cents(cents)


def _quality(rng: random.Random, today: date) -> Quality:
    since, until = quality_window(today)
    thanks = int(rng.expovariate(1 / 6))
    complaints = int(rng.expovariate(1 / 1.2))
    reclamations = int(rng.expovariate(1 / 0.4))
    needing = reclamations + rng.randint(0, complaints)
    answered = needing - (rng.randint(0, 1) if needing else 0)
    share = None
    if needing:
        from decimal import ROUND_HALF_UP, Decimal

        share = (Decimal(answered) / Decimal(needing)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Quality(
        since=since,
        until=until,
        thanks=thanks,
        complaints=complaints,
        reclamations=reclamations,
        needing_reply=needing,
        answered=answered,
        answered_share=share,
    )


def _availability(rng: random.Random, today: date) -> Availability | None:
    if rng.random() < 0.2:
        return None
    starts = rng.choice(STARTS)
    free = None if starts is None else rng.randint(1, 12)
    if starts is None:
        free = 0
    days_ago = int(rng.expovariate(1 / 12))
    at = datetime.combine(today - timedelta(days=days_ago), time(9, 15), HELSINKI).astimezone(UTC)
    note = rng.choice((None, None, None, "Jonotilanne tarkistettu viikoittain.", "Iltavuoroihin mahtuu."))
    return Availability(starts_within_days=starts, free_places=free, note=note, updated_at=at)


class _Provider:
    __slots__ = ("id", "name", "business_id", "description", "phone", "email", "sites", "attrs", "quality")


def _providers(tenant: Tenant, n: int, sites_per_provider: int, rng: random.Random) -> list[_Provider]:
    weights = [c[4] for c in CITIES]
    out: list[_Provider] = []
    for i in range(n):
        p = _Provider()
        p.id = f"prov-{i + 1:05d}"
        form = rng.choice(FORMS)
        s, s2, nat = rng.choice(SURNAMES), rng.choice(SURNAMES), rng.choice(NATURE)
        p.name = form.format(s=s, s2=s2, n=nat)
        p.business_id = business_id(i + 1)
        p.description = rng.choice(DESCRIPTIONS) if rng.random() < 0.85 else None
        slug = _slug(p.name)[:40]
        p.email = f"info@{slug}.example"
        p.phone = f"+358 {rng.choice((40, 44, 45, 50))} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        home = rng.choices(CITIES, weights=weights)[0]
        p.sites = []
        for j in range(sites_per_provider):
            city = home if j == 0 or rng.random() < 0.6 else rng.choices(CITIES, weights=weights)[0]
            name, lat, lon, postal, _w = city
            site_name = rng.choice(SITE_FORMS).format(n=rng.choice(NATURE), c=name)
            p.sites.append(
                {
                    "id": f"site-{i + 1:05d}-{j + 1}",
                    "name": site_name,
                    "street": f"{rng.choice(STREETS)} {rng.randint(1, 60)}",
                    "postal_code": f"{postal}{rng.randint(100, 990):03d}",
                    "city": name,
                    "lat": round(lat + rng.gauss(0, 0.045), 5) if rng.random() > 0.01 else None,
                    "lon": round(lon + rng.gauss(0, 0.08), 5),
                    "phone": p.phone,
                }
            )
        attrs: dict[str, list[str]] = {}
        for attr in tenant.search_attributes:
            ids = [v.id or v.fi for v in attr.values]
            if not ids:
                continue
            if attr.id == "languages":
                chosen = [ids[0]] + [v for v in ids[1:] if rng.random() < 0.3]
            else:
                chosen = [v for v in ids if rng.random() < 0.35]
            if chosen:
                attrs[attr.id] = chosen
        p.attrs = attrs
        p.quality = None
        out.append(p)
    return out


def sample_input(
    tenant: Tenant,
    *,
    providers: int,
    services: int | None = None,
    sites_per_provider: int = 1,
    seed: int = 1,
    today: date | None = None,
    services_per_provider: tuple[int, int] | None = None,
) -> SiteInput:
    """A deterministic synthetic site input for ``tenant``.

    Every provider is in every service unless ``services_per_provider=(lo, hi)``: then each is in
    ``lo..hi`` random services (a realistic mix). ``services`` above the tenant's count clones its
    services with new ids (``home-care-2``); below it takes the first ones.
    """
    today = today or date(2026, 11, 3)
    tenant = sample_tenant(tenant, services)
    rng = random.Random(seed)
    people = _providers(tenant, providers, max(1, sites_per_provider), rng)
    updated = datetime.combine(today, time(6, 0), HELSINKI).astimezone(UTC)
    prices_from = date(today.year, 1, 1)
    entries: dict[str, list[ComparisonEntry]] = {s.id: [] for s in tenant.services}
    service_ids = [s.id for s in tenant.services]
    member: dict[str, set[str]] = {}
    for p in people:
        prng = random.Random(f"{seed}:{p.id}")
        p.quality = _quality(prng, today)  # feedback is about the provider: the same in each service
        if services_per_provider:
            lo, hi = services_per_provider
            member[p.id] = set(prng.sample(service_ids, min(len(service_ids), prng.randint(lo, hi))))
    # Service by service, as the publisher reads them (one COMPARE#<service> partition after another).
    for service in tenant.services:
        wanted = set(service.search_attributes)
        out = entries[service.id]
        for p in people:
            if services_per_provider and service.id not in member[p.id]:
                continue
            prng = random.Random(f"{seed}:{p.id}:{service.id}")
            sites = []
            for s in p.sites:
                prices = {c.id: _price(prng, c.municipality_value()) for c in service.contents}
                own = prng.random() < 0.15
                sites.append(
                    ComparisonSite(
                        **s,
                        prices=prices,
                        price_level=PriceLevel.site if own else PriceLevel.company,
                        prices_from=prices_from,
                        next_prices_from=date(today.year + 1, 1, 1) if prng.random() < 0.1 else None,
                    )
                )
            out.append(
                ComparisonEntry(
                    service_id=service.id,
                    provider_id=p.id,
                    name=p.name,
                    business_id=p.business_id,
                    description=p.description,
                    contact_name=None,
                    contact_email=p.email,
                    contact_phone=p.phone,
                    search_attributes={a: v for a, v in p.attrs.items() if a in wanted},
                    areas=list(dict.fromkeys(s["city"] for s in p.sites)),
                    availability=_availability(prng, today),
                    quality=p.quality,
                    sites=sites,
                    updated_at=updated,
                )
            )
    generated = datetime.combine(today, time(6, 5), HELSINKI).astimezone(UTC)
    return SiteInput(tenant=tenant, entries=entries, generated_at=generated, today=today)
