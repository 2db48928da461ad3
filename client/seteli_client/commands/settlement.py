"""The monthly jobs and the settlement (spec 10, 11).

seteli job run JOB [--month YYYY-MM] [--no-wait]     auto-events | reminders | settlement, with progress
seteli job status JOB [--month YYYY-MM] [--day YYYY-MM-DD]
seteli settlement list --month YYYY-MM [--provider ID]
seteli settlement show STATEMENT_ID
seteli settlement pdf --month YYYY-MM [--provider ID] [-o FILE]     the payment specification
seteli settlement finance-file --month YYYY-MM [-o FILE]           the finance system's file
seteli invoice reference --service ID --month YYYY-MM [--provider ID]   (provider-invoice mode)
seteli invoice list --month YYYY-MM [--provider ID]
seteli invoice check --reference REF --amount 192.00 --number INV-1     (municipality)
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from seteli_client.cli import EXIT_API, EXIT_OK, Ctx, UsageError, _s, _table
from seteli_client.commands._common import group, provider_flag, provider_id
from seteli_client.commands.entitlements import pdf_bytes

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AMOUNT = re.compile(r"^\d{1,10}(\.\d{1,2})?$")
JOBS = ("auto-events", "reminders", "settlement")
POLL_S = 0.5


def _month(value: str | None, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not value or not _MONTH.match(value):
        raise UsageError("--month: give a month as YYYY-MM")
    return value


def eur(text: str | None) -> str:
    """``"1234.50"`` -> ``"1 234,50 €"``."""
    whole, _, cents = str(text or "0.00").partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return f"{sign}{' '.join(groups) or '0'},{(cents or '00')[:2].ljust(2, '0')} €"


# ---------------------------------------------------------------- jobs


def bar(name: str, done: int, total: int, width: int = 30) -> str:
    filled = width * done // total if total else width
    return f"{name} [{'#' * filled}{'-' * (width - filled)}] {done}/{total} pages"


def _pages(run: dict) -> tuple[int, int]:
    return len(run.get("pages_done") or []), int(run.get("pages_total") or 0)


def run_text(run: dict) -> str:
    done, total = _pages(run)
    day = f" {run['day']}" if run.get("day") else ""
    lines = [
        f"{run.get('job')} {run.get('month')}{day}: {run.get('status')} "
        f"(attempt {run.get('attempt')}, {done}/{total} pages)"
    ]
    sections = [
        ("Counts", [f"{name}: {n}" for name, n in (run.get("counts") or {}).items()]),
        ("Amounts", [f"{name}: {eur(amount)}" for name, amount in (run.get("amounts") or {}).items()]),
        (
            "Deferred (not paid this time)",
            [
                f"{d.get('provider_name')} ({d.get('provider_id')}): {d.get('reason')}"
                for d in run.get("deferred") or []
            ],
        ),
        ("Notes", [str(note) for note in run.get("notes") or []]),
        ("Files", [f"{name}: {key}" for name, key in (run.get("files") or {}).items()]),
    ]
    for title, items in sections:
        if items:
            lines.append(f"  {title}:")
            lines += [f"    {item}" for item in items]
    return "\n".join(lines)


def _follow(api, job: str, run: dict) -> dict:
    """Poll the run every POLL_S seconds, drawing its progress on stderr, until it is not running."""
    tty = sys.stderr.isatty()
    last = None
    while True:
        line = bar(job, *_pages(run))
        if line != last or tty:
            sys.stderr.write(("\r" if tty else "") + line + ("" if tty else "\n"))
            sys.stderr.flush()
            last = line
        if run.get("status") != "running":
            if tty:
                sys.stderr.write("\n")
            return run
        time.sleep(POLL_S)
        run = api.get(f"/v1/jobs/{job}", {"month": run.get("month"), "day": run.get("day")})


def cmd_job_run(ctx: Ctx) -> int:
    a = ctx.args
    body = {"month": _month(a.month)} if a.month else {}
    with ctx.api(signed_in=True) as api:
        run = api.post(f"/v1/jobs/{a.job}", body)
        if not a.no_wait:
            try:
                run = _follow(api, a.job, run)
            except KeyboardInterrupt:
                sys.stderr.write(f"\nThe job goes on; see `seteli job status {a.job} --month {run.get('month')}`.\n")
                return 130
    ctx.emit(run, run_text(run))
    return EXIT_OK


def cmd_job_status(ctx: Ctx) -> int:
    a = ctx.args
    month = _month(a.month, required=False)
    if a.day is not None and not _DAY.match(a.day):
        raise UsageError("--day: give a day as YYYY-MM-DD")
    with ctx.api(signed_in=True) as api:
        run = api.get(f"/v1/jobs/{a.job}", {"month": month, "day": a.day})
    ctx.emit(run, run_text(run))
    return EXIT_OK


# ---------------------------------------------------------------- statements


def statements_text(month: str, statements: list[dict]) -> str:
    if not statements:
        return f"No statements in the settlement of {month}."
    rows = [
        [
            _s(st.get("provider_id")),
            _s(st.get("service_id")),
            _s(st.get("events")),
            _s(st.get("interruptions")),
            _s(st.get("credits")),
            eur(st.get("total")),
            eur(st.get("carried_in")),
            eur(st.get("payable")),
            eur(st.get("carried_out")),
            _s(st.get("status")),
            _s(st.get("reference")),
        ]
        for st in statements
    ]
    headers = [
        "PROVIDER",
        "SERVICE",
        "EVENTS",
        "INTERRUPTIONS",
        "CREDITS",
        "TOTAL",
        "CARRIED IN",
        "PAYABLE",
        "CARRIED OUT",
        "STATUS",
        "REFERENCE",
    ]
    return "\n".join([f"Settlement of {month}", *_table(rows, headers)])


def cmd_list(ctx: Ctx) -> int:
    a = ctx.args
    month = _month(a.month)
    with ctx.api(signed_in=True) as api:
        out = api.get("/v1/settlements", {"month": month, "provider_id": a.provider})
    ctx.emit(out, statements_text(out["month"], out.get("statements") or []))
    return EXIT_OK


def cmd_show(ctx: Ctx) -> int:
    with ctx.api(signed_in=True) as api:
        out = api.get(f"/v1/settlements/statements/{ctx.args.statement_id}")
    st = out["statement"]
    lines = [statements_text(st["month"], [st]), ""]
    lines.append(
        f"Mode {st.get('mode')}: events {eur(st.get('events_total'))} + interruptions "
        f"{eur(st.get('interruptions_total'))} - credits {eur(st.get('credits_total'))} = {eur(st.get('total'))}; "
        f"own shares billed by the provider {eur(st.get('own_share_total'))}"
    )
    invoice = st.get("invoice") or {}
    if invoice:
        lines.append("Invoice: " + ", ".join(f"{k} {v}" for k, v in invoice.items() if v is not None))
    lines.append("")
    rows = [
        [
            _s(x.get("kind")),
            _s(x.get("decision_number")),
            f"{x.get('first_day')}..{x.get('last_day')}",
            _s(x.get("quantity")),
            eur(x.get("amount")),
        ]
        for x in out.get("lines") or []
    ]
    lines += _table(rows, ["KIND", "DECISION", "DAYS", "QUANTITY", "AMOUNT"])
    ctx.emit(out, "\n".join(lines))
    return EXIT_OK


def cmd_pdf(ctx: Ctx) -> int:
    a = ctx.args
    month = _month(a.month)
    with ctx.api(signed_in=True) as api:
        pid = provider_id(ctx, api)
        res = api.request_raw(
            "GET", f"/v1/settlements/{month}/providers/{pid}/pdf", headers={"Accept": "application/pdf"}
        )
    pdf = pdf_bytes(res.content)
    target = Path(a.output or f"maksuerittely-{month}-{pid}.pdf")
    target.write_bytes(pdf)
    ctx.emit({"file": str(target), "bytes": len(pdf)}, f"Wrote the payment specification of {month} to {target}.")
    return EXIT_OK


def finance_summary(text: str) -> tuple[int, str | None]:
    """The number of payment (``P``) rows of a finance file and its trailer's control total."""
    rows = [line.split(";") for line in text.splitlines() if line]
    payments = sum(1 for r in rows if r[0] == "P")
    total = next((r[8] for r in rows if r[0] == "T" and len(r) > 8), None)
    return payments, total


