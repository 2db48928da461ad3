"""Create in the emulator what template.yaml declares: tables, buckets, user pool, groups, client.

Everything is read from the template (key schemas, indexes, TTL, password policy, groups, flows):
there is no second, hand-written definition of any resource.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local import template as tpl

REGION = "eu-north-1"


@dataclass
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str
    env: dict[str, str]
    routes: list[dict[str, Any]] = field(default_factory=list)  # {path, method, auth}


@dataclass
class LocalResources:
    tenant_id: str
    stage: str
    region: str
    physical: dict[str, str]  # logical id -> physical name/id
    env: dict[str, str]  # what every function gets (Globals, resolved)
    functions: dict[str, FunctionSpec]
    gateway_responses: dict[str, tuple[int, str, str]]  # type -> (status, content type, body), from the template

    @property
    def table_name(self) -> str:
        return self.physical["MainTable"]

    @property
    def user_pool_id(self) -> str:
        return self.physical["UserPool"]

    @property
    def client_id(self) -> str:
        return self.physical["UserPoolClient"]


def parameters(t: dict[str, Any], given: dict[str, str]) -> dict[str, str]:
    out = {k: str(v["Default"]) for k, v in t.get("Parameters", {}).items() if "Default" in v}
    out.update(given)
    missing = [k for k in t.get("Parameters", {}) if k not in out]
    if missing:
        raise ValueError(f"template parameters without a value: {', '.join(missing)}")
    return out


def _resources(t: dict[str, Any], kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [(k, v.get("Properties", {})) for k, v in t["Resources"].items() if v["Type"] == kind]


def stack_parameters(tenant_id: str, stage: str, tenant_name: str | None, email_from: str | None) -> dict[str, str]:
    """The template's parameters for a local stack."""
    return {
        "TenantId": tenant_id,
        "Stage": stage,
        "TenantName": tenant_name or tenant_id,
        "EmailFrom": email_from or f"no-reply@{tenant_id}.seteli.local",
    }


def plan(template_path: Path, given: dict[str, str], region: str = REGION) -> tuple[dict, tpl.Resolver]:
    t = tpl.load(template_path)
    return t, tpl.Resolver(parameters(t, given), region)


def create_resources(
    template_path: Path | str,
    tenant_id: str = "demo",
    stage: str = "local",
    tenant_name: str | None = None,
    email_from: str | None = None,
    region: str = REGION,
) -> LocalResources:
    """Create the template's resources in the running emulator and describe them."""
    import boto3

    template_path = Path(template_path)
    given = stack_parameters(tenant_id, stage, tenant_name, email_from)
    t, r = plan(template_path, given, region)
    ddb = boto3.client("dynamodb", region_name=region)
    s3 = boto3.client("s3", region_name=region)
    idp = boto3.client("cognito-idp", region_name=region)
    ses = boto3.client("ses", region_name=region)

    for lid, props in _resources(t, "AWS::DynamoDB::Table"):
        p = r.resolve(props)
        args = {k: p[k] for k in ("TableName", "AttributeDefinitions", "KeySchema", "BillingMode") if k in p}
        if p.get("GlobalSecondaryIndexes"):
            args["GlobalSecondaryIndexes"] = p["GlobalSecondaryIndexes"]
        if p.get("StreamSpecification"):
            args["StreamSpecification"] = {"StreamEnabled": True, **p["StreamSpecification"]}
        ddb.create_table(**args)
        if p.get("TimeToLiveSpecification"):
            ddb.update_time_to_live(TableName=p["TableName"], TimeToLiveSpecification=p["TimeToLiveSpecification"])
        r.physical[lid] = p["TableName"]

    for lid, props in _resources(t, "AWS::S3::Bucket"):
        p = r.resolve(props)
        s3.create_bucket(Bucket=p["BucketName"], CreateBucketConfiguration={"LocationConstraint": region})
        if p.get("CorsConfiguration"):
            rules = [
                {
                    "AllowedMethods": c["AllowedMethods"],
                    "AllowedOrigins": c["AllowedOrigins"],
                    "AllowedHeaders": c.get("AllowedHeaders", []),
                    "MaxAgeSeconds": int(c.get("MaxAge", 0)),
                }
                for c in p["CorsConfiguration"]["CorsRules"]  # CloudFormation spells it CorsRules/MaxAge
            ]
            s3.put_bucket_cors(Bucket=p["BucketName"], CORSConfiguration={"CORSRules": rules})
        r.physical[lid] = p["BucketName"]

    for lid, props in _resources(t, "AWS::Cognito::UserPool"):
        p = r.resolve(props)
        args = {"PoolName": p["UserPoolName"]}
        for key in (
            "Policies",
            "UsernameAttributes",
            "AutoVerifiedAttributes",
            "AccountRecoverySetting",
            "AdminCreateUserConfig",
            "MfaConfiguration",
        ):
            if key in p:
                args[key] = p[key]
        if "Schema" in p:
            args["Schema"] = [
                {
                    k: v
                    for k, v in a.items()
                    if k in ("Name", "AttributeDataType", "Mutable", "Required", "StringAttributeConstraints")
                }
                for a in p["Schema"]
            ]
        r.physical[lid] = idp.create_user_pool(**args)["UserPool"]["Id"]

    for _lid, props in _resources(t, "AWS::Cognito::UserPoolGroup"):
        p = r.resolve(props)
        idp.create_group(
            UserPoolId=p["UserPoolId"],
            GroupName=p["GroupName"],
            Description=p.get("Description", ""),
            Precedence=int(p.get("Precedence", 0)),
        )

    for lid, props in _resources(t, "AWS::Cognito::UserPoolClient"):
        p = r.resolve(props)
        args = {"UserPoolId": p["UserPoolId"], "ClientName": p["ClientName"], "GenerateSecret": False}
        for key in (
            "ExplicitAuthFlows",
            "PreventUserExistenceErrors",
            "ReadAttributes",
            "WriteAttributes",
            "IdTokenValidity",
            "AccessTokenValidity",
            "RefreshTokenValidity",
            "TokenValidityUnits",
        ):
            if key in p:
                args[key] = p[key]
        r.physical[lid] = idp.create_user_pool_client(**args)["UserPoolClient"]["ClientId"]

    ses.verify_email_identity(EmailAddress=given["EmailFrom"])
    return describe(t, r, template_path, tenant_id, stage, region)


