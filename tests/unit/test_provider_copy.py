"""seteli.adapters.provider_copy: the provider copy PDF (seed 001's "tuottajan kappale")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from seteli.adapters.provider_copy import CopyData, fi_date, fi_number, latin1, render_provider_copy, validity
from seteli.domain.entitlements import Period
from seteli.rules.entitlements import CopyRow


def data(**kw) -> CopyData:
    base = dict(
        municipality="Demokunta",
        kind="voucher",
        decision_number="JKL-2026-0101",
        verification_code="KT7HQ4MRXA",
        decision_date=date(2026, 3, 28),
        customer_name="Aurinkoinen Testi Aamu",
        address_lines=["Koulukatu 11 a 2", "40100 Jyväskylä"],
        phone="040 066 6666",
        home_municipality="Jyväskylä",
        valid_from=date(2026, 4, 1),
        valid_until=date(2026, 5, 31),
        service_name="Kotihoito",
        rows=[
            CopyRow(
                "w", "Kotihoito arkisin", Decimal("20"), Period.validity, "hour", Decimal("32.00"), Decimal("640.00")
            ),
            CopyRow(
                "e", "Kotihoito iltaisin", Decimal("7.5"), Period.week, "hour", Decimal("31.15"), Decimal("233.63")
            ),
        ],
    )
    base.update(kw)
    return CopyData(**base)


def test_the_copy_is_a_pdf_with_the_decision_number_code_customer_and_values():
    pdf = render_provider_copy(data())
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    for text in (
        "JKL-2026-0101",
        "KT7HQ4MRXA",
        "Aurinkoinen Testi Aamu",
        "Koulukatu 11 a 2",
        "Jyväskylä",
        "1.4.2026 - 31.5.2026",
        "28.3.2026",
        "Palvelusetelipäätös - tuottajan kappale",
        "Kotihoito arkisin",
        "20,00 h",
        "32,00 eur/h",
        "640,00 eur",
        "7,50 h / vko",
        "233,63 eur / vko",
        "Demokunta",
    ):
        assert text.encode("latin-1") in pdf, text


def test_any_text_renders_outside_latin1_too():
    pdf = render_provider_copy(
        data(customer_name="Żaneta “Zoë” Łukasiewicz – 😀", service_name="Kotihoito €", address_lines=[])
    )
    assert pdf.startswith(b"%PDF-")
    assert b"Kotihoito EUR" in pdf and b'"Zo\xeb"' in pdf


def test_balance_voucher_order_open_ended_and_many_rows():
    rows = [CopyRow(f"c{i}", f"Sisältö {i}", None, None, "hour", Decimal("20.00"), None) for i in range(60)]
    pdf = render_provider_copy(
        data(
            kind="balance_voucher",
            rows=rows,
            valid_until=None,
            balance_total="250,00 eur kuukaudessa",
            provider_names=["Aurinkohoiva Oy", "Kotiapu Oy"],
            closed_on=date(2026, 5, 1),
        )
    )
    assert b"Saldosetelip\xe4\xe4t\xf6s" in pdf and b"toistaiseksi" in pdf and b"250,00 eur kuukaudessa" in pdf
    assert b"Sis\xe4lt\xf6 59" in pdf and b"Aurinkohoiva Oy, Kotiapu Oy" in pdf
    assert b"/Count 2" in pdf  # the rows went on to a second page
    assert b"/Count 1" in render_provider_copy(data())
    order = render_provider_copy(data(kind="order", part_name="Toimipaikka Keskusta"))
    assert b"Ostopalvelup\xe4\xe4t\xf6s" in order and b"Toimipaikka Keskusta" in order


def test_formatting_helpers():
    assert fi_number(Decimal("1234567.5")) == "1 234 567,50"
    assert fi_number(Decimal("0")) == "0,00"
    assert fi_number(Decimal("-1234.5")) == "-1 234,50"
    assert fi_date(date(2026, 4, 1)) == "1.4.2026" and fi_date(None) == ""
    assert validity(date(2026, 4, 1), None) == "1.4.2026 - toistaiseksi"
    assert latin1("a – b € “c” ä ö å 😀") == 'a - b EUR "c" ä ö å ?'
