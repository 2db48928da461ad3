"""The own-share specification ("Asiakkaan omavastuuerittely", seed 003 K4.3.7) as a printable PDF.

A4 landscape: the municipality, the customer's name, the decision number, the service and the
period; a table of the lines (date or range and times, content, provider and part, quantity and
unit, unit price, voucher value / subsidy / contract price, price, what the municipality pays, own
share, status and note); the totals; and what the columns mean.

The personal identity code is NOT printed (the specification needs none; the name and the decision
number identify it). Built like the provider copy (``seteli.adapters.provider_copy``): fpdf2 core
fonts, latin-1 (``latin1`` maps the rest), page content not compressed so the text can be found.
"""

from __future__ import annotations

from datetime import date

from seteli.adapters.provider_copy import Writer, fi_date, fi_number, latin1
from seteli.rules.own_share import STATUS_FI, UNIT_FI, VALUE_FI, when

EXPLAIN = (
    "Omavastuu = palvelun hinta - setelin arvo (tai tuki), ei koskaan alle nollan; palveluntuottaja laskuttaa "
    "sen asiakkaalta. Kunta maksaa palveluntuottajalle setelin arvon, enintään hinnan. Kunnan hyväksyntää "
    "odottavat tapahtumat (*) näkyvät, kunnes ne hyväksytään tai hylätään; hylätyt eivät ole erittelyssä. "
    "Hyvitetyt tapahtumat (H) eivät ole mukana summissa. Keskeytyspäiviltä ei peritä omavastuuta."
)


def _money(m) -> str:
    return fi_number(m.amount) if m is not None else ""


def render_own_share(spec, *, municipality: str, printed_on: date) -> bytes:
    """``spec`` (``seteli.services.own_share.OwnShareSpec``) as PDF bytes."""

    def footer(pdf) -> None:
        pdf.set_y(-10)
        pdf.set_font("Helvetica", size=7)
        pdf.cell(0, 5, latin1(f"Omavastuuerittely {spec.decision_number} - sivu {pdf.page_no()}"), align="R")

    doc = Writer(f"{spec.decision_number} omavastuuerittely", orientation="L", margin=14, label_width=45, footer=footer)
    pdf, width, text, pair = doc.pdf, doc.width, doc.text, doc.pair

    text(municipality, 11, "B")
    text("Asiakkaan omavastuuerittely", 15, "B", 9)
    pair("Asiakas", spec.customer_name)
    pair("Päätöksen numero", spec.decision_number)
    pair("Palvelu", spec.service_name)
    pair("Ajanjakso", f"{fi_date(spec.period_start)} - {fi_date(spec.period_end)}")
    if spec.provider_id:
        pair("Rajaus", "vain tämän palveluntuottajan tapahtumat")
    pair("Tulostettu", fi_date(printed_on))
    pdf.ln(3)

    headers = [
        "Päivä",
        "Palvelusisältö",
        "Palveluntuottaja",
        "Määrä",
        "Á-hinta",
        VALUE_FI.get(spec.value_kind, "Setelin arvo"),
        "Hinta",
        "Kunta maksaa",
        "Omavastuu",
        "Tila / huom.",
    ]
    ratios = [0.11, 0.13, 0.13, 0.06, 0.06, 0.07, 0.07, 0.08, 0.07, 0.22]
    widths = [width * r for r in ratios]
    right = {3, 4, 5, 6, 7, 8}

    def row(cells: list[str], *, bold: bool = False, size: float = 8) -> None:
        pdf.set_font("Helvetica", style="B" if bold else "", size=size)
        cells = [latin1(c) for c in cells]
        lines = max(
            len(pdf.multi_cell(w, 4.5, c, align="L", dry_run=True, output="LINES"))
            for c, w in zip(cells, widths, strict=True)
        )
        if pdf.get_y() + 4.5 * lines > pdf.page_break_trigger:
            pdf.add_page()
            header()
            pdf.set_font("Helvetica", style="B" if bold else "", size=size)
        y, x = pdf.get_y(), pdf.l_margin
        for i, (c, w) in enumerate(zip(cells, widths, strict=True)):
            pdf.set_xy(x, y)
            pdf.multi_cell(w, 4.5, c, align="R" if i in right else "L", new_x="RIGHT", new_y="TOP")
            x += w
        pdf.set_xy(pdf.l_margin, y + 4.5 * max(lines, 1) + 1)

    def header() -> None:
        pdf.set_font("Helvetica", style="B", size=8)
        for i, (t, w) in enumerate(zip(headers, widths, strict=True)):
            pdf.cell(w, 6, latin1(t), border="B", align="R" if i in right else "L", new_x="RIGHT", new_y="TOP")
        pdf.ln(7)

    header()
    if not spec.lines:
        text("Ei tapahtumia tällä ajanjaksolla.", 9)
    for x in spec.lines:
        flag = " (*)" if x.pending_approval else (" (H)" if x.credited else "")
        provider = x.provider_name + (f", {x.part_name}" if x.part_name else "")
        status = STATUS_FI.get(str(x.status), str(x.status)) + flag
        row(
            [
                when(x),
                x.content_name,
                provider,
                f"{fi_number(x.quantity)} {UNIT_FI.get(str(x.unit), str(x.unit))}",
                _money(x.unit_price),
                _money(x.unit_value),
                _money(x.price_total),
                _money(x.municipality),
                _money(x.own_share),
                status + (f": {x.note}" if x.note else ""),
            ]
        )
    t = spec.totals
    pdf.ln(1)
    row(
        ["Yhteensä", "", "", "", "", "", _money(t.price_total), _money(t.municipality), _money(t.own_share), ""],
        bold=True,
        size=9,
    )
    if t.pending_lines:
        pending = ["josta odottaa hyväksyntää (*)", "", "", "", "", "", "", _money(t.pending_municipality)]
        row([*pending, _money(t.pending_own_share), ""])
    if t.travel.cents:
        text(f"Matkakorvaukset (kunta maksaa, ei omavastuuta): {_money(t.travel)} eur", 9)
    pdf.ln(4)
    text(EXPLAIN, 8, "", 4.5)
    return bytes(pdf.output())
