"""The reports (spec 15; seed 003 chapter 5), as JSON or CSV (``format=csv``: for Finnish Excel).

- ``GET /v1/reports/realisation?from=&to=`` customers and realisation: per entitlement content
  and provider granted, used, settled, own share, pending and incomplete units (drafts and
  unconfirmed automatic events), and interruption days; filters ``provider_id``, ``service_id``,
  ``content_id``, ``part_id``, ``customer_id`` (an opaque id: never a personal identity code).
- ``GET /v1/reports/interruptions?service_id=&from=&to=`` each interruption's days per band.
Municipality users: any provider or all; a provider: its own (``seteli.services.reports``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel

from seteli.api.app import principal
from seteli.api.types import Month
from seteli.domain.money import MoneyField, QuantityField
from seteli.rules import reports as rules
from seteli.services import reports as svc
from seteli.store import repositories

router = Router()
TAGS = ["reports"]
Id = Annotated[str | None, Query(max_length=64)]
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]


class RealisationRow(BaseModel):
    decision_number: str
    customer_id: str
    service_id: str
    content_id: str
    provider_id: str
    part_id: str | None
    unit: str
    granted: str
    used: QuantityField
    settled: MoneyField
    own_share: MoneyField
    pending: QuantityField
    incomplete: QuantityField
    interruption_days: int
    interruption_value: MoneyField


class RealisationTotals(BaseModel):
    settled: MoneyField
    own_share: MoneyField
    interruption_days: int
    interruption_value: MoneyField


class Realisation(BaseModel):
    from_month: str
    to_month: str
    rows: list[RealisationRow]
    totals: RealisationTotals


class Band(BaseModel):
    band: str
    percent: int
    days: int
    value: MoneyField


class InterruptionLine(BaseModel):
    id: str
    decision_number: str
    provider_id: str
    part_id: str | None
    reason: str
    departure_day: str
    return_day: str | None
    status: str
    bands: list[Band]
    value: MoneyField


class ReasonSummary(BaseModel):
    reason: str
    percent: int
    days: int
    value: MoneyField


class Interruptions(BaseModel):
    service_id: str
    from_month: str
    to_month: str
    interruptions: list[InterruptionLine]
    summary: list[ReasonSummary]


def _csv(text: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(200, "text/csv; charset=utf-8", text, headers=headers)


def _answers(model) -> dict:
    csv_ = {"schema": {"type": "string", "description": "';'-separated, decimal comma, UTF-8 with BOM"}}
    content = {"application/json": {"model": model}, "text/csv": csv_}
    return {200: {"description": "JSON, or CSV with format=csv", "content": content}}


@router.get(
    "/v1/reports/realisation",
    tags=TAGS,
    summary="Customers and realisation, with incomplete units",
    responses=_answers(Realisation),
)
def realisation(  # noqa: ANN201 - JSON or CSV
    from_: Annotated[Month, Query(alias="from")],
    to: Annotated[Month, Query()],
    provider_id: Id = None,
    service_id: Id = None,
    content_id: Id = None,
    part_id: Id = None,
    customer_id: Id = None,
    format: Format = "json",  # noqa: A002
):
    rows, total = svc.realisation(
        repositories(), principal(router), from_, to, provider_id=provider_id, service_id=service_id,
        content_id=content_id, part_id=part_id, customer_id=customer_id,
    )  # fmt: skip
    if format == "csv":
        return _csv(rules.realisation_csv(rows, total), f"toteuma-{from_}-{to}.csv")
    body = Realisation(
        from_month=from_,
        to_month=to,
        rows=[RealisationRow(**vars(r)) for r in rows],
        totals=RealisationTotals(
            settled=total.settled,
            own_share=total.own_share,
            interruption_days=total.interruption_days,
            interruption_value=total.interruption_value,
        ),
    )
    return Response(200, "application/json", body.model_dump(mode="json"))


@router.get(
    "/v1/reports/interruptions",
    tags=TAGS,
    summary="Interruptions of a service: days per band",
    responses=_answers(Interruptions),
)
def interruptions(  # noqa: ANN201 - JSON or CSV
    service_id: Annotated[str, Query(min_length=1, max_length=64)],
    from_: Annotated[Month, Query(alias="from")],
    to: Annotated[Month, Query()],
    provider_id: Id = None,
    format: Format = "json",  # noqa: A002
):
    rows, summary = svc.interruptions(repositories(), principal(router), from_, to, service_id, provider_id=provider_id)
    if format == "csv":
        return _csv(rules.interruptions_csv(rows), f"keskeytykset-{service_id}-{from_}-{to}.csv")
    body = Interruptions(
        service_id=service_id,
        from_month=from_,
        to_month=to,
        interruptions=[InterruptionLine(**vars(r)) for r in rows],
        summary=[ReasonSummary(**s) for s in summary],
    )
    return Response(200, "application/json", body.model_dump(mode="json"))
