"""The automatic events rule (spec 11, seed 003 K4.3.2): which content rows get a draft for month M,
on which days, part, recorder and giver; and why the others do not."""

from __future__ import annotations

from datetime import date

import pytest

from seteli.rules import auto_events as r

PID = "prv-1"
OCT = "2026-10"
LIVING, CARE = "assisted-living", "care-day"
AUTO = {(LIVING, CARE)}


def ev(dn="D1", first=date(2026, 9, 1), last=date(2026, 9, 30), *, cid=CARE, service=LIVING, part="site-1", **kw):
    base = {
        "kind": "event",
        "id": f"ev-{dn}-{first.isoformat()}",
        "decision_number": dn,
        "content_id": cid,
        "service_id": service,
        "part_id": part,
        "first_day": first,
        "last_day": last,
        "status": "recorded",
        "giver": "Hoitaja Helmi",
        "created_by": "user-sub-1",
    }
    return r.Rec(**{**base, **kw})


def intr(dn="D1", departure=date(2026, 9, 20), back=None, *, status="draft", part="site-1", iid="int-1"):
    return r.Rec(
        kind="interruption",
        id=iid,
        decision_number=dn,
        content_id=CARE,
        service_id=LIVING,
        part_id=part,
        first_day=departure,
        last_day=back,
        status=status,
    )


def valid(start=date(2026, 1, 1), last=None, reserved=(PID,)):
    return r.Validity(start, last, frozenset(reserved))


def plan(previous, current=(), interruptions=(), validities=None, month=OCT):
    return r.plan(PID, month, previous, current, interruptions, validities or {"D1": valid()}, AUTO)


def only_draft(p: r.Plan) -> r.Draft:
    assert not p.skipped, p.skipped
    (d,) = p.drafts
    return d


def reasons(p: r.Plan) -> list[str]:
    return [s.reason for s in p.skipped]


# ---------------------------------------------------------------- the seed's rule


def test_an_event_in_the_previous_month_gives_a_draft_for_the_whole_month():
    d = only_draft(plan([ev()]))
    assert (d.first_day, d.last_day, d.days) == (date(2026, 10, 1), date(2026, 10, 31), 31)
    assert d.part_id == "site-1" and d.giver == "Hoitaja Helmi" and d.created_by == "user-sub-1"
    assert d.decision_number == "D1" and d.content_id == CARE and d.service_id == LIVING


def test_part_is_the_latest_records_and_giver_the_latest_events():
    """Two events in September at different parts: the later one's part, giver and recorder."""
    early = ev(first=date(2026, 9, 1), last=date(2026, 9, 14), part="site-1", giver="A", created_by="u-a")
    late = ev(first=date(2026, 9, 15), last=date(2026, 9, 30), part="site-2", giver="B", created_by="u-b")
    d = only_draft(plan([late, early]))
    assert (d.part_id, d.giver, d.created_by, d.based_on) == ("site-2", "B", "u-b", late.id)


def test_a_later_completed_interruption_gives_the_part():
    """The latest record may be an interruption (seed: "keskeytys- tai tapahtumakirjaus")."""
    stay = ev(first=date(2026, 9, 1), last=date(2026, 9, 19), part="site-1")
    away = intr(departure=date(2026, 9, 20), back=date(2026, 9, 25), status="recorded", part="site-3")
    back = ev(first=date(2026, 9, 25), last=date(2026, 9, 26), part="site-1")
    d = only_draft(plan([stay, back], interruptions=[away]))
    assert d.part_id == "site-1"  # the event from the return day is later than the interruption
    d = only_draft(plan([stay], interruptions=[away]))
    assert d.part_id == "site-3"


def test_no_event_in_the_previous_month_no_draft():
    assert plan([ev(first=date(2026, 8, 1), last=date(2026, 8, 31))], month="2026-11").drafts == []


