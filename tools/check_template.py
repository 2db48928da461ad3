"""Check template.yaml offline: translate the SAM template to CloudFormation and lint both.

    .venv-tools/bin/python tools/check_template.py [template.yaml]

`cfn-lint template.yaml` alone misses errors inside SAM resources (their generated roles,
permissions, schedules). This script translates with aws-sam-translator (local CodeUri replaced by
S3 stand-ins, a stub managed-policy loader, no AWS calls), writes build/template.translated.json,
lints it with cfn-lint, and checks the project's own promises (names carry the tenant id, the
schedules run in Europe/Helsinki, tables are protected, the password policy is the spec's).
Runs in the tools virtualenv: aws-sam-translator pins its own pydantic.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PARAMS = {"TenantId": "demo", "TenantName": "Demokunta", "Stage": "test", "EmailFrom": "no-reply@example.fi"}
GROUPS = {"municipality_admin", "case_worker", "provider_admin", "provider_user", "citizen"}
FUNCTIONS = {
    "PublicFunction",
    "ProvidersFunction",
    "ApplicationsFunction",
    "EntitlementsFunction",
    "EventsFunction",
    "SettlementFunction",
    "CitizenFunction",
    "JobsFunction",
    "SitePublisherFunction",
}


def load_yaml(path: Path) -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse

    return yaml_parse(path.read_text(encoding="utf-8"))


class StubPolicyLoader:
    """Answers managed-policy names with fake ARNs instead of calling IAM."""

    def load(self) -> dict[str, str]:
        names = [
            "AWSLambdaBasicExecutionRole",
            "AWSXrayWriteOnlyAccess",
            "AWSXRayDaemonWriteAccess",
            "AWSLambdaRole",
            "AmazonAPIGatewayPushToCloudWatchLogs",
        ]
        return {n: f"arn:aws:iam::aws:policy/service-role/{n}" for n in names}


def _stand_in_code(template: dict[str, Any]) -> dict[str, Any]:
    t = copy.deepcopy(template)
    for name, res in t.get("Resources", {}).items():
        props = res.get("Properties", {})
        if res.get("Type") == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str):
            props["CodeUri"] = f"s3://seteli-build/{name}.zip"
        if res.get("Type") == "AWS::Serverless::LayerVersion" and isinstance(props.get("ContentUri"), str):
            props["ContentUri"] = f"s3://seteli-build/{name}.zip"
    return t


def translate(template: dict[str, Any]) -> dict[str, Any]:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-north-1")
    from samtranslator.public.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform

    try:
        return transform(_stand_in_code(template), PARAMS, StubPolicyLoader())
    except InvalidDocumentException as exc:
        raise CheckFailed(["SAM translation: " + str(e) for e in exc.causes]) from exc


class CheckFailed(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# Every cfn-lint finding fails the check except these, each with its reason.
IGNORED = {
    "W1020": "SAM's translator itself writes Fn::Sub without variables in generated resources",
}


def lint(path: Path) -> list[str]:
    from cfnlint.api import ManualArgs, lint_file

    matches = lint_file(path, config=ManualArgs(regions=["eu-north-1"]))
    return [f"{path.name}: {m.rule.id} {m.message} (line {m.linenumber})" for m in matches if m.rule.id not in IGNORED]


def _has_tenant(value: Any) -> bool:
    return "${TenantId}" in json.dumps(value)


def contract(t: dict[str, Any]) -> list[str]:
    """The project's promises about the template, each a readable problem when broken."""
    problems: list[str] = []
    res = t.get("Resources", {})
    missing = (
        FUNCTIONS
        | {
            "MainTable",
            "IdempotencyTable",
            "AttachmentsBucket",
            "SiteBucket",
            "UserPool",
            "UserPoolClient",
            "Api",
            "CommonLayer",
        }
    ) - set(res)
    problems += [f"missing resource {m}" for m in sorted(missing)]
    for name in ("MainTable", "IdempotencyTable"):
        p = res.get(name, {}).get("Properties", {})
        if not p.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
            problems.append(f"{name}: point-in-time recovery is off")
        if not p.get("DeletionProtectionEnabled"):
            problems.append(f"{name}: deletion protection is off")
        if not p.get("SSESpecification", {}).get("SSEEnabled"):
            problems.append(f"{name}: encryption (SSESpecification) is off")
    pool = res.get("UserPool", {}).get("Properties", {})
    pw = pool.get("Policies", {}).get("PasswordPolicy", {})
    if not (
        pw.get("MinimumLength", 0) >= 8
        and pw.get("RequireNumbers")
        and pw.get("RequireUppercase")
        and pw.get("RequireLowercase")
    ):
        problems.append("UserPool: password policy must be 8+ characters with digits, upper and lower case (spec 14)")
    groups = {r["Properties"]["GroupName"] for r in res.values() if r.get("Type") == "AWS::Cognito::UserPoolGroup"}
    if groups != GROUPS:
        problems.append(f"user pool groups are {sorted(groups)}, expected {sorted(GROUPS)}")
    name_keys = (
        "TableName",
        "BucketName",
        "UserPoolName",
        "ClientName",
        "FunctionName",
        "LayerName",
        "QueueName",
        "LogGroupName",
        "Name",
    )
    for rid, r in res.items():
        props = r.get("Properties", {})
        for key in name_keys:
            if key in props and not _has_tenant(props[key]):
                problems.append(f"{rid}.{key} must contain ${{TenantId}} so two tenants can share an account")
        for ev_name, ev in props.get("Events", {}).items():
            if ev.get("Type") == "ScheduleV2":
                ep = ev.get("Properties", {})
                if ep.get("ScheduleExpressionTimezone") != "Europe/Helsinki":
                    problems.append(f"{rid}.{ev_name}: schedules run in Europe/Helsinki time")
                if not _has_tenant(ep.get("Name")):
                    problems.append(f"{rid}.{ev_name}: schedule Name must contain ${{TenantId}}")
                if "DeadLetterConfig" not in ep:
                    problems.append(f"{rid}.{ev_name}: a schedule needs a dead-letter queue")
    return problems


def check(path: Path) -> list[str]:
    template = load_yaml(path)
    problems = contract(template)
    try:
        translated = translate(template)
    except CheckFailed as exc:
        return problems + exc.problems
    out = path.resolve().parent / "build" / f"{path.stem}.translated.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(translated, indent=1), encoding="utf-8")
    problems += lint(path)
    problems += lint(out)
    return problems


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else ROOT / "template.yaml"
    problems = check(path)
    if problems:
        print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
        for p in problems:
            print(f"- {p}", file=sys.stderr)
        return 1
    print(f"{path}: translates, lints clean, and keeps the contract")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
