"""Check template.yaml offline: the project's contract, the SAM translation, cfn-lint, samconfig.toml.

    .venv-tools/bin/python tools/check_template.py [template.yaml] [--samconfig samconfig.toml]

`cfn-lint template.yaml` alone misses errors inside what SAM generates (roles, permissions,
schedules, the API definition). This script, with no AWS account and no network:

1. checks the contract other code relies on (logical ids, routes, groups, password policy, table
   protection, names carrying the tenant id and stage, schedules in Europe/Helsinki, which function
   may touch what);
2. translates the template with aws-sam-translator (local CodeUri/ContentUri replaced by S3
   stand-ins, a stub managed-policy loader, the region fixed so boto3 is never asked), writes
   build/<name>.translated.json next to the template and checks what SAM generated;
3. lints both the template and the translation with cfn-lint: any finding fails, except the
   commented ones in IGNORED;
4. checks samconfig.toml (one deploy env per tenant whose parameters the template accepts).

Exit status 0 when all is well, 1 with one line per problem on stderr otherwise. Runs in the tools
virtualenv (.venv-tools): aws-sam-translator pins its own pydantic. `contract()` needs neither the
translator nor cfn-lint, and also takes a template loaded with plain PyYAML (the tests use that).
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import re
import shlex
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REGION = "eu-north-1"
# Parameter values for the offline translation: tenant `demo`, stage `test`.
PARAMS = {"TenantId": "demo", "TenantName": "Demokunta", "Stage": "test", "EmailFrom": "no-reply@demo.seteli.fi"}

GROUPS = {
    "MunicipalityAdminGroup": "municipality_admin",
    "CaseWorkerGroup": "case_worker",
    "ProviderAdminGroup": "provider_admin",
    "ProviderUserGroup": "provider_user",
    "CitizenGroup": "citizen",
}
RESOURCES = {
    "MainTable": "AWS::DynamoDB::Table",
    "IdempotencyTable": "AWS::DynamoDB::Table",
    "AttachmentsBucket": "AWS::S3::Bucket",
    "SiteBucket": "AWS::S3::Bucket",
    "SiteDistribution": "AWS::CloudFront::Distribution",
    "UserPool": "AWS::Cognito::UserPool",
    "UserPoolClient": "AWS::Cognito::UserPoolClient",
    "Api": "AWS::Serverless::Api",
    "CommonLayer": "AWS::Serverless::LayerVersion",
    "JobsDeadLetterQueue": "AWS::SQS::Queue",
    "JobsQueue": "AWS::SQS::Queue",
    **dict.fromkeys(GROUPS, "AWS::Cognito::UserPoolGroup"),
}


def _any(*prefixes: str) -> set[tuple[str, str, bool]]:
    """ANY on /v1/<prefix> and /v1/<prefix>/{proxy+}, signed in."""
    return {("ANY", p, True) for prefix in prefixes for p in (f"/v1/{prefix}", f"/v1/{prefix}/{{proxy+}}")}


# function -> (CodeUri, POWERTOOLS_SERVICE_NAME, {(method, path, signed in)})
FUNCTIONS: dict[str, tuple[str, str, set[tuple[str, str, bool]]]] = {
    "PublicFunction": (
        "functions/public/",
        "public",
        {
            ("GET", "/v1/health", False),
            ("GET", "/v1/openapi.json", False),
            ("GET", "/v1/docs", False),
            ("GET", "/v1/public/{proxy+}", False),
        },
    ),
    "ProvidersFunction": (
        "functions/providers/",
        "providers",
        {
            ("GET", "/v1/providers", True),
            ("POST", "/v1/providers", False),  # registration: the company has no sign-in yet
            ("ANY", "/v1/providers/{proxy+}", True),
        },
    ),
    "ApplicationsFunction": ("functions/applications/", "applications", _any("applications")),
    "EntitlementsFunction": (
        "functions/entitlements/",
        "entitlements",
        _any("entitlements", "reservations", "customers"),
    ),
    "EventsFunction": (
        "functions/events/",
        "events",
        _any("events", "interruptions", "approvals", "credits", "feedback"),
    ),
    "SettlementFunction": (
        "functions/settlement/",
        "settlement",
        _any("settlements")
        | {("ANY", "/v1/reports/{proxy+}", True), ("ANY", "/v1/providers/{provider_id}/invoice-references", True)},
    ),
    "CitizenFunction": (
        "functions/citizen/",
        "citizen",
        {("ANY", "/v1/me/{proxy+}", True), ("POST", "/v1/public/entitlement-access", False)},
    ),
    "JobsFunction": ("functions/jobs/", "jobs", {("POST", "/v1/jobs/{job}", True), ("GET", "/v1/jobs/{job}", True)}),
    "SitePublisherFunction": ("functions/site_publisher/", "site_publisher", set()),
    "AuthorizerFunction": ("functions/authorizer/", "authorizer", set()),  # the API's Lambda authorizer
}
TIMEOUTS = {"JobsFunction": 900, "SitePublisherFunction": 900}

# (function, event) -> (schedule expression, input): the monthly calendar of spec 11.
SCHEDULES = {
    ("JobsFunction", "AutoEventsSchedule"): ("cron(0 1 4 * ? *)", {"job": "auto-events"}),
    ("JobsFunction", "RemindersSchedule"): ("cron(0 7 1,2 * ? *)", {"job": "reminders"}),
    ("JobsFunction", "SettlementSchedule"): ("cron(0 6 4 * ? *)", {"job": "settlement"}),
    ("SitePublisherFunction", "NightlySiteSchedule"): ("cron(30 2 * * ? *)", {"job": "site"}),
}
TIMEZONE = "Europe/Helsinki"
# The API's default authorizer: a Lambda REQUEST authorizer for ID tokens and API keys.
AUTHORIZER = "LambdaAuthorizer"

# Least privilege: what each function may touch, summarised from its Policies (see grants()).
PERMISSIONS = {
    "PublicFunction": {"read MainTable"},
    "ProvidersFunction": {"crud MainTable", "s3 AttachmentsBucket", "cognito UserPool", "email"},
    "ApplicationsFunction": {"crud MainTable", "email"},
    "EntitlementsFunction": {"crud MainTable", "crud IdempotencyTable", "email"},
    "EventsFunction": {"crud MainTable", "crud IdempotencyTable", "email"},
    "SettlementFunction": {"crud MainTable", "s3 AttachmentsBucket", "email"},
    "CitizenFunction": {"crud MainTable", "cognito UserPool"},
    "JobsFunction": {"crud MainTable", "crud IdempotencyTable", "s3 AttachmentsBucket", "sqs-send JobsQueue", "email"},
    "SitePublisherFunction": {"crud MainTable", "s3 SiteBucket", "kvs SiteKeyValueStore"},
    "AuthorizerFunction": {"read MainTable"},  # GetItem of an API key, nothing else
}

GLOBAL_FUNCTION = {
    "Runtime": "python3.12",
    "Architectures": ["arm64"],
    "Handler": "app.lambda_handler",
    "Timeout": 29,
    "MemorySize": 1024,
    "Tracing": "Active",
    "Layers": [{"Ref": "CommonLayer"}],
}
GLOBAL_ENV = {
    "TENANT_ID": {"Ref": "TenantId"},
    "TENANT_NAME": {"Ref": "TenantName"},
    "STAGE": {"Ref": "Stage"},
    "TABLE_NAME": {"Ref": "MainTable"},
    "IDEMPOTENCY_TABLE_NAME": {"Ref": "IdempotencyTable"},
    "ATTACHMENTS_BUCKET": {"Ref": "AttachmentsBucket"},
    "SITE_BUCKET": {"Ref": "SiteBucket"},
    "USER_POOL_ID": {"Ref": "UserPool"},
    "USER_POOL_CLIENT_ID": {"Ref": "UserPoolClient"},
    "EMAIL_FROM": {"Ref": "EmailFrom"},
    "POWERTOOLS_METRICS_NAMESPACE": "Seteli",
    "POWERTOOLS_LOG_LEVEL": "INFO",
}
OUTPUTS = {
    "ApiUrl",
    "UserPoolId",
    "UserPoolClientId",
    "MainTableName",
    "AttachmentsBucketName",
    "SiteBucketName",
    "SiteUrl",
}
# Properties that give a resource its physical name; "Name" counts directly under Properties, under
# OriginAccessControlConfig and under a schedule event's Properties (not Dimensions, Schema, ...).
NAME_KEYS = {
    "TableName",
    "BucketName",
    "UserPoolName",
    "ClientName",
    "FunctionName",
    "LayerName",
    "QueueName",
    "LogGroupName",
    "ManagedPolicyName",
    "TopicName",
    "AlarmName",
    "RoleName",
}

# Every cfn-lint finding fails the check except these, per file, each with its reason.
IGNORED: dict[str, dict[str, str]] = {
    "template": {},
    "translated": {
        # The translator resolves the parameters in the layer's LayerName to hash the layer's
        # logical id and leaves behind an Fn::Sub with nothing left to substitute.
        "W1020": "Fn::Sub without variables, written by aws-sam-translator itself",
    },
}


class CheckFailed(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# ------------------------------------------------------------------------------------ helpers
def _props(res: dict[str, Any], rid: str) -> dict[str, Any]:
    return res.get(rid, {}).get("Properties") or {}


def _is_ref(value: Any, name: str) -> bool:
    return value == {"Ref": name}


def _is_getatt(value: Any, name: str, attr: str) -> bool:
    return isinstance(value, dict) and value.get("Fn::GetAtt") in ([name, attr], f"{name}.{attr}")


def _carries_tenant_and_stage(value: Any) -> bool:
    text = json.dumps(value)
    return "${TenantId}" in text and "${Stage}" in text


def _names(node: Any, path: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
    """(dotted path, value) of every physical-name property under node."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = (*path, str(key))
            if key in NAME_KEYS or (key == "Name" and path and path[-1] in ("Properties", "OriginAccessControlConfig")):
                found.append((".".join(here), value))
            elif key not in ("Policies", "Tags", "UserPoolTags"):
                found += _names(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _names(value, (*path, f"[{i}]"))
    return found


def grants(props: dict[str, Any]) -> set[str]:
    """A function's Policies, summarised as "crud MainTable", "s3 SiteBucket", "email", ..."""
    out: set[str] = set()
    for policy in props.get("Policies") or []:
        if isinstance(policy, dict) and len(policy) == 1 and next(iter(policy)).endswith("Policy"):
            name, args = next(iter(policy.items()))
            target = next((v["Ref"] for v in (args or {}).values() if isinstance(v, dict) and "Ref" in v), "?")
            kind = {
                "DynamoDBReadPolicy": "read",
                "DynamoDBCrudPolicy": "crud",
                "S3ReadPolicy": "s3-read",
                "S3CrudPolicy": "s3",
                "S3WritePolicy": "s3",
                "SESCrudPolicy": "email",
                "SESSendBouncePolicy": "email",
                "SQSSendMessagePolicy": "sqs-send",
            }.get(name, name)
            if name == "SQSSendMessagePolicy":  # QueueName: !GetAtt Queue.QueueName
                queue = next(iter((args or {}).values()), None)
                att = queue.get("Fn::GetAtt") if isinstance(queue, dict) else None
                if att:
                    target = att.split(".")[0] if isinstance(att, str) else att[0]
            out.add(kind if kind == "email" else f"{kind} {target}")
        elif _is_ref(policy, "SendEmailPolicy"):
            out.add("email")
        elif isinstance(policy, dict) and "Statement" in policy:
            for st in policy["Statement"]:
                actions = st.get("Action", [])
                actions = [actions] if isinstance(actions, str) else actions
                for service in sorted({a.split(":")[0] for a in actions}):
                    if service == "cognito-idp" and _is_getatt(st.get("Resource"), "UserPool", "Arn"):
                        out.add("cognito UserPool")
                    elif service == "ses":
                        out.add("email")
                    elif service == "cloudfront-keyvaluestore" and _is_getatt(
                        st.get("Resource"), "SiteKeyValueStore", "Arn"
                    ):
                        out.add("kvs SiteKeyValueStore")
                    else:
                        out.add(f"{service} {json.dumps(st.get('Resource'))}")
        else:
            out.add(f"policy {json.dumps(policy)}")
    return out


# ------------------------------------------------------------------------------------ contract
def contract(t: dict[str, Any]) -> list[str]:
    """The project's promises about the template, each broken one as a readable problem."""
    p: list[str] = []
    res: dict[str, Any] = t.get("Resources") or {}

    if t.get("Transform") != "AWS::Serverless-2016-10-31":
        p.append("Transform must be AWS::Serverless-2016-10-31")

    params = t.get("Parameters") or {}
    if (params.get("TenantId") or {}).get("AllowedPattern") != "^[a-z0-9][a-z0-9-]{1,29}$":
        p.append("Parameters.TenantId: AllowedPattern must be ^[a-z0-9][a-z0-9-]{1,29}$")
    stage = params.get("Stage") or {}
    if sorted(stage.get("AllowedValues") or []) != ["dev", "prod", "test"] or stage.get("Default") != "prod":
        p.append("Parameters.Stage: AllowedValues dev/test/prod, Default prod")
    for name in ("TenantName", "EmailFrom", "LogRetentionDays"):
        if name not in params:
            p.append(f"Parameters.{name} is missing")
    if str((params.get("LogRetentionDays") or {}).get("Default")) != "365":
        p.append("Parameters.LogRetentionDays: Default 365")

    # Globals
    glob = (t.get("Globals") or {}).get("Function") or {}
    for key, want in GLOBAL_FUNCTION.items():
        if glob.get(key) != want:
            p.append(f"Globals.Function.{key} must be {json.dumps(want)} (is {json.dumps(glob.get(key))})")
    if (glob.get("LoggingConfig") or {}).get("LogFormat") != "JSON":
        p.append("Globals.Function.LoggingConfig.LogFormat must be JSON")
    env = (glob.get("Environment") or {}).get("Variables") or {}
    for key, want in GLOBAL_ENV.items():
        if env.get(key) != want:
            p.append(f"Globals.Function.Environment.Variables.{key} must be {json.dumps(want)}")
    if "TenantId" not in json.dumps(glob.get("Tags")):
        p.append("Globals.Function.Tags must carry the tenant id")

    # Required resources
    for rid, kind in RESOURCES.items():
        if rid not in res:
            p.append(f"missing resource {rid} ({kind})")
        elif res[rid].get("Type") != kind:
            p.append(f"{rid} must be {kind}, is {res[rid].get('Type')}")

    # Layer
    layer = res.get("CommonLayer") or {}
    lp = layer.get("Properties") or {}
    if str(lp.get("ContentUri", "")).rstrip("/") != "layers/common":
        p.append("CommonLayer.ContentUri must be layers/common/")
    if lp.get("CompatibleRuntimes") != ["python3.12"] or lp.get("CompatibleArchitectures") != ["arm64"]:
        p.append("CommonLayer: CompatibleRuntimes [python3.12], CompatibleArchitectures [arm64]")
    if (layer.get("Metadata") or {}).get("BuildMethod") != "python3.12":
        p.append("CommonLayer.Metadata.BuildMethod must be python3.12 (or `sam build` does not build the layer)")

    # Tables
    for rid, keys, ttl in (("MainTable", ("pk", "sk"), "ttl"), ("IdempotencyTable", ("id",), "expiration")):
        if rid not in res:
            continue
        tp = _props(res, rid)
        if not (tp.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled"):
            p.append(f"{rid}: point-in-time recovery is off (PointInTimeRecoverySpecification)")
        if tp.get("DeletionProtectionEnabled") is not True:
            p.append(f"{rid}: deletion protection is off (DeletionProtectionEnabled)")
        if not (tp.get("SSESpecification") or {}).get("SSEEnabled"):
            p.append(f"{rid}: encryption is off (SSESpecification.SSEEnabled)")
        if tp.get("BillingMode") != "PAY_PER_REQUEST":
            p.append(f"{rid}: BillingMode must be PAY_PER_REQUEST")
        if [k.get("AttributeName") for k in tp.get("KeySchema") or []] != list(keys):
            p.append(f"{rid}: key schema must be {list(keys)}")
        if (tp.get("TimeToLiveSpecification") or {}).get("AttributeName") != ttl:
            p.append(f"{rid}: TTL attribute must be {ttl}")
    main = _props(res, "MainTable")
    gsis = {
        g.get("IndexName"): [k.get("AttributeName") for k in g.get("KeySchema", [])]
        for g in main.get("GlobalSecondaryIndexes") or []
    }
    if gsis != {"gsi1": ["gsi1pk", "gsi1sk"], "gsi2": ["gsi2pk", "gsi2sk"]}:
        p.append(f"MainTable: GSIs must be gsi1 (gsi1pk/gsi1sk) and gsi2 (gsi2pk/gsi2sk), are {gsis}")
    if (main.get("StreamSpecification") or {}).get("StreamViewType") != "NEW_AND_OLD_IMAGES":
        p.append("MainTable: StreamSpecification NEW_AND_OLD_IMAGES")
    if "MainTable" in res and (res["MainTable"].get("DeletionPolicy"), res["MainTable"].get("UpdateReplacePolicy")) != (
        "Retain",
        "Retain",
    ):
        p.append("MainTable: DeletionPolicy and UpdateReplacePolicy must be Retain")

    # Buckets
    for rid in ("AttachmentsBucket", "SiteBucket"):
        if rid not in res:
            continue
        bp = _props(res, rid)
        if not (bp.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration"):
            p.append(f"{rid}: BucketEncryption is missing")
        block = bp.get("PublicAccessBlockConfiguration") or {}
        flags = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
        if not all(block.get(k) is True for k in flags):
            p.append(f"{rid}: PublicAccessBlockConfiguration must block everything")
    att = _props(res, "AttachmentsBucket")
    if (att.get("VersioningConfiguration") or {}).get("Status") != "Enabled":
        p.append("AttachmentsBucket: versioning must be Enabled")
    cors = (att.get("CorsConfiguration") or {}).get("CorsRules", [])
    if not any("POST" in r.get("AllowedMethods", []) for r in cors):
        p.append("AttachmentsBucket: CORS must allow POST (presigned uploads from browsers)")
    if not any("NoncurrentVersionExpiration" in r for r in (att.get("LifecycleConfiguration") or {}).get("Rules", [])):
        p.append("AttachmentsBucket: a lifecycle rule must expire noncurrent versions")
    origins = (_props(res, "SiteDistribution").get("DistributionConfig") or {}).get("Origins") or []
    if not any(
        o.get("OriginAccessControlId") and _is_getatt(o.get("DomainName"), "SiteBucket", "RegionalDomainName")
        for o in origins
    ):
        p.append("SiteDistribution must serve SiteBucket through an origin access control")

    # User pool (spec 14)
    pool = _props(res, "UserPool")
    pw = (pool.get("Policies") or {}).get("PasswordPolicy") or {}
    want_pw = {
        "MinimumLength": 8,
        "RequireNumbers": True,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireSymbols": False,
        "TemporaryPasswordValidityDays": 7,
    }
    if {k: pw.get(k) for k in want_pw} != want_pw:
        p.append(f"UserPool: password policy must be {want_pw} (spec 14), is {pw}")
    if pool.get("UsernameAttributes") != ["email"] or pool.get("AutoVerifiedAttributes") != ["email"]:
        p.append("UserPool: email is the user name (UsernameAttributes and AutoVerifiedAttributes [email])")
    recovery = [m.get("Name") for m in (pool.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms", [])]
    if recovery != ["verified_email"]:
        p.append("UserPool: AccountRecoverySetting must be verified_email only (self-service unlock, spec 14)")
    if (pool.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly") is not True:
        p.append("UserPool: AdminCreateUserConfig.AllowAdminCreateUserOnly must be true")
    custom = [a for a in pool.get("Schema") or [] if a.get("Name") == "provider_id"]
    if not custom or custom[0].get("AttributeDataType") != "String" or custom[0].get("Mutable") is not True:
        p.append("UserPool: Schema needs the custom String attribute provider_id, Mutable true")
    client = _props(res, "UserPoolClient")
    if client.get("GenerateSecret") not in (None, False):
        p.append("UserPoolClient: no client secret (public clients)")
    flows = {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    if set(client.get("ExplicitAuthFlows") or []) != flows:
        p.append(f"UserPoolClient: ExplicitAuthFlows must be {sorted(flows)}")
    if client.get("PreventUserExistenceErrors") != "ENABLED":
        p.append("UserPoolClient: PreventUserExistenceErrors ENABLED")
    if "custom:provider_id" not in (client.get("ReadAttributes") or []):
        p.append("UserPoolClient: ReadAttributes must include custom:provider_id")
    if "custom:provider_id" in (client.get("WriteAttributes") or ["custom:provider_id"]):
        p.append(
            "UserPoolClient: WriteAttributes must be listed and exclude custom:provider_id"
            " (a user can't change its provider)"
        )
    groups = {
        rid: (r.get("Properties") or {}).get("GroupName")
        for rid, r in res.items()
        if r.get("Type") == "AWS::Cognito::UserPoolGroup"
    }
    if groups != GROUPS:
        p.append(f"user pool groups must be {GROUPS}, are {groups}")

    # API
    api = _props(res, "Api")
    if not _is_ref(api.get("StageName"), "Stage"):
        p.append("Api.StageName must be !Ref Stage")
    if api.get("TracingEnabled") is not True:
        p.append("Api.TracingEnabled must be true")
    if not (api.get("AccessLogSetting") or {}).get("DestinationArn"):
        p.append("Api: access logging (AccessLogSetting) is missing")
    if not any("ThrottlingRateLimit" in m for m in api.get("MethodSettings") or []):
        p.append("Api: MethodSettings must throttle")
    auth = api.get("Auth") or {}
    if auth.get("DefaultAuthorizer") != AUTHORIZER or auth.get("AddDefaultAuthorizerToCorsPreflight") is not False:
        p.append(f"Api.Auth: DefaultAuthorizer {AUTHORIZER}, AddDefaultAuthorizerToCorsPreflight false")
    authorizer = (auth.get("Authorizers") or {}).get(AUTHORIZER) or {}
    if not _is_getatt(authorizer.get("FunctionArn"), "AuthorizerFunction", "Arn"):
        p.append(f"Api.Auth.Authorizers.{AUTHORIZER}.FunctionArn must be !GetAtt AuthorizerFunction.Arn")
    if authorizer.get("FunctionPayloadType") != "REQUEST":
        p.append(f"Api.Auth.Authorizers.{AUTHORIZER}.FunctionPayloadType must be REQUEST")
    identity = authorizer.get("Identity") or {}
    if identity.get("Headers") != ["Authorization"]:
        p.append(f"Api.Auth.Authorizers.{AUTHORIZER}.Identity.Headers must be [Authorization]")
    if not isinstance(identity.get("ReauthorizeEvery"), int) or not 0 < identity["ReauthorizeEvery"] <= 300:
        p.append(
            f"Api.Auth.Authorizers.{AUTHORIZER}.Identity.ReauthorizeEvery must be 1-300 s"
            " (a revoked key stops working within it)"
        )
    fenv = ((_props(res, "AuthorizerFunction").get("Environment") or {}).get("Variables")) or {}
    if not _is_ref(fenv.get("USER_POOL_ID"), "UserPool") or not _is_ref(
        fenv.get("USER_POOL_CLIENT_ID"), "UserPoolClient"
    ):
        p.append(
            "AuthorizerFunction: Environment USER_POOL_ID !Ref UserPool and USER_POOL_CLIENT_ID !Ref UserPoolClient"
        )
    if not api.get("Cors"):
        p.append("Api: Cors is missing")
    responses = api.get("GatewayResponses") or {}
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED"):
        spec = responses.get(kind) or {}
        ctype = ((spec.get("ResponseParameters") or {}).get("Headers") or {}).get("Content-Type")
        if ctype != "'application/problem+json'" or not (spec.get("ResponseTemplates") or {}).get("application/json"):
            p.append(f"Api.GatewayResponses.{kind} must answer application/problem+json with a body")

    # Functions
    functions = {rid: r for rid, r in res.items() if r.get("Type") == "AWS::Serverless::Function"}
    for rid in sorted(set(FUNCTIONS) - set(functions)):
        p.append(f"missing function {rid}")
    for rid in sorted(set(functions) - set(FUNCTIONS)):
        p.append(f"function {rid} is not in the contract (tools/check_template.py FUNCTIONS, PERMISSIONS)")
    schedules_seen = set()
    for rid, (code_uri, service, routes) in FUNCTIONS.items():
        if rid not in functions:
            continue
        fp = functions[rid].get("Properties") or {}
        if fp.get("CodeUri") != code_uri:
            p.append(f"{rid}.CodeUri must be {code_uri}")
        if ((fp.get("Environment") or {}).get("Variables") or {}).get("POWERTOOLS_SERVICE_NAME") != service:
            p.append(f"{rid}: POWERTOOLS_SERVICE_NAME must be {service}")
        if fp.get("Timeout", GLOBAL_FUNCTION["Timeout"]) != TIMEOUTS.get(rid, GLOBAL_FUNCTION["Timeout"]):
            p.append(f"{rid}.Timeout must be {TIMEOUTS.get(rid, GLOBAL_FUNCTION['Timeout'])}")
        got_routes = set()
        for ev_name, ev in (fp.get("Events") or {}).items():
            ep = ev.get("Properties") or {}
            if ev.get("Type") == "Api":
                if not _is_ref(ep.get("RestApiId"), "Api"):
                    p.append(f"{rid}.{ev_name}: RestApiId must be !Ref Api")
                signed_in = (ep.get("Auth") or {}).get("Authorizer", AUTHORIZER) != "NONE"
                got_routes.add((str(ep.get("Method", "")).upper(), ep.get("Path"), signed_in))
            elif ev.get("Type") == "ScheduleV2":
                schedules_seen.add((rid, ev_name))
                where = f"{rid}.{ev_name}"
                if ep.get("ScheduleExpressionTimezone") != TIMEZONE:
                    p.append(f"{where}: ScheduleExpressionTimezone must be {TIMEZONE} (the calendar is Finnish time)")
                want = SCHEDULES.get((rid, ev_name))
                if want is None:
                    p.append(f"{where}: a schedule not in the contract (tools/check_template.py SCHEDULES)")
                else:
                    if ep.get("ScheduleExpression") != want[0]:
                        p.append(f"{where}: ScheduleExpression must be {want[0]}")
                    try:
                        given = json.loads(ep.get("Input") or "null")
                    except ValueError:
                        given = None
                    if given != want[1]:
                        p.append(f"{where}: Input must be the JSON {json.dumps(want[1])}")
                if not _carries_tenant_and_stage(ep.get("Name")):
                    p.append(f"{where}: Name must contain ${{TenantId}} and ${{Stage}}")
                if not _is_getatt((ep.get("DeadLetterConfig") or {}).get("Arn"), "JobsDeadLetterQueue", "Arn"):
                    p.append(f"{where}: DeadLetterConfig must point at JobsDeadLetterQueue")
                if not ep.get("RetryPolicy"):
                    p.append(f"{where}: RetryPolicy is missing")
            elif ev.get("Type") == "SQS" and rid == "JobsFunction":
                if not _is_getatt(ep.get("Queue"), "JobsQueue", "Arn"):
                    p.append(f"{rid}.{ev_name}: the jobs function takes pages only from JobsQueue")
            elif ev.get("Type") == "DynamoDB" and rid == "SitePublisherFunction":
                if not _is_getatt(ep.get("Stream"), "MainTable", "StreamArn"):
                    p.append(f"{rid}.{ev_name}: the site publisher reads only the main table's stream")
                if not (ep.get("FilterCriteria") or {}).get("Filters"):
                    p.append(f"{rid}.{ev_name}: FilterCriteria must keep out what the public does not see")
            else:
                p.append(f"{rid}.{ev_name}: unexpected event type {ev.get('Type')}")
        for method, path, signed_in in sorted(routes - got_routes, key=str):
            p.append(
                f"{rid}: route {method} {path} ({'signed in' if signed_in else 'Auth: Authorizer: NONE'}) is missing"
            )
        for method, path, signed_in in sorted(got_routes - routes, key=str):
            p.append(
                f"{rid}: route {method} {path} ({'signed in' if signed_in else 'no sign-in'}) is not in the contract"
            )
        got = grants(fp)
        if got != PERMISSIONS[rid]:
            extra, lacking = sorted(got - PERMISSIONS[rid]), sorted(PERMISSIONS[rid] - got)
            p.append(f"{rid}: permissions must be {sorted(PERMISSIONS[rid])} (extra: {extra}, missing: {lacking})")
    for rid, ev_name in sorted(set(SCHEDULES) - schedules_seen):
        p.append(f"{rid}.{ev_name}: schedule is missing")

    # Names: two tenants' stacks (and two stages) must fit in one account
    for rid, r in res.items():
        for where, value in _names(r.get("Properties") or {}):
            if not _carries_tenant_and_stage(value):
                p.append(f"{rid}.{where} must contain ${{TenantId}} and ${{Stage}} so stacks can share an account")

    missing_outputs = OUTPUTS - set(t.get("Outputs") or {})
    p += [f"missing output {o}" for o in sorted(missing_outputs)]
    return p


# ------------------------------------------------------------------------------------ translation
class StubPolicyLoader:
    """Answers AWS managed policy names with their ARNs instead of asking IAM (no account here)."""

    def load(self) -> dict[str, str]:
        service_role = (
            "AWSLambdaBasicExecutionRole",
            "AWSLambdaRole",
            "AWSLambdaDynamoDBExecutionRole",
            "AWSLambdaSQSQueueExecutionRole",
            "AmazonAPIGatewayPushToCloudWatchLogs",
        )
        top_level = ("AWSXrayWriteOnlyAccess", "AWSXRayDaemonWriteAccess")
        return {
            **{n: f"arn:aws:iam::aws:policy/service-role/{n}" for n in service_role},
            **{n: f"arn:aws:iam::aws:policy/{n}" for n in top_level},
        }


def stand_in_code(template: dict[str, Any]) -> dict[str, Any]:
    """Local CodeUri/ContentUri folders -> s3:// URIs, as `sam package` would leave them."""
    t = copy.deepcopy(template)
    for name, r in (t.get("Resources") or {}).items():
        props = r.get("Properties") or {}
        for kind, key in (("AWS::Serverless::Function", "CodeUri"), ("AWS::Serverless::LayerVersion", "ContentUri")):
            if r.get("Type") == kind and isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = f"s3://seteli-build-artifacts/{name}.zip"
    return t


def translate(template: dict[str, Any], params: dict[str, str] = PARAMS) -> dict[str, Any]:
    os.environ["AWS_DEFAULT_REGION"] = REGION
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    from samtranslator.public.exceptions import InvalidDocumentException
    from samtranslator.translator.arn_generator import ArnGenerator
    from samtranslator.translator.transform import transform

    ArnGenerator.BOTO_SESSION_REGION_NAME = REGION  # the partition comes from here, not a boto3 session
    try:
        return transform(stand_in_code(template), params, StubPolicyLoader())
    except InvalidDocumentException as exc:
        raise CheckFailed([f"SAM translation: {cause.message}" for cause in exc.causes]) from exc
    except Exception as exc:  # the translator's other errors are bugs or unsupported shapes: say which
        raise CheckFailed([f"SAM translation failed: {type(exc).__name__}: {exc}"]) from exc


def translated_contract(cfn: dict[str, Any]) -> list[str]:
    """What SAM generated: schedules, sign-in on every route but the public ones, no wildcard grants."""
    p: list[str] = []
    res: dict[str, Any] = cfn.get("Resources") or {}
    schedules = {rid: r["Properties"] for rid, r in res.items() if r.get("Type") == "AWS::Scheduler::Schedule"}
    if len(schedules) != len(SCHEDULES):
        p.append(f"translated: {len(schedules)} EventBridge schedules, expected {len(SCHEDULES)}")
    for rid, sp in schedules.items():
        if sp.get("ScheduleExpressionTimezone") != TIMEZONE:
            p.append(f"translated: {rid} does not run in {TIMEZONE}")
        target = sp.get("Target") or {}
        if not target.get("DeadLetterConfig") or not target.get("RetryPolicy"):
            p.append(f"translated: {rid} has no dead-letter queue or retry policy")

    public = {(m.lower(), path) for (_, _, routes) in FUNCTIONS.values() for (m, path, signed) in routes if not signed}
    body = _props(res, "Api").get("Body") or {}
    for path, methods in (body.get("paths") or {}).items():
        for method, op in methods.items():
            if method == "options":
                continue  # CORS preflight, answered by API Gateway itself
            m = "any" if method == "x-amazon-apigateway-any-method" else method
            security = json.dumps(op.get("security"))
            if (m, path) in public:
                if AUTHORIZER in security:
                    p.append(f"translated: {m.upper()} {path} must be open (no sign-in)")
            elif AUTHORIZER not in security:
                p.append(f"translated: {m.upper()} {path} is not behind the Lambda authorizer")

    for rid, r in res.items():
        if r.get("Type") != "AWS::IAM::Role":
            continue
        for policy in r["Properties"].get("Policies") or []:
            for st in policy["PolicyDocument"].get("Statement", []):
                resources = st.get("Resource")
                if st.get("Effect") == "Allow" and (
                    "*" == resources or "*" in (resources if isinstance(resources, list) else [])
                ):
                    p.append(
                        f"translated: {rid}/{policy.get('PolicyName')} allows {st.get('Action')} on every resource (*)"
                    )
    return p


# ------------------------------------------------------------------------------------ lint
def lint(path: Path, kind: str) -> list[str]:
    from cfnlint.api import ManualArgs, lint_file

    matches = lint_file(path, config=ManualArgs(regions=[REGION]))
    ignored = IGNORED[kind]
    return [
        f"cfn-lint {path.name}: {m.rule.id} {m.message} (line {m.linenumber})"
        for m in matches
        if m.rule.id not in ignored
    ]


# ------------------------------------------------------------------------------------ samconfig
def parse_overrides(value: str | list[str]) -> dict[str, str]:
    """parameter_overrides as SAM CLI reads them: Key=Value pairs, space separated, quoted values."""
    items = value if isinstance(value, list) else [value]
    out: dict[str, str] = {}
    for item in items:
        for token in shlex.split(item):
            key, sep, val = token.partition("=")
            if not sep:
                raise ValueError(f"{token!r} is not Key=Value")
            out[key] = val
    return out


def check_samconfig(path: Path, template: dict[str, Any]) -> list[str]:
    p: list[str] = []
    try:
        cfg = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return [f"{path.name}: {exc}"]
    if str(cfg.get("version")) != "0.1":
        p.append(f"{path.name}: version must be 0.1")
    params = template.get("Parameters") or {}
    required = {k for k, v in params.items() if "Default" not in v}
    envs = {k: v for k, v in cfg.items() if isinstance(v, dict) and "deploy" in v}
    if not envs:
        p.append(f"{path.name}: no deploy environments")
    for env, sections in envs.items():
        where = f"{path.name} [{env}.deploy.parameters]"
        dp = sections["deploy"].get("parameters") or {}
        try:
            overrides = parse_overrides(dp.get("parameter_overrides", ""))
        except ValueError as exc:
            p.append(f"{where}: parameter_overrides: {exc}")
            continue
        if dp.get("stack_name") != f"seteli-{env}-{overrides.get('Stage', 'prod')}":
            p.append(f"{where}: stack_name must be seteli-{env}-<stage>")
        if dp.get("region") != REGION:
            p.append(f"{where}: region must be {REGION}")
        caps = set(str(dp.get("capabilities", "")).split())
        if not {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"} <= caps:
            p.append(f"{where}: capabilities must include CAPABILITY_IAM and CAPABILITY_AUTO_EXPAND")
        if dp.get("resolve_s3") is not True or "confirm_changeset" not in dp:
            p.append(f"{where}: resolve_s3 = true and confirm_changeset must be set")
        for key in sorted(set(overrides) - set(params)):
            p.append(f"{where}: {key} is not a template parameter")
        for key in sorted(required - set(overrides)):
            p.append(f"{where}: parameter {key} has no value")
        if overrides.get("TenantId") != env:
            p.append(f"{where}: TenantId must be {env} (the config env is the tenant)")
        for key, value in overrides.items():
            spec = params.get(key) or {}
            pattern = spec.get("AllowedPattern")
            if pattern and not re.fullmatch(pattern, value):
                p.append(f"{where}: {key}={value!r} does not match {pattern}")
            allowed = spec.get("AllowedValues")
            if allowed and value not in [str(a) for a in allowed]:
                p.append(f"{where}: {key}={value!r} is not one of {allowed}")
    return p


# ------------------------------------------------------------------------------------ main
def load_template(path: Path) -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse  # understands the short tags (!Ref, !Sub, ...)

    return yaml_parse(path.read_text(encoding="utf-8"))


def check(path: Path, samconfig: Path | None = None) -> list[str]:
    template = load_template(path)
    problems = [f"contract: {m}" for m in contract(template)]
    if samconfig is not None:
        problems += [f"samconfig: {m}" for m in check_samconfig(samconfig, template)]
    problems += lint(path, "template")
    try:
        translated = translate(template)
    except CheckFailed as exc:
        return problems + exc.problems
    out = path.resolve().parent / "build" / f"{path.stem}.translated.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(translated, indent=1), encoding="utf-8")
    problems += translated_contract(translated)
    problems += lint(out, "translated")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("template", nargs="?", type=Path, default=ROOT / "template.yaml")
    parser.add_argument("--samconfig", type=Path, help="default: samconfig.toml next to the template, if any")
    args = parser.parse_args(argv)
    path: Path = args.template
    samconfig = args.samconfig or (path.resolve().parent / "samconfig.toml")
    if not samconfig.exists():
        samconfig = None
    if not path.exists():
        print(f"{path}: no such file", file=sys.stderr)
        return 2
    problems = check(path, samconfig)
    if problems:
        print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
        for problem in problems:
            print(f"- {problem}", file=sys.stderr)
        return 1
    checked = "contract, SAM translation, cfn-lint" + (f", {samconfig.name}" if samconfig else "")
    print(f"{path}: OK ({checked}); translation in build/{path.stem}.translated.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
