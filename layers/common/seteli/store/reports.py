"""Reads of the reports (spec 15) that no other repository has: the decisions behind a report's
rows by BatchGetItem (pynamodb asks 100 keys a request and retries the unprocessed ones). A
provider's events and interruptions come from ``seteli.store.events``."""

from __future__ import annotations

from collections.abc import Iterable

from seteli.domain.entitlements import Entitlement
from seteli.store import keys
from seteli.store.base import from_doc
from seteli.store.models import DocItem


class ReportRepository:
    def entitlements(self, decision_numbers: Iterable[str]) -> dict[str, Entitlement]:
        """By decision number (BatchGetItem)."""
        wanted = sorted(set(decision_numbers))
        out: dict[str, Entitlement] = {}
        if not wanted:
            return out
        for item in DocItem.batch_get([(keys.entitlement_pk(dn), keys.ENTITLEMENT_SK) for dn in wanted]):
            e = from_doc(Entitlement, item)
            out[e.decision_number] = e
        return out
