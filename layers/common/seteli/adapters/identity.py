"""Identity port: the user pool (Cognito) as the use cases need it.

Email is the user name (the pool has ``UsernameAttributes: [email]``, case-insensitive); this
adapter always sends it in lower case. Users are created by admins only (``AdminCreateUser`` with
``MessageAction: SUPPRESS``: the invitation is our own email, see ``services.users``), carry
``custom:provider_id`` and sit in one group (their role). Locally and in tests the pool is moto's.
"""

from __future__ import annotations

import secrets
import string
import uuid
from dataclasses import dataclass, field
from typing import Protocol

from seteli.errors import Conflict, SeteliError


class IdentityPort(Protocol):
    def user_exists(self, email: str) -> bool: ...
    def create_user(
        self, email: str, name: str, group: str, provider_id: str | None, temporary_password: str | None = None
    ) -> str: ...
    def disable(self, email: str) -> None: ...
    def enable(self, email: str) -> None: ...
    def set_group(self, email: str, group: str) -> None: ...
    def delete(self, email: str) -> None: ...
    def subject_of(self, email: str, group: str) -> str | None: ...


def normalise_email(email: str) -> str:
    return email.strip().lower()


def temporary_password(length: int = 14) -> str:
    """A one-time password meeting the pool policy: 8+ characters with digits, upper and lower case.

    Letters and digits only, without look-alikes (0/O, 1/l/I), so it survives being typed from an email.
    """
    lower = "abcdefghijkmnpqrstuvwxyz"
    upper = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    digits = "23456789"
    alphabet = lower + upper + digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(max(length, 8)))
        if any(c in lower for c in pw) and any(c in upper for c in pw) and any(c in digits for c in pw):
            return pw


def meets_policy(password: str) -> bool:
    return (
        len(password) >= 8
        and any(c in string.ascii_lowercase for c in password)
        and any(c in string.ascii_uppercase for c in password)
        and any(c in string.digits for c in password)
    )


# Groups a provider user can be in; changing the role moves the user between these.
ROLE_GROUPS = ("provider_admin", "provider_user")


class CognitoIdentity:
    """The stack's user pool through boto3 ``cognito-idp`` (Admin* calls, the function's IAM role)."""

    def __init__(self, user_pool_id: str, region: str, endpoint_url: str | None = None) -> None:
        self.user_pool_id = user_pool_id
        self.region = region
        self.endpoint_url = endpoint_url
        self._client = None

    @property
    def idp(self):
        if self._client is None:
            import boto3

            self._client = boto3.client("cognito-idp", region_name=self.region, endpoint_url=self.endpoint_url)
        return self._client

    def _call(self, op: str, **kwargs):
        return getattr(self.idp, op)(UserPoolId=self.user_pool_id, **kwargs)

    def user_exists(self, email: str) -> bool:
        try:
            self._call("admin_get_user", Username=normalise_email(email))
        except self.idp.exceptions.UserNotFoundException:
            return False
        return True

    def create_user(
        self, email: str, name: str, group: str, provider_id: str | None, temporary_password: str | None = None
    ) -> str:
        """Create the user (email verified, FORCE_CHANGE_PASSWORD) in ``group``; returns its ``sub``.

        ``name`` is kept in our own record (the pool declares no name attribute).
        """
        username = normalise_email(email)
        attrs = [{"Name": "email", "Value": username}, {"Name": "email_verified", "Value": "true"}]
        if provider_id:
            attrs.append({"Name": "custom:provider_id", "Value": provider_id})
        kwargs = {"Username": username, "UserAttributes": attrs, "MessageAction": "SUPPRESS"}
        if temporary_password:
            kwargs["TemporaryPassword"] = temporary_password
        try:
            res = self._call("admin_create_user", **kwargs)
        except self.idp.exceptions.UsernameExistsException as exc:
            raise Conflict("a user with this email exists already") from exc
        user = res["User"]
        sub = next((a["Value"] for a in user.get("Attributes", []) if a["Name"] == "sub"), None)
        self._call("admin_add_user_to_group", Username=username, GroupName=group)
        return sub or user["Username"]

    def disable(self, email: str) -> None:
        self._call("admin_disable_user", Username=normalise_email(email))

    def enable(self, email: str) -> None:
        self._call("admin_enable_user", Username=normalise_email(email))

    def set_group(self, email: str, group: str) -> None:
        """Put the user in ``group`` and out of the other provider-role groups."""
        username = normalise_email(email)
        res = self._call("admin_list_groups_for_user", Username=username)
        current = {g["GroupName"] for g in res.get("Groups", [])}
        if group not in current:
            self._call("admin_add_user_to_group", Username=username, GroupName=group)
        for other in current & set(ROLE_GROUPS) - {group}:
            self._call("admin_remove_user_from_group", Username=username, GroupName=other)

    def delete(self, email: str) -> None:
        """Undo a half-done invitation. Needs cognito-idp:AdminDeleteUser; without it, disables."""
        from botocore.exceptions import ClientError

        try:
            self._call("admin_delete_user", Username=normalise_email(email))
        except ClientError:
            self.disable(email)

    def subject_of(self, email: str, group: str) -> str | None:
        """The ``sub`` of the enabled user with ``email`` in ``group``, or None."""
        key = normalise_email(email)
        try:
            user = self.idp.admin_get_user(UserPoolId=self.user_pool_id, Username=key)
        except self.idp.exceptions.UserNotFoundException:
            return None
        if not user.get("Enabled", True):
            return None
        groups = self.idp.admin_list_groups_for_user(UserPoolId=self.user_pool_id, Username=key).get("Groups", [])
        if group not in {g["GroupName"] for g in groups}:
            return None
        return next((a["Value"] for a in user.get("UserAttributes", []) if a["Name"] == "sub"), None)