def cmd_finance_file(ctx: Ctx) -> int:
    a = ctx.args
    month = _month(a.month)
    with ctx.api(signed_in=True) as api:
        res = api.request_raw("GET", f"/v1/settlements/{month}/finance-file", headers={"Accept": "text/csv"})
    target = Path(a.output or f"finance-{month}.csv")
    target.write_bytes(res.content)
    payments, total = finance_summary(res.content.decode("utf-8", errors="replace"))
    ctx.emit(
        {"file": str(target), "payments": payments, "total": total},
        f"Wrote the finance file of {month} to {target}: {payments} payments, {eur(total)} in all.",
    )
    return EXIT_OK


# ---------------------------------------------------------------- provider invoices


def reference_text(st: dict) -> str:
    """The reference and the total to put on the invoice, big and clear."""
    ref, total = _s(st.get("reference")), eur(st.get("payable"))
    width = max(len(ref), len(total)) + 22
    return "\n".join(
        [
            f"Palvelu / Service: {st.get('service_id')}, {st.get('month')}",
            "=" * width,
            f"  Viite / Reference:  {ref}",
            f"  Summa / Total:      {total}",
            "=" * width,
            f"({st.get('events')} events, {st.get('interruptions')} interruptions, {st.get('credits')} credits; "
            f"status {st.get('status')}.) Put both on your invoice exactly as shown.",
        ]
    )


