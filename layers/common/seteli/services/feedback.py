"""Feedback (palaute, spec 13, seed 003 K4.4): thanks, complaint or reclamation from a customer or
their proxy about a provider they have a relation with; the provider's one reply.

Who sees what:

- the municipality: all feedback, with the customer's id and name and who gave it;
- a provider (its users and its API keys): its own, with the customer's name while it may see the
  customer (``visible_to_provider``), never a personal identity code; another provider's feedback
  is a 404, as if it did not exist;
- a citizen: the feedback about the customer they are, or act for (``customer_id``), and what they
  gave themselves; anything else is a 404.

Emails on new feedback go to the provider when a reply is asked or it is a reclamation, and to the
municipality for a reclamation. They carry no customer data and no feedback text: only that a
customer gave feedback of a type, and its id; the reader signs in to read it. A failed email never
undoes the feedback.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from seteli.api.auth import CITIZEN, Principal
from seteli.clock import HELSINKI, now, today
from seteli.domain.events import Feedback, FeedbackType
from seteli.domain.provider import Provider, ProviderPart
from seteli.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from seteli.rules import feedback as rules
from seteli.rules.feedback import Audience, Reader
from seteli.rules.reservations import visible_to_provider
from seteli.services.citizens import customer_for, require_citizen

NOT_FOUND = "no such feedback"
ONLY_PROVIDER_REPLIES = "only the provider the feedback is about replies to it"


# ---------------------------------------------------------------- the view


class FeedbackView(BaseModel):
    """Feedback as its reader sees it (fields a reader may not see are null)."""

    id: str
    type: FeedbackType
    text: str
    provider_id: str
    provider_name: str | None = None
    part_id: str | None = None
    event_id: str | None = None
    customer_id: str
    customer_name: str | None = Field(
        default=None, description="The municipality's and the provider's view (while the provider may see the customer)"
    )
    reply_requested: bool
    needs_reply: bool = Field(description="A reply is asked, or it is a reclamation, and there is no reply yet")
    as_proxy: bool = Field(description="Given by a proxy acting for the customer")
    given_by: str | None = Field(default=None, description="The giver's sign-in (the municipality's view)")
    reply: str | None = None
    replied_at: datetime | None = None
    replied_by: str | None = None
    created_at: datetime
    version: int = Field(description="Send it with the reply")


def _reader(who: Principal) -> Reader:
    if who.is_municipality:
        return Reader.municipality
    if who.is_provider:
        return Reader.provider
    if CITIZEN in who.groups and not who.via_api_key:
        return Reader.citizen
    raise Forbidden("feedback is read by the municipality, the provider it is about and the customer")


def _views(repos, reader: Reader, found: list[Feedback]) -> list[FeedbackView]:
    """The views of one page: the customers' names (BatchGetItem) for the municipality and the
    provider, the providers' names for everyone."""
    if not found:
        return []
    names: dict[str, str | None] = {}
    customer_ids = list(dict.fromkeys(fb.customer_id for fb in found))
    if reader is not Reader.citizen:
        customers = repos.feedback.customers(customer_ids)
        names = {cid: c.name for cid, c in customers.items()}
    if reader is Reader.provider:
        relations = repos.feedback.relations(found[0].provider_id, customer_ids)
        on = today()
        names = {cid: n for cid, n in names.items() if visible_to_provider(relations.get(cid), on)}
    providers: dict[str, Provider | None] = {}
    for pid in dict.fromkeys(fb.provider_id for fb in found):
        providers[pid] = repos.providers.get(pid)
    out = []
    for fb in found:
        p = providers.get(fb.provider_id)
        out.append(
            FeedbackView(
                id=fb.id,
                type=fb.type,
                text=fb.text,
                provider_id=fb.provider_id,
                provider_name=p.name if p else None,
                part_id=fb.part_id,
                event_id=fb.event_id,
                customer_id=fb.customer_id,
                customer_name=names.get(fb.customer_id),
                reply_requested=fb.reply_requested,
                needs_reply=fb.needs_reply,
                as_proxy=fb.as_proxy,
                given_by=fb.given_by if reader is Reader.municipality else None,
                reply=fb.reply,
                replied_at=fb.replied_at,
                replied_by=fb.replied_by,
                created_at=fb.created_at,
                version=fb.version,
            )
        )
    return out


def view(repos, reader: Reader, fb: Feedback) -> FeedbackView:
    return _views(repos, reader, [fb])[0]


# ---------------------------------------------------------------- giving


@dataclass
class Given:
    feedback: Feedback
    view: FeedbackView
    notified: list[Audience] = field(default_factory=list)
    email_failed: bool = False


def _new_id() -> str:
    return f"fb-{secrets.token_hex(6)}"


def _invalid(error: FieldError) -> ValidationFailed:
    return ValidationFailed(f"the feedback cannot be given: {error.message}", [error])


