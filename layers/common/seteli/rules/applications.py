"""Application rules (spec 4). Pure: no I/O.

- which state changes exist and who makes them (``TRANSITIONS``, ``check_transition``);
- what a submit still lacks (``missing_for_submit``): the rulebook accepted in its current version,
  the mandatory attachments, at least one site, and a price list covering every selected site.
  Every missing thing is reported at once, never one at a time;
- whether a service takes applications on a day (``round_for``): inside a round, continuously, or
  waiting for the next round; else closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, Protocol

from seteli.domain.applications import Application, ApplicationStatus, Decision, Round
from seteli.errors import Conflict, FieldError

if TYPE_CHECKING:
    from seteli.domain.tenant import Applications

S = ApplicationStatus
Actor = Literal["provider", "municipality"]

# (from, to) -> (who may make it, what it is called). ``None`` is "nothing yet" (creation).
TRANSITIONS: dict[tuple[ApplicationStatus | None, ApplicationStatus], tuple[Actor, str]] = {
    (None, S.draft): ("provider", "create"),
    (S.draft, S.submitted): ("provider", "submit"),
    (S.returned, S.submitted): ("provider", "resubmit"),
    (S.submitted, S.approved): ("municipality", "approve"),
    (S.submitted, S.returned): ("municipality", "return"),
    (S.submitted, S.rejected): ("municipality", "reject"),
}

EDITABLE = frozenset({S.draft, S.returned})
DECIDED = frozenset({S.approved, S.rejected})
DECISION_TARGET = {Decision.approve: S.approved, Decision.return_: S.returned, Decision.reject: S.rejected}
LOCKED_MESSAGE = "submitted applications are locked until the municipality decides"


def transition_name(from_status: ApplicationStatus | None, to_status: ApplicationStatus) -> str | None:
    found = TRANSITIONS.get((from_status, to_status))
    return found[1] if found else None


def allowed(from_status: ApplicationStatus | None, to_status: ApplicationStatus, actor: Actor) -> bool:
    found = TRANSITIONS.get((from_status, to_status))
    return found is not None and found[0] == actor


def check_transition(from_status: ApplicationStatus | None, to_status: ApplicationStatus, actor: Actor) -> str:
    """The transition's name, or Conflict (409) saying why the application cannot move so."""
    found = TRANSITIONS.get((from_status, to_status))
    if found is not None and found[0] == actor:
        return found[1]
    now = from_status.value if from_status else "new"
    if actor == "provider" and from_status == S.submitted:
        raise Conflict(f"{LOCKED_MESSAGE} (the application is {now})")
    if actor == "provider" and from_status in DECIDED:
        raise Conflict(f"the application is {now} already: it cannot be submitted again")
    if actor == "municipality":
        raise Conflict(f"only a submitted application is decided; this one is {now}")
    raise Conflict(f"an application that is {now} cannot become {to_status.value}")


def ensure_editable(app: Application) -> None:
    if app.status == S.submitted:
        raise Conflict(LOCKED_MESSAGE)
    if app.status not in EDITABLE:
        raise Conflict(f"the application is {app.status.value}: it is no longer edited")


def decision_problems(decision: Decision, comment: str | None) -> list[FieldError]:
    """A return or a rejection must say why (the provider reads it)."""
    if decision in (Decision.return_, Decision.reject) and not (comment or "").strip():
        what = "what is missing" if decision == Decision.return_ else "why it is rejected"
        return [FieldError("body.comment", f"required when the decision is {decision.value}: tell the provider {what}")]
    return []


# ---------------------------------------------------------------- what a submit lacks


class MissingItem(Protocol):
    field: str
    message: str


@dataclass(frozen=True)
class RulebookState:
    """What the tenant currently asks to be accepted for the service, and what the provider accepted."""

    rulebook_id: str
    current_version: str
    general_rulebook_id: str | None = None
    general_current_version: str | None = None


