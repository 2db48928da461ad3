"""Email port: the use cases say what to send; the adapter sends it through SES.

Messages are jinja2 text templates in ``adapters/templates/email/<name>.txt``: the first line is
``Subject: ...``, the rest the body. Finnish first; a template may hold the Swedish and English
text below the Finnish. Locally SES is moto's: every message is captured and the local runtime
shows them at ``/_local/mail``. Sending never fails a request: a refused email is logged (without
the body) and counted, and the caller's record is already saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

TEMPLATES = Path(__file__).parent / "templates" / "email"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Email:
    to: tuple[str, ...]
    subject: str
    text: str
    reply_to: tuple[str, ...] = field(default_factory=tuple)
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


def mime(sender: str, email: Email) -> bytes:
    """The message as MIME (for SES SendRawEmail): the text, then each attachment."""
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(email.to)
    if email.reply_to:
        msg["Reply-To"] = ", ".join(email.reply_to)
    msg["Subject"] = email.subject
    msg.set_content(email.text)
    for a in email.attachments:
        main, _, sub = a.content_type.partition("/")
        msg.add_attachment(a.data, maintype=main, subtype=sub or "octet-stream", filename=a.filename)
    return msg.as_bytes()


class EmailSender(Protocol):
    def send(self, email: Email) -> str | None: ...


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        undefined=StrictUndefined,  # a missing value is a bug, not an empty gap in a letter
        autoescape=False,  # noqa: S701 - plain-text mail, never HTML
        keep_trailing_newline=True,
    )


def render(
    template: str,
    to: str | list[str] | tuple[str, ...],
    attachments: tuple[Attachment, ...] = (),
    **context: Any,
) -> Email:
    """Render ``templates/email/<template>.txt`` into an Email to ``to`` (with ``attachments``)."""
    text = _env().get_template(f"{template}.txt").render(**context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject: "):
        raise ValueError(f"email template {template} must start with 'Subject: '")
    recipients = (to,) if isinstance(to, str) else tuple(to)
    subject = first.removeprefix("Subject: ").strip()
    return Email(to=recipients, subject=subject, text=body.lstrip("\n"), attachments=tuple(attachments))


class SesSender:
    """SES (v1 SendEmail; the template's SendEmailPolicy allows only the stack's sender identity)."""

    def __init__(self, sender: str, region: str, endpoint_url: str | None = None) -> None:
        self.sender = sender
        self.region = region
        self.endpoint_url = endpoint_url
        self._client = None

    def send(self, email: Email) -> str | None:
        from seteli.observability import logger, metrics

        if not email.to:
            return None
        if self._client is None:
            import boto3

            self._client = boto3.client("ses", region_name=self.region, endpoint_url=self.endpoint_url)
        try:
            if email.attachments:
                # the recipients are the message's own To header (SES reads them from it)
                res = self._client.send_raw_email(Source=self.sender, RawMessage={"Data": mime(self.sender, email)})
                return res.get("MessageId")
            res = self._client.send_email(
                Source=self.sender,
                Destination={"ToAddresses": list(email.to)},
                Message={
                    "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": email.text, "Charset": "UTF-8"}},
                },
                ReplyToAddresses=list(email.reply_to),
            )
        except Exception as exc:  # noqa: BLE001 - the record is saved; a lost email is reported, not fatal
            logger.warning("email not sent", extra={"subject": email.subject, "error": type(exc).__name__})
            metrics.add_metric(name="EmailsFailed", unit="Count", value=1)
            return None
        return res.get("MessageId")


class Outbox:
    """A sender that keeps what it was given (unit tests of use cases)."""

    def __init__(self) -> None:
        self.sent: list[Email] = []

    def send(self, email: Email) -> str | None:
        self.sent.append(email)
        return f"outbox-{len(self.sent)}"


_sender: EmailSender | None = None


def email_sender() -> EmailSender:
    """The stack's sender (SES), built from the settings once per container."""
    global _sender
    if _sender is None:
        from seteli.config import settings

        s = settings()
        _sender = SesSender(s.email_from, s.region, s.aws_endpoint_url)
    return _sender


def use_sender(sender: EmailSender | None) -> None:
    """Replace the sender (tests), or forget it (None)."""
    global _sender
    _sender = sender
