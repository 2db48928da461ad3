"""The local runtime creates what a SAM template declares, from the template alone."""

from __future__ import annotations

import boto3
import pytest

from local.resources import _CREATORS, Resolver, api_params, create_resources, describe_existing
from local.template import load
from tests.integration.conftest_local import (
    FIXTURE_TEMPLATE,
    REAL_TEMPLATE,
    REGION,
    environment_kept,
    moto_running,
    unique_tenant,
)


@pytest.fixture(scope="module")
def aws():
    with moto_running(), environment_kept():
        yield


@pytest.fixture(scope="module")
def fx(aws):
    """The fixture template's stack, for a tenant nobody else uses."""
    return create_resources(FIXTURE_TEMPLATE, unique_tenant(), "test", tenant_name="Testikunta", email_from="no@fx.fi")


def test_tables_are_created_from_their_properties(fx):
    # Given the fixture template's table (a GSI, TTL, a stream, SSE, PITR)
    ddb = boto3.client("dynamodb", region_name=REGION)
    # When it is described
    table = ddb.describe_table(TableName=fx.table_name)["Table"]
    # Then everything the template says is there
    assert fx.table_name == f"fx-{fx.tenant_id}-test-main"
    assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {"pk": "HASH", "sk": "RANGE"}
    (gsi,) = table["GlobalSecondaryIndexes"]
    assert gsi["IndexName"] == "byOwner" and gsi["Projection"]["ProjectionType"] == "KEYS_ONLY"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert table["SSEDescription"]["Status"] == "ENABLED"
    ttl = ddb.describe_time_to_live(TableName=fx.table_name)["TimeToLiveDescription"]
    assert ttl == {"AttributeName": "expiresAt", "TimeToLiveStatus": "ENABLED"}


def test_a_resource_whose_condition_is_false_is_not_created(fx):
    names = boto3.client("dynamodb", region_name=REGION).list_tables()["TableNames"]
    assert f"fx-{fx.tenant_id}-test-prod-only" not in names
    assert "ProdOnlyTable" not in fx.physical


