"""What providers record and what the municipality pays for (spec 7-10, 12, 13; seed 003 K4.3-K4.4).

- :class:`ServiceEvent` (palvelutapahtuma): units of one entitlement content at one provider part,
  on a day range (day units), between two times (hour units) or as pieces; its money is computed
  day by day (:class:`DayLine`), never typed.
- :class:`Interruption` (keskeytys): a day-unit customer's absence from the departure day ("day 0")
  to the return day, paid by the tenant's percentage bands (:class:`InterruptionDay`).
- :class:`Credit` (hyvityspyyntö): the whole value of a settled event deducted in a later settlement.
- :class:`Feedback` (palaute): thanks, complaint or reclamation, and the provider's one reply.

Money is :class:`~seteli.domain.money.Money` (exact cents), quantities Decimal hundredths.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from seteli.domain.money import Money, MoneyField, QuantityField
from seteli.domain.tenant import InterruptionReason  # noqa: F401 - hospital, holiday, other
from seteli.domain.units import Unit

# A time of day as a timesheet has it ("09:15"), on the wire and in the stored documents.
TimeOfDay = Annotated[
    time,
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "examples": ["09:15"]}),
]


class EventStatus(StrEnum):
    draft = "draft"  # keskeneräinen: saved unfinished, never settled
    recorded = "recorded"  # kirjattu: goes to the next settlement
    pending_approval = "pending_approval"  # over the granted amount: waits for the municipality
    approved = "approved"  # the municipality approved it (after an overrun)
    settled = "settled"  # in a settlement: only a credit corrects it now
    paid = "paid"
    rejected = "rejected"  # the municipality rejected it: never paid, not in the own-share specification


# What a provider may still edit or delete; the rest is final (or only a credit corrects it).
EDITABLE = frozenset({EventStatus.draft, EventStatus.recorded, EventStatus.pending_approval, EventStatus.approved})
# What uses a granted amount (counted against overruns and shown as used).
COUNTED = frozenset(
    {EventStatus.recorded, EventStatus.pending_approval, EventStatus.approved, EventStatus.settled, EventStatus.paid}
)
SETTLED = frozenset({EventStatus.settled, EventStatus.paid})
# What the next settlement run takes (an event; an interruption only once recorded with its return day).
PAYABLE = frozenset({EventStatus.recorded, EventStatus.approved})


class DayLine(BaseModel):
    """One day of an event (a day-unit range has one per day; other units one line on the date).

    ``municipality`` is what the municipality pays for the line, ``own_share`` what the provider
    bills the customer; ``price`` x ``quantity`` = municipality + own share (each half-up to the cent).
    A day paid in another record (an interruption's return day) has ``paid_elsewhere`` and zeros."""

    model_config = ConfigDict(extra="forbid")

    on: date
    quantity: QuantityField
    price: MoneyField  # the provider's unit price valid on the day (price list of the part or company)
    unit_value: MoneyField  # the voucher value, subsidy or (order) contract price per unit
    municipality: MoneyField
    own_share: MoneyField
    paid_elsewhere: str | None = None  # the id of the record that pays this day instead


class Overrun(BaseModel):
    """Why an event waits for approval: the period whose granted amount it makes exceeded."""

    model_config = ConfigDict(extra="forbid")

    period: str  # week, month, validity or balance
    period_start: date
    period_end: date | None
    granted: str  # "10.00 h" or "250.00 EUR"
    before: str  # used by the other events of the period
    with_this: str  # used with this event
    message: str


class ApprovalDecision(StrEnum):
    approve = "approve"
    reject = "reject"
    approve_with_credit = "approve_with_credit"  # paid now, the whole event credited next month


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: ApprovalDecision
    comment: str | None = None
    decided_at: datetime
    decided_by: str
    credit_id: str | None = None


class Record(BaseModel):
    """What an event and an interruption share: whose days they are, who records them, and their
    state. Both live in the entitlement's ledger (``seteli.store.events``)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    decision_number: str
    customer_id: str
    service_id: str
    content_id: str
    provider_id: str
    part_id: str | None = None  # None: the company
    status: EventStatus = EventStatus.recorded
    notes: str | None = None
    settlement_id: str | None = None
    recorded_at: datetime | None = None
    recorded_by: str | None = None
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    version: int = 0


class ServiceEvent(Record):
    # id: ev-<random>
    unit: Unit
    first_day: date  # the service date (or the first day of a day range)
    last_day: date  # == first_day except for a day range
    start_time: TimeOfDay | None = None  # hour units
    end_time: TimeOfDay | None = None
    quantity: QuantityField  # computed: days, hours, or typed pieces / square metres
    lines: list[DayLine] = Field(default_factory=list)
    price_total: MoneyField = Field(default_factory=Money.zero)
    value: MoneyField = Field(default_factory=Money.zero)  # what the municipality pays (without travel)
    own_share: MoneyField = Field(default_factory=Money.zero)
    travel_km: QuantityField | None = None  # round-trip kilometres (matkakorvaus)
    travel: MoneyField = Field(default_factory=Money.zero)  # travel_km x the tenant's rate
    giver: str  # who gave the service (defaults to the recorder)
    auto: bool = False  # an automatic monthly event (starts as a draft)
    overrun: Overrun | None = None
    approval: Approval | None = None
    credit_id: str | None = None  # a credit request deducts this event's whole value
    source_ref: str | None = None  # a bulk import's row fingerprint (reruns create no duplicates)

    @property
    def payable(self) -> Money:
        """The municipality's whole payment for the event: its value and the travel compensation."""
        return self.value + self.travel

    @property
    def month(self) -> str:
        return f"{self.first_day:%Y-%m}"


class InterruptionDay(BaseModel):
    """One day of an interruption: its number (0 = departure day), band percentage and value."""

    model_config = ConfigDict(extra="forbid")

    on: date
    day_number: int  # 0 = departure day; the return day has its own flag
    return_day: bool = False
    percent: int
    attendance_value: MoneyField  # what the day would be paid as attendance
    municipality: MoneyField  # percent of attendance_value, half-up per day
    paid_elsewhere: str | None = None  # the return day paid in an attendance event instead


class Interruption(Record):
    # id: int-<random>
    reason: InterruptionReason
    departure_day: date  # "day 0"
    return_day: date | None = None  # entered when the customer is back (or will not return)
    rule_id: str
    days: list[InterruptionDay] = Field(default_factory=list)  # only once the return day is known
    value: MoneyField = Field(default_factory=Money.zero)
    # YYYY-MM: the first settlement run that takes it (set when its end is recorded; spec 8, K4.3.5.4)
    settle_in: str | None = None
    status: EventStatus = EventStatus.draft  # a draft until ended and confirmed; never settled as a draft


class CreditStatus(StrEnum):
    open = "open"  # waits for the settlement of ``deduct_in``
    deducted = "deducted"


class Credit(BaseModel):
    """A credit request: the whole payable value of one event, deducted in a later settlement."""

    model_config = ConfigDict(extra="forbid")

    id: str  # cr-<event id>: one credit per event
    event_id: str
    decision_number: str
    provider_id: str
    service_id: str | None = None  # the event's service: the statement that deducts it
    amount: MoneyField  # the event's whole payable value (value + travel)
    deduct_in: str  # YYYY-MM: the settlement month that deducts it
    reason: str
    status: CreditStatus = CreditStatus.open
    settlement_id: str | None = None
    created_at: datetime
    created_by: str
    version: int = 0


class FeedbackType(StrEnum):
    thanks = "thanks"  # kiitos
    complaint = "complaint"  # moite
    reclamation = "reclamation"  # reklamaatio: always needs a reply


class Feedback(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str  # fb-<random>
    type: FeedbackType
    text: str
    customer_id: str
    provider_id: str
    part_id: str | None = None
    event_id: str | None = None
    reply_requested: bool = False
    given_by: str  # the citizen's subject (the customer or a proxy)
    as_proxy: bool = False
    reply: str | None = None
    replied_at: datetime | None = None
    replied_by: str | None = None
    created_at: datetime
    version: int = 0

    @property
    def needs_reply(self) -> bool:
        return self.reply is None and (self.reply_requested or self.type is FeedbackType.reclamation)
