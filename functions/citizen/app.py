"""Citizen context: a signed-in citizen's own entitlements (with used and remaining amounts) and
proxies (issue 4), and their service events (issue 5). Only the group ``citizen`` (403 for anyone else).
Who may do what: ``seteli.services.citizens``."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import BaseModel, ConfigDict, Field

from seteli.adapters.identity import identity
from seteli.api.app import create_app, make_handler, principal
from seteli.api.paging import Page
from seteli.api.types import Id, IsoDate, Lang
from seteli.services import citizens as svc
from seteli.services import own_share
from seteli.services.tenant_config import current_tenant
from seteli.store import repositories

app = create_app("citizen")
TAGS = ["citizen"]
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


class ProxyIn(BaseModel):
    """Authorise a relative to act for you (you, the customer: never for anyone else)."""

    model_config = ConfigDict(extra="forbid")

    email: Annotated[
        str, Field(min_length=3, max_length=254, description="The email of the relative's own Seteli sign-in")
    ]
    valid_until: IsoDate | None = Field(default=None, description="The last day (default: until you remove it)")


@app.get(
    "/v1/me/entitlements",
    summary="Your entitlements (or, with customer_id, those of a customer you act for) with used and remaining",
    description=(
        "Per entitlement: decision number, service, kind, validity, state, and per row the granted amount, its "
        "period, the unit value and the used and remaining amounts and euros of the current period (this "
        "validity, ISO week or calendar month). 404 when your sign-in is not linked to a customer; 403 when you "
        "may not act for `customer_id` (the same whether or not it exists)."
    ),
    tags=TAGS,
    responses={
        200: {"description": "The entitlements"},
        403: {"description": "Not a citizen, or not your customer", "content": PROBLEM},
    },
)
def my_entitlements(
    customer_id: Annotated[Id | None, Query(description="A customer you act for (proxy)")] = None,
    lang: Annotated[Lang, Query(description="Language of names")] = "fi",
) -> Page[svc.CitizenEntitlement]:
    repos = repositories()
    items = svc.my_entitlements(repos, current_tenant(repos.tenant), principal(app), customer_id, lang)
    return Page[svc.CitizenEntitlement](items=items, next=None)


@app.get(
    "/v1/me/events",
    summary="Your service events (or, with customer_id, those of a customer you act for), newest first",
    description=(
        "The events and interruptions recorded on your entitlements from `from` to `to` (default: this month and "
        "the two before; at most 366 days): dates and times, service and content, provider, quantity, status "
        "(pending approval is shown; drafts and rejected events are not), price, what the municipality pays and "
        "your own share. 404 when your sign-in is not linked to a customer; 403 when you may not act for "
        "`customer_id`."
    ),
    tags=TAGS,
    responses={
        200: {"description": "The events"},
        403: {"description": "Not a citizen, or not your customer", "content": PROBLEM},
        422: {"description": "A bad period", "content": PROBLEM},
    },
)
def my_events(
    from_: Annotated[IsoDate | None, Query(alias="from", description="First day")] = None,
    to: Annotated[IsoDate | None, Query(description="Last day")] = None,
    customer_id: Annotated[Id | None, Query(description="A customer you act for (proxy)")] = None,
) -> Page[own_share.CitizenEvent]:
    items = own_share.my_events(repositories(), principal(app), customer_id, from_, to)
    return Page[own_share.CitizenEvent](items=items, next=None)


@app.get(
    "/v1/me/proxies",
    summary="Whom you act for, and who acts for you",
    tags=TAGS,
)
def my_proxies() -> svc.Proxies:
    return svc.my_proxies(repositories(), principal(app))


@app.post(
    "/v1/me/proxies",
    summary="Authorise a relative (by the email of their own Seteli sign-in) to act for you",
    description=(
        "Only for yourself, the customer: a proxy cannot authorise others for the customer. The relative must "
        "have signed in to Seteli once (422 `body.email` otherwise); then they may read "
        "`/v1/me/entitlements?customer_id=<your customer id>`."
    ),
    tags=TAGS,
    status_code=201,
    responses={
        201: {"description": "Authorised"},
        409: {"description": "The relative is authorised already", "content": PROBLEM},
    },
)
def add_proxy(body: Annotated[ProxyIn, Body()]) -> Response[svc.ActingForMe]:
    grant = svc.add_proxy(repositories(), identity(), principal(app), body.email, body.valid_until)
    return Response(201, "application/json", grant, headers={"Cache-Control": "no-store"})


@app.delete(
    "/v1/me/proxies/<proxy_id>",
    summary="Remove an authorisation: a relative's (its id) or your own to act for a customer (the customer id)",
    tags=TAGS,
    status_code=204,
    responses={204: {"description": "Removed"}, 404: {"description": "No such authorisation", "content": PROBLEM}},
)
def remove_proxy(proxy_id: Id) -> None:
    svc.remove_proxy(repositories(), principal(app), proxy_id)
    return Response(204, headers={"Cache-Control": "no-store"})


# ---------------------------------------------------------------- without bank ID (open route)


class EntitlementAccessIn(BaseModel):
    """The decision number and the citizen code on the decision letter."""

    model_config = ConfigDict(extra="forbid")

    decision_number: Annotated[str, Field(min_length=1, max_length=60)]
    citizen_code: Annotated[str, Field(min_length=1, max_length=60, description="The citizen code on the letter")]


@app.post(
    "/v1/public/entitlement-access",
    summary="See one entitlement without bank ID: decision number and citizen code from the letter",
    description=(
        "No sign-in. Answers the entitlement's citizen view and an access token for that one decision number "
        "(30 minutes; e.g. for feedback). A wrong number and a wrong code get the same 404. Failed attempts are "
        "throttled per decision number and per source address (429)."
    ),
    tags=["public", "citizen"],
    responses={
        200: {"description": "The entitlement and an access token for it"},
        404: {"description": "No entitlement with this decision number and code", "content": PROBLEM},
        429: {"description": "Too many failed attempts", "content": PROBLEM},
    },
)
def entitlement_access(body: Annotated[EntitlementAccessIn, Body()]) -> Response[svc.EntitlementAccess]:
    ctx = app.current_event.request_context
    source = ctx.identity.source_ip if ctx and ctx.identity else None
    repos = repositories()
    out = svc.entitlement_access(
        repos,
        current_tenant(repos.tenant),
        decision_number=body.decision_number,
        citizen_code=body.citizen_code,
        source=source or "unknown",
    )
    return Response(200, "application/json", out, headers={"Cache-Control": "no-store"})


lambda_handler = make_handler(app)
