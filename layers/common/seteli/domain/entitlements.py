"""What the municipality grants (spec 6): customers, vouchers, balance vouchers, purchased-service
orders, and providers' reservations of them.

A personal identity code (henkilötunnus) lives only in ``Customer.personal_id``: it is found by a
keyed hash (``personal_id_hash``), never logged, never put in a URL or an error message, and never
shown to anyone but the municipality and a provider that may see the customer.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from seteli.domain.money import MoneyField, QuantityField


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str  # cus-<random>: the only id that appears in URLs and logs
    personal_id: str  # validated and normalised (python-stdnum fi.hetu); never logged
    personal_id_hash: str  # HMAC of personal_id with the stack's secret: the lookup key
    first_names: str
    last_name: str
    home_municipality: str | None = None  # kotikunta
    address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    phone: str | None = None
    email: str | None = None
    died_on: date | None = None  # a recorded death closes every entitlement at died_on + 1
    created_at: datetime
    created_by: str
    updated_at: datetime
    version: int = 0

    @property
    def name(self) -> str:
        return f"{self.last_name} {self.first_names}"


class EntitlementKind(StrEnum):
    voucher = "voucher"  # palveluseteli
    balance_voucher = "balance_voucher"  # saldoseteli
    order = "order"  # ostopalvelutilaus: the municipality reserves a named provider part itself


class Period(StrEnum):
    """What a granted amount is per (seed 001: "20 h / voimassaolo", "10 h / vko", "31 vrk / kk")."""

    validity = "validity"
    week = "week"
    month = "month"


class EntitlementRow(BaseModel):
    """A content granted: e.g. home care weekdays, 10 h per week at 32.00 EUR/h."""

    model_config = ConfigDict(extra="forbid")

    content_id: str
    amount: QuantityField  # in the content's unit
    period: Period = Period.validity
    unit_value: MoneyField  # the voucher value per unit (what the municipality pays at most)


class BalanceContent(BaseModel):
    """A content a balance voucher may be used for, with the municipality's subsidy per unit."""

    model_config = ConfigDict(extra="forbid")

    content_id: str
    subsidy: MoneyField  # e.g. 20.00 EUR/h


class Balance(BaseModel):
    """A balance voucher's total (seed 004): euros or units, over the validity or per recurrence."""

    model_config = ConfigDict(extra="forbid")

    total_euros: MoneyField | None = None
    total_units: QuantityField | None = None
    recurrence: Period = Period.validity  # month: e.g. 250.00 EUR each month
    contents: list[BalanceContent] = Field(min_length=1)
    provider_ids: list[str] = Field(default_factory=list)  # empty: any approved provider of the service


class EntitlementState(StrEnum):
    granted = "granted"  # not used yet
    open = "open"  # reserved or charged during its validity
    closed = "closed"  # used up, ended, closed by the case worker, or the customer died


class Entitlement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision_number: str  # päätösnumero / setelin numero: the key
    kind: EntitlementKind
    customer_id: str
    service_id: str
    decision_date: date
    valid_from: date
    valid_until: date | None = None  # None: open-ended ("toistaiseksi")
    home_municipality: str
    rows: list[EntitlementRow] = Field(default_factory=list)  # vouchers and orders
    balance: Balance | None = None  # balance vouchers
    # Codes: random, unguessable, compared in constant time. The verification code goes on the
    # provider copy; the citizen code on the decision letter (sign-in without bank ID).
    verification_code: str
    citizen_code: str
    # The provider the case worker named in the decision (the provider then activates it without
    # the code), or, for an order, the provider part the municipality reserves.
    named_provider_id: str | None = None
    named_part_id: str | None = None
    notes: str | None = None
    closed_on: date | None = None  # the first day it is no longer valid (closing, death)
    closed_reason: str | None = None
    closed_by: str | None = None
    # The providers holding a reservation not cancelled: written in the same transaction as the
    # reservation, so the state needs no second read.
    reserved_by: list[str] = Field(default_factory=list)
    used: bool = False  # set when the first event is charged (issue 5); a charged one cannot be un-reserved
    created_at: datetime
    created_by: str
    updated_at: datetime
    version: int = 0


class Reservation(BaseModel):
    """A provider's reservation of an entitlement (K4.1.1): once, for one content, at one part."""

    model_config = ConfigDict(extra="forbid")

    decision_number: str
    provider_id: str
    part_id: str | None = None  # None: the company
    content_id: str
    customer_id: str
    accepted_terms: bool = True
    by_municipality: bool = False  # an order: the municipality reserved it
    info: str | None = None
    reserved_at: datetime
    reserved_by: str
    cancelled_at: datetime | None = None
    version: int = 0


class ProviderCustomer(BaseModel):
    """Why a provider may see a customer (K4.2), and the provider's own customer number."""

    model_config = ConfigDict(extra="forbid")

    provider_id: str
    customer_id: str
    customer_number: str | None = None  # the provider's own, shown on invoices instead of the ID
    name_key: str  # "<last> <first>" casefolded: what a provider's name search matches
    reserved_until: date | None = None  # the latest end of a valid reservation or order (None: open-ended)
    has_open_reservation: bool = False
    last_event_on: date | None = None  # events (issue 5) keep this up to date
    updated_at: datetime
    version: int = 0


def total_value(row: EntitlementRow) -> Decimal:
    """amount x unit value, rounded half-up to the cent (the provider copy's "kokonaisarvo")."""
    return row.unit_value.times(row.amount).amount
