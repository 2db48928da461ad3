"""The monthly jobs (spec section 11): auto events, reminders and the settlement run.

A run of a job for a month is planned once: the tenant's providers, in pages of ``PAGE_SIZE``
(``JOBRUN#<run id>``, ``seteli.store.jobs``). Each page is one unit of work, done by whoever gets
it: inline (tests, ``make job`` without a running stack), a thread of the local runtime (``make
run``: the API answers at once and ``make job`` draws a progress bar from ``GET``), or an SQS message
to the jobs function on AWS, so that no run depends on one Lambda's 15 minutes.

Every page is idempotent (the jobs' own units are: a settled event leaves the settlement queue, an
auto event has a fixed key, a reminder a guard item), so a page run twice, a run started again or a
run resumed after a crash leaves everything as one clean run. The page that finds every page done
finishes the run (the settlement's finance file) and marks it done, conditioned on its version.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from seteli import clock
from seteli.domain.money import Money
from seteli.domain.settlement import JobRun, JobRunReport, JobStatus, PageReport
from seteli.domain.tenant import Tenant
from seteli.errors import FieldError, NotFound, ValidationFailed
from seteli.observability import logger

HELSINKI = ZoneInfo("Europe/Helsinki")
PAGE_SIZE = 25  # providers per page: a page of even a large tenant's providers is minutes of work at most

# job name -> module with ``run_page(env, month, provider_ids, report)`` and optionally
# ``finish(env, run, reports) -> dict[str, str]`` (files it wrote) and ``run_key(month, today)``.
JOB_MODULES = {
    "auto-events": "seteli.services.auto_events",
    "reminders": "seteli.services.reminders",
    "settlement": "seteli.services.settlement",
}
JOBS = tuple(JOB_MODULES)


class Dispatcher(Protocol):
    def dispatch(self, run: JobRun, pages: list[int]) -> None: ...


@dataclass
class JobEnv:
    """What a page of a job works with: storage, the tenant, email, files and the run's clock."""

    repos: Any
    tenant: Tenant
    now: datetime  # Helsinki time of the run
    email: Any = None  # seteli.adapters.email.EmailSender
    files: Any = None  # seteli.adapters.files.FilesPort (with put)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return helsinki_today(self.now)


# ---------------------------------------------------------------- months


def default_month(job: str, today: date) -> str:
    """Auto events run on the 4th of month M for M; reminders and settlement for the month before."""
    if job == "auto-events":
        return f"{today.year:04d}-{today.month:02d}"
    prev = date(today.year - (today.month == 1), 12 if today.month == 1 else today.month - 1, 1)
    return f"{prev.year:04d}-{prev.month:02d}"


def helsinki_today(now: datetime) -> date:
    """The day it is in Helsinki at ``now`` (a schedule fires in UTC; months turn in Helsinki)."""
    return now.astimezone(HELSINKI).date()


def _check_job(job: str) -> None:
    if job not in JOBS:
        raise ValidationFailed(f"unknown job {job!r}", [FieldError("job", f"one of {', '.join(JOBS)}")])


def _module(job: str):
    return importlib.import_module(JOB_MODULES[job])


def run_id_of(job: str, month: str, today: date) -> str:
    """A run's id: ``<job>#<month>``; the reminders run once per reminder day (``#<day>``)."""
    key = getattr(_module(job), "run_key", None)
    return f"{job}#{key(month, today) if key else month}"


# ---------------------------------------------------------------- environment


def job_env(now: datetime | None = None) -> JobEnv:
    from seteli.adapters.email import email_sender
    from seteli.adapters.files import files
    from seteli.services.tenant_config import current_tenant
    from seteli.store import repositories

    repos = repositories()
    try:
        fs = files()
    except Exception:  # noqa: BLE001 - a stack without a files bucket still settles (no PDFs)
        fs = None
    when = (now or clock.now()).astimezone(HELSINKI)
    return JobEnv(repos=repos, tenant=current_tenant(repos.tenant), now=when, email=email_sender(), files=fs)


# ---------------------------------------------------------------- plan, pages, finish