@dataclass
class FakeUser:
    subject: str
    email: str
    group: str
    provider_id: str | None
    enabled: bool = True
    temporary_password: str | None = None
    groups: set[str] = field(default_factory=set)


class FakeIdentity:
    """An in-memory pool for unit tests (same behaviour as the Cognito adapter, no AWS)."""

    def __init__(self) -> None:
        self.users: dict[str, FakeUser] = {}

    def get(self, email: str) -> FakeUser | None:
        return self.users.get(normalise_email(email))

    def user_exists(self, email: str) -> bool:
        return normalise_email(email) in self.users

    def create_user(
        self, email: str, name: str, group: str, provider_id: str | None, temporary_password: str | None = None
    ) -> str:
        key = normalise_email(email)
        if key in self.users:
            raise Conflict("a user with this email exists already")
        sub = str(uuid.uuid4())
        self.users[key] = FakeUser(sub, key, group, provider_id, True, temporary_password, {group})
        return sub

    def _user(self, email: str) -> FakeUser:
        user = self.get(email)
        if user is None:
            raise KeyError(f"no user {email}")
        return user

    def disable(self, email: str) -> None:
        self._user(email).enabled = False

    def enable(self, email: str) -> None:
        self._user(email).enabled = True

    def set_group(self, email: str, group: str) -> None:
        user = self._user(email)
        user.groups = (user.groups - set(ROLE_GROUPS)) | {group}
        user.group = group

    def delete(self, email: str) -> None:
        self.users.pop(normalise_email(email), None)

    def subject_of(self, email: str, group: str) -> str | None:
        user = self.get(email)
        return user.subject if user is not None and group in user.groups and user.enabled else None


class PoolNotConfigured(SeteliError):
    status = 503
    title = "Service unavailable"


_override: IdentityPort | None = None
_cognito: tuple[tuple, CognitoIdentity] | None = None


def identity() -> IdentityPort:
    """The stack's user pool (Cognito), built from the settings once per container (and again if
    the settings change, as in tests); ``use_identity`` replaces it."""
    global _cognito
    if _override is not None:
        return _override
    from seteli.config import settings

    s = settings()
    if not s.user_pool_id:
        raise PoolNotConfigured("the user pool is not configured (USER_POOL_ID)")
    key = (s.user_pool_id, s.region, s.aws_endpoint_url)
    if _cognito is None or _cognito[0] != key:
        _cognito = (key, CognitoIdentity(s.user_pool_id, s.region, s.aws_endpoint_url))
    return _cognito[1]


def use_identity(port: IdentityPort | None) -> None:
    """Replace the identity port (tests), or forget the replacement (None: Cognito's again)."""
    global _override
    _override = port
