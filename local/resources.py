"""Create in the emulator what template.yaml declares: tables, buckets, queues, user pool, groups,
app client and the SES sender, and describe the functions (environment, routes, schedules).

Everything is read from the template (key schemas, indexes, TTL, streams, password policy, schema,
groups, auth flows, CORS): there is no second, hand-written definition of any resource. A resource's
CloudFormation properties are handed to the matching API call through botocore's own description of
that call (unknown, CloudFormation-only properties are left out, types are coerced), so a property
added to the template reaches moto without a change here.

Creating is idempotent: what already exists (restored from a snapshot) is kept and reused, what the
template gained since is added (a new table, a new index, a new group).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from local import template as tpl

REGION = "eu-north-1"
ACCOUNT_ID = tpl.ACCOUNT_ID

log = logging.getLogger("local")

# ---------------------------------------------------------------- what the local stack looks like


@dataclass
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str
    env: dict[str, str]
    routes: list[dict[str, Any]] = field(default_factory=list)  # {path, method, auth, event}
    schedules: list[dict[str, Any]] = field(default_factory=list)  # {event, input, expression, timezone}
    timeout: int = 3
    memory: int = 128
    function_name: str | None = None


class GatewayResponse(NamedTuple):
    """One of API Gateway's own answers; ``body`` may hold $context variables (see gateway.py)."""

    status: int
    content_type: str
    body: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class ApiSpec:
    logical_id: str | None
    stage: str
    default_authorizer: str | None
    cors: dict[str, str] | None  # AllowOrigin, AllowMethods, AllowHeaders, MaxAge, AllowCredentials
    binary_media_types: list[str] = field(default_factory=list)


@dataclass
class LocalResources:
    tenant_id: str
    stage: str
    region: str
    physical: dict[str, str]  # logical id -> physical name/id
    env: dict[str, str]  # what every function gets (Globals, resolved)
    functions: dict[str, FunctionSpec]
    gateway_responses: dict[str, GatewayResponse]  # response type -> answer (the template's, else AWS's)
    types: dict[str, str] = field(default_factory=dict)  # logical id -> resource type
    parameters: dict[str, str] = field(default_factory=dict)
    template_path: Path | None = None
    api: ApiSpec | None = None

    def _of(self, kind: str) -> dict[str, str]:
        return {lid: name for lid, name in self.physical.items() if self.types.get(lid) == kind}

    @property
    def tables(self) -> dict[str, str]:
        return self._of("AWS::DynamoDB::Table")

    @property
    def buckets(self) -> dict[str, str]:
        return self._of("AWS::S3::Bucket")

    @property
    def queues(self) -> dict[str, str]:
        return self._of("AWS::SQS::Queue")

    @property
    def table_name(self) -> str:
        return self.physical["MainTable"]

    @property
    def idempotency_table_name(self) -> str | None:
        return self.physical.get("IdempotencyTable")

    @property
    def attachments_bucket(self) -> str | None:
        return self.physical.get("AttachmentsBucket")

    @property
    def site_bucket(self) -> str | None:
        return self.physical.get("SiteBucket")

    @property
    def user_pool_id(self) -> str:
        return self.physical["UserPool"]

    @property
    def client_id(self) -> str:
        return self.physical["UserPoolClient"]

    @property
    def email_from(self) -> str | None:
        return self.parameters.get("EmailFrom")

    def for_template(self, template_path: Path | str) -> LocalResources:
        """The same resources, with functions and routes read from another template."""
        t = tpl.load(Path(template_path))
        r = Resolver(t, self.parameters, self.region, dict(self.physical))
        return describe(t, r, Path(template_path), self.tenant_id, self.stage, self.region, dict(self.types))


# ---------------------------------------------------------------- intrinsic functions

_NO_VALUE = object()


