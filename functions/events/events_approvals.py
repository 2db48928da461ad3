"""The municipality's decisions on events over their granted amount (spec 9), and credit requests
(spec 10).

- ``GET /v1/approvals``: events waiting for approval, by date (municipality users);
- ``POST /v1/events/{event_id}/approval``: approve, reject, or approve with a credit request;
- ``POST /v1/credits``: a credit request for a settled event (municipality; a provider for its own);
- ``GET /v1/credits``: a provider's credit requests.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import BaseModel, ConfigDict, Field

from seteli.api.app import principal
from seteli.api.paging import Page, encode_cursor, start_key
from seteli.api.types import Id, Limit, Version
from seteli.domain.events import ApprovalDecision, Credit, ServiceEvent
from seteli.services import events as svc
from seteli.store import keys, repositories

router = Router()
TAGS = ["approvals"]


def _secret() -> str:
    from seteli.config import settings
    from seteli.services.providers import cursor_secret

    return cursor_secret(settings())


def _start(cursor: str | None) -> dict | None:
    return start_key(cursor, _secret(), index="gsi2", partition=keys.APPROVALS_GSI2PK, sk_prefix=keys.EVENT_PREFIX)


@router.get("/v1/approvals", tags=TAGS, summary="Events waiting for the municipality's approval")
def get_approvals(
    limit: Annotated[Limit, Query()] = 50,
    next: Annotated[str | None, Query(max_length=2000)] = None,  # noqa: A002 - the API's paging name
) -> Page[ServiceEvent]:
    found, last = svc.pending(repositories(), principal(router), limit, _start(next))
    return Page[ServiceEvent](items=found, next=encode_cursor(last, _secret()))


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: ApprovalDecision
    comment: Annotated[str, Field(max_length=2000)] | None = None
    version: Version


@router.post("/v1/events/<event_id>/approval", tags=TAGS, summary="Approve, reject, or approve with a credit request")
def post_approval(event_id: Id, body: Annotated[DecisionIn, Body()]) -> ServiceEvent:
    return svc.decide(repositories(), principal(router), event_id, body.decision, body.version, body.comment)


class CreditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: Id
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


@router.post("/v1/credits", tags=["credits"], summary="Credit request: deduct a settled event's whole value")
def post_credit(body: Annotated[CreditIn, Body()]) -> Response[Credit]:
    credit = svc.file_credit(repositories(), principal(router), body.event_id, body.reason)
    return Response(201, "application/json", credit)


@router.get("/v1/credits", tags=["credits"], summary="A provider's credit requests")
def get_credits(provider_id: Annotated[Id | None, Query()] = None) -> Page[Credit]:
    return Page[Credit](items=svc.credits_of(repositories(), principal(router), provider_id), next=None)