def start(
    job: str,
    month: str | None,
    started_by: str,
    *,
    env: JobEnv | None = None,
    dispatcher: Dispatcher | None = None,
) -> JobRunReport:
    """Plan a run (or start a finished one again) and hand its pages to the dispatcher.

    A run still going (a page not done) is resumed: only its pages not done are dispatched again.
    A finished run of a job marked ``FINAL`` (the settlement) answers its report and does nothing."""
    _check_job(job)
    env = env or job_env()
    m = month or default_month(job, env.today)
    run_id = run_id_of(job, m, env.today)
    runs = env.repos.job_runs
    run = runs.get(run_id)
    if run is not None and run.status is JobStatus.running:
        pages = runs.pages(run_id)
        todo = [n for n, (_, report) in sorted(pages.items()) if report is None]
        logger.info("job resumed", extra={"job": job, "month": m, "pages_todo": len(todo)})
        if not todo:  # every page done but the finish was lost: finish now
            _finish(env, run)
        else:
            (dispatcher or dispatcher_for()).dispatch(run, todo)
        return report(run_id, env=env)
    if run is not None and getattr(_module(job), "FINAL", False):
        logger.info("job already done", extra={"job": job, "month": m})
        return report(run_id, env=env)  # a finished settlement's material is out: not run again
    pages = _plan(env)
    old_pages = run.pages_total if run else 0
    fresh = JobRun(
        id=run_id,
        job=job,
        month=m,
        day=env.today if job == "reminders" else None,
        status=JobStatus.running,
        attempt=(run.attempt + 1) if run else 1,
        pages_total=len(pages),
        providers_total=sum(len(p) for p in pages),
        started_at=clock.now(),
        started_by=started_by,
        version=run.version if run else 0,
    )
    fresh = runs.start(fresh, pages, old_pages)
    logger.info("job started", extra={"job": job, "month": m, "pages": len(pages), "attempt": fresh.attempt})
    if not pages:
        _finish(env, fresh)
    else:
        (dispatcher or dispatcher_for()).dispatch(fresh, list(range(len(pages))))
    return report(run_id, env=env)


def _plan(env: JobEnv) -> list[list[str]]:
    """The tenant's providers in pages (Query gsi2 PROVIDERS, page by page)."""
    pages: list[list[str]] = []
    start_key = None
    while True:
        providers, start_key = env.repos.providers.page(PAGE_SIZE, start_key)
        if providers:
            pages.append([p.id for p in providers])
        if not start_key:
            return pages


def run_page(run_id: str, page: int, *, env: JobEnv | None = None) -> PageReport:
    """Do one page of a run (idempotent), save its report, and finish the run if it was the last."""
    env = env or job_env()
    runs = env.repos.job_runs
    run = runs.get(run_id)
    found = runs.page(run_id, page)
    if run is None or found is None:
        raise NotFound(f"no page {page} in job run {run_id}")
    providers, _ = found
    rep = PageReport(page=page, providers=providers)
    env.extra["run_id"] = run.id  # a page retried after midnight still belongs to its run
    _module(run.job).run_page(env, run.month, providers, rep)
    rep.done_at = clock.now()
    runs.page_done(run_id, page, providers, rep)
    logger.info("job page done", extra={"job": run.job, "month": run.month, "page": page, "counts": rep.counts})
    pages = runs.pages(run_id)
    if all(r is not None for _, r in pages.values()):
        _finish(env, runs.get(run_id) or run)
    return rep


def _finish(env: JobEnv, run: JobRun) -> None:
    if run.status is JobStatus.done:
        return
    reports = [r for _, r in env.repos.job_runs.pages(run.id).values() if r is not None]
    fin = getattr(_module(run.job), "finish", None)
    files = fin(env, run, reports) if fin else {}
    done = run.model_copy(update={"status": JobStatus.done, "finished_at": clock.now(), "files": files or {}})
    if env.repos.job_runs.finish(done) is not None:
        logger.info("job done", extra={"job": run.job, "month": run.month})


# ---------------------------------------------------------------- reports