def test_only_day_units_of_services_with_auto_events():
    hours = ev(cid="home-care-weekday", service="home-care", unit="hour")
    other_service = ev(service="home-care")
    assert plan([hours, other_service]) == r.Plan()


def test_events_already_in_the_month_skip_it():
    p = plan([ev()], current=[ev(first=date(2026, 10, 1), last=date(2026, 10, 3))])
    assert p.drafts == [] and reasons(p) == [r.HAS_EVENTS]


def test_a_rejected_event_counts_for_neither_month():
    assert plan([ev(status="rejected")]) == r.Plan()
    d = only_draft(plan([ev()], current=[ev(first=date(2026, 10, 1), last=date(2026, 10, 3), status="rejected")]))
    assert d.days == 31


def test_a_draft_interruption_skips_it():
    p = plan([ev(last=date(2026, 9, 19))], interruptions=[intr(departure=date(2026, 9, 20))])
    assert p.drafts == [] and reasons(p) == [r.OPEN_INTERRUPTION]
    # ended but not confirmed is still a draft
    p = plan([ev(last=date(2026, 9, 19))], interruptions=[intr(back=date(2026, 9, 25), status="draft")])
    assert reasons(p) == [r.OPEN_INTERRUPTION]


def test_another_contents_interruption_does_not_skip():
    other = r.Rec(**{**intr().__dict__, "decision_number": "D2"})
    assert only_draft(plan([ev()], interruptions=[other])).days == 31


def test_the_entitlement_must_exist_and_be_reserved_by_the_provider():
    assert reasons(plan([ev()], validities={"D9": valid()})) == [r.NO_ENTITLEMENT]
    assert reasons(plan([ev()], validities={"D1": valid(reserved=("prv-other",))})) == [r.NOT_RESERVED]


def test_one_draft_per_content_row():
    p = plan(
        [ev(first=date(2026, 9, 1), last=date(2026, 9, 10)), ev(first=date(2026, 9, 11), last=date(2026, 9, 30))]
        + [ev("D2")],
        validities={"D1": valid(), "D2": valid()},
    )
    assert [(d.decision_number, d.days) for d in p.drafts] == [("D1", 31), ("D2", 31)]


# ---------------------------------------------------------------- clipping (beyond the seed)


def test_validity_ending_on_the_15th_clips_the_last_day():
    d = only_draft(plan([ev()], validities={"D1": valid(last=date(2026, 10, 15))}))
    assert (d.first_day, d.last_day, d.days) == (date(2026, 10, 1), date(2026, 10, 15), 15)


def test_a_death_on_the_20th_ends_the_draft_on_the_20th():
    """A recorded death closes the entitlement at death + 1 (closed_on 21.10.): the last valid day
    is the 20th (``rules.entitlements.last_valid_day``), so the draft ends on the 20th."""
    from datetime import UTC, datetime

    from seteli.domain.entitlements import Entitlement
    from seteli.rules.entitlements import last_valid_day

    at = datetime(2026, 1, 1, tzinfo=UTC)
    e = Entitlement(
        decision_number="D1",
        kind="voucher",
        customer_id="c",
        service_id=LIVING,
        decision_date=date(2026, 1, 1),
        valid_from=date(2026, 1, 1),
        home_municipality="X",
        verification_code="x",
        citizen_code="y",
        closed_on=date(2026, 10, 21),
        reserved_by=[PID],
        created_at=at,
        created_by="cw",
        updated_at=at,
    )
    d = only_draft(plan([ev()], validities={"D1": valid(last=last_valid_day(e))}))
    assert (d.first_day, d.last_day) == (date(2026, 10, 1), date(2026, 10, 20))


def test_validity_starting_on_the_10th_clips_the_first_day():
    d = only_draft(plan([ev()], validities={"D1": valid(start=date(2026, 10, 10))}))
    assert (d.first_day, d.last_day, d.days) == (date(2026, 10, 10), date(2026, 10, 31), 22)