def rulebook_problems(app: Application, state: RulebookState) -> list[FieldError]:
    acc = app.rulebook
    field = "body.rulebook"
    if acc is None:
        return [
            FieldError(
                field,
                f"accept the rulebook {state.rulebook_id} (version {state.current_version}) before submitting",
            )
        ]
    out: list[FieldError] = []
    if acc.rulebook_id != state.rulebook_id or acc.version != state.current_version:
        out.append(
            FieldError(
                field,
                f"you accepted the rulebook {acc.rulebook_id} version {acc.version}; the current one is "
                f"{state.rulebook_id} version {state.current_version}: accept it again",
            )
        )
    if state.general_rulebook_id and (
        acc.general_rulebook_id != state.general_rulebook_id or acc.general_version != state.general_current_version
    ):
        out.append(
            FieldError(
                field,
                f"accept the general rulebook {state.general_rulebook_id} (version "
                f"{state.general_current_version}) too: accept the rulebook again",
            )
        )
    return out


def site_problems(
    site_ids: Sequence[str], sites_without_prices: Iterable[str], has_price_list: bool
) -> list[FieldError]:
    """At least one site, and a price list (company level, or one per selected site)."""
    out: list[FieldError] = []
    if not site_ids:
        out.append(FieldError("body.site_ids", "select at least one site that offers the service"))
    if not has_price_list:
        out.append(
            FieldError("price_list", "add a price list for the service (company level, or one for each selected site)")
        )
        return out
    index = {s: i for i, s in reversed(list(enumerate(site_ids)))}
    for site in sites_without_prices:
        i = index.get(site)
        field = f"body.site_ids[{i}]" if i is not None else "body.site_ids"
        out.append(FieldError(field, f"site {site} has no price list: add a company-level list or one for the site"))
    return out


def missing_for_submit(
    app: Application,
    rulebook: RulebookState,
    attachments_missing: Iterable[MissingItem],
    sites_without_prices: Iterable[str],
    has_price_list: bool,
    parts_problems: Iterable[FieldError] = (),
) -> list[FieldError]:
    """Everything a submit would refuse, in the order of the steps: rulebook, attachments, sites,
    price list, then selections that are no longer valid (a part passivated meanwhile)."""
    out = rulebook_problems(app, rulebook)
    out += [FieldError(m.field, m.message) for m in attachments_missing]
    out += site_problems(app.site_ids, sites_without_prices, has_price_list)
    out += list(parts_problems)
    return out


# ---------------------------------------------------------------- rounds


class Intake(StrEnum):
    round = "round"  # inside an open round: decided by its decisions_by
    continuous = "continuous"  # the service takes applications all the time: decided as they come
    waiting = "waiting"  # no round open now, a later one is coming: the application waits for it
    closed = "closed"  # no round open and none coming, not continuous


@dataclass(frozen=True)
class RoundState:
    intake: Intake
    round: Round | None = None  # the open round, or the one waited for

    @property
    def accepts(self) -> bool:
        return self.intake is not Intake.closed

    @property
    def decision_due(self) -> date | None:
        return self.round.decisions_by if self.round is not None else None


def _round(r) -> Round:
    return r if isinstance(r, Round) else Round(opens=r.opens, closes=r.closes, decisions_by=r.decisions_by)


def round_for(config: Applications, today: date) -> RoundState:
    """Whether the service takes applications on ``today`` (first and last day of a round inclusive).

    An open round wins (its decision date is known); else a continuous service takes them; else the
    application waits for the next round if one is coming; else the service is closed.
    """
    rounds = sorted((_round(r) for r in config.rounds), key=lambda r: r.opens)
    for r in rounds:
        if r.opens <= today <= r.closes:
            return RoundState(Intake.round, r)
    if config.continuous:
        return RoundState(Intake.continuous)
    later = [r for r in rounds if r.opens > today]
    if later:
        return RoundState(Intake.waiting, later[0])
    return RoundState(Intake.closed)


def round_phase(r: Round, today: date) -> Literal["upcoming", "open", "deciding", "past"]:
    if today < r.opens:
        return "upcoming"
    if today <= r.closes:
        return "open"
    if today <= r.decisions_by:
        return "deciding"
    return "past"
