"""Demo users in the local Cognito pool, one per group (``local.demo.DEMO_USERS`` lists them)."""

from __future__ import annotations

import logging

log = logging.getLogger("local")

# Used only if local/demo.py has no DEMO_USERS.
FALLBACK_PASSWORD = "Seteli-demo-2026"
FALLBACK_USERS: list[dict] = [
    {"username": "admin@kunta.example", "group": "municipality_admin", "provider_id": None},
    {"username": "kasittelija@kunta.example", "group": "case_worker", "provider_id": None},
    {"username": "paakayttaja@aurinkohoiva.example", "group": "provider_admin", "provider_id": "prv-aurinkohoiva"},
    {"username": "hoitaja@aurinkohoiva.example", "group": "provider_user", "provider_id": "prv-aurinkohoiva"},
    {"username": "asiakas@example.fi", "group": "citizen", "provider_id": None},
]


def demo_users() -> list[dict]:
    """The demo users: username, password, group, provider_id (and name, teams when given)."""
    try:
        from local.demo import DEMO_USERS

        users = DEMO_USERS
    except ImportError:
        log.warning("local/demo.py has no DEMO_USERS; using the built-in demo users")
        users = FALLBACK_USERS
    return [
        {
            "username": u["username"],
            "password": u.get("password") or FALLBACK_PASSWORD,
            "group": u["group"],
            "provider_id": u.get("provider_id"),
            **{k: u[k] for k in ("name", "teams") if u.get(k)},
        }
        for u in users
    ]


def create_demo_users(user_pool_id: str, users: list[dict] | None = None, region: str = "eu-north-1") -> int:
    """Create the users (email verified, custom:provider_id, permanent password, group); idempotent:
    an existing user gets its attributes, password and group set again. Returns how many were new."""
    import boto3

    idp = boto3.client("cognito-idp", region_name=region)
    created = 0
    for u in users if users is not None else demo_users():
        attrs = [{"Name": "email", "Value": u["username"]}, {"Name": "email_verified", "Value": "true"}]
        if u.get("provider_id"):
            attrs.append({"Name": "custom:provider_id", "Value": u["provider_id"]})
        try:
            idp.admin_create_user(
                UserPoolId=user_pool_id, Username=u["username"], UserAttributes=attrs, MessageAction="SUPPRESS"
            )
            created += 1
        except idp.exceptions.UsernameExistsException:
            rest = [a for a in attrs if a["Name"] != "email"]  # moto refuses re-setting its own email as taken
            idp.admin_update_user_attributes(UserPoolId=user_pool_id, Username=u["username"], UserAttributes=rest)
        idp.admin_set_user_password(
            UserPoolId=user_pool_id, Username=u["username"], Password=u["password"], Permanent=True
        )
        idp.admin_add_user_to_group(UserPoolId=user_pool_id, Username=u["username"], GroupName=u["group"])
    return created


# Names and service teams of the demo provider users (DEMO_USERS may give "name" and "teams" itself).
DEMO_USER_DETAILS: dict[str, dict] = {
    "paakayttaja@aurinkohoiva.example": {"name": "Paula Pääkäyttäjä", "teams": []},
    "hoitaja@aurinkohoiva.example": {"name": "Heidi Hoitaja", "teams": ["home-care", "cleaning"]},
}


def store_demo_user_records(settings, users: list[dict] | None = None) -> int:
    """Write the ProviderUser records of the demo provider users (role = group, teams, active),
    after ``create_demo_users`` made them in the pool. Idempotent: existing records are kept.
    Returns how many were written."""
    import boto3

    from seteli.domain.users import ProviderUser, UserRole
    from seteli.errors import Conflict
    from seteli.store import repositories
    from seteli.store.base import now

    repos = repositories(settings)
    idp = boto3.client("cognito-idp", region_name=settings.region)
    written = 0
    for u in users if users is not None else demo_users():
        if not u.get("provider_id") or u["group"] not in ("provider_admin", "provider_user"):
            continue
        email = u["username"].strip().lower()
        try:
            res = idp.admin_get_user(UserPoolId=settings.user_pool_id, Username=email)
        except idp.exceptions.UserNotFoundException:
            continue  # not created in this pool (tests seed providers without demo users)
        sub = next(a["Value"] for a in res["UserAttributes"] if a["Name"] == "sub")
        if repos.users.get(u["provider_id"], sub) is not None:
            continue
        details = DEMO_USER_DETAILS.get(email, {})
        at = now()
        try:
            repos.users.create(
                ProviderUser(
                    subject=sub,
                    provider_id=u["provider_id"],
                    email=email,
                    name=u.get("name") or details.get("name") or email.split("@")[0],
                    role=UserRole(u["group"]),
                    teams=list(u.get("teams") or details.get("teams") or []),
                    created_at=at,
                    updated_at=at,
                )
            )
            written += 1
        except Conflict:
            pass
    return written


def sign_in(
    client_id: str, username: str, password: str, region: str = "eu-north-1", endpoint_url: str | None = None
) -> str:
    """An ID token for a user (USER_PASSWORD_AUTH), as the CLI gets it; ``endpoint_url`` is the
    emulator's server when called from another process."""
    import boto3

    idp = boto3.client("cognito-idp", region_name=region, endpoint_url=endpoint_url)
    res = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password}
    )
    return res["AuthenticationResult"]["IdToken"]
