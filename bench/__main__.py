"""``make bench``: DynamoDB calls per request for each endpoint (counted with a botocore
event hook on the client the layer uses), the Company Sync and bulk CSV import figures
(bench/sync.py, bench/bulk_import.py), the embedded AWS restarted on the sync's state
(bench/restart.py), and each handler's cold import time in a
fresh interpreter as a ratio to ``import boto3`` alone (median of several runs), with
tracing disabled and enabled. Prints a Markdown table and writes bench/results.md."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bulk_import import measure as bulk_measure  # noqa: E402
from bench.dynamodb_calls import count_calls_per_request  # noqa: E402
from bench.permissions import COMPANIES  # noqa: E402
from bench.permissions import measure as permissions_measure  # noqa: E402
from bench.restart import measure as restart_measure  # noqa: E402
from bench.sync import measure as sync_measure  # noqa: E402
from bench.users_list import USERS  # noqa: E402
from bench.users_list import measure as list_measure  # noqa: E402

# Peak RSS from VmHWM: ru_maxrss would include the parent's memory from before exec.
IMPORT_SNIPPET = """
import time
start = time.perf_counter()
{body}
elapsed = time.perf_counter() - start
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(elapsed, int(hwm.split()[1]))
"""


def _fresh_import(body: str, env: dict[str, str]) -> tuple[float, int]:
    out = subprocess.run(
        [sys.executable, "-c", IMPORT_SNIPPET.format(body=body)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.split()
    return float(out[0]), int(out[1])


def cold_imports(runs: int) -> list[dict[str, object]]:
    """Import time of each handler in fresh interpreters, as ratios to ``import boto3``.

    Each round measures boto3 and every handler back to back, and a handler's ratio is
    the median over rounds of (its time / boto3's time in the same round): load on a
    shared machine drifts during a run, and a ratio within one round cancels it out."""
    from cslocal.template import load_stack

    stack = load_stack(ROOT, "bench")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("POWERTOOLS_TRACE")}
    base_env["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    base_env |= {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    functions = stack.functions()
    samples: dict[str, dict[str, list[float]]] = {
        f.code_dir.name: {"ms": [], "ratio": [], "tms": [], "tratio": []} for f in functions
    }
    boto3_ms: list[float] = []
    rss: dict[str, int] = dict.fromkeys(samples, 0)
    for _ in range(runs):
        baseline, _ = _fresh_import("import boto3", base_env)
        boto3_ms.append(baseline * 1000)
        for function in functions:
            load = (
                "from cslocal.worker import load_handler; from pathlib import Path; "
                f"load_handler(Path({str(function.code_dir)!r}), {function.handler!r})"
            )
            env = {**base_env, **function.environment}
            name = function.code_dir.name
            untraced, untraced_rss = _fresh_import(load, {**env, "POWERTOOLS_TRACE_DISABLED": "true"})
            traced, traced_rss = _fresh_import(load, env)
            samples[name]["ms"].append(untraced * 1000)
            samples[name]["ratio"].append(untraced / baseline)
            samples[name]["tms"].append(traced * 1000)
            samples[name]["tratio"].append(traced / baseline)
            rss[name] = max(rss[name], untraced_rss, traced_rss)
    median = statistics.median
    rows: list[dict[str, object]] = [
        {
            "function": name,
            "ms": median(s["ms"]),
            "ratio": median(s["ratio"]),
            "traced_ms": median(s["tms"]),
            "traced_ratio": median(s["tratio"]),
            "rss_mb": rss[name] / 1024,
        }
        for name, s in samples.items()
    ]
    rows.append({"function": "(import boto3 alone)", "ms": median(boto3_ms), "ratio": 1.0,
                 "traced_ms": median(boto3_ms), "traced_ratio": 1.0, "rss_mb": 0.0})  # fmt: skip
    return rows


def _precompile() -> None:
    """Byte-compile the project's code first, as the installed dependencies already are:
    otherwise, where PYTHONDONTWRITEBYTECODE is set, every fresh interpreter would compile
    our sources again and the figures would measure the compiler."""
    import compileall

    for folder in ("layers/cscore", "functions", "local"):
        compileall.compile_dir(str(ROOT / folder), quiet=1)


def _update_readme(table: str) -> None:
    """The README keeps the latest figures between its bench markers."""
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        readme.write_text(f"{head}{start}\n{table}\n{end}{rest.split(end, 1)[1]}")


PARTS = ("calls", "users", "permissions", "sync", "bulk", "imports")


def _rss_mb() -> int:
    status = Path("/proc/self/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS"))
    return int(line.split()[1]) // 1024


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"comma-separated parts to run, of {', '.join(PARTS)} (sync includes the restart on its state)",
    )
    parser.add_argument("--restart-runs", type=int, default=3, help="fresh processes loading the sync's state")
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per import figure")
    parser.add_argument("--sync-accounts", type=int, default=100_000, help="Accounts synced by the sync benchmark")
    parser.add_argument("--bulk-rows", type=int, default=100_000, help="rows of the bulk import benchmark's file")
    args = parser.parse_args()
    _precompile()

    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, Python {sys.version.split()[0]}.",
        "",
    ]
    parts = set(args.parts.split(","))
    if "calls" in parts:
        lines += ["### DynamoDB calls per request", "", "| request | calls | operations |", "| --- | ---: | --- |"]
        for name, operations in count_calls_per_request():
            lines.append(f"| {name} | {len(operations)} | {', '.join(operations) or '-'} |")
    if "users" in parts:
        lines += ["", f"### Users list on a {USERS:,}-user tenant (in-process moto)", ""]
        lines += ["| page | DynamoDB calls | items read | ms (moto) |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| {label} | {calls} | {items} | {ms:.0f} |" for label, calls, items, ms in list_measure()]
    if "permissions" in parts:
        lines += ["", f"### Company data permissions on a {COMPANIES:,}-company tenant (in-process moto)", ""]
        lines += ["| case | DynamoDB calls | items read | ms (moto) |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| {label} | {calls} | {items} | {ms:.0f} |" for label, calls, items, ms in permissions_measure()]
    if "sync" in parts:
        # The sync's embedded AWS keeps its state in a directory, as make run does; a fresh
        # process then restarts on it. The data stay in this process's moto until the next
        # part resets it, so this process's RSS now is the live server's.
        state_dir = Path(tempfile.mkdtemp(prefix="bench-state-"))
        title = f"### Company Sync of {args.sync_accounts:,} Accounts (moto server with a state dir, stand-in org)"
        lines += ["", title, ""]
        lines += ["| figure | value |", "| --- | --- |"]
        lines += [f"| {figure} | {value} |" for figure, value in sync_measure(args.sync_accounts, state_dir)]
        live = _rss_mb()
        lines += ["", f"### Restart of the embedded AWS on that sync's state ({args.sync_accounts:,} Accounts)", ""]
        lines += ["| figure | value |", "| --- | --- |"]
        lines += [f"| {figure} | {value} |" for figure, value in restart_measure(state_dir, live, args.restart_runs)]
    if "bulk" in parts:
        title = f"### Bulk CSV import of {args.bulk_rows:,} Company Team rows (moto server, pre-signed path)"
        lines += ["", title, ""]
        lines += ["| figure | value |", "| --- | --- |"]
        lines += [f"| {figure} | {value} |" for figure, value in bulk_measure(args.bulk_rows)]
    if "imports" in parts:
        lines += [
            "",
            f"### Cold import (median of {args.runs} fresh interpreters)",
            "",
            "| handler | import ms | x boto3 | traced ms | traced x boto3 | peak RSS MB |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in cold_imports(args.runs):
            rss = f"{row['rss_mb']:.0f}" if row["rss_mb"] else "-"
            figures = f"{row['ms']:.0f} | {row['ratio']:.2f} | {row['traced_ms']:.0f} | {row['traced_ratio']:.2f}"
            lines.append(f"| {row['function']} | {figures} | {rss} |")
    table = "\n".join(lines)
    print(table)
    if parts >= set(PARTS):  # the recorded figures are always a whole run's
        (ROOT / "bench" / "results.md").write_text(table + "\n")
        _update_readme(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