def give(
    repos,
    who: Principal,
    *,
    type: FeedbackType,  # noqa: A002 - the API's field name
    text: str,
    provider_id: str,
    part_id: str | None = None,
    event_id: str | None = None,
    reply_requested: bool = False,
    customer_id: str | None = None,
) -> Given:
    """A citizen gives feedback as the customer or as a proxy for ``customer_id``.

    403 not a citizen, or not acting for ``customer_id``; 404 not linked to a customer; 409 the
    customer has no entitlement; 422 ``body.text`` blank, ``body.provider_id`` no relation with the
    provider, ``body.part_id`` not the provider's part (or not the event's), ``body.event_id`` not
    an event of the customer with the provider."""
    require_citizen(who)
    on = today()
    cid = customer_for(repos, who, customer_id, on)
    if problem := rules.text_problem(text):
        raise _invalid(FieldError("body.text", problem))
    refusal = rules.may_give(
        has_entitlement=bool(repos.entitlements.for_customer(cid)),
        relation=repos.provider_customers.get(provider_id, cid),
        today=on,
    )
    if refusal is not None and refusal.field == "body.customer_id":
        raise Conflict(f"the feedback cannot be given: {refusal.message}", [refusal])
    if refusal is not None:
        raise _invalid(refusal)
    provider = repos.providers.get(provider_id)
    if provider is None:  # a relation without its provider: answered like no relation
        raise _invalid(FieldError("body.provider_id", rules.NO_RELATION))
    if event_id is not None:
        event = repos.events.get(event_id)
        if problem := rules.event_problem(event, customer_id=cid, provider_id=provider_id, part_id=part_id):
            raise _invalid(problem)
        part_id = part_id or event.part_id  # the event's part is the feedback's target
    part = None
    if part_id is not None:
        part = repos.providers.part(provider_id, part_id)
        if part is None:
            raise _invalid(FieldError("body.part_id", rules.NOT_A_PART))
    fb = Feedback(
        id=_new_id(),
        type=type,
        text=text.strip(),
        customer_id=cid,
        provider_id=provider_id,
        part_id=part_id,
        event_id=event_id,
        reply_requested=reply_requested,
        given_by=who.subject,
        as_proxy=repos.citizens.customer_of(who.subject) != cid,
        created_at=now(),
    )
    fb = repos.feedback.create(fb)
    notified, failed = _notify(repos, fb, provider, part)
    return Given(feedback=fb, view=view(repos, Reader.citizen, fb), notified=notified, email_failed=failed)


def _notify(repos, fb: Feedback, provider: Provider, part: ProviderPart | None) -> tuple[list[Audience], bool]:
    """Email the audiences of ``fb``; (who was emailed, whether any email could not be sent)."""
    from seteli.observability import logger

    wanted = rules.audiences(fb)
    if not wanted:
        return [], False
    tenant = None
    try:
        from seteli.services.tenant_config import current_tenant

        tenant = current_tenant(repos.tenant)
    except Exception as exc:  # noqa: BLE001 - the feedback is saved; the email is what is lost
        logger.warning("feedback email: no tenant", extra={"feedback_id": fb.id, "error": type(exc).__name__})
    address = {
        Audience.provider: rules.provider_address(provider, part),
        Audience.municipality: tenant.notification_email if tenant is not None else None,
    }
    ctx = {
        "feedback_id": fb.id,
        "type_names": rules.TYPE_NAMES[fb.type],
        "reclamation": fb.type is FeedbackType.reclamation,
        "reply_requested": fb.reply_requested,
        "provider_name": provider.name,
        "part_name": part.name if part is not None else None,
        "event_id": fb.event_id,
        "municipality": tenant.name.fi if tenant is not None else "",
        "at": fb.created_at.astimezone(HELSINKI).strftime("%d.%m.%Y %H:%M"),
    }
    sent, failed = [], False
    for audience in wanted:
        if _send(f"feedback_{audience.value}", address[audience], fb, **ctx):
            sent.append(audience)
        else:
            failed = True
    return sent, failed


def _send(template: str, to: str | None, fb: Feedback, **ctx: Any) -> bool:
    from seteli.adapters.email import email_sender, render
    from seteli.observability import logger

    if not to:
        logger.warning("feedback email: no address", extra={"feedback_id": fb.id, "template": template})
        return False
    try:
        return email_sender().send(render(template, to, **ctx)) is not None
    except Exception as exc:  # noqa: BLE001 - the feedback is saved; a lost email is reported, not fatal
        logger.warning("feedback email failed", extra={"feedback_id": fb.id, "error": type(exc).__name__})
        return False


# ---------------------------------------------------------------- reading


