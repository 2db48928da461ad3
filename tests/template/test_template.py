"""template.yaml: translated with the SAM translator offline and linted (tools/check_template.py)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS_PY = ROOT / ".venv-tools" / "bin" / "python"
pytestmark = [pytest.mark.template, pytest.mark.xdist_group("template")]


def _check(path: Path) -> subprocess.CompletedProcess:
    if not TOOLS_PY.exists():
        pytest.skip("the tools virtualenv is missing: `make tools` (make test creates it)")
    return subprocess.run(
        [str(TOOLS_PY), str(ROOT / "tools" / "check_template.py"), str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )


@pytest.fixture(scope="module")
def template():
    from local.template import load

    return load(ROOT / "template.yaml")


def test_the_template_translates_and_lints_clean():
    out = _check(ROOT / "template.yaml")
    assert out.returncode == 0, out.stderr


def test_a_broken_template_is_caught(tmp_path):
    # Given a template whose table lost its backups and whose schedule lost its time zone
    text = (ROOT / "template.yaml").read_text(encoding="utf-8")
    text = text.replace("PointInTimeRecoveryEnabled: true", "PointInTimeRecoveryEnabled: false", 1)
    text = text.replace("ScheduleExpressionTimezone: Europe/Helsinki", "ScheduleExpressionTimezone: UTC", 1)
    text = text.replace("Runtime: python3.12", "Runtime: python2.6", 1)  # invalid for SAM/cfn-lint
    broken = tmp_path / "template.yaml"
    broken.write_text(text, encoding="utf-8")
    for d in ("functions", "layers"):
        shutil.copytree(ROOT / d, tmp_path / d, ignore=shutil.ignore_patterns("__pycache__"))
    # When it is checked, then each problem is named
    out = _check(broken)
    assert out.returncode == 1
    assert "MainTable: point-in-time recovery is off" in out.stderr
    assert "Europe/Helsinki" in out.stderr
    assert "python2.6" in out.stderr or "Runtime" in out.stderr


def test_five_groups_and_the_spec_password_policy(template):
    res = template["Resources"]
    groups = {r["Properties"]["GroupName"] for r in res.values() if r["Type"] == "AWS::Cognito::UserPoolGroup"}
    assert groups == {"municipality_admin", "case_worker", "provider_admin", "provider_user", "citizen"}
    pw = res["UserPool"]["Properties"]["Policies"]["PasswordPolicy"]
    assert pw["MinimumLength"] == 8 and pw["RequireNumbers"] and pw["RequireUppercase"] and pw["RequireLowercase"]
    # a user can't write its own provider id
    assert "custom:provider_id" not in res["UserPoolClient"]["Properties"]["WriteAttributes"]


def test_schedules_follow_the_monthly_calendar_in_helsinki_time(template):
    events = template["Resources"]["JobsFunction"]["Properties"]["Events"]
    schedules = {k: v["Properties"] for k, v in events.items() if v["Type"] == "ScheduleV2"}
    assert schedules["AutoEventsSchedule"]["ScheduleExpression"] == "cron(0 1 4 * ? *)"
    assert schedules["RemindersSchedule"]["ScheduleExpression"] == "cron(0 7 1,2 * ? *)"
    assert schedules["SettlementSchedule"]["ScheduleExpression"] == "cron(0 6 4 * ? *)"
    assert {s["ScheduleExpressionTimezone"] for s in schedules.values()} == {"Europe/Helsinki"}


def test_public_routes_are_the_only_ones_without_sign_in(template):
    open_routes = set()
    for name, r in template["Resources"].items():
        for ev in r.get("Properties", {}).get("Events", {}).values():
            if ev["Type"] == "Api" and ev["Properties"].get("Auth", {}).get("Authorizer") == "NONE":
                open_routes.add((name, ev["Properties"]["Path"]))
    assert open_routes == {
        ("PublicFunction", "/v1/health"),
        ("PublicFunction", "/v1/openapi.json"),
        ("PublicFunction", "/v1/docs"),
        ("PublicFunction", "/v1/public/{proxy+}"),
    }


def test_every_function_folder_has_a_function_in_the_template(template):
    code = {
        r["Properties"]["CodeUri"].strip("/")
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
    }
    folders = {f"functions/{p.name}" for p in (ROOT / "functions").iterdir() if (p / "app.py").exists()}
    assert code == folders


def test_samconfig_has_one_env_per_example_tenant():
    import tomllib

    cfg = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    tenants = {p.stem for p in (ROOT / "tenants").glob("*.yaml")}
    assert tenants <= set(cfg)
    for t in tenants:
        overrides = cfg[t]["deploy"]["parameters"]["parameter_overrides"]
        assert f"TenantId={t}" in " ".join(overrides if isinstance(overrides, list) else [overrides])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))
