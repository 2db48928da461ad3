"""Shared fixtures: a moto-backed stack built from template.yaml, and the real handlers."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT / "layers" / "common", ROOT):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

# Fake credentials before any boto3 client exists (moto's documented way); no real AWS ever.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-north-1",
        "AWS_REGION": "eu-north-1",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_NAMESPACE": "Seteli",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
    }
)


@pytest.fixture(scope="session")
def stack():
    """moto with the resources of template.yaml, the demo tenant and the demo providers loaded."""
    from moto import mock_aws

    from local.demo import seed_demo
    from local.resources import create_resources
    from seteli.config import Settings, reset_settings
    from seteli.services import tenant_config
    from seteli.store import forget
    from tools.load_tenant import load_tenant_file

    with mock_aws():
        res = create_resources(ROOT / "template.yaml", tenant_id="demo", stage="test")
        os.environ.update(res.env)
        reset_settings()
        forget()
        tenant_config.forget()
        s = Settings.from_env()
        load_tenant_file(ROOT / "tenants" / "demo.yaml", s.table_name)
        seed_demo(s)
        yield res
        reset_settings()
        forget()


_functions: dict[str, object] = {}


def load_function(name: str):
    """Import functions/<name>/app.py under a unique module name and return its lambda_handler."""
    if name not in _functions:
        mod_name = f"seteli_fn_{name}"
        spec = importlib.util.spec_from_file_location(mod_name, ROOT / "functions" / name / "app.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module
        code_dir = str(ROOT / "functions" / name)  # as in Lambda: sibling modules are importable
        if code_dir not in sys.path:
            sys.path.append(code_dir)
        spec.loader.exec_module(module)
        _functions[name] = module.lambda_handler
    return _functions[name]


@pytest.fixture
def fn(stack):
    return load_function


@pytest.fixture
def outbox():
    """Emails the code would send, captured instead of going to SES."""
    from seteli.adapters.email import Outbox, use_sender

    box = Outbox()
    use_sender(box)
    yield box
    use_sender(None)


@pytest.fixture
def fresh_table(stack):
    """A table of its own for one test (same key schema and indexes as the stack's, the demo tenant
    loaded, no providers): for the monthly jobs, which go through every provider of the table.
    Yields the table name; the stack's table is bound again afterwards."""
    import uuid

    import boto3

    from seteli.config import Settings, reset_settings
    from seteli.services import tenant_config
    from seteli.store import forget
    from tools.load_tenant import load_tenant_file

    old = os.environ["TABLE_NAME"]
    ddb = boto3.client("dynamodb", region_name=os.environ["AWS_REGION"])
    desc = ddb.describe_table(TableName=old)["Table"]
    name = f"{old}-{uuid.uuid4().hex[:8]}"
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=desc["AttributeDefinitions"],
        KeySchema=desc["KeySchema"],
        GlobalSecondaryIndexes=[
            {"IndexName": g["IndexName"], "KeySchema": g["KeySchema"], "Projection": g["Projection"]}
            for g in desc.get("GlobalSecondaryIndexes", [])
        ],
        BillingMode="PAY_PER_REQUEST",
    )

    def bind(table: str) -> None:
        from seteli.store import repositories

        os.environ["TABLE_NAME"] = table
        reset_settings()
        forget()
        tenant_config.forget()
        repositories()  # binds the models now: a test after this one may use them directly

    bind(name)
    try:
        load_tenant_file(ROOT / "tenants" / "demo.yaml", Settings.from_env().table_name)
        yield name
    finally:
        bind(old)
        ddb.delete_table(TableName=name)
