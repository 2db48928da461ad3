"""Every key of the single table, in one place (see docs/data-model.md)."""

from __future__ import annotations

TENANT_PK = "TENANT"
TENANT_CONFIG_SK = "CONFIG"


def provider_pk(provider_id: str) -> str:
    return f"PROVIDER#{provider_id}"


PROVIDER_PROFILE_SK = "PROFILE"


def part_sk(part_id: str) -> str:
    return f"PART#{part_id}"


PART_PREFIX = "PART#"


def business_id_gsi1pk(business_id: str) -> str:
    return f"BUSINESSID#{business_id}"


PROVIDERS_GSI2PK = "PROVIDERS"  # all providers of the tenant, sorted by name (municipality list)
