"""A message with an attachment goes through SES SendRawEmail (moto) and the local viewer names it."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.usefixtures("stack")


def test_a_raw_email_with_a_pdf_is_sent_and_the_viewer_names_the_attachment(stack):
    from local.mail import messages, respond
    from seteli.adapters.email import Attachment, SesSender, render
    from seteli.config import settings

    tag = uuid.uuid4().hex[:8]
    s = settings()
    mail = render(
        "payment_specification",
        f"laskut-{tag}@x.example",
        attachments=(Attachment(f"maksuerittely-{tag}.pdf", "application/pdf", b"%PDF-1.3 x"),),
        tenant_name=f"Kunta {tag}",
        provider_name="Aurinkohoiva Oy",
        month="2026-10",
        payable="1 234,50 €",
        statements=[{"service_name": "Kotihoito", "payable": "1 234,50 €", "reference": "RF3826100112038903"}],
    )
    assert SesSender(s.email_from, s.region, s.aws_endpoint_url).send(mail), "moto refused the raw message"
    mine = next(m for m in messages(stack.region) if f"laskut-{tag}@x.example" in m["to"])
    assert mine["to"] == [f"laskut-{tag}@x.example"]  # once, from the To header
    assert "1 234,50 €" in mine["text"] and "RF3826100112038903" in mine["text"]
    assert mine["attachments"] == [{"filename": f"maksuerittely-{tag}.pdf", "content_type": "application/pdf"}]
    page = respond("/_local/mail", region=stack.region)[2].decode("utf-8")
    assert f"maksuerittely-{tag}.pdf (application/pdf)" in page
