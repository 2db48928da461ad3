"""The reports (spec 15; seed 003 chapter 5), as JSON or CSV (``format=csv``: for Finnish Excel).

- ``GET /v1/reports/realisation?from=&to=`` customers and realisation: per entitlement content,
  provider and part: granted, used, settled, credited, own share, pending and incomplete units
  (drafts and unconfirmed automatic events), interruption days; filters ``provider_id``,
  ``service_id``, ``content_id``, ``part_id``, ``customer_id`` (the opaque ``cus-...`` id: never a
  personal identity code).
- ``GET /v1/reports/interruptions?service_id=&from=&to=`` each interruption's days per band inside
  the range, and a summary per reason and band; filters ``provider_id``, ``part_id``.

Municipality users: any provider or all; a provider: its own (``seteli.services.reports``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, Field, StringConstraints

from seteli.api.app import principal
from seteli.api.types import Id, Month
from seteli.domain.events import EventStatus
from seteli.domain.money import MoneyField, QuantityField
from seteli.domain.units import Unit
from seteli.rules import reports as rules
from seteli.services import reports as svc
from seteli.store import repositories

router = Router()
TAGS = ["reports"]

CustomerId = Annotated[str, StringConstraints(pattern=r"^cus-[a-z0-9-]{1,60}$")]
From = Annotated[Month, Query(alias="from", description="The first month, YYYY-MM")]
To = Annotated[Month, Query(description="The last month, YYYY-MM (at most 12 months from 'from')")]
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv (';', decimal comma, BOM)")]


# ---------------------------------------------------------------- answers


class RealisationRow(BaseModel):
    decision_number: str
    customer_id: str = Field(description="The opaque customer id (never a personal identity code)")
    service_id: str
    content_id: str
    provider_id: str
    part_id: str | None = Field(description="None: the company")
    unit: Unit
    granted: str = Field(description="The decision's amount and period, e.g. '10.00 h / week'; '' if none")
    used: QuantityField = Field(description="Units of recorded, pending, approved, settled and paid events")
    settled: MoneyField = Field(description="Paid in settlement runs: settled events (value + travel), interruptions")
    credited: MoneyField = Field(description="Of events with a credit request: deducted in a later run")
    own_share: MoneyField = Field(description="What the provider bills the customer for the used units")
    pending: QuantityField = Field(description="Units waiting for the municipality's approval (also in used)")
    incomplete: QuantityField = Field(description="Drafts (keskeneräiset), never settled until recorded")
    incomplete_auto: QuantityField = Field(description="Of incomplete: automatic events not confirmed yet")
    interruption_days: int = Field(description="Days of recorded interruptions inside the range")
    interruption_value: MoneyField


class UnitTotal(BaseModel):
    unit: Unit
    used: QuantityField
    pending: QuantityField
    incomplete: QuantityField


class RealisationTotals(BaseModel):
    entitlements: int
    customers: int
    settled: MoneyField
    credited: MoneyField
    own_share: MoneyField
    interruption_days: int
    interruption_value: MoneyField
    units: list[UnitTotal] = Field(description="Units per unit (hours and days do not add up)")


class Realisation(BaseModel):
    from_month: str
    to_month: str
    first_day: date
    last_day: date
    provider_id: str | None = Field(description="The provider the report is for; None: every provider")
    rows: list[RealisationRow]
    totals: RealisationTotals


class Band(BaseModel):
    band: str = Field(description="'day 0', 'days 1-10', 'days 11-', 'return day' (the rule's bands)")
    percent: int
    days: int
    value: MoneyField
    paid_elsewhere: int = Field(description="Of days: paid in another record (the return day in an event)")


class InterruptionLine(BaseModel):
    id: str
    decision_number: str
    customer_id: str
    content_id: str
    provider_id: str
    part_id: str | None
    reason: str
    departure_day: date
    return_day: date | None = Field(description="None: open, the customer is not back yet")
    status: EventStatus
    days: int = Field(description="Its days inside the range")
    bands: list[Band]
    value: MoneyField = Field(description="What its days inside the range pay")
    total_value: MoneyField = Field(description="What the whole interruption pays")


class ReasonBand(BaseModel):
    reason: str
    band: str
    percent: int
    days: int
    value: MoneyField


class InterruptionTotals(BaseModel):
    interruptions: int
    open: int
    days: int
    value: MoneyField


class Interruptions(BaseModel):
    service_id: str
    from_month: str
    to_month: str
    first_day: date
    last_day: date
    provider_id: str | None
    interruptions: list[InterruptionLine]
    summary: list[ReasonBand] = Field(description="Days and value per reason and band")
    totals: InterruptionTotals


# ---------------------------------------------------------------- helpers


def _csv(text: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(200, "text/csv; charset=utf-8", text, headers=headers)


def _answers(model: type[BaseModel]) -> dict:
    csv_ = {"schema": {"type": "string", "description": "';'-separated, decimal comma, UTF-8 with a BOM"}}
    content = {"application/json": {"model": model}, "text/csv": csv_}
    return {200: {"description": "JSON, or CSV with format=csv", "content": content}}


def _json(body: BaseModel) -> Response:
    return Response(200, "application/json", body.model_dump(mode="json"))


def _row(r: rules.RealisationRow) -> RealisationRow:
    return RealisationRow(
        decision_number=r.decision_number, customer_id=r.customer_id, service_id=r.service_id,
        content_id=r.content_id, provider_id=r.provider_id, part_id=r.part_id, unit=r.unit,
        granted=r.granted_text, used=r.used, settled=r.settled, credited=r.credited, own_share=r.own_share,
        pending=r.pending, incomplete=r.incomplete, incomplete_auto=r.incomplete_auto,
        interruption_days=r.interruption_days, interruption_value=r.interruption_value,
    )  # fmt: skip


def _band(b: rules.BandDays) -> Band:
    return Band(band=b.band, percent=b.percent, days=b.days, value=b.value, paid_elsewhere=b.paid_elsewhere)


def _line(r: rules.InterruptionRow) -> InterruptionLine:
    return InterruptionLine(
        id=r.id, decision_number=r.decision_number, customer_id=r.customer_id, content_id=r.content_id,
        provider_id=r.provider_id, part_id=r.part_id, reason=r.reason, departure_day=r.departure_day,
        return_day=r.return_day, status=r.status, days=r.days, bands=[_band(b) for b in r.bands], value=r.value,
        total_value=r.total_value,
    )  # fmt: skip


def _summary(s: rules.ReasonBand) -> ReasonBand:
    return ReasonBand(reason=s.reason, band=s.band, percent=s.percent, days=s.days, value=s.value)


# ---------------------------------------------------------------- routes


@router.get(
    "/v1/reports/realisation",
    tags=TAGS,
    summary="Customers and realisation (asiakkaat ja toteuma), with incomplete units",
    description="Municipality users: any provider, or every provider without provider_id; a provider: its own "
    "(another's is a 403). At most 12 months. format=csv for Finnish Excel.",
    responses=_answers(Realisation),
)
def realisation(  # noqa: ANN201 - JSON or CSV
    from_: From,
    to: To,
    provider_id: Annotated[Id | None, Query(description="One provider (a provider: its own, the default)")] = None,
    service_id: Annotated[Id | None, Query(description="One service")] = None,
    content_id: Annotated[Id | None, Query(description="One service content")] = None,
    part_id: Annotated[Id | None, Query(description="One provider part (site, unit, employee)")] = None,
    customer_id: Annotated[CustomerId | None, Query(description="One customer: the cus-... id")] = None,
    format: Format = "json",  # noqa: A002
):
    who = principal(router)
    f = svc.Filters(provider_id, service_id, content_id, part_id, customer_id)
    r, rows, tot = svc.realisation(repositories(), who, from_, to, f)
    if format == "csv":
        return _csv(rules.realisation_csv(rows, tot), f"toteuma-{from_}-{to}.csv")
    body = Realisation(
        from_month=from_,
        to_month=to,
        first_day=r.first,
        last_day=r.last,
        provider_id=provider_id or (who.provider_id if not who.is_municipality else None),
        rows=[_row(x) for x in rows],
        totals=RealisationTotals(
            entitlements=tot.entitlements, customers=tot.customers, settled=tot.settled, credited=tot.credited,
            own_share=tot.own_share, interruption_days=tot.interruption_days,
            interruption_value=tot.interruption_value,
            units=[UnitTotal(unit=u.unit, used=u.used, pending=u.pending, incomplete=u.incomplete) for u in tot.units],
        ),
    )  # fmt: skip
    return _json(body)


@router.get(
    "/v1/reports/interruptions",
    tags=TAGS,
    summary="Interruptions (keskeytykset) of a service: days per band",
    description="Each interruption touching the range with its days inside it per band of the interruption rule, "
    "and a summary per reason and band. service_id is required. format=csv for Finnish Excel.",
    responses=_answers(Interruptions),
)
def interruptions(  # noqa: ANN201 - JSON or CSV
    from_: From,
    to: To,
    service_id: Annotated[Id, Query(description="The service: the report is per service")],
    provider_id: Annotated[Id | None, Query(description="One provider (a provider: its own, the default)")] = None,
    part_id: Annotated[Id | None, Query(description="One provider part")] = None,
    format: Format = "json",  # noqa: A002
):
    who = principal(router)
    r, rows, summary, tot = svc.interruptions(
        repositories(), who, from_, to, service_id, provider_id=provider_id, part_id=part_id
    )
    if format == "csv":
        return _csv(rules.interruptions_csv(rows, summary, tot), f"keskeytykset-{service_id}-{from_}-{to}.csv")
    body = Interruptions(
        service_id=service_id,
        from_month=from_,
        to_month=to,
        first_day=r.first,
        last_day=r.last,
        provider_id=provider_id or (who.provider_id if not who.is_municipality else None),
        interruptions=[_line(x) for x in rows],
        summary=[_summary(s) for s in summary],
        totals=InterruptionTotals(interruptions=tot.interruptions, open=tot.open, days=tot.days, value=tot.value),
    )  # fmt: skip
    return _json(body)