def _visible(repos, who: Principal, reader: Reader, fb: Feedback) -> bool:
    if reader is Reader.citizen:
        if fb.given_by == who.subject:
            return True
        try:
            customer_for(repos, who, fb.customer_id, today())
        except (Forbidden, NotFound):
            return False
        return True
    return rules.may_read(fb, reader, provider_id=who.provider_id)


def get_feedback(repos, who: Principal, feedback_id: str) -> FeedbackView:
    """One feedback; 404 when there is none or the caller may not see it (the same answer)."""
    reader = _reader(who)
    fb = repos.feedback.get(feedback_id)
    if fb is None or not _visible(repos, who, reader, fb):
        raise NotFound(NOT_FOUND)
    return view(repos, reader, fb)


def _cursor_secret(repos) -> str:
    from seteli.services.providers import cursor_secret

    return cursor_secret(repos.settings)


def _start(cursor: str | None, secret: str, *, index: str | None, partition: str, sk_prefix: str):
    from seteli.api.paging import start_key

    return start_key(cursor, secret, index=index, partition=partition, sk_prefix=sk_prefix)


def list_feedback(
    repos,
    who: Principal,
    *,
    provider_id: str | None = None,
    customer_id: str | None = None,
    needs_reply: bool | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[FeedbackView], str | None]:
    """Newest first, paged. The municipality: all, or one provider's (``provider_id``) or one
    customer's (``customer_id``). A provider: its own (403 for ``provider_id`` of another, before
    anything is read). A citizen: the customer's they are (default) or act for (``customer_id``;
    403 otherwise). ``needs_reply`` filters for everyone."""
    from seteli.api.paging import encode_cursor
    from seteli.store import keys
    from seteli.store.feedback import CUSTOMER_FEEDBACK_PREFIX

    reader = _reader(who)
    if reader is Reader.provider:
        if provider_id is not None and provider_id != who.provider_id:
            raise Forbidden("a provider sees only its own feedback", [FieldError("query.provider_id", "not yours")])
        provider_id = who.provider_id
    if reader is Reader.citizen:
        customer_id = customer_for(repos, who, customer_id, today())

    def where(fb: Feedback) -> bool:
        return rules.matches(fb, needs_reply=needs_reply, provider_id=provider_id)

    secret = _cursor_secret(repos)
    if customer_id is not None:
        partition = keys.customer_pk(customer_id)
        start = _start(cursor, secret, index=None, partition=partition, sk_prefix=CUSTOMER_FEEDBACK_PREFIX)
        found, last = repos.feedback.page_for_customer(customer_id, limit, start, where)
    elif provider_id is not None:
        partition = keys.provider_feedback_gsi1pk(provider_id)
        start = _start(cursor, secret, index="gsi1", partition=partition, sk_prefix=keys.FEEDBACK_SK)
        found, last = repos.feedback.page_for_provider(provider_id, limit, start, where)
    else:
        start = _start(cursor, secret, index="gsi2", partition=keys.FEEDBACK_GSI2PK, sk_prefix=keys.FEEDBACK_SK)
        found, last = repos.feedback.page_all(limit, start, where)
    return _views(repos, reader, found), encode_cursor(last, secret)


# ---------------------------------------------------------------- replying


def reply(repos, who: Principal, feedback_id: str, *, text: str, version: int) -> FeedbackView:
    """The provider's one reply. 403 not a provider's user or key (before anything is read); 404
    no such feedback or another provider's; 422 ``body.text`` blank; 409 replied already, or
    ``version`` stale."""
    if not who.is_provider or who.is_municipality:
        raise Forbidden(ONLY_PROVIDER_REPLIES)
    if problem := rules.text_problem(text):
        raise ValidationFailed(f"the reply cannot be saved: {problem}", [FieldError("body.text", problem)])
    fb = repos.feedback.get(feedback_id)
    if fb is None or not rules.may_read(fb, Reader.provider, provider_id=who.provider_id):
        raise NotFound(NOT_FOUND)
    _refuse(rules.reply_refusal(fb, version), fb, version)
    replied = fb.model_copy(update={"reply": text.strip(), "replied_at": now(), "replied_by": who.subject})
    try:
        saved = repos.feedback.save_reply(replied)
    except Conflict:
        again = repos.feedback.get(feedback_id)
        _refuse(rules.reply_refusal(again, version) if again else rules.ReplyRefusal.stale, fb, version)
        raise
    return view(repos, Reader.provider, saved)


def _refuse(refusal: rules.ReplyRefusal | None, fb: Feedback, version: int) -> None:
    if refusal is rules.ReplyRefusal.already_replied:
        raise Conflict(
            "this feedback has been replied to already: one reply only", [FieldError("body.text", "replied already")]
        )
    if refusal is rules.ReplyRefusal.stale:
        raise Conflict(
            f"the feedback changed meanwhile (you sent version {version}); read it again and repeat your reply",
            [FieldError("body.version", "stale: read again")],
        )