class Resolver(tpl.Resolver):
    """Ref, Fn::Sub, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split, Fn::If (with the template's
    Conditions), Fn::FindInMap and Fn::Base64, against the parameters and the local resources."""

    def __init__(
        self, t: dict[str, Any], parameters: dict[str, str], region: str, physical: dict[str, str] | None = None
    ) -> None:
        super().__init__(parameters, region, physical)
        self.values.setdefault("AWS::StackName", f"seteli-{parameters.get('TenantId', 'local')}-local")
        self.values.setdefault("AWS::URLSuffix", "amazonaws.com")
        self.template = t
        self.types = {lid: res.get("Type", "") for lid, res in (t.get("Resources") or {}).items()}
        self._conditions: dict[str, bool] = {}

    # -- conditions
    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = bool(self._cond((self.template.get("Conditions") or {})[name]))
        return self._conditions[name]

    def _cond(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Fn::Equals":
                a, b = (self.resolve(v) for v in arg)
                return str(a) == str(b)
            if key == "Fn::Not":
                return not self._cond(arg[0])
            if key == "Fn::And":
                return all(self._cond(v) for v in arg)
            if key == "Fn::Or":
                return any(self._cond(v) for v in arg)
            if key in ("Condition", "Fn::Condition"):
                return self.condition(arg)
        return self.resolve(value)

    def enabled(self, resource: dict[str, Any]) -> bool:
        cond = resource.get("Condition")
        return cond is None or self.condition(cond)

    # -- values
    def ref(self, name: str) -> str:
        if name == "AWS::NoValue":
            return _NO_VALUE  # type: ignore[return-value]
        if name in self.values or name in self.physical:
            return super().ref(name)
        kind = self.types.get(name)
        if kind == "AWS::Serverless::Function":
            props = self.template["Resources"][name].get("Properties") or {}
            return str(self.resolve(props.get("FunctionName", name)))
        if kind == "AWS::Serverless::Api":
            return "local"
        raise KeyError(f"cannot resolve Ref {name} locally")

    def getatt(self, resource: str, attr: str) -> str:
        kind = self.types.get(resource, "")
        name = self.physical.get(resource, resource)
        region, account = self.values["AWS::Region"], ACCOUNT_ID
        known = {
            ("AWS::DynamoDB::Table", "Arn"): f"arn:aws:dynamodb:{region}:{account}:table/{name}",
            ("AWS::DynamoDB::Table", "StreamArn"): f"arn:aws:dynamodb:{region}:{account}:table/{name}/stream/local",
            ("AWS::S3::Bucket", "Arn"): f"arn:aws:s3:::{name}",
            ("AWS::S3::Bucket", "DomainName"): f"{name}.s3.amazonaws.com",
            ("AWS::S3::Bucket", "RegionalDomainName"): f"{name}.s3.{region}.amazonaws.com",
            ("AWS::Cognito::UserPool", "Arn"): f"arn:aws:cognito-idp:{region}:{account}:userpool/{name}",
            ("AWS::Cognito::UserPool", "ProviderName"): f"cognito-idp.{region}.amazonaws.com/{name}",
            ("AWS::Cognito::UserPool", "ProviderURL"): f"https://cognito-idp.{region}.amazonaws.com/{name}",
            ("AWS::SQS::Queue", "Arn"): f"arn:aws:sqs:{region}:{account}:{name}",
            ("AWS::SQS::Queue", "QueueName"): name,
            ("AWS::SQS::Queue", "QueueUrl"): f"https://sqs.{region}.amazonaws.com/{account}/{name}",
        }
        if (kind, attr) in known:
            return known[(kind, attr)]
        if kind == "AWS::Serverless::Function" and attr == "Arn":
            return f"arn:aws:lambda:{region}:{account}:function:{self.ref(resource)}"
        return super().getatt(resource, attr)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Fn::If":
                cond, yes, no = arg
                return self.resolve(yes if self.condition(cond) else no)
            if key == "Fn::Select":
                return self.resolve(self.resolve(arg[1])[int(self.resolve(arg[0]))])
            if key == "Fn::Split":
                return str(self.resolve(arg[1])).split(arg[0])
            if key == "Fn::FindInMap":
                m, k1, k2 = (self.resolve(v) for v in arg)
                return self.template["Mappings"][m][k1][k2]
            if key == "Fn::Base64":
                import base64

                return base64.b64encode(str(self.resolve(arg)).encode()).decode()
            if key in ("Fn::Join", "Fn::Sub", "Ref", "Fn::GetAtt"):
                if key == "Fn::Join":
                    items = self.resolve(arg[1])
                    return arg[0].join(str(v) for v in items if v is not _NO_VALUE)
                if key == "Fn::Sub" and not isinstance(arg, str):
                    return super().resolve({key: [arg[0], self.resolve(arg[1])]})
                return super().resolve(value)
        if isinstance(value, dict):
            out = {k: self.resolve(v) for k, v in value.items()}
            return {k: v for k, v in out.items() if v is not _NO_VALUE}
        if isinstance(value, list):
            return [v for v in (self.resolve(v) for v in value) if v is not _NO_VALUE]
        return value


# ---------------------------------------------------------------- parameters


def parameters(t: dict[str, Any], given: dict[str, str]) -> dict[str, str]:
    out = {k: str(v["Default"]) for k, v in (t.get("Parameters") or {}).items() if "Default" in v}
    out.update({k: str(v) for k, v in given.items() if k in (t.get("Parameters") or {})})
    missing = [k for k in t.get("Parameters") or {} if k not in out]
    if missing:
        raise ValueError(f"template parameters without a value: {', '.join(missing)}")
    return out


def stack_parameters(tenant_id: str, stage: str, tenant_name: str | None, email_from: str | None) -> dict[str, str]:
    """The template's parameters for a local stack."""
    return {
        "TenantId": tenant_id,
        "Stage": stage,
        "TenantName": tenant_name or tenant_id,
        "EmailFrom": email_from or f"no-reply@{tenant_id}.seteli.local",
    }


def plan(
    template_path: Path, given: dict[str, str], region: str = REGION, physical: dict[str, str] | None = None
) -> tuple[dict, Resolver]:
    t = tpl.load(template_path)
    return t, Resolver(t, parameters(t, given), region, physical)


def _resources(t: dict[str, Any], kind: str, r: Resolver | None = None) -> list[tuple[str, dict[str, Any]]]:
    return [
        (k, v.get("Properties") or {})
        for k, v in (t.get("Resources") or {}).items()
        if v.get("Type") == kind and (r is None or r.enabled(v))
    ]


# ---------------------------------------------------------------- CloudFormation properties -> API calls


def _coerce(shape, value: Any) -> Any:
    """``value`` shaped like botocore's ``shape``: unknown members dropped, scalars converted."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return value
        return {k: _coerce(shape.members[k], v) for k, v in value.items() if k in shape.members}
    if kind == "list":
        return [_coerce(shape.member, v) for v in (value if isinstance(value, list) else [value])]
    if kind == "map":
        return {str(k): _coerce(shape.value, v) for k, v in value.items()}
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("double", "float"):
        return float(value)
    if kind == "boolean":
        return value if isinstance(value, bool) else str(value).strip().lower() == "true"
    if kind == "string":
        return ("true" if value else "false") if isinstance(value, bool) else str(value)
    return value


def api_params(client, operation: str, props: dict[str, Any], what: str) -> dict[str, Any]:
    """The properties that ``operation`` knows, in its types; the rest is logged and left out."""
    shape = client.meta.service_model.operation_model(operation).input_shape
    left_out = sorted(k for k in props if k not in shape.members)
    if left_out:
        log.debug("%s: not for %s locally: %s", what, operation, ", ".join(left_out))
    return _coerce(shape, props)


def _call(fn, params: dict[str, Any], required: tuple[str, ...], what: str) -> Any:
    """Call ``fn``; if moto refuses a property, drop the one that makes it refuse (never two resources)."""
    try:
        return fn(**params)
    except Exception as first:  # noqa: BLE001 - moto's refusals come in many types
        optional = [k for k in params if k not in required]
        for key in reversed(optional):
            try:
                result = fn(**{k: v for k, v in params.items() if k != key})
            except Exception:  # noqa: BLE001, S112
                continue
            log.warning("%s: the emulator refused %s (%s); created without it", what, key, first)
            return result
        try:
            result = fn(**{k: params[k] for k in required if k in params})
        except Exception:  # noqa: BLE001
            raise first from None
        log.warning("%s: the emulator refused %s (%s); created with the required ones only", what, optional, first)
        return result


class _Clients:
    def __init__(self, region: str) -> None:
        self.region = region
        self._made: dict[str, Any] = {}

    def __getattr__(self, service: str):
        if service.startswith("_"):
            raise AttributeError(service)
        if service not in self._made:
            import boto3

            self._made[service] = boto3.client(service.replace("_", "-"), region_name=self.region)
        return self._made[service]


def _table(c: _Clients, lid: str, p: dict[str, Any]) -> str:
    ddb = c.dynamodb
    name = p["TableName"]
    props = dict(p)
    if "SSESpecification" in props:
        sse = dict(props["SSESpecification"])
        sse["Enabled"] = sse.pop("SSEEnabled", sse.get("Enabled", False))
        props["SSESpecification"] = sse
    if "StreamSpecification" in props:
        props["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    try:
        existing = ddb.describe_table(TableName=name)["Table"]
    except ddb.exceptions.ResourceNotFoundException:
        existing = None
    if existing is None:
        separate = ("TimeToLiveSpecification", "PointInTimeRecoverySpecification")
        args = api_params(ddb, "CreateTable", {k: v for k, v in props.items() if k not in separate}, lid)
        _call(ddb.create_table, args, ("TableName", "AttributeDefinitions", "KeySchema"), lid)
    else:
        have = {i["IndexName"] for i in existing.get("GlobalSecondaryIndexes", [])}
        for gsi in props.get("GlobalSecondaryIndexes") or []:
            if gsi["IndexName"] not in have:
                log.info("%s: adding index %s that the template gained", name, gsi["IndexName"])
                create = api_params(ddb, "UpdateTable", {"GlobalSecondaryIndexUpdates": [{"Create": gsi}]}, lid)
                ddb.update_table(
                    TableName=name,
                    AttributeDefinitions=api_params(ddb, "CreateTable", props, lid)["AttributeDefinitions"],
                    **create,
                )
    ttl = props.get("TimeToLiveSpecification")
    if ttl and str(ttl.get("Enabled", True)).lower() == "true":
        current = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if current.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
            ddb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True}
            )
    pitr = props.get("PointInTimeRecoverySpecification")
    if pitr:
        try:
            ddb.update_continuous_backups(
                TableName=name,
                PointInTimeRecoverySpecification=api_params(
                    ddb, "UpdateContinuousBackups", {"PointInTimeRecoverySpecification": pitr}, lid
                )["PointInTimeRecoverySpecification"],
            )
        except Exception as exc:  # noqa: BLE001 - nice to have locally, never a reason to stop
            log.debug("%s: point-in-time recovery not set locally: %s", name, exc)
    return name


def _bucket(c: _Clients, lid: str, p: dict[str, Any]) -> str:
    s3 = c.s3
    name = p["BucketName"]
    try:
        s3.head_bucket(Bucket=name)
    except Exception:  # noqa: BLE001 - not there yet
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": c.region})
    steps = []
    if "BucketEncryption" in p:
        # CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault
        rules = [
            {("Apply" + k if k == "ServerSideEncryptionByDefault" else k): v for k, v in rule.items()}
            for rule in p["BucketEncryption"].get("ServerSideEncryptionConfiguration", [])
        ]
        steps.append(("PutBucketEncryption", {"ServerSideEncryptionConfiguration": {"Rules": rules}}))
    if "VersioningConfiguration" in p:
        steps.append(("PutBucketVersioning", {"VersioningConfiguration": p["VersioningConfiguration"]}))
    if "PublicAccessBlockConfiguration" in p:
        steps.append(("PutPublicAccessBlock", {"PublicAccessBlockConfiguration": p["PublicAccessBlockConfiguration"]}))
    if "OwnershipControls" in p:
        steps.append(("PutBucketOwnershipControls", {"OwnershipControls": p["OwnershipControls"]}))
    if "CorsConfiguration" in p:
        # CloudFormation spells the rules CorsRules/MaxAge/ExposedHeaders/Id; S3's API CORSRules/MaxAgeSeconds/...
        rename = {"MaxAge": "MaxAgeSeconds", "ExposedHeaders": "ExposeHeaders", "Id": "ID"}
        rules = [{rename.get(k, k): v for k, v in rule.items()} for rule in p["CorsConfiguration"].get("CorsRules", [])]
        steps.append(("PutBucketCors", {"CORSConfiguration": {"CORSRules": rules}}))
    if p.get("Tags"):
        steps.append(("PutBucketTagging", {"Tagging": {"TagSet": p["Tags"]}}))
    for op, args in steps:
        method = getattr(s3, re.sub(r"(?<!^)(?=[A-Z])", "_", op).lower())
        try:
            method(**api_params(s3, op, {"Bucket": name, **args}, lid))
        except Exception as exc:  # noqa: BLE001 - a bucket without e.g. its encryption setting still works locally
            log.warning("%s: %s not applied locally: %s", name, op, exc)
    return name


def _queue(c: _Clients, lid: str, p: dict[str, Any]) -> str:
    name = p.get("QueueName") or lid
    attrs = {}
    for k, v in p.items():
        if k in ("QueueName", "Tags"):
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        attrs[k] = v if isinstance(v, str) else json.dumps(v) if isinstance(v, dict | list) else str(v)
    tags = {t["Key"]: str(t["Value"]) for t in p.get("Tags") or []}
    try:
        c.sqs.create_queue(QueueName=name, Attributes=attrs, tags=tags)
    except Exception as exc:  # noqa: BLE001
        log.warning("%s: queue attributes not applied locally (%s)", name, exc)
        c.sqs.create_queue(QueueName=name)
    return name


def _user_pool(c: _Clients, lid: str, p: dict[str, Any]) -> str:
    idp = c.cognito_idp
    name = p.get("UserPoolName") or lid
    for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == name:
                return pool["Id"]
    props = {"PoolName": name, **{k: v for k, v in p.items() if k != "UserPoolName"}}
    args = api_params(idp, "CreateUserPool", props, lid)
    return _call(idp.create_user_pool, args, ("PoolName",), lid)["UserPool"]["Id"]


def _user_pool_client(c: _Clients, lid: str, p: dict[str, Any]) -> str:
    idp = c.cognito_idp
    name = p.get("ClientName") or lid
    for page in idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=p["UserPoolId"], MaxResults=60):
        for client in page["UserPoolClients"]:
            if client["ClientName"] == name:
                return client["ClientId"]
    args = api_params(idp, "CreateUserPoolClient", {"ClientName": name, **p}, lid)
    return _call(idp.create_user_pool_client, args, ("UserPoolId", "ClientName"), lid)["UserPoolClient"]["ClientId"]


def _group(c: _Clients, lid: str, p: dict[str, Any]) -> str:
    idp = c.cognito_idp
    name = p.get("GroupName") or lid
    try:
        idp.get_group(UserPoolId=p["UserPoolId"], GroupName=name)
    except idp.exceptions.ResourceNotFoundException:
        args = api_params(idp, "CreateGroup", {"GroupName": name, **p}, lid)
        _call(idp.create_group, args, ("UserPoolId", "GroupName"), lid)
    return name


# In dependency order: the pool before its client and groups.
_CREATORS = (
    ("AWS::DynamoDB::Table", _table),
    ("AWS::S3::Bucket", _bucket),
    ("AWS::SQS::Queue", _queue),
    ("AWS::Cognito::UserPool", _user_pool),
    ("AWS::Cognito::UserPoolClient", _user_pool_client),
    ("AWS::Cognito::UserPoolGroup", _group),
)


def create_resources(
    template_path: Path | str,
    tenant_id: str = "demo",
    stage: str = "local",
    tenant_name: str | None = None,
    email_from: str | None = None,
    region: str = REGION,
    extra_parameters: dict[str, str] | None = None,
) -> LocalResources:
    """Create (or find, after a restore) the template's resources in the running emulator."""
    template_path = Path(template_path)
    given = {**stack_parameters(tenant_id, stage, tenant_name, email_from), **(extra_parameters or {})}
    t, r = plan(template_path, given, region)
    c = _Clients(region)
    for kind, create in _CREATORS:
        for lid, props in _resources(t, kind, r):
            r.physical[lid] = create(c, lid, r.resolve(props))
    sender = r.values.get("EmailFrom")
    if sender:
        c.ses.verify_email_identity(EmailAddress=sender)
    return describe(t, r, template_path, tenant_id, stage, region)


def describe_existing(
    template_path: Path | str,
    tenant_id: str,
    stage: str,
    physical: dict[str, str],
    tenant_name: str | None = None,
    email_from: str | None = None,
    region: str = REGION,
) -> LocalResources:
    """Describe resources whose ids are known (nothing is created)."""
    template_path = Path(template_path)
    given = stack_parameters(tenant_id, stage, tenant_name, email_from)
    t, r = plan(template_path, given, region, dict(physical))
    return describe(t, r, template_path, tenant_id, stage, region)


# ---------------------------------------------------------------- functions, routes, API Gateway answers

# API Gateway's own answers when the template does not override them: (status, message).
AWS_GATEWAY_RESPONSES = {
    "UNAUTHORIZED": (401, "Unauthorized"),
    "ACCESS_DENIED": (403, "User is not authorized to access this resource"),
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long"),
    "THROTTLED": (429, "Too Many Requests"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out"),
    "DEFAULT_4XX": (400, "Bad Request"),
    "DEFAULT_5XX": (502, "Internal server error"),  # what a failed Lambda proxy integration answers
}
_JSON = "application/json"


def _unquote(v: Any) -> str:
    s = str(v)
    return s[1:-1] if len(s) >= 2 and s[0] == s[-1] == "'" else s


def _gateway_responses(declared: dict[str, Any]) -> dict[str, GatewayResponse]:
    def one(spec: dict[str, Any], status: int) -> GatewayResponse | None:
        body = (spec.get("ResponseTemplates") or {}).get(_JSON)
        headers = {k: _unquote(v) for k, v in ((spec.get("ResponseParameters") or {}).get("Headers") or {}).items()}
        if body is None and not headers and "StatusCode" not in spec:
            return None
        ctype = headers.pop("Content-Type", _JSON)
        return GatewayResponse(
            int(spec.get("StatusCode", status)),
            ctype,
            body if body is not None else '{"message":$context.error.messageString}',
            tuple(headers.items()),
        )

    out: dict[str, GatewayResponse] = {}
    for kind, (status, _message) in AWS_GATEWAY_RESPONSES.items():
        fallback = "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX"
        mine = one(declared.get(kind) or {}, status) if kind in declared else None
        if mine is None and fallback in declared:
            dflt = one(declared[fallback], status)
            if dflt is not None:
                spec = declared[fallback]
                mine = dflt._replace(status=int(spec["StatusCode"]) if "StatusCode" in spec else status)
        out[kind] = mine or GatewayResponse(status, _JSON, '{"message":$context.error.messageString}')
    for kind, spec in declared.items():  # kinds the local gateway never produces, kept for completeness
        if kind not in out:
            mine = one(spec or {}, 500 if kind.endswith("5XX") else 400)
            if mine is not None:
                out[kind] = mine
    return out


def _merge_globals(glob: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    """SAM's Globals: maps merge, everything else is overridden by the resource."""
    out = dict(glob)
    for k, v in props.items():
        out[k] = {**out[k], **v} if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    if "Environment" in glob and "Environment" in props:
        out["Environment"] = {
            "Variables": {
                **(glob["Environment"].get("Variables") or {}),
                **(props["Environment"].get("Variables") or {}),
            }
        }
    return out


def _strings(d: dict[str, Any]) -> dict[str, str]:
    return {k: ("true" if v else "false") if isinstance(v, bool) else str(v) for k, v in d.items()}


def describe(
    t: dict,
    r: Resolver,
    template_path: Path,
    tenant_id: str,
    stage: str,
    region: str,
    types: dict[str, str] | None = None,
) -> LocalResources:
    """The functions, their environment, routes and schedules, once physical names are known."""
    globs = t.get("Globals") or {}
    glob_fn = globs.get("Function") or {}
    env = _strings(r.resolve((glob_fn.get("Environment") or {}).get("Variables") or {}))
    env.update({"AWS_REGION": region, "AWS_DEFAULT_REGION": region})

    apis = _resources(t, "AWS::Serverless::Api", r)
    api_lid, api_props = apis[0] if apis else (None, {})
    api_props = _merge_globals(globs.get("Api") or {}, api_props)
    auth = api_props.get("Auth") or {}
    default_authorizer = auth.get("DefaultAuthorizer")
    cors = api_props.get("Cors")
    if isinstance(cors, str):
        cors = {"AllowOrigin": cors}
    api = ApiSpec(
        logical_id=api_lid,
        stage=str(r.resolve(api_props.get("StageName", stage))),
        default_authorizer=default_authorizer if default_authorizer not in (None, "NONE") else None,
        cors={k: _unquote(r.resolve(v)) for k, v in cors.items()} if isinstance(cors, dict) else None,
        binary_media_types=[str(m).replace("~1", "/") for m in r.resolve(api_props.get("BinaryMediaTypes") or [])],
    )

    functions: dict[str, FunctionSpec] = {}
    for lid, own in _resources(t, "AWS::Serverless::Function", r):
        props = _merge_globals(glob_fn, own)
        fenv = dict(env)
        fenv.update(_strings(r.resolve((own.get("Environment") or {}).get("Variables") or {})))
        routes, schedules = [], []
        for ev_name, ev in (own.get("Events") or {}).items():
            ep = ev.get("Properties") or {}
            if ev.get("Type") == "Api":
                authorizer = (ep.get("Auth") or {}).get("Authorizer", api.default_authorizer)
                routes.append(
                    {
                        "path": ep["Path"],
                        "method": str(ep["Method"]).upper(),
                        "auth": authorizer not in (None, "NONE"),
                        "event": ev_name,
                    }
                )
            elif ev.get("Type") in ("ScheduleV2", "Schedule"):
                raw = ep.get("Input")
                try:
                    payload = json.loads(raw) if isinstance(raw, str) else (raw or {})
                except ValueError:
                    payload = {}
                schedules.append(
                    {
                        "event": ev_name,
                        "input": payload,
                        "expression": ep.get("ScheduleExpression") or ep.get("Schedule"),
                        "timezone": ep.get("ScheduleExpressionTimezone", "UTC"),
                    }
                )

        def prop(name: str, default: Any, props: dict[str, Any] = props) -> Any:
            try:
                return r.resolve(props[name]) if name in props else default
            except (KeyError, IndexError, TypeError):
                return default

        functions[lid] = FunctionSpec(
            logical_id=lid,
            code_dir=(template_path.parent / str(prop("CodeUri", "."))).resolve(),
            handler=str(prop("Handler", "app.lambda_handler")),
            env=fenv,
            routes=routes,
            schedules=schedules,
            timeout=int(prop("Timeout", 3)),  # SAM's defaults
            memory=int(prop("MemorySize", 128)),
            function_name=str(prop("FunctionName", lid)),
        )
    return LocalResources(
        tenant_id=tenant_id,
        stage=stage,
        region=region,
        physical=dict(r.physical),
        env=env,
        functions=functions,
        gateway_responses=_gateway_responses(api_props.get("GatewayResponses") or {}),
        types={lid: r.types.get(lid) or (types or {}).get(lid, "") for lid in r.physical},
        parameters={k: str(v) for k, v in r.values.items() if not k.startswith("AWS::")},
        template_path=template_path,
        api=api,
    )
