"""Demo users in the local Cognito pool, one per group (local/demo.py lists them)."""

from __future__ import annotations


def create_demo_users(user_pool_id: str, users: list[dict], region: str = "eu-north-1") -> None:
    import boto3

    idp = boto3.client("cognito-idp", region_name=region)
    for u in users:
        attrs = [{"Name": "email", "Value": u["username"]}, {"Name": "email_verified", "Value": "true"}]
        if u.get("provider_id"):
            attrs.append({"Name": "custom:provider_id", "Value": u["provider_id"]})
        try:
            idp.admin_create_user(
                UserPoolId=user_pool_id, Username=u["username"], UserAttributes=attrs, MessageAction="SUPPRESS"
            )
        except idp.exceptions.UsernameExistsException:
            pass
        idp.admin_set_user_password(
            UserPoolId=user_pool_id, Username=u["username"], Password=u["password"], Permanent=True
        )
        idp.admin_add_user_to_group(UserPoolId=user_pool_id, Username=u["username"], GroupName=u["group"])


def sign_in(
    client_id: str, username: str, password: str, region: str = "eu-north-1", endpoint_url: str | None = None
) -> str:
    """An ID token for a user (USER_PASSWORD_AUTH), as the CLI gets it."""
    import boto3

    idp = boto3.client("cognito-idp", region_name=region, endpoint_url=endpoint_url)
    res = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password}
    )
    return res["AuthenticationResult"]["IdToken"]
