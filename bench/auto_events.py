"""The automatic events job at scale (issue 6's budget): 100,000 day-unit content rows in under
20 s against a local DynamoDB that behaves at scale, and zero duplicates on a rerun.

The DynamoDB is dynalite (npm; DynamoDB's API on LevelDB, without transactions), installed under
``bench/.node`` (git-ignored) on first use and started on a free port, in memory (``--leveldb``: on
LevelDB in a temporary directory). moto is not used: its Query slows down as the table grows.

Scale data (BatchWriteItem, written as the store writes them, from the real models): ``--rows``
entitlements over ``rows / 100`` providers (a site and an approved company price list for each of
the two housing services each), each entitlement with one day-unit content row (care day or
housing day at 95.00 EUR/day, price 120.00), its reservation, and one event for the whole of
September 2026 (30 day lines) with its pointer. Every 50th entitlement ends on 15.10.; every 100th
was closed by a death on 20.10. The demo tenant is loaded with ``tools/load_tenant.py``.

Timed: the auto-events job for October 2026 (``seteli.services.jobs.start``, Inline dispatcher:
every page in this process, one after the other). Every DynamoDB request is counted at botocore.
Then the job is run again: it must create nothing, and the October events are counted (Query
``Select=COUNT``): exactly one per content row that got a draft.

    .venv/bin/python bench/auto_events.py [--rows 100000] [--workers 8] [--leveldb] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from _env import ROOT  # noqa: E402 - paths and fake credentials first

NODE_DIR = ROOT / "bench" / ".node"

MONTH, PREV = "2026-10", "2026-09"
ROWS_PER_PROVIDER = 100
SERVICES = (("assisted-living", "care-day"), ("service-housing", "housing-day"))
AT = datetime(2026, 9, 30, 12, tzinfo=UTC)


# ---------------------------------------------------------------- dynalite


def dynalite(leveldb: bool) -> tuple[subprocess.Popen, str, str | None]:
    """Start dynalite on a free port (installing it first if needed); (process, endpoint, data dir)."""
    cli = NODE_DIR / "node_modules" / "dynalite" / "cli.js"
    if not cli.exists():
        if not shutil.which("npm"):
            raise SystemExit("dynalite needs Node.js and npm (https://nodejs.org)")
        subprocess.run(["npm", "install", "--prefix", str(NODE_DIR), "dynalite"], check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tempfile.mkdtemp(prefix="dynalite-") if leveldb else None
    cmd = ["node", str(cli), "--port", str(port)] + (["--path", data] if data else [])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, endpoint, data
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("dynalite did not start")


def create_table(endpoint: str) -> str:
    """The main table as template.yaml declares it (keys, both indexes; dynalite has no TTL, PITR,
    streams or SSE, which the job does not use)."""
    import boto3

    from local.resources import _resources, plan, stack_parameters

    t, r = plan(ROOT / "template.yaml", stack_parameters("demo", "bench", None, None), "eu-north-1")
    props = next(
        r.resolve(p)
        for _, p in _resources(t, "AWS::DynamoDB::Table", r)
        if str(r.resolve(p)["TableName"]).endswith("-main")
    )
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="eu-north-1")
    ddb.create_table(
        TableName=props["TableName"],
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
        BillingMode=props["BillingMode"],
    )
    while ddb.describe_table(TableName=props["TableName"])["Table"]["TableStatus"] != "ACTIVE":
        time.sleep(0.1)
    return props["TableName"]


# ---------------------------------------------------------------- scale data


def _templates() -> dict[str, str]:
    """Each kind of item once, from the real models and the store's own item functions, serialised
    for BatchWriteItem with placeholders (@PID@, @DN@, ...) that the generator fills in."""
    from seteli.domain.entitlements import Entitlement, EntitlementRow, Reservation
    from seteli.domain.events import EventStatus, ServiceEvent
    from seteli.domain.money import Money
    from seteli.domain.price_lists import StoredPriceList
    from seteli.domain.provider import Address, Provider, ProviderPart
    from seteli.domain.units import Unit
    from seteli.rules import events as ev_rules
    from seteli.rules.price_lists import PriceLevel, PriceListStatus
    from seteli.store.entitlements import entitlement_item, reservation_item
    from seteli.store.events import _pointer, event_item
    from seteli.store.price_lists import item as price_list_item
    from seteli.store.repos import ProviderRepository

    def raw(item) -> str:
        return json.dumps(item.serialize())

    provider = Provider(
        id="@PID@", name="Hoiva Oy", business_id="0000000-0", contact_email="info@@PID@.example",
        created_at=AT, updated_at=AT,
    )  # fmt: skip
    part = ProviderPart(
        id="site-@PID@", provider_id="@PID@", name="Palvelutalo",
        address=Address(street="Testikatu 1", postal_code="40100", city="Jyväskylä"),
    )  # fmt: skip
    out = {
        "provider": raw(ProviderRepository._item(provider)),
        "part": raw(ProviderRepository._part_item(part)),
    }
    for service, content in SERVICES:
        pl = StoredPriceList(
            id=f"pl-@PID@-{service}", provider_id="@PID@", service_id=service, level=PriceLevel.company,
            name="Hinnasto", starts_on=date(2026, 1, 1), prices={content: Money("120.00")},
            status=PriceListStatus.approved, created_at=AT, created_by="t", updated_at=AT, updated_by="t",
        )  # fmt: skip
        out[f"price_list:{service}"] = raw(price_list_item(pl))
        e = Entitlement(
            decision_number="@DN@", kind="voucher", customer_id="cus-@DN@", service_id=service,
            decision_date=date(2026, 1, 1), valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31),
            home_municipality="Jyväskylä",
            rows=[EntitlementRow(content_id=content, amount="31", period="month", unit_value="95.00")],
            verification_code="KT7HQ4MRXA", citizen_code="AINO2026KT", reserved_by=["@PID@"], used=True,
            created_at=AT, created_by="cw", updated_at=AT,
        )  # fmt: skip
        out[f"entitlement:{service}"] = raw(entitlement_item(e))
        res = Reservation(
            decision_number="@DN@", provider_id="@PID@", part_id="site-@PID@", content_id=content,
            customer_id="cus-@DN@", reserved_at=AT, reserved_by="u",
        )  # fmt: skip
        out[f"reservation:{service}"] = raw(reservation_item(res))
        first, last = date(2026, 9, 1), date(2026, 9, 30)
        terms = ev_rules.terms(e, content)
        shape = ev_rules.Shape(first, last, None, None, Decimal(30))
        prices = dict.fromkeys(ev_rules.days(first, last), Money("120.00"))
        lines, _ = ev_rules.price_lines(Unit.day, shape, prices, terms)
        t = ev_rules.totals(lines)
        ev = ServiceEvent(
            id="ev-@DN@", decision_number="@DN@", customer_id="cus-@DN@", service_id=service, content_id=content,
            provider_id="@PID@", part_id="site-@PID@", status=EventStatus.recorded, recorded_at=AT,
            recorded_by="sub-@PID@", created_at=AT, created_by="sub-@PID@", updated_at=AT, updated_by="sub-@PID@",
            unit="day", first_day=first, last_day=last, quantity=30, lines=lines, price_total=t.price_total,
            value=t.value, own_share=t.own_share, giver="Hoitaja @PID@", version=1,
        )  # fmt: skip
        item = event_item(ev)
        out[f"event:{service}"] = raw(item)
        out[f"pointer:{service}"] = raw(_pointer(ev.id, ev.decision_number, item.sk))
    return out


def generate(rows: int):
    """(provider ids, items) of the scale data, as BatchWriteItem put requests."""
    tpl = _templates()
    providers = max(1, rows // ROWS_PER_PROVIDER)
    pids = [f"prv-b{i:05d}" for i in range(providers)]
    items: list[dict] = []

    def put(kind: str, **subs: str) -> None:
        text = tpl[kind]
        for k, v in subs.items():
            text = text.replace(f"@{k}@", v)
        items.append({"PutRequest": {"Item": json.loads(text)}})

    for pid in pids:
        put("provider", PID=pid)
        put("part", PID=pid)
        for service, _ in SERVICES:
            put(f"price_list:{service}", PID=pid)
    for n in range(rows):
        pid = pids[n % providers]
        service = SERVICES[n % 2][0]
        dn = f"B{n:07d}"
        for kind in ("entitlement", "reservation", "event", "pointer"):
            put(f"{kind}:{service}", PID=pid, DN=dn)
        doc_at = len(items) - 4
        if n % 50 == 7 or n % 100 == 13:  # a validity ending on 15.10., a death on 20.10. (closed 21.10.)
            item = items[doc_at]["PutRequest"]["Item"]
            doc = json.loads(item["document"]["S"])
            if n % 50 == 7:
                doc["valid_until"] = "2026-10-15"
            else:
                doc["closed_on"], doc["closed_reason"] = "2026-10-21", "death"
            item["document"]["S"] = json.dumps(doc)
    return pids, items


def write(client, table: str, items: list[dict], workers: int) -> None:
    def batch(chunk: list[dict]) -> None:
        request = {table: chunk}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    chunks = [items[i : i + 25] for i in range(0, len(items), 25)]
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(batch, chunks))


def count_month(client, table: str, pids: list[str], month: str) -> int:
    from seteli.store import keys

    total = 0
    for pid in pids:
        kwargs = {
            "TableName": table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :p",
            "ExpressionAttributeValues": {":p": {"S": keys.provider_events_gsi1pk(pid, month)}},
            "Select": "COUNT",
        }
        while True:
            page = client.query(**kwargs)
            total += page["Count"]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return total


# ---------------------------------------------------------------- the run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=8, help="BatchWriteItem requests at once in a page")
    ap.add_argument("--leveldb", action="store_true", help="dynalite on LevelDB in a temp dir (default: in memory)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    proc, endpoint, data_dir = dynalite(args.leveldb)
    try:
        out = bench(endpoint, args, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(json.dumps(out) if args.json else json.dumps(out, indent=1))
    if out["created_on_rerun"] != 0 or out["october_events"] != out["created"]:
        raise SystemExit("duplicates or missing drafts")


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of a process so far (Linux), to show how busy dynalite was."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench(endpoint: str, args, dynalite_pid: int) -> dict:
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    table = create_table(endpoint)
    os.environ["TABLE_NAME"] = table

    import boto3
    from botocore.config import Config

    from seteli.config import reset_settings
    from seteli.services import jobs, tenant_config
    from seteli.store import forget, repositories
    from seteli.store.models import _one_session
    from tools.load_tenant import load_tenant_file

    reset_settings()
    forget()
    load_tenant_file(ROOT / "tenants" / "demo.yaml", table, endpoint_url=endpoint)

    t0 = time.perf_counter()
    pids, items = generate(args.rows)
    generated = time.perf_counter() - t0
    client = boto3.client(
        "dynamodb", endpoint_url=endpoint, region_name="eu-north-1", config=Config(max_pool_connections=32)
    )
    t0 = time.perf_counter()
    write(client, table, items, 8)
    loaded = time.perf_counter() - t0
    n_items = len(items)
    del items

    # every request of the job's clients, counted and timed at botocore
    counted: dict[str, int] = {}
    waited = [0.0]
    started: dict[int, float] = {}

    def before(**kw):
        op = kw.get("event_name", "").rsplit(".", 1)[-1]
        counted[op] = counted.get(op, 0) + 1
        started[id(kw.get("context"))] = time.perf_counter()

    def after(**kw):
        t = started.pop(id(kw.get("context")), None)
        if t is not None:
            waited[0] += time.perf_counter() - t

    session = _one_session(None)
    session.register("before-call.dynamodb.*", before)
    session.register("after-call.dynamodb.*", after)

    repos = repositories()
    repos.auto_events.workers = args.workers
    tenant = tenant_config.current_tenant(repos.tenant)
    env = jobs.JobEnv(repos=repos, tenant=tenant, now=datetime(2026, 10, 4, 0, 30, tzinfo=jobs.HELSINKI))
    node0, py0 = cpu_seconds(dynalite_pid), time.process_time()
    t0 = time.perf_counter()
    first = jobs.start("auto-events", MONTH, "bench", env=env, dispatcher=jobs.Inline(env))
    seconds = time.perf_counter() - t0
    node1, py1 = cpu_seconds(dynalite_pid), time.process_time()
    requests = dict(counted)
    waiting = waited[0]
    counted.clear()
    node2 = cpu_seconds(dynalite_pid)
    t0 = time.perf_counter()
    second = jobs.start("auto-events", MONTH, "bench", env=env, dispatcher=jobs.Inline(env))
    rerun_seconds = time.perf_counter() - t0
    node3 = cpu_seconds(dynalite_pid)
    october = count_month(client, table, pids, MONTH)
    total_requests = sum(requests.values())
    return {
        "bench": "auto_events",
        "dynamodb": "dynalite " + ("LevelDB" if args.leveldb else "in memory"),
        "content_rows": args.rows,
        "providers": len(pids),
        "pages": first.pages_total,
        "items_in_table": n_items,
        "generate_seconds": round(generated, 1),
        "load_seconds": round(loaded, 1),
        "created": first.counts.get("created", 0),
        "skipped": {k: v for k, v in first.counts.items() if k.startswith("skipped_")},
        "seconds": round(seconds, 2),
        "budget_seconds": 20,
        "cpu_seconds": {
            "dynalite": round(node1 - node0, 1) if node0 is not None and node1 is not None else None,
            "job (python)": round(py1 - py0, 1),
        },
        "dynamodb_request_seconds_summed": round(waiting, 2),
        "requests": requests,
        "requests_per_content_row": round(total_requests / max(1, args.rows), 3),
        "rerun_seconds": round(rerun_seconds, 2),
        "rerun_dynalite_cpu_seconds": round(node3 - node2, 1) if node2 is not None and node3 is not None else None,
        "created_on_rerun": second.counts.get("created", 0),
        "october_events": october,
    }


if __name__ == "__main__":
    main()
