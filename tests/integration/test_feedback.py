"""Feedback (spec 13, seed 003 K4.4) through the real events handler on moto: giving as the customer
or a proxy, the refusals, the emails, the three readers' lists and views, one reply only, paging.

Customers, entitlements, relations and citizens' links are written straight through the
repositories (their endpoints are tested on their own). Service events come from a fake
``repos.events`` (its ``get``), so these tests do not depend on the events store.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.factories import new_provider, provider_claims
from tests.integration.apigw import call, claims_for, event

HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
MUNICIPALITY_EMAIL = "palveluseteli@demokunta.example"  # tenants/demo.yaml


def hetu() -> str:
    d = date(1930, 1, 1) + timedelta(days=random.randint(0, 25000))
    ddmmyy, nnn = d.strftime("%d%m%y"), random.randint(100, 899)
    return f"{ddmmyy}-{nnn}{HETU_CHECK[int(f'{ddmmyy}{nnn}') % 31]}"


def service_event(customer_id: str, provider_id: str, part_id: str | None = None, status: str = "recorded",
                  decision_number: str = "FB-1"):  # fmt: skip
    from seteli.domain.events import ServiceEvent

    at = datetime.now(UTC)
    return ServiceEvent(
        id=f"ev-{uuid.uuid4().hex[:10]}",
        decision_number=decision_number,
        customer_id=customer_id,
        service_id="home-care",
        content_id="home-care-weekday",
        unit="hour",
        provider_id=provider_id,
        part_id=part_id,
        first_day=date.today(),
        last_day=date.today(),
        quantity="2",
        status=status,
        giver="Hoitaja",
        created_at=at,
        created_by="test",
        updated_at=at,
        updated_by="test",
    )


class FakeEvents:
    """``repos.events`` with only ``get`` (the events store is tested on its own)."""

    def __init__(self) -> None:
        self.events: dict = {}

    def get(self, event_id: str):
        return self.events.get(event_id)


class World:
    def __init__(self, handler, repos, events: FakeEvents) -> None:
        self.handler, self.repos, self.events = handler, repos, events

    def call(self, method: str, path: str, claims: dict | None, body=None, query=None):
        return call(self.handler, event(method, path, body=body, query=query, claims=claims))

    def provider(self, sites: int = 1) -> tuple[str, list[str]]:
        return new_provider(self.repos, sites=sites)

    def customer(self, *, entitled: bool = True) -> tuple[str, str]:
        from seteli.domain.entitlements import Customer, Entitlement, EntitlementRow
        from seteli.rules.customers import personal_id_hash, personal_id_secret

        cid, pid, at = f"cus-t{uuid.uuid4().hex[:10]}", hetu(), datetime.now(UTC)
        self.repos.customers.create(
            Customer(
                id=cid,
                personal_id=pid,
                personal_id_hash=personal_id_hash(pid, personal_id_secret(self.repos.settings)),
                first_names="Aino Maria",
                last_name=f"Palautteinen{uuid.uuid4().hex[:4]}",
                created_at=at,
                created_by="test",
                updated_at=at,
            )
        )
        if entitled:
            today = date.today()
            self.decision_number = f"FB-{uuid.uuid4().hex[:10].upper()}"
            self.repos.entitlements.create(
                Entitlement(
                    decision_number=self.decision_number,
                    kind="voucher",
                    service_id="home-care",
                    rows=[
                        EntitlementRow(content_id="home-care-weekday", amount="10", period="week", unit_value="32.00")
                    ],
                    customer_id=cid,
                    decision_date=today - timedelta(days=20),
                    valid_from=today - timedelta(days=14),
                    valid_until=today + timedelta(days=300),
                    home_municipality="Jyväskylä",
                    verification_code="VERIFY7788",
                    citizen_code="ABCD2345XY",
                    created_at=at,
                    created_by="test",
                    updated_at=at,
                )
            )
        return cid, pid

    def relate(self, provider_id: str, customer_id: str, **kw) -> None:
        from seteli.domain.entitlements import ProviderCustomer

        values = {"has_open_reservation": True, **kw}
        self.repos.provider_customers.save(
            ProviderCustomer(
                provider_id=provider_id,
                customer_id=customer_id,
                name_key="palautteinen aino",
                updated_at=datetime.now(UTC),
                **values,
            )
        )

    def citizen(self, customer_id: str | None = None) -> dict:
        sub = f"sub-{uuid.uuid4().hex}"
        if customer_id is not None:
            self.repos.citizens.link(sub, customer_id)
        c = claims_for("citizen")
        c.update(sub=sub, email=f"{sub}@example.fi", **{"cognito:username": sub})
        return c

    def proxy(self, customer_id: str, valid_until: date | None = None) -> dict:
        claims = self.citizen()
        doc = {
            "email": claims["email"],
            "valid_until": valid_until.isoformat() if valid_until else None,
            "granted_by": "test",
            "granted_at": datetime.now(UTC).isoformat(),
        }
        self.repos.citizens.grant_proxy(claims["sub"], customer_id, doc)
        return claims

    def event(self, customer_id: str, provider_id: str, part_id: str | None = None, status: str = "recorded") -> str:
        ev = service_event(customer_id, provider_id, part_id, status)
        self.events.events[ev.id] = ev
        return ev.id

    def setting(self):
        """A provider with two sites, an entitled customer related to it, the customer signed in."""
        pid, sites = self.provider(sites=2)
        cid, personal_id = self.customer()
        self.relate(pid, cid)
        return pid, sites, cid, personal_id, self.citizen(cid)

    def give(self, claims, provider, **body):
        body = {"type": "complaint", "text": "Hoitaja myöhästyi tunnin.", "provider_id": provider, **body}
        return self.call("POST", "/v1/feedback", claims, body=body)


@pytest.fixture
def w(fn, outbox, monkeypatch):
    from seteli.store import repositories

    repos = repositories()
    fake = FakeEvents()
    monkeypatch.setitem(repos.__dict__, "events", fake)  # a cached_property: replaced on the instance
    return World(fn("events"), repos, fake)


@pytest.fixture
def real_events(fn, outbox):
    """The world with the real events store (``repos.events``) instead of the fake."""
    from seteli.store import repositories

    return World(fn("events"), repositories(), FakeEvents())


def municipality() -> dict:
    return claims_for("case_worker")


# ---------------------------------------------------------------- giving


def test_customer_gives_a_reclamation_the_provider_and_the_municipality_are_told(w, outbox):
    pid, sites, cid, personal_id, me = w.setting()
    text = "Käynti jäi väliin ilman ilmoitusta."
    status, headers, body = w.give(me, pid, type="reclamation", text=f"  {text}  ")
    assert status == 201, body
    assert headers["location"] == f"/v1/feedback/{body['id']}"
    assert body["id"].startswith("fb-") and body["type"] == "reclamation" and body["text"] == text
    assert body["customer_id"] == cid and body["provider_id"] == pid and body["provider_name"]
    assert body["needs_reply"] is True and body["reply_requested"] is False and body["as_proxy"] is False
    assert body["reply"] is None and body["version"] == 1
    assert body["notified"] == ["provider", "municipality"] and body["email_failed"] is False
    assert body["given_by"] is None and body["customer_name"] is None  # the citizen's view
    to = {m.to: m for m in outbox.sent}
    assert set(to) == {(f"info@{pid}.example",), (MUNICIPALITY_EMAIL,)}
    provider_mail, municipality_mail = to[(f"info@{pid}.example",)], to[(MUNICIPALITY_EMAIL,)]
    assert body["id"] in provider_mail.subject and "Reklamaatio" in provider_mail.subject
    assert f"seteli provider feedback show {body['id']}" in provider_mail.text
    assert "Reklamaatio" in municipality_mail.subject and body["id"] in municipality_mail.text
    customer = w.repos.customers.get(cid)
    for mail in outbox.sent:  # no customer data and no feedback text in an email
        for secret in (personal_id, customer.last_name, "Aino", text, cid):
            assert secret not in mail.subject + mail.text


def test_the_targeted_parts_email_wins_and_a_complaint_asking_a_reply_tells_only_the_provider(w, outbox):
    pid, sites, cid, _, me = w.setting()
    part = w.repos.providers.part(pid, sites[1])
    w.repos.providers.update_part(part.model_copy(update={"email": "toimipaikka2@example.fi"}))
    status, _, body = w.give(me, pid, part_id=sites[1], reply_requested=True)
    assert status == 201, body
    assert body["part_id"] == sites[1] and body["needs_reply"] is True and body["notified"] == ["provider"]
    assert [m.to for m in outbox.sent] == [("toimipaikka2@example.fi",)]
    assert "Toimipaikka 2" in outbox.sent[0].text
    # a part without its own email: the company's contact email
    outbox.sent.clear()
    assert w.give(me, pid, part_id=sites[0], type="reclamation")[0] == 201
    assert sorted(m.to for m in outbox.sent) == sorted([(f"info@{pid}.example",), (MUNICIPALITY_EMAIL,)])


def test_thanks_without_a_reply_asked_emails_nobody(w, outbox):
    pid, _, _, _, me = w.setting()
    status, _, body = w.give(me, pid, type="thanks", text="Kiitos!")
    assert status == 201 and body["needs_reply"] is False and body["notified"] == []
    assert outbox.sent == []


def test_a_failed_email_never_undoes_the_feedback(w):
    from seteli.adapters.email import use_sender

    class Broken:
        def send(self, email):
            raise RuntimeError("SES is down")

    pid, _, _, _, me = w.setting()
    use_sender(Broken())  # the outbox fixture resets the sender afterwards
    status, _, body = w.give(me, pid, type="reclamation")
    assert status == 201 and body["email_failed"] is True and body["notified"] == []
    assert w.repos.feedback.get(body["id"]) is not None


def test_a_provider_without_any_address_is_an_email_failure_not_an_error(w, outbox):
    pid, _, _, _, me = w.setting()
    p = w.repos.providers.get(pid)
    w.repos.providers.update(p.model_copy(update={"contact_email": None}))
    status, _, body = w.give(me, pid, type="reclamation")
    assert status == 201 and body["email_failed"] is True and body["notified"] == ["municipality"]
    assert [m.to for m in outbox.sent] == [(MUNICIPALITY_EMAIL,)]


def test_a_proxy_gives_feedback_for_the_customer(w):
    pid, _, cid, _, me = w.setting()
    relative = w.proxy(cid)
    status, _, body = w.give(relative, pid, customer_id=cid, type="thanks", text="Kiitos äidin puolesta")
    assert status == 201, body
    assert body["customer_id"] == cid and body["as_proxy"] is True
    # the customer sees it; the proxy too (it acts for the customer)
    for claims in (me, relative):
        status, _, page = w.call("GET", "/v1/feedback", claims, query={"customer_id": cid})
        assert status == 200 and body["id"] in [f["id"] for f in page["items"]]
    # the municipality sees who gave it
    status, _, seen = w.call("GET", f"/v1/feedback/{body['id']}", municipality())
    assert status == 200 and seen["given_by"] == relative["sub"] and seen["as_proxy"] is True


def test_who_may_give_403_and_404(w):
    pid, _, cid, _, me = w.setting()
    for claims in (municipality(), claims_for("municipality_admin"), provider_claims(pid)):
        status, _, body = w.give(claims, pid)
        assert status == 403, claims
    # a citizen whose sign-in is linked to no customer
    status, _, body = w.give(w.citizen(), pid)
    assert status == 404 and "not linked" in body["detail"]
    # acting for a customer without a grant, or with an expired one: 403 (the same for no such customer)
    stranger = w.citizen(w.customer()[0])
    assert w.give(stranger, pid, customer_id=cid)[0] == 403
    assert w.give(stranger, pid, customer_id="cus-nobody")[0] == 403
    expired = w.proxy(cid, valid_until=date.today() - timedelta(days=1))
    status, _, body = w.give(expired, pid, customer_id=cid)
    assert status == 403 and "may not act for this customer" in body["detail"]


def test_no_entitlement_is_a_409_and_no_relation_a_422_naming_the_field(w):
    pid, _, _, _, _ = w.setting()
    cid, _ = w.customer(entitled=False)
    w.relate(pid, cid)
    status, _, body = w.give(w.citizen(cid), pid)
    assert status == 409 and body["errors"][0]["field"] == "body.customer_id"
    assert "no service voucher or order" in body["detail"]

    cid, _ = w.customer()
    me = w.citizen(cid)
    status, _, no_relation = w.give(me, pid)
    assert status == 422 and no_relation["errors"] == [
        {"field": "body.provider_id", "message": "you have no relation with this provider"}
    ]
    # no such provider: the very same answer
    status, _, no_provider = w.give(me, "prv-nosuchprovider")
    assert (status, no_provider["errors"], no_provider["detail"]) == (422, no_relation["errors"], no_relation["detail"])
    # a relation that has run out (no reservation, the last event over three years ago)
    old = date.today() - timedelta(days=3 * 366 + 2)
    w.relate(pid, cid, has_open_reservation=False, last_event_on=old)
    assert w.give(me, pid)[2]["errors"][0]["field"] == "body.provider_id"
    # an ended reservation and no events
    w.relate(pid, cid, has_open_reservation=True, reserved_until=date.today() - timedelta(days=1), version=1)
    assert w.give(me, pid)[0] == 422


def test_part_and_event_must_be_the_customers_with_that_provider(w):
    pid, sites, cid, _, me = w.setting()
    other, other_sites = w.provider()
    w.relate(other, cid)
    other_customer, _ = w.customer()

    status, _, body = w.give(me, pid, part_id=other_sites[0])
    assert status == 422 and body["errors"] == [{"field": "body.part_id", "message": "not a part of this provider"}]
    for bad in (
        "ev-nosuchevent",
        w.event(other_customer, pid),  # another customer's
        w.event(cid, other),  # with another provider
        w.event(cid, pid, status="draft"),  # not the customer's to see yet
    ):
        status, _, body = w.give(me, pid, event_id=bad)
        assert status == 422 and body["errors"][0]["field"] == "body.event_id", bad
    at_second = w.event(cid, pid, part_id=sites[1])
    status, _, body = w.give(me, pid, event_id=at_second, part_id=sites[0])
    assert status == 422 and body["errors"][0]["field"] == "body.part_id"
    # the event's part becomes the target
    status, _, body = w.give(me, pid, event_id=at_second)
    assert status == 201 and body["event_id"] == at_second and body["part_id"] == sites[1]


def test_the_body_is_validated_naming_each_field(w):
    pid, _, _, _, me = w.setting()
    cases = [
        ({"text": "   "}, "body.text"),
        ({"text": "x" * 4001}, "body.text"),
        ({"type": "praise"}, "body.type"),
        ({"reply_requested": "maybe"}, "body.reply_requested"),
        ({"provider_id": "PRV WITH SPACES"}, "body.provider_id"),
        ({"personal_id": "010101-123N"}, "body.personal_id"),
    ]
    for extra, field in cases:
        status, _, body = w.give(me, pid, **extra)
        assert status == 422 and field in [e["field"] for e in body["errors"]], (extra, body)
        assert "010101-123N" not in json.dumps(body)
    status, _, body = w.call("POST", "/v1/feedback", me, body={"text": "x"})
    assert status == 422 and {"body.type", "body.provider_id"} <= {e["field"] for e in body["errors"]}


# ---------------------------------------------------------------- reading


def test_the_provider_reads_its_own_with_the_customers_name_never_the_personal_id(w):
    pid, _, cid, personal_id, me = w.setting()
    first = w.give(me, pid, type="thanks", text="Kiitos")[2]
    second = w.give(me, pid, type="reclamation")[2]
    other, _ = w.provider()
    w.relate(other, cid)
    elsewhere = w.give(me, other)[2]

    status, _, page = w.call("GET", "/v1/feedback", provider_claims(pid, "provider_user"))
    assert status == 200
    assert [f["id"] for f in page["items"]] == [second["id"], first["id"]]  # newest first, its own only
    name = w.repos.customers.get(cid).name
    assert all(f["customer_name"] == name and f["given_by"] is None for f in page["items"])
    assert personal_id not in json.dumps(page)
    # needs_reply filters
    status, _, waiting = w.call("GET", "/v1/feedback", provider_claims(pid), query={"needs_reply": "true"})
    assert [f["id"] for f in waiting["items"]] == [second["id"]] and waiting["items"][0]["needs_reply"] is True
    status, _, done = w.call("GET", "/v1/feedback", provider_claims(pid), query={"needs_reply": "false"})
    assert [f["id"] for f in done["items"]] == [first["id"]]
    # another provider's list or feedback: 403 for the list, 404 for the item (nothing revealed)
    status, _, body = w.call("GET", "/v1/feedback", provider_claims(pid), query={"provider_id": other})
    assert status == 403 and body["errors"][0]["field"] == "query.provider_id"
    status, _, body = w.call("GET", f"/v1/feedback/{elsewhere['id']}", provider_claims(pid))
    assert status == 404
    assert w.call("GET", "/v1/feedback/fb-nosuchthing", provider_claims(pid))[0] == 404
    # its own one by id
    status, _, one = w.call("GET", f"/v1/feedback/{second['id']}", provider_claims(pid, "provider_user"))
    assert status == 200 and one["customer_name"] == name and one["needs_reply"] is True


def test_the_provider_no_longer_sees_the_name_when_the_relation_has_run_out(w):
    pid, _, cid, _, me = w.setting()
    fb = w.give(me, pid)[2]
    w.relate(pid, cid, has_open_reservation=False, last_event_on=date.today() - timedelta(days=3 * 366 + 2), version=1)
    status, _, one = w.call("GET", f"/v1/feedback/{fb['id']}", provider_claims(pid))
    assert status == 200 and one["customer_name"] is None and one["customer_id"] == cid


def test_the_providers_api_key_reads_and_replies(w):
    pid, _, _, _, me = w.setting()
    fb = w.give(me, pid, type="reclamation")[2]
    key = {"sub": "apikey:k1", "groups": "provider_admin", "provider_id": pid, "auth": "api_key", "key_id": "k1"}

    def with_key(method, path, body=None, query=None):
        ev = event(method, path, body=body, query=query)
        ev["requestContext"]["authorizer"] = key
        return call(w.handler, ev)

    status, _, page = with_key("GET", "/v1/feedback")
    assert status == 200 and [f["id"] for f in page["items"]] == [fb["id"]]
    status, _, replied = with_key(
        "POST", f"/v1/feedback/{fb['id']}/reply", body={"text": "Pahoittelemme.", "version": 1}
    )
    assert status == 200 and replied["replied_by"] == "apikey:k1"


def test_the_municipality_reads_all_with_the_customer_and_filters(w):
    pid, _, cid, personal_id, me = w.setting()
    fb = w.give(me, pid, type="reclamation")[2]
    other, _ = w.provider()
    w.relate(other, cid)
    fb2 = w.give(me, other, type="thanks", text="Kiitos")[2]
    name = w.repos.customers.get(cid).name

    status, _, page = w.call("GET", "/v1/feedback", municipality(), query={"provider_id": pid})
    assert status == 200 and [f["id"] for f in page["items"]] == [fb["id"]]
    item = page["items"][0]
    assert item["customer_id"] == cid and item["customer_name"] == name and item["given_by"] == me["sub"]
    assert personal_id not in json.dumps(page)
    status, _, page = w.call("GET", "/v1/feedback", municipality(), query={"customer_id": cid})
    assert [f["id"] for f in page["items"]] == [fb2["id"], fb["id"]]
    status, _, page = w.call("GET", "/v1/feedback", municipality(), query={"customer_id": cid, "needs_reply": "true"})
    assert [f["id"] for f in page["items"]] == [fb["id"]]
    status, _, page = w.call("GET", "/v1/feedback", claims_for("municipality_admin"), query={"limit": "100"})
    assert status == 200 and fb2["id"] in [f["id"] for f in page["items"]]  # all: the newest first
    status, _, one = w.call("GET", f"/v1/feedback/{fb['id']}", municipality())
    assert status == 200 and one["customer_name"] == name


def test_a_citizen_reads_the_customers_feedback_and_nobody_elses(w):
    pid, _, cid, _, me = w.setting()
    mine = w.give(me, pid)[2]
    status, _, page = w.call("GET", "/v1/feedback", me)
    assert status == 200 and [f["id"] for f in page["items"]] == [mine["id"]]
    assert page["items"][0]["provider_name"] and page["items"][0]["customer_name"] is None

    other_cid, _ = w.customer()
    w.relate(pid, other_cid)
    stranger = w.citizen(other_cid)
    theirs = w.give(stranger, pid)[2]
    # another customer's list: 403; another customer's feedback: 404
    status, _, body = w.call("GET", "/v1/feedback", me, query={"customer_id": other_cid})
    assert status == 403
    assert w.call("GET", f"/v1/feedback/{theirs['id']}", me)[0] == 404
    assert w.call("GET", f"/v1/feedback/{mine['id']}", me)[0] == 200
    assert w.call("GET", "/v1/feedback", w.citizen())[0] == 404  # not linked
    # a signed-in user of no group
    nobody = {"sub": "sub-nogroup", "email": "x@example.fi", "token_use": "id"}
    assert w.call("GET", "/v1/feedback", nobody)[0] == 403
    assert w.call("GET", f"/v1/feedback/{mine['id']}", nobody)[0] == 403


def test_a_proxy_keeps_seeing_what_they_gave_after_the_grant_ends(w):
    pid, _, cid, _, _ = w.setting()
    relative = w.proxy(cid)
    fb = w.give(relative, pid, customer_id=cid)[2]
    w.repos.citizens.revoke_proxy(relative["sub"], cid)
    assert w.call("GET", f"/v1/feedback/{fb['id']}", relative)[0] == 200
    assert w.call("GET", "/v1/feedback", relative, query={"customer_id": cid})[0] == 403


# ---------------------------------------------------------------- replying


def test_the_provider_replies_once_and_the_citizen_sees_the_reply(w):
    pid, _, _, _, me = w.setting()
    fb = w.give(me, pid, type="reclamation")[2]
    user = provider_claims(pid, "provider_user")
    path = f"/v1/feedback/{fb['id']}/reply"
    status, _, body = w.call("POST", path, user, body={"text": "  Pahoittelemme, korjaamme asian.  ", "version": 1})
    assert status == 200, body
    assert body["reply"] == "Pahoittelemme, korjaamme asian." and body["replied_by"] == user["sub"]
    assert body["needs_reply"] is False and body["version"] == 2 and body["replied_at"]
    # one reply only: with the new version too
    for version in (2, 1):
        status, _, again = w.call(
            "POST", path, provider_claims(pid), body={"text": "Toinen vastaus", "version": version}
        )
        assert status == 409 and "one reply only" in again["detail"], version
    status, _, seen = w.call("GET", f"/v1/feedback/{fb['id']}", me)
    assert seen["reply"] == "Pahoittelemme, korjaamme asian." and seen["needs_reply"] is False
    status, _, waiting = w.call("GET", "/v1/feedback", provider_claims(pid), query={"needs_reply": "true"})
    assert waiting["items"] == []


def test_thanks_without_a_reply_asked_can_still_be_replied_to_once(w):
    pid, _, _, _, me = w.setting()
    fb = w.give(me, pid, type="thanks", text="Kiitos")[2]
    path = f"/v1/feedback/{fb['id']}/reply"
    assert w.call("POST", path, provider_claims(pid), body={"text": "Kiitos palautteesta!", "version": 1})[0] == 200
    assert w.call("POST", path, provider_claims(pid), body={"text": "Vielä kerran", "version": 2})[0] == 409


def test_reply_refusals_403_404_409_422(w):
    pid, _, _, _, me = w.setting()
    fb = w.give(me, pid, type="complaint", reply_requested=True)[2]
    path = f"/v1/feedback/{fb['id']}/reply"
    reply = {"text": "Vastaus", "version": 1}
    for claims in (me, municipality(), claims_for("municipality_admin")):
        status, _, body = w.call("POST", path, claims, body=reply)
        assert status == 403 and "only the provider" in body["detail"]
    other, _ = w.provider()
    assert w.call("POST", path, provider_claims(other), body=reply)[0] == 404
    assert w.call("POST", "/v1/feedback/fb-nosuchthing/reply", provider_claims(pid), body=reply)[0] == 404
    status, _, body = w.call("POST", path, provider_claims(pid), body={"text": "Vastaus", "version": 7})
    assert status == 409 and body["errors"] == [{"field": "body.version", "message": "stale: read again"}]
    for bad, field in (({"text": " ", "version": 1}, "body.text"), ({"text": "x"}, "body.version")):
        status, _, body = w.call("POST", path, provider_claims(pid), body=bad)
        assert status == 422 and body["errors"][0]["field"] == field
    assert w.repos.feedback.get(fb["id"]).reply is None  # nothing was written by the refusals


def test_two_replies_racing_the_second_write_is_refused(w):
    """The reply is a write conditioned on the version read: the provider that read before the
    other's reply was saved gets 409 "one reply only", never a second reply."""
    from seteli.services import feedback as svc
    from tests.factories import provider_claims as pc

    pid, _, _, _, me = w.setting()
    fb_id = w.give(me, pid, type="reclamation")[2]["id"]
    read_before = w.repos.feedback.get(fb_id)
    assert w.call("POST", f"/v1/feedback/{fb_id}/reply", pc(pid), body={"text": "Ensimmäinen", "version": 1})[0] == 200

    from seteli.api.auth import principal_from_claims
    from seteli.errors import Conflict

    class Stale:
        """The first read sees the feedback as it was before the other reply."""

        def __init__(self, real):
            self.real, self.calls = real, 0

        def get(self, feedback_id):
            self.calls += 1
            return read_before if self.calls == 1 else self.real.get(feedback_id)

        def __getattr__(self, name):
            return getattr(self.real, name)

    class Repos:
        def __init__(self, real):
            self.real, self.feedback = real, Stale(real.feedback)

        def __getattr__(self, name):
            return getattr(self.real, name)

    with pytest.raises(Conflict) as exc:
        svc.reply(Repos(w.repos), principal_from_claims(pc(pid)), fb_id, text="Toinen", version=1)
    assert "one reply only" in exc.value.detail
    assert w.repos.feedback.get(fb_id).reply == "Ensimmäinen"


