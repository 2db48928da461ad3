"""The own-share specification (GET /v1/entitlements/{no}/own-share) through the entitlements handler,
and the citizen's events (GET /v1/me/events) and used amounts (/v1/me/entitlements) through the
citizen handler, on moto. Customers, entitlements, reservations and events are written straight
through the repositories; every test makes its own."""

from __future__ import annotations

import base64
import json
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from seteli.domain.events import EventStatus, Interruption, InterruptionDay, ServiceEvent
from seteli.domain.money import Money
from seteli.domain.units import Unit
from tests.factories import new_provider, provider_claims, service_event
from tests.integration.apigw import call, claims_for, event

AT = datetime(2026, 3, 1, 9, tzinfo=UTC)
HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def hetu() -> str:
    d = date(1930, 1, 1) + timedelta(days=random.randint(0, 25000))
    ddmmyy, nnn = d.strftime("%d%m%y"), random.randint(100, 899)
    return f"{ddmmyy}-{nnn}{HETU_CHECK[int(f'{ddmmyy}{nnn}') % 31]}"


def citizen(sub: str) -> dict:
    c = claims_for("citizen")
    c.update(sub=sub, email=f"{sub}@example.fi", **{"cognito:username": sub})
    return c


@pytest.fixture
def repos(stack):
    from seteli.store import repositories

    return repositories()


class World:
    """A customer with a home-care voucher (32.00 EUR/h) reserved by providers A and B."""

    def __init__(self, repos, valid_from: date = date(2026, 1, 1), valid_until: date = date(2026, 12, 31)) -> None:
        from seteli.domain.entitlements import Customer, Entitlement, EntitlementRow, Reservation
        from seteli.rules.customers import personal_id_hash, personal_id_secret
        from seteli.store.entitlements import reservation_item

        self.repos = repos
        self.customer_id, self.personal_id = f"cus-t{uuid.uuid4().hex[:10]}", hetu()
        repos.customers.create(
            Customer(
                id=self.customer_id,
                personal_id=self.personal_id,
                personal_id_hash=personal_id_hash(self.personal_id, personal_id_secret(repos.settings)),
                first_names="Aino Maria",
                last_name="Omavastuu",
                created_at=AT,
                created_by="t",
                updated_at=AT,
            )
        )
        self.a, self.a_sites = new_provider(repos, "Aurinkohoiva Oy")
        self.b, _ = new_provider(repos, "Bertan Hoiva Oy")
        self.dn = f"T-{uuid.uuid4().hex[:10].upper()}"
        e = Entitlement(
            decision_number=self.dn,
            kind="voucher",
            customer_id=self.customer_id,
            service_id="home-care",
            decision_date=valid_from,
            valid_from=valid_from,
            valid_until=valid_until,
            home_municipality="Jyväskylä",
            rows=[EntitlementRow(content_id="home-care-weekday", amount="10", period="week", unit_value="32.00")],
            verification_code="VERIFY7788",
            citizen_code="CITIZEN123",
            reserved_by=[self.a, self.b],
            created_at=AT,
            created_by="t",
            updated_at=AT,
        )
        reservations = [
            Reservation(
                decision_number=self.dn,
                provider_id=p,
                part_id=part,
                content_id="home-care-weekday",
                customer_id=self.customer_id,
                reserved_at=AT,
                reserved_by="t",
            )
            for p, part in ((self.a, self.a_sites[0]), (self.b, None))
        ]
        repos.entitlements.create(e, extra=[(reservation_item(r), True) for r in reservations])
        self.sub = f"sub-{uuid.uuid4().hex}"
        repos.citizens.link(self.sub, self.customer_id)

    def event(self, *args, **kw) -> ServiceEvent:
        ev = self.make(*args, **kw)
        self.write(ev)
        return ev

    def write(self, *events: ServiceEvent) -> None:
        from seteli.store.events import Change

        led = self.repos.events.ledger(self.dn)
        self.repos.events.apply(Change(ledger=led, put_events=[(ev, None) for ev in events]), "conflict")

    def make(
        self,
        on: date,
        hours: str,
        *,
        provider: str | None = None,
        price: str = "34.00",
        status: EventStatus = EventStatus.recorded,
        start: time = time(9),
        **kw,
    ) -> ServiceEvent:
        pid = provider or self.a
        end = (datetime.combine(on, start) + timedelta(hours=float(hours))).time()
        ev = service_event(
            on,
            unit=Unit.hour,
            quantity=hours,
            prices=price,
            id=f"ev-{uuid.uuid4().hex[:10]}",
            decision_number=self.dn,
            customer_id=self.customer_id,
            provider_id=pid,
            part_id=self.a_sites[0] if pid == self.a else None,
            start_time=start,
            end_time=end,
            status=status,
            **kw,
        )
        return ev

    def interruption(self, departure: date, percents: list[int]) -> Interruption:
        from seteli.store.events import Change

        days = [
            InterruptionDay(
                on=departure + timedelta(days=n),
                day_number=n,
                percent=p,
                attendance_value=Money("64.00"),
                municipality=Money("64.00").times(Decimal(p) / 100),
            )
            for n, p in enumerate(percents)
        ]
        i = Interruption(
            id=f"int-{uuid.uuid4().hex[:10]}",
            decision_number=self.dn,
            customer_id=self.customer_id,
            service_id="home-care",
            content_id="home-care-weekday",
            provider_id=self.a,
            reason="hospital",
            departure_day=departure,
            return_day=days[-1].on,
            rule_id="kouvola-2016",
            days=days,
            value=sum((d.municipality for d in days), Money()),
            status=EventStatus.recorded,
            created_at=AT,
            created_by="t",
            updated_at=AT,
            updated_by="t",
        )
        led = self.repos.events.ledger(self.dn)
        self.repos.events.apply(Change(ledger=led, put_interruptions=[(i, None)]), "conflict")
        return i


