"""The monthly jobs (spec section 11). Issue 6 fills in the work; the calendar is here now."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from seteli.errors import FieldError, ValidationFailed
from seteli.observability import logger

HELSINKI = ZoneInfo("Europe/Helsinki")
JOBS = ("auto-events", "reminders", "settlement")


class JobResult(BaseModel):
    job: str
    month: str
    status: str
    detail: str


def default_month(job: str, today: date) -> str:
    """Auto events run on the 4th of month M for M; reminders and settlement for the month before."""
    if job == "auto-events":
        return f"{today.year:04d}-{today.month:02d}"
    prev = date(today.year - (today.month == 1), 12 if today.month == 1 else today.month - 1, 1)
    return f"{prev.year:04d}-{prev.month:02d}"


def run_job(job: str, month: str | None, now: datetime | None = None) -> JobResult:
    if job not in JOBS:
        raise ValidationFailed(f"unknown job {job!r}", [FieldError("job", f"one of {', '.join(JOBS)}")])
    today = (now or datetime.now(HELSINKI)).astimezone(HELSINKI).date()
    m = month or default_month(job, today)
    logger.info("job requested", extra={"job": job, "month": m})
    return JobResult(job=job, month=m, status="noop", detail="this job does its work from issue 6 on")
