"""Recording service events on moto, in-process: one event through the handler (the provider's
"record" click), a batch of 100 through ``POST /v1/events/batch`` (what the CLI's CSV import sends),
and the same batch again (a rerun: every row found by its ``source_ref``, nothing written).

Each customer gets 20 weekday visits of one month; the figures are per event and per batch.
moto answers in microseconds where DynamoDB answers in milliseconds, so these measure our code,
not the network: on AWS add about 4 round trips (~20 ms) per event.

    .venv/bin/python bench/events.py [--customers 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from _env import ROOT  # noqa: E402 - paths and fake credentials first

DAY = date(2026, 11, 2)  # a Monday; the clock is set to the end of that month


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from moto import mock_aws

    with mock_aws():
        from local.demo import seed_demo
        from local.resources import create_resources
        from seteli import clock
        from seteli.config import Settings, reset_settings
        from seteli.store import forget
        from tools.load_tenant import load_tenant_file

        res = create_resources(ROOT / "template.yaml", tenant_id="demo", stage="bench")
        os.environ.update(res.env)
        reset_settings()
        forget()
        s = Settings.from_env()
        load_tenant_file(ROOT / "tenants" / "demo.yaml", s.table_name)
        seed_demo(s)
        now = datetime(2026, 11, 30, 10, tzinfo=UTC)
        clock.now = lambda: now  # type: ignore[assignment]
        clock.today = lambda at=None: now.date()  # type: ignore[assignment]

        from conftest import load_function
        from integration.apigw import call, event
        from integration.test_events import HOME, WEEKDAY, World

        from seteli.store import repositories

        repos = repositories()
        from seteli.store.events import EventRepository

        spent = {"apply": 0.0}
        real_apply = EventRepository.apply

        def timed_apply(self, change, conflict):
            t0 = time.perf_counter()
            try:
                return real_apply(self, change, conflict)
            finally:
                spent["apply"] += (time.perf_counter() - t0) * 1000

        EventRepository.apply = timed_apply  # type: ignore[method-assign]
        w = World(load_function("events"), repos)
        pid, _, admin = w.provider(HOME, {WEEKDAY: "34.00"}, date(2026, 1, 1))
        singles, batches, reruns, in_moto = [], [], [], []
        for c in range(args.customers):
            e = w.entitlement(
                pid,
                service=HOME,
                rows=[{"content_id": WEEKDAY, "amount": "60", "period": "week", "unit_value": "32.00"}],
                valid_from=date(2026, 1, 1),
                valid_until=date(2026, 12, 31),
            )
            days = [DAY + timedelta(days=i) for i in range(28) if (DAY + timedelta(days=i)).weekday() < 5]
            for d in days[:20]:
                t = time.perf_counter()
                st, _, body = w.record(
                    admin, e.decision_number, first_day=d.isoformat(), start_time="08:00", end_time="09:30"
                )
                singles.append((time.perf_counter() - t) * 1000)
                assert st == 201, body
            rows = [
                {
                    "decision_number": e.decision_number,
                    "first_day": d.isoformat(),
                    "start_time": f"{10 + k % 5}:00",
                    "end_time": f"{10 + k % 5}:45",
                    "source_ref": f"bench-{c}-{d}-{k}",
                }
                for k in range(5)
                for d in days[:20]
            ]
            body = {"events": rows}
            spent["apply"] = 0.0
            t = time.perf_counter()
            st, _, out = call(w.handler, event("POST", "/v1/events/batch", body=body, claims=admin))
            batches.append((time.perf_counter() - t) * 1000)
            in_moto.append(spent["apply"])
            assert st == 200 and out["created"] == 100, (out["created"], out["refused"], out["results"][0])
            t = time.perf_counter()
            st, _, out = call(w.handler, event("POST", "/v1/events/batch", body=body, claims=admin))
            reruns.append((time.perf_counter() - t) * 1000)
            assert out["unchanged"] == 100
    figures = {
        "one event (median ms)": round(statistics.median(singles), 1),
        "one event (p95 ms)": round(sorted(singles)[int(len(singles) * 0.95) - 1], 1),
        "batch of 100 (median ms)": round(statistics.median(batches), 1),
        "batch of 100 without moto's transactions (median ms)": round(
            statistics.median(b - m for b, m in zip(batches, in_moto, strict=True)), 1
        ),
        "rerun of the batch (median ms)": round(statistics.median(reruns), 1),
        "events written": len(singles) + 100 * len(batches),
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for k, v in figures.items():
            print(f"{k:52} {v}")


if __name__ == "__main__":
    main()
