"""`seteli event import FILE.csv`: a month of service events from a CSV file, in one go.

The format is described for providers in docs/csv-import.md. In short: one event a row; a header
row names the columns (English names, or Finnish ones such as ``paatosnumero`` and ``alkupvm``);
';' or ',' between the fields; UTF-8 with or without a byte order mark; dates as 1.11.2026 or
2026-11-01; times as 9:00, 9.00, 09:00 or 9.

What happens:
1. the whole file is read and checked here first: a column of personal identity codes (or any cell
   that looks like one) stops the import before anything is sent; a row with a missing or bad value
   is refused with its row and line number, without calling the API;
2. the rest goes to ``POST /v1/events/batch`` in batches (at most 100 a call), each row with
   ``source_ref`` = a fingerprint of what it records (decision number, content, part, days, times,
   quantity; not the notes), so a rerun of the same file answers "already there" instead of
   recording the events twice;
3. progress goes to standard error after each batch, and at the end a report: created, already
   there, refused, and each refused row with the reason (``--report FILE`` also writes every row's
   result as CSV).

Exit codes: 0 nothing refused; 1 some row refused (or the API stopped the import); 2 the file could
not be used at all (nothing sent); 3 not signed in.

The parsers of dates, times and amounts are shared with the other `seteli event` commands.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
import time as _time
import unicodedata
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from seteli_client.cli import EXIT_API, EXIT_OK, Ctx, UsageError
from seteli_client.sdk import SeteliApiError, SeteliConnectionError

MAX_BATCH = 100  # what POST /v1/events/batch takes at most
RETRIES = (1.0, 3.0, 9.0)  # seconds to wait after a 429, 502, 503 or 504 before sending the batch again
_sleep = _time.sleep  # the tests make waiting instant

# ---------------------------------------------------------------- values


_FI_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")
_DECIMAL = re.compile(r"^\d+([.,]\d+)?$")
DECISION_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
PART_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def parse_date(text: str) -> date:
    """1.11.2026, 01.11.2026 or 2026-11-01; ValueError with a reason otherwise."""
    s = text.strip()
    m = _FI_DATE.match(s)
    if m:
        d, mo, y = (int(g) for g in m.groups())
    else:
        m = _ISO_DATE.match(s)
        if not m:
            raise ValueError("not a date: write 1.11.2026 or 2026-11-01")
        y, mo, d = (int(g) for g in m.groups())
    try:
        return date(y, mo, d)
    except ValueError:
        raise ValueError("not a calendar date") from None


def parse_time(text: str) -> time:
    """9:00, 09:00, 9.00 (klo 9.00) or 9; ValueError otherwise."""
    m = _TIME.match(text.strip())
    if not m:
        raise ValueError("not a time: write 9:00 or 09:00")
    h, mi = int(m.group(1)), int(m.group(2) or 0)
    if h > 23 or mi > 59:
        raise ValueError("not a time of day (00:00-23:59)")
    return time(h, mi)


def parse_amount(text: str) -> Decimal:
    """A non-negative number with at most two decimals; a decimal comma is fine (8,4)."""
    s = text.strip().replace(" ", "")
    if not _DECIMAL.match(s):
        raise ValueError("not a number: write 2.5 or 2,5")
    try:
        d = Decimal(s.replace(",", "."))
    except InvalidOperation:
        raise ValueError("not a number") from None
    if d != d.quantize(Decimal("0.01")):
        raise ValueError("at most two decimals")
    return d.quantize(Decimal("0.01"))


def hhmm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


# ---------------------------------------------------------------- columns

# The file's columns: our name -> the API's field. Names are compared folded (lower case, no
# accents, '_' for spaces and dashes), so "Päätösnumero", "paatosnumero" and "PAATOS-NUMERO" match.
API_FIELD = {
    "decision_number": "decision_number",
    "content": "content_id",
    "part": "part_id",
    "first_day": "first_day",
    "last_day": "last_day",
    "start": "start_time",
    "end": "end_time",
    "quantity": "quantity",
    "km": "travel_km",
    "giver": "giver",
    "notes": "notes",
}
ALIASES = {
    "decision_number": (
        "decision", "decision_no", "voucher", "voucher_number", "paatosnumero", "paatos", "paatosnro",
        "paatoksen_numero", "setelin_numero", "setelinumero", "seteli",
    ),
    "content": ("content_id", "service_content", "sisalto", "palvelusisalto", "palvelun_sisalto"),
    "part": ("part_id", "site", "toimipiste", "toimipaikka", "yksikko"),
    "first_day": (
        "date", "day", "from", "first", "start_date", "service_date", "pvm", "paiva", "paivamaara",
        "alkupvm", "alkupaiva", "alkaen", "palvelupaiva",
    ),
    "last_day": ("to", "last", "until", "end_date", "loppupvm", "loppupaiva", "paattyen", "asti", "saakka"),
    "start": ("start_time", "from_time", "alkuaika", "alkaa", "klo_alkaa", "aloitus", "alkuklo"),
    "end": ("end_time", "to_time", "loppuaika", "paattyy", "klo_paattyy", "lopetus", "loppuklo"),
    "quantity": ("qty", "pieces", "maara", "kpl", "lukumaara"),
    "km": ("travel_km", "kilometres", "kilometers", "kilometrit", "matka_km", "matkat", "matka"),
    "giver": ("given_by", "worker", "employee", "antaja", "palvelun_antaja", "hoitaja", "tyontekija", "tekija"),
    "notes": ("note", "info", "comment", "lisatiedot", "lisatieto", "huomiot", "huomautus", "kommentti"),
}  # fmt: skip
REQUIRED = ("decision_number", "first_day")
# Column names that say "personal identity codes": such a column is never read.
_HETU_NAMES = {
    "hetu", "henkilotunnus", "henkilo_tunnus", "sotu", "sosiaaliturvatunnus", "ssn", "personal_id",
    "personal_identity_code", "personal_code", "identity_code", "id_code", "personnummer", "personbeteckning",
}  # fmt: skip
# A Finnish personal identity code: DDMMYY, the century sign, a 3-digit number, a check character.
_HETU = re.compile(r"(?<![0-9A-Za-z])(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])\d\d[-+A-FU-Y]\d{3}[0-9A-Y](?![0-9A-Za-z])")


def fold(name: str) -> str:
    """A header name compared: lower case, accents off, spaces and dashes as '_'."""
    s = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def _key(name: str) -> str:
    return fold(name).replace("_", "")


_LOOKUP = {_key(k): k for k in API_FIELD} | {_key(a): k for k, names in ALIASES.items() for a in names}


def column_of(header: str) -> str | None:
    """Our column for a header: spaces, dashes and underscores do not matter (paatos_numero)."""
    return _LOOKUP.get(_key(header))


def is_hetu_column(header: str) -> bool:
    f = fold(header)
    return f in _HETU_NAMES or "hetu" in f.split("_") or "henkilotunnus" in f or "personal_id" in f


def looks_like_hetu(value: str) -> bool:
    return bool(_HETU.search(value.upper()))


# ---------------------------------------------------------------- the file


@dataclass
class Row:
    number: int  # the data row, from 1 (the header is not a row)
    line: int  # the line of the file it starts on (the header is line 1)
    cells: dict[str, str]  # our column name -> the text as written
    body: dict[str, Any] = field(default_factory=dict)  # what is sent
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, reason): refused here
    ref: str | None = None
    status: int | None = None  # the API's answer for the row
    ok: bool = False
    created: bool = False
    detail: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    event: dict[str, Any] | None = None
    sent: bool = False

    @property
    def outcome(self) -> str:
        if self.problems or (self.sent and self.status is not None and not self.ok):
            return "refused"
        if not self.sent or self.status is None:
            return "not sent"
        return "created" if self.created else "already there"


@dataclass
class CsvFile:
    name: str
    delimiter: str
    headers: list[str]  # as written
    columns: dict[str, int]  # our column name -> its place
    ignored: list[str]  # headers we do not use
    rows: list[Row]

    def header_of(self, column: str) -> str:
        i = self.columns.get(column)
        return self.headers[i].strip() if i is not None else column


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise UsageError(f"{name} is not a text file in UTF-8: save it as 'CSV UTF-8'") from None
    print(
        f"note: {name} is not UTF-8; read it as Windows-1252 (Excel's 'CSV'). Check the letters ä and ö "
        "in the report; 'CSV UTF-8' is the safer choice.",
        file=sys.stderr,
    )
    return text


def _delimiter(header_line: str) -> str:
    counts = {d: _outside_quotes(header_line).count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise UsageError(
            "the header row has one column only: separate the columns with ';' or ','; "
            f"the file needs at least {' and '.join(REQUIRED)} (see docs/csv-import.md)"
        )
    return best


def _outside_quotes(line: str) -> str:
    return re.sub(r'"[^"]*"', "", line)


def read_csv(data: bytes, name: str) -> CsvFile:
    """Read and check the header; every row as its cells (a hetu anywhere refuses the file)."""
    text = _decode(data, name).replace("\r\n", "\n").replace("\r", "\n")
    first = next((ln for ln in text.split("\n") if ln.strip()), None)
    if first is None:
        raise UsageError(f"{name} is empty")
    delimiter = _delimiter(first)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[Row] = []
    raw_rows: list[tuple[int, list[str]]] = []
    line_after = 0  # the last line the reader has consumed
    try:
        for record in reader:
            start = line_after + 1
            line_after = reader.line_num
            if not any(c.strip() for c in record):
                continue
            if headers is None:
                headers = record
                continue
            raw_rows.append((start, record))
    except csv.Error as exc:
        raise UsageError(f"{name}, line {line_after + 1}: not readable as CSV ({exc})") from None
    assert headers is not None
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for i, h in enumerate(headers):
        if is_hetu_column(h):
            raise UsageError(
                f"column {i + 1} ({h.strip()!r}) is for personal identity codes (henkilötunnus). They are "
                "never read from a file nor sent: remove the column (the decision number names the customer) "
                "and run the import again. Nothing was sent."
            )
        col = column_of(h)
        if col is None:
            if h.strip():
                ignored.append(h.strip())
            continue
        if col in columns:
            raise UsageError(
                f"columns {headers[columns[col]].strip()!r} and {h.strip()!r} both mean {col}: keep one of them"
            )
        columns[col] = i
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        found = ", ".join(repr(h.strip()) for h in headers if h.strip()) or "none"
        raise UsageError(
            f"{name} has no column for {' and '.join(missing)} (the header has {found}); "
            "name the columns as in docs/csv-import.md, e.g. decision_number;first_day;start;end"
        )
    for number, (line, record) in enumerate(raw_rows, 1):
        for i, cell in enumerate(record):
            if looks_like_hetu(cell):
                where = repr(headers[i].strip()) if i < len(headers) and headers[i].strip() else f"{i + 1}"
                raise UsageError(
                    f"row {number} (line {line}), column {where}: looks like a personal identity code "
                    "(henkilötunnus). A personal identity code must never be in the file: remove it and run the "
                    "import again. Nothing was sent."
                )
        cells = {col: (record[i] if i < len(record) else "") for col, i in columns.items()}
        row = Row(number, line, cells)
        extra = [c for c in record[len(headers) :] if c.strip()]
        if len(record) < len(headers) or extra:
            row.problems.append(
                (
                    "row",
                    f"has {len(record)} fields, the header {len(headers)}: is a ';' or ',' inside a value unquoted?",
                )
            )
        rows.append(row)
    return CsvFile(name, delimiter, headers, columns, ignored, rows)


# ---------------------------------------------------------------- each row, checked here


def fingerprint(b: dict[str, Any]) -> str:
    """The row's identity for reruns: what it records, not its notes, km or giver."""
    parts = [
        b["decision_number"].upper(),
        b.get("content_id") or "",
        b.get("part_id") or "",
        b["first_day"],
        b.get("last_day") or b["first_day"],
        b.get("start_time") or "",
        b.get("end_time") or "",
        b.get("quantity") or "",
    ]
    return "csv1:" + hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()


