"""Fixtures for the template tests: template.yaml read with plain PyYAML, and the offline check run
in the tools virtualenv (.venv-tools), which holds aws-sam-translator and cfn-lint."""

from __future__ import annotations

import copy
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.template.cfn_yaml import ROOT, TEMPLATE, load_template

TOOLS_PY = ROOT / ".venv-tools" / "bin" / "python"
CHECK = ROOT / "tools" / "check_template.py"


@pytest.fixture(scope="session")
def template_text() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def _template(template_text: str) -> dict[str, Any]:
    return load_template(template_text)


@pytest.fixture
def template(_template: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy per test: tests may mutate it."""
    return copy.deepcopy(_template)


@pytest.fixture(scope="session")
def run_check() -> Callable[..., subprocess.CompletedProcess]:
    """Runs tools/check_template.py on a template file with the tools virtualenv's Python."""
    if not TOOLS_PY.exists():
        pytest.skip("the tools virtualenv .venv-tools is missing: run `make tools` (`make test` creates it)")

    def run(path: Path, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(TOOLS_PY), str(CHECK), str(path), *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
            timeout=300,
        )

    return run
