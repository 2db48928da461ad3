"""The reports of spec 15 (seed 003 chapter 5: 5.1 "Asiakkaat ja toteuma", 5.2 "Keskeytykset"). Pure.

Customers and realisation (asiakkaat ja toteuma), one row per entitlement content, provider and
part over a month range (the caller gives the events of those months and the interruptions that
touch them):

- ``granted``: the content's granted amount and period (``10.00 h / week``; a balance voucher its
  euros or units per recurrence), from the entitlement;
- ``used``: the units of the events that use the granted amount (recorded, pending approval,
  approved, settled, paid; not drafts, rejected or credited ones: ``seteli.domain.events.COUNTED``);
- ``settled``: what the municipality paid or pays in a settlement run: the events settled or paid
  (value + travel compensation) and the settled interruptions' days inside the range;
- ``credited``: the payable value of events with a credit request (deducted in a later run), so
  ``settled - credited`` is the municipality's net cost;
- ``own_share``: what the providers bill the customer for the used events;
- ``pending``: units waiting for the municipality's approval (an overrun; also in ``used``);
- ``incomplete`` (keskeneräiset yksiköt, seed 003 5.1): drafts, with the automatic events not
  confirmed yet among them (``incomplete_auto``); never settled until recorded;
- ``interruption_days`` / ``interruption_value``: the days of recorded interruptions inside the
  range (at any percentage) and what they pay.

A totals row sums the money and days; units are summed per unit (hours and days do not add up).

Interruptions (keskeytykset), per service and period: each interruption that touches the range
(departure day, return day or open, status) with its days *inside the range* per band of the
tenant's interruption rule (``day 0``, ``days 1-10``, ``days 11-``, ``return day``: see
``seteli.rules.interruptions.band_label``) with the band's percentage, the days and what they pay,
so that monthly reports add up to a yearly one; a summary per reason and band; an open interruption
(no return day yet, a draft) is listed without days. Rejected interruptions are left out.

CSV for Finnish spreadsheets (``seteli.rules.csv_fi``): ``;``, decimal comma, formula-safe text,
Finnish headers and labels ("10,00 h / vko").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from seteli.domain.entitlements import Entitlement, Period
from seteli.domain.events import COUNTED, SETTLED, EventStatus, Interruption, InterruptionDay, ServiceEvent
from seteli.domain.money import Money
from seteli.domain.tenant import InterruptionRule
from seteli.domain.units import Unit
from seteli.rules.csv_fi import fi_decimal, text_cell, to_csv
from seteli.rules.interruptions import add_months, band_label, parse_month

ZERO_Q = Decimal("0.00")
MAX_MONTHS = 12

# ---------------------------------------------------------------- months


def months(first: str, last: str) -> list[str]:
    """Every month ``first``..``last`` (YYYY-MM) in order; ValueError when malformed."""
    parse_month(first)
    parse_month(last)
    out = [first]
    while out[-1] < last:
        out.append(add_months(out[-1], 1))
    return out


def month_span(first: str, last: str) -> tuple[date, date]:
    """The first day of ``first`` and the last day of ``last`` (YYYY-MM)."""
    y0, m0 = parse_month(first)
    y, m = parse_month(add_months(last, 1))
    return date(y0, m0, 1), date(y, m, 1) - timedelta(days=1)


def range_problem(first: str, last: str, max_months: int = MAX_MONTHS) -> tuple[str, str] | None:
    """(field, message) when ``first``..``last`` is not a range a report takes, else None."""
    if last < first:
        return "query.to", "must not be before from"
    if len(months(first, last)) > max_months:
        return "query.to", f"at most {max_months} months from 'from'"
    return None


# ---------------------------------------------------------------- granted


UNIT_WORD = {Unit.day: "days", Unit.hour: "h", Unit.month: "months", Unit.piece: "pcs", Unit.m2_month: "m2"}
UNIT_FI = {Unit.day: "vrk", Unit.hour: "h", Unit.month: "kk", Unit.piece: "kpl", Unit.m2_month: "m2/kk"}
PERIOD_WORD = {Period.validity: "validity", Period.week: "week", Period.month: "month"}
PERIOD_FI = {Period.validity: "voimassaolo", Period.week: "vko", Period.month: "kk"}  # seed 001's words


@dataclass(frozen=True)
class Granted:
    """What a decision grants of a content: ``amount`` ``unit`` per ``period`` (unit "EUR": euros)."""

    amount: Decimal
    unit: str
    period: Period

    def text(self) -> str:
        unit = UNIT_WORD.get(self.unit, self.unit) if self.unit != "EUR" else "EUR"
        return f"{self.amount:.2f} {unit} / {PERIOD_WORD[self.period]}"

    def text_fi(self) -> str:
        unit = UNIT_FI.get(self.unit, self.unit) if self.unit != "EUR" else "EUR"
        return f"{fi_decimal(self.amount)} {unit} / {PERIOD_FI[self.period]}"


def granted(e: Entitlement | None, content_id: str, unit: Unit) -> Granted | None:
    """The content's row of the decision, or a balance voucher's total; None when not granted."""
    if e is None:
        return None
    for row in e.rows:
        if row.content_id == content_id:
            return Granted(row.amount, unit, row.period)
    b = e.balance
    if b is not None and any(c.content_id == content_id for c in b.contents):
        if b.total_euros is not None:
            return Granted(b.total_euros.amount, "EUR", b.recurrence)
        if b.total_units is not None:
            return Granted(b.total_units, unit, b.recurrence)
    return None


# ---------------------------------------------------------------- customers and realisation


@dataclass
class RealisationRow:
    decision_number: str
    customer_id: str
    service_id: str
    content_id: str
    provider_id: str
    part_id: str | None
    unit: Unit
    granted: Granted | None = None
    used: Decimal = ZERO_Q
    settled: Money = field(default_factory=Money.zero)
    credited: Money = field(default_factory=Money.zero)
    own_share: Money = field(default_factory=Money.zero)
    pending: Decimal = ZERO_Q
    incomplete: Decimal = ZERO_Q
    incomplete_auto: Decimal = ZERO_Q
    interruption_days: int = 0
    interruption_value: Money = field(default_factory=Money.zero)

    @property
    def granted_text(self) -> str:
        return self.granted.text() if self.granted else ""


@dataclass
class UnitTotal:
    unit: Unit
    used: Decimal = ZERO_Q
    pending: Decimal = ZERO_Q
    incomplete: Decimal = ZERO_Q


@dataclass
class RealisationTotals:
    entitlements: int = 0
    customers: int = 0
    settled: Money = field(default_factory=Money.zero)
    credited: Money = field(default_factory=Money.zero)
    own_share: Money = field(default_factory=Money.zero)
    interruption_days: int = 0
    interruption_value: Money = field(default_factory=Money.zero)
    units: list[UnitTotal] = field(default_factory=list)


def _inside(days: Iterable[InterruptionDay], first: date, last: date) -> list[InterruptionDay]:
    return [d for d in days if first <= d.on <= last]


def realisation(
    events: Iterable[ServiceEvent],
    interruptions: Iterable[Interruption],
    entitlements: dict[str, Entitlement],
    first: date,
    last: date,
) -> tuple[list[RealisationRow], RealisationTotals]:
    """Rows by entitlement, content, provider and part (``first``..``last`` clips the interruption
    days; the events are those of the range's months), and the totals."""
    rows: dict[tuple, RealisationRow] = {}

    def row_of(x: ServiceEvent | Interruption, unit: Unit) -> RealisationRow:
        key = (x.decision_number, x.content_id, x.provider_id, x.part_id or "")
        if key not in rows:
            rows[key] = RealisationRow(
                x.decision_number, x.customer_id, x.service_id, x.content_id, x.provider_id, x.part_id, unit,
                granted=granted(entitlements.get(x.decision_number), x.content_id, unit),
            )  # fmt: skip
        return rows[key]

    for ev in events:
        if ev.status is EventStatus.rejected:
            continue
        r = row_of(ev, ev.unit)
        if ev.status is EventStatus.draft:
            r.incomplete += ev.quantity
            if ev.auto:
                r.incomplete_auto += ev.quantity
        if ev.status is EventStatus.pending_approval:
            r.pending += ev.quantity
        if ev.status in COUNTED and ev.credit_id is None:
            r.used += ev.quantity
            r.own_share += ev.own_share
        if ev.status in SETTLED:
            r.settled += ev.payable
        if ev.credit_id is not None and ev.status in COUNTED:
            r.credited += ev.payable
    for i in interruptions:
        if i.status in (EventStatus.draft, EventStatus.rejected):
            continue  # open: its days are not known yet
        days = _inside(i.days, first, last)
        if not days:
            continue
        r = row_of(i, Unit.day)
        value = sum((d.municipality for d in days), Money.zero())
        r.interruption_days += len(days)
        r.interruption_value += value
        if i.status in SETTLED:
            r.settled += value
    ordered = sorted(
        rows.values(),
        key=lambda r: (r.service_id, r.decision_number, r.content_id, r.provider_id, r.part_id or ""),
    )
    return ordered, totals(ordered)


def totals(rows: list[RealisationRow]) -> RealisationTotals:
    t = RealisationTotals(
        entitlements=len({r.decision_number for r in rows}), customers=len({r.customer_id for r in rows})
    )
    units: dict[Unit, UnitTotal] = {}
    for r in rows:
        t.settled += r.settled
        t.credited += r.credited
        t.own_share += r.own_share
        t.interruption_days += r.interruption_days
        t.interruption_value += r.interruption_value
        u = units.setdefault(r.unit, UnitTotal(r.unit))
        u.used += r.used
        u.pending += r.pending
        u.incomplete += r.incomplete
    t.units = [units[u] for u in sorted(units)]
    return t


# ---------------------------------------------------------------- interruptions

DAY_0, RETURN_DAY = "day 0", "return day"
LAST = 10**6  # the return day sorts after every band


@dataclass
class BandDays:
    band: str  # "day 0", "days 1-10", "days 11-", "return day" (the rule's bands)
    percent: int
    days: int = 0
    value: Money = field(default_factory=Money.zero)
    paid_elsewhere: int = 0  # of ``days``: paid in another record (the return day in an attendance event)
    order: int = 0  # for sorting: the band's first day number


@dataclass
class InterruptionRow:
    id: str
    decision_number: str
    customer_id: str
    content_id: str
    provider_id: str
    part_id: str | None
    reason: str
    departure_day: date
    return_day: date | None  # None: open (the customer is not back yet)
    status: EventStatus
    days: int  # inside the range
    bands: list[BandDays]
    value: Money  # of the days inside the range
    total_value: Money  # of the whole interruption


@dataclass
class ReasonBand:
    reason: str
    band: str
    percent: int
    days: int = 0
    value: Money = field(default_factory=Money.zero)
    order: int = 0


@dataclass
class InterruptionTotals:
    interruptions: int = 0
    open: int = 0
    days: int = 0
    value: Money = field(default_factory=Money.zero)


def band_of(d: InterruptionDay, rule: InterruptionRule | None) -> tuple[str, int]:
    """The label of a day's band and its first day number (for ordering). Without the rule (one
    removed from the tenant's configuration) the days are grouped by their percentage."""
    if d.return_day:
        return RETURN_DAY, LAST
    if d.day_number == 0:
        return DAY_0, 0
    for band in rule.bands if rule else ():
        if band.from_day <= d.day_number and (band.to_day is None or d.day_number <= band.to_day):
            return band_label(band), band.from_day
    return f"days at {d.percent} %", 1


def bands(days: Iterable[InterruptionDay], rule: InterruptionRule | None) -> list[BandDays]:
    out: dict[tuple[str, int], BandDays] = {}
    for d in days:
        label, order = band_of(d, rule)
        b = out.setdefault((label, d.percent), BandDays(label, d.percent, order=order))
        b.days += 1
        b.value += d.municipality
        b.paid_elsewhere += d.paid_elsewhere is not None
    return sorted(out.values(), key=lambda b: (b.order, b.band, b.percent))


def interruptions(
    items: Iterable[Interruption], first: date, last: date, rules_by_id: dict[str, InterruptionRule]
) -> tuple[list[InterruptionRow], list[ReasonBand], InterruptionTotals]:
    """Each interruption touching ``first``..``last`` with its days inside per band; the summary
    per reason and band; the totals."""
    out: list[InterruptionRow] = []
    summary: dict[tuple[str, str, int], ReasonBand] = {}
    tot = InterruptionTotals()
    for i in sorted(items, key=lambda x: (x.departure_day, x.decision_number, x.id)):
        if i.status is EventStatus.rejected or i.departure_day > last:
            continue
        if i.return_day is not None and i.return_day < first:
            continue
        days = _inside(i.days, first, last)
        mine = bands(days, rules_by_id.get(i.rule_id))
        value = sum((b.value for b in mine), Money.zero())
        for b in mine:
            s = summary.setdefault(
                (i.reason.value, b.band, b.percent), ReasonBand(i.reason.value, b.band, b.percent, order=b.order)
            )
            s.days += b.days
            s.value += b.value
        out.append(
            InterruptionRow(
                i.id, i.decision_number, i.customer_id, i.content_id, i.provider_id, i.part_id, i.reason.value,
                i.departure_day, i.return_day, i.status, len(days), mine, value, i.value,
            )
        )  # fmt: skip
        tot.interruptions += 1
        tot.open += i.return_day is None
        tot.days += len(days)
        tot.value += value
    ordered = sorted(summary.values(), key=lambda s: (s.reason, s.order, s.band, s.percent))
    return out, ordered, tot


# ---------------------------------------------------------------- CSV (Finnish)

STATUS_FI = {
    "draft": "keskeneräinen",
    "recorded": "kirjattu",
    "pending_approval": "odottaa hyväksyntää",
    "approved": "hyväksytty",
    "settled": "tilitetty",
    "paid": "maksettu",
    "rejected": "hylätty",
}
REASON_FI = {"hospital": "sairaala", "holiday": "loma", "other": "muu syy"}


def band_fi(label: str) -> str:
    """``day 0`` -> ``lähtöpäivä (0)``, ``days 1-10`` -> ``päivät 1-10``, ``return day`` -> ``paluupäivä``."""
    if label == DAY_0:
        return "lähtöpäivä (0)"
    if label == RETURN_DAY:
        return "paluupäivä"
    if label.startswith("days at "):
        return "päivät " + label.removeprefix("days at ")
    if label.startswith("days "):
        return "päivät " + label.removeprefix("days ")
    return "päivä " + label.removeprefix("day ")


def fi_day(d: date | None) -> str:
    return f"{d.day}.{d.month}.{d.year}" if d else ""


REALISATION_HEADERS = [
    "Päätös", "Asiakas", "Palvelu", "Palvelusisältö", "Palveluntuottaja", "Tuottajan osa", "Yksikkö",
    "Myönnetty", "Käytetty", "Tilitetty", "Hyvitetty", "Omavastuu", "Odottaa hyväksyntää",
    "Keskeneräiset yks.", "josta automaattikirjauksia", "Keskeytyspäivät", "Keskeytysten korvaus",
]  # fmt: skip


def realisation_csv(rows: list[RealisationRow], tot: RealisationTotals) -> str:
    body: list[list[str]] = [REALISATION_HEADERS]
    for r in rows:
        body.append(
            [
                text_cell(r.decision_number), text_cell(r.customer_id), text_cell(r.service_id),
                text_cell(r.content_id), text_cell(r.provider_id), text_cell(r.part_id), UNIT_FI.get(r.unit, r.unit),
                r.granted.text_fi() if r.granted else "", fi_decimal(r.used), fi_decimal(r.settled),
                fi_decimal(r.credited), fi_decimal(r.own_share), fi_decimal(r.pending), fi_decimal(r.incomplete),
                fi_decimal(r.incomplete_auto), str(r.interruption_days), fi_decimal(r.interruption_value),
            ]
        )  # fmt: skip
    body.append(
        [
            "Yhteensä", f"{tot.customers} asiakasta", "", "", "", "", "", f"{tot.entitlements} päätöstä", "",
            fi_decimal(tot.settled), fi_decimal(tot.credited), fi_decimal(tot.own_share), "", "", "",
            str(tot.interruption_days), fi_decimal(tot.interruption_value),
        ]
    )  # fmt: skip
    for u in tot.units:
        unit = UNIT_FI.get(u.unit, u.unit)
        body.append(
            [f"Yhteensä ({unit})", "", "", "", "", "", unit, "", fi_decimal(u.used), "", "", "",
             fi_decimal(u.pending), fi_decimal(u.incomplete), "", "", ""]
        )  # fmt: skip
    return to_csv(body)


INTERRUPTION_HEADERS = [
    "Keskeytys", "Päätös", "Asiakas", "Palveluntuottaja", "Tuottajan osa", "Syy", "Lähtöpäivä", "Paluupäivä",
    "Tila", "Jakso", "Maksu-%", "Päiviä", "Korvaus", "Maksettu toisessa kirjauksessa",
]  # fmt: skip


def interruptions_csv(rows: list[InterruptionRow], summary: list[ReasonBand], tot: InterruptionTotals) -> str:
    body: list[list[str]] = [INTERRUPTION_HEADERS]
    for r in rows:
        head = [
            text_cell(r.id), text_cell(r.decision_number), text_cell(r.customer_id), text_cell(r.provider_id),
            text_cell(r.part_id), REASON_FI.get(r.reason, r.reason), fi_day(r.departure_day),
            fi_day(r.return_day) if r.return_day else "avoin", STATUS_FI.get(r.status.value, r.status.value),
        ]  # fmt: skip
        if not r.bands:
            body.append([*head, "", "", "0", fi_decimal(Money.zero()), ""])
        for b in r.bands:
            body.append(
                [*head, band_fi(b.band), str(b.percent), str(b.days), fi_decimal(b.value),
                 str(b.paid_elsewhere) if b.paid_elsewhere else ""]
            )  # fmt: skip
    body.append([])
    body.append(["Yhteenveto", "", "", "", "", "Syy", "", "", "", "Jakso", "Maksu-%", "Päiviä", "Korvaus", ""])
    for s in summary:
        body.append(
            ["", "", "", "", "", REASON_FI.get(s.reason, s.reason), "", "", "", band_fi(s.band), str(s.percent),
             str(s.days), fi_decimal(s.value), ""]
        )  # fmt: skip
    body.append(
        [f"Yhteensä {tot.interruptions} keskeytystä", "", "", "", "", "", "", f"{tot.open} avoinna", "", "", "",
         str(tot.days), fi_decimal(tot.value), ""]
    )  # fmt: skip
    return to_csv(body)
