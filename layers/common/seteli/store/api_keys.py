"""API keys: ``APIKEY#<key_id>`` / ``KEY``; gsi1 ``PROVIDER#<id>#APIKEYS`` / ``<created_at>#<key_id>``.

The authorizer reads a key with one GetItem (the id is part of the key); a provider's keys are one
Query of gsi1. Revoking is a conditional write on the version read (a key is never deleted).
"""

from __future__ import annotations

from seteli.domain.api_keys import ApiKey
from seteli.store import keys
from seteli.store.base import doc_item, from_doc, get_item, save
from seteli.store.models import DocItem

KIND = "api_key"


def _item(key: ApiKey, version: int | None = None) -> DocItem:
    return doc_item(
        keys.api_key_pk(key.id),
        keys.API_KEY_SK,
        key,
        kind=KIND,
        version=version,
        gsi1pk=keys.provider_api_keys_gsi1pk(key.provider_id),
        gsi1sk=f"{key.created_at.isoformat()}#{key.id}",
    )


class ApiKeyRepository:
    def get(self, key_id: str, consistent: bool = True) -> ApiKey | None:
        item = get_item(DocItem, keys.api_key_pk(key_id), keys.API_KEY_SK, consistent=consistent)  # GetItem
        if item is None or item.kind != KIND:
            return None
        return from_doc(ApiKey, item)

    def list(self, provider_id: str) -> list[ApiKey]:
        """The provider's keys, newest first, revoked and expired ones included (Query gsi1)."""
        rows = DocItem.gsi1.query(keys.provider_api_keys_gsi1pk(provider_id), scan_index_forward=False)
        return [from_doc(ApiKey, r) for r in rows]

    def create(self, key: ApiKey) -> ApiKey:
        version = save(_item(key), "an API key with this id exists already; try again", new=True)
        return key.model_copy(update={"version": version})

    def update(self, key: ApiKey) -> ApiKey:
        """Save conditioned on ``key.version`` (409 when it changed meanwhile)."""
        version = save(_item(key, version=key.version), "the API key changed meanwhile; read it again and retry")
        return key.model_copy(update={"version": version})
