"""The `seteli` CLI and the Cognito sign-in against a simulated API and Cognito (httpx.MockTransport).

The fake Cognito speaks the JSON protocol (X-Amz-Target, application/x-amz-json-1.1); the fake API
checks the bearer token's expiry and the provider id as the real one does, so a missing refresh or a
wrong header makes the tests fail.
"""

from __future__ import annotations

import base64
import io
import json
import stat
import time
import uuid

import httpx
import pytest

from seteli_client import auth, cli, config

API = "http://api.test"
COGNITO = "http://cognito.test"
PASSWORD = "Demo-pass-2026"


def jwt(claims: dict) -> str:
    def enc(d: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")

    return f"{enc({'alg': 'RS256', 'kid': 'k'})}.{enc(claims)}.c2ln"


def claims_of(request: httpx.Request) -> dict | None:
    value = request.headers.get("Authorization", "")
    if not value.startswith("Bearer "):
        return None
    try:
        return auth.jwt_claims(value.removeprefix("Bearer "))
    except ValueError:
        return None


class FakeStack:
    """Cognito (USER_PASSWORD_AUTH, NEW_PASSWORD_REQUIRED, REFRESH_TOKEN_AUTH) and a few API routes."""

    def __init__(self) -> None:
        self.users = {
            "paakayttaja@a.example": {"password": PASSWORD, "group": "provider_admin", "provider_id": "prv-a"},
            "admin@kunta.example": {"password": PASSWORD, "group": "municipality_admin", "provider_id": None},
        }
        self.refresh_tokens: dict[str, str] = {}
        self.sessions: dict[str, str] = {}
        self.ttl = 3600
        self.cognito_calls: list[tuple[str, dict]] = []
        self.api_calls: list[httpx.Request] = []
        self.services: list[dict] = [
            {
                "id": "home-care",
                "name": "Kotihoito",
                "kind": "voucher",
                "description": "Apua kotiin",
                "contents": [
                    {"id": "home-care-weekday", "name": "Kotihoito arkisin", "unit": "hour", "voucher_value": "32.00"}
                ],
            },
            {"id": "errand-help", "name": "Asiointiapu", "contents": [{"id": "errand", "subsidy": "20.00"}]},
        ]

    # -------------------------------------------------------- tokens

    def id_token(self, username: str, ttl: int | None = None) -> str:
        u = self.users[username]
        claims = {
            "sub": f"sub-{username}",
            "email": username,
            "cognito:username": f"sub-{username}",
            "cognito:groups": [u["group"]],
            "token_use": "id",
            "exp": int(time.time()) + (self.ttl if ttl is None else ttl),
            "jti": str(uuid.uuid4()),
        }
        if u["provider_id"]:
            claims["custom:provider_id"] = u["provider_id"]
        return jwt(claims)

    def _result(self, username: str, with_refresh: bool = True) -> dict:
        out = {
            "IdToken": self.id_token(username),
            "AccessToken": "access",
            "ExpiresIn": self.ttl,
            "TokenType": "Bearer",
        }
        if with_refresh:
            rt = f"rt-{uuid.uuid4()}"
            self.refresh_tokens[rt] = username
            out["RefreshToken"] = rt
        return out

    # -------------------------------------------------------- HTTP

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "cognito.test":
            return self.cognito(request)
        self.api_calls.append(request)
        return self.api(request)

    @staticmethod
    def error(code: str, message: str) -> httpx.Response:
        return httpx.Response(400, json={"__type": code, "message": message})

    def cognito(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert request.headers["Content-Type"] == "application/x-amz-json-1.1"
        target = request.headers["X-Amz-Target"]
        assert target.startswith("AWSCognitoIdentityProviderService.")
        op = target.split(".", 1)[1]
        body = json.loads(request.content)
        self.cognito_calls.append((op, body))
        assert body["ClientId"] == "client-1"
        if op == "InitiateAuth" and body["AuthFlow"] == "USER_PASSWORD_AUTH":
            p = body["AuthParameters"]
            u = self.users.get(p["USERNAME"])
            if u is None:
                return self.error("UserNotFoundException", "User does not exist.")
            if u.get("reset"):
                return self.error("PasswordResetRequiredException", "Password reset required for the user")
            if u["password"] != p["PASSWORD"]:
                return self.error("NotAuthorizedException", "Incorrect username or password.")
            if u.get("force_change"):
                session = f"sess-{uuid.uuid4()}"
                self.sessions[session] = p["USERNAME"]
                return httpx.Response(
                    200,
                    json={
                        "ChallengeName": "NEW_PASSWORD_REQUIRED",
                        "Session": session,
                        "ChallengeParameters": {"USERNAME": p["USERNAME"]},
                    },
                )
            return httpx.Response(200, json={"AuthenticationResult": self._result(p["USERNAME"])})
        if op == "InitiateAuth" and body["AuthFlow"] == "REFRESH_TOKEN_AUTH":
            username = self.refresh_tokens.get(body["AuthParameters"]["REFRESH_TOKEN"])
            if username is None:
                return self.error("NotAuthorizedException", "Refresh Token has been revoked")
            return httpx.Response(200, json={"AuthenticationResult": self._result(username, with_refresh=False)})
        if op == "RespondToAuthChallenge":
            assert body["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
            username = self.sessions.get(body["Session"])
            if username is None:
                return self.error("NotAuthorizedException", "Invalid session for the user.")
            r = body["ChallengeResponses"]
            assert r["USERNAME"] == username
            if auth.password_problems(r["NEW_PASSWORD"]):
                return self.error("InvalidPasswordException", "Password does not conform to policy")
            self.users[username].update(password=r["NEW_PASSWORD"], force_change=False)
            return httpx.Response(200, json={"AuthenticationResult": self._result(username)})
        if op == "ForgotPassword":
            return httpx.Response(200, json={"CodeDeliveryDetails": {"Destination": "p***@a.example"}})
        if op == "ConfirmForgotPassword":
            if body["ConfirmationCode"] != "123456":
                return self.error("CodeMismatchException", "Invalid code provided, please request a code again.")
            self.users[body["Username"]].update(password=body["Password"], reset=False)
            return httpx.Response(200, json={})
        return self.error("InvalidAction", op)

    def api(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/health":
            return httpx.Response(200, json={"status": "ok", "tenant_id": "demo", "version": "0.1.0"})
        if path == "/v1/public/services":
            return httpx.Response(200, json={"items": self.services, "next": None})
        if path.startswith("/v1/providers/"):
            pid = path.rsplit("/", 1)[1]
            if request.headers.get("Authorization") == "ApiKey key-a":
                who = {"custom:provider_id": "prv-a"}
            else:
                who = claims_of(request)
                if who is None or who.get("exp", 0) <= time.time():
                    return httpx.Response(401, json={"message": "Unauthorized"})
            if who.get("custom:provider_id") != pid:
                return httpx.Response(
                    403,
                    json={
                        "type": "about:blank",
                        "title": "Not allowed",
                        "status": 403,
                        "detail": "you may only see your own provider's data",
                        "errors": [],
                    },
                    headers={"Content-Type": "application/problem+json"},
                )
            return httpx.Response(
                200,
                json={
                    "id": pid,
                    "name": "Aurinkohoiva Oy",
                    "business_id": "2734561-5",
                    "parts": [{"id": "site-1", "kind": "site", "name": "Kyllö", "address": {"city": "Jyväskylä"}}],
                    "version": 1,
                },
            )
        return httpx.Response(404, json={"message": "Missing Authentication Token"})


@pytest.fixture
def stack(tmp_path, monkeypatch):
    for var in ("SETELI_API_URL", "SETELI_API_KEY", "SETELI_CLIENT_ID", "SETELI_REGION", "SETELI_COGNITO_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SETELI_CONFIG_DIR", str(tmp_path / "cfg"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # never find the checkout's own .seteli/local.json
    state = tmp_path / "state"
    state.mkdir()
    fake = FakeStack()
    (state / "local.json").write_text(
        json.dumps(
            {
                "api_url": API,
                "site_url": "http://site.test",
                "region": "eu-north-1",
                "cognito_endpoint": COGNITO,
                "user_pool_id": "pool-1",
                "client_id": "client-1",
                "tenant_id": "demo",
                "users": [
                    {"username": u, "password": v["password"], "group": v["group"], "provider_id": v["provider_id"]}
                    for u, v in fake.users.items()
                ],
            }
        )
    )
    fake.state = state
    return fake


def run(stack: FakeStack, *argv: str) -> int:
    return cli.main(["--local", str(stack.state), *argv], transport=httpx.MockTransport(stack))


def session_file():
    return config.session_path()


def stdin(monkeypatch, text: str) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def no_getpass(monkeypatch):
    def fail(prompt=""):
        raise AssertionError(f"unexpected password prompt: {prompt}")

    monkeypatch.setattr(cli, "getpass", fail)


# ---------------------------------------------------------------- login


def test_login_as_group_stores_the_session_with_mode_0600(stack, capsys, monkeypatch):
    no_getpass(monkeypatch)
    assert run(stack, "login", "--as", "provider_admin") == 0
    path = session_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    saved = json.loads(path.read_text())
    assert saved["username"] == "paakayttaja@a.example"
    assert saved["api_url"] == API
    assert saved["refresh_token"] in stack.refresh_tokens
    assert auth.jwt_claims(saved["id_token"])["custom:provider_id"] == "prv-a"
    assert saved["expires_at"] > time.time() + 3000
    out = capsys.readouterr()
    assert "paakayttaja@a.example" in out.out and "provider_admin" in out.out and "prv-a" in out.out
    assert saved["id_token"] not in out.out + out.err  # never print tokens unless asked
    assert saved["refresh_token"] not in out.out + out.err
    op, body = stack.cognito_calls[0]
    assert op == "InitiateAuth"
    assert body["AuthFlow"] == "USER_PASSWORD_AUTH"
    assert body["AuthParameters"] == {"USERNAME": "paakayttaja@a.example", "PASSWORD": PASSWORD}


def test_session_file_stays_0600_when_it_existed_with_wider_mode(stack, monkeypatch):
    path = session_file()
    path.parent.mkdir(parents=True)
    path.write_text("{}")
    path.chmod(0o644)
    stdin(monkeypatch, PASSWORD + "\n")
    assert run(stack, "login", "--username", "admin@kunta.example", "--password-stdin") == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["username"] == "admin@kunta.example"


def test_login_picks_a_demo_user_by_number(stack, capsys, monkeypatch):
    no_getpass(monkeypatch)
    stdin(monkeypatch, "2\n")
    assert run(stack, "login") == 0
    err = capsys.readouterr().err
    assert "1. provider_admin" in err and "2. municipality_admin" in err
    assert json.loads(session_file().read_text())["username"] == "admin@kunta.example"


def test_login_with_getpass_for_a_named_user(stack, monkeypatch):
    prompts = []
    monkeypatch.setattr(cli, "getpass", lambda prompt="": prompts.append(prompt) or PASSWORD)
    assert run(stack, "login", "-u", "admin@kunta.example") == 0
    assert prompts == ["Password for admin@kunta.example: "]


def test_new_password_required_at_first_sign_in_interactive(stack, capsys, monkeypatch):
    stack.users["admin@kunta.example"].update(password="Temp-pass-1", force_change=True)
    answers = iter(["Temp-pass-1", "short", "New-pass-2026", "Different-1", "New-pass-2026", "New-pass-2026"])
    monkeypatch.setattr(cli, "getpass", lambda prompt="": next(answers))
    assert run(stack, "login", "-u", "admin@kunta.example") == 0
    ops = [op for op, _ in stack.cognito_calls]
    assert ops == ["InitiateAuth", "RespondToAuthChallenge"]
    body = stack.cognito_calls[1][1]
    assert body["Session"] in stack.sessions
    assert body["ChallengeResponses"] == {"USERNAME": "admin@kunta.example", "NEW_PASSWORD": "New-pass-2026"}
    assert stack.users["admin@kunta.example"]["password"] == "New-pass-2026"
    assert session_file().exists()
    err = capsys.readouterr().err
    assert "first sign-in" in err
    assert "needs at least 8 characters" in err  # the local check of "short"
    assert "The passwords differ." in err


def test_new_password_required_with_password_stdin(stack, monkeypatch):
    stack.users["admin@kunta.example"].update(password="Temp-pass-1", force_change=True)
    no_getpass(monkeypatch)
    stdin(monkeypatch, "Temp-pass-1\nNew-pass-2026\n")
    assert run(stack, "login", "-u", "admin@kunta.example", "--password-stdin") == 0
    assert stack.users["admin@kunta.example"]["password"] == "New-pass-2026"
    assert json.loads(session_file().read_text())["username"] == "admin@kunta.example"


def test_new_password_refused_by_cognito_is_an_error(stack, capsys, monkeypatch):
    stack.users["admin@kunta.example"].update(password="Temp-pass-1", force_change=True)
    stdin(monkeypatch, "Temp-pass-1\nalllowercase1\n")
    assert run(stack, "login", "-u", "admin@kunta.example", "--password-stdin") == 1
    assert "The new password was not accepted" in capsys.readouterr().err
    assert not session_file().exists()


@pytest.mark.parametrize("username", ["paakayttaja@a.example", "nobody@a.example"])
def test_wrong_password_and_unknown_user_get_the_same_message(stack, capsys, monkeypatch, username):
    stdin(monkeypatch, "wrong-Password-1\n")
    assert run(stack, "login", "-u", username, "--password-stdin") == 1
    err = capsys.readouterr().err
    assert err.startswith("Wrong email or password.")
    assert "Five wrong passwords" in err and "lock" in err
    assert "seteli reset-password" in err
    assert "does not exist" not in err and "nobody" not in err  # never reveal who has an account
    assert not session_file().exists()


def test_password_reset_required_says_what_to_do(stack, capsys, monkeypatch):
    stack.users["paakayttaja@a.example"]["reset"] = True
    stdin(monkeypatch, PASSWORD + "\n")
    assert run(stack, "login", "-u", "paakayttaja@a.example", "--password-stdin") == 1
    assert "seteli reset-password" in capsys.readouterr().err


def test_reset_password_with_the_emailed_code(stack, capsys, monkeypatch):
    stack.users["paakayttaja@a.example"]["reset"] = True
    stdin(monkeypatch, "123456\nFresh-pass-2026\n")
    assert run(stack, "reset-password", "-u", "paakayttaja@a.example", "--password-stdin") == 0
    assert [op for op, _ in stack.cognito_calls] == ["ForgotPassword", "ConfirmForgotPassword"]
    assert stack.users["paakayttaja@a.example"]["password"] == "Fresh-pass-2026"
    assert "p***@a.example" in capsys.readouterr().err


def test_cognito_error_codes_map_to_exceptions():
    def answer(code, message):
        return httpx.MockTransport(lambda r: httpx.Response(400, json={"__type": code, "message": message}))

    cases = [
        ("NotAuthorizedException", "Incorrect username or password.", auth.WrongPassword),
        ("UserNotFoundException", "User does not exist.", auth.WrongPassword),
        ("NotAuthorizedException", "Password attempts exceeded", auth.AccountLocked),
        ("PasswordResetRequiredException", "Password reset required", auth.PasswordResetRequired),
        ("com.amazonaws.cognito#InvalidPasswordException", "policy", auth.InvalidNewPassword),
        ("TooManyRequestsException", "slow down", auth.AuthError),
    ]
    for code, message, exc in cases:
        cog = auth.Cognito("client-1", endpoint=COGNITO, transport=answer(code, message))
        with pytest.raises(exc) as ei:
            cog.sign_in("u@x.fi", "p")
        assert type(ei.value) is exc, code
    revoked = auth.Cognito("c", endpoint=COGNITO, transport=answer("NotAuthorizedException", "revoked"))
    with pytest.raises(auth.SessionExpired):
        revoked.refresh("rt")


def test_cognito_url_defaults_to_the_region():
    assert auth.cognito_endpoint("eu-north-1") == "https://cognito-idp.eu-north-1.amazonaws.com/"
    assert auth.cognito_endpoint("eu-north-1", "http://127.0.0.1:5000") == "http://127.0.0.1:5000/"


# ---------------------------------------------------------------- session use


def write_session(stack: FakeStack, username: str, ttl: int, refresh: str | None = "make") -> config.Session:
    if refresh == "make":
        refresh = f"rt-{uuid.uuid4()}"
        stack.refresh_tokens[refresh] = username
    s = config.Session(
        id_token=stack.id_token(username, ttl=ttl),
        expires_at=time.time() + ttl,
        api_url=API,
        username=username,
        refresh_token=refresh,
        client_id="client-1",
        region="eu-north-1",
        cognito_endpoint=COGNITO,
    )
    config.save_session(s)
    return s


def test_expired_id_token_is_refreshed_before_the_call(stack, capsys):
    old = write_session(stack, "paakayttaja@a.example", ttl=-30)
    assert run(stack, "provider", "get") == 0
    assert [b["AuthFlow"] for op, b in stack.cognito_calls] == ["REFRESH_TOKEN_AUTH"]
    assert stack.cognito_calls[0][1]["AuthParameters"] == {"REFRESH_TOKEN": old.refresh_token}
    saved = config.load_session()
    assert saved.id_token != old.id_token
    assert saved.expires_at > time.time() + 3000
    assert saved.refresh_token == old.refresh_token  # REFRESH_TOKEN_AUTH gives no new one: keep it
    assert stat.S_IMODE(session_file().stat().st_mode) == 0o600
    sent = stack.api_calls[-1].headers["Authorization"]
    assert sent == f"Bearer {saved.id_token}"
    assert "Aurinkohoiva Oy" in capsys.readouterr().out


def test_token_close_to_expiry_is_refreshed_too(stack):
    write_session(stack, "paakayttaja@a.example", ttl=20)
    assert run(stack, "provider", "get") == 0
    assert [b["AuthFlow"] for _, b in stack.cognito_calls] == ["REFRESH_TOKEN_AUTH"]


def test_valid_token_is_not_refreshed(stack):
    write_session(stack, "paakayttaja@a.example", ttl=1800)
    assert run(stack, "provider", "get") == 0
    assert stack.cognito_calls == []


def test_revoked_refresh_token_means_not_signed_in(stack, capsys):
    write_session(stack, "paakayttaja@a.example", ttl=-30, refresh="rt-revoked")
    assert run(stack, "provider", "get") == 3
    err = capsys.readouterr().err
    assert "expired" in err and "seteli login" in err
    assert stack.api_calls == []


def test_not_signed_in_exit_3_with_hint(stack, capsys):
    assert run(stack, "provider", "get") == 3
    assert "seteli login" in capsys.readouterr().err
    assert run(stack, "whoami") == 3


def test_session_of_another_api_is_not_used(stack, capsys):
    s = write_session(stack, "paakayttaja@a.example", ttl=1800)
    s.api_url = "https://prod.example"
    config.save_session(s)
    assert run(stack, "provider", "get") == 3
    assert "Signed in to https://prod.example" in capsys.readouterr().err
    assert stack.api_calls == []  # the token never went to the other API


def test_gateway_401_is_exit_3(stack, capsys):
    s = write_session(stack, "paakayttaja@a.example", ttl=1800)
    s.id_token = "not-a-jwt"  # the API refuses it; the client cannot tell
    config.save_session(s)
    assert run(stack, "provider", "get", "prv-a") == 3
    err = capsys.readouterr().err
    assert "401 Unauthorized" in err and "seteli login" in err


def test_logout_forgets_the_session(stack, capsys):
    write_session(stack, "paakayttaja@a.example", ttl=1800)
    assert run(stack, "logout") == 0
    assert not session_file().exists()
    assert "Signed out" in capsys.readouterr().out
    assert run(stack, "provider", "get") == 3
    assert run(stack, "logout") == 0


def test_whoami_shows_user_groups_and_provider_not_the_token(stack, capsys):
    s = write_session(stack, "paakayttaja@a.example", ttl=1800)
    assert run(stack, "whoami") == 0
    out = capsys.readouterr().out
    assert "paakayttaja@a.example" in out and "provider_admin" in out and "prv-a" in out
    assert s.id_token not in out
    assert run(stack, "whoami", "--show-token") == 0
    assert capsys.readouterr().out.strip() == s.id_token
    assert run(stack, "--json", "whoami") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["groups"] == ["provider_admin"] and data["provider_id"] == "prv-a"
    assert s.id_token not in json.dumps(data)


# ---------------------------------------------------------------- commands and output


def test_provider_get_own_and_someone_elses(stack, capsys):
    write_session(stack, "paakayttaja@a.example", ttl=1800)
    assert run(stack, "provider", "get") == 0
    out = capsys.readouterr().out
    assert "Aurinkohoiva Oy (2734561-5)" in out and "site-1" in out
    assert stack.api_calls[-1].url.path == "/v1/providers/prv-a"

    assert run(stack, "provider", "get", "prv-b") == 1
    cap = capsys.readouterr()
    assert cap.out == ""
    assert "403 Not allowed: you may only see your own provider's data" in cap.err

    assert run(stack, "--json", "provider", "get", "prv-b") == 1
    problem = json.loads(capsys.readouterr().err)
    assert problem["status"] == 403 and problem["title"] == "Not allowed"


def test_provider_get_without_id_needs_a_provider_sign_in(stack, capsys):
    write_session(stack, "admin@kunta.example", ttl=1800)
    assert run(stack, "provider", "get") == 2
    assert "PROVIDER_ID" in capsys.readouterr().err
    assert stack.api_calls == []


def test_services_table_and_json(stack, capsys):
    assert run(stack, "services", "--lang", "sv") == 0
    out = capsys.readouterr().out
    assert stack.api_calls[-1].url.params["lang"] == "sv"
    assert "home-care  Kotihoito  [voucher]" in out
    assert "home-care-weekday" in out and "32.00 €/hour" in out
    assert "errand-help  Asiointiapu" in out and "subsidy 20.00 €" in out  # no kind, no unit: still shown
    assert run(stack, "services", "--json") == 0
    assert json.loads(capsys.readouterr().out) == stack.services
    assert run(stack, "--json", "services") == 0  # the global option before the command as well
    assert json.loads(capsys.readouterr().out) == stack.services


def test_services_with_missing_optional_fields(stack, capsys):
    stack.services = [{"id": "bare"}, {"id": "x", "name": "X", "contents": [{"id": "c"}]}]
    assert run(stack, "services") == 0
    out = capsys.readouterr().out
    assert "bare" in out and "(no contents)" in out
    assert "c" in out and "-" in out


def test_health_text_and_json(stack, capsys):
    assert run(stack, "health") == 0
    assert capsys.readouterr().out.startswith("ok: tenant demo, version 0.1.0")
    assert run(stack, "health", "--json") == 0
    assert json.loads(capsys.readouterr().out) == {"status": "ok", "tenant_id": "demo", "version": "0.1.0"}


def test_unreachable_api_is_exit_1(stack, capsys):
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    assert cli.main(["--local", str(stack.state), "health"], transport=httpx.MockTransport(refuse)) == 1
    assert "make run" in capsys.readouterr().err


def test_api_key_is_sent_instead_of_a_bearer_token(stack, monkeypatch):
    write_session(stack, "paakayttaja@a.example", ttl=1800)  # present, but the key wins
    monkeypatch.setattr("sys.stdin", io.StringIO("key-a\n"))
    assert run(stack, "--api-key-stdin", "provider", "get", "prv-a") == 0
    assert stack.api_calls[-1].headers["Authorization"] == "ApiKey key-a"
    monkeypatch.setenv("SETELI_API_KEY", "key-a")
    config.delete_session()
    assert run(stack, "provider", "get", "prv-a") == 0
    assert stack.api_calls[-1].headers["Authorization"] == "ApiKey key-a"
    run(stack, "provider", "get")  # no id: the API tells which provider the key belongs to
    assert stack.api_calls[-1].url.path == "/v1/providers/api-keys/current"


def test_usage_errors_are_exit_2(stack, capsys, monkeypatch):
    assert run(stack, "frobnicate") == 2
    assert run(stack, "services", "--lang", "de") == 2
    assert run(stack, "provider") == 2
    assert run(stack, "login", "--as", "nonexistent_group") == 2
    assert "no demo user in group" in capsys.readouterr().err
    # no API anywhere
    assert cli.main(["health"], transport=httpx.MockTransport(stack)) == 2
    assert "--api-url" in capsys.readouterr().err
    # --as needs local.json
    assert cli.main(["--api-url", API, "login", "--as", "provider_admin"], transport=httpx.MockTransport(stack)) == 2
    # login on an API without local.json needs the client id
    stdin(monkeypatch, "x\n")
    assert cli.main(["--api-url", API, "login", "-u", "a@b.fi", "--password-stdin"]) == 2
    assert "--client-id" in capsys.readouterr().err
    assert cli.main(["--help"]) == 0


def test_api_url_and_client_id_from_the_environment(stack, monkeypatch):
    monkeypatch.setenv("SETELI_API_URL", API)
    monkeypatch.setenv("SETELI_CLIENT_ID", "client-1")
    monkeypatch.setenv("SETELI_COGNITO_ENDPOINT", COGNITO)
    stdin(monkeypatch, PASSWORD + "\n")
    t = httpx.MockTransport(stack)
    assert cli.main(["login", "-u", "paakayttaja@a.example", "--password-stdin"], transport=t) == 0
    assert cli.main(["provider", "get"], transport=t) == 0
    assert stack.api_calls[-1].url.host == "api.test"


def test_local_json_is_found_in_a_parent_directory(stack, tmp_path, monkeypatch):
    root = tmp_path / "checkout"
    (root / ".seteli").mkdir(parents=True)
    (root / ".seteli" / "local.json").write_text((stack.state / "local.json").read_text())
    (root / "sub" / "dir").mkdir(parents=True)
    monkeypatch.chdir(root / "sub" / "dir")
    t = httpx.MockTransport(stack)
    assert cli.main(["health"], transport=t) == 0
    assert cli.main(["--local", "health"], transport=t) == 0  # --local without STATE_DIR before a command
    assert cli.main(["health", "--local"], transport=t) == 0
    assert [r.url.path for r in stack.api_calls] == ["/v1/health"] * 3


def test_refresh_against_a_forgotten_app_client_means_not_signed_in(stack, capsys):
    s = write_session(stack, "paakayttaja@a.example", ttl=-30)
    s.client_id = "client-from-before-make-reset"
    config.save_session(s)
    t = httpx.MockTransport(
        lambda r: (
            httpx.Response(400, json={"__type": "ResourceNotFoundException", "message": "client"})
            if r.url.host == "cognito.test"
            else stack(r)
        )
    )
    assert cli.main(["--local", str(stack.state), "provider", "get"], transport=t) == 3
    assert "seteli login" in capsys.readouterr().err


def test_local_json_wins_over_cognito_settings_in_the_environment(stack, monkeypatch):
    monkeypatch.setenv("SETELI_CLIENT_ID", "production-client")
    monkeypatch.setenv("SETELI_COGNITO_ENDPOINT", "http://cognito.prod.test")
    assert run(stack, "login", "--as", "provider_admin") == 0  # the fake Cognito asserts ClientId client-1
    assert config.load_session().cognito_endpoint == COGNITO + "/"


def test_times_are_shown_in_finnish_local_time():
    assert cli._local_time("2026-01-07T10:00:00Z") == "2026-01-07 12:00"  # EET, UTC+2
    assert cli._local_time("2026-07-07T10:00:00+00:00") == "2026-07-07 13:00"  # EEST, UTC+3
    assert cli._local_time(None) == ""
