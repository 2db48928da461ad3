"""Price lists (hinnasto, spec section 5): which list and which price is valid on a date.

Pure: no I/O. A price list belongs to a provider and a service, at company level or at one part
(site, unit, employee). It is valid from its start date until the day before the next approved list
of the same level/part starts ("toistaiseksi voimassa": the last one is open-ended). Only approved
lists count; an approved list is never edited, a change is a new list with a later start date.
The price of an event is the list valid on the event's date (not the day it was recorded), and a
day-unit range crossing a price change is priced day by day (section 7).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator

from seteli.domain.money import Money

ONE_DAY = timedelta(days=1)


class PriceLevel(StrEnum):
    company = "company"  # yritystaso: every part of the provider
    part = "part"  # tuottajanosa: one site, unit or employee


class PriceListStatus(StrEnum):
    draft = "draft"
    approved = "approved"


class PriceList(BaseModel):
    """One price list. `prices` maps a service content id to its unit price."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    provider_id: str
    service_id: str
    level: PriceLevel
    part_id: str | None = None
    name: str
    starts_on: date
    prices: dict[str, Money]
    status: PriceListStatus = PriceListStatus.draft
    approved_at: datetime | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _part_matches_level(self) -> PriceList:
        if self.level is PriceLevel.company and self.part_id is not None:
            raise ValueError("a company-level price list has no part_id")
        if self.level is PriceLevel.part and not self.part_id:
            raise ValueError("a part-level price list needs a part_id")
        return self

    @property
    def approved(self) -> bool:
        return self.status is PriceListStatus.approved


Interval = tuple[PriceList, date, date | None]


@dataclass(frozen=True, slots=True)
class Resolved:
    """The price of one content on one date and the approved list it came from."""

    price: Money
    price_list: PriceList

    @property
    def level(self) -> PriceLevel:
        return self.price_list.level

    @property
    def from_part(self) -> bool:
        return self.price_list.level is PriceLevel.part


def _check_level_part(level: PriceLevel, part_id: str | None) -> None:
    if level is PriceLevel.company and part_id is not None:
        raise ValueError("company level takes no part_id")
    if level is PriceLevel.part and not part_id:
        raise ValueError("part level needs a part_id")


def validity(
    lists: Iterable[PriceList],
    provider_id: str,
    service_id: str,
    level: PriceLevel,
    part_id: str | None,
) -> list[Interval]:
    """Validity intervals of the approved lists of exactly this provider/service/level/part.

    Returns (list, first_day, last_day) sorted by start; last_day is the day before the next list
    starts, or None for the last (open-ended) one. Drafts are ignored. Two approved lists with the
    same start date are a conflict: ValueError naming both ids (the caller answers 409).
    """
    level = PriceLevel(level)
    _check_level_part(level, part_id)
    chosen = sorted(
        (
            pl
            for pl in lists
            if pl.approved
            and pl.provider_id == provider_id
            and pl.service_id == service_id
            and pl.level is level
            and pl.part_id == part_id
        ),
        key=lambda pl: (pl.starts_on, pl.id),
    )
    out: list[Interval] = []
    for i, pl in enumerate(chosen):
        nxt = chosen[i + 1] if i + 1 < len(chosen) else None
        if nxt is not None and nxt.starts_on == pl.starts_on:
            raise ValueError(
                f"price lists {pl.id} and {nxt.id} of the same level/part both start on {pl.starts_on.isoformat()}"
            )
        out.append((pl, pl.starts_on, nxt.starts_on - ONE_DAY if nxt is not None else None))
    return out


def _valid_on(intervals: list[Interval], on: date) -> PriceList | None:
    for pl, first, last in intervals:
        if first <= on and (last is None or on <= last):
            return pl
    return None


def _resolve(
    part_intervals: list[Interval], company_intervals: list[Interval], content_id: str, on: date
) -> Resolved | None:
    for intervals in (part_intervals, company_intervals):
        pl = _valid_on(intervals, on)
        if pl is not None and content_id in pl.prices:
            return Resolved(price=pl.prices[content_id], price_list=pl)
    return None


def _intervals_for(
    lists: Iterable[PriceList], provider_id: str, service_id: str, part_id: str | None
) -> tuple[list[Interval], list[Interval]]:
    lists = list(lists)
    part = validity(lists, provider_id, service_id, PriceLevel.part, part_id) if part_id else []
    company = validity(lists, provider_id, service_id, PriceLevel.company, None)
    return part, company


def price_on(
    lists: Iterable[PriceList],
    provider_id: str,
    service_id: str,
    content_id: str,
    part_id: str | None,
    on: date,
) -> Resolved | None:
    """The unit price of `content_id` at part `part_id` on date `on`, or None if nothing is valid.

    The part-level list valid on that date wins over the company-level list valid on that date,
    but only for the contents it prices: if the valid part list lacks the content, the company list
    valid on that date is used (an older part list that priced it is superseded and never revived).
    With part_id None only company-level lists are looked at. Raises ValueError on a same-start
    conflict of either level (see `validity`).
    """
    part, company = _intervals_for(lists, provider_id, service_id, part_id)
    return _resolve(part, company, content_id, on)


