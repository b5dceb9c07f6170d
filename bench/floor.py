"""What the sync and bulk benchmarks run in child processes: the worker draining its
queue as its function does (so the child's peak RSS is the worker's own, and the items
its write calls carry are counted), and the raw floor — exactly that many items of the
object, written by bare BatchWriteItem calls as many at a time as the worker writes —
against the same embedded AWS, so that ratios are measured in one run on one machine.
A ratio is the median of several (worker, floor) pairs, shown with its spread."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

_WORKER = """
import json, os, threading, time
from collections import Counter
from cscore.platform import aws, config
{imports}
calls, seconds, began, written, work = Counter(), Counter(), {{}}, Counter(), Counter()
client = aws.dynamodb()
record_path = os.environ.get("BENCH_RECORD")  # the calls a replayed floor does again
record = open(record_path, "w") if record_path else None
record_lock = threading.Lock()
def items_of(name, params):
    if name == "BatchWriteItem":
        return sum(len(requests) for requests in params["RequestItems"].values())
    if name == "TransactWriteItems":
        return len(params["TransactItems"])
    return 1 if name in ("PutItem", "UpdateItem", "DeleteItem") else 0
def before(model, **_):
    calls.update([model.name])
def count_items(model, params, **_):  # the call's own parameters, before serializing
    written.update({{"items": items_of(model.name, params)}})
    if model.name in ("BatchWriteItem", "TransactWriteItems"):
        work[model.name] += items_of(model.name, params)
    elif model.name == "BatchGetItem":
        work[model.name] += sum(len(request["Keys"]) for request in params["RequestItems"].values())
    if record is not None and model.name in ("BatchWriteItem", "TransactWriteItems", "BatchGetItem"):
        line = json.dumps({{"op": model.name, "params": params}})
        with record_lock:
            record.write(line + "\\n")
    began[threading.get_ident(), model.name] = time.perf_counter()
def after(model, **_):
    seconds[model.name] += time.perf_counter() - began.pop((threading.get_ident(), model.name))
client.meta.events.register("before-call.dynamodb", before)
client.meta.events.register("before-parameter-build.dynamodb", count_items)
client.meta.events.register("after-call.dynamodb", after)
sqs = aws.sqs()
queue = config.{queue}()
started = time.perf_counter()
while True:
    got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1, WaitTimeSeconds=1).get("Messages", [])
    if not got:
        break
    message = json.loads(got[0]["Body"])
    {handle}
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=got[0]["ReceiptHandle"])
elapsed = time.perf_counter() - started
if record is not None:
    record.close()
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({{"elapsed": elapsed, "calls": calls, "seconds": seconds, "items": written["items"],
                  "work": work, "rss_kb": int(hwm.split()[1])}}))
"""


def queue_worker(imports: str, queue: str, handle: str) -> str:
    """The code of a child that handles every message of a queue (``queue``: the name of
    the ``cscore.platform.config`` function giving its URL) with ``handle`` (a statement
    on ``message``), counting DynamoDB calls by operation, the items its write calls
    carry and the items or keys of its batch calls (``work``); prints elapsed s, calls,
    items, work, RSS. With ``BENCH_RECORD`` set, every BatchWriteItem, TransactWriteItems
    and BatchGetItem's parameters go to that file, a JSON line each (``replayed_floor``)."""
    return _WORKER.format(imports=imports, queue=queue, handle=handle)


FLOOR = """
import json, sys, time, uuid
from concurrent.futures import ThreadPoolExecutor
from cscore.catalog import SHAPES
from cscore.platform import aws, clock, config, ids, keys
from cscore.platform.dynamo import to_item
shape, count, concurrency = SHAPES[sys.argv[1]], int(sys.argv[2]), int(sys.argv[4])
template = json.loads(sys.argv[3])
tenant = "floor-" + uuid.uuid4().hex
now = clock.iso()
client = aws.dynamodb()
table = config.tenant_table()

def items_of(i):
    record = {k: v.format(i=i) if isinstance(v, str) else v for k, v in template.items()}
    record |= {"Gsid": ids.new_gsid(shape.gsid_prefix), "CreatedDate": now, "ModifiedDate": now,
               "CreatedBy": "floor", "ModifiedBy": "floor"}
    gsid = record["Gsid"]
    record_key = shape.record_key(tenant, shape.record_ref(record))
    out = [{**record_key, **to_item({**record, **shape.secondary_keys(tenant, record)})}]
    for field, value in shape.unique_values(record).items():
        out.append({**keys.unique_value(tenant, shape.name, field, value), **to_item({"gsid": gsid})})
    for field, value in shape.index_values(record).items():
        out.append({**keys.lookup_index(tenant, shape.name, field, value), **to_item({"gsids": [gsid], "v": 1})})
    return record_key, out

items, i = [], 0
while len(items) < count:  # whole records' items until there are as many as counted
    items.extend(items_of(i)[1])
    i += 1
items = items[:count]

def write(batch):
    calls, pending = 0, {table: [{"PutRequest": {"Item": item}} for item in batch]}
    while pending:
        calls += 1
        pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return calls

batches = [items[start : start + 25] for start in range(0, len(items), 25)]
started = time.perf_counter()
with ThreadPoolExecutor(concurrency) as pool:
    calls = sum(pool.map(write, batches))
elapsed = time.perf_counter() - started
print(json.dumps({"elapsed": elapsed, "calls": calls, "items": len(items), "concurrency": concurrency}))
"""


