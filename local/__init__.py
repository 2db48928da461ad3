"""The local runtime behind `make run`: moto in-process, resources from template.yaml, an HTTP
adapter that turns requests into API Gateway events, demo data, snapshots."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "layers" / "common", ROOT / "site", ROOT):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))
