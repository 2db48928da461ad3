"""The customer's own-share specification (omavastuuerittely; spec 12, seed 003 K4.3.7). Pure.

For one entitlement and period: per event what was given (date or range, times for hour units,
content, provider and part, quantity and unit), the provider's unit price, the value the
municipality pays per unit (the voucher value, a balance voucher's subsidy, or for an order the
contract price, which is the price itself), the price in total, what the municipality pays, and the
customer's own share = price - value (never below zero), which the provider bills the customer.

The money is the events' own (``DayLine``: priced day by day when the event is recorded, half-up to
the cent): nothing is recomputed here, only summed. So:

- one line per event, clipped to the period by its days; a day range whose days do not all have
  the same unit price and value (a price change inside the range, spec 5 and 7) gives one line per
  run of equal prices, so that every line's quantity x unit price is its price total;
- a day paid in another record (an interruption's return day) is a line of its own with zeros and
  a note saying which record pays it;
- an interruption (keskeytys) that pays something in the period is one line from its first to its
  last day inside the period: quantity = the days paid at more than 0 %, the municipality's part =
  the sum of those days, own share 0 (the customer is away: the spec asks no own share for absence
  days; ``price_total`` = what the municipality pays), and a note with the reason and the days per
  percentage;
- events pending the municipality's approval (an overrun, spec 9) are shown flagged until decided;
  rejected events and drafts are not in it (nor draft interruptions: the return day is not known);
- an event with a credit request is shown flagged "credited" but is left out of the totals: its whole
  value is deducted later and the provider records a corrected event instead (spec 9, 10).

Totals: price, municipality, own share and travel compensation over the lines that count (pending
ones included, credited ones not), and separately what of them is still pending approval.

CSV (``to_csv``) is for Finnish Excel: semicolon-separated, decimal comma without thousands
separators, dates as d.m.yyyy, UTF-8 with a byte-order mark (so Excel reads ä and ö), CRLF line
ends, one header row, one row per line and a last row "Yhteensä". A text cell that a spreadsheet
would read as a formula (starting with = + - @) is prefixed with an apostrophe (the helpers are in
``seteli.rules.csv_fi``, shared with the reports). JSON keeps ISO dates and decimal points ("32.00").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, PlainSerializer

from seteli.domain.entitlements import EntitlementKind
from seteli.domain.events import DayLine, EventStatus, Interruption, ServiceEvent
from seteli.domain.money import Money, MoneyField, QuantityField
from seteli.domain.units import Unit
from seteli.rules import csv_fi
from seteli.rules.csv_fi import fi_decimal  # also imported from here by older callers
from seteli.rules.csv_fi import text_cell as _text  # also imported from here (finance_file)

SHOWN = frozenset(
    {EventStatus.recorded, EventStatus.pending_approval, EventStatus.approved, EventStatus.settled, EventStatus.paid}
)
ZERO_Q = Decimal("0.00")

VALUE_KIND = {
    EntitlementKind.voucher: "voucher_value",
    EntitlementKind.balance_voucher: "subsidy",
    EntitlementKind.order: "contract_price",
}
VALUE_FI = {"voucher_value": "Setelin arvo", "subsidy": "Tuki", "contract_price": "Sopimushinta"}
UNIT_FI = {"hour": "h", "day": "vrk", "month": "kk", "piece": "kpl", "m2_month": "m2/kk"}
REASON_FI = {"hospital": "sairaala", "holiday": "loma", "other": "muu syy"}
STATUS_FI = {
    "recorded": "kirjattu",
    "pending_approval": "odottaa hyväksyntää",
    "approved": "hyväksytty",
    "settled": "tilitetty",
    "paid": "maksettu",
}
PENDING_NOTE = "odottaa kunnan hyväksyntää (ylittää myönnetyn määrän)"
CREDITED_NOTE = "hyvitetty: ei mukana summissa"

HourMinuteOut = Annotated[time, PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str)]


class OwnShareLine(BaseModel):
    record: str = Field(description="event | interruption")
    record_id: str
    first_day: date
    last_day: date
    start_time: HourMinuteOut | None = Field(default=None, description="Hour units: HH:MM")
    end_time: HourMinuteOut | None = None
    content_id: str
    content_name: str
    provider_id: str
    provider_name: str
    part_id: str | None = None
    part_name: str | None = None
    quantity: QuantityField
    unit: Unit
    unit_price: MoneyField | None = Field(default=None, description="The provider's price per unit on these days")
    unit_value: MoneyField | None = Field(
        default=None, description="Per unit: the voucher value, subsidy or (an order) the contract price"
    )
    price_total: MoneyField
    municipality: MoneyField = Field(description="What the municipality pays")
    own_share: MoneyField = Field(description="What the provider bills the customer (never below zero)")
    travel: MoneyField = Field(description="Travel compensation the municipality pays (not the customer's)")
    status: EventStatus
    pending_approval: bool = False
    credited: bool = False
    paid_elsewhere: str | None = Field(default=None, description="The record that pays these days instead")
    note: str | None = Field(default=None, description="In Finnish")

    @property
    def counts(self) -> bool:
        return not self.credited


class OwnShareTotals(BaseModel):
    price_total: MoneyField
    municipality: MoneyField
    own_share: MoneyField
    travel: MoneyField
    pending_municipality: MoneyField = Field(description="Of the municipality's part: still pending approval")
    pending_own_share: MoneyField = Field(description="Of the own share: still pending approval")
    lines: int
    pending_lines: int
    credited_lines: int


@dataclass(frozen=True)
class Names:
    """How the lines name things (looked up by the use case)."""

    content: Callable[[str], str]
    provider: Callable[[str], str]
    part: Callable[[str, str], str]


def _in(d: date, first: date, last: date) -> bool:
    return first <= d <= last


def _runs(lines: list[DayLine]) -> list[list[DayLine]]:
    """Consecutive lines with the same unit price, value and payer."""
    out: list[list[DayLine]] = []
    for ln in sorted(lines, key=lambda x: x.on):
        key = (ln.price, ln.unit_value, ln.paid_elsewhere)
        if out and (out[-1][-1].price, out[-1][-1].unit_value, out[-1][-1].paid_elsewhere) == key:
            out[-1].append(ln)
        else:
            out.append([ln])
    return out


def _clip(m: Money) -> Money:
    return m if m > Money.zero() else Money.zero()


def event_lines(ev: ServiceEvent, first: date, last: date, names: Names) -> list[OwnShareLine]:
    """The lines of one event inside ``first``..``last`` (none for a draft or rejected event)."""
    if ev.status not in SHOWN:
        return []
    inside = [ln for ln in ev.lines if _in(ln.on, first, last)]
    if not inside:
        return []
    pending = ev.status is EventStatus.pending_approval
    credited = ev.credit_id is not None
    travel_on = min(ln.on for ln in ev.lines)
    out = []
    for run in _runs(inside):
        head = run[0]
        quantity = sum((ln.quantity for ln in run), ZERO_Q)
        elsewhere = head.paid_elsewhere
        notes = []
        if elsewhere:
            notes.append(f"maksetaan toisessa kirjauksessa ({elsewhere}): ei tässä")
            price_total = municipality = own = Money.zero()
        else:
            price_total = sum((ln.price.times(ln.quantity) for ln in run), Money())
            municipality = sum((ln.municipality for ln in run), Money())
            own = _clip(sum((ln.own_share for ln in run), Money()))
        if pending:
            notes.append(PENDING_NOTE)
        if credited:
            notes.append(CREDITED_NOTE)
        travel = ev.travel if any(ln.on == travel_on for ln in run) else Money.zero()
        out.append(
            OwnShareLine(
                record="event",
                record_id=ev.id,
                first_day=head.on,
                last_day=run[-1].on,
                start_time=ev.start_time,
                end_time=ev.end_time,
                content_id=ev.content_id,
                content_name=names.content(ev.content_id),
                provider_id=ev.provider_id,
                provider_name=names.provider(ev.provider_id),
                part_id=ev.part_id,
                part_name=names.part(ev.provider_id, ev.part_id) if ev.part_id else None,
                quantity=quantity,
                unit=ev.unit,
                unit_price=head.price,
                unit_value=head.unit_value,
                price_total=price_total,
                municipality=municipality,
                own_share=own,
                travel=travel,
                status=ev.status,
                pending_approval=pending,
                credited=credited,
                paid_elsewhere=elsewhere,
                note="; ".join(notes) or None,
            )
        )
    return out


def fi_date(d: date) -> str:
    return f"{d.day}.{d.month}.{d.year}"


def fi_span(first: date, last: date) -> str:
    """2.7.2015 | 2.7.-17.7.2015 | 28.12.2015-3.1.2016"""
    if first == last:
        return fi_date(first)
    if first.year == last.year:
        return f"{first.day}.{first.month}.-{fi_date(last)}"
    return f"{fi_date(first)}-{fi_date(last)}"


def interruption_line(i: Interruption, first: date, last: date, names: Names) -> OwnShareLine | None:
    """An interruption's line inside ``first``..``last``: None for a draft or rejected one, and for
    one that pays nothing in the period."""
    if i.status not in SHOWN:
        return None
    inside = [d for d in i.days if _in(d.on, first, last)]
    paid = [d for d in inside if d.percent > 0 and not d.paid_elsewhere]
    municipality = sum((d.municipality for d in paid), Money())
    if not paid or municipality <= Money.zero():
        return None
    by_percent: dict[int, int] = {}
    for d in inside:
        if not d.paid_elsewhere:
            by_percent[d.percent] = by_percent.get(d.percent, 0) + 1
    bands = ", ".join(f"{n} pv {p} %" for p, n in sorted(by_percent.items(), key=lambda x: -x[0]))
    back = fi_date(i.return_day) if i.return_day else "-"
    note = (
        f"keskeytys ({REASON_FI.get(str(i.reason), str(i.reason))}) {fi_date(i.departure_day)}-{back}: {bands}; "
        "ei omavastuuta keskeytyspäiviltä"
    )
    for d in (d for d in inside if d.paid_elsewhere):
        note += f"; paluupäivä {fi_date(d.on)} maksetaan toisessa kirjauksessa ({d.paid_elsewhere})"
    pending = i.status is EventStatus.pending_approval
    if pending:
        note += "; " + PENDING_NOTE
    return OwnShareLine(
        record="interruption",
        record_id=i.id,
        first_day=min(d.on for d in inside),
        last_day=max(d.on for d in inside),
        content_id=i.content_id,
        content_name=names.content(i.content_id),
        provider_id=i.provider_id,
        provider_name=names.provider(i.provider_id),
        part_id=i.part_id,
        part_name=names.part(i.provider_id, i.part_id) if i.part_id else None,
        quantity=Decimal(len(paid)),
        unit=Unit.day,
        price_total=municipality,
        municipality=municipality,
        own_share=Money.zero(),
        travel=Money.zero(),
        status=i.status,
        pending_approval=pending,
        note=note,
    )


def _sort_key(x: OwnShareLine) -> tuple:
    return (x.first_day, x.start_time or time.min, x.record_id, x.last_day)


def lines(
    events: Iterable[ServiceEvent],
    interruptions: Iterable[Interruption],
    first: date,
    last: date,
    names: Names,
    *,
    provider_id: str | None = None,
) -> list[OwnShareLine]:
    """Every line of the period by date; only ``provider_id``'s records when given (a provider's view)."""
    out: list[OwnShareLine] = []
    for ev in events:
        if provider_id is None or ev.provider_id == provider_id:
            out.extend(event_lines(ev, first, last, names))
    for i in interruptions:
        if provider_id is None or i.provider_id == provider_id:
            ln = interruption_line(i, first, last, names)
            if ln is not None:
                out.append(ln)
    return sorted(out, key=_sort_key)


def totals(items: Iterable[OwnShareLine]) -> OwnShareTotals:
    items = list(items)
    counted = [x for x in items if x.counts]
    pending = [x for x in counted if x.pending_approval]
    return OwnShareTotals(
        price_total=sum((x.price_total for x in counted), Money()),
        municipality=sum((x.municipality for x in counted), Money()),
        own_share=sum((x.own_share for x in counted), Money()),
        travel=sum((x.travel for x in counted), Money()),
        pending_municipality=sum((x.municipality for x in pending), Money()),
        pending_own_share=sum((x.own_share for x in pending), Money()),
        lines=len(items),
        pending_lines=len(pending),
        credited_lines=len(items) - len(counted),
    )


# ---------------------------------------------------------------- how lines print


def when(x: OwnShareLine) -> str:
    """The line's date or range, with the times of an hour event: ``3.3.2026 9:00-11:15``."""
    text = fi_span(x.first_day, x.last_day)
    if x.start_time is not None and x.end_time is not None:
        text += f" {x.start_time.hour}:{x.start_time.minute:02d}-{x.end_time.hour}:{x.end_time.minute:02d}"
    return text