def own_share(fn, w: World, claims: dict, accept: str = "application/json", query=None):
    ev = event(
        "GET", f"/v1/entitlements/{w.dn}/own-share", claims=claims, query=query or MARCH, headers={"Accept": accept}
    )
    from tests.integration.apigw import FakeContext

    return fn("entitlements")(ev, FakeContext())


def read(fn, w, claims, query=None):
    ev = event("GET", f"/v1/entitlements/{w.dn}/own-share", claims=claims, query=query or MARCH)
    return call(fn("entitlements"), ev)


def march(repos) -> World:
    w = World(repos)
    w.write(
        w.make(date(2026, 3, 9), "20", start=time(6)),  # seed 001: 20 h x 32.00, price 34.00
        w.make(date(2026, 3, 10), "2", provider=w.b, price="30.00"),  # below the voucher: no own share
        w.make(date(2026, 3, 11), "2.25", status=EventStatus.pending_approval),
        w.make(date(2026, 3, 12), "1", status=EventStatus.rejected),
        w.make(date(2026, 3, 13), "1", status=EventStatus.draft),
        w.make(date(2026, 4, 1), "1"),  # outside the period
    )
    return w


@pytest.fixture(scope="module")
def shared(stack):
    """A March for the tests that only read (built once per module)."""
    from seteli.store import repositories

    return march(repositories())


@pytest.fixture
def w(shared):
    return shared


@pytest.fixture
def own(repos):
    """A March of the test's own (for the tests that change it)."""
    return march(repos)


# ---------------------------------------------------------------- who reads what


def test_the_municipality_sees_every_line_with_the_worked_figures(fn, w):
    status, headers, body = read(fn, w, claims_for("case_worker"))
    assert status == 200, body
    assert headers["content-type"].startswith("application/json")
    assert (body["period_start"], body["period_end"], body["value_kind"]) == (
        "2026-03-01",
        "2026-03-31",
        "voucher_value",
    )
    assert body["customer_name"] == "Omavastuu Aino Maria" and body["service_name"] == "Kotihoito"
    rows = [
        (x["first_day"], x["quantity"], x["municipality"], x["own_share"], x["pending_approval"]) for x in body["lines"]
    ]
    assert rows == [
        ("2026-03-09", "20.00", "640.00", "40.00", False),
        ("2026-03-10", "2.00", "60.00", "0.00", False),
        ("2026-03-11", "2.25", "72.00", "4.50", True),
    ]
    first = body["lines"][0]
    assert (first["unit_price"], first["unit_value"], first["price_total"]) == ("34.00", "32.00", "680.00")
    assert (first["start_time"], first["end_time"], first["provider_name"]) == ("06:00", "02:00", "Aurinkohoiva Oy")
    assert first["part_name"] == "Toimipaikka 1" and first["content_name"]
    t = body["totals"]
    assert (t["municipality"], t["own_share"], t["pending_own_share"], t["lines"]) == ("772.00", "44.50", "4.50", 3)
    assert w.personal_id not in json.dumps(body)


def test_a_provider_sees_only_its_own_lines(fn, w):
    status, _, body = read(fn, w, provider_claims(w.b))
    assert status == 200, body
    assert [x["first_day"] for x in body["lines"]] == ["2026-03-10"] and body["provider_id"] == w.b
    assert body["totals"]["municipality"] == "60.00"
    status, _, body = read(fn, w, provider_claims(w.a, "provider_admin"))
    assert status == 200 and [x["first_day"] for x in body["lines"]] == ["2026-03-09", "2026-03-11"]
    assert {x["provider_id"] for x in body["lines"]} == {w.a}
    # a provider user outside the service's team (no user record with home-care in its teams): 404
    assert read(fn, w, provider_claims(w.a, "provider_user"))[0] == 404