def price_days(
    lists: Iterable[PriceList],
    provider_id: str,
    service_id: str,
    content_id: str,
    part_id: str | None,
    first: date,
    last: date,
) -> list[tuple[date, Money | None]]:
    """One (day, price or None) per day from `first` to `last` inclusive, each as `price_on` that day.

    Used to price a day-unit range crossing a price change day by day. ValueError if last < first.
    """
    if last < first:
        raise ValueError(f"range ends ({last.isoformat()}) before it starts ({first.isoformat()})")
    part, company = _intervals_for(lists, provider_id, service_id, part_id)
    out: list[tuple[date, Money | None]] = []
    day = first
    while day <= last:
        r = _resolve(part, company, content_id, day)
        out.append((day, r.price if r is not None else None))
        day += ONE_DAY
    return out


def check_new_list(existing: Iterable[PriceList], new: PriceList) -> list[str]:
    """Problems with `new` before it is approved; an empty list means none.

    - an approved list is never edited: `new` may not reuse the id of an approved list;
    - it supersedes the current list of the same provider/service/level/part only from a later
      date: its start must be after the start of the latest approved list of that level/part
      (so it can neither rewrite history nor share a start date with it);
    - it must price at least one content, content ids must not be blank, prices must not be
      negative (zero is allowed).
    Content ids are checked against the tenant's service contents by the caller.
    """
    problems: list[str] = []
    existing = list(existing)
    if any(pl.approved and pl.id == new.id for pl in existing):
        problems.append(f"price list {new.id} is approved and cannot be edited; create a new price list")
    same = [
        pl
        for pl in existing
        if pl.approved
        and pl.id != new.id
        and pl.provider_id == new.provider_id
        and pl.service_id == new.service_id
        and pl.level is new.level
        and pl.part_id == new.part_id
    ]
    if same:
        latest = max(same, key=lambda pl: pl.starts_on)
        if new.starts_on <= latest.starts_on:
            problems.append(
                f"starts_on {new.starts_on.isoformat()} must be after {latest.starts_on.isoformat()}, "
                f"the start of the current price list {latest.id}"
            )
    if not new.prices:
        problems.append("the price list prices no service content")
    for content_id, price in new.prices.items():
        if not content_id.strip():
            problems.append("a price has an empty service content id")
        elif price.cents < 0:
            problems.append(f"the price of {content_id} is negative ({price})")
    return problems


def sites_without_prices(lists: Iterable[PriceList], site_ids: Iterable[str]) -> list[str]:
    """The sites (of `site_ids`, in that order) that no price list covers; empty when all are covered.

    A site is covered by a company-level list (it covers every part) or by its own part-level list,
    draft or approved: an application is checked before its drafts are approved. The caller passes
    the lists of one provider and one service (rule PriceLists or stored ones: only ``level`` and
    ``part_id`` are read).
    """
    lists = list(lists)
    wanted = list(dict.fromkeys(site_ids))
    if any(PriceLevel(pl.level) is PriceLevel.company for pl in lists):
        return []
    own = {pl.part_id for pl in lists if PriceLevel(pl.level) is PriceLevel.part}
    return [site for site in wanted if site not in own]


def publish_problems(
    new: PriceList,
    today: date,
    window: tuple[date, date] | None,
    existing: Iterable[PriceList],
) -> list[tuple[str, str]]:
    """Why the provider may not approve `new` itself today, as (field, message); empty means it may.

    For a service the provider is already approved for (the caller checks that), a new price list is
    approved by the provider when:
    - it is a draft (an approved list is never edited or approved again);
    - it starts after today (no retroactive prices: events already done keep their price);
    - today is inside the rulebook's price change window, when the rulebook has one (first and last
      day inclusive);
    - `check_new_list` finds nothing (it starts after the current list of its level/part, so never on
      the same day as another approved list; it prices at least one content; no negative prices).
    The field is `status`, `starts_on`, `window` or `prices`; a caller answers 409 (the state of the
    list or the calendar is wrong, not the request).
    """
    problems: list[tuple[str, str]] = []
    if new.approved:
        problems.append(("status", f"price list {new.id} is approved already"))
        return problems
    if new.starts_on <= today:
        problems.append(
            (
                "starts_on",
                f"a published price list must start after today ({today.isoformat()}): prices are never "
                "changed retroactively; set a later starts_on",
            )
        )
    if window is not None and not (window[0] <= today <= window[1]):
        problems.append(
            (
                "window",
                f"the service's rulebook allows price changes only from {window[0].isoformat()} to "
                f"{window[1].isoformat()}",
            )
        )
    for message in check_new_list(existing, new):
        if message.startswith("starts_on"):
            field = "starts_on"
        elif "cannot be edited" in message:
            field = "status"
        else:
            field = "prices"
        problems.append((field, message))
    return problems


def can_publish(
    new: PriceList,
    today: date,
    window: tuple[date, date] | None,
    existing: Iterable[PriceList],
) -> list[str]:
    """The messages of `publish_problems`: an empty list means the provider may approve `new` today."""
    return [message for _, message in publish_problems(new, today, window, existing)]


def approval_problems(existing: Iterable[PriceList], drafts: Iterable[PriceList]) -> list[str]:
    """Problems with approving all `drafts` at once (the municipality approves the application).

    The drafts are taken in start order, each checked with `check_new_list` against the approved
    lists and the drafts before it, so two drafts of one level/part may not share a start date.
    Start dates in the past are allowed here: the municipality approves what was applied for.
    """
    accepted = [pl for pl in existing if pl.approved]
    problems: list[str] = []
    for draft in sorted(drafts, key=lambda pl: (pl.starts_on, pl.id)):
        found = check_new_list(accepted, draft)
        problems.extend(f"{draft.id}: {p}" for p in found)
        accepted.append(draft.model_copy(update={"status": PriceListStatus.approved}))
    return problems
