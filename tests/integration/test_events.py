"""Service events, interruptions, approvals and credits through the real events handler on moto.

Providers, customers, entitlements, reservations and price lists are written straight through the
repositories; the clock is set per test (``seteli.clock.now``) so that the seed's dates (2015, 2016)
lie inside the recording window. Every test makes its own data.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from seteli.domain.money import Money
from tests.factories import approve, approved_price_list, new_provider, provider_claims
from tests.integration.apigw import call, claims_for, event

AT = datetime(2015, 1, 2, 9, tzinfo=UTC)
HOME, WEEKDAY = "home-care", "home-care-weekday"
LIVING, CARE_DAY = "assisted-living", "care-day"
ERRANDS = "errand-help"


@pytest.fixture
def repos(stack):
    from seteli.store import repositories

    return repositories()


class World:
    def __init__(self, handler, repos) -> None:
        self.handler, self.repos = handler, repos

    def call(self, method: str, path: str, claims: dict, body=None, query=None):
        return call(self.handler, event(method, path, body=body, query=query, claims=claims))

    def price_list(self, pid: str, service: str, prices: dict[str, str], starts: date, part_id: str | None = None):
        approved_price_list(self.repos, pid, service, prices, starts, part_id)

    def provider(self, service: str, prices: dict[str, str], starts: date = date(2014, 1, 1)):
        pid, sites = new_provider(self.repos)
        approve(self.repos, pid, service, sites)
        self.price_list(pid, service, prices, starts)
        return pid, sites, provider_claims(pid, "provider_admin")

    def entitlement(self, pid: str, *, service: str, rows=None, balance=None, kind="voucher", valid_from, valid_until):
        from seteli.domain.entitlements import (
            Balance,
            Customer,
            Entitlement,
            EntitlementRow,
            ProviderCustomer,
            Reservation,
        )
        from seteli.store.entitlements import reservation_item

        cid = f"cus-t{uuid.uuid4().hex[:10]}"
        self.repos.customers.create(
            Customer(
                id=cid,
                personal_id="010101-123N",
                personal_id_hash=f"h-{cid}",
                first_names="Aino",
                last_name="Testinen",
                created_at=AT,
                created_by="cw",
                updated_at=AT,
            )
        )
        number = f"T-{uuid.uuid4().hex[:8].upper()}"
        e = Entitlement(
            decision_number=number,
            kind=kind,
            customer_id=cid,
            service_id=service,
            decision_date=valid_from,
            valid_from=valid_from,
            valid_until=valid_until,
            home_municipality="Kouvola",
            rows=[EntitlementRow.model_validate(r) for r in (rows or [])],
            balance=Balance.model_validate(balance) if balance else None,
            verification_code="KT7HQ4MRXA",
            citizen_code="AINO2026KT",
            reserved_by=[pid],
            created_at=AT,
            created_by="cw",
            updated_at=AT,
        )
        content = rows[0]["content_id"] if rows else balance["contents"][0]["content_id"]
        res = Reservation(
            decision_number=number,
            provider_id=pid,
            content_id=content,
            customer_id=cid,
            reserved_at=AT,
            reserved_by="t",
        )
        rel = ProviderCustomer(provider_id=pid, customer_id=cid, name_key="testinen aino", updated_at=AT)
        self.repos.entitlements.create(
            e, extra=[(reservation_item(res), True), self.repos.provider_customers.item_for(rel)]
        )
        return e

    def record(self, claims, dn: str, **body):
        return self.call("POST", "/v1/events", claims, body={"decision_number": dn, **body})


@pytest.fixture
def w(fn, repos):
    return World(fn("events"), repos)


def fields(body) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


def home_care(w, today, *, week_hours="10", price="34.00"):
    today(date(2016, 3, 14))
    pid, sites, admin = w.provider(HOME, {WEEKDAY: price})
    e = w.entitlement(
        pid,
        service=HOME,
        rows=[{"content_id": WEEKDAY, "amount": week_hours, "period": "week", "unit_value": "32.00"}],
        valid_from=date(2016, 1, 1),
        valid_until=date(2016, 12, 31),
    )
    return pid, admin, e


# ---------------------------------------------------------------- recording and money


def test_hour_event_units_and_money_are_computed(w, today):
    """Given a 32.00 EUR/h voucher and a 34.00 EUR/h price, when 9:00-11:15 is recorded, then
    2.25 h, the municipality pays 72.00 and the customer 4.50 (spec 7)."""
    pid, admin, e = home_care(w, today)
    status, headers, body = w.record(
        admin, e.decision_number, first_day="2016-03-08", start_time="09:00", end_time="11:15", travel_km="12.5"
    )
    assert status == 201, body
    assert body["quantity"] == "2.25" and body["value"] == "72.00" and body["own_share"] == "4.50"
    assert body["price_total"] == "76.50" and body["status"] == "recorded"
    assert body["travel"] == "7.38"  # 12.5 km x 0.59, half-up
    assert body["giver"] and headers["location"] == f"/v1/events/{body['id']}"
    rel = w.repos.provider_customers.get(pid, e.customer_id)
    assert rel.last_event_on == date(2016, 3, 8)
    assert w.repos.entitlements.get(e.decision_number).used is True


def test_ten_hours_a_week_the_event_that_crosses_waits_for_approval(w, today):
    """Seed K4.3.7: 10 h/week; 7.3. 2 h, 8.3. 2.25 h, 9.3. 2 h, 10.3. 2.25 h, 11.3. 2 h -> 10.5 h;
    the 11.3. event goes to manual approval, the others are recorded."""
    pid, admin, e = home_care(w, today)
    times = [("07", "10:00", "12:00"), ("08", "09:00", "11:15"), ("09", "09:30", "11:30"), ("10", "09:15", "11:30")]
    for d, s, t in times:
        status, _, body = w.record(admin, e.decision_number, first_day=f"2016-03-{d}", start_time=s, end_time=t)
        assert status == 201 and body["status"] == "recorded", body
    status, _, last = w.record(admin, e.decision_number, first_day="2016-03-11", start_time="09:30", end_time="11:30")
    assert status == 201 and last["status"] == "pending_approval"
    assert last["overrun"]["granted"] == "10.00 h" and last["overrun"]["with_this"] == "10.50 h"
    assert last["overrun"]["period_start"] == "2016-03-07" and last["overrun"]["period_end"] == "2016-03-13"

    # the municipality sees it in its queue and approves it with a credit request
    muni = claims_for("municipality_admin")
    status, _, queue = w.call("GET", "/v1/approvals", muni, query={"limit": "100"})
    assert status == 200 and last["id"] in [x["id"] for x in queue["items"]]
    status, _, denied = w.call("GET", "/v1/approvals", admin)
    assert status == 403
    body = {"decision": "approve_with_credit", "comment": "ylitys", "version": last["version"]}
    status, _, decided = w.call("POST", f"/v1/events/{last['id']}/approval", muni, body=body)
    assert status == 200, decided
    assert decided["status"] == "approved" and decided["credit_id"] == f"cr-{last['id']}"
    credit = w.repos.credits.get(pid, last["id"])
    assert credit.amount == Money("64.00") and credit.deduct_in == "2016-04"
    status, _, queue = w.call("GET", "/v1/approvals", muni, query={"limit": "100"})
    assert last["id"] not in [x["id"] for x in queue["items"]]
    # the corrected event of 1.5 h now fits: the credited one does not count
    status, _, fixed = w.record(admin, e.decision_number, first_day="2016-03-12", start_time="09:30", end_time="11:00")
    assert status == 201 and fixed["status"] == "recorded" and fixed["quantity"] == "1.50"
    # deciding twice is a conflict
    status, _, again = w.call(
        "POST", f"/v1/events/{last['id']}/approval", muni, body={**body, "version": decided["version"]}
    )
    assert status == 409


def test_rejected_event_is_final_and_not_counted(w, today):
    pid, admin, e = home_care(w, today, week_hours="2")
    w.record(admin, e.decision_number, first_day="2016-03-07", start_time="10:00", end_time="12:00")
    _, _, over = w.record(admin, e.decision_number, first_day="2016-03-08", start_time="10:00", end_time="11:00")
    assert over["status"] == "pending_approval"
    muni = claims_for("case_worker")
    status, _, rejected = w.call(
        "POST", f"/v1/events/{over['id']}/approval", muni, body={"decision": "reject", "version": over["version"]}
    )
    assert status == 200 and rejected["status"] == "rejected"
    status, _, body = w.call(
        "PATCH", f"/v1/events/{over['id']}", admin, body={"version": rejected["version"], "notes": "x"}
    )
    assert status == 409


def test_refusals_name_the_field(w, today):
    pid, admin, e = home_care(w, today)
    dn = e.decision_number
    # outside the validity
    status, _, body = w.record(admin, dn, first_day="2015-12-31", start_time="09:00", end_time="10:00")
    assert status == 422 and "body.first_day" in fields(body)
    # too far back (the window is 60 days)
    status, _, body = w.record(admin, dn, first_day="2016-01-04", start_time="09:00", end_time="10:00")
    assert status == 422 and "too far back" in body["detail"] + str(body["errors"])
    # a future month
    status, _, body = w.record(admin, dn, first_day="2016-04-01", start_time="09:00", end_time="10:00")
    assert status == 422 and "future month" in str(body["errors"])
    # end before start, typed quantity, a range for an hour unit
    status, _, body = w.record(admin, dn, first_day="2016-03-08", start_time="11:00", end_time="10:00", quantity="3")
    assert status == 422 and {"body.end_time", "body.quantity"} <= set(fields(body))
    status, _, body = w.record(
        admin, dn, first_day="2016-03-08", last_day="2016-03-09", start_time="09:00", end_time="10:00"
    )
    assert status == 422 and "body.last_day" in fields(body)
    # a bad time format is the schema's 422
    status, _, body = w.record(admin, dn, first_day="2016-03-08", start_time="9", end_time="10:00")
    assert status == 422
    # not reserved by this provider (another provider, an unknown number)
    _, _, other = w.provider(HOME, {WEEKDAY: "30.00"})
    status, _, body = w.record(other, dn, first_day="2016-03-08", start_time="09:00", end_time="10:00")
    assert status == 404 and "body.decision_number" in fields(body)
    status, _, body = w.record(admin, "NO-SUCH-1", first_day="2016-03-08", start_time="09:00", end_time="10:00")
    assert status == 404
    # overlapping times of one content
    status, _, first = w.record(admin, dn, first_day="2016-03-08", start_time="09:00", end_time="10:00")
    assert status == 201
    status, _, body = w.record(admin, dn, first_day="2016-03-08", start_time="09:30", end_time="10:30")
    assert status == 409 and first["id"] in body["detail"]
    # travel on a service without travel compensation is covered by the rules' tests; citizens may not record
    status, _, body = w.record(claims_for("citizen"), dn, first_day="2016-03-09", start_time="09:00", end_time="10:00")
    assert status == 403


def test_edit_delete_until_settled_then_only_a_credit(w, today):
    pid, admin, e = home_care(w, today)
    _, _, ev = w.record(admin, e.decision_number, first_day="2016-03-08", start_time="09:00", end_time="10:00")
    status, _, body = w.call(
        "PATCH", f"/v1/events/{ev['id']}", admin, body={"version": ev["version"], "end_time": "11:00"}
    )
    assert status == 200 and body["quantity"] == "2.00" and body["value"] == "64.00"
    status, _, stale = w.call("PATCH", f"/v1/events/{ev['id']}", admin, body={"version": ev["version"], "notes": "x"})
    assert status == 409 and "body.version" in fields(stale)
    # moving it to another day keeps its id
    status, _, moved = w.call(
        "PATCH", f"/v1/events/{ev['id']}", admin, body={"version": body["version"], "first_day": "2016-03-09"}
    )
    assert status == 200 and moved["id"] == ev["id"] and moved["first_day"] == "2016-03-09"
    status, _, got = w.call("GET", f"/v1/events/{ev['id']}", admin)
    assert status == 200 and got["first_day"] == "2016-03-09"
    # another provider cannot see it; the municipality can
    _, _, other = w.provider(HOME, {WEEKDAY: "30.00"})
    assert w.call("GET", f"/v1/events/{ev['id']}", other)[0] == 404
    assert w.call("GET", f"/v1/events/{ev['id']}", claims_for("case_worker"))[0] == 200
    # a credit request needs a settled event
    status, _, body = w.call(
        "POST", "/v1/credits", claims_for("case_worker"), body={"event_id": ev["id"], "reason": "virhe"}
    )
    assert status == 409
    # settle it (the settlement issue does this) -> no edit, no delete; a credit once
    stored = w.repos.events.get(ev["id"])
    from seteli.domain.events import EventStatus
    from seteli.store.events import Change

    settled = stored.model_copy(update={"status": EventStatus.settled, "settlement_id": "st-1"})
    w.repos.events.apply(Change(ledger=w.repos.events.ledger(e.decision_number), put_events=[(settled, stored)]), "x")
    now = w.repos.events.get(ev["id"])
    status, _, body = w.call("PATCH", f"/v1/events/{ev['id']}", admin, body={"version": now.version, "notes": "x"})
    assert status == 409 and "credit" in body["detail"]
    status, _, body = w.call("DELETE", f"/v1/events/{ev['id']}", admin, query={"version": str(now.version)})
    assert status == 409
    # the same day again is "already paid"
    status, _, body = w.record(admin, e.decision_number, first_day="2016-03-09", start_time="09:30", end_time="10:00")
    assert status == 409 and "already paid" in body["detail"]
    status, _, credit = w.call(
        "POST", "/v1/credits", claims_for("case_worker"), body={"event_id": ev["id"], "reason": "virhe"}
    )
    assert status == 201 and credit["amount"] == "64.00" and credit["deduct_in"] == "2016-04"
    status, _, body = w.call(
        "POST", "/v1/credits", claims_for("case_worker"), body={"event_id": ev["id"], "reason": "virhe"}
    )
    assert status == 409
    status, _, listed = w.call("GET", "/v1/credits", admin)
    assert status == 200 and [c["event_id"] for c in listed["items"]] == [ev["id"]]


def test_drafts_confirm_one_and_many_and_delete(w, today):
    pid, admin, e = home_care(w, today)
    ids = []
    for d in ("07", "08", "09"):
        status, _, body = w.record(
            admin, e.decision_number, first_day=f"2016-03-{d}", start_time="09:00", end_time="10:00", draft=True
        )
        assert status == 201 and body["status"] == "draft"
        ids.append(body["id"])
    status, _, one = w.call("POST", f"/v1/events/{ids[0]}/record", admin, body={})
    assert status == 200 and one["status"] == "recorded" and one["recorded_at"]
    status, _, many = w.call("POST", "/v1/events/record", admin, body={"event_ids": ids})
    assert status == 200
    assert [r["ok"] for r in many["results"]] == [False, True, True]  # the first is no longer a draft
    assert many["results"][0]["status"] == 409
    status, _, listed = w.call("GET", "/v1/events", admin, query={"month": "2016-03"})
    assert status == 200 and {x["status"] for x in listed["items"] if x["decision_number"] == e.decision_number} == {
        "recorded"
    }
    status, _, _ = w.call("DELETE", f"/v1/events/{ids[1]}", admin, query={"version": "0"})
    assert status == 409
    version = w.repos.events.get(ids[1]).version
    status, _, _ = w.call("DELETE", f"/v1/events/{ids[1]}", admin, query={"version": str(version)})
    assert status == 204 and w.repos.events.get(ids[1]) is None


def test_batch_rerun_creates_no_duplicates_and_reports_rows(w, today):
    pid, admin, e = home_care(w, today)
    rows = [
        {
            "decision_number": e.decision_number,
            "first_day": "2016-03-07",
            "start_time": "09:00",
            "end_time": "10:00",
            "source_ref": "r1",
        },
        {
            "decision_number": e.decision_number,
            "first_day": "2016-03-08",
            "start_time": "09:00",
            "end_time": "08:00",
            "source_ref": "r2",
        },
        {
            "decision_number": "NO-SUCH-2",
            "first_day": "2016-03-08",
            "start_time": "09:00",
            "end_time": "10:00",
            "source_ref": "r3",
        },
    ]
    status, _, first = w.call("POST", "/v1/events/batch", admin, body={"events": rows})
    assert status == 200 and (first["created"], first["unchanged"], first["refused"]) == (1, 0, 2)
    assert first["results"][1]["errors"][0]["field"] == "body.end_time"
    status, _, again = w.call("POST", "/v1/events/batch", admin, body={"events": rows})
    assert (again["created"], again["unchanged"], again["refused"]) == (0, 1, 2)
    assert again["results"][0]["event"]["id"] == first["results"][0]["event"]["id"]
    events = w.repos.events.events_between(e.decision_number, date(2016, 3, 1), date(2016, 3, 31))
    assert len(events) == 1


# ---------------------------------------------------------------- day units, price changes, interruptions


def assisted(w, today, *, on: date, prices=None):
    today(on)
    pid, sites, admin = w.provider(LIVING, prices or {CARE_DAY: "100.00"})
    e = w.entitlement(
        pid,
        service=LIVING,
        rows=[{"content_id": CARE_DAY, "amount": "31", "period": "month", "unit_value": "95.00"}],
        valid_from=date(2015, 1, 1),
        valid_until=date(2016, 12, 31),
    )
    return pid, admin, e


def test_day_range_counts_days_and_crosses_a_price_change_day_by_day(w, today):
    """17.7.-31.7. = 15 days; a list of 90.00 from 25.7. pays 8 days at 95.00 (capped at 100.00)
    and 7 at 90.00: 760.00 + 630.00, own share 8 x 5.00."""
    pid, admin, e = assisted(w, today, on=date(2015, 8, 1))
    w.price_list(pid, LIVING, {CARE_DAY: "90.00"}, date(2015, 7, 25))
    status, _, body = w.record(admin, e.decision_number, first_day="2015-07-17", last_day="2015-07-31")
    assert status == 201, body
    assert body["quantity"] == "15.00" and len(body["lines"]) == 15
    assert body["value"] == "1390.00" and body["own_share"] == "40.00" and body["price_total"] == "1430.00"
    status, _, body = w.record(admin, e.decision_number, first_day="2015-07-31", last_day="2015-07-31")
    assert status == 409 and "31.7.2015" in body["detail"]
    status, _, body = w.record(admin, e.decision_number, first_day="2015-07-30", last_day="2015-08-02")
    assert status == 422 and "body.last_day" in fields(body)


def test_interruption_worked_example_return_day_paid_once(w, today):
    """Seed K4.3.5.1: present 1.7.2015; hospital from 2.7.; back 17.7.; attendance 17.7.-31.7.
    The interruption pays 2.7.-12.7. and 17.7. at 100 %, 13.7.-16.7. at 0 %; the attendance event
    shows 17.7. as paid in the interruption: 1.7. + 12 interruption days + 14 attendance days."""
    pid, admin, e = assisted(w, today, on=date(2015, 7, 20))
    dn = e.decision_number
    status, _, present = w.record(admin, dn, first_day="2015-07-01")
    assert status == 201 and present["value"] == "95.00"
    status, _, i = w.call(
        "POST",
        "/v1/interruptions",
        admin,
        body={"decision_number": dn, "reason": "hospital", "departure_day": "2015-07-02"},
    )
    assert status == 201 and i["status"] == "draft" and i["days"] == [] and i["value"] == "0.00"
    # while the customer is away, attendance is refused
    status, _, body = w.record(admin, dn, first_day="2015-07-10", last_day="2015-07-12")
    assert status == 409 and i["id"] in body["detail"]
    # the return day cannot be in the future
    status, _, body = w.call(
        "PATCH", f"/v1/interruptions/{i['id']}", admin, body={"version": i["version"], "return_day": "2015-07-21"}
    )
    assert status == 422 and "body.return_day" in fields(body)
    today(date(2015, 8, 1))
    status, _, ended = w.call(
        "PATCH",
        f"/v1/interruptions/{i['id']}",
        admin,
        body={"version": i["version"], "return_day": "2015-07-17", "record": True},
    )
    assert status == 200, ended
    assert ended["status"] == "recorded" and len(ended["days"]) == 16
    percents = {d["on"]: d["percent"] for d in ended["days"]}
    assert percents["2015-07-02"] == 100 and percents["2015-07-12"] == 100
    assert all(percents[f"2015-07-{d}"] == 0 for d in (13, 14, 15, 16)) and percents["2015-07-17"] == 100
    assert ended["value"] == "1140.00"  # 12 paid days x 95.00
    status, _, rest = w.record(admin, dn, first_day="2015-07-17", last_day="2015-07-31")
    assert status == 201, rest
    assert rest["quantity"] == "15.00" and rest["value"] == "1330.00"  # 14 x 95.00; 17.7. paid in the interruption
    line17 = next(x for x in rest["lines"] if x["on"] == "2015-07-17")
    assert line17["paid_elsewhere"] == i["id"] and line17["municipality"] == "0.00"
    total = Money(present["value"]) + Money(ended["value"]) + Money(rest["value"])
    assert total == Money("2565.00")  # 27 paid days x 95.00: 1.7., 2.-12.7., 17.7.-31.7.
    # removing the interruption gives the day back to the attendance event
    v = w.repos.events.get_interruption(i["id"]).version
    status, _, _ = w.call("DELETE", f"/v1/interruptions/{i['id']}", admin, query={"version": str(v)})
    assert status == 204
    again = w.repos.events.get(rest["id"])
    assert again.value == Money("1425.00") and all(not x.paid_elsewhere for x in again.lines)


def test_interruption_rules_refusals(w, today):
    pid, admin, e = assisted(w, today, on=date(2015, 7, 20))
    dn = e.decision_number
    w.record(admin, dn, first_day="2015-07-01", last_day="2015-07-10")
    body = {"decision_number": dn, "reason": "hospital", "departure_day": "2015-07-05"}
    status, _, out = w.call("POST", "/v1/interruptions", admin, body=body)
    assert status == 409 and "shorten" in out["detail"]
    status, _, out = w.call(
        "POST", "/v1/interruptions", admin, body={**body, "departure_day": "2015-07-15", "record": True}
    )
    assert status == 422 and "body.return_day" in fields(out)
    # a service without day units takes no interruptions
    _, admin2, e2 = home_care(w, today)
    status, _, out = w.call(
        "POST",
        "/v1/interruptions",
        admin2,
        body={"decision_number": e2.decision_number, "reason": "holiday", "departure_day": "2016-03-08"},
    )
    assert status == 422 and "body.reason" in fields(out)


def test_balance_voucher_event_over_the_balance_waits(w, today):
    """250.00 EUR a month at 20.00 EUR/h subsidy: 12 h = 240.00 fits; one more hour would make
    260.00 and waits for approval."""
    today(date(2026, 11, 20))
    pid, sites, admin = w.provider(ERRANDS, {ERRANDS: "25.00"})
    e = w.entitlement(
        pid,
        service=ERRANDS,
        kind="balance_voucher",
        balance={
            "total_euros": "250.00",
            "recurrence": "month",
            "contents": [{"content_id": ERRANDS, "subsidy": "20.00"}],
        },
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    )
    status, _, a = w.record(admin, e.decision_number, first_day="2026-11-02", start_time="08:00", end_time="20:00")
    assert status == 201, a
    assert a["value"] == "240.00" and a["own_share"] == "60.00" and a["status"] == "recorded"
    status, _, b = w.record(admin, e.decision_number, first_day="2026-11-03", start_time="08:00", end_time="09:00")
    assert status == 201 and b["status"] == "pending_approval" and "250.00 EUR" in b["overrun"]["message"]


def test_team_and_roles(w, today, repos):
    pid, admin, e = home_care(w, today)
    muni = claims_for("municipality_admin")
    status, _, body = w.record(muni, e.decision_number, first_day="2016-03-08", start_time="09:00", end_time="10:00")
    assert status == 403
    status, _, body = w.call("GET", "/v1/events", muni, query={"month": "2016-03"})
    assert status == 422 and "query.provider_id" in fields(body)
    status, _, body = w.call("GET", "/v1/events", muni, query={"month": "2016-03", "provider_id": pid})
    assert status == 200


def _unused():  # pragma: no cover
    return timedelta


def test_a_retried_post_with_the_same_idempotency_key_makes_one_event(w, today):
    pid, admin, e = home_care(w, today)
    body = {"decision_number": e.decision_number, "first_day": "2016-03-09", "start_time": "13:00", "end_time": "14:00"}

    def post(key: str):
        ev = event("POST", "/v1/events", body=body, claims=admin, headers={"Idempotency-Key": key})
        return call(w.handler, ev)

    s1, _, first = post("5b1c7a52-0d7e-4c1e-9a5e-0c3a1f6d9e11")
    s2, _, again = post("5b1c7a52-0d7e-4c1e-9a5e-0c3a1f6d9e11")
    assert (s1, s2) == (201, 200) and again["id"] == first["id"]
    s3, _, bad = post(" ")
    assert s3 == 422 and bad["errors"][0]["field"] == "header.Idempotency-Key"
    # without the header the same times are an overlap, not a second event
    s4, _, clash = w.record(admin, e.decision_number, first_day="2016-03-09", start_time="13:00", end_time="14:00")
    assert s4 == 409 and first["id"] in clash["detail"]


def test_a_reservation_with_drafts_cannot_be_cancelled_until_they_go(w, today, fn):
    """Drafts would be left where nobody can reach them (editing needs the reservation)."""
    pid, admin, e = home_care(w, today)
    _, _, draft = w.record(
        admin, e.decision_number, first_day="2016-03-08", start_time="09:00", end_time="10:00", draft=True
    )
    res = w.repos.entitlements.with_reservations(e.decision_number)[1][0]
    cancel = event("DELETE", f"/v1/reservations/{e.decision_number}", query={"version": str(res.version)}, claims=admin)
    status, _, body = call(fn("entitlements"), cancel)
    assert status == 409 and draft["id"] in body["detail"]
    w.call("DELETE", f"/v1/events/{draft['id']}", admin, query={"version": str(draft["version"])})
    status, _, body = call(fn("entitlements"), cancel)
    assert status == 200 and body["cancelled_at"]


def test_the_approval_queue_pages_with_a_signed_cursor(w, today):
    pid, admin, e = home_care(w, today, week_hours="1")
    for d in ("07", "08", "09"):
        w.record(admin, e.decision_number, first_day=f"2016-03-{d}", start_time="10:00", end_time="11:00")
    muni = claims_for("municipality_admin")
    seen, cursor = [], None
    for _ in range(50):
        query = {"limit": "1", **({"next": cursor} if cursor else {})}
        status, _, page = w.call("GET", "/v1/approvals", muni, query=query)
        assert status == 200 and len(page["items"]) <= 1
        seen += [x["id"] for x in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    mine = [x for x in seen if w.repos.events.get(x).decision_number == e.decision_number]
    assert len(mine) == 2 and len(seen) == len(set(seen))  # 8.3. and 9.3. went over 1 h a week
    status, _, bad = w.call("GET", "/v1/approvals", muni, query={"next": "forged"})
    assert status == 422 and bad["errors"][0]["field"] == "query.next"
