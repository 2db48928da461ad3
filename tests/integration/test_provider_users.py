"""Provider users through the real providers handler on moto: invite, list, passivate, teams, roles."""

from __future__ import annotations

import uuid
from pathlib import Path

import boto3
import pytest

from tests.factories import new_provider, provider_claims
from tests.integration.apigw import call, claims_for, event

pytestmark = pytest.mark.usefixtures("stack")


@pytest.fixture
def idp(stack):
    return boto3.client("cognito-idp", region_name=stack.region)


def _email(tag: str = "u") -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@testi.example"


@pytest.fixture
def company(stack, outbox):
    """A fresh provider with its first admin (created as registration does) and the admin's claims."""
    from seteli.adapters.identity import identity
    from seteli.services.users import invite_user
    from seteli.store import repositories

    repos = repositories()
    pid, _ = new_provider(repos)
    admin = invite_user(
        repos, identity(), provider_id=pid, email=_email("admin"), name="Anna Admin", role="provider_admin"
    )
    outbox.sent.clear()
    return pid, admin, provider_claims(pid, "provider_admin", sub=admin.subject)


def _users(pid: str) -> str:
    return f"/v1/providers/{pid}/users"


def _invite(fn, pid, claims, **body):
    body = {"email": _email(), "name": "Ville Käyttäjä", "role": "provider_user", **body}
    return call(fn("providers"), event("POST", _users(pid), body=body, claims=claims))


def _patch(fn, pid, subject, claims, **body):
    return call(fn("providers"), event("PATCH", f"{_users(pid)}/{subject}", body=body, claims=claims))


def _groups(idp, stack, email):
    res = idp.admin_list_groups_for_user(UserPoolId=stack.user_pool_id, Username=email)
    return {g["GroupName"] for g in res["Groups"]}


