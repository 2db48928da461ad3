"""The settlement run (tilitysajo) and its material: statements, payment PDFs, the finance file, and
in provider-invoice mode the invoice references and the matching check (spec 10, 11; seeds 001, 003).

One provider at a time (``settle_provider``), idempotent and resumable:

1. Its statements of the month that are already made are read (a service settled already takes
   nothing more this month: what comes later waits for the next run).
2. Its queue is read (records of the month or before; ``seteli.rules.settlement.take``).
3. Self-billing without billing information: the provider is deferred and reported; nothing of it
   is touched, so the next run takes it all.
4. Per service a statement is begun (status ``settling``, a conditional put: two runs at once make
   one), then its records are moved into it (transactions conditioned on each record's version),
   then the statement is made from its records and saved (conditioned on its version). A crash
   anywhere leaves a ``settling`` statement that the next attempt finishes; a record moved once is
   out of the queue and is never settled again.
5. Self-billing: the payment PDF goes to the files bucket and, if the provider asked for it, to its
   billing email (once: ``emailed_at``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from seteli import clock
from seteli.api.auth import Principal
from seteli.domain.money import Money
from seteli.domain.provider import Provider
from seteli.domain.settlement import (
    BillingSnapshot,
    Deferred,
    InvoiceMatch,
    PageReport,
    Statement,
    StatementLine,
    StatementStatus,
)
from seteli.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from seteli.observability import logger
from seteli.rules import settlement as rules
from seteli.rules.interruptions import parse_month

FINAL = True  # a finished settlement run is not run again (services.jobs): its material is out


# ---------------------------------------------------------------- the job


def run_page(env, month: str, provider_ids: list[str], report: PageReport) -> None:
    for pid in provider_ids:
        provider = env.repos.providers.get(pid)
        if provider is None:
            continue
        settle_provider(env, month, provider, report)


def finish(env, run, reports) -> dict[str, str]:
    """The run's finance file (self-billing), kept in the files bucket beside the PDFs."""
    if env.tenant.settlement_mode.value != rules.SELF_BILLING or env.files is None:
        return {}
    key = f"settlements/{run.month}/finance-{env.tenant.id}-{run.month}.csv"
    env.files.put(key, finance_file(env.repos, env.tenant, run.month, env.today).encode("utf-8"), "text/csv")
    return {"finance_file": key}


def _billing(provider: Provider) -> BillingSnapshot | None:
    b = provider.billing
    if b is None:
        return None
    return BillingSnapshot(
        provider_name=provider.name,
        business_id=provider.business_id,
        iban=b.iban,
        bic=b.bic,
        billing_email=b.billing_email,
        reference_info=b.reference_info,
        send_payment_pdf=b.send_payment_pdf,
    )


def _reference(tenant, month: str, provider: Provider, service_id: str) -> str:
    from seteli.rules import references

    if tenant.settlement_mode.value == rules.PROVIDER_INVOICE:
        prefix = tenant.service(service_id).invoice_reference_prefix or "SET"
        return references.invoice_reference(prefix, month, provider.business_id)
    index = next(i for i, s in enumerate(tenant.services, 1) if s.id == service_id)
    return references.payment_reference(month, provider.business_id, index)


