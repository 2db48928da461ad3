"""What a provider's reminder lists (spec 11): drafts and unconfirmed automatic events of month M,
open interruptions begun by the end of M; the deadline; and the run key (one run per day)."""

from __future__ import annotations

from datetime import date

from seteli.rules import reminders as r
from seteli.rules.auto_events import Rec
from seteli.services.reminders import run_key

OCT = "2026-10"


def rec(kind="event", rid="ev-1", dn="D1", first=date(2026, 10, 5), last=date(2026, 10, 5), status="draft", auto=False):
    return Rec(
        kind=kind,
        id=rid,
        decision_number=dn,
        content_id="c",
        service_id="s",
        part_id=None,
        first_day=first,
        last_day=last,
        status=status,
        auto=auto,
    )


def test_nothing_missing_is_no_reminder():
    assert r.reminder(OCT, [rec(status="recorded")], [rec("interruption", status="recorded")], 2) is None
    assert r.reminder(OCT, [], [], 2) is None


def test_drafts_auto_events_and_open_interruptions_are_listed_and_counted():
    events = [
        rec(rid="ev-a", dn="D2", first=date(2026, 10, 1), last=date(2026, 10, 31), auto=True),
        rec(rid="ev-b", dn="D1"),
        rec(rid="ev-c", status="recorded"),
        rec(rid="ev-d", status="pending_approval"),
    ]
    interruptions = [
        rec("interruption", "int-1", "D3", first=date(2026, 10, 20), last=None),
        rec("interruption", "int-2", "D4", first=date(2026, 10, 2), last=date(2026, 10, 9)),  # ended, not confirmed
        rec("interruption", "int-3", "D5", first=date(2026, 10, 2), last=date(2026, 10, 9), status="recorded"),
        rec("interruption", "int-4", "D6", first=date(2026, 11, 1), last=None),  # November's
    ]
    rem = r.reminder(OCT, events, interruptions, 2)
    assert rem is not None
    assert (rem.auto, rem.drafts, rem.interruptions) == (1, 1, 2)
    assert [(m.kind, m.record_id, m.decision_number, m.days) for m in rem.items] == [
        ("auto", "ev-a", "D2", "1.10.2026-31.10.2026"),
        ("draft", "ev-b", "D1", "5.10.2026"),
        ("interruption", "int-1", "D3", "20.10.2026-"),
        ("interruption", "int-2", "D4", "2.10.2026-9.10.2026"),
    ]


def test_an_old_open_interruption_is_still_listed():
    rem = r.reminder(OCT, [], [rec("interruption", "int-9", first=date(2026, 3, 1), last=None)], 2)
    assert rem is not None and rem.interruptions == 1


def test_events_of_another_month_are_not_listed():
    assert r.reminder(OCT, [rec(first=date(2026, 11, 1), last=date(2026, 11, 1))], [], 2) is None


def test_deadline_is_the_provider_deadline_day_of_the_next_month():
    assert r.deadline(OCT, 2) == date(2026, 11, 2)
    assert r.deadline("2026-12", 2) == date(2027, 1, 2)
    assert r.deadline("2026-01", 5) == date(2026, 2, 5)


def test_one_run_per_reminder_day():
    assert run_key(OCT, date(2026, 11, 1)) == "2026-10#01"
    assert run_key(OCT, date(2026, 11, 2)) == "2026-10#02"
