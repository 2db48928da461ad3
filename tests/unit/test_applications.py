"""Application rules: the transition table, what a submit lacks, application rounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from seteli.domain.applications import Actor, Application, ApplicationStatus, Decision, RulebookAcceptance
from seteli.domain.tenant import ApplicationRound, Applications
from seteli.errors import Conflict
from seteli.rules import applications as rules

S = ApplicationStatus
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
WHO = Actor(subject="sub-a", name="Anna", email="anna@x.example")
RULEBOOK = rules.RulebookState(rulebook_id="home-care", current_version="2026.1")


def application(**kw) -> Application:
    base = {
        "id": "app-1",
        "provider_id": "prv-1",
        "service_id": "home-care",
        "created_by": WHO,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Application(**{**base, **kw})


def accepted(version: str = "2026.1", **kw) -> RulebookAcceptance:
    return RulebookAcceptance(rulebook_id="home-care", version=version, accepted_by=WHO, accepted_at=NOW, **kw)


@dataclass
class Missing:
    field: str
    message: str


# ---------------------------------------------------------------- transitions


@pytest.mark.parametrize(
    ("frm", "to", "actor", "name"),
    [
        (None, S.draft, "provider", "create"),
        (S.draft, S.submitted, "provider", "submit"),
        (S.returned, S.submitted, "provider", "resubmit"),
        (S.submitted, S.approved, "municipality", "approve"),
        (S.submitted, S.returned, "municipality", "return"),
        (S.submitted, S.rejected, "municipality", "reject"),
    ],
)
def test_allowed_transitions(frm, to, actor, name):
    assert rules.allowed(frm, to, actor)
    assert rules.check_transition(frm, to, actor) == name


@pytest.mark.parametrize(
    ("frm", "to", "actor"),
    [
        (S.submitted, S.submitted, "provider"),  # locked
        (S.approved, S.submitted, "provider"),
        (S.rejected, S.submitted, "provider"),
        (S.draft, S.approved, "municipality"),  # only a submitted one is decided
        (S.returned, S.rejected, "municipality"),
        (S.approved, S.rejected, "municipality"),
        (S.submitted, S.approved, "provider"),  # the provider never decides
        (S.draft, S.submitted, "municipality"),  # the municipality never submits
    ],
)
def test_refused_transitions_are_409(frm, to, actor):
    assert not rules.allowed(frm, to, actor)
    with pytest.raises(Conflict):
        rules.check_transition(frm, to, actor)


def test_submitted_is_locked_and_decided_is_final():
    with pytest.raises(Conflict, match="locked until the municipality decides"):
        rules.ensure_editable(application(status=S.submitted))
    for s in (S.approved, S.rejected):
        with pytest.raises(Conflict, match="no longer edited"):
            rules.ensure_editable(application(status=s))
    rules.ensure_editable(application(status=S.draft))
    rules.ensure_editable(application(status=S.returned))


def test_return_and_reject_need_a_comment():
    assert [e.field for e in rules.decision_problems(Decision.return_, None)] == ["body.comment"]
    assert [e.field for e in rules.decision_problems(Decision.reject, "  ")] == ["body.comment"]
    assert rules.decision_problems(Decision.approve, None) == []
    assert rules.decision_problems(Decision.reject, "Ei täytä ehtoja") == []


# ---------------------------------------------------------------- missing for submit


def test_nothing_done_lists_everything_at_once():
    missing = rules.missing_for_submit(
        application(),
        RULEBOOK,
        [Missing("attachments.company.tax-debt-certificate", "missing"), Missing("attachments.company.x", "missing")],
        [],
        has_price_list=False,
    )
    assert [e.field for e in missing] == [
        "body.rulebook",
        "attachments.company.tax-debt-certificate",
        "attachments.company.x",
        "body.site_ids",
        "price_list",
    ]


def test_complete_application_lacks_nothing():
    app = application(site_ids=["s1", "s2"], rulebook=accepted())
    assert rules.missing_for_submit(app, RULEBOOK, [], [], has_price_list=True) == []


def test_sites_without_a_price_list_are_named_by_index():
    app = application(site_ids=["s1", "s2", "s3"], rulebook=accepted())
    missing = rules.missing_for_submit(app, RULEBOOK, [], ["s3", "s2"], has_price_list=True)
    assert [e.field for e in missing] == ["body.site_ids[2]", "body.site_ids[1]"]
    assert "s3" in missing[0].message


def test_an_old_rulebook_version_must_be_accepted_again():
    app = application(site_ids=["s1"], rulebook=accepted("2025.2"))
    missing = rules.missing_for_submit(app, RULEBOOK, [], [], has_price_list=True)
    assert [e.field for e in missing] == ["body.rulebook"]
    assert "2025.2" in missing[0].message and "2026.1" in missing[0].message


def test_the_general_rulebook_is_accepted_together():
    state = rules.RulebookState("home-care", "2026.1", general_rulebook_id="general", general_current_version="3")
    app = application(site_ids=["s1"], rulebook=accepted())
    assert [e.field for e in rules.rulebook_problems(app, state)] == ["body.rulebook"]
    ok = application(site_ids=["s1"], rulebook=accepted(general_rulebook_id="general", general_version="3"))
    assert rules.rulebook_problems(ok, state) == []


def test_selection_problems_are_passed_through():
    from seteli.errors import FieldError

    app = application(site_ids=["s1"], rulebook=accepted())
    extra = [FieldError("body.unit_ids[0]", "passive")]
    assert rules.missing_for_submit(app, RULEBOOK, [], [], True, extra) == extra


# ---------------------------------------------------------------- rounds


HELSINKI_ROUND = ApplicationRound(opens=date(2026, 12, 2), closes=date(2026, 12, 15), decisions_by=date(2026, 12, 23))


def test_helsinki_round_open_from_the_first_to_the_last_day():
    config = Applications(continuous=False, rounds=[HELSINKI_ROUND])
    for day in (date(2026, 12, 2), date(2026, 12, 10), date(2026, 12, 15)):
        state = rules.round_for(config, day)
        assert state.intake is rules.Intake.round and state.accepts
        assert state.decision_due == date(2026, 12, 23)


def test_before_the_round_an_application_waits_for_it():
    config = Applications(continuous=False, rounds=[HELSINKI_ROUND])
    state = rules.round_for(config, date(2026, 12, 1))
    assert state.intake is rules.Intake.waiting and state.accepts
    assert state.round.opens == date(2026, 12, 2) and state.decision_due == date(2026, 12, 23)


def test_after_the_last_round_the_service_takes_no_applications():
    config = Applications(continuous=False, rounds=[HELSINKI_ROUND])
    state = rules.round_for(config, date(2026, 12, 16))
    assert state.intake is rules.Intake.closed and not state.accepts and state.decision_due is None


def test_the_next_of_several_rounds_is_waited_for():
    spring = ApplicationRound(opens=date(2027, 3, 1), closes=date(2027, 3, 14), decisions_by=date(2027, 3, 31))
    config = Applications(continuous=False, rounds=[spring, HELSINKI_ROUND])
    state = rules.round_for(config, date(2026, 12, 20))
    assert state.intake is rules.Intake.waiting and state.round.opens == date(2027, 3, 1)


def test_continuous_service_decides_as_they_come_but_an_open_round_wins():
    assert rules.round_for(Applications(), date(2026, 1, 1)).intake is rules.Intake.continuous
    config = Applications(continuous=True, rounds=[HELSINKI_ROUND])
    assert rules.round_for(config, date(2026, 12, 5)).decision_due == date(2026, 12, 23)
    state = rules.round_for(config, date(2026, 12, 20))
    assert state.intake is rules.Intake.continuous and state.decision_due is None


def test_round_phase():
    r = rules._round(HELSINKI_ROUND)
    assert rules.round_phase(r, date(2026, 12, 1)) == "upcoming"
    assert rules.round_phase(r, date(2026, 12, 15)) == "open"
    assert rules.round_phase(r, date(2026, 12, 23)) == "deciding"
    assert rules.round_phase(r, date(2026, 12, 24)) == "past"


def test_intake_messages_tell_when_the_decision_comes():
    from seteli.services import applications as svc

    config = Applications(continuous=False, rounds=[HELSINKI_ROUND])
    msg = svc._intake_message(rules.round_for(config, date(2026, 12, 1)), "home-care")
    assert "waits for the round 2026-12-02..2026-12-15" in msg and "2026-12-23" in msg
    msg = svc._intake_message(rules.round_for(config, date(2026, 12, 3)), "home-care")
    assert "decides by 2026-12-23" in msg


def test_only_a_signed_in_admin_signs():
    from seteli.api.auth import Principal
    from seteli.errors import Forbidden
    from seteli.services import applications as svc

    class Users:
        def get(self, provider_id, subject):
            return None

    class Repos:
        users = Users()

    admin = Principal("s", "s", None, frozenset({"provider_admin"}), "prv-1")
    svc._ensure_admin(Repos(), admin)
    with pytest.raises(Forbidden, match="provider_admin"):
        svc._ensure_admin(Repos(), Principal("s", "s", None, frozenset({"provider_user"}), "prv-1"))
    key = Principal("k", "k", None, frozenset({"provider_admin"}), "prv-1", auth="api_key", key_id="k1")
    with pytest.raises(Forbidden, match="signed by a person"):
        svc._ensure_admin(Repos(), key)
