"""template.yaml and samconfig.toml, offline.

The full check (tools/check_template.py: contract, SAM translation, cfn-lint on the template and the
translation, samconfig) runs in the tools virtualenv through a subprocess; the contract itself is
also tested in-process on the template as plain PyYAML reads it, so that a failure says what broke.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.template.cfn_yaml import ROOT, load_template
from tools import check_template

pytestmark = [pytest.mark.template, pytest.mark.xdist_group("template")]

GROUPS = {"municipality_admin", "case_worker", "provider_admin", "provider_user", "citizen"}
OPEN_ROUTES = {
    ("PublicFunction", "GET", "/v1/health"),
    ("PublicFunction", "GET", "/v1/openapi.json"),
    ("PublicFunction", "GET", "/v1/docs"),
    ("PublicFunction", "GET", "/v1/public/{proxy+}"),
    ("ProvidersFunction", "POST", "/v1/providers"),  # registration
    ("CitizenFunction", "POST", "/v1/public/entitlement-access"),  # one entitlement without bank ID
}


def functions(t: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: r["Properties"] for k, r in t["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}


def api_routes(t: dict[str, Any]) -> set[tuple[str, str, str, bool]]:
    """(function, METHOD, path, signed in) of every Api event."""
    out = set()
    for name, props in functions(t).items():
        for ev in props.get("Events", {}).values():
            if ev["Type"] == "Api":
                ep = ev["Properties"]
                signed_in = ep.get("Auth", {}).get("Authorizer") != "NONE"
                out.add((name, ep["Method"].upper(), ep["Path"], signed_in))
    return out


def schedules(t: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        ev_name: ev["Properties"]
        for props in functions(t).values()
        for ev_name, ev in props.get("Events", {}).items()
        if ev["Type"] == "ScheduleV2"
    }


# ------------------------------------------------------------------ the full check (subprocess)
def test_the_template_translates_lints_clean_and_keeps_the_contract(run_check):
    # When the offline check runs on the real template and samconfig
    out = run_check(ROOT / "template.yaml")
    # Then it passes, and the CloudFormation that SAM would deploy is written down
    assert out.returncode == 0, out.stderr
    translated = json.loads((ROOT / "build" / "template.translated.json").read_text(encoding="utf-8"))
    kinds = [r["Type"] for r in translated["Resources"].values()]
    assert kinds.count("AWS::Lambda::Function") == 10
    assert kinds.count("AWS::Scheduler::Schedule") == 4
    assert "AWS::Serverless::Function" not in kinds


def test_a_broken_template_fails_the_check_and_each_problem_is_named(run_check, template_text, tmp_path):
    # Given a template whose table lost its backups, whose settlement schedule lost its time zone,
    # and whose dead-letter queue keeps messages longer than SQS allows (only cfn-lint knows that)
    text = template_text.replace("PointInTimeRecoveryEnabled: true", "PointInTimeRecoveryEnabled: false", 1)
    text = re.sub(
        r"(SettlementSchedule:.*?)\n\s+ScheduleExpressionTimezone: Europe/Helsinki",
        r"\1",
        text,
        count=1,
        flags=re.S,
    )
    text = text.replace("MessageRetentionPeriod: 1209600", "MessageRetentionPeriod: 9999999", 1)
    assert text.count("ScheduleExpressionTimezone") == template_text.count("ScheduleExpressionTimezone") - 1
    broken = tmp_path / "template.yaml"
    broken.write_text(text, encoding="utf-8")
    # When it is checked
    out = run_check(broken)
    # Then the check fails and names each problem
    assert out.returncode == 1, out.stdout
    assert "contract: MainTable: point-in-time recovery is off" in out.stderr
    assert "contract: JobsFunction.SettlementSchedule: ScheduleExpressionTimezone must be Europe/Helsinki" in out.stderr
    assert "translated: JobsFunctionSettlementSchedule does not run in Europe/Helsinki" in out.stderr
    assert "cfn-lint template.yaml: E3034" in out.stderr


def test_a_template_sam_cannot_translate_fails_the_check(run_check, template_text, tmp_path):
    # Given a health route pointing at an API that does not exist
    text = template_text.replace("RestApiId: !Ref Api, Path: /v1/health", "RestApiId: !Ref NoSuchApi, Path: /v1/health")
    broken = tmp_path / "template.yaml"
    broken.write_text(text, encoding="utf-8")
    # When it is checked, then the translator's complaint is passed on
    out = run_check(broken)
    assert out.returncode == 1
    assert "SAM translation: Resource with id [PublicFunction] is invalid" in out.stderr


# ------------------------------------------------------------------ the contract, in-process
def test_the_contract_holds_for_the_template_as_pyyaml_reads_it(template):
    assert check_template.contract(template) == []


def _node(t: dict, path: str) -> tuple[Any, str]:
    *parents, last = path.split(".")
    node = t["Resources"]
    for key in parents:
        node = node[key]
    return node, last


def _set(path: str, value: Any) -> Callable[[dict], None]:
    """A mutation: set (or, with value None, delete) Resources.<dotted path>."""

    def mutate(t: dict) -> None:
        node, last = _node(t, path)
        if value is None:
            del node[last]
        else:
            node[last] = value

    return mutate


def _append(path: str, value: Any) -> Callable[[dict], None]:
    """A mutation: append value to the list at Resources.<dotted path>."""

    def mutate(t: dict) -> None:
        node, last = _node(t, path)
        node[last].append(value)

    return mutate


MUTATIONS = {
    "backups off": (
        _set("MainTable.Properties.PointInTimeRecoverySpecification", None),
        "MainTable: point-in-time recovery is off",
    ),
    "deletion protection off": (
        _set("IdempotencyTable.Properties.DeletionProtectionEnabled", False),
        "IdempotencyTable: deletion protection is off",
    ),
    "encryption off": (_set("MainTable.Properties.SSESpecification", None), "MainTable: encryption is off"),
    "schedule in UTC": (
        _set("JobsFunction.Properties.Events.AutoEventsSchedule.Properties.ScheduleExpressionTimezone", None),
        "JobsFunction.AutoEventsSchedule: ScheduleExpressionTimezone must be Europe/Helsinki",
    ),
    "settlement on the 5th": (
        _set("JobsFunction.Properties.Events.SettlementSchedule.Properties.ScheduleExpression", "cron(0 6 5 * ? *)"),
        "JobsFunction.SettlementSchedule: ScheduleExpression must be cron(0 6 4 * ? *)",
    ),
    "schedule without a dead-letter queue": (
        _set("SitePublisherFunction.Properties.Events.NightlySiteSchedule.Properties.DeadLetterConfig", None),
        "SitePublisherFunction.NightlySiteSchedule: DeadLetterConfig must point at JobsDeadLetterQueue",
    ),
    "a sixth group name": (
        _set("CitizenGroup.Properties.GroupName", "customer"),
        "user pool groups must be",
    ),
    "short passwords": (
        _set("UserPool.Properties.Policies.PasswordPolicy.MinimumLength", 6),
        "UserPool: password policy must be",
    ),
    "no self-service unlock": (
        _set("UserPool.Properties.AccountRecoverySetting", None),
        "UserPool: AccountRecoverySetting must be verified_email",
    ),
    "a user may change its provider": (
        _set("UserPoolClient.Properties.WriteAttributes", ["email", "custom:provider_id"]),
        "WriteAttributes must be listed and exclude custom:provider_id",
    ),
    "table name without the tenant": (
        _set("MainTable.Properties.TableName", {"Fn::Sub": "seteli-${Stage}-main"}),
        "MainTable.TableName must contain ${TenantId} and ${Stage}",
    ),
    "schedule name without the stage": (
        _set("JobsFunction.Properties.Events.RemindersSchedule.Properties.Name", {"Fn::Sub": "seteli-${TenantId}-rem"}),
        "JobsFunction.RemindersSchedule: Name must contain ${TenantId} and ${Stage}",
    ),
    "nested name without the tenant": (
        _set("SiteOriginAccessControl.Properties.OriginAccessControlConfig.Name", "site-oac"),
        "SiteOriginAccessControl.OriginAccessControlConfig.Name must contain ${TenantId}",
    ),
    "providers open to all": (
        _set("ProvidersFunction.Properties.Events.List.Properties.Auth", {"Authorizer": "NONE"}),
        "ProvidersFunction: route GET /v1/providers (no sign-in) is not in the contract",
    ),
    "a route lost": (
        _set("EntitlementsFunction.Properties.Events.CustomersProxy", None),
        "EntitlementsFunction: route ANY /v1/customers/{proxy+} (signed in) is missing",
    ),
    "public function writes": (
        _set("PublicFunction.Properties.Policies", [{"DynamoDBCrudPolicy": {"TableName": {"Ref": "MainTable"}}}]),
        "PublicFunction: permissions must be ['read MainTable'] (extra: ['crud MainTable']",
    ),
    "citizen function sends email": (
        _append("CitizenFunction.Properties.Policies", {"Ref": "SendEmailPolicy"}),
        "CitizenFunction: permissions must be ['cognito UserPool', 'crud MainTable'] (extra: ['email']",
    ),
    "jobs time out like the API": (_set("JobsFunction.Properties.Timeout", None), "JobsFunction.Timeout must be 900"),
    "layer not built": (_set("CommonLayer.Metadata", None), "CommonLayer.Metadata.BuildMethod must be python3.12"),
    "the Cognito authorizer again": (
        _set("Api.Properties.Auth.DefaultAuthorizer", "CognitoAuthorizer"),
        "Api.Auth: DefaultAuthorizer LambdaAuthorizer",
    ),
    "authorizer cached for an hour": (
        _set("Api.Properties.Auth.Authorizers.LambdaAuthorizer.Identity.ReauthorizeEvery", 3600),
        "ReauthorizeEvery must be 1-300 s",
    ),
    "authorizer reads the body": (
        _set("Api.Properties.Auth.Authorizers.LambdaAuthorizer.FunctionPayloadType", "TOKEN"),
        "FunctionPayloadType must be REQUEST",
    ),
    "authorizer writes": (
        _set("AuthorizerFunction.Properties.Policies", [{"DynamoDBCrudPolicy": {"TableName": {"Ref": "MainTable"}}}]),
        "AuthorizerFunction: permissions must be ['read MainTable']",
    ),
    "authorizer without its audience": (
        _set("AuthorizerFunction.Properties.Environment.Variables.USER_POOL_CLIENT_ID", None),
        "AuthorizerFunction: Environment USER_POOL_ID",
    ),
    "4xx not problem JSON": (
        _set("Api.Properties.GatewayResponses.DEFAULT_4XX", None),
        "Api.GatewayResponses.DEFAULT_4XX must answer application/problem+json",
    ),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_a_broken_promise_is_reported_by_name(template, mutation):
    mutate, expected = MUTATIONS[mutation]
    # Given the template with one promise broken
    mutate(template)
    # When the contract is checked, then that promise is named
    problems = check_template.contract(template)
    assert any(expected in p for p in problems), problems


def test_a_wrong_global_is_reported(template):
    template["Globals"]["Function"]["Runtime"] = "python3.11"
    del template["Globals"]["Function"]["Environment"]["Variables"]["TABLE_NAME"]
    problems = check_template.contract(template)
    assert any(p.startswith("Globals.Function.Runtime must be") for p in problems), problems
    assert any(p.startswith("Globals.Function.Environment.Variables.TABLE_NAME") for p in problems), problems


# ------------------------------------------------------------------ readable promises
def test_five_groups_and_the_spec_password_policy(template):
    res = template["Resources"]
    groups = {r["Properties"]["GroupName"] for r in res.values() if r["Type"] == "AWS::Cognito::UserPoolGroup"}
    assert groups == GROUPS
    pw = res["UserPool"]["Properties"]["Policies"]["PasswordPolicy"]
    assert pw == {
        "MinimumLength": 8,
        "RequireNumbers": True,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireSymbols": False,
        "TemporaryPasswordValidityDays": 7,
    }


def test_users_unlock_themselves_by_email_and_only_admins_create_users(template):
    pool = template["Resources"]["UserPool"]["Properties"]
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"] == [{"Name": "verified_email", "Priority": 1}]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"]["CaseSensitive"] is False


def test_a_user_reads_but_cannot_write_its_provider_id(template):
    pool = template["Resources"]["UserPool"]["Properties"]
    (attr,) = [a for a in pool["Schema"] if a["Name"] == "provider_id"]
    assert attr["AttributeDataType"] == "String" and attr["Mutable"] is True
    client = template["Resources"]["UserPoolClient"]["Properties"]
    assert "custom:provider_id" in client["ReadAttributes"]
    assert "custom:provider_id" not in client["WriteAttributes"]
    assert client["GenerateSecret"] is False


@pytest.mark.parametrize("table", ["MainTable", "IdempotencyTable"])
def test_tables_are_backed_up_protected_encrypted_and_retained(template, table):
    r = template["Resources"][table]
    p = r["Properties"]
    assert p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert p["DeletionProtectionEnabled"] is True
    assert p["SSESpecification"]["SSEEnabled"] is True
    assert p["BillingMode"] == "PAY_PER_REQUEST"
    assert r["DeletionPolicy"] == r["UpdateReplacePolicy"] == "Retain"


def test_every_physical_name_carries_tenant_and_stage(template):
    names = [
        (rid, where, value)
        for rid, r in template["Resources"].items()
        for where, value in check_template._names(r.get("Properties") or {})
    ]
    assert len(names) > 25  # the walk finds them (tables, buckets, functions, log groups, schedules, ...)
    for rid, where, value in names:
        text = json.dumps(value)
        assert "${TenantId}" in text and "${Stage}" in text, f"{rid}.{where} = {text}"


def test_schedules_follow_the_monthly_calendar_in_helsinki_time(template):
    s = schedules(template)
    assert {k: v["ScheduleExpression"] for k, v in s.items()} == {
        "AutoEventsSchedule": "cron(0 1 4 * ? *)",  # night of the 4th
        "RemindersSchedule": "cron(0 7 1,2 * ? *)",  # 1st and 2nd, before the provider deadline
        "SettlementSchedule": "cron(0 6 4 * ? *)",  # 4th
        "NightlySiteSchedule": "cron(30 2 * * ? *)",
    }
    assert {v["ScheduleExpressionTimezone"] for v in s.values()} == {"Europe/Helsinki"}
    assert {k: json.loads(v["Input"]) for k, v in s.items()} == {
        "AutoEventsSchedule": {"job": "auto-events"},
        "RemindersSchedule": {"job": "reminders"},
        "SettlementSchedule": {"job": "settlement"},
        "NightlySiteSchedule": {"job": "site"},
    }
    for v in s.values():
        assert v["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]}}
        assert v["RetryPolicy"]["MaximumRetryAttempts"] >= 1


def test_public_routes_are_the_only_ones_without_sign_in(template):
    open_routes = {(f, m, p) for f, m, p, signed_in in api_routes(template) if not signed_in}
    assert open_routes == OPEN_ROUTES


def test_each_context_gets_its_path_prefixes(template):
    by_function: dict[str, set[str]] = {}
    for f, method, path, _ in api_routes(template):
        by_function.setdefault(f, set()).add(f"{method} {path}")
    prefixes = {f: {p.split()[1].split("/")[2] for p in paths} for f, paths in by_function.items()}
    assert prefixes == {
        "PublicFunction": {"health", "openapi.json", "docs", "public"},
        "ProvidersFunction": {"providers"},
        "ApplicationsFunction": {"applications"},
        "EntitlementsFunction": {"entitlements", "reservations", "customers"},
        "EventsFunction": {"events", "interruptions", "approvals", "credits", "feedback"},
        # provider-invoice mode: /v1/providers/{provider_id}/invoice-references is the settlement's
        "SettlementFunction": {"settlements", "reports", "providers"},
        "CitizenFunction": {"me", "public"},
        "JobsFunction": {"jobs"},
    }
    assert {p for p in by_function["SettlementFunction"] if "/providers/" in p} == {
        "ANY /v1/providers/{provider_id}/invoice-references"
    }
    assert by_function["JobsFunction"] == {"POST /v1/jobs/{job}", "GET /v1/jobs/{job}"}
    # the citizen function's one public route: an entitlement by decision number and citizen code
    assert {p for p in by_function["CitizenFunction"] if "/public/" in p} == {"POST /v1/public/entitlement-access"}


def test_only_the_functions_that_email_may_send_email(template):
    senders = {f for f, p in functions(template).items() if "email" in check_template.grants(p)}
    assert senders == {
        "ProvidersFunction",
        "ApplicationsFunction",
        "EntitlementsFunction",
        "EventsFunction",
        "SettlementFunction",
        "JobsFunction",
    }


def test_only_the_providers_function_manages_users_and_only_the_publisher_writes_the_site(template):
    grants = {f: check_template.grants(p) for f, p in functions(template).items()}
    # providers manage their users; a citizen finds a relative's sign-in to make them a proxy
    assert {f for f, g in grants.items() if "cognito UserPool" in g} == {"ProvidersFunction", "CitizenFunction"}
    assert {f for f, g in grants.items() if "s3 SiteBucket" in g} == {"SitePublisherFunction"}
    # attachments; payment PDFs and finance files (written by the jobs, read by the settlement's routes)
    assert {f for f, g in grants.items() if "s3 AttachmentsBucket" in g} == {
        "ProvidersFunction",
        "JobsFunction",
        "SettlementFunction",
    }
    assert all(not any(x.startswith("crud") for x in g) for f, g in grants.items() if f == "PublicFunction")


def test_one_lambda_authorizer_takes_tokens_and_api_keys(template):
    auth = template["Resources"]["Api"]["Properties"]["Auth"]
    assert auth["DefaultAuthorizer"] == "LambdaAuthorizer"
    authorizer = auth["Authorizers"]["LambdaAuthorizer"]
    assert authorizer["FunctionArn"] == {"Fn::GetAtt": ["AuthorizerFunction", "Arn"]}
    assert authorizer["FunctionPayloadType"] == "REQUEST"
    # cached per Authorization header for a minute: a revoked key stops working within it
    assert authorizer["Identity"] == {"Headers": ["Authorization"], "ReauthorizeEvery": 60}
    fn = functions(template)["AuthorizerFunction"]
    assert fn["CodeUri"] == "functions/authorizer/" and check_template.grants(fn) == {"read MainTable"}
    assert not [ev for ev in fn.get("Events", {}).values() if ev["Type"] == "Api"]


def test_every_function_folder_has_a_function_in_the_template(template):
    code = {p["CodeUri"].strip("/") for p in functions(template).values()}
    folders = {f"functions/{d.name}" for d in (ROOT / "functions").iterdir() if (d / "app.py").exists()}
    assert folders <= code, f"function folders without a function in template.yaml: {folders - code}"


def test_api_gateway_answers_in_problem_json(template):
    responses = template["Resources"]["Api"]["Properties"]["GatewayResponses"]
    for kind, spec in responses.items():
        assert spec["ResponseParameters"]["Headers"]["Content-Type"] == "'application/problem+json'", kind
        assert "application/json" in spec["ResponseTemplates"], kind
    # The local gateway serves these bodies as they stand (no $context rendering): they must be
    # complete JSON whose status matches the response's.
    for kind in ("UNAUTHORIZED", "MISSING_AUTHENTICATION_TOKEN", "DEFAULT_5XX"):
        body = json.loads(responses[kind]["ResponseTemplates"]["application/json"])
        assert body["status"] == int(responses[kind].get("StatusCode", 502)), kind
        assert set(body) >= {"type", "title", "status", "detail"}


def test_the_local_runtime_can_resolve_what_it_reads(template):
    """local/resources.py resolves only Ref, Fn::Sub, Fn::GetAtt and Fn::Join, and only Refs to
    parameters and to the resources it creates, in the properties it reads."""
    created = {
        "MainTable",
        "IdempotencyTable",
        "AttachmentsBucket",
        "SiteBucket",
        "UserPool",
        "UserPoolClient",
        "JobsQueue",
    }
    allowed_refs = created | set(template["Parameters"]) | {"AWS::AccountId", "AWS::Region", "AWS::Partition"}
    read_kinds = {
        "AWS::DynamoDB::Table",
        "AWS::S3::Bucket",
        "AWS::Cognito::UserPool",
        "AWS::Cognito::UserPoolClient",
        "AWS::Cognito::UserPoolGroup",
    }
    read = {rid: r["Properties"] for rid, r in template["Resources"].items() if r["Type"] in read_kinds}
    read["Globals.Function.Environment"] = template["Globals"]["Function"]["Environment"]
    for f, p in functions(template).items():
        read[f"{f}.Environment"] = p.get("Environment", {})

    def walk(where: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Ref":
                    assert value in allowed_refs, f"{where}: the local runtime cannot resolve Ref {value}"
                elif key.startswith("Fn::"):
                    assert key in ("Fn::Sub", "Fn::GetAtt", "Fn::Join"), (
                        f"{where}: the local runtime cannot resolve {key}"
                    )
                walk(where, value)
        elif isinstance(node, list):
            for value in node:
                walk(where, value)

    for where, props in read.items():
        walk(where, props)


def test_outputs_name_what_clients_and_operators_need(template):
    assert set(template["Outputs"]) >= check_template.OUTPUTS
    api_url = template["Outputs"]["ApiUrl"]["Value"]["Fn::Sub"]
    assert api_url == "https://${Api}.execute-api.${AWS::Region}.amazonaws.com/${Stage}"


# ------------------------------------------------------------------ samconfig.toml
@pytest.fixture(scope="module")
def samconfig() -> dict[str, Any]:
    return tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))


def test_samconfig_has_one_deploy_env_per_example_tenant(samconfig, template):
    tenants = {p.stem for p in (ROOT / "tenants").glob("*.yaml")}
    assert tenants >= {"demo", "kouvola", "helsinki", "keski-suomi"}
    envs = {k for k, v in samconfig.items() if isinstance(v, dict) and "deploy" in v}
    assert envs == tenants
    assert check_template.check_samconfig(ROOT / "samconfig.toml", template) == []
    for tenant in tenants:
        deploy = samconfig[tenant]["deploy"]["parameters"]
        overrides = check_template.parse_overrides(deploy["parameter_overrides"])
        assert deploy["stack_name"] == f"seteli-{tenant}-prod"
        assert overrides["TenantId"] == tenant and overrides["Stage"] == "prod"
        # the stack shows the municipality's name as its tenant file spells it
        tenant_file = yaml.safe_load((ROOT / "tenants" / f"{tenant}.yaml").read_text(encoding="utf-8"))
        assert overrides["TenantName"] == tenant_file["name"]["fi"]


def test_an_unquoted_name_with_a_space_is_caught(tmp_path, template):
    # Given a deploy env whose TenantName has a space but no quotes (SAM CLI would cut it)
    text = (ROOT / "samconfig.toml").read_text(encoding="utf-8")
    text = text.replace('"TenantName=\\"Kouvolan kaupunki\\""', '"TenantName=Kouvolan kaupunki"')
    assert "TenantName=Kouvolan kaupunki" in text
    (tmp_path / "samconfig.toml").write_text(text, encoding="utf-8")
    # When it is checked, then the env and the stray word are named
    problems = check_template.check_samconfig(tmp_path / "samconfig.toml", template)
    assert problems == ["samconfig.toml [kouvola.deploy.parameters]: parameter_overrides: 'kaupunki' is not Key=Value"]


def test_a_tenant_id_the_template_refuses_is_caught(tmp_path, template):
    text = (ROOT / "samconfig.toml").read_text(encoding="utf-8").replace("TenantId=helsinki", "TenantId=Helsinki")
    (tmp_path / "samconfig.toml").write_text(text, encoding="utf-8")
    problems = check_template.check_samconfig(tmp_path / "samconfig.toml", template)
    assert any("TenantId='Helsinki' does not match" in p for p in problems), problems


# ------------------------------------------------------------------ events/
EVENTS = ROOT / "events"


@pytest.mark.parametrize(
    ("file", "function", "event"),
    [
        ("schedule-auto-events.json", "JobsFunction", "AutoEventsSchedule"),
        ("schedule-reminders.json", "JobsFunction", "RemindersSchedule"),
        ("schedule-settlement.json", "JobsFunction", "SettlementSchedule"),
        ("schedule-site.json", "SitePublisherFunction", "NightlySiteSchedule"),
    ],
)
def test_schedule_events_are_what_the_schedules_send(template, file, function, event):
    schedule = functions(template)[function]["Events"][event]["Properties"]
    assert json.loads((EVENTS / file).read_text(encoding="utf-8")) == json.loads(schedule["Input"])


@pytest.mark.parametrize("file", sorted(p.name for p in EVENTS.glob("api-*.json")))
def test_api_events_match_a_template_route(template, file):
    e = json.loads((EVENTS / file).read_text(encoding="utf-8"))
    routes = {(m, p): signed_in for _, m, p, signed_in in api_routes(template)}
    signed_in = routes.get((e["httpMethod"], e["resource"]), routes.get(("ANY", e["resource"])))
    assert signed_in is not None, f"{file}: {e['httpMethod']} {e['resource']} is not a route in template.yaml"
    assert e["requestContext"]["resourcePath"] == e["resource"]
    # the path is the resource with its parameters filled in
    pattern = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(e["resource"]))
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
    match = re.fullmatch(pattern, e["path"])
    assert match and match.groupdict() == (e["pathParameters"] or {}), file
    claims = (e["requestContext"].get("authorizer") or {}).get("claims")
    if signed_in:
        # the Cognito authorizer passes the ID token's claims, every value a string
        assert claims and all(isinstance(v, str) for v in claims.values()), file
        assert claims["token_use"] == "id" and set(claims["cognito:groups"].split(",")) <= GROUPS
        assert e["headers"]["Authorization"].startswith("Bearer ")
    else:
        assert claims is None, file


def test_the_signed_in_provider_event_carries_its_provider(template):
    e = json.loads((EVENTS / "api-get-provider.json").read_text(encoding="utf-8"))
    claims = e["requestContext"]["authorizer"]["claims"]
    assert e["resource"] == "/v1/providers/{proxy+}"
    assert claims["custom:provider_id"] == e["pathParameters"]["proxy"]


def test_the_pyyaml_loader_reads_short_tags_like_cloudformation():
    t = load_template("A: !Ref X\nB: !GetAtt R.Arn\nC: !Sub 'a-${X}'\nD: !Select [1, !Split ['@', !Ref E]]\n")
    assert t == {
        "A": {"Ref": "X"},
        "B": {"Fn::GetAtt": ["R", "Arn"]},
        "C": {"Fn::Sub": "a-${X}"},
        "D": {"Fn::Select": [1, {"Fn::Split": ["@", {"Ref": "E"}]}]},
    }


def test_the_check_script_runs_as_documented():
    doc = Path(check_template.__file__).read_text(encoding="utf-8")
    assert ".venv-tools/bin/python tools/check_template.py" in doc