def test_an_admin_invites_a_user_into_cognito_and_by_email(fn, company, outbox, idp, stack):
    pid, _, admin = company
    email = _email("Hoitaja")  # mixed case: stored and signed in with in lower case
    status, headers, body = _invite(fn, pid, admin, email=email, teams=["home-care", "cleaning"])
    assert status == 201, body
    assert headers["location"] == f"{_users(pid)}/{body['subject']}"
    assert body["email"] == email.lower() and body["role"] == "provider_user"
    assert body["active"] is True and body["status"] == "active"
    assert body["teams"] == ["home-care", "cleaning"] and body["version"] == 1

    got = idp.admin_get_user(UserPoolId=stack.user_pool_id, Username=email.lower())
    attrs = {a["Name"]: a["Value"] for a in got["UserAttributes"]}
    assert attrs["custom:provider_id"] == pid and attrs["email_verified"] == "true"
    assert attrs["sub"] == body["subject"]
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD" and got["Enabled"] is True
    assert _groups(idp, stack, email.lower()) == {"provider_user"}

    (mail,) = outbox.sent
    assert mail.to == (email.lower(),)
    assert "seteli login" in mail.text and "Kertakäyttöinen salasana" in mail.text
    password = mail.text.split("Kertakäyttöinen salasana: ")[1].split()[0]
    # the emailed password is the real one: the first sign-in asks for a new password
    res = idp.initiate_auth(
        ClientId=stack.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email.lower(), "PASSWORD": password},
    )
    assert res["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_an_email_in_use_is_a_409_on_the_email(fn, company):
    pid, admin_user, admin = company
    status, _, body = _invite(fn, pid, admin, email=admin_user.email.upper())
    assert status == 409
    assert body["errors"] == [{"field": "body.email", "message": "a user with this email exists already"}]


def test_invalid_fields_are_422_naming_them(fn, company):
    pid, _, admin = company
    status, _, body = _invite(fn, pid, admin, email="not-an-email", teams=["home-care", "no-such-service"])
    assert status == 422
    assert {e["field"] for e in body["errors"]} == {"body.email", "body.teams.1"}
    assert "no-such-service" not in str(body) and "not-an-email" not in str(body)
    status, _, body = _invite(fn, pid, admin, role="municipality_admin", name=" ")
    assert status == 422
    assert {e["field"] for e in body["errors"]} >= {"body.role"}


def test_the_list_holds_passive_users_and_whom_it_is_shown_to(fn, company):
    pid, admin_user, admin = company
    _, _, ville = _invite(fn, pid, admin)
    status, _, body = _patch(fn, pid, ville["subject"], admin, version=ville["version"], active=False)
    assert status == 200 and body["status"] == "passive" and body["passivated_at"]

    user = provider_claims(pid, "provider_user", sub=ville["subject"])
    for claims in (admin, user, claims_for("municipality_admin"), claims_for("case_worker")):
        status, _, body = call(fn("providers"), event("GET", _users(pid), claims=claims))
        assert status == 200, body
        by_subject = {u["subject"]: u for u in body["items"]}
        assert set(by_subject) == {admin_user.subject, ville["subject"]}
        assert by_subject[ville["subject"]]["status"] == "passive"

    for claims in (provider_claims("prv-aurinkohoiva"), claims_for("citizen")):
        status, _, body = call(fn("providers"), event("GET", _users(pid), claims=claims))
        assert status == 403, body


def test_reading_one_user(fn, company):
    pid, admin_user, admin = company
    _, _, ville = _invite(fn, pid, admin)
    me = provider_claims(pid, "provider_user", sub=ville["subject"])
    path = f"{_users(pid)}/{ville['subject']}"
    for claims in (admin, me, claims_for("case_worker")):
        status, _, body = call(fn("providers"), event("GET", path, claims=claims))
        assert status == 200 and body["subject"] == ville["subject"]
    # a provider user reads only itself; another provider nothing
    status, _, _ = call(fn("providers"), event("GET", f"{_users(pid)}/{admin_user.subject}", claims=me))
    assert status == 403
    status, _, _ = call(fn("providers"), event("GET", path, claims=provider_claims("prv-aurinkohoiva")))
    assert status == 403
    status, _, _ = call(fn("providers"), event("GET", f"{_users(pid)}/no-such-user", claims=admin))
    assert status == 404


def test_passivate_and_reactivate_disable_and_enable_the_cognito_user(fn, company, idp, stack):
    pid, _, admin = company
    _, _, ville = _invite(fn, pid, admin)
    status, _, body = _patch(fn, pid, ville["subject"], admin, version=ville["version"], active=False)
    assert status == 200 and body["active"] is False and body["version"] == ville["version"] + 1
    assert idp.admin_get_user(UserPoolId=stack.user_pool_id, Username=ville["email"])["Enabled"] is False
    status, _, body = _patch(fn, pid, ville["subject"], admin, version=body["version"], active=True)
    assert status == 200 and body["status"] == "active" and body["passivated_at"] is None
    assert idp.admin_get_user(UserPoolId=stack.user_pool_id, Username=ville["email"])["Enabled"] is True


def test_a_stale_version_is_a_409_and_changes_nothing(fn, company, idp, stack):
    pid, _, admin = company
    _, _, ville = _invite(fn, pid, admin)
    status, _, _ = _patch(fn, pid, ville["subject"], admin, version=ville["version"], name="Ville V.")
    assert status == 200
    status, _, body = _patch(fn, pid, ville["subject"], admin, version=ville["version"], active=False)
    assert status == 409 and body["errors"][0]["field"] == "body.version"
    assert idp.admin_get_user(UserPoolId=stack.user_pool_id, Username=ville["email"])["Enabled"] is True
    _, _, now = call(fn("providers"), event("GET", f"{_users(pid)}/{ville['subject']}", claims=admin))
    assert now["active"] is True and now["name"] == "Ville V."


def test_the_last_active_admin_cannot_be_passivated_or_demoted(fn, company, idp, stack):
    pid, admin_user, admin = company
    for change in ({"active": False}, {"role": "provider_user"}):
        status, _, body = _patch(fn, pid, admin_user.subject, admin, version=admin_user.version, **change)
        assert status == 409, body
        assert "last active admin" in body["detail"]
    # with a second admin, the first may step down
    _, _, second = _invite(fn, pid, admin, role="provider_admin")
    status, _, body = _patch(fn, pid, admin_user.subject, admin, version=admin_user.version, role="provider_user")
    assert status == 200 and body["role"] == "provider_user"
    assert _groups(idp, stack, admin_user.email) == {"provider_user"}
    _, _, again = call(fn("providers"), event("GET", f"{_users(pid)}/{admin_user.subject}", claims=admin))
    assert again["version"] == body["version"] == admin_user.version + 1
    # now the second is the last one; and the demoted one may no longer manage users
    other = provider_claims(pid, "provider_admin", sub=second["subject"])
    status, _, body = _patch(fn, pid, second["subject"], other, version=second["version"], active=False)
    assert status == 409 and "last active admin" in body["detail"]
    status, _, _ = _invite(fn, pid, admin)
    assert status == 403


def test_two_admins_demoting_each_other_at_once_leave_one(fn, company):
    """The step-down is one transaction with a check that the other admin did not change meanwhile."""
    from seteli.domain.users import UserRole
    from seteli.errors import Conflict
    from seteli.store import repositories

    pid, admin_user, admin = company
    _, _, second = _invite(fn, pid, admin, role="provider_admin")
    users = repositories().users
    first, other = users.get(pid, admin_user.subject), users.get(pid, second["subject"])
    # both requests read the same state; the second one's write lands first
    users.update(other.model_copy(update={"role": UserRole.provider_user}), keep_admin=first)
    with pytest.raises(Conflict, match="changed meanwhile"):
        users.update(first.model_copy(update={"role": UserRole.provider_user}), keep_admin=other)
    assert users.get(pid, admin_user.subject).is_active_admin


def test_a_passive_admin_does_not_count_as_the_other_admin(fn, company):
    pid, admin_user, admin = company
    _, _, second = _invite(fn, pid, admin, role="provider_admin")
    status, _, _ = _patch(fn, pid, second["subject"], admin, version=second["version"], active=False)
    assert status == 200
    status, _, body = _patch(fn, pid, admin_user.subject, admin, version=admin_user.version, active=False)
    assert status == 409 and "last active admin" in body["detail"]


def test_teams_are_validated_and_decide_what_a_user_sees(fn, company):
    from seteli.api.auth import principal_from_claims
    from seteli.errors import Forbidden
    from seteli.services.teams import ensure_in_team, teams_of
    from seteli.store import repositories

    pid, _, admin = company
    _, _, ville = _invite(fn, pid, admin, teams=["home-care"])
    who = principal_from_claims(provider_claims(pid, "provider_user", sub=ville["subject"]))
    repos = repositories()
    ensure_in_team(repos, who, "home-care")
    with pytest.raises(Forbidden, match="cleaning"):
        ensure_in_team(repos, who, "cleaning")

    status, _, body = _patch(fn, pid, ville["subject"], admin, version=ville["version"], teams=["cleaning", "x-y"])
    assert status == 422 and [e["field"] for e in body["errors"]] == ["body.teams.1"]
    status, _, body = _patch(fn, pid, ville["subject"], admin, version=ville["version"], teams=["cleaning"])
    assert status == 200 and body["teams"] == ["cleaning"]
    ensure_in_team(repos, who, "cleaning")  # at the next request, not at the next sign-in
    with pytest.raises(Forbidden):
        ensure_in_team(repos, who, "home-care")

    status, _, body = _patch(fn, pid, ville["subject"], admin, version=body["version"], active=False)
    assert status == 200 and body["teams"] == ["cleaning"]  # kept for a reactivation...
    assert teams_of(repos, who) == frozenset()  # ...but a passive user sees no service
    with pytest.raises(Forbidden):
        ensure_in_team(repos, who, "cleaning")
    admin_who = principal_from_claims(admin)
    assert teams_of(repos, admin_who) is None


def test_who_may_not_add_or_change_users(fn, company):
    pid, admin_user, admin = company
    _, _, ville = _invite(fn, pid, admin)
    other_pid, _ = new_provider(__import__("seteli.store", fromlist=["repositories"]).repositories())
    forbidden = {
        "another provider's admin": provider_claims(other_pid, "provider_admin"),
        "a provider user": provider_claims(pid, "provider_user", sub=ville["subject"]),
        "a citizen": claims_for("citizen"),
        "a municipality admin": claims_for("municipality_admin"),
    }
    for who, claims in forbidden.items():
        status, _, body = _invite(fn, pid, claims)
        assert status == 403, who
        status, _, body = _patch(fn, pid, ville["subject"], claims, version=ville["version"], active=False)
        assert status == 403, who
    # a 403 does not reveal whether the user exists
    status, _, _ = _patch(fn, pid, "no-such-user", forbidden["another provider's admin"], version=1, name="X")
    assert status == 403
    status, _, _ = call(fn("providers"), event("POST", _users(pid), body={"email": _email(), "name": "X"}))
    assert status == 401


def test_an_unknown_provider_is_a_404_for_the_municipality(fn):
    status, _, _ = call(fn("providers"), event("GET", _users("prv-nobody"), as_group="municipality_admin"))
    assert status == 404


def test_demo_provider_users_get_their_records(stack):
    from local.users import DEMO_USER_DETAILS, create_demo_users, store_demo_user_records
    from seteli.config import settings
    from seteli.domain.tenant_file import load_tenant_yaml
    from seteli.store import repositories

    tag = uuid.uuid4().hex[:8]
    users = [
        {"username": f"boss-{tag}@demo.example", "password": "Demo-pass-1", "group": "provider_admin"},
        {"username": f"nurse-{tag}@demo.example", "password": "Demo-pass-1", "group": "provider_user"},
        {"username": f"citizen-{tag}@demo.example", "password": "Demo-pass-1", "group": "citizen"},
    ]
    for u in users[:2]:
        u["provider_id"] = "prv-aurinkohoiva"
    users[1]["teams"] = ["home-care", "cleaning"]
    create_demo_users(stack.user_pool_id, users, stack.region)
    assert store_demo_user_records(settings(), users) == 2
    assert store_demo_user_records(settings(), users) == 0  # idempotent
    listed = {u.email: u for u in repositories().users.list("prv-aurinkohoiva")}
    boss, nurse = listed[users[0]["username"]], listed[users[1]["username"]]
    assert boss.role == "provider_admin" and boss.active
    assert nurse.role == "provider_user" and nurse.teams == ["home-care", "cleaning"]
    # the built-in demo teams are services of the demo tenant
    services = {s.id for s in load_tenant_yaml(Path(__file__).parents[2] / "tenants" / "demo.yaml").services}
    assert {t for d in DEMO_USER_DETAILS.values() for t in d["teams"]} <= services