def check_row(row: Row, draft: bool = False) -> None:
    """Fill ``row.body`` from its cells, or ``row.problems`` with every reason to refuse it."""
    c = {k: v.strip() for k, v in row.cells.items()}
    p = row.problems
    b: dict[str, Any] = {}
    dn = c.get("decision_number", "")
    if not dn:
        p.append(("decision_number", "required"))
    elif len(dn) > 40 or not DECISION_NUMBER.match(dn):
        p.append(("decision_number", "not a decision number (letters, digits, '-', '_' and '.'; at most 40)"))
    else:
        b["decision_number"] = dn
    content = c.get("content", "")
    if content:
        if len(content) > 64:
            p.append(("content", "at most 64 characters"))
        b["content_id"] = content
    part = c.get("part", "")
    if part:
        if not PART_ID.match(part):
            p.append(("part", "not a part id (such as site-kyllo: lower-case letters, digits and '-')"))
        b["part_id"] = part
    first = last = None
    if not c.get("first_day"):
        p.append(("first_day", "required: the service date (the first day of a range)"))
    else:
        try:
            first = parse_date(c["first_day"])
            b["first_day"] = first.isoformat()
        except ValueError as exc:
            p.append(("first_day", str(exc)))
    if c.get("last_day"):
        try:
            last = parse_date(c["last_day"])
            b["last_day"] = last.isoformat()
        except ValueError as exc:
            p.append(("last_day", str(exc)))
    if first and last:
        if last < first:
            p.append(("last_day", "is before the first day"))
        elif (last.year, last.month) != (first.year, first.month):
            p.append(("last_day", "an event lies inside one calendar month: split the range at the month's end"))
    times: dict[str, time] = {}
    for col, api in (("start", "start_time"), ("end", "end_time")):
        if c.get(col):
            try:
                times[col] = parse_time(c[col])
                b[api] = hhmm(times[col])
            except ValueError as exc:
                p.append((col, str(exc)))
    if bool(c.get("start")) != bool(c.get("end")):
        missing = "end" if c.get("start") else "start"
        p.append((missing, "required with the other time: give both start and end, or neither"))
    if len(times) == 2 and times["end"] <= times["start"]:
        p.append(("end", "must be after the start (record a visit over midnight as two rows)"))
    if times and last and first and last != first:
        p.append(("last_day", "a day range takes no times (times are for hour-unit visits on one day)"))
    for col, api in (("quantity", "quantity"), ("km", "travel_km")):
        if c.get(col):
            try:
                amount = parse_amount(c[col])
            except ValueError as exc:
                p.append((col, str(exc)))
                continue
            if col == "quantity" and amount <= 0:
                p.append((col, "must be more than 0"))
            b[api] = f"{amount:.2f}"
    for col, most in (("giver", 200), ("notes", 2000)):
        if c.get(col):
            if len(c[col]) > most:
                p.append((col, f"at most {most} characters"))
            b[col] = c[col]
    if draft:
        b["draft"] = True
    if not p:
        row.body = b
        row.ref = b["source_ref"] = fingerprint(b)