def csv_headers(value_kind: str) -> list[str]:
    return [
        "Päivä",
        "Palvelusisältö",
        "Palveluntuottaja",
        "Toimipaikka",
        "Määrä",
        "Yksikkö",
        "Yksikköhinta",
        VALUE_FI.get(value_kind, "Setelin arvo"),
        "Hinta yhteensä",
        "Kunta maksaa",
        "Omavastuu",
        "Matkakorvaus",
        "Tila",
        "Huomautus",
    ]


def to_csv(items: list[OwnShareLine], tot: OwnShareTotals, value_kind: str) -> str:
    """The specification as CSV for Finnish Excel (see the module docstring)."""
    rows: list[list[str]] = [csv_headers(value_kind)]
    for x in items:
        rows.append(
            [
                when(x),
                _text(x.content_name),
                _text(x.provider_name),
                _text(x.part_name),
                fi_decimal(x.quantity),
                UNIT_FI.get(str(x.unit), str(x.unit)),
                fi_decimal(x.unit_price),
                fi_decimal(x.unit_value),
                fi_decimal(x.price_total),
                fi_decimal(x.municipality),
                fi_decimal(x.own_share),
                fi_decimal(x.travel),
                STATUS_FI.get(str(x.status), str(x.status)),
                _text(x.note),
            ]
        )
    rows.append(
        [
            "Yhteensä",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            fi_decimal(tot.price_total),
            fi_decimal(tot.municipality),
            fi_decimal(tot.own_share),
            fi_decimal(tot.travel),
            "",
            f"josta odottaa hyväksyntää: omavastuu {fi_decimal(tot.pending_own_share)}" if tot.pending_lines else "",
        ]
    )
    return csv_fi.to_csv(rows)
