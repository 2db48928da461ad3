"""API keys, pure: the key's format and hash, the expiry rules, who may manage keys, and the two
shapes of the authorizer's answer that reach a handler."""

from datetime import UTC, date, datetime

import pytest

from seteli.api.auth import Principal, principal_from_event
from seteli.domain.api_keys import ApiKey
from seteli.errors import Forbidden, ValidationFailed
from seteli.rules import api_keys as rules
from seteli.services.api_keys import today

TODAY = date(2026, 3, 10)


def _p(groups, provider_id=None, auth="cognito", key_id=None):
    return Principal("s", "u", None, frozenset(groups), provider_id, auth=auth, key_id=key_id)


# ---------------------------------------------------------------- the key


def test_a_new_key_has_the_documented_shape_and_parses_back_to_its_id():
    key_id, key = rules.new_key()
    assert key.startswith(f"seteli_{key_id}_") and len(key_id) == 12 and key_id.isalnum() and key_id.islower()
    assert len(key) == len("seteli_") + 12 + 1 + 43
    assert rules.parse_key(key) == key_id
    assert rules.parse_key(f"  {key}\n") == key_id
    assert rules.new_key()[1] != key  # random


@pytest.mark.parametrize(
    "bad",
    [
        None,
        "",
        "seteli_",
        "seteli_abc_def",
        "seteli_ABCDEFGHIJKL_" + "a" * 43,  # upper-case id
        "seteli_abcdefghijkl_" + "a" * 42,  # secret too short
        "seteli_abcdefghijkl_" + "a" * 44,
        "setali_abcdefghijkl_" + "a" * 43,
        "seteli_abcdefghijkl_" + "a" * 42 + "=",
        "Bearer eyJ...",
    ],
)
def test_anything_else_is_not_a_key(bad):
    assert rules.parse_key(bad) is None


def test_the_hash_is_sha256_of_the_whole_key_and_compares_exactly():
    _, key = rules.new_key()
    h = rules.hash_key(key)
    assert len(h) == 64 and key not in h
    assert rules.key_matches(key, h)
    assert not rules.key_matches(key[:-1] + ("A" if key[-1] != "A" else "B"), h)
    assert not rules.key_matches(key, "")
    assert rules.last4(key) == key[-4:]


# ---------------------------------------------------------------- expiry


@pytest.mark.parametrize(
    ("expires_on", "problem"),
    [
        (None, "required"),
        (TODAY, "after today"),
        (date(2026, 3, 9), "after today"),
        (date(2027, 3, 11), "at most 365 days"),
        (date(2026, 3, 11), None),
        (date(2027, 3, 10), None),  # exactly 365 days ahead
    ],
)
def test_a_key_expires_after_today_and_at_most_a_year_ahead(expires_on, problem):
    got = rules.expiry_problem(expires_on, TODAY)
    assert (got is None) if problem is None else (problem in got)


def test_a_bad_new_key_names_its_fields():
    with pytest.raises(ValidationFailed) as exc:
        rules.validate_new_key("  ", date(2030, 1, 1), TODAY)
    assert {e.field for e in exc.value.errors} == {"body.name", "body.expires_on"}
    with pytest.raises(ValidationFailed):
        rules.validate_new_key("x" * 101, date(2026, 4, 1), TODAY)
    with pytest.raises(ValidationFailed):
        rules.validate_new_key("tab\there", date(2026, 4, 1), TODAY)
    rules.validate_new_key("Toiminnanohjaus", date(2026, 4, 1), TODAY)


def test_a_key_works_through_its_last_day_unless_revoked():
    assert rules.is_usable(False, TODAY, TODAY)
    assert not rules.is_usable(False, date(2026, 3, 9), TODAY)
    assert not rules.is_usable(True, date(2026, 4, 1), TODAY)
    key = ApiKey(
        id="abcdefghijkl",
        provider_id="prv-a",
        name="n",
        hash="h",
        created_by="s",
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        expires_on=TODAY,
    )
    assert key.status(TODAY) == "active" and key.status(date(2026, 3, 11)) == "expired"
    assert key.model_copy(update={"revoked_at": datetime.now(UTC)}).status(TODAY) == "revoked"


