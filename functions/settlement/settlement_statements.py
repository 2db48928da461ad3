"""Statements of the monthly settlement, payment PDFs, the finance file, and provider-invoice mode's
references and matching check (spec 10, 11; seeds 001, 003).

- ``GET /v1/settlements?month=`` statements of a run (municipality: all or ``provider_id``;
  a provider: its own).
- ``GET /v1/settlements/statements/{statement_id}``: one statement with its lines.
- ``GET /v1/settlements/{month}/providers/{provider_id}/pdf``: the payment PDF (send
  ``Accept: application/pdf``; base64 through API Gateway like the other PDFs).
- ``GET /v1/settlements/{month}/finance-file``: the CSV for the finance system (municipality).
- ``POST /v1/settlements/invoice-checks``: does a provider's invoice match (municipality)?
- ``POST|GET /v1/providers/{provider_id}/invoice-references``: the provider's reference and total
  per service (provider-invoice mode).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from seteli.api.app import principal
from seteli.api.auth import MUNICIPALITY_GROUPS
from seteli.api.types import Month
from seteli.domain.settlement import Statement, StatementLine
from seteli.errors import Forbidden
from seteli.services import settlement as svc
from seteli.services.jobs import job_env

router = Router()
TAGS = ["settlement"]
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
ProviderId = Annotated[str, Path(pattern=r"^prv-[a-z0-9]{4,40}$", max_length=44)]


class StatementList(BaseModel):
    month: str
    statements: list[Statement]


class StatementWithLines(BaseModel):
    statement: Statement
    lines: list[StatementLine]


class InvoiceReferenceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_id: str = Field(min_length=1, max_length=64)
    month: Month


class InvoiceCheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference: str = Field(min_length=4, max_length=40, description="as printed on the invoice")
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2, description="the invoice's total, EUR")
    invoice_number: str = Field(min_length=1, max_length=40)


class InvoiceCheck(BaseModel):
    matched: bool
    problems: list[dict[str, str]]  # field, reason
    statement: Statement


@router.get("/v1/settlements", tags=TAGS, summary="Statements of a settlement run")
def list_statements(
    month: Annotated[Month, Query(description="the run's month, YYYY-MM")],
    provider_id: Annotated[str | None, Query(max_length=44)] = None,
) -> StatementList:
    env = job_env()
    return StatementList(month=month, statements=svc.statements(env.repos, principal(router), month, provider_id))


@router.get("/v1/settlements/statements/<statement_id>", tags=TAGS, summary="One statement with its lines")
def get_statement(statement_id: Annotated[str, Path(max_length=120)]) -> StatementWithLines:
    env = job_env()
    st, lines = svc.statement(env.repos, principal(router), statement_id)
    return StatementWithLines(statement=st, lines=lines)


@router.get(
    "/v1/settlements/<month>/providers/<provider_id>/pdf",
    tags=TAGS,
    summary="The provider's payment specification (maksuerittely) of a run, as PDF",
    responses={
        200: {"description": "PDF", "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
        404: {"description": "No settlement of the month for the provider", "content": PROBLEM},
    },
)
def get_payment_pdf(month: Annotated[Month, Path()], provider_id: ProviderId):  # noqa: ANN201 - PDF bytes
    env = job_env()
    data = svc.payment_pdf(env, principal(router), month, provider_id)
    headers = {"Content-Disposition": f'attachment; filename="maksuerittely-{month}-{provider_id}.pdf"'}
    return Response(200, "application/pdf", data, headers={**headers, "Cache-Control": "no-store"})


@router.get(
    "/v1/settlements/<month>/finance-file",
    tags=TAGS,
    summary="The finance file of a run (self-billing): CSV for the municipality's finance system",
    responses={
        200: {"description": "CSV (docs/finance-file.md)", "content": {"text/csv": {"schema": {"type": "string"}}}},
    },
)
def get_finance_file(month: Annotated[Month, Path()]):  # noqa: ANN201 - CSV text
    who = principal(router)
    if not who.groups & MUNICIPALITY_GROUPS:
        raise Forbidden("the finance file is the municipality's")
    env = job_env()
    text = svc.finance_file(env.repos, env.tenant, month, env.today)  # Helsinki, as the run's own file
    headers = {"Content-Disposition": f'attachment; filename="finance-{env.tenant.id}-{month}.csv"'}
    return Response(200, "text/csv; charset=utf-8", text, headers={**headers, "Cache-Control": "no-store"})


@router.post("/v1/settlements/invoice-checks", tags=TAGS, summary="Check a provider's invoice against its statement")
def check_invoice(body: Annotated[InvoiceCheckRequest, Body()]) -> InvoiceCheck:
    env = job_env()
    st, problems = svc.check_invoice(env, principal(router), body.reference, body.amount, body.invoice_number)
    return InvoiceCheck(matched=not problems, problems=[{"field": f, "reason": r} for f, r in problems], statement=st)


@router.post(
    "/v1/providers/<provider_id>/invoice-references",
    tags=TAGS,
    summary="Make (or read again) the invoice reference and total of one service and month",
    responses={
        200: {
            "description": "The statement: reference and total",
            "content": {"application/json": {"model": Statement}},
        },
        404: {"description": "Nothing to invoice", "content": PROBLEM},
    },
)
def make_invoice_reference(provider_id: ProviderId, body: Annotated[InvoiceReferenceRequest, Body()]) -> Statement:
    env = job_env()
    return svc.invoice_reference(env, principal(router), provider_id, body.service_id, body.month)


@router.get("/v1/providers/<provider_id>/invoice-references", tags=TAGS, summary="The provider's references of a month")
def list_invoice_references(provider_id: ProviderId, month: Annotated[Month, Query()]) -> StatementList:
    env = job_env()
    return StatementList(month=month, statements=svc.statements(env.repos, principal(router), month, provider_id))
