"""The reports' rules: realisation with incomplete and pending units, settled money and own share;
interruption days grouped by band; Finnish CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime

from seteli.domain.entitlements import Entitlement, EntitlementRow
from seteli.domain.events import EventStatus, Interruption, InterruptionDay
from seteli.domain.money import Money
from seteli.rules import reports as rules
from tests.factories import service_event

AT = datetime(2026, 10, 1, tzinfo=UTC)


def ev(day: int, status=EventStatus.recorded, quantity="2", **kw):
    return service_event(
        date(2026, 10, day), quantity=quantity, status=status, decision_number="D-1", content_id="weekday", **kw
    )


def entitlement() -> Entitlement:
    return Entitlement(
        decision_number="D-1", kind="voucher", customer_id="cus-1", service_id="home-care",
        decision_date=date(2026, 1, 1), valid_from=date(2026, 1, 1), home_municipality="Kouvola",
        rows=[EntitlementRow(content_id="weekday", amount="10", period="week", unit_value="32.00")],
        verification_code="X", citizen_code="Y", created_at=AT, created_by="cw", updated_at=AT,
    )  # fmt: skip


def test_realisation_counts_used_settled_pending_and_incomplete_units():
    events = [
        ev(1, EventStatus.settled),
        ev(2, EventStatus.recorded),
        ev(3, EventStatus.pending_approval, quantity="1.5"),
        ev(4, EventStatus.draft, quantity="3"),
        ev(5, EventStatus.draft, quantity="1", auto=True),
        ev(6, EventStatus.rejected),
    ]
    rows, total = rules.realisation(events, [], {"D-1": entitlement()})
    (row,) = rows
    assert row.granted == "10.00 hour / week"
    assert row.used == 5.5  # settled 2 + recorded 2 + pending 1.5 (rejected and drafts are not used)
    assert row.pending == 1.5 and row.incomplete == 4  # drafts, the automatic one too
    assert row.settled == Money("64.00") and total.settled == Money("64.00")  # only the settled event
    assert row.own_share == Money("11.00")  # 5.5 h x (34.00 - 32.00)


def interruption() -> Interruption:
    pct = [100] * 11 + [0] * 4 + [100]  # day 0, days 1-10, days 11-14, return day
    days = [
        InterruptionDay(on=date(2026, 10, 2 + n), day_number=n, return_day=n == 15, percent=p,
                        attendance_value=Money("95.00"), municipality=Money("95.00") if p else Money.zero())
        for n, p in enumerate(pct)
    ]  # fmt: skip
    return Interruption(
        id="int-1", decision_number="D-2", customer_id="cus-2", service_id="assisted-living", content_id="care-day",
        provider_id="prv-1", status=EventStatus.recorded, reason="hospital", departure_day=date(2026, 10, 2),
        return_day=date(2026, 10, 17), rule_id="r", days=days, value=Money("1140.00"),
        created_at=AT, created_by="u", updated_at=AT, updated_by="u",
    )  # fmt: skip


def test_interruption_days_are_grouped_by_band_and_summed_by_reason():
    rows, summary = rules.interruptions([interruption()])
    assert [(b["band"], b["percent"], b["days"], b["value"]) for b in rows[0].bands] == [
        ("day 0", 100, 1, Money("95.00")),
        ("days 1-10", 100, 10, Money("950.00")),
        ("days 11-14", 0, 4, Money("0.00")),
        ("return day", 100, 1, Money("95.00")),
    ]
    assert [(s["percent"], s["days"]) for s in summary] == [(0, 4), (100, 12)]
    text = rules.interruptions_csv(rows)
    assert text.startswith("\ufeffKeskeytys;") and "days 11-14;0;4;0,00" in text


def test_realisation_csv_is_for_finnish_excel():
    rows, total = rules.realisation([ev(1, EventStatus.settled)], [interruption()], {"D-1": entitlement()})
    text = rules.realisation_csv(rows, total)
    assert text.startswith("\ufeffPäätös;") and "64,00" in text and "Yhteensä" in text and "1140,00" in text
    assert rules.month_span("2026-11", "2026-12") == (date(2026, 11, 1), date(2026, 12, 31))