def cmd_invoice_reference(ctx: Ctx) -> int:
    a = ctx.args
    body = {"service_id": a.service, "month": _month(a.month)}
    with ctx.api(signed_in=True) as api:
        pid = provider_id(ctx, api)
        st = api.post(f"/v1/providers/{pid}/invoice-references", body)
    ctx.emit(st, reference_text(st))
    return EXIT_OK


def cmd_invoice_list(ctx: Ctx) -> int:
    a = ctx.args
    month = _month(a.month)
    with ctx.api(signed_in=True) as api:
        pid = provider_id(ctx, api)
        out = api.get(f"/v1/providers/{pid}/invoice-references", {"month": month})
    ctx.emit(out, statements_text(out["month"], out.get("statements") or []))
    return EXIT_OK


def cmd_invoice_check(ctx: Ctx) -> int:
    a = ctx.args
    amount = a.amount.strip().replace(",", ".")
    if not _AMOUNT.match(amount):
        raise UsageError("--amount: give the invoice's total in euros, e.g. 192.00")
    body = {"reference": a.reference.replace(" ", ""), "amount": amount, "invoice_number": a.number}
    with ctx.api(signed_in=True) as api:
        out = api.post("/v1/settlements/invoice-checks", body)
    if out.get("matched"):
        text = f"Matched: invoice {a.number} for {out['statement']['id']} ({eur(out['statement']['payable'])})."
    else:
        text = "Not matched:\n" + "\n".join(f"  {p['field']}: {p['reason']}" for p in out.get("problems") or [])
    ctx.emit(out, text)
    return EXIT_OK if out.get("matched") else EXIT_API


# ---------------------------------------------------------------- parsers


def register(sub, common, groups) -> None:
    job = group(sub, common, groups, "job", "the monthly jobs: run one now, see its progress (municipality admin)")
    r = job.add_parser("run", parents=[common], help="start a job (or resume one not finished) and follow it")
    r.add_argument("job", choices=JOBS)
    r.add_argument("--month", help="YYYY-MM (default: the job's own: auto events this month, the others the last)")
    r.add_argument("--no-wait", dest="no_wait", action="store_true", help="answer at once, do not follow")
    r.set_defaults(func=cmd_job_run)
    st = job.add_parser("status", parents=[common], help="a job's run for a month")
    st.add_argument("job", choices=JOBS)
    st.add_argument("--month")
    st.add_argument("--day", help="reminders: the day of the run (YYYY-MM-DD)")
    st.set_defaults(func=cmd_job_status)

    se = group(sub, common, groups, "settlement", "statements, payment PDFs and the finance file")
    ls = se.add_parser("list", parents=[common], help="a run's statements (a provider: its own)")
    ls.add_argument("--month", required=True)
    ls.add_argument("--provider", metavar="PROVIDER_ID")
    ls.set_defaults(func=cmd_list)
    sh = se.add_parser("show", parents=[common], help="one statement with its lines")
    sh.add_argument("statement_id")
    sh.set_defaults(func=cmd_show)
    pdf = se.add_parser("pdf", parents=[common], help="the provider's payment specification (maksuerittely)")
    pdf.add_argument("--month", required=True)
    provider_flag(pdf)
    pdf.add_argument("-o", "--output", metavar="FILE")
    pdf.set_defaults(func=cmd_pdf)
    ff = se.add_parser("finance-file", parents=[common], help="the run's file for the finance system")
    ff.add_argument("--month", required=True)
    ff.add_argument("-o", "--output", metavar="FILE")
    ff.set_defaults(func=cmd_finance_file)

    inv = group(sub, common, groups, "invoice", "provider-invoice mode: references, totals and the matching check")
    ref = inv.add_parser("reference", parents=[common], help="the reference and total of a service's invoice")
    ref.add_argument("--service", required=True, metavar="SERVICE_ID")
    ref.add_argument("--month", required=True)
    provider_flag(ref)
    ref.set_defaults(func=cmd_invoice_reference)
    il = inv.add_parser("list", parents=[common], help="your references of a month")
    il.add_argument("--month", required=True)
    provider_flag(il)
    il.set_defaults(func=cmd_invoice_list)
    ic = inv.add_parser("check", parents=[common], help="does an invoice match its statement (municipality)")
    ic.add_argument("--reference", required=True)
    ic.add_argument("--amount", required=True, help="the invoice's total, e.g. 192.00")
    ic.add_argument("--number", required=True, help="the invoice's number")
    ic.set_defaults(func=cmd_invoice_check)
