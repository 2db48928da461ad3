"""Provider users: the rules, and the use cases over an in-memory pool and repository."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from seteli.adapters.email import render
from seteli.adapters.identity import FakeIdentity, meets_policy, temporary_password, use_identity
from seteli.api.auth import Principal
from seteli.domain.users import ProviderUser, UserRole
from seteli.errors import Conflict, Forbidden, NotFound, ValidationFailed
from seteli.services import tenant_config
from seteli.services import users as svc
from seteli.services.teams import ensure_in_team, teams_of, via_api_key

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


class MemUsers:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], ProviderUser] = {}
        self.fail_next_update = False

    def get(self, provider_id, subject):
        return self.rows.get((provider_id, subject))

    def list(self, provider_id):
        return sorted((u for (p, _), u in self.rows.items() if p == provider_id), key=lambda u: u.email)

    def create(self, user):
        if (user.provider_id, user.subject) in self.rows:
            raise Conflict("exists")
        saved = user.model_copy(update={"version": 1})
        self.rows[(user.provider_id, user.subject)] = saved
        return saved

    def update(self, user, keep_admin=None):
        current = self.rows[(user.provider_id, user.subject)]
        if current.version != user.version:
            raise Conflict("stale")
        if keep_admin is not None:
            other = self.rows[(keep_admin.provider_id, keep_admin.subject)]
            assert other.version == keep_admin.version and other.is_active_admin
        saved = user.model_copy(update={"version": user.version + 1})
        self.rows[(user.provider_id, user.subject)] = saved
        return saved


class Tenant:
    def __init__(self) -> None:
        from seteli.domain.tenant_file import load_tenant_yaml

        self.tenant = load_tenant_yaml(ROOT / "tenants" / "demo.yaml")

    def get(self):
        return self.tenant


class Providers:
    def get(self, provider_id):
        class P:
            name = "Testihoiva Oy"

        return P() if provider_id.startswith("prv-") else None


class Repos:
    def __init__(self) -> None:
        self.users = MemUsers()
        self.tenant = Tenant()
        self.providers = Providers()


@pytest.fixture
def repos():
    tenant_config.forget()
    yield Repos()
    tenant_config.forget()


@pytest.fixture
def pool():
    fake = FakeIdentity()
    use_identity(fake)
    yield fake
    use_identity(None)


def who(provider_id="prv-a", group="provider_admin", sub="sub-admin", **extra) -> Principal:
    p = Principal(subject=sub, username=sub, email=None, groups=frozenset({group}), provider_id=provider_id)
    for k, v in extra.items():
        object.__setattr__(p, k, v)
    return p


def user(sub="s1", role="provider_user", active=True, teams=(), provider_id="prv-a") -> ProviderUser:
    return ProviderUser(
        subject=sub,
        provider_id=provider_id,
        email=f"{sub}@x.example",
        name=sub,
        role=UserRole(role),
        active=active,
        teams=list(teams),
        created_at=T0,
        updated_at=T0,
        version=1,
    )


# ---------------------------------------------------------------- rules


@pytest.mark.parametrize("email", ["a@b.fi", "Matti.Meikalainen+x@kunta.example", " a@b.fi "])
def test_good_emails(email):
    assert svc.email_problem(email) is None


@pytest.mark.parametrize("email", ["", " ", "a", "a@b", "a@b.", "a b@c.fi", "a@@b.fi", "x" * 250 + "@b.fi"])
def test_bad_emails(email):
    assert svc.email_problem(email)


def test_names():
    assert svc.name_problem("Anna") is None
    assert svc.name_problem("  ") and svc.name_problem("x" * 201)


def test_team_problems_name_the_index_and_not_the_value():
    errors = svc.team_problems(["home-care", "nope", "cleaning", "ghost"], ["home-care", "cleaning"])
    assert [e.field for e in errors] == ["body.teams.1", "body.teams.3"]
    assert "nope" not in str(errors) and "ghost" not in str(errors)
    assert svc.team_problems([], ["home-care"]) == []


def test_dedupe_keeps_order():
    assert svc.dedupe(["b", "a", "b"]) == ["b", "a"]


def test_last_admin_rule():
    a, b = user("a", "provider_admin"), user("b", "provider_admin")
    demoted = a.model_copy(update={"role": UserRole.provider_user})
    passive = a.model_copy(update={"active": False})
    assert "last active admin" in svc.last_admin_problem(a, demoted, [a])
    assert "passivate" in svc.last_admin_problem(a, passive, [])
    assert svc.last_admin_problem(a, passive, [a, b]) is None
    assert svc.last_admin_problem(a, passive, [b.model_copy(update={"active": False})])
    assert svc.last_admin_problem(a, passive, [user("c")])  # a provider user is no admin
    # a non-admin, or a change that keeps the admin, never trips the rule
    assert svc.last_admin_problem(user("u"), user("u", active=False), []) is None
    assert svc.last_admin_problem(a, a.model_copy(update={"name": "x"}), []) is None


def test_temporary_passwords_meet_the_pool_policy():
    passwords = {temporary_password() for _ in range(200)}
    assert len(passwords) == 200
    assert all(meets_policy(p) and len(p) >= 8 for p in passwords)
    assert not meets_policy("short1A") and not meets_policy("alllower12") and not meets_policy("NoDigitsHere")


def test_the_invitation_email_is_finnish_first_and_tells_how_to_sign_in():
    mail = render(
        "user_invited",
        "a@b.fi",
        name="Anna",
        email="a@b.fi",
        provider_name="Testihoiva Oy",
        admin=True,
        temporary_password="Abc12345xyZ",
    )
    assert mail.to == ("a@b.fi",) and "Seteli" in mail.subject
    assert mail.text.startswith("Hei Anna")
    assert "seteli login --username a@b.fi" in mail.text and "Abc12345xyZ" in mail.text
    assert "vaihdettava salasana" in mail.text and "pääkäyttäjänä" in mail.text
    assert mail.text.index("Hei") < mail.text.index("Hej") < mail.text.index("Hello")


# ---------------------------------------------------------------- use cases


def test_invite_creates_the_pool_user_the_record_and_sends_the_password(repos, pool, outbox):
    u = svc.invite_user(
        repos,
        pool,
        provider_id="prv-a",
        email="Anna@X.example",
        name=" Anna ",
        role="provider_user",
        teams=["home-care", "home-care", "cleaning"],
        invited_by="sub-admin",
    )
    assert u.email == "anna@x.example" and u.name == "Anna" and u.teams == ["home-care", "cleaning"]
    assert u.active and u.version == 1 and u.invited_by == "sub-admin"
    fake = pool.get("anna@x.example")
    assert fake.subject == u.subject and fake.provider_id == "prv-a" and fake.groups == {"provider_user"}
    assert meets_policy(fake.temporary_password)
    (mail,) = outbox.sent
    assert mail.to == ("anna@x.example",) and fake.temporary_password in mail.text
    assert repos.users.get("prv-a", u.subject) == u


def test_invite_refuses_a_taken_email_with_a_409_on_the_field(repos, pool, outbox):
    svc.invite_user(repos, pool, provider_id="prv-a", email="a@x.example", name="A", role="provider_admin")
    with pytest.raises(Conflict) as exc:
        svc.invite_user(repos, pool, provider_id="prv-b", email="A@x.example", name="A", role="provider_user")
    assert exc.value.errors[0].field == "body.email"
    assert len(outbox.sent) == 1


def test_invite_validates_every_field_before_touching_the_pool(repos, pool, outbox):
    with pytest.raises(ValidationFailed) as exc:
        svc.invite_user(
            repos, pool, provider_id="prv-a", email="nope", name="", role="citizen", teams=["home-care", "x"]
        )
    assert {e.field for e in exc.value.errors} == {"body.email", "body.name", "body.role", "body.teams.1"}
    assert pool.users == {} and outbox.sent == []


def test_a_failed_record_undoes_the_pool_user(repos, pool, outbox):
    def boom(_user):
        raise RuntimeError("table down")

    repos.users.create = boom
    with pytest.raises(RuntimeError):
        svc.invite_user(repos, pool, provider_id="prv-a", email="a@x.example", name="A", role="provider_user")
    assert pool.users == {} and outbox.sent == []


def test_only_an_active_admin_of_the_provider_manages_users(repos, pool, outbox):
    args = {"email": "n@x.example", "name": "N", "role": "provider_user"}
    for caller in (who("prv-b"), who(group="provider_user"), who(None, "municipality_admin"), who(None, "citizen")):
        with pytest.raises(Forbidden):
            svc.add_user(repos, pool, caller, "prv-a", **args)
    repos.users.rows[("prv-a", "sub-admin")] = user("sub-admin", "provider_admin", active=False)
    with pytest.raises(Forbidden, match="no longer an active admin"):
        svc.add_user(repos, pool, who(), "prv-a", **args)
    assert pool.users == {}
    with pytest.raises(NotFound):
        svc.add_user(repos, pool, who("xyz", sub="sub-x"), "xyz", **args)


def test_read_rules(repos):
    repos.users.rows[("prv-a", "s1")] = user("s1")
    repos.users.rows[("prv-a", "s2")] = user("s2")
    assert len(svc.list_users(repos, who(group="provider_user", sub="s1"), "prv-a")) == 2
    assert len(svc.list_users(repos, who(None, "case_worker"), "prv-a")) == 2
    assert svc.read_user(repos, who(group="provider_user", sub="s1"), "prv-a", "s1").subject == "s1"
    with pytest.raises(Forbidden):
        svc.read_user(repos, who(group="provider_user", sub="s1"), "prv-a", "s2")
    with pytest.raises(Forbidden):
        svc.list_users(repos, who("prv-b"), "prv-a")
    with pytest.raises(Forbidden):
        svc.list_users(repos, who(None, "citizen"), "prv-a")
    with pytest.raises(NotFound):
        svc.list_users(repos, who(None, "case_worker"), "nope")


def _setup(repos, pool):
    admin = svc.invite_user(repos, pool, provider_id="prv-a", email="adm@x.example", name="A", role="provider_admin")
    u = svc.invite_user(repos, pool, provider_id="prv-a", email="u@x.example", name="U", role="provider_user")
    return admin, u, who(sub=admin.subject)


def test_update_passivates_in_the_pool_and_keeps_the_user(repos, pool, outbox):
    admin, u, me = _setup(repos, pool)
    out = svc.update_user(repos, pool, me, "prv-a", u.subject, version=u.version, active=False)
    assert not out.active and out.passivated_at and out.version == u.version + 1
    assert pool.get(u.email).enabled is False
    assert [x.subject for x in svc.list_users(repos, me, "prv-a") if not x.active] == [u.subject]
    out = svc.update_user(repos, pool, me, "prv-a", u.subject, version=out.version, active=True)
    assert out.active and out.passivated_at is None and pool.get(u.email).enabled


def test_update_role_moves_the_pool_group(repos, pool, outbox):
    admin, u, me = _setup(repos, pool)
    out = svc.update_user(repos, pool, me, "prv-a", u.subject, version=u.version, role="provider_admin")
    assert out.role == UserRole.provider_admin and pool.get(u.email).groups == {"provider_admin"}
    # now there are two admins: the first may step down
    out = svc.update_user(repos, pool, me, "prv-a", admin.subject, version=admin.version, role="provider_user")
    assert out.role == UserRole.provider_user


def test_update_refuses_the_last_admin_stale_versions_and_bad_teams(repos, pool, outbox):
    admin, u, me = _setup(repos, pool)
    with pytest.raises(Conflict, match="last active admin"):
        svc.update_user(repos, pool, me, "prv-a", admin.subject, version=admin.version, active=False)
    assert pool.get(admin.email).enabled
    svc.update_user(repos, pool, me, "prv-a", u.subject, version=u.version, name="Uu")
    with pytest.raises(Conflict) as exc:
        svc.update_user(repos, pool, me, "prv-a", u.subject, version=u.version, active=False)
    assert exc.value.errors[0].field == "body.version" and pool.get(u.email).enabled
    with pytest.raises(ValidationFailed) as exc:
        svc.update_user(repos, pool, me, "prv-a", u.subject, version=u.version + 1, teams=["x"], role="boss")
    assert {e.field for e in exc.value.errors} == {"body.teams.0", "body.role"}
    with pytest.raises(NotFound):
        svc.update_user(repos, pool, me, "prv-a", "nobody", version=1, name="x")


def test_update_without_changes_keeps_the_version(repos, pool, outbox):
    _, u, me = _setup(repos, pool)
    out = svc.update_user(repos, pool, me, "prv-a", u.subject, version=u.version, name="U", active=True)
    assert out.version == u.version


def test_a_refusing_pool_puts_the_record_back(repos, pool, outbox):
    _, u, me = _setup(repos, pool)

    def refuse(_email):
        raise RuntimeError("cognito down")

    pool.disable = refuse
    with pytest.raises(RuntimeError):
        svc.update_user(repos, pool, me, "prv-a", u.subject, version=u.version, active=False)
    assert repos.users.get("prv-a", u.subject).active is True


# ---------------------------------------------------------------- teams


def test_teams_of(repos):
    repos.users.rows[("prv-a", "s1")] = user("s1", teams=["home-care"])
    repos.users.rows[("prv-a", "s2")] = user("s2", teams=["home-care"], active=False)
    repos.users.rows[("prv-a", "adm")] = user("adm", "provider_admin")
    repos.users.rows[("prv-a", "old")] = user("old", "provider_admin", active=False)
    assert teams_of(repos, who(group="provider_user", sub="s1")) == frozenset({"home-care"})
    assert teams_of(repos, who(group="provider_user", sub="s2")) == frozenset()  # passive
    assert teams_of(repos, who(group="provider_user", sub="nobody")) == frozenset()
    assert teams_of(repos, who(sub="adm")) is None
    assert teams_of(repos, who(sub="old")) == frozenset()  # a passivated admin with a live token
    assert teams_of(repos, who(sub="no-record")) is None  # the token's group decides
    assert teams_of(repos, who(None, "case_worker")) is None


def test_ensure_in_team(repos):
    repos.users.rows[("prv-a", "s1")] = user("s1", teams=["home-care"])
    ensure_in_team(repos, who(group="provider_user", sub="s1"), "home-care")
    with pytest.raises(Forbidden, match="cleaning"):
        ensure_in_team(repos, who(group="provider_user", sub="s1"), "cleaning")


@pytest.mark.parametrize(
    "flag", [{"via_api_key": True}, {"auth": "api_key"}, {"auth": "api-key"}, {"api_key_id": "k1"}]
)
def test_api_keys_see_all_services_of_their_provider(repos, flag):
    key = who(group="provider_user", sub="key-1", **flag)
    assert via_api_key(key)
    assert teams_of(repos, key) is None
    assert not via_api_key(who(group="provider_user"))
