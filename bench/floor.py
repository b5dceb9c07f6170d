"""What the sync and bulk benchmarks run in child processes: the worker draining its
queue as its function does (so the child's peak RSS is the worker's own), and the raw
floor — the same items written by a bare BatchWriteItem loop — against the same
embedded AWS, so that
ratios are measured in one run on one machine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

_WORKER = """
import json, threading, time
from collections import Counter
from cscore.platform import aws, config
{imports}
calls, seconds, began = Counter(), Counter(), {{}}
client = aws.dynamodb()
def before(model, **_):
    calls.update([model.name])
    began[threading.get_ident(), model.name] = time.perf_counter()
def after(model, **_):
    seconds[model.name] += time.perf_counter() - began.pop((threading.get_ident(), model.name))
client.meta.events.register("before-call.dynamodb", before)
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
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({{"elapsed": elapsed, "calls": calls, "seconds": seconds, "rss_kb": int(hwm.split()[1])}}))
"""


def queue_worker(imports: str, queue: str, handle: str) -> str:
    """The code of a child that handles every message of a queue (``queue``: the name of
    the ``cscore.platform.config`` function giving its URL) with ``handle`` (a statement
    on ``message``), counting DynamoDB calls by operation; prints elapsed s, calls, RSS."""
    return _WORKER.format(imports=imports, queue=queue, handle=handle)


FLOOR = """
import json, sys, time, uuid
from cscore.catalog import SHAPES
from cscore.platform import aws, clock, config, ids, keys
from cscore.platform.dynamo import to_item
shape, count = SHAPES[sys.argv[1]], int(sys.argv[2])
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

record_keys, items = [], []
for i in range(count):
    record_key, its = items_of(i)
    record_keys.append(record_key)
    items.extend(its)
started = time.perf_counter()
calls = 0
for start in range(0, len(items), 25):
    pending = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
    while pending:
        calls += 1
        pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
elapsed = time.perf_counter() - started
print(json.dumps({"elapsed": elapsed, "calls": calls, "items": len(items)}))
"""


def run_child(code: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run a benchmark snippet in a fresh interpreter; its last stdout line is JSON."""
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def floor(env: dict[str, str], shape: str, template: dict[str, Any], records: int) -> dict[str, Any]:
    """``{elapsed, calls, items}``: ``records`` records of the object ``shape`` (``template``
    with ``{i}`` in its strings replaced by the record's number), written as the bulk store
    writes them — the record item with its secondary keys, its unique and index items — by
    bare BatchWriteItem calls."""
    return run_child(FLOOR, env, shape, str(records), json.dumps(template))


def ratio_rows(worker: dict[str, Any], measured: dict[str, Any], what: str) -> list[tuple[str, str]]:
    """The README rows comparing a run's wall time with the floor, and where its time went
    (time inside DynamoDB calls by operation, as the worker's client saw it)."""
    elapsed, writes = worker["elapsed"], measured["elapsed"]
    spent = sorted(worker["seconds"].items(), key=lambda kv: -kv[1])
    inside = sum(worker["seconds"].values())
    return [
        (
            "floor: the same items by bare BatchWriteItem",
            f"{measured['items']:,} items, {measured['calls']} calls, {writes:.1f} s",
        ),
        (f"{what} wall time / floor (target ≤ 1.5)", f"{elapsed:.1f} s / {writes:.1f} s = {elapsed / writes:.2f}"),
        (
            f"where the {what}'s time went: seconds inside DynamoDB calls, by operation",
            ", ".join(f"{op} {s:.1f}" for op, s in spent)
            + f" (sum {inside:.1f} of {elapsed:.1f} s wall; more than the wall when writes overlap reads)",
        ),
    ]
