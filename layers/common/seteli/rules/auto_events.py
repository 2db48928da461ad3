"""Automatic events (spec 11; seed 003 K4.3.2): which drafts the night of the 4th of month M makes.

For one provider, from plain inputs: its records of month M-1 and M, its interruptions and the
entitlements they are for. For each entitlement content row of a service with automatic events on,
whose unit is day, that had an event with this provider in M-1, has no open (draft) interruption
and no event yet in M, one draft event for the whole month M (1st to last day):

- on the provider part of the content's latest record of M-1 (an event or an interruption, seed:
  "viimeisin kirjaus (keskeytys- tai tapahtumakirjaus)");
- with the recorder and giver of the content's latest event of M-1 (the recorder is the user who
  created that event; a chain of automatic events keeps the first recorder);
- beyond the seed, clipped instead of leaving the provider to fix it: to the entitlement's validity
  (``valid_from``; the last valid day is the day before ``closed_on`` - a recorded death closes at
  death + 1 - or ``valid_until``), and to the return day of an interruption that began before M
  (the customer was away until then; attendance starts on the return day, K4.3.5.6). An
  interruption that begins inside M splits the month: the provider records that month itself.
  Nothing left: skipped.

The rule decides days and who; the service prices the draft day by day exactly as a recorded event
(``seteli.rules.events``) and skips a content without a price on some day.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)
AUTO_ID_PREFIX = "ev-auto-"

# Why a content row got no draft (the report's counts are "skipped_<reason>").
HAS_EVENTS = "has_events"  # events in M already (a rerun finds its own drafts here)
OPEN_INTERRUPTION = "open_interruption"  # a draft interruption: the customer is away (or not ended)
INTERRUPTION_IN_MONTH = "interruption_in_month"  # an interruption starts inside M: not one range
NO_ENTITLEMENT = "no_entitlement"
NOT_RESERVED = "not_reserved"  # the provider's reservation was cancelled
NOT_VALID = "not_valid"  # the validity (or closing, death) leaves no day of M
NO_PRICE = "no_price"  # the service layer: a day of M without an approved price
SKIP_REASONS = (
    HAS_EVENTS,
    OPEN_INTERRUPTION,
    INTERRUPTION_IN_MONTH,
    NO_ENTITLEMENT,
    NOT_RESERVED,
    NOT_VALID,
    NO_PRICE,
)


@dataclass(frozen=True)
class Rec:
    """A stored record as the rule needs it (an event or an interruption), without money or names.

    For an interruption ``first_day`` is the departure day and ``last_day`` the return day (None:
    not back yet)."""

    kind: str  # "event" | "interruption"
    id: str
    decision_number: str
    content_id: str
    service_id: str
    part_id: str | None
    first_day: date
    last_day: date | None
    status: str
    unit: str = "day"
    giver: str | None = None
    created_by: str | None = None
    auto: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return self.decision_number, self.content_id

    @property
    def live(self) -> bool:
        return self.status != "rejected"

    @property
    def open(self) -> bool:
        """An interruption still a draft (not ended, or ended but not confirmed)."""
        return self.kind == "interruption" and self.status == "draft"


@dataclass(frozen=True)
class Validity:
    """What of an entitlement bounds a draft."""

    valid_from: date
    last_day: date | None  # the last valid day (closing and validity; None: open-ended)
    reserved_by: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Draft:
    """One automatic event to make (the service prices it)."""

    decision_number: str
    content_id: str
    service_id: str
    part_id: str | None
    first_day: date
    last_day: date
    giver: str
    created_by: str
    based_on: str  # the id of the M-1 event it continues

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


@dataclass(frozen=True)
class Skip:
    decision_number: str
    content_id: str
    reason: str


@dataclass
class Plan:
    drafts: list[Draft] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)


# ---------------------------------------------------------------- months and ids


def month_bounds(month: str) -> tuple[date, date]:
    """The first and last day of ``YYYY-MM``."""
    y, m = int(month[:4]), int(month[5:7])
    return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])


def previous_month(month: str) -> str:
    first, _ = month_bounds(month)
    prev = first - ONE_DAY
    return f"{prev.year:04d}-{prev.month:02d}"


def auto_event_id(decision_number: str, content_id: str, month: str) -> str:
    """The draft's id: the same for the same content row and month in every run, so a rerun, or
    two runs at once, write the same item and never a second one."""
    digest = hashlib.sha256(f"{decision_number}\x1f{content_id}\x1f{month}".encode()).hexdigest()
    return AUTO_ID_PREFIX + digest[:16]


# ---------------------------------------------------------------- the rule


def _latest(records: Iterable[Rec]) -> Rec | None:
    """The latest record: by its last day (an open interruption counts as running on), then start."""
    best: Rec | None = None
    for r in records:
        key = (r.last_day or date.max, r.first_day, r.kind == "interruption")
        if best is None or key > (best.last_day or date.max, best.first_day, best.kind == "interruption"):
            best = r
    return best


def window(month: str, validity: Validity, interruptions: Iterable[Rec]) -> tuple[date, date] | str:
    """The days of ``month`` a draft may take for one content: the month clipped to the validity and
    to the return day of an interruption that began before it; or the reason there are none."""
    first, last = month_bounds(month)
    first = max(first, validity.valid_from)
    if validity.last_day is not None:
        last = min(last, validity.last_day)
    for i in sorted((i for i in interruptions if i.live and i.kind == "interruption"), key=lambda i: i.first_day):
        if i.open:
            return OPEN_INTERRUPTION
        assert i.last_day is not None  # completed: it has its return day
        away_last = i.last_day - ONE_DAY  # the customer is away departure..the day before return
        if away_last < first or i.first_day > last:
            continue  # not in the window
        if i.first_day <= first:
            first = i.last_day  # back on the return day (the interruption pays it; the draft shows it)
        else:
            return INTERRUPTION_IN_MONTH
    if first > last:
        return NOT_VALID
    return first, last


def _screen(
    month: str,
    previous: Iterable[Rec],
    current: Iterable[Rec],
    interruptions: Iterable[Rec],
    auto_contents: set[tuple[str, str]],
) -> Iterator[tuple[tuple[str, str], list[Rec], list[Rec]] | Skip]:
    """The candidates (content rows with an event in M-1), each either refused by what the
    provider's own records say (a Skip) or (key, its M-1 events, its interruptions)."""
    prev_first, prev_last = month_bounds(previous_month(month))
    candidates: dict[tuple[str, str], list[Rec]] = {}
    for r in previous:
        if (
            r.kind == "event"
            and r.live
            and r.unit == "day"
            and (r.service_id, r.content_id) in auto_contents
            and prev_first <= r.first_day <= prev_last
        ):
            candidates.setdefault(r.key, []).append(r)
    if not candidates:
        return
    first, last = month_bounds(month)
    in_month = {r.key for r in current if r.kind == "event" and r.live and first <= r.first_day <= last}
    by_content: dict[tuple[str, str], list[Rec]] = {}
    for i in interruptions:
        if i.kind == "interruption" and i.live:
            by_content.setdefault(i.key, []).append(i)
    for key in sorted(candidates):
        mine = by_content.get(key, [])
        if key in in_month:
            yield Skip(*key, HAS_EVENTS)
        elif any(i.open for i in mine):
            yield Skip(*key, OPEN_INTERRUPTION)
        else:
            yield key, candidates[key], mine


