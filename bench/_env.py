"""What every benchmark sets before importing Seteli: the import paths, fake AWS credentials (moto or
a local emulator, never an account) and quiet logs. ``from _env import ROOT`` at the top of a bench."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT / "layers" / "common", ROOT, ROOT / "tests"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-north-1",
        "AWS_REGION": "eu-north-1",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)
