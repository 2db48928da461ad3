"""The monthly settlement (tilitys) and the runs of the monthly jobs (spec 10, 11; seeds 001, 003).

- :class:`Statement`: what one provider is paid for one service in the settlement of one month:
  its settled events and completed interruptions, minus the credits deducted, plus what an earlier
  run carried in (never positive). Negative totals are carried to the provider's next run of the
  service. In self-billing mode (PSOP) the statement is the payment: a row of the finance file and
  a payment PDF. In provider-invoice mode (Palse) it carries the reference and total that the
  provider's invoice must match.
- :class:`JobRun`: one run of a monthly job for one month, done in pages of providers
  (``seteli.services.jobs``); :class:`PageReport` is what one page did.

Money is :class:`~seteli.domain.money.Money` (exact cents).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from seteli.domain.money import Money, MoneyField


class StatementStatus(StrEnum):
    settling = "settling"  # being made: its records are being moved into it (a rerun finishes it)
    payable = "payable"  # self-billing: in the finance file, to be paid
    nothing_due = "nothing_due"  # self-billing: zero after credits and carry
    carried = "carried"  # negative: the remainder is carried to the next run
    awaiting_invoice = "awaiting_invoice"  # provider-invoice mode: the provider's invoice is due
    invoice_matched = "invoice_matched"  # provider-invoice mode: an invoice matched reference and total


class BillingSnapshot(BaseModel):
    """Where the payment goes, as it stood when the statement was made (later changes do not move
    a made payment)."""

    model_config = ConfigDict(extra="forbid")

    provider_name: str
    business_id: str
    iban: str
    bic: str
    billing_email: str
    reference_info: str | None = None
    send_payment_pdf: bool = True


class InvoiceMatch(BaseModel):
    """The provider's invoice that matched the statement (provider-invoice mode)."""

    model_config = ConfigDict(extra="forbid")

    invoice_number: str
    amount: MoneyField
    checked_at: datetime
    checked_by: str


class StatementLine(BaseModel):
    """One record in a statement: an event, an interruption, or a credit (negative amount). The
    payment PDF lists them; no personal identity code, only the decision number."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["event", "interruption", "credit"]
    record_id: str
    decision_number: str
    content_id: str | None = None
    part_id: str | None = None
    first_day: date
    last_day: date
    quantity: Decimal | None = None  # units (days, hours, ...); None for a credit
    unit: str | None = None
    amount: MoneyField  # what it adds to the statement: value + travel; a credit's is negative


class Statement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str  # stl-<YYYY-MM>-<provider_id>~<service_id>
    month: str  # YYYY-MM: the settlement run's month
    provider_id: str
    service_id: str
    mode: str  # self_billing | provider_invoice
    events: int = 0  # how many events
    interruptions: int = 0
    credits: int = 0
    events_total: MoneyField = Field(default_factory=Money.zero)  # value + travel of the events
    interruptions_total: MoneyField = Field(default_factory=Money.zero)
    credits_total: MoneyField = Field(default_factory=Money.zero)  # positive: what is deducted
    own_share_total: MoneyField = Field(default_factory=Money.zero)  # billed by the provider, for the record
    total: MoneyField = Field(default_factory=Money.zero)  # events + interruptions - credits
    carried_in: MoneyField = Field(default_factory=Money.zero)  # <= 0
    payable: MoneyField = Field(default_factory=Money.zero)  # >= 0: paid (or invoiced) now
    carried_out: MoneyField = Field(default_factory=Money.zero)  # <= 0: to the next run
    reference: str  # RF creditor reference (self-billing) or the service-prefixed invoice reference
    status: StatementStatus
    billing: BillingSnapshot | None = None
    pdf_key: str | None = None  # the payment PDF in the files bucket
    emailed_at: datetime | None = None
    invoice: InvoiceMatch | None = None
    created_at: datetime
    version: int = 0


class JobStatus(StrEnum):
    running = "running"
    done = "done"


class Deferred(BaseModel):
    """A provider the settlement could not pay this time (missing billing information)."""

    model_config = ConfigDict(extra="forbid")

    provider_id: str
    provider_name: str
    reason: str


class PageReport(BaseModel):
    """What one page of a job did; a run's report sums its pages. A page run again overwrites its
    report, so the sum never counts a page twice."""

    model_config = ConfigDict(extra="forbid")

    page: int
    providers: list[str] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)  # e.g. {"events": 12, "statements": 2}
    amounts: dict[str, MoneyField] = Field(default_factory=dict)  # e.g. {"payable": "1234.50"}
    deferred: list[Deferred] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # what was skipped and why (no personal IDs)
    done_at: datetime | None = None


class JobRun(BaseModel):
    """One run of a monthly job for one month (and, for reminders, one day)."""

    model_config = ConfigDict(extra="forbid")

    id: str  # <job>#<month> or reminders#<month>#<day>
    job: str
    month: str
    day: date | None = None  # the reminders' day
    status: JobStatus = JobStatus.running
    attempt: int = 1  # a run started again after it was done (or crashed) counts up
    pages_total: int = 0
    pages_done: list[int] = Field(default_factory=list)
    providers_total: int = 0
    started_at: datetime
    started_by: str
    finished_at: datetime | None = None
    files: dict[str, str] = Field(default_factory=dict)  # e.g. {"finance_file": "<key>"}
    version: int = 0


class JobRunReport(JobRun):
    """A run with its pages summed (what the API answers)."""

    counts: dict[str, int] = Field(default_factory=dict)
    amounts: dict[str, MoneyField] = Field(default_factory=dict)
    deferred: list[Deferred] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
