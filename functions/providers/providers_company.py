"""Company data: registration, the provider record, parts (sites, units, employees), billing."""

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel

from seteli.api.app import principal
from seteli.api.types import Id
from seteli.domain.provider import Address, PartKind
from seteli.services.providers import read_provider
from seteli.store import repositories

router = Router()


class PartOut(BaseModel):
    id: str
    kind: PartKind
    name: str
    address: Address | None = None
    lat: float | None = None
    lon: float | None = None
    email: str | None = None


class ProviderOut(BaseModel):
    id: str
    name: str
    business_id: str
    description: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    address: Address | None = None
    parts: list[PartOut]
    version: int


@router.get("/v1/providers/<provider_id>", summary="A provider's company data and parts", tags=["providers"])
def get_provider(provider_id: Id) -> ProviderOut:
    provider, parts = read_provider(repositories().providers, principal(router), provider_id)
    return ProviderOut(
        **provider.model_dump(include=set(ProviderOut.model_fields) - {"parts"}),
        parts=[PartOut(**p.model_dump(include=set(PartOut.model_fields))) for p in parts],
    )
