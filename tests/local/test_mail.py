"""The local mail viewer: what the stack sends through SES (moto) shows at /_local/mail(.json)."""

from __future__ import annotations

import uuid

import httpx
import pytest

pytestmark = pytest.mark.usefixtures("stack")


def _send(subject: str, text: str, to: str) -> str:
    from seteli.adapters.email import Email, SesSender
    from seteli.config import settings

    s = settings()
    message_id = SesSender(s.email_from, s.region, s.aws_endpoint_url).send(Email(to=(to,), subject=subject, text=text))
    assert message_id, "moto refused the message"
    return message_id


def test_sent_messages_are_listed_newest_first(stack):
    from local.mail import messages

    tag = uuid.uuid4().hex[:8]
    _send(f"Eka {tag}", "Hei,\n\nensimmäinen.", f"a-{tag}@x.example")
    _send(f"Toka {tag}", "Hei,\n\ntoinen.", f"b-{tag}@x.example")
    found = messages(stack.region)
    mine = [m for m in found if tag in m["subject"]]
    assert [m["subject"] for m in mine] == [f"Toka {tag}", f"Eka {tag}"]
    assert mine[0]["to"] == [f"b-{tag}@x.example"] and "toinen." in mine[0]["text"]
    assert found[0]["n"] > found[-1]["n"]
    assert len(messages(stack.region, last=1)) == 1


def test_the_page_escapes_what_it_shows(stack):
    from local.mail import respond

    tag = uuid.uuid4().hex[:8]
    _send(f"<script>alert({tag})</script>", "<b>ei lihavoitu</b>", f"c-{tag}@x.example")
    status, headers, body = respond("/_local/mail", region=stack.region)
    page = body.decode("utf-8")
    assert status.startswith("200") and dict(headers)["Content-Type"].startswith("text/html")
    assert f"&lt;script&gt;alert({tag})&lt;/script&gt;" in page and f"<script>alert({tag})" not in page
    assert "&lt;b&gt;ei lihavoitu&lt;/b&gt;" in page


def test_the_local_api_server_answers_the_mail_routes_next_to_the_app(stack):
    from local.server import serve_api

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"the gateway"]

    tag = uuid.uuid4().hex[:8]
    _send(f"Palvelin {tag}", "Hei.", f"d-{tag}@x.example")
    server, _ = serve_api(app, 0, verbose=False)
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        res = httpx.get(f"{base}/_local/mail.json", params={"last": "50"})
        assert res.status_code == 200 and any(m["subject"] == f"Palvelin {tag}" for m in res.json()["items"])
        assert f"Palvelin {tag}" in httpx.get(f"{base}/_local/mail").text
        assert httpx.get(f"{base}/v1/health").text == "the gateway"
    finally:
        server.shutdown()
        server.server_close()


def test_an_application_decision_email_is_captured(fn, stack):
    """The whole way: a decision's email goes through SES (moto) and shows in the viewer."""
    from datetime import UTC, datetime

    from local.mail import messages
    from seteli.adapters.email import use_sender
    from seteli.domain.applications import Actor, Application, ApplicationStatus, Transition
    from seteli.services.applications import _notify
    from seteli.store import repositories
    from tests.factories import new_provider

    use_sender(None)  # the stack's SES sender
    repos = repositories()
    pid, _ = new_provider(repos)
    now = datetime.now(UTC)
    who = Actor(subject="sub-cw", name="Kaisa Käsittelijä")
    app = Application(
        id=f"app-{uuid.uuid4().hex[:12]}",
        provider_id=pid,
        service_id="home-care",
        status=ApplicationStatus.returned,
        created_by=who,
        created_at=now,
        updated_at=now,
    )
    t = Transition(
        application_id=app.id,
        seq=2,
        from_status="submitted",
        to_status="returned",
        by=who,
        at=now,
        comment="Lisää liite.",
    )
    assert _notify(repos, app, t, "application_returned", repos.providers.get(pid)) is False
    mail = next(m for m in messages(stack.region) if app.id in m["subject"])
    assert mail["to"] == [f"info@{pid}.example"] and "Lisää liite." in mail["text"]
