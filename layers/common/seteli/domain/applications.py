"""Applications (palveluhakemus, spec 4): a provider applies to one service of the municipality.

An application is per (provider, service) and follows the eight steps of the seed (K1.3): company,
sites, operating areas, units, employees, subcontractors, price list, summary. Its states:

``draft`` -> ``submitted`` (locked while the municipality decides) -> ``approved`` | ``rejected`` |
``returned`` (more information asked; editable again and submitted anew).

Every change of state is kept as a :class:`Transition` (who, when, the comment) next to the
application in its own partition.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ApplicationStatus(StrEnum):
    draft = "draft"  # luonnos: the provider fills it in
    submitted = "submitted"  # lähetetty: locked until the municipality decides
    returned = "returned"  # palautettu (keskeneräinen): more information asked; editable again
    approved = "approved"  # hyväksytty
    rejected = "rejected"  # hylätty


class Decision(StrEnum):
    approve = "approve"
    return_ = "return"
    reject = "reject"


STEPS: tuple[tuple[str, str], ...] = (
    ("company", "Yritys / Company"),
    ("sites", "Toimipaikat / Sites"),
    ("operating_areas", "Toiminta-alueet / Operating areas"),
    ("units", "Yksiköt / Units"),
    ("employees", "Työntekijät / Employees"),
    ("subcontractors", "Alihankkijat / Subcontractors"),
    ("price_list", "Hinnasto / Price list"),
    ("summary", "Yhteenveto / Summary"),
)


class Actor(BaseModel):
    """Who did something: the Cognito subject and, for people reading the history, name and email."""

    model_config = ConfigDict(extra="ignore")

    subject: str
    name: str | None = None
    email: str | None = None
    role: str | None = None  # the caller's role at the time (provider_admin, case_worker, ...)


class RulebookAcceptance(BaseModel):
    """The rulebook version the provider accepted ("Olen lukenut ja hyväksynyt sääntökirjan")."""

    model_config = ConfigDict(extra="ignore")

    rulebook_id: str
    version: str
    general_rulebook_id: str | None = None  # the tenant's general part, accepted together
    general_version: str | None = None
    accepted_by: Actor
    accepted_at: datetime


class Round(BaseModel):
    """An application round (hakukierros): apply from ``opens`` to ``closes``, decisions by ``decisions_by``."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    opens: date
    closes: date
    decisions_by: date


class Application(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    provider_id: str
    service_id: str
    status: ApplicationStatus = ApplicationStatus.draft
    # the steps the provider fills in (company and price list live in their own records)
    site_ids: list[str] = Field(default_factory=list)
    operating_areas: list[str] = Field(default_factory=list)
    unit_ids: list[str] = Field(default_factory=list)
    employee_ids: list[str] = Field(default_factory=list)
    subcontractor_ids: list[str] = Field(default_factory=list)
    notes: str | None = None
    rulebook: RulebookAcceptance | None = None
    # signing and submitting
    signed_by: Actor | None = None
    signed_at: datetime | None = None
    submitted_at: datetime | None = None
    round: Round | None = None  # the round it was submitted in (or waits for); None: continuous
    decision_due: date | None = None  # the round's decisions_by; None: decided as they come
    # the municipality's latest decision
    decided_by: Actor | None = None
    decided_at: datetime | None = None
    decision_comment: str | None = None
    created_by: Actor
    created_at: datetime
    updated_at: datetime
    transitions: int = 0  # how many transitions are stored (the next one's sequence number - 1)
    version: int = 0

    @property
    def editable(self) -> bool:
        return self.status in (ApplicationStatus.draft, ApplicationStatus.returned)


class Transition(BaseModel):
    """One change of state, kept forever: from, to, who, when and the comment."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    application_id: str
    seq: int
    from_status: ApplicationStatus | None = Field(default=None, alias="from")  # None: created
    to_status: ApplicationStatus = Field(alias="to")
    by: Actor
    at: datetime
    comment: str | None = None
    email_failed: bool = False  # the provider's email about it could not be sent
    version: int = 0