# ---------------------------------------------------------------- paging


def test_lists_page_with_limit_and_next_and_refuse_a_forged_cursor(w):
    pid, _, cid, _, me = w.setting()
    given = [w.give(me, pid, type=t)[2]["id"] for t in ("thanks", "reclamation", "thanks", "reclamation", "thanks")]
    newest_first = list(reversed(given))

    def pages(claims, query):
        seen, cursor = [], None
        for _ in range(10):
            q = dict(query, **({"next": cursor} if cursor else {}))
            status, _, page = w.call("GET", "/v1/feedback", claims, query=q)
            assert status == 200, page
            seen.append([f["id"] for f in page["items"]])
            cursor = page["next"]
            if cursor is None:
                return seen
        raise AssertionError("paging never ended")

    assert pages(provider_claims(pid), {"limit": "2"}) == [newest_first[0:2], newest_first[2:4], newest_first[4:]]
    assert pages(me, {"limit": "2"}) == [newest_first[0:2], newest_first[2:4], newest_first[4:]]
    assert pages(municipality(), {"limit": "3", "provider_id": pid}) == [newest_first[0:3], newest_first[3:]]
    reclamations = [i for i in newest_first if i in (given[1], given[3])]
    assert pages(provider_claims(pid), {"limit": "1", "needs_reply": "true"}) == [[reclamations[0]], [reclamations[1]]]
    assert pages(municipality(), {"limit": "2", "customer_id": cid}) == [
        newest_first[0:2],
        newest_first[2:4],
        newest_first[4:],
    ]

    status, _, page = w.call("GET", "/v1/feedback", provider_claims(pid), query={"limit": "2"})
    customer_cursor = w.call("GET", "/v1/feedback", me, query={"limit": "2"})[2]["next"]
    for bad in ("garbage", page["next"][:-3] + "AAA", customer_cursor):
        status, _, body = w.call("GET", "/v1/feedback", provider_claims(pid), query={"limit": "2", "next": bad})
        assert status == 422 and body["errors"] == [{"field": "query.next", "message": "use the value of `next`"}]
    # another provider cannot continue this provider's list with its cursor
    other, _ = w.provider()
    status, _, body = w.call("GET", "/v1/feedback", provider_claims(other), query={"next": page["next"]})
    assert status == 422
    for bad_limit in ("0", "101", "x"):
        status, _, body = w.call("GET", "/v1/feedback", provider_claims(pid), query={"limit": bad_limit})
        assert status == 422 and body["errors"][0]["field"] == "query.limit"


def test_feedback_about_an_event_in_the_real_events_store(real_events):
    """The target event is read through ``repos.events.get`` (the events store), not the fake."""
    from seteli.store.events import Change

    w = real_events
    pid, sites, cid, _, me = w.setting()
    repos = w.repos
    ev = service_event(cid, pid, sites[1], decision_number=w.decision_number)
    repos.events.apply(Change(ledger=repos.events.ledger(w.decision_number), put_events=[(ev, None)]), "conflict")
    assert repos.events.get(ev.id) is not None
    status, _, body = w.give(me, pid, event_id=ev.id, type="reclamation")
    assert status == 201, body
    assert body["event_id"] == ev.id and body["part_id"] == sites[1]
    other_cid, _ = w.customer()
    w.relate(pid, other_cid)
    status, _, body = w.give(w.citizen(other_cid), pid, event_id=ev.id)
    assert status == 422 and body["errors"][0]["field"] == "body.event_id"