def needs_entitlements(
    month: str,
    previous: Iterable[Rec],
    current: Iterable[Rec],
    interruptions: Iterable[Rec],
    auto_contents: set[tuple[str, str]],
) -> set[str]:
    """The decision numbers whose entitlements ``plan`` will look at (the rest are decided by the
    provider's own records): what to read."""
    screened = _screen(month, previous, current, interruptions, auto_contents)
    return {x[0][0] for x in screened if not isinstance(x, Skip)}


def plan(
    provider_id: str,
    month: str,
    previous: Iterable[Rec],
    current: Iterable[Rec],
    interruptions: Iterable[Rec],
    validities: dict[str, Validity],
    auto_contents: set[tuple[str, str]],
) -> Plan:
    """The drafts one provider gets for ``month``.

    - ``previous``: the provider's events of month M-1;
    - ``current``: the provider's events of month M so far;
    - ``interruptions``: the provider's interruptions departing in M-1 or later (an open one that
      departed earlier has no event of M-1 after it: the customer is away);
    - ``validities``: by decision number, for the entitlements of ``needs_entitlements`` (a
      missing one is skipped);
    - ``auto_contents``: (service id, content id) of day-unit contents of services with automatic
      events on."""
    prev_start, _ = month_bounds(previous_month(month))
    out = Plan()
    for x in _screen(month, previous, current, interruptions, auto_contents):
        if isinstance(x, Skip):
            out.skipped.append(x)
            continue
        (dn, cid), events, mine = x
        v = validities.get(dn)
        if v is None:
            out.skipped.append(Skip(dn, cid, NO_ENTITLEMENT))
            continue
        if provider_id not in v.reserved_by:
            out.skipped.append(Skip(dn, cid, NOT_RESERVED))
            continue
        span = window(month, v, mine)
        if isinstance(span, str):
            out.skipped.append(Skip(dn, cid, span))
            continue
        last_event = _latest(events)
        assert last_event is not None
        in_prev = [i for i in mine if i.first_day >= prev_start]
        latest = _latest([*events, *in_prev]) or last_event
        out.drafts.append(
            Draft(
                decision_number=dn,
                content_id=cid,
                service_id=last_event.service_id,
                part_id=latest.part_id,
                first_day=span[0],
                last_day=span[1],
                giver=last_event.giver or last_event.created_by or "",
                created_by=last_event.created_by or "auto-events",
                based_on=last_event.id,
            )
        )
    return out
