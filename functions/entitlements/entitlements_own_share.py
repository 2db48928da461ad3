"""The customer's own-share specification (omavastuuerittely; spec 12, seed 003 K4.3.7).

- ``GET /v1/entitlements/{decision_number}/own-share?from=YYYY-MM-DD&to=YYYY-MM-DD``: per event the
  price, the voucher value (subsidy, contract price), what the municipality pays and the customer's
  own share, with totals. ``Accept`` picks the format: JSON (default), ``text/csv`` (for Finnish
  Excel: ``;``, decimal comma, UTF-8 with BOM) or ``application/pdf`` (printable; base64-encoded with
  ``isBase64Encoded`` like the provider copy, ``application/pdf`` is one of the API's binary media
  types; API Gateway decodes it only when the request's Accept names ``application/pdf`` first, so
  a client asking for the PDF sends ``Accept: application/pdf`` alone, as the CLI does).

Who may read it: ``seteli.services.own_share``.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from seteli.api.app import principal
from seteli.api.types import DecisionNumberInPath, IsoDate
from seteli.services import own_share as svc
from seteli.store import repositories

router = Router()
TAGS = ["entitlements"]
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
JSON, CSV, PDF = "application/json", "text/csv", "application/pdf"

RESPONSES = {
    200: {
        "description": "The specification: JSON (default), CSV or PDF by the Accept header",
        "content": {
            JSON: {"model": svc.OwnShareSpec},
            CSV: {"schema": {"type": "string", "description": "';'-separated, decimal comma, UTF-8 with BOM"}},
            PDF: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    404: {"description": "No such entitlement that you may see", "content": PROBLEM},
    422: {"description": "A bad period", "content": PROBLEM},
}


def _quality(accept: str, media: str) -> float:
    """The q of ``media`` in an Accept header (0: not acceptable)."""
    kind = media.split("/")[0]
    best = 0.0
    for part in accept.split(","):
        name, *params = [p.strip() for p in part.split(";")]
        name = name.lower()
        if name not in (media, f"{kind}/*", "*/*"):
            continue
        q = 1.0
        for p in params:
            if p.lower().startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        # the most specific range counts: an exact match beats type/* beats */*
        specificity = 2 if name == media else 1 if name.endswith("/*") and name != "*/*" else 0
        best = max(best, q + specificity * 1e-3 if q > 0 else 0.0)
    return best


def negotiate(accept: str | None) -> str:
    """JSON, CSV or PDF as the Accept header prefers (JSON when it says nothing we make)."""
    if not accept:
        return JSON
    ranked = sorted(((_quality(accept, m), -i, m) for i, m in enumerate((JSON, CSV, PDF))), reverse=True)
    q, _, media = ranked[0]
    return media if q > 0 else JSON


@router.get(
    "/v1/entitlements/<decision_number>/own-share",
    tags=TAGS,
    summary="The customer's own-share specification (omavastuuerittely) as JSON, CSV or PDF",
    description=(
        "Per event of the period (and per interruption paying something): date or range and times, content, "
        "provider and part, quantity and unit, unit price, voucher value (subsidy; an order's contract price), "
        "price, what the municipality pays and the own share (never below zero). Events pending approval are "
        "flagged until decided; rejected events and drafts are not shown; credited events are flagged and left "
        "out of the totals. Municipality users: every line; a provider holding a reservation: its own lines only; "
        "the customer or their proxy (citizen): every line; anyone else 404. Default period: this calendar month; "
        "at most 366 days. `Accept: text/csv` or `application/pdf` for a file."
    ),
    responses=RESPONSES,
)
def get_own_share(  # noqa: ANN201 - no return annotation: the answer is JSON, CSV or PDF
    decision_number: DecisionNumberInPath,
    from_: Annotated[IsoDate | None, Query(alias="from", description="First day (default: 1st of this month)")] = None,
    to: Annotated[IsoDate | None, Query(description="Last day (default: the end of from's month)")] = None,
):
    repos = repositories()
    spec = svc.specification(repos, principal(router), decision_number, from_, to)
    media = negotiate(router.current_event.headers.get("accept") or router.current_event.headers.get("Accept"))
    headers = {"Cache-Control": "no-store", "Vary": "Accept"}
    if media == CSV:
        headers["Content-Disposition"] = f'attachment; filename="{svc.file_name(spec, "csv")}"'
        return Response(200, "text/csv; charset=utf-8", svc.as_csv(spec), headers=headers)
    if media == PDF:
        headers["Content-Disposition"] = f'attachment; filename="{svc.file_name(spec, "pdf")}"'
        return Response(200, PDF, svc.as_pdf(repos, spec), headers=headers)  # bytes: sent base64-encoded
    return Response(200, JSON, spec.model_dump(mode="json"), headers=headers)