def test_the_customer_and_a_proxy_see_everything(fn, w, repos):
    status, _, body = read(fn, w, citizen(w.sub))
    assert status == 200 and len(body["lines"]) == 3
    rel = f"sub-{uuid.uuid4().hex}"
    repos.citizens.grant_proxy(
        rel, w.customer_id, {"email": "r@x.fi", "valid_until": None, "granted_at": AT.isoformat()}
    )
    status, _, body = read(fn, w, citizen(rel))
    assert status == 200 and len(body["lines"]) == 3
    # an expired grant: 404 as for anyone
    old = f"sub-{uuid.uuid4().hex}"
    repos.citizens.grant_proxy(
        old, w.customer_id, {"email": "o@x.fi", "valid_until": "2020-01-01", "granted_at": AT.isoformat()}
    )
    assert read(fn, w, citizen(old))[0] == 404


def test_strangers_get_the_same_404_as_for_an_unknown_number(fn, w, repos):
    stranger_provider, _ = new_provider(repos)
    other_customer = World(repos)
    for claims in (provider_claims(stranger_provider), citizen(other_customer.sub), citizen(f"sub-{uuid.uuid4().hex}")):
        status, _, body = read(fn, w, claims)
        assert status == 404, body
        assert body["detail"] == f"no entitlement {w.dn} that you may see"
        assert w.customer_id not in json.dumps(body)
    nobody = World.__new__(World)
    nobody.dn = "T-NOSUCH-NUMBER"
    status, _, body = read(fn, nobody, provider_claims(stranger_provider))
    assert status == 404 and body["detail"] == "no entitlement T-NOSUCH-NUMBER that you may see"
    assert read(fn, nobody, claims_for("municipality_admin"))[0] == 404


def test_a_cancelled_reservation_no_longer_reads(fn, own, repos):
    w = own
    from seteli.store.base import transact
    from seteli.store.entitlements import reservation_item

    _, reservations = repos.entitlements.with_reservations(w.dn)
    b = next(r for r in reservations if r.provider_id == w.b)
    cancelled = b.model_copy(update={"cancelled_at": AT})
    transact([(reservation_item(cancelled, version=b.version), False)], "conflict")
    assert read(fn, w, provider_claims(w.b))[0] == 404


def test_the_period_defaults_to_this_month_and_is_checked(fn, repos, monkeypatch):
    from seteli import clock

    w = World(repos)
    w.event(date(2026, 3, 9), "1")
    monkeypatch.setattr(clock, "today", lambda at=None: date(2026, 3, 20))
    ev = event("GET", f"/v1/entitlements/{w.dn}/own-share", claims=claims_for("case_worker"))
    status, _, body = call(fn("entitlements"), ev)
    assert status == 200 and (body["period_start"], body["period_end"]) == ("2026-03-01", "2026-03-31")
    assert len(body["lines"]) == 1
    for query, field in (
        ({"from": "2026-03-31", "to": "2026-03-01"}, "query.to"),
        ({"from": "2025-01-01", "to": "2026-03-01"}, "query.to"),
        ({"from": "1.3.2026"}, "query.from"),
    ):
        status, _, body = read(fn, w, claims_for("case_worker"), query)
        assert status == 422 and [e["field"] for e in body["errors"]] == [field], body


# ---------------------------------------------------------------- formats


def test_csv_for_finnish_excel(fn, w):
    res = own_share(fn, w, claims_for("case_worker"), "text/csv")
    assert res["statusCode"] == 200
    headers = {k.lower(): v[0] for k, v in res["multiValueHeaders"].items()}
    assert headers["content-type"].startswith("text/csv")
    assert (
        headers["content-disposition"] == f'attachment; filename="omavastuuerittely-{w.dn}-2026-03-01-2026-03-31.csv"'
    )
    text = res["body"]
    assert text.startswith("\ufeffPäivä;Palvelusisältö;")
    lines = text.removeprefix("\ufeff").split("\r\n")
    assert lines[1].startswith("9.3.2026 6:00-2:00;") and ";680,00;640,00;40,00;" in lines[1]
    assert lines[-2].startswith("Yhteensä;") and ";772,00;44,50;" in lines[-2]
    assert w.personal_id not in text


def test_pdf_is_printable_and_has_no_personal_id(fn, w):
    res = own_share(fn, w, citizen(w.sub), "application/pdf")
    assert res["statusCode"] == 200 and res["isBase64Encoded"] is True
    headers = {k.lower(): v[0] for k, v in res["multiValueHeaders"].items()}
    assert headers["content-type"] == "application/pdf"
    pdf = base64.b64decode(res["body"])
    assert pdf.startswith(b"%PDF")
    assert w.dn.encode() in pdf and b"Omavastuu Aino Maria" in pdf
    assert b"640,00" in pdf and b"40,00" in pdf and b"772,00" in pdf
    assert w.personal_id.encode() not in pdf and w.personal_id[:6].encode() not in pdf