def check_rows(f: CsvFile, draft: bool = False) -> list[Row]:
    """Check every row; the ones to send (a row the same as an earlier one is refused)."""
    seen: dict[str, Row] = {}
    out: list[Row] = []
    for row in f.rows:
        if row.problems:
            continue
        check_row(row, draft)
        if row.problems:
            continue
        first = seen.get(row.ref or "")
        if first is not None:
            row.problems.append(("row", f"the same event as row {first.number} (line {first.line}): a duplicate"))
            continue
        seen[row.ref or ""] = row
        out.append(row)
    return out


# ---------------------------------------------------------------- sending


_EVENT_FIELD = re.compile(r"^body\.events\.(\d+)\.?(.*)$")


def _api_to_column(name: str) -> str:
    name = re.sub(r"^body(\.events\.\d+)?\.?", "", name)
    for col, api in API_FIELD.items():
        if name == api:
            return col
    return name


def _apply(row: Row, result: dict[str, Any]) -> None:
    row.sent = True
    row.status = int(result.get("status") or 0)
    row.ok = bool(result.get("ok"))
    row.created = bool(result.get("created"))
    row.detail = result.get("detail")
    row.errors = [
        {"field": str(e.get("field") or ""), "message": str(e.get("message") or "")}
        for e in result.get("errors") or []
        if isinstance(e, dict)
    ]
    row.event = result.get("event") if isinstance(result.get("event"), dict) else None


