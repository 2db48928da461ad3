"""5,000 payment specifications (maksuerittely) as PDF, each of ~20 lines over two services, on
2 processes: what a settlement run of a large tenant renders. Budget: under 60 s.

    .venv/bin/python bench/payment_pdfs.py [--pdfs 5000] [--processes 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, date, datetime
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "common"))


def _render(args: tuple[int, int]) -> tuple[int, int, float]:
    lo, hi = args
    from seteli.adapters.payment_pdf import render
    from seteli.domain.money import Money
    from seteli.domain.settlement import BillingSnapshot, Statement, StatementLine, StatementStatus

    at = datetime(2026, 11, 4, 6, tzinfo=UTC)
    billing = BillingSnapshot(provider_name="x", business_id="0112038-9", iban="FI2112345600000785",
                              bic="NDEAFIHH", billing_email="l@x.example")  # fmt: skip
    inputs = []
    for n in range(lo, hi):
        rng = random.Random(n)
        statements, lines = [], {}
        for service in ("home-care", "assisted-living"):
            sid = f"stl-2026-10-prv-{n}~{service}"
            mine = [
                StatementLine(kind="event", record_id=f"ev-{n}-{i}", decision_number=f"JKL-2026-{n:04d}{i}",
                              first_day=date(2026, 10, 1 + i), last_day=date(2026, 10, 1 + i), quantity="2.25",
                              unit="hour", amount=Money(f"{rng.randint(3000, 9000) / 100:.2f}"))
                for i in range(10)
            ]  # fmt: skip
            total = sum((x.amount for x in mine), Money.zero())
            statements.append(
                Statement(
                    id=sid,
                    month="2026-10",
                    provider_id=f"prv-{n}",
                    service_id=service,
                    mode="self_billing",
                    events=10,
                    events_total=total,
                    total=total,
                    payable=total,
                    reference="RF3826100112038903",
                    status=StatementStatus.payable,
                    billing=billing,
                    created_at=at,
                )  # fmt: skip
            )
            lines[sid] = mine
        inputs.append((statements, lines))
    t0 = time.perf_counter()
    size = 0
    for statements, lines in inputs:
        size += len(render(statements, lines, tenant_name="Demokunta", provider_name="Hoiva Oy",
                           business_id="0112038-9", month="2026-10",
                           service_names={"home-care": "Kotihoito", "assisted-living": "Palveluasuminen"}))  # fmt: skip
    return hi - lo, size, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pdfs", type=int, default=5000)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    step = args.pdfs // args.processes
    chunks = [(i * step, args.pdfs if i == args.processes - 1 else (i + 1) * step) for i in range(args.processes)]
    t0 = time.perf_counter()
    with Pool(args.processes) as pool:
        results = pool.map(_render, chunks)
    wall = time.perf_counter() - t0
    n, size = sum(r[0] for r in results), sum(r[1] for r in results)
    render_s = max(r[2] for r in results)
    out = {"bench": "payment_pdfs", "pdfs": n, "lines_each": 20, "processes": args.processes,
           "render_seconds": round(render_s, 1), "wall_seconds": round(wall, 1),
           "pdfs_per_second": round(n / render_s), "average_kb": round(size / n / 1024, 1)}  # fmt: skip
    print(json.dumps(out) if args.json else json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
