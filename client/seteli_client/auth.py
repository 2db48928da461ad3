"""Cognito sign-in over its JSON API with plain httpx (no boto3 on a provider's laptop).

Cognito's user-pool API is a JSON-over-HTTPS protocol: ``POST /`` with
``X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`` and
``Content-Type: application/x-amz-json-1.1``. ``InitiateAuth``, ``RespondToAuthChallenge``,
``ForgotPassword``, ``ConfirmForgotPassword`` and ``RevokeToken`` need no AWS credentials, only the
app client id.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
AMZ_JSON = "application/x-amz-json-1.1"

LOCKOUT_HINT = (
    "Five wrong passwords in a row lock the account for a while. Forgot it, or locked out? "
    "Run `seteli reset-password` (Cognito emails you a code) to set a new password; that also unlocks the account."
)
WRONG_PASSWORD = "Wrong email or password."
PASSWORD_RULES = "at least 8 characters, with digits, upper-case and lower-case letters"


def cognito_endpoint(region: str, endpoint: str | None = None) -> str:
    """``endpoint`` if given (a local emulator), else the regional Cognito endpoint."""
    if endpoint:
        return endpoint.rstrip("/") + "/"
    return f"https://cognito-idp.{region}.amazonaws.com/"


# ---------------------------------------------------------------- errors


class AuthError(Exception):
    """Cognito refused. ``code`` is its exception name (``NotAuthorizedException``...)."""

    def __init__(self, message: str, code: str = "", cognito_message: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.cognito_message = cognito_message


class WrongPassword(AuthError):
    """Wrong user name or password (deliberately the same for an unknown user)."""


class AccountLocked(AuthError):
    """Too many wrong passwords."""


class PasswordResetRequired(AuthError):
    """An administrator reset the password: the user must set a new one with a code from email."""


class InvalidNewPassword(AuthError):
    """Cognito refused a new password (policy)."""


class SessionExpired(AuthError):
    """The refresh token is no longer valid: sign in again."""


def _error_code(res: httpx.Response, body: dict[str, Any]) -> str:
    raw = str(body.get("__type") or res.headers.get("x-amzn-ErrorType") or "")
    # "com.amazonaws...#NotAuthorizedException" or "NotAuthorizedException:http://..."
    return raw.split("#")[-1].split(":")[0].strip()


def _raise_for(res: httpx.Response) -> None:
    try:
        body = res.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = _error_code(res, body)
    msg = str(body.get("message") or body.get("Message") or "")
    if code == "NotAuthorizedException" and "attempts exceeded" in msg.lower():
        raise AccountLocked(f"Too many wrong passwords: the account is locked for now. {LOCKOUT_HINT}", code, msg)
    if code in ("NotAuthorizedException", "UserNotFoundException"):
        # the same answer for an unknown user: do not reveal who has an account
        raise WrongPassword(f"{WRONG_PASSWORD} {LOCKOUT_HINT}", code, msg)
    if code == "PasswordResetRequiredException":
        raise PasswordResetRequired(
            "Your password has been reset by an administrator. Run `seteli reset-password` to set a new one "
            "with the code Cognito emails you.",
            code,
            msg,
        )
    if code == "InvalidPasswordException":
        raise InvalidNewPassword(f"The new password was not accepted: {msg or PASSWORD_RULES}", code, msg)
    if code == "UserNotConfirmedException":
        raise AuthError("The account is not confirmed yet: ask your administrator.", code, msg)
    if code in ("TooManyRequestsException", "LimitExceededException", "TooManyFailedAttemptsException"):
        raise AuthError(f"Too many attempts; wait a while and try again. ({msg})", code, msg)
    if code == "CodeMismatchException":
        raise AuthError("The code is wrong.", code, msg)
    if code == "ExpiredCodeException":
        raise AuthError("The code has expired: run `seteli reset-password` again for a new one.", code, msg)
    if code == "ResourceNotFoundException":
        raise AuthError(f"Cognito does not know this app client ({msg}): check the client id and region.", code, msg)
    raise AuthError(f"Sign-in failed: {code or res.status_code} {msg}".strip(), code, msg)


# ---------------------------------------------------------------- tokens


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, decoded WITHOUT verifying it: for display only, the API verifies."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error) as exc:
        raise ValueError("not a JWT") from exc
    if not isinstance(data, dict):
        raise ValueError("not a JWT")
    return data


def groups_of(claims: dict[str, Any]) -> list[str]:
    """``cognito:groups`` as a list (a token has a list; authorizer claims a comma string)."""
    g = claims.get("cognito:groups")
    if g is None:
        return []
    if isinstance(g, list | tuple):
        return [str(x) for x in g]
    return [x for x in str(g).strip("[]").replace(",", " ").split() if x]


def identity(token: str) -> dict[str, Any]:
    """Who a Cognito ID token says its holder is (username/email, groups, provider id, expiry)."""
    c = jwt_claims(token)
    exp = c.get("exp")
    expires_at = datetime.fromtimestamp(int(exp), UTC).isoformat() if exp is not None else None
    return {
        "username": c.get("email") or c.get("cognito:username") or c.get("sub"),
        "email": c.get("email"),
        "subject": c.get("sub"),
        "groups": groups_of(c),
        "provider_id": c.get("custom:provider_id") or None,
        "expires_at": expires_at,
        "expired": bool(exp is not None and time.time() >= int(exp)),
    }


@dataclass
class Tokens:
    id_token: str
    expires_at: float
    refresh_token: str | None = None
    access_token: str | None = None

    @classmethod
    def from_result(cls, result: dict[str, Any], refresh_token: str | None = None) -> Tokens:
        id_token = result["IdToken"]
        try:
            expires_at = float(jwt_claims(id_token)["exp"])
        except (ValueError, KeyError, TypeError):
            expires_at = time.time() + float(result.get("ExpiresIn") or 3600)
        return cls(
            id_token=id_token,
            expires_at=expires_at,
            refresh_token=result.get("RefreshToken") or refresh_token,
            access_token=result.get("AccessToken"),
        )


@dataclass
class Challenge:
    """Cognito wants more before it hands out tokens (``NEW_PASSWORD_REQUIRED``, an MFA code...)."""

    name: str
    session: str
    username: str
    parameters: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- client


class Cognito:
    """The few Cognito user-pool operations a signed-in client needs, over plain HTTPS."""

    def __init__(
        self,
        client_id: str,
        region: str = "eu-north-1",
        endpoint: str | None = None,
        *,
        timeout: float = 15,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.client_id = client_id
        self.region = region
        self.url = cognito_endpoint(region, endpoint)
        self.http = httpx.Client(timeout=timeout, transport=transport)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Cognito:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            res = self.http.post(
                self.url,
                content=json.dumps(body).encode(),
                headers={"X-Amz-Target": TARGET_PREFIX + operation, "Content-Type": AMZ_JSON},
            )
        except httpx.TransportError as exc:
            raise AuthError(f"Cannot reach Cognito at {self.url}: {exc}", "ConnectionError") from exc
        if res.status_code >= 400:
            _raise_for(res)
        try:
            data = res.json() if res.content else {}
        except ValueError:
            raise AuthError(f"Cognito answered something that is not JSON (HTTP {res.status_code})") from None
        return data if isinstance(data, dict) else {}

    def _tokens_or_challenge(self, data: dict[str, Any], username: str) -> Tokens | Challenge:
        if data.get("AuthenticationResult"):
            return Tokens.from_result(data["AuthenticationResult"])
        if data.get("ChallengeName"):
            params = data.get("ChallengeParameters") or {}
            return Challenge(data["ChallengeName"], data.get("Session") or "", username, params)
        raise AuthError("Cognito answered neither tokens nor a challenge")

    def sign_in(self, username: str, password: str) -> Tokens | Challenge:
        """USER_PASSWORD_AUTH. Raises :class:`WrongPassword` and friends."""
        data = self.call(
            "InitiateAuth",
            {
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": self.client_id,
                "AuthParameters": {"USERNAME": username, "PASSWORD": password},
            },
        )
        return self._tokens_or_challenge(data, username)

    def respond(self, challenge: Challenge, responses: dict[str, str]) -> Tokens | Challenge:
        """Answer a challenge, e.g. ``{"NEW_PASSWORD": "..."}`` (USERNAME is added)."""
        username = challenge.parameters.get("USERNAME") or challenge.username
        data = self.call(
            "RespondToAuthChallenge",
            {
                "ChallengeName": challenge.name,
                "ClientId": self.client_id,
                "Session": challenge.session,
                "ChallengeResponses": {"USERNAME": username, **responses},
            },
        )
        return self._tokens_or_challenge(data, challenge.username)

    def new_password(self, challenge: Challenge, new_password: str) -> Tokens | Challenge:
        return self.respond(challenge, {"NEW_PASSWORD": new_password})

    def refresh(self, refresh_token: str) -> Tokens:
        """REFRESH_TOKEN_AUTH: a new ID token. Raises :class:`SessionExpired` when that is no longer possible."""
        try:
            data = self.call(
                "InitiateAuth",
                {
                    "AuthFlow": "REFRESH_TOKEN_AUTH",
                    "ClientId": self.client_id,
                    "AuthParameters": {"REFRESH_TOKEN": refresh_token},
                },
            )
        except (WrongPassword, AccountLocked, PasswordResetRequired) as exc:
            raise SessionExpired("The session has expired; sign in again.", exc.code, exc.cognito_message) from exc
        if not data.get("AuthenticationResult"):
            raise SessionExpired("The session could not be refreshed; sign in again.")
        return Tokens.from_result(data["AuthenticationResult"], refresh_token=refresh_token)

    def forgot_password(self, username: str) -> dict[str, Any]:
        """Cognito emails a code (``CodeDeliveryDetails`` tells where)."""
        return self.call("ForgotPassword", {"ClientId": self.client_id, "Username": username})

    def confirm_forgot_password(self, username: str, code: str, new_password: str) -> None:
        self.call(
            "ConfirmForgotPassword",
            {"ClientId": self.client_id, "Username": username, "ConfirmationCode": code, "Password": new_password},
        )

    def revoke(self, refresh_token: str) -> None:
        """Revoke the refresh token (and the tokens it issued). Best effort for ``logout``."""
        self.call("RevokeToken", {"ClientId": self.client_id, "Token": refresh_token})


def password_problems(password: str) -> list[str]:
    """What the pool's policy will refuse (spec: 8+ characters, digits, upper and lower case)."""
    out = []
    if len(password) < 8:
        out.append("at least 8 characters")
    if not any(ch.isdigit() for ch in password):
        out.append("a digit")
    if not any(ch.isupper() for ch in password):
        out.append("an upper-case letter")
    if not any(ch.islower() for ch in password):
        out.append("a lower-case letter")
    return out