REPLAY = """
import json, sys, time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from botocore.exceptions import ClientError
from cscore.platform import aws
path, worker_tenant, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
floor_tenant = "floor" + worker_tenant[5:]  # the same length: items of the same size
assert floor_tenant != worker_tenant
reads, writes = [], []
with open(path) as lines:
    for line in lines:
        call = json.loads(line.replace(worker_tenant, floor_tenant))
        call["params"].pop("ClientRequestToken", None)  # a new call, not a retry of the worker's
        (reads if call["op"] == "BatchGetItem" else writes).append(call)
client = aws.dynamodb()
work, calls, cancelled = Counter(), Counter(), Counter()
def send(call):
    op, params = call["op"], call["params"]
    calls[op] += 1
    if op == "BatchGetItem":
        work[op] += sum(len(r["Keys"]) for r in params["RequestItems"].values())
        client.batch_get_item(**params)
    elif op == "BatchWriteItem":
        work[op] += sum(len(r) for r in params["RequestItems"].values())
        client.batch_write_item(**params)
    else:
        work[op] += len(params["TransactItems"])
        try:
            client.transact_write_items(**params)
        except ClientError as exc:  # a condition another order of the same calls fails
            cancelled[exc.response["Error"]["Code"]] += 1
started = time.perf_counter()
with ThreadPoolExecutor(concurrency) as read_pool, ThreadPoolExecutor(concurrency) as write_pool:
    done = [read_pool.submit(send, c) for c in reads] + [write_pool.submit(send, c) for c in writes]
    for future in done:
        future.result()
elapsed = time.perf_counter() - started
print(json.dumps({"elapsed": elapsed, "calls": calls, "work": work, "cancelled": cancelled,
                  "concurrency": concurrency}))
"""


def replayed_floor(env: dict[str, str], record: Path, tenant_id: str, concurrency: int) -> dict[str, Any]:
    """``{elapsed, calls, work, cancelled, concurrency}``: the worker's recorded
    BatchGetItem, BatchWriteItem and TransactWriteItems calls (``queue_worker`` with
    ``BENCH_RECORD``) made again, each once, with the same keys, items and conditions,
    on another tenant of the same id length (so the conditions meet the state they met),
    reads and writes each ``concurrency`` at a time as the worker's pools: the same
    DynamoDB work without anything the worker does around it."""
    return run_child(REPLAY, env, str(record), tenant_id, str(concurrency))


def run_child(code: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run a benchmark snippet in a fresh interpreter; its last stdout line is JSON."""
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def floor(env: dict[str, str], shape: str, template: dict[str, Any], items: int, concurrency: int) -> dict[str, Any]:
    """``{elapsed, calls, items}``: ``items`` items of records of the object ``shape``
    (``template`` with ``{i}`` in its strings replaced by the record's number), as the bulk
    store writes them — the record item with its secondary keys, its unique and index
    items — by bare BatchWriteItem calls, ``concurrency`` at a time."""
    return run_child(FLOOR, env, shape, str(items), json.dumps(template), str(concurrency))


def spread(values: list[float], unit: str = "") -> str:
    return f"{statistics.median(values):.2f}{unit} ({min(values):.2f}..{max(values):.2f})"


def ratio_rows(workers: list[dict[str, Any]], floors: list[dict[str, Any]], what: str) -> list[tuple[str, str]]:
    """The README rows comparing each run's wall time with its floor (median of the
    pairs, min..max), and where the first run's time went (time inside DynamoDB calls by
    operation, as the worker's client saw it)."""
    first, measured = workers[0], floors[0]
    ratios = [w["elapsed"] / f["elapsed"] for w, f in zip(workers, floors, strict=True)]
    spent = sorted(first["seconds"].items(), key=lambda kv: -kv[1])
    inside = sum(first["seconds"].values())
    elapsed = first["elapsed"]
    return [
        (
            f"floor: the {what}'s counted written items by bare BatchWriteItem, as many calls at a time as it makes",
            f"{measured['items']:,} items ({what}: {first['items']:,}), {measured['calls']} calls, "
            f"{measured['concurrency']} at a time, {spread([f['elapsed'] for f in floors], ' s')}",
        ),
        (
            f"{what} wall time / floor, median of {len(ratios)} runs (min..max) (target ≤ 1.5)",
            f"{spread([w['elapsed'] for w in workers], ' s')} / {spread([f['elapsed'] for f in floors], ' s')}"
            f" = {spread(ratios)}",
        ),
        (
            f"where the {what}'s time went (first run): seconds inside DynamoDB calls, by operation",
            ", ".join(f"{op} {s:.1f}" for op, s in spent)
            + f" (sum {inside:.1f} of {elapsed:.1f} s wall; more than the wall when writes overlap reads)",
        ),
    ]
