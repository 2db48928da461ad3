"""The settlement run at scale (issue 6's budgets), in two parts.

1. Computation: 1,000,000 stored events over 100,000 entitlements (5,000 providers, 3 services,
   mostly hour visits, some day ranges with a line per day, credits and interruptions). The
   documents are generated as the store keeps them (JSON of the real models); timed is what a run
   does with them on the CPU: parse each queued document (``seteli.store.settlement._parse``),
   take what the month settles, sum the statements with carry (``seteli.rules.settlement``), and
   build each record's settled document. Two processes (2 cores), each half of the providers.
   Budget: under 5 s.

2. DynamoDB requests per event: the real ``settle_provider`` on moto for a few providers shaped as
   in part 1 (200 events each, two services), every request counted at botocore. Per provider the
   count does not depend on how many providers there are (pages of up to 1 MB, transactions of 100
   items), so it holds for the million. Budget: at most 0.1. A per-item design (read one event, write it
   back settled) needs 2 requests per event: 2,000,000 for the million, ~26 minutes at DynamoDB's
   ~0.8 ms per sequential request.

    .venv/bin/python bench/settlement.py [--events 1000000] [--requests-providers 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from multiprocessing import Pool

from _env import ROOT  # noqa: E402 - paths and fake credentials first

MONTH = "2026-10"
PROVIDERS = 5_000
SERVICES = ("home-care", "cleaning", "assisted-living")


# ---------------------------------------------------------------- scale data


def _templates() -> dict[str, str]:
    """One stored document per kind, from the real models (then varied by string substitution)."""
    from datetime import UTC, date, datetime

    from seteli.domain.events import DayLine, ServiceEvent
    from seteli.domain.money import Money

    at = datetime(2026, 10, 31, 9, tzinfo=UTC)

    def event(unit: str, first: date, last: date, lines: int, service: str) -> str:
        ev = ServiceEvent(
            id="@ID@",
            decision_number="@DN@",
            customer_id="cus-@DN@",
            service_id=service,
            content_id="weekday" if unit == "hour" else "care-day",
            provider_id="@PID@",
            part_id="site-1",
            status="recorded",
            unit=unit,
            first_day=first,
            last_day=last,
            start_time="09:00" if unit == "hour" else None,
            end_time="11:15" if unit == "hour" else None,
            quantity="2.25" if unit == "hour" else str(lines),
            lines=[
                DayLine(
                    on=date(2026, 10, 1 + i),
                    quantity="2.25" if unit == "hour" else "1",
                    price=Money("34.00"),
                    unit_value=Money("32.00"),
                    municipality=Money("72.00"),
                    own_share=Money("4.50"),
                )
                for i in range(lines)
            ],
            price_total=Money("76.50"),
            value=Money("99999.99"),
            own_share=Money("4.50"),
            giver="Hoitaja",
            created_at=at,
            created_by="u",
            updated_at=at,
            updated_by="u",
            recorded_at=at,
            recorded_by="u",
        )
        return json.dumps(ev.model_dump(mode="json", exclude={"version"}))

    return {
        "hour": event("hour", date(2026, 10, 5), date(2026, 10, 5), 1, "home-care").replace(
            '"value": "99999.99"', '"value": "@V@"'
        ),
        "day": event("day", date(2026, 10, 1), date(2026, 10, 31), 31, "assisted-living").replace(
            '"value": "99999.99"', '"value": "@V@"'
        ),
    }


def _provider_docs(pid_index: int, per_provider: int, templates: dict[str, str]) -> list[tuple[str, str, str]]:
    """(kind, gsi2sk, document) of one provider's queue: ~20 entitlements of ~10 events each."""
    rng = random.Random(pid_index)
    pid = f"prv-bench{pid_index:05d}"
    out = []
    for i in range(per_provider):
        dn = f"B{pid_index:05d}-{i // 10:03d}"
        kind = "day" if i % 10 == 0 else "hour"  # one day-range event in ten (31 lines)
        value = f"{rng.randint(1000, 300000) / 100:.2f}"
        doc = templates[kind].replace("@ID@", f"ev-{pid_index}-{i}").replace("@DN@", dn).replace("@PID@", pid)
        doc = doc.replace('"value": "@V@"', f'"value": "{value}"')
        out.append(("event", f"{MONTH}#2026-10-{1 + i % 28:02d}#ev-{pid_index}-{i}", doc))
    return out


# ---------------------------------------------------------------- part 1: computation