def settle_provider(
    env, month: str, provider: Provider, report: PageReport, only: set[str] | None = None
) -> list[Statement]:
    """Settle one provider for the run of ``month`` (``only``: these services). Returns its
    statements of the month (made now or before)."""
    repos, tenant = env.repos, env.tenant
    mode = tenant.settlement_mode.value
    made = {st.service_id: st for st in repos.settlement.of_month(month, provider.id)}
    final = {s for s, st in made.items() if st.status is not StatementStatus.settling}
    queued = repos.settlement.queue(provider.id, month)
    groups = rules.take((q.waiting for q in queued), month, final)
    if only is not None:
        groups = {s: g for s, g in groups.items() if s in only}
    unfinished = {s: st for s, st in made.items() if s not in final and (only is None or s in only)}
    if not groups and not unfinished:
        _count(report, "providers_nothing_to_settle")
        return list(made.values())

    billing = _billing(provider)
    why = rules.needs_billing(mode, billing)
    if why and not unfinished:
        waiting = sum((w.amount for g in groups.values() for w in g), Money.zero())
        report.deferred.append(Deferred(provider_id=provider.id, provider_name=provider.name, reason=why))
        _count(report, "providers_deferred")
        report.amounts["deferred"] = report.amounts.get("deferred", Money.zero()) + waiting
        logger.info("settlement deferred", extra={"provider_id": provider.id, "month": month})
        return list(made.values())

    # 1. a statement begun per service (or the one a crashed attempt left)
    begun: dict[str, Statement] = dict(unfinished)
    for service_id in groups:
        if service_id in begun:
            continue
        placeholder = Statement(
            id=rules.statement_id(month, provider.id, service_id),
            month=month,
            provider_id=provider.id,
            service_id=service_id,
            mode=mode,
            reference=_reference(tenant, month, provider, service_id),
            status=StatementStatus.settling,
            billing=billing,
            created_at=clock.now(),
        )
        try:
            begun[service_id] = repos.settlement.put(placeholder, "begun meanwhile")
        except Conflict:  # another attempt began it: carry on with it if it is still being made
            other = repos.settlement.get(provider.id, service_id, month)
            if other is not None and other.status is StatementStatus.settling:
                begun[service_id] = other

    # 2. the records move into their statements
    ids = {s: st.id for s, st in begun.items()}
    todo = [q for q in queued if q.waiting.service_id in groups and q.waiting.service_id in ids]  # the queue is bounded
    settled, changed = repos.settlement.settle(todo, ids)
    if changed:
        report.notes.append(f"{provider.id}: {len(changed)} records changed during the run; they wait for the next run")
    failed = set(changed)
    moved_now = [q for q in todo if q.waiting.record_id not in failed]

    # 3. each statement made from its records (those moved now, and any a crashed attempt moved)
    out = dict(made)
    lines: dict[str, list[StatementLine]] = {}
    for service_id, st in begun.items():
        # a statement begun now holds just what was moved now; one a crashed attempt began is read
        earlier = repos.settlement.contents(st.id) if service_id in unfinished else []
        records = {q.waiting.record_id: q for q in earlier}
        records.update({q.waiting.record_id: q for q in moved_now if q.waiting.service_id == service_id})
        lines[st.id] = [rules.line_of(q.waiting.kind, q.doc) for q in records.values()]
        prev = repos.settlement.previous(provider.id, service_id, month)
        made_now = rules.make_statement(
            month=month,
            provider_id=provider.id,
            service_id=service_id,
            mode=mode,
            records=[q.waiting for q in records.values()],
            carried_in=prev.carried_out if prev else Money.zero(),
            reference=st.reference,
            billing=st.billing,
            now=clock.now(),
        ).model_copy(update={"version": st.version, "created_at": st.created_at})
        out[service_id] = repos.settlement.put(made_now, "the statement changed meanwhile")
        _count(report, "statements")
        _count(report, "events", made_now.events)
        _count(report, "interruptions", made_now.interruptions)
        _count(report, "credits", made_now.credits)
        for name, amount in (
            ("payable", made_now.payable),
            ("credits", made_now.credits_total),
            ("carried_out", made_now.carried_out),
        ):
            report.amounts[name] = report.amounts.get(name, Money.zero()) + amount
    _count(report, "records_settled", settled)

    statements = list(out.values())
    if mode == rules.SELF_BILLING and env.files is not None:
        statements = _payment_pdf(env, month, provider, statements, report, lines)
    return statements


def _count(report: PageReport, name: str, n: int = 1) -> None:
    report.counts[name] = report.counts.get(name, 0) + n


# ---------------------------------------------------------------- payment PDF and email


def pdf_key(month: str, provider_id: str) -> str:
    return f"settlements/{month}/{provider_id}.pdf"