def summed(run: JobRun, reports: list[PageReport]) -> JobRunReport:
    counts: dict[str, int] = {}
    amounts: dict[str, Money] = {}
    out = JobRunReport(**run.model_dump())
    for r in sorted(reports, key=lambda r: r.page):
        for k, v in r.counts.items():
            counts[k] = counts.get(k, 0) + v
        for k, v in r.amounts.items():
            amounts[k] = amounts.get(k, Money.zero()) + v
        out.deferred.extend(r.deferred)
        out.notes.extend(r.notes)
    out.counts, out.amounts = dict(sorted(counts.items())), dict(sorted(amounts.items()))
    out.pages_done = sorted(r.page for r in reports)
    return out


def report(run_id: str, *, env: JobEnv | None = None, repos: Any = None) -> JobRunReport:
    repos = repos or (env.repos if env else None)
    if repos is None:
        from seteli.store import repositories

        repos = repositories()
    run = repos.job_runs.get(run_id)
    if run is None:
        raise NotFound(f"no job run {run_id}")
    reports = [r for _, r in repos.job_runs.pages(run_id).values() if r is not None]
    return summed(run, reports)


def latest_report(job: str, month: str | None, today: date | None = None) -> JobRunReport:
    """The run of ``job`` for ``month`` (reminders: the run of ``today``, else the 2nd's or 1st's)."""
    _check_job(job)
    today = today or clock.now().astimezone(HELSINKI).date()
    m = month or default_month(job, today)
    return report(run_id_of(job, m, today))


# ---------------------------------------------------------------- dispatchers


class Inline:
    """Every page now, in this process; ``progress(done, total)`` after each."""

    def __init__(self, env: JobEnv | None = None, progress: Callable[[int, int], None] | None = None) -> None:
        self.env = env
        self.progress = progress

    def dispatch(self, run: JobRun, pages: list[int]) -> None:
        for i, n in enumerate(pages, 1):
            run_page(run.id, n, env=self.env)
            if self.progress:
                self.progress(i, len(pages))


_page_lock: Any = contextlib.nullcontext()


def use_page_lock(lock: Any) -> None:
    """The local runtime's gateway lock: a background page must not run beside a request (moto is
    not thread-safe)."""
    global _page_lock
    _page_lock = lock


class Background:
    """The local runtime: the pages in a thread, so the API answers at once (``make job`` polls)."""

    def dispatch(self, run: JobRun, pages: list[int]) -> None:
        def work() -> None:
            try:
                for n in pages:
                    with _page_lock:
                        run_page(run.id, n)
            except Exception:  # noqa: BLE001 - logged; the run stays "running" and a new start resumes it
                logger.exception("job page failed", extra={"job": run.job, "month": run.month})

        threading.Thread(target=work, name=f"job-{run.id}", daemon=True).start()


class Sqs:
    """AWS: one message per page to the jobs queue; the jobs function takes them (batch size 1)."""

    def __init__(self, queue_url: str, region: str, endpoint_url: str | None = None) -> None:
        self.queue_url, self.region, self.endpoint_url = queue_url, region, endpoint_url

    def dispatch(self, run: JobRun, pages: list[int]) -> None:
        import json

        import boto3

        sqs = boto3.client("sqs", region_name=self.region, endpoint_url=self.endpoint_url)
        for i in range(0, len(pages), 10):
            entries = [
                {"Id": str(n), "MessageBody": json.dumps({"run_id": run.id, "page": n})} for n in pages[i : i + 10]
            ]
            res = sqs.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            if res.get("Failed"):
                raise RuntimeError(f"could not queue {len(res['Failed'])} pages of {run.id}; start the run again")


def dispatcher_for() -> Dispatcher:
    from seteli.config import settings

    s = settings()
    if s.jobs_dispatch == "sqs" and s.jobs_queue_url:
        return Sqs(s.jobs_queue_url, s.region, s.aws_endpoint_url)
    if s.jobs_dispatch == "thread":
        return Background()
    return Inline()


# ---------------------------------------------------------------- the old entry point


def run_job(job: str, month: str | None, now: datetime | None = None, started_by: str = "schedule") -> JobRunReport:
    """Start (or resume) a run now with the stack's dispatcher."""
    _check_job(job)
    return start(job, month, started_by, env=job_env(now))
