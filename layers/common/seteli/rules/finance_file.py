"""The finance file of a self-billing settlement run: what the municipality's finance system pays.
Pure. The layout is documented in docs/finance-file.md.

One ``P`` row per payable statement (a provider's service in the run), sorted by business ID and
service, and a ``T`` trailer row with the row count and the sum (control totals). Semicolon
separated, UTF-8, a header row; amounts with a decimal point and two decimals (a machine reads it);
text cells that a spreadsheet would run as a formula get an apostrophe.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from seteli.domain.money import Money
from seteli.domain.settlement import Statement, StatementStatus
from seteli.rules.csv_fi import text_cell as _text

HEADER = [
    "record_type",
    "run_month",
    "payment_date",
    "business_id",
    "provider_name",
    "iban",
    "bic",
    "service_id",
    "amount",
    "currency",
    "reference",
    "message",
    "statement_id",
]


def rows(statements: list[Statement]) -> list[Statement]:
    """The statements that are paid: payable, with billing information."""
    paid = [st for st in statements if st.status is StatementStatus.payable and st.billing is not None]
    return sorted(paid, key=lambda st: (st.billing.business_id, st.service_id, st.provider_id))


def finance_csv(
    statements: list[Statement], *, tenant_id: str, tenant_name: str, month: str, payment_date: date
) -> str:
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(HEADER)
    total = Money.zero()
    paid = rows(statements)
    for st in paid:
        b = st.billing
        message = b.reference_info or f"Palveluseteli {st.service_id} {month}"
        w.writerow(
            [
                "P",
                month,
                payment_date.isoformat(),
                b.business_id,
                _text(b.provider_name),
                b.iban,
                b.bic,
                st.service_id,
                f"{st.payable.amount:.2f}",
                "EUR",
                st.reference,
                _text(message),
                st.id,
            ]
        )
        total = total + st.payable
    w.writerow(
        [
            "T",
            month,
            payment_date.isoformat(),
            _text(tenant_id),
            _text(tenant_name),
            "",
            "",
            "",
            f"{total.amount:.2f}",
            "EUR",
            "",
            str(len(paid)),
            "",
        ]
    )
    return out.getvalue()
