"""Customers' personal identity codes: validated, and found only by a keyed hash. Pure."""

from __future__ import annotations

import hashlib
import hmac

from seteli.domain.identifiers import normalise_personal_id


def personal_id_hash(personal_id: str, secret: str) -> str:
    """HMAC-SHA256 of the normalised code: the lookup key of a customer. A plain hash of a
    henkilötunnus could be reversed by trying the ~10^9 valid codes; a keyed one cannot without
    the stack's secret. Raises ValueError (without the value) when the code is not valid."""
    code = normalise_personal_id(personal_id)
    return hmac.new(secret.encode("utf-8"), code.encode("utf-8"), hashlib.sha256).hexdigest()


def personal_id_secret(settings) -> str:
    """The stack's key for personal ID hashes. Derived from the stack's identity here; before
    production it comes from Secrets Manager (like the paging cursor key), and must never change
    afterwards: every customer's lookup key depends on it."""
    basis = f"seteli-personal-id:{settings.tenant_id}:{settings.table_name}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()