def test_accept_is_negotiated(fn, w):
    claims = claims_for("case_worker")
    assert "json" in own_share(fn, w, claims, "*/*")["multiValueHeaders"]["Content-Type"][0]
    assert own_share(fn, w, claims, "text/csv;q=0.5, application/pdf")["isBase64Encoded"] is True
    assert "csv" in own_share(fn, w, claims, "text/*")["multiValueHeaders"]["Content-Type"][0]
    assert "json" in own_share(fn, w, claims, "image/png")["multiValueHeaders"]["Content-Type"][0]
    # an error is problem JSON whatever was asked
    res = own_share(fn, w, provider_claims(new_provider(w.repos)[0]), "application/pdf")
    assert res["statusCode"] == 404 and not res.get("isBase64Encoded")


# ---------------------------------------------------------------- the citizen


def me(fn, claims, query=None):
    return call(fn("citizen"), event("GET", "/v1/me/events", claims=claims, query=query))


def test_my_events_newest_first_without_drafts_or_rejected(fn, own, repos):
    w = own
    i = w.interruption(date(2026, 3, 20), [100, 100, 0])
    status, _, body = me(fn, citizen(w.sub), MARCH)
    assert status == 200, body
    items = body["items"]
    assert [x["first_day"] for x in items] == ["2026-03-20", "2026-03-11", "2026-03-10", "2026-03-09"]
    assert items[0]["record"] == "interruption" and items[0]["id"] == i.id and items[0]["value"] == "128.00"
    assert items[0]["own_share"] == "0.00" and items[0]["reason"] == "hospital" and items[0]["unit"] == "day"
    p = items[1]
    assert p["status"] == "pending_approval" and p["pending_approval"] and p["own_share"] == "4.50"
    s = items[3]
    assert (s["start_time"], s["quantity"], s["value"], s["own_share"]) == ("06:00", "20.00", "640.00", "40.00")
    assert s["service_name"] == "Kotihoito" and s["provider_name"] == "Aurinkohoiva Oy" and s["content_name"]
    assert items[2]["provider_name"] == "Bertan Hoiva Oy"
    text = json.dumps(body)
    assert w.personal_id not in text and "personal_id" not in text
    # a proxy reads them with customer_id; someone else's: 403
    rel = f"sub-{uuid.uuid4().hex}"
    repos.citizens.grant_proxy(
        rel, w.customer_id, {"email": "r@x.fi", "valid_until": None, "granted_at": AT.isoformat()}
    )
    assert len(me(fn, citizen(rel), {**MARCH, "customer_id": w.customer_id})[2]["items"]) == 4
    assert me(fn, citizen(rel), {**MARCH, "customer_id": World(repos).customer_id})[0] == 403
    assert me(fn, citizen(rel), MARCH)[0] == 404  # not linked themself
    assert me(fn, provider_claims(w.a), MARCH)[0] == 403
    assert me(fn, citizen(w.sub), {"from": "2026-03-10", "to": "2026-03-01"})[0] == 422


def test_my_events_default_to_the_last_three_months(fn, repos):
    today = date.today()
    w = World(repos, valid_from=today - timedelta(days=200), valid_until=today + timedelta(days=100))
    w.write(w.make(today, "1"), w.make(today - timedelta(days=130), "1"))  # the second before the two previous months
    status, _, body = me(fn, citizen(w.sub))
    assert status == 200 and [x["first_day"] for x in body["items"]] == [today.isoformat()]


def test_my_entitlements_show_what_the_events_used(fn, repos):
    """charged_events: counted events' lines (not drafts, rejected or credited) and paid interruption days."""
    today = date.today()
    monday = today - timedelta(days=today.weekday())
    w = World(repos, valid_from=today - timedelta(days=60), valid_until=today + timedelta(days=100))
    w.write(
        w.make(monday, "2"),
        w.make(monday, "1.5", start=time(14), status=EventStatus.pending_approval),
        w.make(monday, "3", start=time(16), status=EventStatus.draft),
        w.make(monday, "3", start=time(19), status=EventStatus.rejected),
        w.make(monday, "1", start=time(6), credit_id="cr-x"),
        w.make(monday - timedelta(days=7), "4"),  # last week: another period
    )
    status, _, body = call(fn("citizen"), event("GET", "/v1/me/entitlements", claims=citizen(w.sub)))
    assert status == 200, body
    (e,) = [x for x in body["items"] if x["decision_number"] == w.dn]
    r = e["rows"][0]
    assert (r["used"], r["remaining"], r["used_euros"]) == ("3.50", "6.50", "112.00")
