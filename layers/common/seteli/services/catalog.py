"""The public catalogue of a tenant's services (what `GET /v1/public/services` shows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from seteli.domain.money import Money
from seteli.domain.units import ServiceKind, Unit

if TYPE_CHECKING:
    from seteli.domain.tenant import Tenant


class ContentView(BaseModel):
    id: str
    name: str
    unit: Unit
    voucher_value: Money | None = Field(default=None, description="Municipality's value per unit, EUR")
    subsidy: Money | None = Field(default=None, description="Balance voucher: municipality's payment per unit, EUR")
    customer_pays: bool = Field(default=False, description="The customer pays the whole price")


class AttributeView(BaseModel):
    id: str
    name: str
    values: list[str]


class ServiceView(BaseModel):
    id: str
    name: str
    description: str | None = None
    kind: ServiceKind
    contents: list[ContentView]
    search_attributes: list[AttributeView]
    auto_events: bool
    continuous_applications: bool


def public_services(tenant: Tenant, lang: str = "fi") -> list[ServiceView]:
    attrs = {a.id: a for a in tenant.search_attributes}
    out = []
    for s in tenant.services:
        out.append(
            ServiceView(
                id=s.id,
                name=s.name.get(lang),
                description=s.description.get(lang) if s.description else None,
                kind=s.kind,
                contents=[
                    ContentView(
                        id=c.id,
                        name=c.name.get(lang),
                        unit=c.unit,
                        voucher_value=c.voucher_value,
                        subsidy=c.subsidy,
                        customer_pays=c.customer_pays,
                    )
                    for c in s.contents
                ],
                search_attributes=[
                    AttributeView(id=a, name=attrs[a].name.get(lang), values=[v.get(lang) for v in attrs[a].values])
                    for a in s.search_attributes
                    if a in attrs
                ],
                auto_events=s.auto_events,
                continuous_applications=s.applications.continuous,
            )
        )
    return out