def _lines(repos, statements: list[Statement], known: dict | None = None) -> dict[str, list[StatementLine]]:
    """Each statement's lines (read unless ``known``), in date order."""
    known = known or {}
    out = {}
    for st in statements:
        found = known.get(st.id)
        if found is None:
            found = [rules.line_of(q.waiting.kind, q.doc) for q in repos.settlement.contents(st.id)]
        out[st.id] = sorted(found, key=lambda line: (line.first_day, line.decision_number, line.record_id))
    return out


def render_pdf(env, month: str, provider: Provider, statements: list[Statement], known: dict | None = None) -> bytes:
    from seteli.adapters import payment_pdf

    return payment_pdf.render(
        statements,
        _lines(env.repos, statements, known),
        tenant_name=env.tenant.name.fi,
        provider_name=provider.name,
        business_id=provider.business_id,
        month=month,
        service_names={s.id: s.name.fi for s in env.tenant.services},
    )


def _payment_pdf(
    env, month: str, provider: Provider, statements: list[Statement], report: PageReport, known: dict | None = None
) -> list[Statement]:
    """Write the provider's payment PDF of the run and email it once (when it asked for it)."""
    done = [st for st in statements if st.status is not StatementStatus.settling]
    if not done or all(st.pdf_key and (st.emailed_at or not _wants_pdf(st)) for st in done):
        return statements
    key = pdf_key(month, provider.id)
    data = render_pdf(env, month, provider, done, known)
    env.files.put(key, data, "application/pdf")
    _count(report, "payment_pdfs")
    emailed = None
    billing = next((st.billing for st in done if st.billing), None)
    if billing and billing.send_payment_pdf and env.email is not None and not any(st.emailed_at for st in done):
        from seteli.adapters.email import Attachment, render

        payable = sum((st.payable for st in done), Money.zero())
        names = {s.id: s.name.fi for s in env.tenant.services}
        mail = render(
            "payment_specification",
            billing.billing_email,
            tenant_name=env.tenant.name.fi,
            provider_name=provider.name,
            month=month,
            payable=_eur(payable),
            statements=[
                {
                    "service_name": names.get(st.service_id, st.service_id),
                    "payable": _eur(st.payable),
                    "reference": st.reference,
                }
                for st in done
            ],
            attachments=(Attachment(f"maksuerittely-{month}.pdf", "application/pdf", data),),
        )
        env.email.send(mail)
        emailed = clock.now()
        _count(report, "payment_emails")
    out = []
    for st in statements:
        if st in done:
            st = env.repos.settlement.put(
                st.model_copy(update={"pdf_key": key, "emailed_at": st.emailed_at or emailed}),
                "the statement changed meanwhile",
            )
        out.append(st)
    return out


def _wants_pdf(st: Statement) -> bool:
    return bool(st.billing and st.billing.send_payment_pdf)


def _eur(m: Money) -> str:
    from seteli.adapters.provider_copy import fi_number

    return f"{fi_number(m.amount)} €"


# ---------------------------------------------------------------- reads for the API


def _may_read(who: Principal, provider_id: str) -> None:
    if who.is_municipality:
        return
    if who.provider_id and who.provider_id == provider_id:
        return
    raise Forbidden("you may read only your own provider's settlements")


def statements(repos, who: Principal, month: str, provider_id: str | None = None) -> list[Statement]:
    parse_month(month)
    if not who.is_municipality:
        if provider_id and provider_id != who.provider_id:
            raise Forbidden("you may read only your own provider's settlements")
        provider_id = who.provider_id
        if not provider_id:
            raise Forbidden("settlements are for the municipality and providers")
    found = repos.settlement.of_month(month, provider_id)
    return sorted(
        (st for st in found if st.status is not StatementStatus.settling), key=lambda s: (s.provider_id, s.service_id)
    )


def statement(repos, who: Principal, statement_id: str) -> tuple[Statement, list[StatementLine]]:
    month, provider_id, service_id = _parse_id(statement_id)
    _may_read(who, provider_id)
    st = repos.settlement.get(provider_id, service_id, month)
    if st is None or st.status is StatementStatus.settling:
        raise NotFound(f"no statement {statement_id}")
    return st, _lines(repos, [st])[st.id]


