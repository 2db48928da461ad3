"""Configuration: read once from the environment, typed, at the handler edge.

Nothing else in the package reads ``os.environ``; use cases, rules and stores receive
``Settings`` (or the values they need) as arguments.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenant_id: str = Field(min_length=1)
    stage: str = "local"
    region: str = "eu-north-1"
    table_name: str
    idempotency_table_name: str | None = None
    attachments_bucket: str | None = None
    site_bucket: str | None = None
    user_pool_id: str | None = None
    user_pool_client_id: str | None = None
    email_from: str = "no-reply@seteli.local"
    # Endpoint override for local runs (moto server); None on AWS.
    aws_endpoint_url: str | None = None
    # Local runs only: where browsers and the CLI reach the emulator (presigned S3 URLs, Cognito's
    # keys). None on AWS, where the services' own endpoints are used.
    files_endpoint_url: str | None = None
    cognito_endpoint_url: str | None = None
    # How a monthly job's pages are done (seteli.services.jobs): "sqs" on AWS (JOBS_QUEUE_URL),
    # "thread" in the local runtime, "inline" in tests and `make job` without a running stack.
    jobs_dispatch: str = "inline"
    jobs_queue_url: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | os._Environ | None = None) -> Settings:
        e = os.environ if env is None else env
        return cls(
            tenant_id=e.get("TENANT_ID", "demo"),
            stage=e.get("STAGE", "local"),
            region=e.get("AWS_REGION") or e.get("AWS_DEFAULT_REGION") or "eu-north-1",
            table_name=e.get("TABLE_NAME", f"seteli-{e.get('TENANT_ID', 'demo')}-main"),
            idempotency_table_name=e.get("IDEMPOTENCY_TABLE_NAME") or None,
            attachments_bucket=e.get("ATTACHMENTS_BUCKET") or None,
            site_bucket=e.get("SITE_BUCKET") or None,
            user_pool_id=e.get("USER_POOL_ID") or None,
            user_pool_client_id=e.get("USER_POOL_CLIENT_ID") or None,
            email_from=e.get("EMAIL_FROM", "no-reply@seteli.local"),
            aws_endpoint_url=e.get("AWS_ENDPOINT_URL_DYNAMODB") or e.get("AWS_ENDPOINT_URL") or None,
            files_endpoint_url=e.get("FILES_ENDPOINT_URL") or None,
            cognito_endpoint_url=e.get("COGNITO_ENDPOINT_URL") or None,
            jobs_dispatch=e.get("JOBS_DISPATCH") or ("sqs" if e.get("JOBS_QUEUE_URL") else "inline"),
            jobs_queue_url=e.get("JOBS_QUEUE_URL") or None,
        )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings, read once."""
    return Settings.from_env()


def reset_settings() -> None:
    """Forget the cached settings (tests and the local runtime change the environment)."""
    settings.cache_clear()
