"""`make bench`: every benchmark whose figures the README reports, one after the other.

`bench/make_run.py` (a fresh clone's `make run`, minutes long) runs only with `--all`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# auto_events: --all runs 100,000 rows; settlement: 1,000,000 events computed, requests counted on moto
QUICK = [
    "cold_start.py",
    "events.py",
    "auto_events.py --rows 20000",
    "settlement.py",
    "payment_pdfs.py",
    "site_build.py",
    "site_browser.py",
]


def main() -> int:
    names = QUICK + (["make_run.py"] if "--all" in sys.argv else [])
    failed = 0
    for entry in names:
        name, *extra = entry.split()
        if "--all" in sys.argv and name == "auto_events.py":
            extra = []
        print(f"== bench/{name}", flush=True)
        failed += subprocess.call([sys.executable, str(ROOT / "bench" / name), *extra], cwd=ROOT) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
