"""API keys for a provider's own systems (PSOP: a key valid at most a year).

The provider's admin creates a key (shown once), lists and revokes them; a municipality admin lists
and revokes. A key signs requests as ``Authorization: ApiKey <key>`` and acts as the provider's
admin, but cannot manage keys.
"""

from datetime import date, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel, ConfigDict, Field

from seteli.api.app import principal
from seteli.api.paging import Page
from seteli.api.types import Id, IsoDate
from seteli.domain.api_keys import ApiKey
from seteli.services import api_keys as svc
from seteli.store import repositories

router = Router()


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=100, description="What the key is for, e.g. the system that uses it")
    expires_on: IsoDate = Field(description="The last day the key works: after today, at most 365 days ahead")


class ApiKeyOut(BaseModel):
    id: str = Field(description="The key's id (the part after seteli_); not a secret")
    provider_id: str
    name: str
    status: str = Field(description="active, revoked or expired")
    last4: str | None = Field(default=None, description="The key's last 4 characters, to tell keys apart")
    created_by: str
    created_at: datetime
    expires_on: date
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    version: int


class NewApiKeyOut(ApiKeyOut):
    key: str = Field(description="The key itself, shown only now: store it safely, it cannot be read again")


def _out(k: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(**k.model_dump(include=set(ApiKeyOut.model_fields) - {"status"}), status=k.status(svc.today()))


@router.post(
    "/v1/providers/<provider_id>/api-keys",
    summary="Create an API key for the provider's own systems (provider admin); the key is shown only once",
    tags=["api keys"],
    status_code=201,
    responses={201: {"description": "Created: the key, shown only this once"}},
)
def create_api_key(provider_id: Id, body: Annotated[ApiKeyIn, Body()]) -> Response[NewApiKeyOut]:
    record, key = svc.create_key(
        repositories(), principal(router), provider_id, name=body.name, expires_on=body.expires_on
    )
    out = NewApiKeyOut(**_out(record).model_dump(), key=key)
    return Response(
        201,
        "application/json",
        out,
        headers={"Location": f"/v1/providers/{provider_id}/api-keys/{record.id}", "Cache-Control": "no-store"},
    )


@router.get(
    "/v1/providers/<provider_id>/api-keys",
    summary="The provider's API keys, revoked and expired ones included (never the keys themselves)",
    tags=["api keys"],
)
def list_api_keys(provider_id: Id) -> Page[ApiKeyOut]:
    keys = svc.list_keys(repositories(), principal(router), provider_id)
    return Page[ApiKeyOut](items=[_out(k) for k in keys], next=None)


@router.get(
    "/v1/providers/api-keys/current",
    summary="The API key signing this request (its id, name, provider and expiry); 404 for signed-in users",
    tags=["api keys"],
)
def current_api_key() -> ApiKeyOut:
    return _out(svc.current_key(repositories(), principal(router)))


@router.delete(
    "/v1/providers/<provider_id>/api-keys/<key_id>",
    summary="Revoke an API key (kept for audit; it stops working within a minute)",
    tags=["api keys"],
)
def revoke_api_key(provider_id: Id, key_id: Id) -> ApiKeyOut:
    return _out(svc.revoke_key(repositories(), principal(router), provider_id, key_id))
