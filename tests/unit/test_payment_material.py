"""References, the finance file, the payment PDF and email attachments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email import message_from_bytes

import pytest
from stdnum import iso11649

from seteli.adapters.email import Attachment, mime, render
from seteli.adapters.payment_pdf import render as render_pdf
from seteli.domain.money import Money
from seteli.domain.settlement import BillingSnapshot, Statement, StatementLine, StatementStatus
from seteli.rules.finance_file import finance_csv
from seteli.rules.references import (
    finnish_check_digit,
    invoice_reference,
    normalise_reference,
    payment_reference,
    rf_reference,
)

AT = datetime(2026, 11, 4, 6, tzinfo=UTC)


def billing(**kw) -> BillingSnapshot:
    return BillingSnapshot(
        **{
            "provider_name": "Aurinkohoiva Oy",
            "business_id": "0112038-9",
            "iban": "FI2112345600000785",
            "bic": "NDEAFIHH",
            "billing_email": "laskut@a.example",
            **kw,
        }
    )


def statement(service: str = "home-care", payable: str = "192.00", status=StatementStatus.payable, **kw) -> Statement:
    return Statement(
        id=f"stl-2026-10-prv-a~{service}",
        month="2026-10",
        provider_id="prv-a",
        service_id=service,
        mode="self_billing",
        events=3,
        events_total=Money(payable),
        total=Money(payable),
        payable=Money(payable),
        reference=payment_reference("2026-10", "0112038-9", 3),
        status=status,
        billing=billing(),
        created_at=AT,
        **kw,
    )


# ---------------------------------------------------------------- references


def test_rf_references_are_valid_iso_11649_and_the_standard_example_matches():
    assert rf_reference("539007547034") == "RF18539007547034"  # ISO 11649's own example
    ref = payment_reference("2026-10", "0112038-9", 3)
    assert ref == "RF3826100112038903" and iso11649.is_valid(ref)
    assert payment_reference("2026-10", "0112038-9", 3) == ref  # deterministic
    assert payment_reference("2026-10", "0112038-9", 4) != ref


def test_the_finnish_reference_check_digit_and_the_invoice_reference():
    assert finnish_check_digit("123") == "2"  # the reference 1232
    assert finnish_check_digit("1234561") == "4"
    assert invoice_reference("VAMHA", "2026-11", "0112038-9") == "VAMHA2611011203898"
    assert normalise_reference(" vamha 2611-0112 038 98 ") == "VAMHA2611011203898"


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (rf_reference, ("",)),
        (rf_reference, ("1" * 22,)),
        (payment_reference, ("2026-13", "0112038-9", 1)),
        (payment_reference, ("2026-10", "12345", 1)),
        (invoice_reference, ("vamha", "2026-10", "0112038-9")),
        (finnish_check_digit, ("12a",)),
    ],
)
def test_bad_reference_input_is_a_value_error(call, args):
    with pytest.raises(ValueError):
        call(*args)


# ---------------------------------------------------------------- finance file


def test_the_finance_file_has_payable_rows_and_control_totals():
    rows = [
        statement("home-care", "192.00"),
        statement("cleaning", "20.50"),
        statement("errand-help", "0.00", StatementStatus.nothing_due),
        statement("assisted-living", "0.00", StatementStatus.carried, carried_out=Money("-30.00")),
    ]
    text = finance_csv(
        rows, tenant_id="demo", tenant_name="=Demokunta", month="2026-10", payment_date=date(2026, 11, 4)
    )
    lines = text.split("\r\n")
    assert lines[0].startswith("record_type;run_month;payment_date;business_id")
    payments = [line for line in lines if line.startswith("P;")]
    assert [p.split(";")[7] for p in payments] == ["cleaning", "home-care"]
    assert payments[1].split(";")[8] == "192.00" and "RF3826100112038903" in payments[1]
    trailer = next(line for line in lines if line.startswith("T;")).split(";")
    assert trailer[8] == "212.50" and trailer[11] == "2" and trailer[4] == "'=Demokunta"  # formula-safe


# ---------------------------------------------------------------- payment PDF


def test_the_payment_pdf_lists_decision_numbers_and_totals_without_names():
    st = statement(credits=1, credits_total=Money("20.00"))
    lines = {
        st.id: [
            StatementLine(kind="event", record_id="ev-1", decision_number="JKL-2026-0101", first_day=date(2026, 10, 5),
                          last_day=date(2026, 10, 5), quantity="2.00", unit="hour", amount=Money("64.00")),
            StatementLine(kind="credit", record_id="ev-0", decision_number="JKL-2026-0102", first_day=date(2026, 10, 9),
                          last_day=date(2026, 10, 9), amount=Money("-20.00")),
        ]
    }  # fmt: skip
    pdf = render_pdf(
        [st], lines, tenant_name="Demokunta", provider_name="Aurinkohoiva Oy", business_id="0112038-9",
        month="2026-10", service_names={"home-care": "Kotihoito"},
    )  # fmt: skip
    assert pdf.startswith(b"%PDF")
    for text in (b"JKL-2026-0101", b"JKL-2026-0102", b"192,00", b"RF3826100112038903", b"Kotihoito", b"-20,00"):
        assert text in pdf


# ---------------------------------------------------------------- email with an attachment


def test_a_payment_email_carries_the_pdf_as_an_attachment():
    mail = render(
        "payment_specification",
        "laskut@a.example",
        attachments=(Attachment("maksuerittely-2026-10.pdf", "application/pdf", b"%PDF-1.3 x"),),
        tenant_name="Demokunta",
        provider_name="Aurinkohoiva Oy",
        month="2026-10",
        payable="192,00 €",
        statements=[{"service_name": "Kotihoito", "payable": "192,00 €", "reference": "RF38"}],
    )
    assert "2026-10" in mail.subject and "192,00 €" in mail.text and "RF38" in mail.text
    msg = message_from_bytes(mime("no-reply@seteli.local", mail))
    parts = [p for p in msg.walk() if p.get_filename()]
    assert [p.get_filename() for p in parts] == ["maksuerittely-2026-10.pdf"]
    assert parts[0].get_payload(decode=True) == b"%PDF-1.3 x"


def test_only_payable_statements_with_billing_are_rows_and_an_empty_run_has_a_zero_trailer():
    unpaid = [
        statement("home-care", "50.00", StatementStatus.awaiting_invoice),
        statement("cleaning", "40.00", StatementStatus.invoice_matched),
        statement("errand-help", "30.00", StatementStatus.settling),
        statement("assisted-living", "20.00").model_copy(update={"billing": None}),
    ]
    text = finance_csv(
        unpaid, tenant_id="demo", tenant_name="Demokunta", month="2026-10", payment_date=date(2026, 11, 4)
    )
    lines = [line for line in text.split("\r\n") if line]
    assert len(lines) == 2 and lines[1].split(";")[0] == "T"
    assert lines[1].split(";")[8] == "0.00" and lines[1].split(";")[11] == "0"


def test_finance_file_text_cells_are_formula_safe_and_the_message_defaults():
    st = statement("home-care", "10.00").model_copy(
        update={"billing": billing(provider_name="@SUM(A1)", reference_info="+cmd|' /C calc'!A0")}
    )
    plain = statement("cleaning", "5.00")
    text = finance_csv([st, plain], tenant_id="demo", tenant_name="Demokunta", month="2026-10",
                       payment_date=date(2026, 11, 4))  # fmt: skip
    rows = {r.split(";")[7]: r.split(";") for r in text.split("\r\n") if r.startswith("P;")}
    assert rows["home-care"][4] == "'@SUM(A1)" and rows["home-care"][11].startswith("'+cmd")
    assert rows["cleaning"][11] == "Palveluseteli cleaning 2026-10"
    assert rows["cleaning"][2] == "2026-11-04" and rows["cleaning"][9] == "EUR"


def test_the_payment_pdf_marks_interruptions_and_shows_the_carried_amounts():
    st = statement(interruptions=1, interruptions_total=Money("32.00"), carried_in=Money("-12.00"))
    line = StatementLine(kind="interruption", record_id="in-1", decision_number="JKL-2026-0103",
                         first_day=date(2026, 10, 1), last_day=date(2026, 10, 3), quantity="3", unit="day",
                         amount=Money("32.00"))  # fmt: skip
    pdf = render_pdf([st], {st.id: [line]}, tenant_name="Demokunta", provider_name="Aurinkohoiva Oy",
                     business_id="0112038-9", month="2026-10", service_names={})  # fmt: skip
    expected = (b"JKL-2026-0103", b"keskeytys", b"1.10.2026 - 3.10.2026", b"3,00 vrk", b"-12,00", b"FI21123456")
    for text in expected:
        assert text in pdf
