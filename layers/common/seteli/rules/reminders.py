"""What a provider's reminder lists (spec 11; seed 003 K4.3.2: "Nämä on tehtävä viimeistään
tilityskuukautta seuraavan kuukauden 2. päivänä"). Pure.

On the reminder days (the 1st and 2nd of M+1) a provider is reminded of what month M's settlement
would leave out: its drafts of M (events saved unfinished, and automatic events not confirmed) and
its open interruptions (drafts: no return day yet, or not confirmed) that began by the end of M.
Per item only the decision number, the days and the record's id: no customer names and no personal
identity codes in an email.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from seteli.rules.auto_events import Rec, month_bounds
from seteli.rules.events import fi

DRAFT, AUTO, INTERRUPTION = "draft", "auto", "interruption"
ORDER = {AUTO: 0, DRAFT: 1, INTERRUPTION: 2}


@dataclass(frozen=True)
class Missing:
    kind: str  # auto | draft | interruption
    record_id: str
    decision_number: str
    days: str  # "1.10.2026-31.10.2026", "5.10.2026" or "12.10.2026-" (open)


@dataclass
class Reminder:
    month: str
    deadline: date
    items: list[Missing] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for m in self.items if m.kind == kind)

    @property
    def auto(self) -> int:
        return self.count(AUTO)

    @property
    def drafts(self) -> int:
        return self.count(DRAFT)

    @property
    def interruptions(self) -> int:
        return self.count(INTERRUPTION)


def deadline(month: str, provider_deadline_day: int) -> date:
    """The provider deadline of month M: day ``provider_deadline_day`` of M+1."""
    _, last = month_bounds(month)
    nxt = date(last.year + (last.month == 12), 1 if last.month == 12 else last.month + 1, 1)
    return nxt.replace(day=provider_deadline_day)


def _days(first: date, last: date | None) -> str:
    if last is None:
        return f"{fi(first)}-"
    return fi(first) if first == last else f"{fi(first)}-{fi(last)}"


def reminder(
    month: str, events: Iterable[Rec], interruptions: Iterable[Rec], provider_deadline_day: int
) -> Reminder | None:
    """What one provider still has to finish for ``month``, or None when nothing.

    ``events``: the provider's events of the month; ``interruptions``: its interruptions (any)."""
    first, last = month_bounds(month)
    out = Reminder(month, deadline(month, provider_deadline_day))
    for ev in events:
        if ev.kind == "event" and ev.status == "draft" and first <= ev.first_day <= last:
            out.items.append(
                Missing(AUTO if ev.auto else DRAFT, ev.id, ev.decision_number, _days(ev.first_day, ev.last_day))
            )
    for i in interruptions:
        if i.kind == "interruption" and i.open and i.first_day <= last:
            out.items.append(Missing(INTERRUPTION, i.id, i.decision_number, _days(i.first_day, i.last_day)))
    if not out.items:
        return None
    out.items.sort(key=lambda m: (ORDER[m.kind], m.decision_number, m.days, m.record_id))
    return out