def _parse_id(statement_id: str) -> tuple[str, str, str]:
    found = rules.parse_statement_id(statement_id)
    if found is None:
        raise NotFound(f"no statement {statement_id}")
    return found


def payment_pdf(env, who: Principal, month: str, provider_id: str) -> bytes:
    parse_month(month)
    _may_read(who, provider_id)
    provider = env.repos.providers.get(provider_id)
    done = [st for st in env.repos.settlement.of_month(month, provider_id) if st.status is not StatementStatus.settling]
    if provider is None or not done:
        raise NotFound(f"no settlement of {month} for this provider")
    if env.files is not None and done[0].pdf_key:
        try:
            return env.files.get(done[0].pdf_key)
        except Exception:  # noqa: BLE001 - render it again from the statements
            logger.warning("payment pdf missing in the bucket; rendering it again", extra={"month": month})
    return render_pdf(env, month, provider, done)


def finance_file(repos, tenant, month: str, payment_date: date) -> str:
    from seteli.rules.finance_file import finance_csv

    done = [st for st in repos.settlement.of_month(month) if st.status is not StatementStatus.settling]
    return finance_csv(done, tenant_id=tenant.id, tenant_name=tenant.name.fi, month=month, payment_date=payment_date)


# ---------------------------------------------------------------- provider-invoice mode


def invoice_reference(env, who: Principal, provider_id: str, service_id: str, month: str) -> Statement:
    """The provider asks for the reference and total of one service's invoice (Palse): the service's
    records up to ``month`` are settled now into a statement; asked again, the same answer."""
    if who.provider_id != provider_id:
        raise Forbidden("only the provider's own users and keys make its invoice references")
    tenant = env.tenant
    if tenant.settlement_mode.value != rules.PROVIDER_INVOICE:
        msg = "this municipality pays by self-billing: the settlement run pays providers, no invoice is sent"
        raise Conflict(msg, [FieldError("body.service_id", msg)])
    if tenant.service(service_id) is None:
        raise ValidationFailed(
            "unknown service", [FieldError("body.service_id", "no such service in this municipality")]
        )
    parse_month(month)
    if not rules.month_ended(month, env.today):
        msg = "a month is invoiced once it is over"
        raise ValidationFailed(msg, [FieldError("body.month", msg)])
    from seteli.services.teams import ensure_in_team

    ensure_in_team(env.repos, who, service_id)
    provider = env.repos.providers.get(provider_id)
    if provider is None:
        raise NotFound("no such provider")
    report = PageReport(page=0)
    made = settle_provider(env, month, provider, report, only={service_id})
    st = next((s for s in made if s.service_id == service_id), None)
    if st is None:
        msg = f"nothing to invoice for this service in {month} or before"
        raise NotFound(msg)
    return st


def check_invoice(
    env, who: Principal, reference: str, amount: Decimal, invoice_number: str
) -> tuple[Statement, list[tuple[str, str]]]:
    """The municipality checks a provider's invoice against its statement: (statement, problems).
    A match is saved on the statement (status invoice_matched); a second invoice is a 409."""
    from seteli.rules.references import normalise_reference

    if not who.is_municipality:
        raise Forbidden("invoices are checked by the municipality")
    ref = normalise_reference(reference)
    st = env.repos.settlement.by_reference(ref)
    if st is None:
        raise NotFound("no statement has this reference", [FieldError("body.reference", "unknown reference")])
    if st.invoice is not None:
        msg = f"invoice {st.invoice.invoice_number} matched this statement already"
        raise Conflict(msg, [FieldError("body.reference", msg)])
    problems = rules.invoice_problems(st, amount, reference, ref)
    if not problems:
        st = env.repos.settlement.put(
            st.model_copy(
                update={
                    "status": StatementStatus.invoice_matched,
                    "invoice": InvoiceMatch(
                        invoice_number=invoice_number,
                        amount=Money(amount),
                        checked_at=clock.now(),
                        checked_by=who.subject,
                    ),
                }
            ),
            "the statement changed meanwhile: check again",
        )
    return st, problems