def _post(api, bodies: list[dict[str, Any]]) -> dict[str, Any]:
    for wait in (*RETRIES, None):
        try:
            return api.request("POST", "/v1/events/batch", json={"events": bodies})
        except SeteliApiError as exc:
            # busy, or the gateway gave up waiting: sending the batch again is harmless (source_ref)
            if exc.status not in (429, 502, 503, 504) or wait is None:
                raise
            print(f"  the API is busy ({exc.status}); trying again in {wait:g} s", file=sys.stderr)
            _sleep(wait)
    raise AssertionError("unreachable")


def send_batch(api, batch: list[Row]) -> None:
    """One call for the batch. A 422 of the whole request (a row the local checks let through)
    refuses the rows it names and sends the others once more."""
    try:
        answer = _post(api, [r.body for r in batch])
    except SeteliApiError as exc:
        if exc.status != 422:
            raise
        named: dict[int, list[dict[str, str]]] = {}
        for e in exc.errors:
            m = _EVENT_FIELD.match(e["field"])
            if m and int(m.group(1)) < len(batch):
                named.setdefault(int(m.group(1)), []).append(e)
        if not named:
            raise
        for i, errors in named.items():
            row = batch[i]
            row.sent, row.status, row.ok = True, 422, False
            row.detail, row.errors = exc.detail or "refused", errors
        rest = [r for i, r in enumerate(batch) if i not in named]
        if rest:
            send_batch(api, rest)
        return
    results = answer.get("results") if isinstance(answer, dict) else None
    for result in results or []:
        i = result.get("index")
        if isinstance(i, int) and 0 <= i < len(batch):
            _apply(batch[i], result)


