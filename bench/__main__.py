"""``make bench``: DynamoDB calls per request for each endpoint (counted with a botocore
event hook on the client the layer uses), and each handler's cold import time in a
fresh interpreter as a ratio to ``import boto3`` alone (median of several runs), with
tracing disabled and enabled. Prints a Markdown table and writes bench/results.md."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dynamodb_calls import count_calls_per_request  # noqa: E402

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


def _median_import(body: str, env: dict[str, str], runs: int) -> tuple[float, int]:
    samples = [_fresh_import(body, env) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def cold_imports(runs: int) -> list[dict[str, object]]:
    from cslocal.template import load_stack

    stack = load_stack(ROOT, "bench")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("POWERTOOLS_TRACE")}
    base_env["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    base_env |= {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    boto3_time, _ = _median_import("import boto3", base_env, runs)
    rows = []
    for function in stack.functions():
        load = (
            "from cslocal.worker import load_handler; from pathlib import Path; "
            f"load_handler(Path({str(function.code_dir)!r}), {function.handler!r})"
        )
        env = {**base_env, **function.environment}
        untraced, rss = _median_import(load, {**env, "POWERTOOLS_TRACE_DISABLED": "true"}, runs)
        traced, traced_rss = _median_import(load, env, runs)
        rows.append(
            {
                "function": function.code_dir.name,
                "ms": untraced * 1000,
                "ratio": untraced / boto3_time,
                "traced_ms": traced * 1000,
                "traced_ratio": traced / boto3_time,
                "rss_mb": max(rss, traced_rss) / 1024,
            }
        )
    rows.append(
        {
            "function": "(import boto3 alone)",
            "ms": boto3_time * 1000,
            "ratio": 1.0,
            "traced_ms": boto3_time * 1000,
            "traced_ratio": 1.0,
            "rss_mb": 0.0,
        }
    )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per import figure")
    args = parser.parse_args()

    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, Python {sys.version.split()[0]}.",
        "",
    ]
    lines += ["### DynamoDB calls per request", "", "| request | calls | operations |", "| --- | ---: | --- |"]
    for name, operations in count_calls_per_request():
        lines.append(f"| {name} | {len(operations)} | {', '.join(operations) or '-'} |")
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
    (ROOT / "bench" / "results.md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
