"""Demo data for `make run`: users (one per group), providers with sites at real places, their
attachments, applications and price lists.

The users are created in the local Cognito pool by the local runtime (local/users.py); everything
else is written through the repositories by ``seed_demo``, with fixed dates in 2026 so that the demo
looks the same every time:

- every demo provider has its mandatory attachments (small PDFs in the attachments bucket, ready);
  Koivurinne's liability insurance runs out on 31.12.2026;
- approved (active, price lists approved with the application by the demo case worker):
  Aurinkohoiva for assisted-living and home-care, Koivurinne for assisted-living and service-housing,
  Siisti Koti for cleaning and errand-help;
- Aurinkohoiva's home-care prices change on 1.7.2026 (a newer list it published in May 2026), and
  Koivurinne's Laukaa site has its own assisted-living list (cheaper than the company's);
- one application waits for the municipality's review: Kotiapu Virtanen for cleaning, submitted
  16.11.2026, complete, with its draft price list from 1.1.2027.

Entitlements and events join the demo data with the issues that build them.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

log = logging.getLogger("local")

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
    """Write the demo providers (with their obligations check and the demo provider users' records),
    their attachments, applications and price lists into the stack's table. Idempotent: what exists
    is kept. Returns how many providers were new."""
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
    try:
        seed_reviews(settings)
    except Exception:  # noqa: BLE001 - the stack still starts; the log says what is missing
        log.exception("demo attachments, applications and price lists were not (all) written")
    try:
        seed_entitlements(settings)
    except Exception:  # noqa: BLE001 - as above
        log.exception("demo customers and entitlements were not (all) written")
    try:
        seed_events(settings)
    except Exception:  # noqa: BLE001 - as above
        log.exception("demo events were not (all) written")
    try:
        seed_comparison(settings)
    except Exception:  # noqa: BLE001 - as above
        log.exception("demo availability and the site-only companies were not (all) written")
    return created


# ---------------------------------------------------------------- attachments, applications, price lists

SLUG = {AURINKO: "aurinko", KOTIAPU: "kotiapu", KOIVURINNE: "koivurinne", SIISTI: "siisti"}
CASE_WORKER = "kasittelija@kunta.example"
PROVIDER_ADMINS = {AURINKO: "paakayttaja@aurinkohoiva.example"}  # the others have no demo sign-in
COMPANY_TYPES = (
    "trade-register-extract",
    "tax-debt-certificate",
    "pension-insurance-certificate",
    "liability-insurance",
)
UPLOADED = datetime(2026, 1, 2, 10, 0, tzinfo=UTC)
VALID_FROM = date(2026, 1, 2)
VALID_UNTIL = date(2027, 12, 31)
# (provider, type) -> valid_until other than VALID_UNTIL; None: until further notice
VALIDITY = {
    **{(pid, "trade-register-extract"): None for pid in SLUG},
    (KOIVURINNE, "liability-insurance"): date(2026, 12, 31),  # runs out soon: renewal due
}
SITE_ATTACHMENTS = {AURINKO: ["site-kyllo", "site-muurame"], KOIVURINNE: ["site-vaajakoski", "site-laukaa"]}


def _t(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# id, provider, service, sites, operating areas, created, submitted, approved (None: waits for review)
APPLICATIONS = [
    (
        "app-aurinko-assisted-living",
        AURINKO,
        "assisted-living",
        ["site-kyllo", "site-muurame"],
        ["Jyväskylä", "Muurame"],
        _t(1, 5),
        _t(1, 7, 10),
        _t(1, 12, 13),
    ),
    (
        "app-aurinko-home-care",
        AURINKO,
        "home-care",
        ["site-kyllo", "site-muurame"],
        ["Jyväskylä", "Muurame"],
        _t(1, 5, 9, 30),
        _t(1, 7, 10, 15),
        _t(1, 12, 13, 30),
    ),
    (
        "app-koivurinne-assisted-living",
        KOIVURINNE,
        "assisted-living",
        ["site-vaajakoski", "site-laukaa"],
        ["Jyväskylä", "Laukaa"],
        _t(1, 6),
        _t(1, 8, 11),
        _t(1, 13, 10),
    ),
    (
        "app-koivurinne-service-housing",
        KOIVURINNE,
        "service-housing",
        ["site-vaajakoski"],
        ["Jyväskylä"],
        _t(1, 6, 9, 20),
        _t(1, 8, 11, 10),
        _t(1, 13, 10, 20),
    ),
    (
        "app-siisti-cleaning",
        SIISTI,
        "cleaning",
        ["site-aanekoski"],
        ["Äänekoski", "Jyväskylä"],
        _t(1, 7),
        _t(1, 9, 14),
        _t(1, 14, 9),
    ),
    (
        "app-siisti-errand-help",
        SIISTI,
        "errand-help",
        ["site-aanekoski"],
        ["Äänekoski"],
        _t(1, 7, 9, 15),
        _t(1, 9, 14, 10),
        _t(1, 14, 9, 10),
    ),
    (
        "app-kotiapu-cleaning",
        KOTIAPU,
        "cleaning",
        ["site-palokka"],
        ["Jyväskylä"],
        _t(11, 2, 8),
        _t(11, 16, 10, 15),
        None,
    ),
]
WAITING_APPLICATION = "app-kotiapu-cleaning"

# id, provider, service, part (None: company level), name, starts on, prices, published at
# (None: approved with the application, or still a draft when the application waits for review)
PRICE_LISTS = [
    (
        "pl-aurinko-assisted-living-2026",
        AURINKO,
        "assisted-living",
        None,
        "Tehostettu palveluasuminen 2026",
        date(2026, 1, 1),
        {"care-day": "99.00"},
        None,
    ),
    (
        "pl-aurinko-home-care-2026",
        AURINKO,
        "home-care",
        None,
        "Kotihoito 2026",
        date(2026, 1, 1),
        {"home-care-weekday": "34.00", "home-care-evening": "38.00"},
        None,
    ),
    (
        "pl-aurinko-home-care-2026-07",
        AURINKO,
        "home-care",
        None,
        "Kotihoito 7/2026",
        date(2026, 7, 1),
        {"home-care-weekday": "35.50", "home-care-evening": "39.50"},
        _t(5, 15, 12),
    ),
    (
        "pl-koivurinne-assisted-living-2026",
        KOIVURINNE,
        "assisted-living",
        None,
        "Tehostettu palveluasuminen 2026",
        date(2026, 1, 1),
        {"care-day": "97.00"},
        None,
    ),
    (
        "pl-koivurinne-laukaa-assisted-living-2026",
        KOIVURINNE,
        "assisted-living",
        "site-laukaa",
        "Koivurinne Laukaa 2026",
        date(2026, 1, 1),
        {"care-day": "94.50"},
        None,
    ),
    (
        "pl-koivurinne-service-housing-2026",
        KOIVURINNE,
        "service-housing",
        None,
        "Palveluasuminen 2026",
        date(2026, 1, 1),
        {"housing-day": "62.00"},
        None,
    ),
    (
        "pl-siisti-cleaning-2026",
        SIISTI,
        "cleaning",
        None,
        "Siivous 2026",
        date(2026, 1, 1),
        {"cleaning": "27.50"},
        None,
    ),
    (
        "pl-siisti-errand-help-2026",
        SIISTI,
        "errand-help",
        None,
        "Asiointiapu 2026",
        date(2026, 1, 1),
        {"errand-help": "24.00"},
        None,
    ),
    (
        "pl-kotiapu-cleaning-2027",
        KOTIAPU,
        "cleaning",
        None,
        "Siivous 2027",
        date(2027, 1, 1),
        {"cleaning": "26.00"},
        None,
    ),
]


def demo_pdf(title: str) -> bytes:
    """A small valid one-page PDF showing ``title`` (what the demo attachments hold)."""
    text = title.encode("latin-1", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 18 Tf 72 770 Td (" + text + b") Tj 0 -28 Td /F1 11 Tf (Seteli demo) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _subject(settings, email: str, fallback: str) -> str:
    """The Cognito ``sub`` of a demo user when the pool has it (``make run``), else ``fallback``."""
    if not settings.user_pool_id:
        return fallback
    try:
        import boto3

        idp = boto3.client("cognito-idp", region_name=settings.region)
        res = idp.admin_get_user(UserPoolId=settings.user_pool_id, Username=email)
        return next(a["Value"] for a in res["UserAttributes"] if a["Name"] == "sub")
    except Exception:  # noqa: BLE001 - tests seed the providers without the demo users
        return fallback


class _Demo:
    """What the seeding needs: the repositories, the tenant, the bucket and who acts."""

    def __init__(self, settings) -> None:
        from seteli.domain.applications import Actor
        from seteli.services.tenant_config import current_tenant
        from seteli.store import repositories

        self.settings = settings
        self.repos = repositories(settings)
        self.tenant = current_tenant(self.repos.tenant)
        self._files = None
        self.case_worker = Actor(
            subject=_subject(settings, CASE_WORKER, "demo-case-worker"),
            name="Kaisa Käsittelijä",
            email=CASE_WORKER,
            role="case_worker",
        )
        self.admins: dict[str, Actor] = {}
        users = {u.subject: u for pid in PROVIDER_ADMINS for u in self.repos.users.list(pid)}
        for pid, slug in SLUG.items():
            provider = self.repos.providers.get(pid)
            email = PROVIDER_ADMINS.get(pid) or (provider.contact_email if provider else f"info@{slug}.example")
            sub = _subject(settings, email, f"demo-{slug}-admin") if pid in PROVIDER_ADMINS else f"demo-{slug}-admin"
            name = users[sub].name if sub in users else (provider.contact_name if provider else None)
            self.admins[pid] = Actor(subject=sub, name=name, email=email, role="provider_admin")

    @property
    def files(self):
        if self._files is None:
            from seteli.adapters.files import S3Files

            s = self.settings
            self._files = S3Files(s.attachments_bucket, s.region, s.files_endpoint_url)
        return self._files


def _attachments(demo: _Demo, provider_id: str) -> int:
    """The provider's mandatory attachments as ready ones with their files in the bucket."""
    from seteli.domain.attachments import Attachment, AttachmentStatus
    from seteli.errors import Conflict
    from seteli.rules.attachments import sniff_type

    repos = demo.repos
    names = {t.id: t.name.fi for t in demo.tenant.attachment_types}
    parts = {p.id: p for p in repos.providers.parts(provider_id)}
    slug = SLUG[provider_id]
    wanted = [(t, None) for t in COMPANY_TYPES] + [
        ("self-monitoring-plan", s) for s in SITE_ATTACHMENTS.get(provider_id, []) if s in parts
    ]
    written = 0
    for type_id, part_id in wanted:
        att_id = f"att-{slug}-{type_id}" + (f"-{part_id.removeprefix('site-')}" if part_id else "")
        if type_id not in names or repos.attachments.get(provider_id, att_id) is not None:
            continue
        name = names[type_id] + (f" – {parts[part_id].name}" if part_id else "")
        body = demo_pdf(name)
        key = f"attachments/{provider_id}/{att_id}/1"  # as seteli.services.attachments names them
        demo.files.s3.put_object(Bucket=demo.files.bucket, Key=key, Body=body, ContentType="application/pdf")
        by = demo.admins[provider_id].subject
        att = Attachment(
            id=att_id,
            provider_id=provider_id,
            type_id=type_id,
            name=name,
            part_id=part_id,
            valid_from=VALID_FROM,
            valid_until=VALIDITY.get((provider_id, type_id), VALID_UNTIL),
            status=AttachmentStatus.ready,
            filename=f"{slug}-{type_id}{'-' + part_id if part_id else ''}.pdf",
            content_type="application/pdf",
            sniffed_type=sniff_type(body[:16]),
            size=len(body),
            object_key=key,
            object_n=1,
            created_by=by,
            created_at=UPLOADED,
            uploaded_by=by,
            uploaded_at=UPLOADED,
            updated_at=UPLOADED,
        )
        try:
            repos.attachments.create(att)
            written += 1
        except Conflict:
            pass
    return written


def _draft_lists(demo: _Demo, provider_id: str, service_id: str, at: datetime) -> None:
    """The service's price lists that go with the application (drafts until it is approved)."""
    from seteli.domain.money import Money
    from seteli.domain.price_lists import StoredPriceList
    from seteli.errors import Conflict
    from seteli.rules.price_lists import PriceLevel

    by = demo.admins[provider_id].subject
    for pl_id, pid, sid, part_id, name, starts_on, prices, published in PRICE_LISTS:
        if (pid, sid) != (provider_id, service_id) or published is not None:
            continue
        if demo.repos.price_lists.get(pid, pl_id) is not None:
            continue
        pl = StoredPriceList(
            id=pl_id,
            provider_id=pid,
            service_id=sid,
            level=PriceLevel.part if part_id else PriceLevel.company,
            part_id=part_id,
            name=name,
            starts_on=starts_on,
            prices={k: Money(v) for k, v in prices.items()},
            created_at=at,
            created_by=by,
            updated_at=at,
            updated_by=by,
        )
        try:
            demo.repos.price_lists.create(pl)
        except Conflict:
            pass


def _application(demo: _Demo, spec: tuple) -> str | None:
    """Create, fill in, accept the rulebook, submit and (when ``approved``) approve, each step as the
    API's use case does it (seteli.services.applications), at the demo's fixed times."""
    from seteli.domain.applications import Application, ApplicationStatus, Round, RulebookAcceptance, Transition
    from seteli.domain.provider import ProviderStatus
    from seteli.rules import applications as rules
    from seteli.services.applications import price_list_approval_items, rulebook_state

    S = ApplicationStatus
    app_id, pid, service_id, sites, areas, created, submitted, approved = spec
    repos = demo.repos
    service = demo.tenant.service(service_id)
    if service is None or repos.providers.get(pid) is None:
        return None
    if repos.applications.guard(pid, service_id) or repos.applications.get(app_id) is not None:
        return None
    admin = demo.admins[pid]
    parts = {p.id for p in repos.providers.parts(pid)}
    app = Application(
        id=app_id,
        provider_id=pid,
        service_id=service_id,
        created_by=admin,
        created_at=created,
        updated_at=created,
        transitions=1,
    )
    app = repos.applications.create(app, Transition(application_id=app_id, seq=1, to=S.draft, by=admin, at=created))
    _draft_lists(demo, pid, service_id, created + timedelta(minutes=20))

    # the steps, and the rulebook in its current version
    state = rulebook_state(demo.tenant, service)
    accepted = created + timedelta(minutes=40)
    acceptance = RulebookAcceptance(
        rulebook_id=state.rulebook_id,
        version=state.current_version,
        general_rulebook_id=state.general_rulebook_id,
        general_version=state.general_current_version,
        accepted_by=admin,
        accepted_at=accepted,
    )
    app = repos.applications.change(
        app.model_copy(
            update={
                "site_ids": [s for s in sites if s in parts],
                "operating_areas": areas,
                "rulebook": acceptance,
                "updated_at": accepted,
            }
        )
    )

    # signed and submitted by the provider's admin
    intake = rules.round_for(service.applications, submitted.date())
    r = intake.round
    t = Transition(application_id=app_id, seq=2, **{"from": S.draft, "to": S.submitted}, by=admin, at=submitted)
    app = repos.applications.change(
        app.model_copy(
            update={
                "status": S.submitted,
                "signed_by": admin,
                "signed_at": submitted,
                "submitted_at": submitted,
                "round": Round(opens=r.opens, closes=r.closes, decisions_by=r.decisions_by) if r else None,
                "decision_due": intake.decision_due,
                "updated_at": submitted,
                "transitions": 2,
            }
        ),
        t,
    )
    if approved is None:
        return app_id

    # approved by the demo case worker: the drafts approved and the provider active, in one transaction
    cw = demo.case_worker
    extra = price_list_approval_items(repos, pid, service_id, at=approved, by=cw.subject)
    provider = repos.providers.get(pid)
    if provider is not None and provider.status == ProviderStatus.registered:
        active = provider.model_copy(update={"status": ProviderStatus.active, "updated_at": approved})
        extra.append((repos.providers.item_for(active), False))
    t = Transition(application_id=app_id, seq=3, **{"from": S.submitted, "to": S.approved}, by=cw, at=approved)
    repos.applications.change(
        app.model_copy(
            update={
                "status": S.approved,
                "decided_by": cw,
                "decided_at": approved,
                "updated_at": approved,
                "transitions": 3,
            }
        ),
        t,
        extra=extra,
    )
    return app_id


def _published(demo: _Demo) -> None:
    """The newer lists a provider published itself (as seteli.services.price_lists.publish does)."""
    from seteli.domain.money import Money
    from seteli.domain.price_lists import StoredPriceList
    from seteli.rules import price_lists as rules
    from seteli.rules.price_lists import PriceLevel, PriceListStatus
    from seteli.store import price_lists as store
    from seteli.store.base import transact

    repos = demo.repos
    for pl_id, pid, sid, part_id, name, starts_on, prices, published in PRICE_LISTS:
        if published is None or repos.price_lists.get(pid, pl_id) is not None:
            continue
        by = demo.admins[pid].subject
        pl = StoredPriceList(
            id=pl_id,
            provider_id=pid,
            service_id=sid,
            level=PriceLevel.part if part_id else PriceLevel.company,
            part_id=part_id,
            name=name,
            starts_on=starts_on,
            prices={k: Money(v) for k, v in prices.items()},
            created_at=published,
            created_by=by,
            updated_at=published,
            updated_by=by,
        )
        existing = [x.rule() for x in repos.price_lists.for_service(pid, sid)]
        service = demo.tenant.service(sid)
        rulebook = demo.tenant.rulebook(service.rulebook) if service is not None else None
        window = rulebook.price_change_window if rulebook is not None else None
        problems = rules.publish_problems(pl.rule(), published.date(), window, existing)
        if problems:
            log.warning("demo price list %s not published: %s", pl_id, "; ".join(m for _, m in problems))
            continue
        pl = repos.price_lists.create(pl)
        done = pl.model_copy(update={"status": PriceListStatus.approved, "approved_at": published, "approved_by": by})
        transact(
            [(store.item(done, version=pl.version), False), (store.guard_item(done), True)],
            f"demo price list {pl_id} changed meanwhile",
        )


def seed_reviews(settings) -> dict[str, int]:
    """The demo providers' attachments, applications (six approved, one waiting for review) and
    price lists. Idempotent: what exists is kept. Returns counts of what was written."""
    demo = _Demo(settings)
    counts = {"attachments": 0, "applications": 0}
    for pid in SLUG:
        if demo.repos.providers.get(pid) is not None:
            counts["attachments"] += _attachments(demo, pid)
    for spec in APPLICATIONS:
        if _application(demo, spec):
            counts["applications"] += 1
    _published(demo)
    return counts


# ---------------------------------------------------------------- customers and entitlements

CITIZEN = "asiakas@example.fi"
# Fictitious people with valid-looking identity codes (check characters computed, not real persons).
# id, personal ID, first names, last name, address, postal code, city
CUSTOMERS = [
    ("cus-aino-lehtonen", "120345-312U", "Aino", "Lehtonen", "Kauppakatu 12 A 3", "40100", "Jyväskylä"),
    ("cus-eino-makinen", "050738-224W", "Eino", "Mäkinen", "Laukaantie 2", "41340", "Laukaa"),
    ("cus-helmi-virtanen", "231142-4867", "Helmi", "Virtanen", "Palokankaari 9", "40270", "Jyväskylä"),
    ("cus-toivo-nieminen", "300952-578N", "Toivo", "Nieminen", "Kyllöntie 4 B 12", "40620", "Jyväskylä"),
]
# Codes are random in real grants; the demo's are fixed so that the README can use them.
ENTITLEMENTS = [
    # decision number, kind, customer, service, rows or balance, valid from, valid until, reservation
    (
        "JKL-2026-0101",
        "voucher",
        "cus-aino-lehtonen",
        "home-care",
        [("home-care-weekday", "10", "week", "32.00"), ("home-care-evening", "4", "month", "36.00")],
        date(2026, 2, 1),
        date(2027, 1, 31),
        (AURINKO, "site-kyllo", "home-care-weekday"),
    ),
    (
        "JKL-2026-0102",
        "order",
        "cus-eino-makinen",
        "assisted-living",
        [("care-day", "31", "month", "95.00")],
        date(2026, 3, 1),
        None,
        (KOIVURINNE, "site-laukaa", "care-day"),
    ),
    (
        "JKL-2026-0103",
        "balance_voucher",
        "cus-helmi-virtanen",
        "errand-help",
        {
            "total_euros": "250.00",
            "recurrence": "month",
            "contents": [{"content_id": "errand-help", "subsidy": "20.00"}],
        },
        date(2026, 4, 1),
        date(2026, 12, 31),
        (SIISTI, None, "errand-help"),
    ),
    (
        "JKL-2026-0104",
        "voucher",
        "cus-toivo-nieminen",
        "home-care",
        [("home-care-weekday", "20", "validity", "32.00")],
        date(2026, 11, 1),
        date(2027, 4, 30),
        None,
    ),
]
DEMO_CODES = {  # decision number -> (verification code for providers, citizen code on the letter)
    "JKL-2026-0101": ("KT7HQ4MRXA", "AINO2026KT"),
    "JKL-2026-0102": ("EM95LAUKRA", "EINO2026LK"),
    "JKL-2026-0103": ("HV250ASTRA", "HELMI26AST"),
    "JKL-2026-0104": ("TN20HOMEKV", "TOIVO26HCV"),
}


def seed_entitlements(settings) -> int:
    """Demo customers, their entitlements (a reserved voucher, a municipality's order, a balance
    voucher, a voucher waiting for a provider) and the demo citizen's link. Idempotent."""
    from seteli.domain.entitlements import (
        Balance,
        Customer,
        Entitlement,
        EntitlementRow,
        ProviderCustomer,
        Reservation,
    )
    from seteli.rules.customers import personal_id_hash, personal_id_secret
    from seteli.store import repositories
    from seteli.store.entitlements import reservation_item

    repos = repositories(settings)
    secret = personal_id_secret(settings)
    at = _t(1, 20)
    made = 0
    names = {}
    for cid, pid_code, first, last, street, postal, city in CUSTOMERS:
        names[cid] = f"{last} {first}".casefold()
        if repos.customers.get(cid) is not None:
            continue
        repos.customers.create(
            Customer(
                id=cid,
                personal_id=pid_code,
                personal_id_hash=personal_id_hash(pid_code, secret),
                first_names=first,
                last_name=last,
                home_municipality="Jyväskylä",
                address=street,
                postal_code=postal,
                city=city,
                created_at=at,
                created_by="demo",
                updated_at=at,
            )
        )
    for number, kind, cid, service, spec, start, end, reservation in ENTITLEMENTS:
        if repos.entitlements.get(number) is not None:
            continue
        verification, citizen = DEMO_CODES[number]
        rows, balance = [], None
        if isinstance(spec, dict):
            balance = Balance.model_validate(spec)
        else:
            rows = [EntitlementRow(content_id=c, amount=a, period=p, unit_value=v) for c, a, p, v in spec]
        named = reservation if kind == "order" else (None, None, None)
        ent = Entitlement(
            decision_number=number,
            kind=kind,
            customer_id=cid,
            service_id=service,
            decision_date=start - timedelta(days=14),
            valid_from=start,
            valid_until=end,
            home_municipality="Jyväskylä",
            rows=rows,
            balance=balance,
            verification_code=verification,
            citizen_code=citizen,
            named_provider_id=named[0],
            named_part_id=named[1],
            created_at=at,
            created_by="demo-case-worker",
            updated_at=at,
        )
        extra = []
        if reservation:
            provider_id, part_id, content_id = reservation
            res = Reservation(
                decision_number=number,
                provider_id=provider_id,
                part_id=part_id,
                content_id=content_id,
                customer_id=cid,
                by_municipality=kind == "order",
                reserved_at=at,
                reserved_by="demo-case-worker" if kind == "order" else f"demo-{SLUG[provider_id]}-admin",
            )
            relation = repos.provider_customers.get(provider_id, cid) or ProviderCustomer(
                provider_id=provider_id, customer_id=cid, name_key=names[cid], updated_at=at
            )
            relation = relation.model_copy(update={"has_open_reservation": True, "reserved_until": end})
            extra = [(reservation_item(res), True), repos.provider_customers.item_for(relation)]
            ent = ent.model_copy(update={"reserved_by": [provider_id]})
        repos.entitlements.create(ent, extra=extra)
        made += 1
    sub = _subject(settings, CITIZEN, "")
    if sub and repos.citizens.customer_of(sub) is None:
        repos.citizens.link(sub, "cus-aino-lehtonen")
    return made


# ---------------------------------------------------------------- service events


def _demo_months(today: date) -> tuple[date, date]:
    """The first days of last month and of this month."""
    this = today.replace(day=1)
    return (this - timedelta(days=1)).replace(day=1), this


def demo_event_rows(today: date) -> list[tuple]:
    """Events relative to ``today`` (they must lie in the recording window whenever `make run` runs):
    (provider, kind, decision number, fields). Last month: Aino's home-care visits (the Friday visit
    of one week goes over 10 h and waits for the municipality's approval), Eino's care days with a
    hospital stay in the middle (the return day paid once), Helmi's errands; this month: Eino's care
    days so far as an unconfirmed draft (what the automatic job makes)."""
    last, this = _demo_months(today)
    end_last = this - timedelta(days=1)
    monday = last + timedelta(days=(7 - last.weekday()) % 7)  # the first Monday of last month
    rows: list[tuple] = []
    visits = [
        (0, "08:30", "10:45"),
        (1, "08:30", "10:30"),
        (2, "09:00", "11:15"),
        (3, "08:30", "10:30"),
        (4, "09:00", "11:00"),
    ]
    for offset, start, end in visits:
        day = monday + timedelta(days=offset)
        rows.append(
            (AURINKO, "event", "JKL-2026-0101", {"first_day": day, "start_time": start, "end_time": end, "km": "8.4"})
        )
    tuesday = monday + timedelta(days=8)
    rows.append((AURINKO, "event", "JKL-2026-0101", {"first_day": tuesday, "start_time": "10:00", "end_time": "11:30"}))
    rows.append((KOIVURINNE, "event", "JKL-2026-0102", {"first_day": last, "last_day": last + timedelta(days=5)}))
    rows.append(
        (
            KOIVURINNE,
            "interruption",
            "JKL-2026-0102",
            {"departure_day": last + timedelta(days=6), "return_day": last + timedelta(days=13)},
        )
    )
    rows.append((KOIVURINNE, "event", "JKL-2026-0102", {"first_day": last + timedelta(days=13), "last_day": end_last}))
    if today.day > 1:
        rows.append((KOIVURINNE, "draft", "JKL-2026-0102", {"first_day": this, "last_day": today - timedelta(days=1)}))
    rows.append(
        (
            SIISTI,
            "event",
            "JKL-2026-0103",
            {"first_day": last + timedelta(days=2), "start_time": "10:00", "end_time": "12:30"},
        )
    )
    rows.append(
        (
            SIISTI,
            "event",
            "JKL-2026-0103",
            {"first_day": last + timedelta(days=9), "start_time": "13:00", "end_time": "14:30"},
        )
    )
    return rows


def seed_events(settings) -> int:
    """Demo events and an interruption, recorded through the same use cases as the API (so they are
    priced and checked the same way). Idempotent: each row has a fixed ``source_ref``; the
    interruption is made only when the customer has none. Rows that no longer fit (an entitlement
    that ended) are skipped."""
    from decimal import Decimal

    from seteli import clock
    from seteli.api.auth import Principal
    from seteli.errors import SeteliError
    from seteli.services import events as events_svc
    from seteli.services import interruptions as interruptions_svc
    from seteli.store import repositories

    repos = repositories(settings)
    made = 0
    rows = demo_event_rows(clock.today())
    for n, (pid, kind, number, f) in enumerate(rows):
        who = Principal(
            subject=f"demo-{SLUG[pid]}-admin",
            username=f"demo-{SLUG[pid]}-admin",
            email=PROVIDER_ADMINS.get(pid, f"hoitaja@{SLUG[pid]}.example"),
            groups=frozenset({"provider_admin"}),
            provider_id=pid,
        )
        try:
            if kind == "interruption":
                if repos.events.interruptions_of(number):
                    continue
                x = interruptions_svc.InterruptionInput(
                    decision_number=number,
                    reason="hospital",
                    departure_day=f["departure_day"],
                    return_day=f["return_day"],
                    notes="Sairaalajakso (demo)",
                    draft=False,
                )
                interruptions_svc.start(repos, who, x)
                made += 1
                continue
            x = events_svc.EventInput(
                decision_number=number,
                first_day=f["first_day"],
                last_day=f.get("last_day"),
                start_time=time.fromisoformat(f["start_time"]) if "start_time" in f else None,
                end_time=time.fromisoformat(f["end_time"]) if "end_time" in f else None,
                travel_km=Decimal(f["km"]) if "km" in f else None,
                draft=kind == "draft",
                source_ref=f"demo-{n}-{f['first_day'].isoformat()}",
            )
            if events_svc.record(repos, who, x).created:
                made += 1
        except SeteliError as exc:
            log.warning("demo row %s (%s %s) skipped: %s", n, kind, number, exc.detail)
    return made


# ---------------------------------------------------------------- the comparison site (issue 7)

# Availability of the demo providers: (provider, service, starts within days, free places, note)
AVAILABILITY = [
    (AURINKO, "assisted-living", 14, 2, "Muistisairaiden ryhmäkodissa vapautuu paikka joulukuussa."),
    (AURINKO, "home-care", 0, None, None),
    (KOTIAPU, "home-care", 3, None, "Arki-illat ja viikonloput."),
    (KOIVURINNE, "assisted-living", None, 0, "Jonotusaika noin 2 kuukautta."),
    (SIISTI, "cleaning", 7, None, None),
]
# More home-care and cleaning companies around Central Finland, only for the comparison site (no
# users, no customers): name, city, street, postal code, lat, lon, languages, specialities, weekday
# price, evening price, cleaning price (None: not a cleaning provider)
SITE_DEMO = [
    ("Hoivapolku Oy", "Jyväskylä", "Kauppakatu 20", "40100", 62.2415, 25.7482, ["finnish"], [], "36.50", "41.00", None),
    ("Kotona Parempi Oy", "Jyväskylä", "Keskussairaalantie 4", "40620", 62.2290, 25.7120, ["finnish", "english"],
     ["memory-disorders"], "37.90", "43.50", "31.00"),
    ("Arjen Apu Kinnunen", "Muurame", "Muuramentie 7", "40950", 62.1310, 25.6660, ["finnish"], [], "33.80", "39.00",
     "29.50"),
    ("Seniorihoiva Lehto", "Laukaa", "Laukaantie 30", "41340", 62.4140, 25.9450, ["finnish", "swedish"],
     ["palliative-care"], "39.40", "45.00", None),
    ("Vanhustenpalvelu Aalto", "Jyväskylä", "Palokankaari 12", "40270", 62.2930, 25.7070, ["finnish"],
     ["memory-disorders", "couples"], "35.20", "40.80", None),
    ("Hyvä Arki Oy", "Äänekoski", "Hallintokatu 10", "44100", 62.6010, 25.7250, ["finnish"], [], "32.90", "38.20",
     "28.00"),
    ("Lähihoito Nieminen", "Jämsä", "Keskuskatu 14", "42100", 61.8650, 25.1900, ["finnish"], ["mental-health"],
     "34.60", "40.10", None),
    ("Kotiavustus Virtanen & Co", "Jyväskylä", "Vaajakoskentie 2", "40800", 62.2470, 25.8800,
     ["finnish", "english"], [], "38.80", "44.90", "32.50"),
    ("Omaishoivan Tuki Oy", "Uurainen", "Koulutie 3", "41230", 62.4980, 25.4380, ["finnish"], ["couples"], "33.50",
     "39.50", None),
    ("Sininen Hetki Hoiva", "Jyväskylä", "Tikkakoskentie 40", "41160", 62.3840, 25.6660, ["finnish", "swedish"],
     ["memory-disorders"], "40.20", "46.30", None),
]  # fmt: skip


def _site_demo_id(name: str) -> str:
    import re
    import unicodedata

    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "prv-" + re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")[:40]


def _business_id(n: int) -> str:
    """A valid-looking Finnish business ID (check digit computed) from a number; made up."""
    while True:
        digits = f"{2900000 + n:07d}"
        r = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        if r != 1:
            return f"{digits}-{0 if r == 0 else 11 - r}"
        n += 1000


def seed_comparison(settings) -> int:
    """Availability of the demo providers and the site-only companies (approved, priced, with
    availability); the site publisher makes the comparison entries from them. Idempotent.
    Returns how many site-only companies were new."""
    from datetime import UTC, date, datetime

    from seteli.domain.applications import Actor, Application, ApplicationStatus, Transition
    from seteli.domain.comparison import StoredAvailability
    from seteli.domain.money import Money
    from seteli.domain.price_lists import StoredPriceList
    from seteli.domain.provider import Address, Provider, ProviderPart, ProviderStatus
    from seteli.errors import Conflict
    from seteli.rules.price_lists import PriceLevel, PriceListStatus
    from seteli.store import repositories

    repos = repositories(settings)
    at = datetime(2026, 1, 2, 9, tzinfo=UTC)
    cw = Actor(subject="demo-case-worker", email=CASE_WORKER, role="case_worker")

    def availability(pid: str, service: str, days, places, note) -> None:
        if repos.providers.get(pid) is None or service in repos.comparison.availability(pid):
            return
        a = StoredAvailability(
            provider_id=pid, service_id=service, starts_within_days=days, free_places=places, note=note,
            updated_at=at, updated_by="demo",
        )  # fmt: skip
        try:
            repos.comparison.put_availability(a)
        except Conflict:
            pass

    for row in AVAILABILITY:
        availability(*row)
    created = 0
    for n, (name, city, street, postal, lat, lon, langs, specs, weekday, evening, cleaning) in enumerate(SITE_DEMO):
        pid = _site_demo_id(name)
        if repos.providers.get(pid) is not None:
            continue
        provider = Provider(
            id=pid, name=name, business_id=_business_id(n), status=ProviderStatus.active,
            description=f"{name}: kotihoitoa ja arjen apua {city}n seudulla.",
            contact_email=f"info@{pid.removeprefix('prv-')}.example", contact_phone=f"040 555 {1000 + n}",
            address=Address(street=street, postal_code=postal, city=city),
            search_attributes={"languages": langs, **({"specialities": specs} if specs else {})},
            created_at=at, updated_at=at,
        )  # fmt: skip
        site_id = f"site-{pid.removeprefix('prv-')}"[:60]
        part = ProviderPart(
            id=site_id, provider_id=pid, name=name, address=Address(street=street, postal_code=postal, city=city),
            lat=lat, lon=lon, phone=provider.contact_phone, email=provider.contact_email,
        )  # fmt: skip
        try:
            repos.providers.create(provider, [part])
        except Conflict:
            continue
        created += 1
        services = {"home-care": {"home-care-weekday": weekday, "home-care-evening": evening}}
        if cleaning:
            services["cleaning"] = {"cleaning": cleaning}
        for service, prices in services.items():
            app_id = f"app-{pid.removeprefix('prv-')}-{service}"[:60]
            repos.applications.create(
                Application(
                    id=app_id, provider_id=pid, service_id=service, status=ApplicationStatus.approved,
                    site_ids=[site_id], operating_areas=[city], created_by=cw, created_at=at, updated_at=at,
                    decided_by=cw, decided_at=at, transitions=1,
                ),
                Transition(application_id=app_id, seq=1, to=ApplicationStatus.approved, by=cw, at=at),
            )  # fmt: skip
            repos.price_lists.create(
                StoredPriceList(
                    id=f"pl-{pid.removeprefix('prv-')}-{service}"[:60], provider_id=pid, service_id=service,
                    level=PriceLevel.company, name="Hinnasto 2026", starts_on=date(2026, 1, 1),
                    prices={k: Money(v) for k, v in prices.items()}, status=PriceListStatus.approved,
                    created_at=at, created_by="demo", updated_at=at, updated_by="demo", approved_at=at,
                    approved_by="demo",
                )
            )  # fmt: skip
            availability(pid, service, [0, 3, 7, 14, None][n % 5], None if n % 5 != 4 else 0, None)
    return created
