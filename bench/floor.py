"""What the sync and bulk benchmarks run in child processes: the worker draining its
queue as its function does (so the child's peak RSS is the worker's own), and the raw
floor — the same number of items written by a bare BatchWriteItem loop, then the same
number of BatchGetItem calls of 100 keys, bare — against the same embedded AWS, so that
ratios are measured in one run on one machine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

_WORKER = """
import json, time
from collections import Counter
from cscore.platform import aws, config
{imports}
calls = Counter()
aws.dynamodb().meta.events.register("before-call.dynamodb", lambda model, **_: calls.update([model.name]))
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
print(json.dumps({{"elapsed": elapsed, "calls": calls, "rss_kb": int(hwm.split()[1])}}))
"""


def queue_worker(imports: str, queue: str, handle: str) -> str:
    """The code of a child that handles every message of a queue (``queue``: the name of
    the ``cscore.platform.config`` function giving its URL) with ``handle`` (a statement
    on ``message``), counting DynamoDB calls by operation; prints elapsed s, calls, RSS."""
    return _WORKER.format(imports=imports, queue=queue, handle=handle)


FLOOR = """
import json, sys, time
from cscore.platform import aws, config
items, size, reads = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
client = aws.dynamodb()
table = config.tenant_table()
pad = "x" * size
started = time.perf_counter()
calls = 0
for start in range(0, items, 25):
    batch = [{"PutRequest": {"Item": {"PK": {"S": f"FLOOR#{i}"}, "SK": {"S": "RECORD"}, "pad": {"S": pad}}}}
             for i in range(start, min(start + 25, items))]
    pending = {table: batch}
    while pending:
        calls += 1
        pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
elapsed = time.perf_counter() - started
started = time.perf_counter()
for n in range(reads):
    keys = [{"PK": {"S": f"FLOOR#{(n * 100 + i) % items}"}, "SK": {"S": "RECORD"}} for i in range(100)]
    client.batch_get_item(RequestItems={table: {"Keys": keys, "ConsistentRead": True}})
print(json.dumps({"elapsed": elapsed, "calls": calls, "read_elapsed": time.perf_counter() - started}))
"""


def run_child(code: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run a benchmark snippet in a fresh interpreter; its last stdout line is JSON."""
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def floor(env: dict[str, str], items: int, item_bytes: int, read_calls: int) -> dict[str, Any]:
    """``{elapsed, calls, read_elapsed}`` of the bare writes and reads."""
    return run_child(FLOOR, env, str(items), str(item_bytes), str(read_calls))


def ratio_rows(elapsed: float, measured: dict[str, Any], read_calls: int, what: str) -> list[tuple[str, str]]:
    """The README rows comparing a run's wall time with the floor, writes only (the
    issues' target) and with the reads the run needed as well."""
    writes, reads = measured["elapsed"], measured["read_elapsed"]
    return [
        ("floor: bare BatchWriteItem of the same item count", f"{writes:.1f} s, {measured['calls']} calls"),
        (f"{what} wall time / floor (target ≤ 1.5)", f"{elapsed:.1f} s / {writes:.1f} s = {elapsed / writes:.2f}"),
        (
            "floor with the reads: the same writes and BatchGetItem calls (100 keys), bare",
            f"{writes + reads:.1f} s ({read_calls} BatchGetItem: {reads:.1f} s); "
            f"{what} / that = {elapsed / (writes + reads):.2f}",
        ),
    ]
