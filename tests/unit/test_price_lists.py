"""Price lists (spec section 5): the list valid on the event's date prices it, day by day."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from seteli.domain.money import Money
from seteli.rules.price_lists import (
    PriceLevel,
    PriceList,
    PriceListStatus,
    approval_problems,
    can_publish,
    check_new_list,
    price_days,
    price_on,
    publish_problems,
    sites_without_prices,
    validity,
)

PROVIDER = "prov-1"
SERVICE = "svc-tehostettu"
SITE = "site-1"
OTHER_SITE = "site-2"
DAY = "content-day"
EXTRA = "content-extra"


def make(
    id_: str,
    starts_on: date,
    prices: dict[str, str],
    *,
    level: PriceLevel = PriceLevel.part,
    part_id: str | None = SITE,
    status: PriceListStatus = PriceListStatus.approved,
    provider_id: str = PROVIDER,
    service_id: str = SERVICE,
) -> PriceList:
    return PriceList(
        id=id_,
        provider_id=provider_id,
        service_id=service_id,
        level=level,
        part_id=part_id if level is PriceLevel.part else None,
        name=f"Hinnasto {id_}",
        starts_on=starts_on,
        prices={k: Money(v) for k, v in prices.items()},
        status=status,
    )


def company(id_: str, starts_on: date, prices: dict[str, str], **kw) -> PriceList:
    return make(id_, starts_on, prices, level=PriceLevel.company, part_id=None, **kw)


LIST_A = make("A", date(2015, 1, 1), {DAY: "100.00"})
LIST_B = make("B", date(2016, 1, 1), {DAY: "110.00"})


# --- the spec example (K1.3.7) -----------------------------------------------------------------


def test_event_before_price_change_recorded_after_it_uses_the_old_list():
    # Given list A from 1.1.2015 and list B from 1.1.2016 for the same site
    # When an event on 15.12.2015 is priced (it was recorded on 10.1.2016, which does not matter)
    r = price_on([LIST_A, LIST_B], PROVIDER, SERVICE, DAY, SITE, date(2015, 12, 15))
    # Then list A's price is used
    assert r is not None
    assert r.price_list.id == "A"
    assert r.price == Money("100.00")
    assert r.from_part is True


def test_event_after_price_change_uses_the_new_list():
    r = price_on([LIST_A, LIST_B], PROVIDER, SERVICE, DAY, SITE, date(2016, 1, 2))
    assert r is not None
    assert (r.price_list.id, r.price) == ("B", Money("110.00"))


def test_no_price_before_the_first_list_starts():
    assert price_on([LIST_A, LIST_B], PROVIDER, SERVICE, DAY, SITE, date(2014, 12, 31)) is None


def test_validity_runs_until_the_day_before_the_next_list_and_the_last_is_open_ended():
    # Given B and A in any order, when validity is asked, then A ends 31.12.2015 and B is open-ended
    assert validity([LIST_B, LIST_A], PROVIDER, SERVICE, PriceLevel.part, SITE) == [
        (LIST_A, date(2015, 1, 1), date(2015, 12, 31)),
        (LIST_B, date(2016, 1, 1), None),
    ]


def test_day_range_crossing_a_price_change_is_priced_day_by_day():
    # Given A and B, when 30.12.2015-2.1.2016 is priced, then the days are A, A, B, B
    days = price_days([LIST_A, LIST_B], PROVIDER, SERVICE, DAY, SITE, date(2015, 12, 30), date(2016, 1, 2))
    assert days == [
        (date(2015, 12, 30), Money("100.00")),
        (date(2015, 12, 31), Money("100.00")),
        (date(2016, 1, 1), Money("110.00")),
        (date(2016, 1, 2), Money("110.00")),
    ]
    assert sum((p for _, p in days), Money.zero()) == Money("420.00")


def test_day_range_before_the_first_list_has_no_price_on_those_days():
    days = price_days([LIST_A], PROVIDER, SERVICE, DAY, SITE, date(2014, 12, 31), date(2015, 1, 1))
    assert days == [(date(2014, 12, 31), None), (date(2015, 1, 1), Money("100.00"))]


def test_day_range_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="before it starts"):
        price_days([LIST_A], PROVIDER, SERVICE, DAY, SITE, date(2016, 1, 2), date(2016, 1, 1))


# --- levels, drafts, conflicts -----------------------------------------------------------------


def test_part_level_list_wins_over_company_level_on_the_same_date():
    # Given a company list and a site list both valid on 1.6.2015
    lists = [company("C", date(2015, 1, 1), {DAY: "90.00"}), make("P", date(2015, 3, 1), {DAY: "95.00"})]
    # When the site's price is asked, then the site list wins
    r = price_on(lists, PROVIDER, SERVICE, DAY, SITE, date(2015, 6, 1))
    assert r is not None
    assert (r.price_list.id, r.price, r.level, r.from_part) == ("P", Money("95.00"), PriceLevel.part, True)
    # And before the site list starts the company list applies
    r = price_on(lists, PROVIDER, SERVICE, DAY, SITE, date(2015, 2, 28))
    assert r is not None
    assert (r.price_list.id, r.price, r.from_part) == ("C", Money("90.00"), False)


def test_company_list_applies_at_another_part():
    lists = [company("C", date(2015, 1, 1), {DAY: "90.00"}), make("P", date(2015, 1, 1), {DAY: "95.00"})]
    r = price_on(lists, PROVIDER, SERVICE, DAY, OTHER_SITE, date(2015, 6, 1))
    assert r is not None
    assert (r.price_list.id, r.price) == ("C", Money("90.00"))
    # and with no part given only the company level is looked at
    r = price_on(lists, PROVIDER, SERVICE, DAY, None, date(2015, 6, 1))
    assert r is not None
    assert r.price_list.id == "C"


def test_part_list_lacking_a_content_falls_back_to_the_company_list_for_that_content():
    # Given a site list pricing only DAY and a company list pricing DAY and EXTRA
    lists = [
        company("C", date(2015, 1, 1), {DAY: "90.00", EXTRA: "12.50"}),
        make("P", date(2015, 1, 1), {DAY: "95.00"}),
    ]
    on = date(2015, 6, 1)
    # Then DAY comes from the site list and EXTRA from the company list
    assert price_on(lists, PROVIDER, SERVICE, DAY, SITE, on).price == Money("95.00")
    extra = price_on(lists, PROVIDER, SERVICE, EXTRA, SITE, on)
    assert extra is not None
    assert (extra.price_list.id, extra.price) == ("C", Money("12.50"))


def test_superseded_part_list_is_not_revived_for_a_content_the_new_one_lacks():
    # Given site list P1 pricing EXTRA superseded by P2 that does not, and no company list
    lists = [make("P1", date(2015, 1, 1), {DAY: "95.00", EXTRA: "10.00"}), make("P2", date(2016, 1, 1), {DAY: "99.00"})]
    assert price_on(lists, PROVIDER, SERVICE, EXTRA, SITE, date(2015, 12, 31)).price == Money("10.00")
    # Then from P2's start EXTRA has no price
    assert price_on(lists, PROVIDER, SERVICE, EXTRA, SITE, date(2016, 1, 1)) is None


def test_drafts_never_count():
    draft = make("D", date(2015, 6, 1), {DAY: "200.00"}, status=PriceListStatus.draft)
    r = price_on([LIST_A, draft], PROVIDER, SERVICE, DAY, SITE, date(2015, 7, 1))
    assert r is not None
    assert r.price_list.id == "A"
    assert price_on([draft], PROVIDER, SERVICE, DAY, SITE, date(2015, 7, 1)) is None
    assert validity([draft], PROVIDER, SERVICE, PriceLevel.part, SITE) == []


def test_other_providers_and_services_are_ignored():
    lists = [
        make("X", date(2015, 1, 1), {DAY: "1.00"}, provider_id="prov-2"),
        make("Y", date(2015, 1, 1), {DAY: "2.00"}, service_id="svc-other"),
    ]
    assert price_on(lists, PROVIDER, SERVICE, DAY, SITE, date(2015, 6, 1)) is None


def test_two_approved_lists_with_the_same_start_are_a_conflict_naming_both():
    twin = make("A2", date(2015, 1, 1), {DAY: "101.00"})
    with pytest.raises(ValueError, match="A") as exc:
        validity([LIST_A, twin, LIST_B], PROVIDER, SERVICE, PriceLevel.part, SITE)
    assert "A2" in str(exc.value)
    assert "price lists A and A2" in str(exc.value)
    with pytest.raises(ValueError, match="A2"):
        price_on([LIST_A, twin], PROVIDER, SERVICE, DAY, SITE, date(2015, 6, 1))


def test_same_start_at_different_levels_or_parts_is_no_conflict():
    lists = [
        LIST_A,
        company("C", date(2015, 1, 1), {DAY: "90.00"}),
        make("O", date(2015, 1, 1), {DAY: "1.00"}, part_id=OTHER_SITE),
    ]
    assert [iv[0].id for iv in validity(lists, PROVIDER, SERVICE, PriceLevel.part, SITE)] == ["A"]
    assert [iv[0].id for iv in validity(lists, PROVIDER, SERVICE, PriceLevel.company, None)] == ["C"]


def test_level_and_part_must_agree():
    with pytest.raises(ValidationError):
        PriceList(
            id="x",
            provider_id=PROVIDER,
            service_id=SERVICE,
            level="part",
            part_id=None,
            name="n",
            starts_on=date(2015, 1, 1),
            prices={DAY: "1.00"},
        )
    with pytest.raises(ValidationError):
        PriceList(
            id="x",
            provider_id=PROVIDER,
            service_id=SERVICE,
            level="company",
            part_id=SITE,
            name="n",
            starts_on=date(2015, 1, 1),
            prices={DAY: "1.00"},
        )
    with pytest.raises(ValueError):
        validity([LIST_A], PROVIDER, SERVICE, PriceLevel.part, None)


def test_prices_are_decimal_strings_never_floats():
    pl = PriceList(
        id="x",
        provider_id=PROVIDER,
        service_id=SERVICE,
        level="company",
        name="n",
        starts_on=date(2015, 1, 1),
        prices={DAY: "32.50"},
    )
    assert pl.prices[DAY] == Money("32.50")
    assert pl.status is PriceListStatus.draft
    with pytest.raises(ValidationError):
        PriceList(
            id="x",
            provider_id=PROVIDER,
            service_id=SERVICE,
            level="company",
            name="n",
            starts_on=date(2015, 1, 1),
            prices={DAY: 32.5},
        )


# --- check_new_list ----------------------------------------------------------------------------


def test_a_new_list_starting_after_the_current_one_has_no_problems():
    new = make("C", date(2017, 1, 1), {DAY: "120.00"}, status=PriceListStatus.draft)
    assert check_new_list([LIST_A, LIST_B], new) == []


@pytest.mark.parametrize("starts_on", [date(2016, 1, 1), date(2015, 6, 1), date(2014, 1, 1)])
def test_a_new_list_must_start_after_the_current_one(starts_on):
    new = make("C", starts_on, {DAY: "120.00"}, status=PriceListStatus.draft)
    problems = check_new_list([LIST_A, LIST_B], new)
    assert len(problems) == 1
    assert "2016-01-01" in problems[0]
    assert "B" in problems[0]


def test_start_date_is_only_compared_within_the_same_level_and_part_and_with_approved_lists():
    new = make("C", date(2015, 6, 1), {DAY: "120.00"}, part_id=OTHER_SITE, status=PriceListStatus.draft)
    draft = make("D", date(2018, 1, 1), {DAY: "1.00"}, part_id=OTHER_SITE, status=PriceListStatus.draft)
    assert check_new_list([LIST_A, LIST_B, draft], new) == []


def test_an_approved_list_is_never_edited():
    edited = make("B", date(2017, 1, 1), {DAY: "130.00"}, status=PriceListStatus.draft)
    problems = check_new_list([LIST_A, LIST_B], edited)
    assert len(problems) == 1
    assert "cannot be edited" in problems[0]


def test_empty_blank_and_negative_prices_are_problems():
    assert check_new_list([], make("E", date(2015, 1, 1), {})) == ["the price list prices no service content"]
    problems = check_new_list([], make("N", date(2015, 1, 1), {DAY: "-0.01", " ": "1.00", EXTRA: "0.00"}))
    assert problems == ["the price of content-day is negative (-0.01)", "a price has an empty service content id"]


# --- properties --------------------------------------------------------------------------------

EPOCH = date(2015, 1, 1)
SPAN = 2000


@st.composite
def approved_lists(draw):
    """Approved site-level lists with distinct random starts, each pricing DAY at a distinct price."""
    offsets = draw(st.lists(st.integers(0, SPAN), min_size=1, max_size=8, unique=True))
    return [
        make(f"L{i}", EPOCH + timedelta(days=off), {DAY: str(Money.from_cents(100_00 + i))})
        for i, off in enumerate(offsets)
    ]


query_dates = st.integers(-30, SPAN + 60).map(lambda off: EPOCH + timedelta(days=off))


@given(approved_lists(), st.lists(query_dates, min_size=1, max_size=20))
def test_property_no_gaps_every_date_after_the_first_start_has_exactly_one_list(lists, dates):
    intervals = validity(lists, PROVIDER, SERVICE, PriceLevel.part, SITE)
    earliest = min(pl.starts_on for pl in lists)
    for d in dates:
        covering = [pl.id for pl, first, last in intervals if first <= d and (last is None or d <= last)]
        assert len(covering) == (1 if d >= earliest else 0)


@given(approved_lists())
def test_property_no_overlaps_intervals_are_sorted_disjoint_and_contiguous(lists):
    intervals = validity(lists, PROVIDER, SERVICE, PriceLevel.part, SITE)
    assert len(intervals) == len(lists)
    assert [first for _, first, _ in intervals] == sorted(pl.starts_on for pl in lists)
    for (pl, first, last), (_, nxt_first, _) in zip(intervals, intervals[1:], strict=False):
        assert first == pl.starts_on
        assert last is not None and first <= last < nxt_first
        assert last + timedelta(days=1) == nxt_first
    assert intervals[-1][2] is None


@given(approved_lists(), query_dates)
def test_property_price_on_is_the_list_with_the_greatest_start_on_or_before_the_date(lists, on):
    started = [pl for pl in lists if pl.starts_on <= on]
    r = price_on(lists, PROVIDER, SERVICE, DAY, SITE, on)
    if not started:
        assert r is None
    else:
        expected = max(started, key=lambda pl: pl.starts_on)
        assert r is not None
        assert r.price_list.id == expected.id
        assert r.price == expected.prices[DAY]


@given(approved_lists(), query_dates, st.integers(0, 60))
def test_property_price_days_equals_price_on_for_each_day(lists, first, length):
    last = first + timedelta(days=length)
    days = price_days(lists, PROVIDER, SERVICE, DAY, SITE, first, last)
    expected = []
    for i in range(length + 1):
        d = first + timedelta(days=i)
        r = price_on(lists, PROVIDER, SERVICE, DAY, SITE, d)
        expected.append((d, r.price if r is not None else None))
    assert days == expected
    assert len(days) == length + 1


# --- sites_without_prices (an application's submit check) ---------------------------------------

DRAFT = PriceListStatus.draft


def test_a_company_level_list_covers_every_site_even_as_a_draft():
    lists = [company("C", date(2027, 1, 1), {DAY: "1.00"}, status=DRAFT)]
    assert sites_without_prices(lists, [SITE, OTHER_SITE]) == []


def test_a_site_is_covered_only_by_its_own_part_level_list():
    lists = [make("P", date(2027, 1, 1), {DAY: "1.00"}, status=DRAFT)]
    assert sites_without_prices(lists, [SITE, OTHER_SITE]) == [OTHER_SITE]
    assert sites_without_prices([], [OTHER_SITE, SITE, OTHER_SITE]) == [OTHER_SITE, SITE]
    assert sites_without_prices([LIST_A], []) == []


# --- publishing a new list (the provider, for an approved service) -------------------------------

TODAY = date(2026, 11, 23)


def draft(starts_on: date, prices: dict[str, str] | None = None, id_: str = "N") -> PriceList:
    return make(id_, starts_on, prices if prices is not None else {DAY: "120.00"}, status=DRAFT)


def test_a_draft_starting_after_today_and_after_the_current_list_may_be_published():
    assert can_publish(draft(TODAY + timedelta(days=1)), TODAY, None, [LIST_A, LIST_B]) == []


@pytest.mark.parametrize("starts_on", [TODAY, TODAY - timedelta(days=1)])
def test_no_retroactive_prices_a_published_list_starts_after_today(starts_on):
    problems = publish_problems(draft(starts_on), TODAY, None, [LIST_A, LIST_B])
    assert [f for f, _ in problems] == ["starts_on"]
    assert "after today (2026-11-23)" in problems[0][1]


def test_today_must_be_inside_the_rulebooks_price_change_window_inclusive():
    window = (date(2026, 10, 1), date(2026, 10, 31))
    new = draft(date(2027, 1, 1))
    for today in (date(2026, 10, 1), date(2026, 10, 31)):
        assert can_publish(new, today, window, []) == []
    for today in (date(2026, 9, 30), date(2026, 11, 1)):
        problems = publish_problems(new, today, window, [])
        assert [f for f, _ in problems] == ["window"]
        assert "2026-10-01" in problems[0][1] and "2026-10-31" in problems[0][1]


def test_the_same_start_as_an_approved_list_of_the_level_and_part_is_refused():
    current = make("CUR", date(2027, 1, 1), {DAY: "1.00"})
    problems = publish_problems(draft(date(2027, 1, 1)), TODAY, None, [current])
    assert [f for f, _ in problems] == ["starts_on"]
    assert "CUR" in problems[0][1]
    # another part or the company level may start that day
    other = make("O", date(2027, 1, 1), {DAY: "1.00"}, part_id=OTHER_SITE)
    assert can_publish(draft(date(2027, 1, 1)), TODAY, None, [other, company("C", date(2027, 1, 1), {})]) == []


def test_an_approved_list_is_not_published_again_and_an_empty_one_not_at_all():
    assert publish_problems(LIST_B, TODAY, None, []) == [("status", "price list B is approved already")]
    problems = publish_problems(draft(date(2027, 1, 1), {}), TODAY, None, [])
    assert problems == [("prices", "the price list prices no service content")]


def test_every_problem_is_told_at_once():
    problems = publish_problems(draft(TODAY), TODAY, (date(2026, 1, 1), date(2026, 1, 31)), [LIST_A])
    assert [f for f, _ in problems] == ["starts_on", "window"]


# --- approving the drafts with the application -------------------------------------------------


def test_drafts_approved_together_are_checked_in_start_order():
    a = draft(date(2015, 1, 1), id_="A")
    b = draft(date(2016, 1, 1), id_="B")
    assert approval_problems([], [b, a]) == []  # past starts are fine: the municipality approves them
    twin = draft(date(2016, 1, 1), id_="B2")
    problems = approval_problems([], [a, b, twin])
    assert len(problems) == 1 and problems[0].startswith("B2: ") and "2016-01-01" in problems[0]
    assert approval_problems([LIST_B], [a]) == [
        "A: starts_on 2015-01-01 must be after 2016-01-01, the start of the current price list B"
    ]
    # other levels and parts do not meet
    assert approval_problems([LIST_B], [company("C", date(2015, 1, 1), {DAY: "1.00"}, status=DRAFT)]) == []


# --- the API's price text ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "cents"), [("32.50", 3250), ("0", 0), (" 7.5 ", 750), ("1000000.00", 100_000_000)])
def test_prices_are_non_negative_euro_strings_with_at_most_two_decimals(text, cents):
    from seteli.services.price_lists import parse_price

    assert parse_price(text).cents == cents


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (32.5, "string"),
        (32, "string"),
        ("-0.01", "negative"),
        ("1.005", "two decimals"),
        ("abc", "euros"),
        ("1e3", "euros"),
        ("NaN", "euros"),
        ("1000000.01", "at most"),
    ],
)
def test_other_prices_are_refused_with_the_reason(value, reason):
    from seteli.services.price_lists import parse_price

    with pytest.raises(ValueError, match=reason):
        parse_price(value)


# --- whether the provider is approved for the service (the applications area answers) ------------


def test_service_approved_reads_the_application_and_survives_its_absence():
    from types import SimpleNamespace

    from seteli.services.price_lists import service_approved

    def repos(found):
        return SimpleNamespace(applications=SimpleNamespace(for_provider_service=lambda pid, sid: found))

    assert service_approved(repos(SimpleNamespace(status=SimpleNamespace(value="approved"))), "p", "s") is True
    assert service_approved(repos(SimpleNamespace(status="approved")), "p", "s") is True
    assert service_approved(repos(SimpleNamespace(status="submitted")), "p", "s") is False
    assert service_approved(repos(None), "p", "s") is False
    assert service_approved(SimpleNamespace(), "p", "s") is False  # no applications area (yet)
