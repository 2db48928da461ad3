"""A stored price list (hinnasto, spec section 5): the rule's PriceList plus what storage needs.

The pure rule (``seteli.rules.price_lists.PriceList``) is frozen and knows nothing of who made a
list or of versions; ``StoredPriceList`` is what the repository keeps: the same fields, the
bookkeeping (created/updated/approved by whom and when) and the version read (optimistic locking).
``rule()`` gives the rule's view of it.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from seteli.domain.money import Money
from seteli.rules.price_lists import PriceLevel, PriceList, PriceListStatus

RULE_FIELDS = frozenset(PriceList.model_fields)


class StoredPriceList(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    provider_id: str
    service_id: str
    level: PriceLevel
    part_id: str | None = None
    name: str
    starts_on: date
    prices: dict[str, Money]
    status: PriceListStatus = PriceListStatus.draft
    notes: str | None = None
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    approved_at: datetime | None = None
    approved_by: str | None = None
    version: int = 0

    @property
    def approved(self) -> bool:
        return self.status is PriceListStatus.approved

    def rule(self) -> PriceList:
        """The list as the pure rule sees it (validates level/part agreement)."""
        return PriceList.model_validate(self.model_dump(include=set(RULE_FIELDS)))
