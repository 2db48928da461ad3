"""Provider users (spec 14): an admin invites users, changes their role and teams, passivates and
reactivates them. Provider users read the list and themselves; municipality users read."""

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel, ConfigDict, Field

from seteli.adapters.identity import identity
from seteli.api.app import principal
from seteli.api.paging import Page
from seteli.api.types import Id
from seteli.domain.users import ProviderUser, UserRole
from seteli.services import users as svc
from seteli.store import repositories

router = Router()

ServiceId = Annotated[str, Field(min_length=1, max_length=64)]


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254, description="The user's email: also the user name for signing in")
    name: str = Field(max_length=200)
    role: UserRole = UserRole.provider_user
    teams: list[ServiceId] = Field(default_factory=list, max_length=50, description="Service ids of the teams")


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=0, description="The version you read; a stale one is a 409")
    name: str | None = Field(default=None, max_length=200)
    role: UserRole | None = None
    active: bool | None = Field(default=None, description="false passivates the user, true reactivates it")
    teams: list[ServiceId] | None = Field(default=None, max_length=50, description="Replaces the teams")


class UserOut(BaseModel):
    subject: str = Field(description="The user's id (Cognito sub)")
    provider_id: str
    email: str
    name: str
    role: UserRole
    active: bool
    status: str = Field(description="active or passive")
    teams: list[str]
    passivated_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int


def _out(u: ProviderUser) -> UserOut:
    return UserOut(
        **u.model_dump(include=set(UserOut.model_fields) - {"status"}),
        status="active" if u.active else "passive",
    )


@router.post(
    "/v1/providers/<provider_id>/users",
    summary="Invite a user (provider admin): a Cognito user with a one-time password sent by email",
    tags=["provider users"],
    status_code=201,
    responses={201: {"description": "Invited: the user's record"}},
)
def add_user(provider_id: Id, body: Annotated[UserIn, Body()]) -> Response[UserOut]:
    user = svc.add_user(
        repositories(),
        identity(),
        principal(router),
        provider_id,
        email=body.email,
        name=body.name,
        role=body.role.value,
        teams=body.teams,
    )
    return Response(
        201,
        "application/json",
        _out(user),
        headers={"Location": f"/v1/providers/{provider_id}/users/{user.subject}"},
    )


@router.get(
    "/v1/providers/<provider_id>/users", summary="A provider's users, passive ones included", tags=["provider users"]
)
def list_users(provider_id: Id) -> Page[UserOut]:
    users = svc.list_users(repositories(), principal(router), provider_id)
    return Page[UserOut](items=[_out(u) for u in users], next=None)


@router.get("/v1/providers/<provider_id>/users/<subject>", summary="One provider user", tags=["provider users"])
def get_user(provider_id: Id, subject: Id) -> UserOut:
    return _out(svc.read_user(repositories(), principal(router), provider_id, subject))


@router.patch(
    "/v1/providers/<provider_id>/users/<subject>",
    summary="Change a user's name, role or teams; passivate (active=false) or reactivate (provider admin)",
    tags=["provider users"],
)
def patch_user(provider_id: Id, subject: Id, body: Annotated[UserPatch, Body()]) -> UserOut:
    user = svc.update_user(
        repositories(),
        identity(),
        principal(router),
        provider_id,
        subject,
        version=body.version,
        name=body.name,
        role=body.role.value if body.role is not None else None,
        active=body.active,
        teams=body.teams,
    )
    return _out(user)