# ---------------------------------------------------------------- the report


def reasons(row: Row, f: CsvFile) -> str:
    """Why a row was refused: the detail and each [column: message] (the file's own header names)."""
    if row.problems:
        return " ".join(msg if col == "row" else f"[{f.header_of(col)}: {msg}]" for col, msg in row.problems)
    parts = []
    for e in row.errors:
        col = _api_to_column(e["field"])
        name = f.header_of(col) if col in API_FIELD else col
        parts.append(f"[{name}: {e['message']}]" if name else f"[{e['message']}]")
    detail = row.detail or ("refused" if not parts else "")
    return " ".join(x for x in (detail, *parts) if x)


def _where(row: Row) -> str:
    dn = row.cells.get("decision_number", "").strip() or "-"
    day = row.cells.get("first_day", "").strip() or "-"
    last = row.cells.get("last_day", "").strip()
    times = "-".join(x for x in (row.cells.get("start", "").strip(), row.cells.get("end", "").strip()) if x)
    return " ".join(x for x in (dn, day + (f"-{last}" if last else ""), times) if x)


def _differs(row: Row) -> list[str]:
    """What the file says otherwise of an event that was there already (not applied by a rerun)."""
    ev = row.event or {}
    out = []
    km = row.body.get("travel_km")
    if (km or None) != (ev.get("travel_km") or None) and (km or ev.get("travel_km")):
        out.append("km")
    if (row.body.get("notes") or None) != (ev.get("notes") or None):
        out.append("notes")
    return out


def row_json(row: Row, f: CsvFile) -> dict[str, Any]:
    ev = row.event or {}
    return {
        "row": row.number,
        "line": row.line,
        "decision_number": row.cells.get("decision_number", "").strip(),
        "first_day": row.cells.get("first_day", "").strip(),
        "result": row.outcome,
        "status": row.status,
        "event_id": ev.get("id"),
        "event_status": ev.get("status"),
        "units": ev.get("quantity"),
        "value": ev.get("value"),
        "own_share": ev.get("own_share"),
        "reason": reasons(row, f) if row.outcome == "refused" else None,
        "errors": [{"field": c, "message": m} for c, m in row.problems] or row.errors,
    }


def write_report(path: str, rows: list[Row], f: CsvFile) -> None:
    names = ["row", "line", "decision_number", "first_day", "result", "status", "event_id", "event_status",
             "units", "value", "own_share", "reason"]  # fmt: skip
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        w = csv.writer(out, delimiter=f.delimiter if f.delimiter != "\t" else ";")
        w.writerow(names)
        for r in rows:
            j = row_json(r, f)
            w.writerow(["" if j[n] is None else j[n] for n in names])