def _work(args: tuple[int, int, int]) -> tuple[int, float, int]:
    """Providers ``lo``..``hi``: generate (untimed), then time what a run computes."""
    lo, hi, per_provider = args
    from types import SimpleNamespace

    from seteli.domain.money import Money
    from seteli.rules import settlement as rules
    from seteli.store.settlement import _parse, settled_document

    templates = _templates()
    data = [_provider_docs(i, per_provider, templates) for i in range(lo, hi)]
    rows = [[SimpleNamespace(kind=k, gsi2sk=sk, document=doc) for k, sk, doc in docs] for docs in data]
    t0 = time.perf_counter()
    statements = 0
    for i, provider_rows in enumerate(rows):
        queued = list(_parse(provider_rows))
        groups = rules.take((q.waiting for q in queued), MONTH)
        for service_id, records in groups.items():
            st = rules.make_statement(
                month=MONTH,
                provider_id=f"prv-bench{lo + i:05d}",
                service_id=service_id,
                mode="self_billing",
                records=records,
                carried_in=Money.zero(),
                reference="RF00",
                billing=None,
                now=rules_now(),
            )
            statements += st.events > 0
        for q in queued:  # the settled documents the transactions write
            settled_document(q.doc, "stl", q.waiting.kind)
    return statements, time.perf_counter() - t0, sum(len(r) for r in rows)


def rules_now():
    from datetime import UTC, datetime

    return datetime(2026, 11, 4, 6, tzinfo=UTC)


def computation(events: int, processes: int = 2) -> dict:
    per_provider = max(1, events // PROVIDERS)
    step = PROVIDERS // processes
    chunks = [(i * step, PROVIDERS if i == processes - 1 else (i + 1) * step, per_provider) for i in range(processes)]
    with Pool(processes) as pool:
        results = pool.map(_work, chunks)
    return {
        "events": sum(r[2] for r in results),
        "entitlements": sum(r[2] for r in results) // 10,
        "providers": PROVIDERS,
        "statements": sum(r[0] for r in results),
        "seconds": round(max(r[1] for r in results), 2),  # the two cores work side by side
        "processes": processes,
    }


# ---------------------------------------------------------------- part 2: requests per event


def requests_per_event(n_providers: int) -> dict:
    """``n_providers`` providers shaped as in part 1 (200 events each: 20 entitlements, two
    services), settled one after the other as a page of the run does."""
    from datetime import UTC, datetime

    from moto import mock_aws

    with mock_aws():
        from local.resources import create_resources
        from seteli.config import Settings, reset_settings
        from seteli.domain.settlement import PageReport
        from seteli.services import tenant_config
        from seteli.services.jobs import JobEnv
        from seteli.services.settlement import settle_provider
        from seteli.store import forget, repositories
        from seteli.store.models import DocItem
        from tests.fakes_settlement import provider
        from tools.load_tenant import load_tenant_file

        res = create_resources(ROOT / "template.yaml", tenant_id="demo", stage="bench")
        os.environ.update(res.env)
        reset_settings()
        forget()
        tenant_config.forget()
        load_tenant_file(ROOT / "tenants" / "demo.yaml", Settings.from_env().table_name)
        repos = repositories()
        templates = _templates()
        per_provider = 1_000_000 // PROVIDERS
        providers = [provider(f"prv-bench{i:05d}") for i in range(n_providers)]
        docs = [(p, d) for i, p in enumerate(providers) for d in _provider_docs(i, per_provider, templates)]
        n_events = len(docs)
        size = 0
        with DocItem.batch_write() as batch:
            for p, (kind, sk, doc) in docs:
                d = json.loads(doc)
                item = DocItem(
                    f"ENTITLEMENT#{d['decision_number']}",
                    f"EVENT#{d['first_day']}#{d['id']}",
                    kind=kind,
                    document=doc,
                    gsi1pk=f"PROVIDER#{p.id}#EVENTS#{MONTH}",
                    gsi1sk=f"{d['first_day']}#{d['id']}",
                    gsi2pk=f"UNSETTLED#{p.id}",
                    gsi2sk=sk,
                )
                item.version = 1
                size += len(doc)
                batch.save(item)

        counted: dict[str, int] = {}

        def count(model=None, params=None, **kwargs):
            op = kwargs.get("event_name", "").rsplit(".", 1)[-1]
            counted[op] = counted.get(op, 0) + 1

        client = DocItem._get_connection().connection.client
        client.meta.events.register("before-call.dynamodb.*", lambda **kw: count(**kw))
        tenant = tenant_config.current_tenant(repos.tenant)
        env = JobEnv(repos=repos, tenant=tenant, now=datetime(2026, 11, 4, 4, tzinfo=UTC), files=None, email=None)
        report = PageReport(page=0)
        t0 = time.perf_counter()
        for p in providers:
            settle_provider(env, MONTH, p, report)
        seconds = time.perf_counter() - t0
    total = sum(counted.values())
    return {
        "events": n_events,
        "average_item_bytes": size // n_events,
        "requests": counted,
        "requests_per_event": round(total / n_events, 4),
        "seconds_on_moto": round(seconds, 2),
        "per_item_design_requests_per_event": 2,
        "ratio": round(2 / (total / n_events), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--requests-providers", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    comp = computation(args.events)
    req = requests_per_event(args.requests_providers)
    one_million = {
        "requests": round(req["requests_per_event"] * 1_000_000),
        "per_item_requests": 2_000_000,
        "per_item_minutes_at_0_8_ms": round(2_000_000 * 0.0008 / 60, 1),
    }
    out = {"bench": "settlement", "computation": comp, "dynamodb": req, "at_one_million": one_million}
    print(json.dumps(out) if args.json else json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
