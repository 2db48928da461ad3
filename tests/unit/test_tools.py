"""The command-line tools: the tenant file check and the OpenAPI document."""

import json
from pathlib import Path

from tools import load_tenant, openapi

ROOT = Path(__file__).resolve().parents[2]


def test_tenant_check_accepts_the_shipped_files(capsys):
    for f in sorted((ROOT / "tenants").glob("*.yaml")):
        assert load_tenant.main([str(f), "--check"]) == 0
    assert "is valid" in capsys.readouterr().out


def test_tenant_check_names_the_problem(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    text = (ROOT / "tenants" / "demo.yaml").read_text(encoding="utf-8").replace("unit: hour", "unit: hours", 1)
    bad.write_text(text, encoding="utf-8")
    assert load_tenant.main([str(bad), "--check"]) == 1
    err = capsys.readouterr().err
    assert "unit" in err and "hours" in err


def test_loading_needs_a_table(capsys):
    assert load_tenant.main([str(ROOT / "tenants" / "demo.yaml")]) == 2


def test_the_committed_openapi_document_is_up_to_date():
    # Given the handlers as they are, when the document is generated, then it equals the committed one
    assert openapi.render(openapi.generate()) == openapi.TARGET.read_text(encoding="utf-8"), "run `make openapi`"


def test_every_error_in_the_openapi_document_is_problem_json():
    doc = json.loads(openapi.TARGET.read_text(encoding="utf-8"))
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"], (path, method, status)
            assert op["security"] == ([] if "public" in op.get("tags", []) else [{"cognito": []}]), (path, method)


def test_every_operation_documents_its_success_with_a_body_or_204():
    """powertools drops the default 200 when a route lists other responses: each must name its 2xx."""

    doc = json.loads((ROOT / "layers/common/seteli/api/openapi.json").read_text(encoding="utf-8"))
    missing = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            ok = {k: v for k, v in op["responses"].items() if k.startswith("2")}
            if not ok or any(k != "204" and "content" not in v for k, v in ok.items()):
                missing.append(f"{method.upper()} {path}")
    assert missing == []
