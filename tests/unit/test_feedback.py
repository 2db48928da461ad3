"""seteli.rules.feedback (who may give, needs_reply, who is told, who reads, one reply), the
feedback emails, and the store's paging of filtered lists (pure: no table)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from seteli.domain.entitlements import ProviderCustomer
from seteli.domain.events import EventStatus, Feedback, FeedbackType, ServiceEvent
from seteli.domain.provider import PartKind, Provider, ProviderPart
from seteli.rules import feedback as r
from seteli.rules.feedback import Audience, Reader, ReplyRefusal

AT = datetime(2026, 5, 1, 9, tzinfo=UTC)
TODAY = date(2026, 5, 10)


def fb(**kw) -> Feedback:
    base = dict(
        id="fb-1",
        type=FeedbackType.complaint,
        text="Myöhästyi",
        customer_id="cus-1",
        provider_id="prv-a",
        given_by="sub-c",
        created_at=AT,
        version=1,
    )
    return Feedback(**{**base, **kw})


def relation(**kw) -> ProviderCustomer:
    return ProviderCustomer(**{"provider_id": "prv-a", "customer_id": "cus-1", "name_key": "k", "updated_at": AT, **kw})


def ev(**kw) -> ServiceEvent:
    base = dict(
        id="ev-1",
        decision_number="JKL-1",
        customer_id="cus-1",
        service_id="home-care",
        content_id="weekday",
        unit="hour",
        provider_id="prv-a",
        part_id="site-1",
        first_day=TODAY,
        last_day=TODAY,
        quantity="2",
        giver="Hoitaja",
        created_at=AT,
        created_by="x",
        updated_at=AT,
        updated_by="x",
    )
    return ServiceEvent(**{**base, **kw})


# ---------------------------------------------------------------- needs_reply (the domain's rule)


@pytest.mark.parametrize(
    ("type_", "asked", "reply", "needs"),
    [
        (FeedbackType.thanks, False, None, False),
        (FeedbackType.thanks, True, None, True),
        (FeedbackType.complaint, False, None, False),
        (FeedbackType.complaint, True, None, True),
        (FeedbackType.reclamation, False, None, True),  # a reclamation always needs a reply
        (FeedbackType.reclamation, False, "Vastattu", False),
        (FeedbackType.complaint, True, "Vastattu", False),
    ],
)
def test_needs_reply(type_, asked, reply, needs):
    assert fb(type=type_, reply_requested=asked, reply=reply).needs_reply is needs


# ---------------------------------------------------------------- who may give


def test_a_customer_with_an_entitlement_and_an_open_reservation_may_give():
    assert r.may_give(has_entitlement=True, relation=relation(has_open_reservation=True), today=TODAY) is None


def test_no_entitlement_names_the_customer():
    err = r.may_give(has_entitlement=False, relation=relation(has_open_reservation=True), today=TODAY)
    assert err.field == "body.customer_id" and "no service voucher" in err.message


@pytest.mark.parametrize(
    "rel",
    [
        None,  # no relation, or no such provider: the same answer
        relation(has_open_reservation=False),
        relation(has_open_reservation=True, reserved_until=TODAY - timedelta(days=1)),
        relation(last_event_on=date(2023, 5, 9)),  # more than three years ago
    ],
)
def test_no_valid_relation_names_the_provider(rel):
    err = r.may_give(has_entitlement=True, relation=rel, today=TODAY)
    assert (err.field, err.message) == ("body.provider_id", "you have no relation with this provider")


def test_an_event_in_the_last_three_years_is_a_relation():
    rel = relation(last_event_on=date(2023, 5, 10))
    assert r.may_give(has_entitlement=True, relation=rel, today=TODAY) is None


@pytest.mark.parametrize(
    "event",
    [
        None,
        ev(customer_id="cus-2"),
        ev(provider_id="prv-b"),
        ev(status=EventStatus.draft),
    ],
)
def test_an_event_must_be_the_customers_with_the_provider(event):
    err = r.event_problem(event, customer_id="cus-1", provider_id="prv-a", part_id=None)
    assert err.field == "body.event_id"


@pytest.mark.parametrize("status", [EventStatus.recorded, EventStatus.settled, EventStatus.pending_approval])
def test_a_recorded_event_of_the_customer_may_be_targeted(status):
    assert r.event_problem(ev(status=status), customer_id="cus-1", provider_id="prv-a", part_id="site-1") is None
    assert (
        r.event_problem(ev(status=status, part_id=None), customer_id="cus-1", provider_id="prv-a", part_id="x") is None
    )


def test_an_event_at_another_part_names_the_part():
    err = r.event_problem(ev(part_id="site-2"), customer_id="cus-1", provider_id="prv-a", part_id="site-1")
    assert err.field == "body.part_id"


TEXTS = [("Kiitos", True), ("  ", False), ("", False), (None, False), ("x" * 4000, True), ("x" * 4001, False)]


@pytest.mark.parametrize(("text", "ok"), [*TEXTS, (" " + "x" * 4000 + " ", True)])
def test_text(text, ok):
    assert (r.text_problem(text) is None) is ok


# ---------------------------------------------------------------- who is told


@pytest.mark.parametrize(
    ("type_", "asked", "who"),
    [
        (FeedbackType.thanks, False, []),
        (FeedbackType.thanks, True, [Audience.provider]),
        (FeedbackType.complaint, False, []),
        (FeedbackType.complaint, True, [Audience.provider]),
        (FeedbackType.reclamation, False, [Audience.provider, Audience.municipality]),
        (FeedbackType.reclamation, True, [Audience.provider, Audience.municipality]),
    ],
)
def test_audiences(type_, asked, who):
    assert r.audiences(fb(type=type_, reply_requested=asked)) == who


def provider(email: str | None = "info@a.example") -> Provider:
    return Provider(id="prv-a", name="A Oy", business_id="1234567-1", contact_email=email, created_at=AT, updated_at=AT)


def part(email: str | None) -> ProviderPart:
    return ProviderPart(id="site-1", provider_id="prv-a", kind=PartKind.employee, name="Hoitaja", email=email)


def test_the_parts_email_wins_else_the_company_contact():
    assert r.provider_address(provider(), part("hoitaja@a.example")) == "hoitaja@a.example"
    assert r.provider_address(provider(), part(None)) == "info@a.example"
    assert r.provider_address(provider(), part("  ")) == "info@a.example"
    assert r.provider_address(provider(), None) == "info@a.example"
    assert r.provider_address(provider(None), None) is None
    assert r.provider_address(None, None) is None


# ---------------------------------------------------------------- who reads; filters; one reply


def test_who_reads():
    f = fb(given_by="sub-proxy", customer_id="cus-1", provider_id="prv-a")
    assert r.may_read(f, Reader.municipality)
    assert r.may_read(f, Reader.provider, provider_id="prv-a")
    assert not r.may_read(f, Reader.provider, provider_id="prv-b")
    assert not r.may_read(f, Reader.provider, provider_id=None)
    assert r.may_read(f, Reader.citizen, subject="sub-proxy")  # what they gave
    assert r.may_read(f, Reader.citizen, subject="sub-x", customers=["cus-1"])  # the customer's
    assert not r.may_read(f, Reader.citizen, subject="sub-x", customers=["cus-2"])


def test_filters():
    waiting, answered = fb(type=FeedbackType.reclamation), fb(type=FeedbackType.reclamation, reply="ok")
    assert r.matches(waiting) and r.matches(answered)
    assert r.matches(waiting, needs_reply=True) and not r.matches(answered, needs_reply=True)
    assert r.matches(answered, needs_reply=False) and not r.matches(waiting, needs_reply=False)
    assert r.matches(waiting, provider_id="prv-a") and not r.matches(waiting, provider_id="prv-b")


def test_one_reply_only_and_to_the_version_read():
    assert r.reply_refusal(fb(version=1), 1) is None
    assert r.reply_refusal(fb(type=FeedbackType.thanks), 1) is None  # a thanks may be replied to once
    assert r.reply_refusal(fb(version=1), 0) is ReplyRefusal.stale
    assert r.reply_refusal(fb(reply="Vastattu", version=2), 2) is ReplyRefusal.already_replied
    assert r.reply_refusal(fb(reply="Vastattu", version=2), 1) is ReplyRefusal.already_replied


# ---------------------------------------------------------------- the emails


@pytest.mark.parametrize("template", ["feedback_provider", "feedback_municipality"])
@pytest.mark.parametrize("type_", list(FeedbackType))
def test_emails_render_with_no_customer_data(template, type_):
    from seteli.adapters.email import render

    mail = render(
        template,
        "to@example.fi",
        feedback_id="fb-abc",
        type_names=r.TYPE_NAMES[type_],
        reclamation=type_ is FeedbackType.reclamation,
        reply_requested=True,
        provider_name="A Oy",
        part_name="Toimipaikka 1",
        event_id="ev-1",
        municipality="Demokunta",
        at="01.05.2026 12:00",
    )
    assert mail.to == ("to@example.fi",) and "fb-abc" in mail.subject and "fb-abc" in mail.text
    assert r.TYPE_NAMES[type_]["fi"] in mail.text and "Toimipaikka 1" in mail.text and "ev-1" in mail.text
    if template == "feedback_provider":
        assert "seteli provider feedback reply fb-abc" in mail.text


def test_every_type_has_names_in_three_languages():
    assert set(r.TYPE_NAMES) == set(FeedbackType)
    assert all(set(n) == {"fi", "sv", "en"} for n in r.TYPE_NAMES.values())


# ---------------------------------------------------------------- paging a filtered list (store)


def rows(n: int):
    from seteli.store.feedback import feedback_item

    out = []
    for i in range(n):
        f = fb(id=f"fb-{i}", created_at=AT - timedelta(minutes=i), reply_requested=i % 2 == 0)
        out.append((feedback_item(f), f))
    return out


def test_a_page_ends_at_the_last_item_returned_and_the_end_has_no_cursor():
    from seteli.store.feedback import _collect

    items = rows(5)
    found, key = _collect(iter(items), 2, lambda f: True, "gsi1")
    assert [f.id for f in found] == ["fb-0", "fb-1"]
    assert key == {
        "pk": {"S": "FEEDBACK#fb-1"},
        "sk": {"S": "FEEDBACK"},
        "gsi1pk": {"S": "PROVIDER#prv-a#FEEDBACK"},
        "gsi1sk": {"S": items[1][0].gsi1sk},
    }
    assert _collect(iter(items), 5, lambda f: True, "gsi1")[1] is None  # exactly all: no empty last page
    found, key = _collect(iter(items), 2, lambda f: f.needs_reply, None)
    assert [f.id for f in found] == ["fb-0", "fb-2"] and key == {"pk": {"S": "FEEDBACK#fb-2"}, "sk": {"S": "FEEDBACK"}}
    found, key = _collect(iter(items), 3, lambda f: f.needs_reply, None)
    assert [f.id for f in found] == ["fb-0", "fb-2", "fb-4"] and key is None


def test_a_filtered_page_stops_after_reading_enough(monkeypatch):
    from seteli.store import feedback as store

    monkeypatch.setattr(store, "MAX_EXAMINED", 3)
    found, key = store._collect(iter(rows(10)), 5, lambda f: f.id == "fb-9", None)
    assert found == [] and key == {"pk": {"S": "FEEDBACK#fb-2"}, "sk": {"S": "FEEDBACK"}}  # go on after the third


def test_sort_keys_order_by_time():
    from seteli.store.feedback import sort_key

    on_the_second = fb(created_at=AT.replace(microsecond=0))
    later = fb(created_at=AT.replace(microsecond=1))
    assert sort_key(on_the_second) < sort_key(later)


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ({"pk": {"S": "FEEDBACK#x"}, "sk": {"S": "FEEDBACK"}, "gsi1pk": {"S": "P"}, "gsi1sk": {"S": "t#x"}}, True),
        ({"pk": {"S": "FEEDBACK#x"}, "sk": {"S": "FEEDBACK"}, "gsi1pk": {"S": "Q"}, "gsi1sk": {"S": "t#x"}}, False),
        ({"pk": {"S": "FEEDBACK#x"}, "sk": {"S": "PROFILE"}, "gsi1pk": {"S": "P"}, "gsi1sk": {"S": "t#x"}}, False),
        ({"pk": {"S": "FEEDBACK#x"}, "sk": {"S": "FEEDBACK"}}, False),
        ({"pk": {"S": "FEEDBACK#x"}, "sk": {"S": "FEEDBACK"}, "gsi1pk": {"N": "1"}, "gsi1sk": {"S": "t"}}, False),
    ],
)
def test_a_cursor_must_be_a_key_of_this_list(raw, ok):
    """The shared paging check (``seteli.api.paging.start_key``) as the feedback lists use it."""
    from seteli.api.paging import encode_cursor, start_key
    from seteli.errors import ValidationFailed

    cursor = encode_cursor(raw, "s")
    if ok:
        assert start_key(cursor, "s", index="gsi1", partition="P", sk_prefix="FEEDBACK") == raw
    else:
        with pytest.raises(ValidationFailed):
            start_key(cursor, "s", index="gsi1", partition="P", sk_prefix="FEEDBACK")


def test_a_customer_cursor_must_be_a_pointer_of_that_customer():
    from seteli.api.paging import encode_cursor, start_key
    from seteli.errors import ValidationFailed

    good = {"pk": {"S": "CUSTOMER#cus-1"}, "sk": {"S": "FEEDBACK#2026#fb-1"}}
    assert start_key(encode_cursor(good, "s"), "s", partition="CUSTOMER#cus-1", sk_prefix="FEEDBACK#") == good
    for bad in ({"pk": {"S": "CUSTOMER#cus-2"}, "sk": {"S": "FEEDBACK#2026#fb-1"}},
                {"pk": {"S": "CUSTOMER#cus-1"}, "sk": {"S": "PROXY#sub"}}):  # fmt: skip
        with pytest.raises(ValidationFailed):
            start_key(encode_cursor(bad, "s"), "s", partition="CUSTOMER#cus-1", sk_prefix="FEEDBACK#")
    assert start_key(None, "s", partition="x", sk_prefix="y") is None
