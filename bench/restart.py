"""Restart of the embedded AWS on a large state: the state directory the Company Sync
benchmark left (its 100,000 Accounts as Companies, with their index items) is loaded by
a fresh process, as ``make run`` would after a restart. Reported: the state file's size,
the items loaded, the time from spawning the process to its first answer, and its RSS
before loading (baseline), after loading and at the peak while loading, so that
"peak - baseline <= 2 x (loaded - baseline)" can be read off. Median of several runs."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# VmHWM is the peak since the process began: read after loading, it is the peak while
# loading (imports alone stay under the baseline read just before loading).
CHILD = """
import json, sys, time
from pathlib import Path
def status(field):
    line = next(l for l in open("/proc/self/status") if l.startswith(field))
    return int(line.split()[1]) // 1024
import boto3
from cslocal.aws_server import LocalAwsServer
baseline = status("VmRSS")
started = time.perf_counter()
server = LocalAwsServer(0, Path(sys.argv[1])).start()
loaded_in = time.perf_counter() - started
client = boto3.client("dynamodb", endpoint_url=server.url, region_name="us-east-1",
                      aws_access_key_id="bench", aws_secret_access_key="bench")
tables = client.list_tables()["TableNames"]
client.scan(TableName=tables[0], Limit=1)
ready_at = time.time()
print(json.dumps({"ready_at": ready_at, "loaded_in": loaded_in, "loaded": server.loaded,
                  "baseline": baseline, "after": status("VmRSS"), "peak": status("VmHWM")}))
"""


def _state_size(state_dir: Path) -> int:
    return sum(p.stat().st_size for p in state_dir.glob("aws-state.sqlite*"))


def restart_once(state_dir: Path) -> dict[str, Any]:
    spawned = time.time()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(state_dir)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"restart child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    result = dict(json.loads(out.stdout.strip().splitlines()[-1]))
    result["ready_in"] = result["ready_at"] - spawned
    return result


def measure(state_dir: Path, live_rss_mb: int | None, runs: int = 3) -> list[tuple[str, str]]:
    """Rows of (figure, value) for the README table."""
    size = _state_size(state_dir)
    results = [restart_once(state_dir) for _ in range(runs)]
    median = statistics.median
    items = results[0]["loaded"].get("dynamodb items", 0)
    baseline = median(r["baseline"] for r in results)
    after = median(r["after"] for r in results)
    peak = median(r["peak"] for r in results)
    ready = median(r["ready_in"] for r in results)
    loaded_in = median(r["loaded_in"] for r in results)
    live = f"; the live server's process had {live_rss_mb:,} MB (it also ran the stand-in org)" if live_rss_mb else ""
    return [
        ("state file on disk", f"{size / 2**20:,.0f} MB"),
        ("loaded", ", ".join(f"{k} {v:,}" for k, v in results[0]["loaded"].items())),
        (
            f"restart to first answer, fresh process (median of {runs}; target ≤ 60 s)",
            f"{ready:.1f} s (loading {loaded_in:.1f} s: {items / loaded_in:,.0f} items/s)",
        ),
        (
            "RSS before loading / after / peak while loading",
            f"{baseline:,.0f} / {after:,.0f} / {peak:,.0f} MB{live}",
        ),
        (
            "peak - baseline vs 2 x (loaded - baseline) (target ≤)",
            f"{peak - baseline:,.0f} MB vs {2 * (after - baseline):,.0f} MB",
        ),
    ]