def test_today_is_the_helsinki_date():
    # 22:30 UTC on 31 Dec is already 1 Jan in Helsinki (UTC+2)
    assert today(datetime(2025, 12, 31, 22, 30, tzinfo=UTC)) == date(2026, 1, 1)
    assert today(datetime(2025, 12, 31, 21, 30, tzinfo=UTC)) == date(2025, 12, 31)


# ---------------------------------------------------------------- who may manage keys


def test_only_the_providers_own_admin_creates_keys():
    rules.ensure_can_create_keys(_p({"provider_admin"}, "prv-a"), "prv-a")
    for who, target in (
        (_p({"provider_admin"}, "prv-b"), "prv-a"),  # another provider
        (_p({"provider_user"}, "prv-a"), "prv-a"),
        (_p({"municipality_admin"}), "prv-a"),
        (_p({"case_worker"}), "prv-a"),
        (_p({"citizen"}), "prv-a"),
        (_p({"provider_admin"}, "prv-a", auth="api_key", key_id="abcdefghijkl"), "prv-a"),  # a key
    ):
        with pytest.raises(Forbidden):
            rules.ensure_can_create_keys(who, target)


def test_the_provider_admin_and_municipality_admins_list_and_revoke():
    for ensure in (rules.ensure_can_read_keys, rules.ensure_can_revoke_keys):
        ensure(_p({"provider_admin"}, "prv-a"), "prv-a")
        ensure(_p({"municipality_admin"}), "prv-a")
        for who in (
            _p({"provider_admin"}, "prv-b"),
            _p({"provider_user"}, "prv-a"),
            _p({"case_worker"}),
            _p({"provider_admin"}, "prv-a", auth="api_key", key_id="abcdefghijkl"),
        ):
            with pytest.raises(Forbidden):
                ensure(who, "prv-a")


# ---------------------------------------------------------------- what a handler receives


def test_principal_from_the_cognito_authorizers_claims():
    claims = {
        "sub": "u1",
        "cognito:username": "u1",
        "email": "a@b.fi",
        "cognito:groups": "provider_admin",
        "custom:provider_id": "prv-a",
        "token_use": "id",
    }
    p = principal_from_event({"requestContext": {"authorizer": {"claims": claims}}})
    assert p == Principal("u1", "u1", "a@b.fi", frozenset({"provider_admin"}), "prv-a")
    assert p.auth == "cognito" and not p.via_api_key


def test_principal_from_the_lambda_authorizers_flat_context():
    ctx = {
        "sub": "u1",
        "username": "maija",
        "email": "a@b.fi",
        "groups": "provider_admin,provider_user",
        "provider_id": "prv-a",
        "auth": "cognito",
        "principalId": "u1",  # API Gateway adds these two
        "integrationLatency": 12,
    }
    p = principal_from_event({"requestContext": {"authorizer": ctx}})
    assert p.subject == "u1" and p.username == "maija" and p.email == "a@b.fi"
    assert p.groups == {"provider_admin", "provider_user"} and p.provider_id == "prv-a"
    assert not p.via_api_key and p.key_id is None


def test_principal_of_an_api_key():
    ctx = {
        "sub": "apikey:abcdefghijkl",
        "username": "api key ERP",
        "email": "",
        "groups": "provider_admin",
        "provider_id": "prv-a",
        "auth": "api_key",
        "key_id": "abcdefghijkl",
    }
    p = principal_from_event({"requestContext": {"authorizer": ctx}})
    assert p.via_api_key and p.key_id == "abcdefghijkl" and p.email is None
    assert p.is_provider and p.groups == {"provider_admin"} and p.username == "api key ERP"
    from seteli.services.teams import via_api_key

    assert via_api_key(p)  # every service, as teams.py treats keys


@pytest.mark.parametrize(
    "ctx",
    [
        {},
        {"principalId": "x"},
        {"sub": "apikey:x", "auth": "api_key", "groups": "provider_admin"},  # a key without its id
        {"sub": "u", "auth": "something-else"},
    ],
)
def test_an_incomplete_context_is_nobody(ctx):
    assert principal_from_event({"requestContext": {"authorizer": ctx}}) is None
