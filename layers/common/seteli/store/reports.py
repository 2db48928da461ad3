"""Reads of the reports that no other repository has: entitlements by BatchGetItem."""

from __future__ import annotations

from collections.abc import Iterable

from seteli.domain.entitlements import Entitlement
from seteli.store import keys
from seteli.store.base import from_doc
from seteli.store.models import DocItem


class ReportRepository:
    def entitlements(self, decision_numbers: Iterable[str]) -> dict[str, Entitlement]:
        """By decision number (BatchGetItem; pynamodb asks 100 keys a request, retries the rest)."""
        wanted = sorted(set(decision_numbers))
        out: dict[str, Entitlement] = {}
        for item in DocItem.batch_get([(keys.entitlement_pk(dn), keys.ENTITLEMENT_SK) for dn in wanted]):
            e = from_doc(Entitlement, item)
            out[e.decision_number] = e
        return out
