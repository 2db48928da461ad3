"""API plumbing: claims, groups, access rule, paging cursors, ISO-only dates."""

import pytest
from pydantic import TypeAdapter, ValidationError

from seteli.api.auth import Principal, parse_groups, principal_from_event, require_group, require_principal
from seteli.api.paging import decode_cursor, encode_cursor
from seteli.api.types import IsoDate, Month
from seteli.errors import Forbidden, Unauthorized, ValidationFailed
from seteli.rules.access import can_read_provider, ensure_can_read_provider


def _event(claims):
    return {"requestContext": {"authorizer": {"claims": claims}}}


@pytest.mark.parametrize(
    ("raw", "groups"),
    [
        ("provider_admin", {"provider_admin"}),
        ("provider_admin,provider_user", {"provider_admin", "provider_user"}),
        ("[provider_admin provider_user]", {"provider_admin", "provider_user"}),
        (["citizen"], {"citizen"}),
        (None, set()),
        ("", set()),
    ],
)
def test_groups_in_every_shape_api_gateway_sends(raw, groups):
    assert parse_groups(raw) == groups


def test_principal_from_authorizer_claims():
    p = principal_from_event(
        _event(
            {
                "sub": "u1",
                "cognito:username": "u1",
                "email": "a@b.fi",
                "cognito:groups": "provider_admin",
                "custom:provider_id": "prv-a",
                "token_use": "id",
            }
        )
    )
    assert p == Principal("u1", "u1", "a@b.fi", frozenset({"provider_admin"}), "prv-a")
    assert p.is_provider and not p.is_municipality


def test_no_claims_is_401_and_access_tokens_are_not_identities():
    with pytest.raises(Unauthorized):
        require_principal({"requestContext": {}})
    assert principal_from_event(_event({"sub": "u1", "token_use": "access"})) is None


def _p(groups, provider_id=None):
    return Principal("s", "u", None, frozenset(groups), provider_id)


def test_provider_sees_only_itself_municipality_sees_all():
    assert can_read_provider(_p({"provider_user"}, "prv-a"), "prv-a")
    assert not can_read_provider(_p({"provider_user"}, "prv-a"), "prv-b")
    assert can_read_provider(_p({"case_worker"}), "prv-b")
    assert not can_read_provider(_p({"citizen"}), "prv-a")
    # a provider group without a provider id in the token sees nothing
    assert not can_read_provider(_p({"provider_admin"}), "prv-a")
    with pytest.raises(Forbidden):
        ensure_can_read_provider(_p({"provider_admin"}, "prv-a"), "prv-b")


def test_require_group():
    require_group(_p({"municipality_admin"}), "municipality_admin")
    with pytest.raises(Forbidden):
        require_group(_p({"case_worker"}), "municipality_admin")


def test_cursor_round_trip_and_tampering_is_refused():
    key = {"pk": "PROVIDER#a", "sk": "PART#x"}
    cursor = encode_cursor(key, "secret")
    assert decode_cursor(cursor, "secret") == key
    assert encode_cursor(None, "secret") is None and decode_cursor(None, "secret") is None
    forged = encode_cursor({"pk": "PROVIDER#b", "sk": "PART#x"}, "other-secret")
    for bad in (forged, "not-base64!", cursor[:-3]):
        with pytest.raises(ValidationFailed) as err:
            decode_cursor(bad, "secret")
        assert err.value.errors[0].field == "next"


@pytest.mark.parametrize("bad", [0, "0", 20260101, "2026-1-1", "01.01.2026", "2026-02-30", "2026-01-01T00:00"])
def test_dates_are_iso_only(bad):
    with pytest.raises(ValidationError):
        TypeAdapter(IsoDate).validate_python(bad)


def test_iso_date_and_month_accepted():
    assert str(TypeAdapter(IsoDate).validate_python("2026-02-28")) == "2026-02-28"
    assert TypeAdapter(Month).validate_python("2026-11") == "2026-11"
    with pytest.raises(ValidationError):
        TypeAdapter(Month).validate_python("2026-13")
