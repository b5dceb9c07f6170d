"""``make bench``: DynamoDB calls per request for each endpoint (counted with a botocore
event hook on the client the layer uses), the Company Sync and bulk CSV import figures
(bench/sync.py, bench/bulk_import.py), the embedded AWS restarted on the sync's state
(bench/restart.py), and each handler's cold start — its import plus the imports its
first request defers — in fresh interpreters as a ratio to ``import boto3`` alone
(bench/cold_start.py). Every ratio is a median of several runs, shown with its spread.
Prints a Markdown table and writes bench/results.md."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import cold_start  # noqa: E402
from bench.bulk_import import measure as bulk_measure  # noqa: E402
from bench.dynamodb_calls import count_calls_per_request  # noqa: E402
from bench.permissions import COMPANIES  # noqa: E402
from bench.permissions import measure as permissions_measure  # noqa: E402
from bench.queries import COMPANIES as QUERY_COMPANIES  # noqa: E402
from bench.queries import USERS as QUERY_USERS  # noqa: E402
from bench.queries import measure as queries_measure  # noqa: E402
from bench.restart import measure as restart_measure  # noqa: E402
from bench.sync import measure as sync_measure  # noqa: E402
from bench.users_list import USERS  # noqa: E402
from bench.users_list import measure as list_measure  # noqa: E402


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


PARTS = ("calls", "users", "queries", "permissions", "sync", "bulk", "imports")


SHAPES_HEADER = [
    "| shape | DynamoDB calls | items read | ms (moto) | answer | target (items read) | holds |",
    "| --- | ---: | ---: | ---: | --- | --- | --- |",
]


def _shape_line(row: tuple[str, int, int, float, str, str, str]) -> str:
    label, calls, items, ms, answer, target, holds = row
    return f"| {label} | {calls} | {items:,} | {ms:,.0f} | {answer} | {target} | {holds} |"


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
    parser.add_argument(
        "--ratio-runs", type=int, default=3, help="(worker, floor) pairs per sync and bulk ratio (median, min..max)"
    )
    # 5,000 by default: the embedded AWS applies a company's conditional index updates at
    # ~10 ms each, so 100,000 Accounts take hours here (the figures are per company anyway).
    parser.add_argument("--sync-accounts", type=int, default=5_000, help="Accounts synced by the sync benchmark")
    parser.add_argument("--bulk-rows", type=int, default=100_000, help="rows of the bulk import benchmark's file")
    parser.add_argument(
        "--companies", type=int, default=QUERY_COMPANIES, help="companies of the query shapes benchmark"
    )
    parser.add_argument("--users", type=int, default=QUERY_USERS, help="users of the query shapes benchmark's tenant")
    args = parser.parse_args()
    if min(args.runs, args.ratio_runs) < 3:
        parser.error("a ratio is the median of at least 3 runs: --runs and --ratio-runs must be 3 or more")
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
        lines += ["", f"### Users list on a {USERS:,}-user tenant (in-process moto, bulk store)", ""]
        lines += [*SHAPES_HEADER, *map(_shape_line, list_measure())]
    if "queries" in parts:
        object_rows, user_rows, notes = queries_measure(args.companies, args.users)
        title = f"### Query shapes on a tenant of {args.companies:,} companies and {args.users:,} users"
        lines += ["", f"{title} (in-process moto, the local stack's Query)", ""]
        lines += [f"Loaded: {notes['load']}. Selectivity: {notes['selectivity']}.", ""]
        lines += [*SHAPES_HEADER, *map(_shape_line, object_rows)]
        lines += ["", f"Users list pages on the same tenant's {args.users:,} users:", ""]
        lines += [*SHAPES_HEADER, *map(_shape_line, user_rows)]
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
        synced = sync_measure(args.sync_accounts, state_dir, args.ratio_runs)
        lines += [f"| {figure} | {value} |" for figure, value in synced]
        live = _rss_mb()
        lines += ["", f"### Restart of the embedded AWS on that sync's state ({args.sync_accounts:,} Accounts)", ""]
        lines += ["| figure | value |", "| --- | --- |"]
        lines += [f"| {figure} | {value} |" for figure, value in restart_measure(state_dir, live, args.restart_runs)]
    if "bulk" in parts:
        title = f"### Bulk CSV import of {args.bulk_rows:,} Company Team rows (moto server, pre-signed path)"
        lines += ["", title, ""]
        lines += ["| figure | value |", "| --- | --- |"]
        lines += [f"| {figure} | {value} |" for figure, value in bulk_measure(args.bulk_rows, args.ratio_runs)]
    if "imports" in parts:
        lines += ["", f"### Cold start: import and the first request's imports ({args.runs} fresh interpreters)", ""]
        lines += [*cold_start.HEADER, *cold_start.measure(args.runs)]
    table = "\n".join(lines)
    print(table)
    if parts >= set(PARTS):  # the recorded figures are always a whole run's
        (ROOT / "bench" / "results.md").write_text(table + "\n")
        _update_readme(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
