"""Access tokens for one entitlement without bank ID (seteli.rules.citizen_access)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from seteli.config import Settings
from seteli.rules.citizen_access import (
    access_token,
    check_access_token,
    citizen_access_secret,
    codes_match,
    normalise_code,
)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SECRET = "s" * 64


def test_a_token_grants_its_decision_number_until_it_expires():
    token = access_token("JKL-2026-0101", SECRET, NOW + timedelta(minutes=30))
    assert check_access_token(token, SECRET, NOW) == "JKL-2026-0101"
    assert check_access_token(token, SECRET, NOW + timedelta(minutes=29)) == "JKL-2026-0101"
    assert check_access_token(token, SECRET, NOW + timedelta(minutes=30)) is None


def test_forged_or_malformed_tokens_grant_nothing():
    token = access_token("JKL-2026-0101", SECRET, NOW + timedelta(minutes=30))
    prefix, payload, sig = token.split(".")
    other = access_token("JKL-2026-0102", SECRET, NOW + timedelta(minutes=30)).split(".")[1]
    assert check_access_token(f"{prefix}.{other}.{sig}", SECRET, NOW) is None  # payload swapped
    assert check_access_token(token, "t" * 64, NOW) is None  # another stack's key
    for bad in ("", "x", "a.b", "a.b.c.d", f"sca2.{payload}.{sig}", "sca1.ä.b", "sca1.!!.??", None):
        assert check_access_token(bad, SECRET, NOW) is None


def test_codes_are_compared_as_typed_from_a_letter():
    assert normalise_code(" aino-2026 kt ") == "AINO2026KT"
    assert codes_match("aino 2026-kt", "AINO2026KT")
    assert not codes_match("AINO2026KX", "AINO2026KT")
    assert not codes_match("", "AINO2026KT")


def test_the_key_is_the_stacks_own():
    a = Settings(tenant_id="a", table_name="t")
    b = Settings(tenant_id="b", table_name="t")
    assert citizen_access_secret(a) == citizen_access_secret(a) != citizen_access_secret(b)


def test_a_relative_is_found_by_the_email_of_their_citizen_sign_in():
    from seteli.adapters.identity import FakeIdentity
    from seteli.services.citizens import citizen_subject

    pool = FakeIdentity()
    sub = pool.create_user("Sisko@Example.fi", "Sisko", "citizen", None)
    pool.create_user("hoitaja@example.fi", "Hoitaja", "provider_user", "prv-a")
    assert citizen_subject(pool, " sisko@example.FI ") == sub
    assert citizen_subject(pool, "hoitaja@example.fi") is None  # not a citizen
    assert citizen_subject(pool, "nobody@example.fi") is None
    pool.disable("sisko@example.fi")
    assert citizen_subject(pool, "sisko@example.fi") is None
