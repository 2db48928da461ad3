"""The provider's payment specification (maksuerittely) of one settlement run, as an A4 PDF.

PSOP emails it monthly to providers who asked for it (seed 003 1.2.2). Per service: the records
settled (decision number, period, quantity, amount; credits as negative lines; interruptions
marked) and the sums: events, interruptions, credits, carried in, total, payable, carried out.
No personal identity codes and no customer names: decision numbers only.
"""

from __future__ import annotations

from seteli.adapters.provider_copy import Writer, fi_date, fi_number, latin1
from seteli.domain.money import Money
from seteli.domain.settlement import Statement, StatementLine

KIND_FI = {"event": "", "interruption": "keskeytys", "credit": "hyvitys"}
UNIT_FI = {"hour": "h", "day": "vrk", "piece": "kpl", "m2": "m2", "visit": "krt"}


def _eur(m: Money) -> str:
    return f"{fi_number(m.amount)} €"


def render(
    statements: list[Statement],
    lines: dict[str, list[StatementLine]],
    *,
    tenant_name: str,
    provider_name: str,
    business_id: str,
    month: str,
    service_names: dict[str, str],
) -> bytes:
    doc = Writer(f"Maksuerittely {month} {provider_name}", margin=16, label_width=52)
    pdf, width, text, pair = doc.pdf, doc.width, doc.text, doc.pair
    text(tenant_name, 11, "B")
    text("MAKSUERITTELY - palvelusetelien tilitys", 15, "B", 9)
    text("Betalningsspecifikation / Payment specification", 8, "", 5)
    pdf.ln(2)
    pair("Palveluntuottaja", provider_name)
    pair("Y-tunnus", business_id)
    billing = next((st.billing for st in statements if st.billing), None)
    if billing is not None:
        pair("Tili (IBAN, BIC)", f"{billing.iban}  {billing.bic}")
    pair("Tilityskuukausi", f"{month[5:7]}/{month[:4]}")
    payable = sum((st.payable for st in statements), Money.zero())
    pair("Maksetaan yhteensä", _eur(payable))
    pdf.ln(3)

    widths = [width * 0.22, width * 0.26, width * 0.14, width * 0.18, width * 0.20]
    for st in sorted(statements, key=lambda s: s.service_id):
        text(f"{service_names.get(st.service_id, st.service_id)}  -  viite {st.reference}", 11, "B", 7)
        pdf.set_font("Helvetica", style="B", size=8.5)
        for head, w in zip(("Päätös", "Ajanjakso", "Määrä", "Laji", "Summa"), widths, strict=True):
            pdf.cell(w, 6, latin1(head), border="B", new_x="RIGHT", new_y="TOP")
        pdf.ln(6)
        pdf.set_font("Helvetica", size=8.5)
        for line in lines.get(st.id, []):
            period = (
                fi_date(line.first_day)
                if line.first_day == line.last_day
                else (f"{fi_date(line.first_day)} - {fi_date(line.last_day)}")
            )
            qty = f"{fi_number(line.quantity)} {UNIT_FI.get(line.unit or '', line.unit or '')}" if line.quantity else ""
            cells = (line.decision_number, period, qty, KIND_FI[line.kind], _eur(line.amount))
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True)):
                pdf.cell(w, 5, latin1(cell), align="R" if i == 4 else "L", new_x="RIGHT", new_y="TOP")
            pdf.ln(5)
        pdf.ln(1)
        for label, amount in (
            (f"Tapahtumat ({st.events})", st.events_total),
            (f"Keskeytykset ({st.interruptions})", st.interruptions_total),
            (f"Hyvitykset ({st.credits})", -st.credits_total),
            ("Edellisestä tilityksestä siirtynyt", st.carried_in),
            ("Yhteensä", st.total + st.carried_in),
            ("Maksetaan", st.payable),
            ("Siirtyy seuraavaan tilitykseen", st.carried_out),
        ):
            if amount == Money.zero() and label.startswith(("Keskeytykset", "Hyvitykset", "Edellisestä", "Siirtyy")):
                continue
            pdf.set_font("Helvetica", style="B" if label == "Maksetaan" else "", size=9)
            pdf.cell(width * 0.80, 5.5, latin1(label), align="R", new_x="RIGHT", new_y="TOP")
            pdf.cell(width * 0.20, 5.5, latin1(_eur(amount)), align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    text(
        "Omavastuuosuudet palveluntuottaja laskuttaa asiakkaalta suoraan. Virheellisen tilitetyn tapahtuman "
        "korjaa hyvityspyyntö, joka vähennetään seuraavassa tilityksessä.",
        7.5,
        "",
        4,
    )
    return bytes(pdf.output())