def describe(t: dict, r: tpl.Resolver, template_path: Path, tenant_id: str, stage: str, region: str) -> LocalResources:
    """The functions, their environment and routes, once physical names are known."""
    glob = t.get("Globals", {}).get("Function", {})
    env = {k: str(v) for k, v in r.resolve(glob.get("Environment", {}).get("Variables", {})).items()}
    env.update({"AWS_REGION": region, "AWS_DEFAULT_REGION": region})
    functions: dict[str, FunctionSpec] = {}
    for lid, props in _resources(t, "AWS::Serverless::Function"):
        fenv = dict(env)
        fenv.update({k: str(v) for k, v in r.resolve(props.get("Environment", {}).get("Variables", {})).items()})
        routes = []
        for ev in props.get("Events", {}).values():
            if ev.get("Type") != "Api":
                continue
            ep = ev["Properties"]
            auth = (ep.get("Auth") or {}).get("Authorizer", "CognitoAuthorizer")
            routes.append({"path": ep["Path"], "method": ep["Method"].upper(), "auth": auth != "NONE"})
        functions[lid] = FunctionSpec(
            logical_id=lid,
            code_dir=(template_path.parent / props["CodeUri"]).resolve(),
            handler=props.get("Handler", glob.get("Handler", "app.lambda_handler")),
            env=fenv,
            routes=routes,
        )
    api = next((p for _, p in _resources(t, "AWS::Serverless::Api")), {})
    # API Gateway's defaults, overridden by the template's GatewayResponses
    json_type = "application/json"
    responses = {
        "UNAUTHORIZED": (401, json_type, '{"message":"Unauthorized"}'),
        "MISSING_AUTHENTICATION_TOKEN": (403, json_type, '{"message":"Missing Authentication Token"}'),
        "DEFAULT_5XX": (502, json_type, '{"message": "Internal server error"}'),
    }
    for kind, spec in api.get("GatewayResponses", {}).items():
        default_status = responses.get(kind, (400, json_type, ""))[0]
        body = spec.get("ResponseTemplates", {}).get(json_type)
        ctype = spec.get("ResponseParameters", {}).get("Headers", {}).get("Content-Type", json_type).strip("'")
        if body:
            responses[kind] = (int(spec.get("StatusCode", default_status)), ctype, body)
    return LocalResources(tenant_id, stage, region, dict(r.physical), env, functions, responses)


def describe_existing(
    template_path: Path | str,
    tenant_id: str,
    stage: str,
    physical: dict[str, str],
    tenant_name: str | None = None,
    email_from: str | None = None,
    region: str = REGION,
) -> LocalResources:
    """Describe resources restored from a snapshot (their ids are known, nothing is created)."""
    template_path = Path(template_path)
    given = stack_parameters(tenant_id, stage, tenant_name, email_from)
    t, r = plan(template_path, given, region)
    r.physical.update(physical)
    return describe(t, r, template_path, tenant_id, stage, region)
