"""Feedback (palaute, spec 13, seed 003 K4.4): who may give it, who may read it, who is told.

Pure functions, no I/O. The use cases (``seteli.services.feedback``) read what these need.

- Giving: a signed-in customer, or a proxy acting for one, whose customer has an entitlement and a
  relation to the provider (a valid reservation or order, or an event in the last three years:
  ``seteli.rules.reservations.visible_to_provider``). A targeted part must be the provider's; a
  targeted event must be the customer's with that provider (and at the targeted part).
- Replying: the provider, once; a reclamation always needs one (``Feedback.needs_reply``).
- Notifying: the provider when a reply is asked or the type is reclamation (the targeted part's
  email when it has one, else the company's contact email); the municipality for a reclamation.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from seteli.domain.entitlements import ProviderCustomer
from seteli.domain.events import EventStatus, Feedback, FeedbackType
from seteli.domain.provider import Provider, ProviderPart
from seteli.errors import FieldError
from seteli.rules.reservations import visible_to_provider

MAX_TEXT = 4000

NO_ENTITLEMENT = "the customer has no service voucher or order: feedback needs one"
NO_RELATION = "you have no relation with this provider"
NOT_A_PART = "not a part of this provider"
NOT_AN_EVENT = "not a service event of the customer with this provider"
OTHER_PART = "the event was given at another part of the provider"

TYPE_NAMES = {
    FeedbackType.thanks: {"fi": "kiitos", "sv": "tack", "en": "thanks"},
    FeedbackType.complaint: {"fi": "moite", "sv": "klagomål", "en": "complaint"},
    FeedbackType.reclamation: {"fi": "reklamaatio", "sv": "reklamation", "en": "reclamation"},
}


class Audience(StrEnum):
    """Who is emailed about new feedback."""

    provider = "provider"
    municipality = "municipality"


# ---------------------------------------------------------------- giving


def text_problem(text: str | None) -> str | None:
    """Why ``text`` cannot be feedback (or a reply), or None."""
    if text is None or not text.strip():
        return "must not be blank"
    if len(text.strip()) > MAX_TEXT:
        return f"at most {MAX_TEXT} characters"
    return None


def may_give(*, has_entitlement: bool, relation: ProviderCustomer | None, today: date) -> FieldError | None:
    """Whether the customer may give feedback about the provider of ``relation`` today; the first
    reason why not (as a field error), or None. The message is the same whether or not the provider
    exists: a citizen learns nothing of other customers or providers from it."""
    if not has_entitlement:
        return FieldError("body.customer_id", NO_ENTITLEMENT)
    if not visible_to_provider(relation, today):
        return FieldError("body.provider_id", NO_RELATION)
    return None


def event_problem(event, *, customer_id: str, provider_id: str, part_id: str | None) -> FieldError | None:
    """Why ``event`` (a ServiceEvent or None) cannot be the target of the customer's feedback about
    ``provider_id`` (at ``part_id``, if a part is targeted), or None. A draft is not the customer's
    to see yet: it is refused like a missing one."""
    if (
        event is None
        or event.customer_id != customer_id
        or event.provider_id != provider_id
        or event.status is EventStatus.draft
    ):
        return FieldError("body.event_id", NOT_AN_EVENT)
    if part_id is not None and event.part_id is not None and event.part_id != part_id:
        return FieldError("body.part_id", OTHER_PART)
    return None


# ---------------------------------------------------------------- notifying


def audiences(fb: Feedback) -> list[Audience]:
    """Who is emailed about ``fb`` when it is given (K4.4): the provider when a reply is asked or
    it is a reclamation; the municipality too for a reclamation."""
    out = []
    if fb.reply_requested or fb.type is FeedbackType.reclamation:
        out.append(Audience.provider)
    if fb.type is FeedbackType.reclamation:
        out.append(Audience.municipality)
    return out


def provider_address(provider: Provider | None, part: ProviderPart | None) -> str | None:
    """Where the provider is told: the targeted part's email (a site's notification address, an
    employee's own) when it has one, else the company's contact email."""
    if part is not None and part.email and part.email.strip():
        return part.email.strip()
    if provider is not None and provider.contact_email and provider.contact_email.strip():
        return provider.contact_email.strip()
    return None


# ---------------------------------------------------------------- reading and replying


class Reader(StrEnum):
    """Whose view of feedback a caller gets."""

    municipality = "municipality"  # everything: the customer's id and name, who gave it
    provider = "provider"  # its own: the customer's name, never a personal ID
    citizen = "citizen"  # the customer's own or a customer's they act for


def may_read(
    fb: Feedback, reader: Reader, *, provider_id: str | None = None, subject: str | None = None, customers=()
) -> bool:
    """Whether a reader sees ``fb``: the municipality all; a provider its own; a citizen what they
    gave and what is about a customer they are or act for (``customers``)."""
    if reader is Reader.municipality:
        return True
    if reader is Reader.provider:
        return provider_id is not None and fb.provider_id == provider_id
    return (subject is not None and fb.given_by == subject) or fb.customer_id in set(customers)


def matches(fb: Feedback, *, needs_reply: bool | None = None, provider_id: str | None = None) -> bool:
    """The list filters: ``needs_reply`` (None: both) and one provider (None: any)."""
    if needs_reply is not None and fb.needs_reply != needs_reply:
        return False
    return provider_id is None or fb.provider_id == provider_id


class ReplyRefusal(StrEnum):
    already_replied = "already_replied"
    stale = "stale"


def reply_refusal(fb: Feedback, version: int) -> ReplyRefusal | None:
    """One reply only (whatever the type; a thanks without a reply asked may still get one), and
    only to the version the provider read."""
    if fb.reply is not None:
        return ReplyRefusal.already_replied
    if fb.version != version:
        return ReplyRefusal.stale
    return None
