"""Demo data for `make run`: users (one per group) and providers with sites at real places.

The users are created in the local Cognito pool by the local runtime (local/users.py); the
providers are written through the repositories by ``seed_demo``. Price lists, applications and
entitlements join the demo data with the issues that build them.
"""

from __future__ import annotations

from datetime import UTC, datetime

DEMO_PASSWORD = "Seteli-demo-2026"

# Provider ids of the demo providers (fixed, so that demo users can point at them).
AURINKO = "prv-aurinkohoiva"
KOTIAPU = "prv-kotiapu-virtanen"
KOIVURINNE = "prv-koivurinne"
SIISTI = "prv-siisti-koti"

DEMO_USERS: list[dict] = [
    {"username": "admin@kunta.example", "group": "municipality_admin", "provider_id": None},
    {"username": "kasittelija@kunta.example", "group": "case_worker", "provider_id": None},
    {"username": "paakayttaja@aurinkohoiva.example", "group": "provider_admin", "provider_id": AURINKO},
    {"username": "hoitaja@aurinkohoiva.example", "group": "provider_user", "provider_id": AURINKO},
    {"username": "asiakas@example.fi", "group": "citizen", "provider_id": None},
]
for _u in DEMO_USERS:
    _u["password"] = DEMO_PASSWORD

# name, business id (valid check digit), description, sites: (id, name, street, postal code, city, lat, lon)
PROVIDERS = [
    (
        AURINKO,
        "Aurinkohoiva Oy",
        "2734561-5",
        "Kotihoitoa ja tehostettua palveluasumista Jyväskylässä ja Muuramessa.",
        [
            ("site-kyllo", "Aurinkohoiva Kyllö", "Keskussairaalantie 20", "40620", "Jyväskylä", 62.2287, 25.7215),
            ("site-muurame", "Aurinkohoiva Muurame", "Virastotie 8", "40950", "Muurame", 62.1290, 25.6720),
        ],
    ),
    (
        KOTIAPU,
        "Kotiapu Virtanen Tmi",
        "3018452-5",
        "Pieni kotihoitoyritys: kotihoito, siivous ja asiointiapu Palokassa ja Vaajakoskella.",
        [("site-palokka", "Kotiapu Virtanen", "Palokankaari 5", "40270", "Jyväskylä", 62.2950, 25.7110)],
    ),
    (
        KOIVURINNE,
        "Palvelukoti Koivurinne Oy",
        "2956127-4",
        "Palveluasumista ja tehostettua palveluasumista muistisairaille, 42 asukasta.",
        [
            ("site-vaajakoski", "Koivurinne Vaajakoski", "Koivurinteentie 3", "40800", "Jyväskylä", 62.2460, 25.8870),
            ("site-laukaa", "Koivurinne Laukaa", "Laukaantie 14", "41340", "Laukaa", 62.4150, 25.9520),
        ],
    ),
    (
        SIISTI,
        "Siisti Koti Keski-Suomi Oy",
        "1043829-2",
        "Kotisiivous ja ikkunanpesu, myös ruotsiksi ja englanniksi.",
        [("site-aanekoski", "Siisti Koti Äänekoski", "Hallintokatu 4", "44100", "Äänekoski", 62.6040, 25.7270)],
    ),
]


# contact person, search attributes, IBAN, BIC of each demo provider
DETAILS = {
    AURINKO: (
        "Aino Aurinko",
        {"languages": ["finnish", "swedish"], "specialities": ["memory-disorders"]},
        "FI2112345600000785",
        "NDEAFIHH",
    ),
    KOTIAPU: ("Ville Virtanen", {"languages": ["finnish"]}, "FI5940060010055555", "ITELFIHH"),
    KOIVURINNE: (
        "Kaisa Koivu",
        {"languages": ["finnish"], "specialities": ["memory-disorders", "couples"]},
        "FI4757901420018555",
        "OKOYFIHH",
    ),
    SIISTI: ("Sanna Siisti", {"languages": ["finnish", "swedish", "english"]}, "FI8310123500012345", "NDEAFIHH"),
}


def demo_providers(now: datetime | None = None):
    from seteli.domain.provider import Address, Billing, Provider, ProviderPart

    now = now or datetime(2026, 1, 2, 8, 0, tzinfo=UTC)
    out = []
    for pid, name, bid, description, sites in PROVIDERS:
        first = sites[0]
        contact, attributes, iban, bic = DETAILS[pid]
        domain = pid.removeprefix("prv-")
        provider = Provider(
            id=pid,
            name=name,
            business_id=bid,
            description=description,
            contact_name=contact,
            search_attributes=attributes,
            billing=Billing(iban=iban, bic=bic, billing_email=f"laskutus@{domain}.example", updated_at=now),
            contact_email=f"info@{domain}.example",
            contact_phone="+358 40 123 4567",
            address=Address(street=first[2], postal_code=first[3], city=first[4]),
            created_at=now,
            updated_at=now,
        )
        parts = [
            ProviderPart(
                id=sid,
                provider_id=pid,
                name=sname,
                address=Address(street=street, postal_code=postal, city=city),
                lat=lat,
                lon=lon,
                email=f"{sid}@{domain}.example",
            )
            for sid, sname, street, postal, city, lat, lon in sites
        ]
        out.append((provider, parts))
    return out


def seed_demo(settings) -> int:
    """Write the demo providers (with their obligations check and the demo provider users' records)
    into the stack's table. Idempotent: existing ones are kept. Returns how many providers were new."""
    from local.users import store_demo_user_records
    from seteli.adapters.obligations import FakeRegister
    from seteli.errors import Conflict
    from seteli.store import repositories

    repos = repositories(settings)
    register = FakeRegister()
    created = 0
    for provider, parts in demo_providers():
        if repos.providers.get(provider.id) is not None:
            continue
        try:
            repos.providers.create(provider, parts, obligations=register.check(provider.business_id))
            created += 1
        except Conflict:
            pass
    store_demo_user_records(settings)
    return created
