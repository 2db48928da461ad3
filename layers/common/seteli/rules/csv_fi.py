"""CSV for Finnish spreadsheets (the own-share specification, the reports, the finance file). Pure.

Excel in a Finnish locale opens a file by double-click when it is: semicolon-separated, numbers with
a decimal comma and no thousands separator, UTF-8 with a byte-order mark (or ä and ö break), CRLF
line ends. A text cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a
carriage return) is prefixed with an apostrophe (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from seteli.domain.money import Money

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def fi_decimal(d: Decimal | Money | None) -> str:
    """``Decimal("1234.5")`` -> ``"1234,50"``: a decimal comma, no thousands separator (Excel)."""
    if d is None:
        return ""
    amount = d.amount if isinstance(d, Money) else d
    return f"{amount:.2f}".replace(".", ",")


def text_cell(value: str | None) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    s = value or ""
    return "'" + s if s[:1] in FORMULA_STARTS else s


def to_csv(rows: Iterable[Sequence[str]]) -> str:
    """Rows of already formatted cells as one CSV text: ``;``, CRLF, a byte-order mark first."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)
    return BOM + buf.getvalue()