def summary_text(f: CsvFile, rows: list[Row], *, dry_run: bool, stopped: str | None) -> str:
    refused = [r for r in rows if r.outcome == "refused"]
    lines: list[str] = []
    if dry_run:
        ok = sum(1 for r in rows if not r.problems)
        lines.append(
            f"Checked {f.name}: {len(rows)} rows; {ok} would be sent, {len(refused)} refused here. "
            "Nothing was sent (--dry-run)."
        )
    else:
        created = sum(1 for r in rows if r.outcome == "created")
        there = sum(1 for r in rows if r.outcome == "already there")
        lines.append(
            f"Imported {f.name}: {len(rows)} rows; created {created}, already there {there}, refused {len(refused)}."
        )
        waiting = [r for r in rows if r.ok and (r.event or {}).get("status") == "pending_approval"]
        if waiting:
            lines.append(
                f"{len(waiting)} of them wait for the municipality's approval (over the granted amount): "
                "rows " + ", ".join(str(r.number) for r in waiting[:20]) + (" ..." if len(waiting) > 20 else "")
            )
        not_sent = [r for r in rows if r.outcome == "not sent"]
        if not_sent:
            lines.append(
                f"{len(not_sent)} rows were not sent: {stopped}. Run the same file again: "
                "what is there already is not recorded twice."
            )
    if refused:
        lines.append("Refused:")
        lines += [f"  row {r.number} (line {r.line}): {_where(r)}: {reasons(r, f)}" for r in refused]
    differ = [(r, _differs(r)) for r in rows if r.outcome == "already there"]
    differ = [(r, d) for r, d in differ if d]
    if differ:
        lines.append(
            "Already there, but the file's values differ (a rerun does not change them; use `seteli event edit`):"
        )
        lines += [
            f"  row {r.number} (line {r.line}): {_where(r)}: {(r.event or {}).get('id')} has other {' and '.join(d)}"
            for r, d in differ
        ]
    return "\n".join(lines)


# ---------------------------------------------------------------- the command


def _read(path: str) -> tuple[bytes, str]:
    if path == "-":
        return sys.stdin.buffer.read(), "standard input"
    try:
        return Path(path).read_bytes(), Path(path).name
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def cmd_import(ctx: Ctx) -> int:
    a = ctx.args
    if not 1 <= a.batch <= MAX_BATCH:
        raise UsageError(f"--batch: from 1 to {MAX_BATCH} rows a call")
    data, name = _read(a.file)
    f = read_csv(data, name)
    if not f.rows:
        raise UsageError(f"{name} has a header but no rows")
    if f.ignored:
        print(f"note: not used (not sent): column(s) {', '.join(repr(h) for h in f.ignored)}", file=sys.stderr)
    to_send = check_rows(f, a.draft)
    stopped: str | None = None
    if not a.dry_run and to_send:
        total = len(f.rows)
        batches = [to_send[i : i + a.batch] for i in range(0, len(to_send), a.batch)]
        with ctx.api(signed_in=True) as api:
            for batch in batches:
                sys.stderr.write(f"rows {batch[0].number}-{batch[-1].number} of {total} ... ")
                sys.stderr.flush()
                try:
                    send_batch(api, batch)
                except (SeteliApiError, SeteliConnectionError) as exc:
                    sys.stderr.write("stopped\n")
                    if batch is batches[0] or (isinstance(exc, SeteliApiError) and exc.status == 401):
                        raise  # nothing recorded yet, or the sign-in: the usual error and exit code
                    stopped = f"the API stopped the import at row {batch[0].number} ({str(exc).splitlines()[0]})"
                    break
                done = {o: sum(1 for r in batch if r.outcome == o) for o in ("created", "already there", "refused")}
                sys.stderr.write(
                    f"created {done['created']}, already there {done['already there']}, refused {done['refused']}\n"
                )
    if a.report:
        write_report(a.report, f.rows, f)
    data_out = {
        "file": name,
        "rows": len(f.rows),
        "dry_run": bool(a.dry_run),
        "created": sum(1 for r in f.rows if r.outcome == "created"),
        "unchanged": sum(1 for r in f.rows if r.outcome == "already there"),
        "refused": sum(1 for r in f.rows if r.outcome == "refused"),
        "not_sent": 0 if a.dry_run else sum(1 for r in f.rows if r.outcome == "not sent"),
        "results": [row_json(r, f) for r in f.rows],
    }
    ctx.emit(data_out, summary_text(f, f.rows, dry_run=a.dry_run, stopped=stopped))
    if a.report:
        print(f"The result of every row is in {a.report}.", file=sys.stderr)
    bad = data_out["refused"] or data_out["not_sent"]
    return EXIT_API if bad else EXIT_OK
