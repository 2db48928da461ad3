"""The reports of spec 15 (seed 003 chapter 5). Pure.

- Customers and realisation (asiakkaat ja toteuma): per entitlement content and provider over a
  month range: what was granted, the units used (recorded, pending, approved, settled, paid), what
  the municipality paid in settlements (settled and paid events: value + travel), the customers' own
  share, the units waiting for approval, and the "incomplete units" (keskeneräiset yksiköt): drafts,
  the automatic events not confirmed among them. Interruption days and what they paid are beside.
- Interruptions: per service and period, each interruption with its days per band and percentage,
  and a summary per reason and band.

CSV for Finnish spreadsheets as the own-share specification: ``;``, decimal comma, formula-safe text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from seteli.domain.entitlements import Entitlement, Period
from seteli.domain.events import COUNTED, SETTLED, EventStatus, Interruption, ServiceEvent
from seteli.domain.money import Money
from seteli.rules.interruptions import parse_month
from seteli.rules.own_share import _text, fi_decimal


def month_span(first: str, last: str) -> tuple[date, date]:
    """The first day of ``first`` and the last day of ``last`` (YYYY-MM)."""
    y, m = parse_month(last)
    end = date(y + (m == 12), 1 if m == 12 else m + 1, 1) - timedelta(days=1)
    y0, m0 = parse_month(first)
    return date(y0, m0, 1), end


PERIOD_TEXT = {Period.validity: "validity", Period.week: "week", Period.month: "month"}
ZERO_Q = Decimal("0.00")


@dataclass
class RealisationRow:
    decision_number: str
    customer_id: str
    service_id: str
    content_id: str
    provider_id: str
    part_id: str | None
    unit: str
    granted: str = ""
    used: Decimal = ZERO_Q
    settled: Money = field(default_factory=Money.zero)
    own_share: Money = field(default_factory=Money.zero)
    pending: Decimal = ZERO_Q
    incomplete: Decimal = ZERO_Q
    interruption_days: int = 0
    interruption_value: Money = field(default_factory=Money.zero)


def granted_text(e: Entitlement | None, content_id: str, unit: str) -> str:
    """``10.00 hour / week``, ``250.00 EUR / month`` (a balance voucher), or empty."""
    if e is None:
        return ""
    for row in e.rows:
        if row.content_id == content_id:
            return f"{row.amount:.2f} {unit} / {PERIOD_TEXT[row.period]}"
    if e.balance is not None:
        b = e.balance
        total = f"{b.total_euros} EUR" if b.total_euros is not None else f"{b.total_units:.2f} {unit}"
        return f"{total} / {PERIOD_TEXT[b.recurrence]}"
    return ""


def realisation(
    events: Iterable[ServiceEvent], interruptions: Iterable[Interruption], entitlements: dict[str, Entitlement]
) -> tuple[list[RealisationRow], RealisationRow]:
    """Rows by entitlement, content, provider and part, and a totals row."""
    rows: dict[tuple, RealisationRow] = {}

    def row_of(x, unit: str) -> RealisationRow:
        key = (x.decision_number, x.content_id, x.provider_id, x.part_id)
        if key not in rows:
            rows[key] = RealisationRow(
                x.decision_number, x.customer_id, x.service_id, x.content_id, x.provider_id, x.part_id, unit
            )
            rows[key].granted = granted_text(entitlements.get(x.decision_number), x.content_id, unit)
        return rows[key]

    for ev in events:
        r = row_of(ev, ev.unit.value)
        if ev.status is EventStatus.draft:
            r.incomplete += ev.quantity
        elif ev.status is EventStatus.pending_approval:
            r.pending += ev.quantity
        if ev.status in COUNTED and ev.credit_id is None:
            r.used += ev.quantity
            r.own_share = r.own_share + ev.own_share
        if ev.status in SETTLED:
            r.settled = r.settled + ev.payable
    for i in interruptions:
        if i.status is EventStatus.draft or i.status is EventStatus.rejected:
            continue
        r = row_of(i, "day")
        r.interruption_days += len(i.days)
        r.interruption_value = r.interruption_value + i.value
        if i.status in SETTLED:
            r.settled = r.settled + i.value
    ordered = sorted(rows.values(), key=lambda r: (r.service_id, r.decision_number, r.content_id, r.provider_id))
    total = RealisationRow("", "", "", "", "", None, "")
    for r in ordered:
        total.settled = total.settled + r.settled
        total.own_share = total.own_share + r.own_share
        total.interruption_days += r.interruption_days
        total.interruption_value = total.interruption_value + r.interruption_value
    return ordered, total


@dataclass
class InterruptionRow:
    id: str
    decision_number: str
    provider_id: str
    part_id: str | None
    reason: str
    departure_day: str
    return_day: str | None
    status: str
    bands: list[dict]  # {band, percent, days, value}
    value: Money


def bands(i: Interruption) -> list[dict]:
    """An interruption's days grouped as its rule's bands: day 0, runs of days at one percentage
    (``days 1-10``, ``days 11-14``), the return day; each with its days and what it paid."""
    out: list[dict] = []
    for d in i.days:
        fixed = "day 0" if d.day_number == 0 and not d.return_day else ("return day" if d.return_day else None)
        last = out[-1] if out else None
        if fixed is None and last and last["_run"] and last["percent"] == d.percent:
            last["_hi"] = d.day_number
            last["days"] += 1
            last["value"] = last["value"] + d.municipality
            continue
        out.append(
            {"_run": fixed is None, "_lo": d.day_number, "_hi": d.day_number, "band": fixed,
             "percent": d.percent, "days": 1, "value": d.municipality}
        )  # fmt: skip
    for b in out:
        if b["band"] is None:
            b["band"] = f"day {b['_lo']}" if b["_lo"] == b["_hi"] else f"days {b['_lo']}-{b['_hi']}"
    return [{k: v for k, v in b.items() if not k.startswith("_")} for b in out]


def interruptions(items: Iterable[Interruption]) -> tuple[list[InterruptionRow], list[dict]]:
    """Each interruption with its days per band, and a summary per reason and percentage."""
    out: list[InterruptionRow] = []
    summary: dict[tuple[str, int], dict] = {}
    for i in sorted(items, key=lambda x: (x.departure_day, x.id)):
        mine = bands(i)
        for b in mine:
            s = summary.setdefault(
                (i.reason.value, b["percent"]),
                {"reason": i.reason.value, "percent": b["percent"], "days": 0, "value": Money.zero()},
            )
            s["days"] += b["days"]
            s["value"] = s["value"] + b["value"]
        out.append(
            InterruptionRow(
                i.id,
                i.decision_number,
                i.provider_id,
                i.part_id,
                i.reason.value,
                i.departure_day.isoformat(),
                i.return_day.isoformat() if i.return_day else None,
                i.status.value,
                mine,
                i.value,
            )
        )
    return out, [summary[k] for k in sorted(summary)]


# ---------------------------------------------------------------- CSV


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return out.getvalue()


REALISATION_HEADERS = [
    "Päätös", "Asiakas", "Palvelu", "Sisältö", "Palveluntuottaja", "Toimipaikka", "Yksikkö", "Myönnetty",
    "Käytetty", "Tilitetty", "Omavastuu", "Odottaa hyväksyntää", "Keskeneräiset yks.", "Keskeytyspäivät",
    "Keskeytykset maksettu",
]  # fmt: skip


def realisation_csv(rows: list[RealisationRow], total: RealisationRow) -> str:
    body = [REALISATION_HEADERS]
    for r in [*rows, total]:
        body.append(
            [
                _text(r.decision_number or "Yhteensä"),
                _text(r.customer_id),
                _text(r.service_id),
                _text(r.content_id),
                _text(r.provider_id),
                _text(r.part_id or ""),
                r.unit,
                _text(r.granted),
                fi_decimal(r.used) if r.decision_number else "",
                fi_decimal(r.settled),
                fi_decimal(r.own_share),
                fi_decimal(r.pending) if r.decision_number else "",
                fi_decimal(r.incomplete) if r.decision_number else "",
                str(r.interruption_days),
                fi_decimal(r.interruption_value),
            ]
        )
    return _csv(body)


def interruptions_csv(rows: list[InterruptionRow]) -> str:
    body = [["Keskeytys", "Päätös", "Palveluntuottaja", "Toimipaikka", "Syy", "Lähtöpäivä", "Paluupäivä", "Tila",
             "Jakso", "Maksu-%", "Päiviä", "Maksettu"]]  # fmt: skip
    for r in rows:
        for b in r.bands or [{"band": "", "percent": "", "days": 0, "value": Money.zero()}]:
            body.append(
                [
                    r.id, _text(r.decision_number), _text(r.provider_id), _text(r.part_id or ""), r.reason,
                    r.departure_day, r.return_day or "", r.status, b["band"], str(b["percent"]), str(b["days"]),
                    fi_decimal(b["value"]),
                ]
            )  # fmt: skip
    return _csv(body)