def test_validity_over_before_the_month_skips_it():
    p = plan([ev()], validities={"D1": valid(last=date(2026, 9, 30))})
    assert p.drafts == [] and reasons(p) == [r.NOT_VALID]
    p = plan([ev()], validities={"D1": valid(start=date(2026, 11, 1))})
    assert reasons(p) == [r.NOT_VALID]


def test_an_interruption_from_before_the_month_starts_it_on_the_return_day():
    away = intr(departure=date(2026, 9, 25), back=date(2026, 10, 3), status="recorded")
    d = only_draft(plan([ev(last=date(2026, 9, 24))], interruptions=[away]))
    assert (d.first_day, d.last_day) == (date(2026, 10, 3), date(2026, 10, 31))


def test_an_interruption_ending_on_the_1st_starts_the_draft_on_the_1st():
    away = intr(departure=date(2026, 9, 25), back=date(2026, 10, 1), status="recorded")
    d = only_draft(plan([ev(last=date(2026, 9, 24))], interruptions=[away]))
    assert d.first_day == date(2026, 10, 1)


def test_an_interruption_starting_inside_the_month_is_left_to_the_provider():
    away = intr(departure=date(2026, 10, 2), back=date(2026, 10, 3), status="recorded")
    p = plan([ev()], interruptions=[away])
    assert p.drafts == [] and reasons(p) == [r.INTERRUPTION_IN_MONTH]


def test_an_interruption_after_a_validity_end_does_not_matter():
    away = intr(departure=date(2026, 10, 20), back=date(2026, 10, 22), status="recorded")
    d = only_draft(plan([ev()], interruptions=[away], validities={"D1": valid(last=date(2026, 10, 15))}))
    assert d.last_day == date(2026, 10, 15)


# ---------------------------------------------------------------- ids and months


def test_the_id_is_fixed_by_content_and_month():
    a = r.auto_event_id("D1", CARE, OCT)
    assert a == r.auto_event_id("D1", CARE, OCT) and a.startswith("ev-auto-")
    assert len({a, r.auto_event_id("D1", CARE, "2026-11"), r.auto_event_id("D2", CARE, OCT)}) == 3
    assert r.auto_event_id("D1", "x", OCT) != a


@pytest.mark.parametrize(
    ("month", "prev", "bounds"),
    [
        ("2026-01", "2025-12", (date(2026, 1, 1), date(2026, 1, 31))),
        ("2028-02", "2028-01", (date(2028, 2, 1), date(2028, 2, 29))),
        ("2026-03", "2026-02", (date(2026, 3, 1), date(2026, 3, 31))),
    ],
)
def test_months(month, prev, bounds):
    assert r.previous_month(month) == prev and r.month_bounds(month) == bounds


def test_needs_entitlements_reads_only_what_the_records_leave_open():
    current = [ev("D2", first=date(2026, 10, 1), last=date(2026, 10, 2))]
    interruptions = [intr("D3")]
    previous = [ev("D1"), ev("D2"), ev("D3"), ev("D4", cid="x", service="home-care")]
    assert r.needs_entitlements(OCT, previous, current, interruptions, AUTO) == {"D1"}


# ---------------------------------------------------------------- the client's filter


def test_client_event_list_auto_asks_for_the_automatic_events(tmp_path, monkeypatch, capsys):
    import httpx

    from tests import client_fakes

    client_fakes.isolate(tmp_path, monkeypatch)
    client_fakes.sign_in()
    seen = []

    def api(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.url.params))
        return httpx.Response(200, json={"items": [], "next": None})

    assert client_fakes.run(api, "event", "list", "--month", "2026-10", "--status", "draft", "--auto") == 0
    assert seen[-1] == {"month": "2026-10", "status": "draft", "auto": "true"}
    assert client_fakes.run(api, "event", "list", "--month", "2026-10") == 0
    assert "auto" not in seen[-1]
