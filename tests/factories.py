"""Test data that never collides: every test makes its own provider (the moto stack is shared per
worker), with a valid business ID and claims for its users."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

from tests.integration.apigw import claims_for


def business_id(rng: random.Random | None = None) -> str:
    """A random Finnish business ID (Y-tunnus) with a valid check digit."""
    rng = rng or random.Random()
    while True:
        digits = [rng.randint(0, 9) for _ in range(7)]
        rest = sum(d * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        if rest == 1:
            continue
        check = 0 if rest == 0 else 11 - rest
        return "".join(map(str, digits)) + f"-{check}"


def new_provider(repos, name: str | None = None, sites: int = 1) -> tuple[str, list[str]]:
    """Write a provider with ``sites`` sites straight through the repository; returns (id, site ids)."""
    from seteli.domain.provider import Address, Provider, ProviderPart

    pid = f"prv-t{uuid.uuid4().hex[:10]}"
    now = datetime.now(UTC)
    provider = Provider(
        id=pid,
        name=name or f"Testihoiva {pid[-4:]} Oy",
        business_id=business_id(),
        contact_email=f"info@{pid}.example",
        created_at=now,
        updated_at=now,
    )
    parts = [
        ProviderPart(
            id=f"site-{pid[-6:]}-{i}",
            provider_id=pid,
            name=f"Toimipaikka {i}",
            address=Address(street=f"Testikatu {i}", postal_code="40100", city="Jyväskylä"),
            lat=62.24 + i / 100,
            lon=25.74,
        )
        for i in range(1, sites + 1)
    ]
    repos.providers.create(provider, parts)
    return pid, [p.id for p in parts]


def provider_claims(provider_id: str, group: str = "provider_admin", sub: str | None = None) -> dict[str, str]:
    """Claims of a user of ``provider_id`` (as the gateway passes them to the handler)."""
    c = claims_for(group if group in ("provider_admin", "provider_user") else "provider_admin")
    sub = sub or f"sub-{uuid.uuid4().hex[:12]}"
    c.update(
        {
            "sub": sub,
            "cognito:username": sub,
            "email": f"{sub}@{provider_id}.example",
            "cognito:groups": group,
            "custom:provider_id": provider_id,
        }
    )
    return c


def unsigned_jwt(claims: dict) -> str:
    """A JWT-shaped string the client can read claims from (the client never verifies signatures)."""
    import base64
    import json

    def enc(d: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")

    return f"{enc({'alg': 'RS256', 'kid': 'k'})}.{enc(claims)}.c2ln"


def client_token(provider_id: str | None = "prv-a", group: str = "provider_admin") -> str:
    """An ID token for client tests: signed in as ``group`` of ``provider_id`` for the next hour."""
    import time

    claims = {"sub": "sub-me", "email": "me@a.example", "cognito:groups": [group], "token_use": "id"}
    claims["exp"] = int(time.time()) + 3600
    if provider_id:
        claims["custom:provider_id"] = provider_id
    return unsigned_jwt(claims)


def entitlement(**kw):
    """A home-care voucher of 10 h a week at 32.00 EUR/h (May-December 2026) for the pure rules'
    tests; any field can be given."""
    from datetime import UTC, date, datetime

    from seteli.domain.entitlements import Entitlement, EntitlementKind, EntitlementRow

    at = datetime(2026, 5, 1, 9, tzinfo=UTC)
    base = dict(
        decision_number="JKL-1",
        kind=EntitlementKind.voucher,
        customer_id="cus-1",
        service_id="home-care",
        decision_date=date(2026, 4, 1),
        valid_from=date(2026, 5, 1),
        valid_until=date(2026, 12, 31),
        home_municipality="Jyväskylä",
        rows=[EntitlementRow(content_id="home-care-weekday", amount="10", period="week", unit_value="32.00")],
        verification_code="KT7HQ4MRXA",
        citizen_code="AINO2026KT",
        created_at=at,
        created_by="cw",
        updated_at=at,
    )
    base.update(kw)
    return Entitlement(**base)


def approve(repos, provider_id: str, service_id: str, site_ids: list[str]) -> str:
    """An approved application of the provider for the service, as the municipality's decision
    leaves it (the tests of what needs approval make it directly)."""
    import uuid
    from datetime import UTC, datetime

    from seteli.domain.applications import Actor, Application, ApplicationStatus, Transition

    at = datetime(2026, 1, 2, 9, tzinfo=UTC)
    app_id = f"app-{uuid.uuid4().hex[:10]}"
    actor = Actor(subject="cw")
    repos.applications.create(
        Application(
            id=app_id,
            provider_id=provider_id,
            service_id=service_id,
            status=ApplicationStatus.approved,
            site_ids=site_ids,
            created_by=actor,
            created_at=at,
            updated_at=at,
            decided_by=actor,
            decided_at=at,
            transitions=1,
        ),
        Transition(application_id=app_id, seq=1, to=ApplicationStatus.approved, by=actor, at=at),
    )
    return app_id


def service_event(
    first,
    last=None,
    *,
    unit=None,
    quantity: str = "1",
    prices="34.00",
    value: str | None = "32.00",
    status=None,
    provider_id: str = "prv-1",
    elsewhere=None,
    **kw,
):
    """A priced ServiceEvent for tests that need one without the API: its lines come from the real
    rules (``seteli.rules.events``) at ``prices`` (one for all days, or per day) and the value per
    unit ``value`` (None: an order, the price itself). Hour units by default; any field can be given."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from seteli.domain.events import EventStatus, ServiceEvent
    from seteli.domain.money import Money
    from seteli.domain.units import Unit
    from seteli.rules import events as ev_rules

    at = datetime(2026, 5, 1, 9, tzinfo=UTC)
    unit = unit or Unit.hour
    status = status or EventStatus.recorded
    last = last or first
    days = ev_rules.days(first, last) if unit is Unit.day else [first]
    price = {d: Money(prices if isinstance(prices, str) else prices[d]) for d in days}
    terms = ev_rules.Terms(Money(value) if value else None)
    qty = Decimal("1") if unit is Unit.day else Decimal(quantity)
    lines = [ev_rules.line(d, qty, price[d], terms, (elsewhere or {}).get(d)) for d in days]
    t = ev_rules.totals(lines)
    base = dict(
        id=f"ev-{first:%m%d}-{provider_id}",
        decision_number="JKL-1",
        customer_id="cus-1",
        service_id="home-care",
        content_id="care-day" if unit is Unit.day else "home-care-weekday",
        unit=unit,
        provider_id=provider_id,
        first_day=first,
        last_day=last,
        quantity=Decimal(len(days)) if unit is Unit.day else qty,
        lines=lines,
        price_total=t.price_total,
        value=t.value,
        own_share=t.own_share,
        status=status,
        giver="Hoitaja",
        created_at=at,
        created_by="t",
        updated_at=at,
        updated_by="t",
    )
    base.update(kw)
    return ServiceEvent(**base)


def approved_price_list(repos, provider_id: str, service_id: str, prices: dict[str, str], starts_on, part_id=None):
    """An approved price list written straight through the repository (the price-list routes are
    tested on their own): company level, or the part's when ``part_id`` is given."""
    import uuid
    from datetime import UTC, datetime

    from seteli.domain.money import Money
    from seteli.domain.price_lists import StoredPriceList
    from seteli.rules.price_lists import PriceLevel, PriceListStatus

    at = datetime(2015, 1, 2, 9, tzinfo=UTC)
    return repos.price_lists.create(
        StoredPriceList(
            id=f"pl-{uuid.uuid4().hex[:10]}",
            provider_id=provider_id,
            service_id=service_id,
            level=PriceLevel.part if part_id else PriceLevel.company,
            part_id=part_id,
            name="Hinnasto",
            starts_on=starts_on,
            prices={k: Money(v) for k, v in prices.items()},
            status=PriceListStatus.approved,
            created_at=at,
            created_by="t",
            updated_at=at,
            updated_by="t",
            approved_at=at,
            approved_by="t",
        )
    )
