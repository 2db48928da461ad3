"""template.yaml as plain PyYAML reads it, with CloudFormation's short tags in their long form.

The loader is the local runtime's (``local.template``), so tests and ``make run`` read the template
the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from local.template import _Loader as CfnLoader

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


def load_template(text: str) -> dict[str, Any]:
    return yaml.load(text, Loader=CfnLoader)  # noqa: S506 - a SafeLoader subclass