def test_buckets_get_cors_and_versioning_in_the_api_spelling(fx):
    s3 = boto3.client("s3", region_name=REGION)
    bucket = fx.buckets["FilesBucket"]
    assert bucket == f"fx-{fx.tenant_id}-test-files-123456789012"
    (rule,) = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert rule["AllowedMethods"] == ["PUT", "GET"] and rule["MaxAgeSeconds"] == 600
    assert rule["ExposeHeaders"] == ["ETag"]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    enc = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert enc["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_the_user_pool_client_and_groups_follow_the_template(fx):
    idp = boto3.client("cognito-idp", region_name=REGION)
    pool = idp.describe_user_pool(UserPoolId=fx.user_pool_id)["UserPool"]
    assert pool["Name"] == f"fx-{fx.tenant_id}-test"
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 10 and policy["RequireSymbols"] is True
    assert policy["TemporaryPasswordValidityDays"] == 3
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert "custom:provider_id" in {a["Name"] for a in pool["SchemaAttributes"]}
    groups = {g["GroupName"]: g for g in idp.list_groups(UserPoolId=fx.user_pool_id)["Groups"]}
    assert set(groups) == {"admins", "users"}
    assert groups["users"]["Precedence"] == 2  # "2" in the template, an integer for the API
    client = idp.describe_user_pool_client(UserPoolId=fx.user_pool_id, ClientId=fx.client_id)["UserPoolClient"]
    assert client["ClientName"] == f"fx-{fx.tenant_id}-test-client"
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert client["IdTokenValidity"] == 30


def test_the_sender_and_the_queue_exist(fx):
    ses = boto3.client("ses", region_name=REGION)
    assert "no@fx.fi" in ses.list_identities(IdentityType="EmailAddress")["Identities"]
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.get_queue_url(QueueName=fx.queues["DeadLetters"])["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["MessageRetentionPeriod"] == "1209600"


def test_the_functions_get_the_globals_environment_with_intrinsics_resolved(fx):
    env = fx.env
    assert env["TABLE_NAME"] == fx.table_name and env["USER_POOL_CLIENT_ID"] == fx.client_id
    assert env["TABLE_ARN"] == f"arn:aws:dynamodb:eu-north-1:123456789012:table/{fx.table_name}"
    assert env["POOL_ARN"] == f"arn:aws:cognito-idp:eu-north-1:123456789012:userpool/{fx.user_pool_id}"
    assert env["QUEUE_ARN"] == f"arn:aws:sqs:eu-north-1:123456789012:fx-{fx.tenant_id}-test-dlq"
    assert env["MODE"] == "relaxed"  # !If on a condition
    assert env["MAIL_DOMAIN"] == "fx.fi"  # !Select of !Split
    assert "OPTIONAL" not in env  # AWS::NoValue
    assert env["TENANT_NAME"] == "Testikunta"
    echo = fx.functions["EchoFunction"]
    assert echo.env["POWERTOOLS_SERVICE_NAME"] == "echo" and echo.env["TABLE_NAME"] == fx.table_name
    assert "POWERTOOLS_SERVICE_NAME" not in fx.env
    assert (echo.timeout, echo.memory, echo.function_name) == (10, 256, f"fx-{fx.tenant_id}-test-echo")
    assert echo.code_dir == FIXTURE_TEMPLATE.parent / "echo" and echo.handler == "app.lambda_handler"
    other = fx.functions["OtherFunction"]
    assert (other.timeout, other.function_name) == (2, "OtherFunction")


def test_routes_and_schedules_come_from_the_events(fx):
    routes = {(r["method"], r["path"]): r["auth"] for r in fx.functions["EchoFunction"].routes}
    assert routes[("GET", "/v1/items/special")] is True  # `get` in the template
    assert routes[("GET", "/v1/open")] is False and routes[("ANY", "/v1/open/{proxy+}")] is False
    assert routes[("ANY", "/v1/things/{proxy+}")] is True
    (tidy,) = fx.functions["EchoFunction"].schedules
    assert tidy["input"] == {"job": "tidy"} and tidy["timezone"] == "Europe/Helsinki"
    assert fx.api.stage == "test" and fx.api.binary_media_types == ["application/pdf"]
    assert fx.api.cors == {"AllowOrigin": "*", "AllowHeaders": "Authorization,Content-Type"}
    # no GatewayResponses in the template: API Gateway's own
    assert fx.gateway_responses["UNAUTHORIZED"].status == 401
    assert fx.gateway_responses["MISSING_AUTHENTICATION_TOKEN"].status == 403


def test_creating_again_finds_what_exists(fx):
    # Given a stack that exists (as after a restore)
    # When it is created again
    again = create_resources(FIXTURE_TEMPLATE, fx.tenant_id, "test", tenant_name="Testikunta", email_from="no@fx.fi")
    # Then nothing is duplicated and the ids are the same
    assert again.physical == fx.physical
    pools = boto3.client("cognito-idp", region_name=REGION).list_user_pools(MaxResults=60)["UserPools"]
    assert [p["Name"] for p in pools].count(f"fx-{fx.tenant_id}-test") == 1
    known = describe_existing(FIXTURE_TEMPLATE, fx.tenant_id, "test", fx.physical, "Testikunta", "no@fx.fi")
    assert known.env == fx.env


def test_an_index_the_template_gained_is_added(aws, tmp_path):
    tenant = unique_tenant()
    text = f"""
Resources:
  MainTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: grow-{tenant}
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{{AttributeName: pk, KeyType: HASH}}]
"""
    before = "      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]\n"
    after = """      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}, {AttributeName: g, AttributeType: S}]
      GlobalSecondaryIndexes:
        - {IndexName: byG, KeySchema: [{AttributeName: g, KeyType: HASH}], Projection: {ProjectionType: ALL}}
"""
    # Given a table made from the template as it was
    (tmp_path / "template.yaml").write_text(text + before)
    create_resources(tmp_path / "template.yaml", tenant)
    # When the template gains an index and the stack is created again (a restart)
    (tmp_path / "template.yaml").write_text(text + after)
    create_resources(tmp_path / "template.yaml", tenant)
    # Then the existing table has it
    table = boto3.client("dynamodb", region_name=REGION).describe_table(TableName=f"grow-{tenant}")["Table"]
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["byG"]


def test_intrinsics():
    t = load(FIXTURE_TEMPLATE)
    r = Resolver(t, {"TenantId": "x", "Stage": "prod", "EmailFrom": "a@b.fi"}, REGION, {"FilesBucket": "bkt"})
    assert r.resolve({"Fn::Sub": "${AWS::AccountId}-${AWS::Region}-${TenantId}"}) == "123456789012-eu-north-1-x"
    assert r.resolve({"Fn::Sub": ["${A}/${FilesBucket.Arn}", {"A": {"Ref": "Stage"}}]}) == "prod/arn:aws:s3:::bkt"
    assert r.resolve({"Fn::If": ["IsProd", "p", "n"]}) == "p" and r.condition("NotProd") is False
    assert r.resolve({"Fn::FindInMap": ["Sizes", "prod", "Memory"]}) == 1024
    assert r.resolve({"Fn::Join": ["-", ["a", {"Ref": "TenantId"}]]}) == "a-x"
    assert r.resolve({"Fn::GetAtt": ["FilesBucket", "RegionalDomainName"]}) == "bkt.s3.eu-north-1.amazonaws.com"
    assert r.resolve([{"Ref": "AWS::NoValue"}, 1]) == [1]


def test_cloudformation_properties_become_api_parameters():
    idp = boto3.client("cognito-idp", region_name=REGION)
    out = api_params(
        idp,
        "CreateGroup",
        {"UserPoolId": "p", "GroupName": "g", "Precedence": "3", "Tags": {"a": "b"}},
        "Group",
    )
    assert out == {"UserPoolId": "p", "GroupName": "g", "Precedence": 3}  # Tags: not an API parameter


def test_every_creator_covers_a_declared_type():
    kinds = {kind for kind, _ in _CREATORS}
    t = load(FIXTURE_TEMPLATE)
    declared = {r["Type"] for r in t["Resources"].values() if r["Type"].startswith(("AWS::DynamoDB", "AWS::S3"))}
    assert declared <= kinds


@pytest.mark.skipif(not REAL_TEMPLATE.exists(), reason="template.yaml is not there yet")
def test_the_real_template_makes_the_whole_stack(aws):
    # Given template.yaml, for a tenant nobody else uses
    tenant = unique_tenant("r")
    # When the local runtime creates it
    res = create_resources(REAL_TEMPLATE, tenant, "local", tenant_name="Kunta")
    # Then the tables have their indexes and TTL
    ddb = boto3.client("dynamodb", region_name=REGION)
    main = ddb.describe_table(TableName=res.table_name)["Table"]
    assert {i["IndexName"] for i in main.get("GlobalSecondaryIndexes", [])} >= {"gsi1", "gsi2"}
    assert ddb.describe_time_to_live(TableName=res.table_name)["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
    assert res.idempotency_table_name in ddb.list_tables()["TableNames"]
    # and the buckets, the pool with its policy, the five groups and the client
    s3 = boto3.client("s3", region_name=REGION)
    for bucket in (res.attachments_bucket, res.site_bucket):
        s3.head_bucket(Bucket=bucket)
        assert bucket.endswith("-123456789012")
    assert s3.get_bucket_cors(Bucket=res.attachments_bucket)["CORSRules"]
    idp = boto3.client("cognito-idp", region_name=REGION)
    pool = idp.describe_user_pool(UserPoolId=res.user_pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] >= 8
    groups = {g["GroupName"] for g in idp.list_groups(UserPoolId=res.user_pool_id)["Groups"]}
    assert groups == {"municipality_admin", "case_worker", "provider_admin", "provider_user", "citizen"}
    client = idp.describe_user_pool_client(UserPoolId=res.user_pool_id, ClientId=res.client_id)["UserPoolClient"]
    assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]
    # and every function has its code, its environment and (for the API) its routes
    for key in ("TENANT_ID", "STAGE", "TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "ATTACHMENTS_BUCKET", "SITE_BUCKET"):
        assert res.env[key], key
    assert res.env["USER_POOL_ID"] == res.user_pool_id and res.env["USER_POOL_CLIENT_ID"] == res.client_id
    for spec in res.functions.values():
        assert (spec.code_dir / "app.py").exists(), spec.logical_id
        assert spec.env.get("POWERTOOLS_SERVICE_NAME"), spec.logical_id
    public = {(r["method"], r["path"]) for f in res.functions.values() for r in f.routes if not r["auth"]}
    assert ("GET", "/v1/health") in public
    jobs = {s["input"].get("job") for f in res.functions.values() for s in f.schedules}
    assert {"settlement", "auto-events", "reminders"} <= jobs
