"""The reminders job (spec 11): on the reminder days of the tenant's calendar (the 1st and 2nd of
M+1), each provider with something month M's settlement would leave out - drafts of M, automatic
events not confirmed, open interruptions - gets one email listing it (``seteli.rules.reminders``),
sent to its contact email, else its billing email.

A run is one reminder day (``run_key``): the run of the 1st and the run of the 2nd each send once.
Before the email goes, a guard item ``PROVIDER#<id>`` / ``REMINDER#<run id>`` is written with
``attribute_not_exists`` (``seteli.store.auto_events``): a page run twice, or a run started again
the same day, sends nothing more. (A crash between the guard and the email loses that day's
reminder, never sends two; the next reminder day sends again.)

Per provider: one Query of its events of M, one of its interruptions, a GetItem of the provider
when it has something missing, and the guard's PutItem.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from seteli.domain.settlement import PageReport
from seteli.observability import logger
from seteli.rules import reminders as rules
from seteli.rules.events import fi
from seteli.store.auto_events import rec_of
from seteli.store.events import EVENT

MAX_ITEMS = 200  # listed in one email; the rest are counted ("and N more")
KINDS = {
    rules.AUTO: "automaattinen tapahtuma",
    rules.DRAFT: "keskeneräinen tapahtuma",
    rules.INTERRUPTION: "avoin keskeytys",
}


def run_key(month: str, today: date) -> str:
    """One run per reminder day: ``<month>#<day>``."""
    return f"{month}#{today.day:02d}"


def run_page(env, month: str, provider_ids: list[str], report: PageReport) -> None:
    """Remind the providers of one page (idempotent: the guard item per provider and run)."""
    repo = env.repos.auto_events
    run_id = env.extra.get("run_id") or f"reminders#{run_key(month, env.today)}"
    deadline_day = env.tenant.calendar.provider_deadline_day
    counts: Counter[str] = Counter({"sent": 0})
    sender = env.email
    if sender is None:
        from seteli.adapters.email import email_sender

        sender = email_sender()
    for pid in provider_ids:
        events = [rec_of(EVENT, d) for d in repo.event_docs_of_month(pid, month)]
        rem = rules.reminder(month, events, repo.interruptions_of(pid), deadline_day)
        if rem is None:
            counts["nothing_missing"] += 1
            continue
        provider = env.repos.providers.get(pid)
        if provider is None:
            continue
        address = provider.contact_email or (provider.billing.billing_email if provider.billing else None)
        if not address:
            counts["no_email_address"] += 1
            report.notes.append(f"provider {pid} has no contact or billing email: not reminded")
            continue
        summary = {
            "month": month,
            "auto": rem.auto,
            "drafts": rem.drafts,
            "interruptions": rem.interruptions,
            "sent_to": address,
            "sent_at": env.now.isoformat(),
        }
        if not repo.claim_reminder(pid, run_id, summary):
            counts["already_sent"] += 1
            continue
        sender.send(_email(env, provider.name, address, rem))
        counts["sent"] += 1
        counts["auto"] += rem.auto
        counts["drafts"] += rem.drafts
        counts["interruptions"] += rem.interruptions
    report.counts.update(dict(counts))
    logger.info("reminders page", extra={"month": month, "providers": len(provider_ids), "counts": dict(counts)})


def _email(env, provider_name: str, address: str, rem: rules.Reminder):
    from seteli.adapters.email import render

    return render(
        "reminder",
        address,
        tenant_name=env.tenant.name.fi,
        provider_name=provider_name,
        month=rem.month,
        deadline=fi(rem.deadline),
        total=len(rem.items),
        auto=rem.auto,
        drafts=rem.drafts,
        interruptions=rem.interruptions,
        items=rem.items[:MAX_ITEMS],
        more=max(0, len(rem.items) - MAX_ITEMS),
        kinds=KINDS,
    )
