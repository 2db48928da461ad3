"""`make bench`: every benchmark whose figures the README reports, one after the other.

`bench/make_run.py` (a fresh clone's `make run`, minutes long) runs only with `--all`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICK = ["cold_start.py", "events.py"]


def main() -> int:
    names = QUICK + (["make_run.py"] if "--all" in sys.argv else [])
    failed = 0
    for name in names:
        print(f"== bench/{name}", flush=True)
        failed += subprocess.call([sys.executable, str(ROOT / "bench" / name)], cwd=ROOT) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
