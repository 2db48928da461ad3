"""The provider copy of a decision ("Palvelusetelipäätös - tuottajan kappale", seed 001) as a PDF.

The paper the customer hands to the provider they chose: decision number, verification code (the
provider activates the voucher with these two), customer name and address, validity, home
municipality, service, and the rows with amount per period, unit value and total value.

The personal identity code is NOT printed: seed 001's copy carries name, address and phone but no
henkilötunnus, and the provider needs none to activate the voucher (it sees the customer's name once
it has reserved, and finds the customer by the code with its own lookup). Nothing here is logged.

fpdf2's core fonts are latin-1: Finnish and Swedish letters (ä ö å) print as such; anything outside
latin-1 is replaced (``latin1``), so no name or text can make the rendering fail. Page content is not
compressed, so the text can be found in the bytes (tests, text extraction by the provider's tools).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from seteli.domain.entitlements import Period
from seteli.rules.entitlements import PERIOD_FI, CopyRow

UNIT_FI = {"hour": "h", "day": "vrk", "month": "kk", "piece": "kpl", "m2_month": "m2/kk"}
TITLES = {
    "voucher": "Palvelusetelipäätös - tuottajan kappale",
    "balance_voucher": "Saldosetelipäätös - tuottajan kappale",
    "order": "Ostopalvelupäätös - tuottajan kappale",
}
RECURRENCE_FI = {"validity": "voimassaoloaikana", "week": "viikossa", "month": "kuukaudessa"}
_REPLACE = {
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u20ac": "EUR",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
}


@dataclass(frozen=True)
class CopyData:
    """Everything the copy shows, already looked up (the adapter reads nothing)."""

    municipality: str
    kind: str
    decision_number: str
    verification_code: str
    decision_date: date
    customer_name: str
    address_lines: list[str]
    phone: str | None
    home_municipality: str
    valid_from: date
    valid_until: date | None
    service_name: str
    rows: list[CopyRow]
    balance_total: str | None = None  # e.g. "250,00 eur kuukaudessa" (balance vouchers)
    provider_names: list[str] = field(default_factory=list)  # a balance voucher's / the named provider
    part_name: str | None = None  # an order's part
    closed_on: date | None = None


def latin1(text: object) -> str:
    """``text`` as the core fonts can print it: common typography mapped, the rest as '?'."""
    s = "".join(_REPLACE.get(ch, ch) for ch in str(text))
    return s.encode("latin-1", errors="replace").decode("latin-1")


class Writer:
    """What both printable papers (the provider copy, the own-share specification) share: an A4 fpdf2
    document with the core fonts, page content not compressed (the text can be found in the file),
    and two ways of writing: a paragraph, and a label with its value in bold."""

    def __init__(self, title: str, *, orientation: str = "P", margin: float = 18, label_width: float = 48, footer=None):
        from fpdf import FPDF

        class _Doc(FPDF):
            def footer(self) -> None:
                if footer is not None:
                    footer(self)

        pdf = _Doc(orientation=orientation, format="A4")
        pdf.set_compression(False)
        pdf.set_title(latin1(title))
        pdf.set_creator("Seteli")
        pdf.set_auto_page_break(auto=True, margin=margin)
        pdf.add_page()
        self.pdf = pdf
        self.width = pdf.w - pdf.l_margin - pdf.r_margin
        self.label_width = label_width

    def text(self, text: str, size: float = 10, style: str = "", h: float = 6) -> None:
        self.pdf.set_font("Helvetica", style=style, size=size)
        self.pdf.multi_cell(self.width, h, latin1(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def pair(self, label: str, value: str) -> None:
        pdf, w = self.pdf, self.label_width
        pdf.set_font("Helvetica", size=10)
        pdf.cell(w, 6, latin1(label), new_x="RIGHT", new_y="TOP")
        pdf.set_font("Helvetica", style="B", size=10)
        pdf.multi_cell(self.width - w, 6, latin1(value), align="L", new_x="LMARGIN", new_y="NEXT")


def fi_date(d: date | None) -> str:
    return f"{d.day}.{d.month}.{d.year}" if d is not None else ""


def fi_number(d: Decimal) -> str:
    """``Decimal("1234.5")`` -> ``"1 234,50"`` (two decimals, Finnish separators)."""
    whole, _, cents = f"{d:.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups) or '0'},{cents}"


def validity(valid_from: date, valid_until: date | None) -> str:
    return f"{fi_date(valid_from)} - {fi_date(valid_until) if valid_until else 'toistaiseksi'}"


def _row_cells(r: CopyRow) -> list[str]:
    unit = UNIT_FI.get(r.unit, r.unit)
    per = f" / {PERIOD_FI[r.period]}" if r.period not in (None, Period.validity) else ""
    amount = f"{fi_number(r.amount)} {unit}{per}" if r.amount is not None else "saldosta"
    value = f"{fi_number(r.unit_value)} eur/{unit}" if unit else f"{fi_number(r.unit_value)} eur"
    total = f"{fi_number(r.total_value)} eur{per}" if r.total_value is not None else ""
    return [r.content_name, amount, value, total]


def render_provider_copy(data: CopyData) -> bytes:
    """The copy as PDF bytes (A4, one page unless there are many rows)."""
    doc = Writer(f"{data.decision_number} tuottajan kappale")
    pdf, width, line, pair = doc.pdf, doc.width, doc.text, doc.pair

    line(data.municipality, 11, "B")
    line("PALVELUSETELI" if data.kind != "order" else "OSTOPALVELU", 16, "B", 9)
    line(TITLES.get(data.kind, TITLES["voucher"]), 12, "", 7)
    pdf.ln(3)
    pair("Päätöksen numero", data.decision_number)
    pair("Tuottajan varmenne", data.verification_code)
    pair("Päätöksen päivämäärä", fi_date(data.decision_date))
    pdf.ln(2)
    pair("Nimi", data.customer_name)
    for i, text in enumerate(data.address_lines):
        pair("Osoite" if i == 0 else "", text)
    if data.phone:
        pair("Puhelinnumero", data.phone)
    pair("Kotikunta", data.home_municipality)
    pair("Voimassaoloaika", validity(data.valid_from, data.valid_until))
    if data.closed_on is not None:
        pair("Päättynyt", f"päättyy {fi_date(data.closed_on)} (ei voimassa tästä päivästä alkaen)")
    pair("Palvelu", data.service_name)
    if data.balance_total:
        pair("Saldo", data.balance_total)
    if data.provider_names:
        pair("Palveluntuottaja", ", ".join(data.provider_names))
    if data.part_name:
        pair("Toimipaikka / yksikkö", data.part_name)
    pdf.ln(4)

    headers = ["Palvelu / tuote", "Määrä", "Á-arvo, veroton", "Arvo, veroton"]
    widths = [width * 0.40, width * 0.20, width * 0.20, width * 0.20]
    pdf.set_font("Helvetica", style="B", size=9)
    for text, w in zip(headers, widths, strict=True):
        pdf.cell(w, 7, latin1(text), border="B", new_x="RIGHT", new_y="TOP")
    pdf.ln(7)
    pdf.set_font("Helvetica", size=9)
    for r in data.rows:
        cells = [latin1(t) for t in _row_cells(r)]
        lines = max(
            len(pdf.multi_cell(w, 5.5, t, align="L", dry_run=True, output="LINES"))
            for t, w in zip(cells, widths, strict=True)
        )
        if pdf.get_y() + 5.5 * lines > pdf.page_break_trigger:
            pdf.add_page()
        y, x = pdf.get_y(), pdf.l_margin
        for text, w in zip(cells, widths, strict=True):
            pdf.set_xy(x, y)
            pdf.multi_cell(w, 5.5, text, align="L", new_x="RIGHT", new_y="TOP")
            x += w
        pdf.set_xy(pdf.l_margin, y + 5.5 * max(lines, 1) + 1)
    pdf.ln(6)
    line(
        "Palveluntuottaja aktivoi setelin Seteli-palvelussa päätöksen numerolla ja tuottajan varmenteella. "
        "Arvot ovat enimmäisarvoja jaksoa kohden (voimassaoloaika, viikko tai kuukausi).",
        8,
        "",
        4.5,
    )
    return bytes(pdf.output())
