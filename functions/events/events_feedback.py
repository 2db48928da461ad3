"""Feedback (palaute, spec 13, seed 003 K4.4).

- ``POST /v1/feedback``: a citizen (the customer, or a proxy with ``customer_id``) gives thanks, a
  complaint or a reclamation about a provider they have a relation with; optionally about one part
  or one service event; optionally asking for a reply;
- ``GET /v1/feedback``: the municipality all (``provider_id``, ``customer_id`` filter), a provider
  its own, a citizen the customer's; ``needs_reply`` filters; newest first, paged;
- ``GET /v1/feedback/{feedback_id}``: one (404 when not yours to see);
- ``POST /v1/feedback/{feedback_id}/reply``: the provider's one reply.

Who may call what: ``seteli.services.feedback``.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import BaseModel, ConfigDict, Field

from seteli.api.app import principal
from seteli.api.paging import Page
from seteli.api.types import Id, Limit, Version
from seteli.domain.events import FeedbackType
from seteli.rules.feedback import MAX_TEXT
from seteli.services import feedback as svc
from seteli.store import repositories

router = Router()
TAGS = ["feedback"]

Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
EventId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: FeedbackType = Field(description="thanks (kiitos), complaint (moite) or reclamation (reklamaatio)")
    text: Text
    provider_id: Id = Field(description="The provider the feedback is about: the customer must have a relation with it")
    part_id: Id | None = Field(default=None, description="A part of the provider (site, unit, employee)")
    event_id: EventId | None = Field(default=None, description="One service event of the customer with the provider")
    reply_requested: bool = Field(default=False, description="Ask for a reply (a reclamation always needs one)")
    customer_id: Id | None = Field(default=None, description="The customer you act for as a proxy; default: yourself")


class FeedbackCreated(svc.FeedbackView):
    notified: list[str] = Field(description="Who was emailed: provider, municipality")
    email_failed: bool = Field(description="An email could not be sent (the feedback is saved all the same)")


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text
    version: Version


@router.post("/v1/feedback", tags=TAGS, summary="Give feedback about a provider (citizen)", status_code=201)
def post_feedback(body: Annotated[FeedbackIn, Body()]) -> Response[FeedbackCreated]:
    given = svc.give(
        repositories(),
        principal(router),
        type=body.type,
        text=body.text,
        provider_id=body.provider_id,
        part_id=body.part_id,
        event_id=body.event_id,
        reply_requested=body.reply_requested,
        customer_id=body.customer_id,
    )
    out = FeedbackCreated(
        **given.view.model_dump(), notified=[a.value for a in given.notified], email_failed=given.email_failed
    )
    return Response(201, "application/json", out, headers={"Location": f"/v1/feedback/{given.feedback.id}"})


@router.get("/v1/feedback", tags=TAGS, summary="Feedback, newest first (yours to see)")
def get_feedback_list(
    provider_id: Annotated[Id | None, Query(description="One provider's (the municipality)")] = None,
    customer_id: Annotated[Id | None, Query(description="One customer's (the municipality; a proxy)")] = None,
    needs_reply: Annotated[bool | None, Query(description="Only those waiting for a reply (true) or not")] = None,
    limit: Annotated[Limit, Query()] = 50,
    next: Annotated[str | None, Query(max_length=2000)] = None,  # noqa: A002 - the API's paging name
) -> Page[svc.FeedbackView]:
    found, cursor = svc.list_feedback(
        repositories(),
        principal(router),
        provider_id=provider_id,
        customer_id=customer_id,
        needs_reply=needs_reply,
        limit=limit,
        cursor=next,
    )
    return Page[svc.FeedbackView](items=found, next=cursor)


@router.get("/v1/feedback/<feedback_id>", tags=TAGS, summary="One feedback with its reply")
def get_feedback(feedback_id: Id) -> svc.FeedbackView:
    return svc.get_feedback(repositories(), principal(router), feedback_id)


@router.post("/v1/feedback/<feedback_id>/reply", tags=TAGS, summary="Reply to feedback, once (provider)")
def post_reply(feedback_id: Id, body: Annotated[ReplyIn, Body()]) -> svc.FeedbackView:
    return svc.reply(repositories(), principal(router), feedback_id, text=body.text, version=body.version)
