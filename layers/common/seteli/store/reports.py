"""Reads of the reports (spec 15) that no other repository has.

- ``entitlements``: the decisions behind a report's rows by BatchGetItem (pynamodb asks 100 keys a
  request and retries the unprocessed ones);
- ``interruptions_departing``: a provider's interruptions that departed within a window, by one
  Query of gsi1 ``PROVIDER#<id>#INTERRUPTIONS`` with ``gsi1sk between <since> and <until>~`` (the
  store's ``interruptions_of_provider`` has no upper bound).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from seteli.domain.entitlements import Entitlement
from seteli.domain.events import Interruption
from seteli.store import keys
from seteli.store.base import from_doc
from seteli.store.models import DocItem

INTERRUPTION = "interruption"  # DocItem.kind of an interruption (seteli.store.events)


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

    def interruptions_departing(self, provider_id: str, since: date, until: date) -> list[Interruption]:
        """The provider's interruptions whose departure day is ``since``..``until`` (Query gsi1)."""
        cond = DocItem.gsi1sk.between(since.isoformat(), f"{until.isoformat()}~")
        rows = DocItem.gsi1.query(keys.provider_interruptions_gsi1pk(provider_id), cond)
        return [from_doc(Interruption, r) for r in rows if r.kind == INTERRUPTION]
