"""Provider users: ``PROVIDER#<id>`` / ``USER#<sub>``; gsi1 ``USEREMAIL#<email>`` finds one by email.

Reads are GetItem (the caller's own record, from its token's ``sub``) or Query (a provider's users;
a user by email). Every change is conditioned on the version read (409 on a concurrent change).
"""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from seteli.domain.users import ProviderUser
from seteli.errors import Conflict
from seteli.store import keys
from seteli.store.base import conditional_failed, doc_item, from_doc, get_item, save
from seteli.store.models import DocItem

KIND = "provider_user"


def _item(user: ProviderUser, version: int | None = None) -> DocItem:
    return doc_item(
        keys.provider_pk(user.provider_id),
        keys.user_sk(user.subject),
        user,
        kind=KIND,
        version=version,
        gsi1pk=keys.user_email_gsi1pk(user.email),
        gsi1sk=keys.provider_pk(user.provider_id),
    )


class UserRepository:
    def get(self, provider_id: str, subject: str) -> ProviderUser | None:
        item = get_item(DocItem, keys.provider_pk(provider_id), keys.user_sk(subject))  # GetItem
        return from_doc(ProviderUser, item) if item is not None else None

    def list(self, provider_id: str) -> list[ProviderUser]:
        """Every user of a provider, passive ones included (Query pk, begins_with USER#)."""
        rows = DocItem.query(
            keys.provider_pk(provider_id), DocItem.sk.startswith(keys.USER_PREFIX), consistent_read=True
        )
        return sorted((from_doc(ProviderUser, r) for r in rows), key=lambda u: (u.email, u.subject))

    def by_email(self, email: str) -> ProviderUser | None:
        """The provider user with this email, in any provider of the tenant (Query gsi1)."""
        for row in DocItem.gsi1.query(keys.user_email_gsi1pk(email), limit=1):
            return from_doc(ProviderUser, row)
        return None

    def create(self, user: ProviderUser) -> ProviderUser:
        version = save(_item(user), f"user {user.subject} exists already", new=True)
        return user.model_copy(update={"version": version})

    def update(self, user: ProviderUser, *, keep_admin: ProviderUser | None = None) -> ProviderUser:
        """Save ``user`` conditioned on ``user.version`` (the version the client read).

        ``keep_admin``: another active admin of the provider that must stay unchanged in the same
        transaction (demoting or passivating an admin never leaves a provider without one, even when
        two admins change each other at the same moment).
        """
        stale = "the user changed meanwhile; read it again and retry with its current version"
        item = _item(user, version=user.version)
        if keep_admin is None:
            version = save(item, stale)
            return user.model_copy(update={"version": version})
        try:
            with TransactWrite(connection=DocItem._get_connection().connection) as tx:
                tx.save(item)
                tx.condition_check(
                    DocItem,
                    keys.provider_pk(keep_admin.provider_id),
                    keys.user_sk(keep_admin.subject),
                    condition=DocItem.version == keep_admin.version,
                )
        except TransactWriteError as exc:
            if conditional_failed(exc):
                raise Conflict(stale) from exc
            raise
        return user.model_copy(update={"version": user.version + 1})
