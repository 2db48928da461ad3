"""Public context: health, the service catalogue, the OpenAPI document. No sign-in."""

from importlib import resources
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel

from seteli import __version__
from seteli.api.app import create_app, make_handler
from seteli.api.paging import Page
from seteli.api.types import Id, Lang
from seteli.config import settings
from seteli.domain.comparison import ComparisonEntry
from seteli.services import comparison
from seteli.services.catalog import ServiceView, public_services
from seteli.services.tenant_config import current_tenant
from seteli.store import repositories

app = create_app("public")


class Health(BaseModel):
    status: str
    tenant_id: str
    version: str


@app.get("/v1/health", summary="Is the API up?", tags=["public"])
def health() -> Health:
    return Health(status="ok", tenant_id=settings().tenant_id, version=__version__)


@app.get("/v1/public/services", summary="The tenant's services and their contents", tags=["public"])
def list_services(lang: Annotated[Lang, Query(description="Language of names")] = "fi") -> Page[ServiceView]:
    tenant = current_tenant(repositories().tenant)
    return Page[ServiceView](items=public_services(tenant, lang), next=None)


@app.get(
    "/v1/public/services/<service_id>/providers",
    summary="The providers shown for a service: the comparison site's data (open data, no sign-in)",
    tags=["public"],
)
def list_providers(
    service_id: Id,
    limit: Annotated[int, Query(ge=1, le=200, description="Providers per page")] = 100,
    next: Annotated[str | None, Query(description="The previous page's `next`")] = None,  # noqa: A002
) -> Page[ComparisonEntry]:
    return comparison.public_page(repositories(), service_id, limit=limit, cursor=next)


@app.get("/v1/openapi.json", include_in_schema=False)
def openapi():
    body = resources.files("seteli.api").joinpath("openapi.json").read_text(encoding="utf-8")
    return Response(200, "application/json", body, headers={"Cache-Control": "public, max-age=300"})


_SWAGGER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Seteli API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="swagger-ui"><p>Seteli API. The OpenAPI document is at <a href="openapi.json">openapi.json</a>.</p></div>
<script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>"""


@app.get("/v1/docs", include_in_schema=False)
def docs():
    return Response(200, "text/html; charset=utf-8", _SWAGGER, headers={"Cache-Control": "public, max-age=300"})


lambda_handler = make_handler(app)
