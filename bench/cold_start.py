"""Cold start of each handler: the import of its module plus the imports it defers to
its first request, in a fresh interpreter per sample, as a ratio to ``import boto3``
alone, with tracing disabled and enabled.

Which modules a handler imports only on its first request is found once per function:
a fresh interpreter imports the handler, serves the function's sample event (events/,
with a valid access key) against an embedded AWS, and lists the modules that request
added. Each sample then imports the handler and those modules, timing both.

Each round measures boto3 and every handler back to back, and a handler's ratio is the
median over rounds of (its time / boto3's time in the same round): load on a shared
machine drifts during a run, and a ratio within one round cancels it out. The spread
(min..max over the rounds) is shown beside each median."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# Peak RSS from VmHWM: ru_maxrss would include the parent's memory from before exec.
SAMPLE = """
import importlib, json, sys, time
started = time.perf_counter()
{load}
loaded = time.perf_counter()
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except ImportError:  # a name a package put in sys.modules under an alias
        pass
done = time.perf_counter()
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({{"import": loaded - started, "deferred": done - loaded, "rss_kb": int(hwm.split()[1])}}))
"""
LOAD_HANDLER = """from pathlib import Path
from cslocal.worker import load_handler
load_handler(Path({dir!r}), {handler!r})"""

DISCOVER = """
import json, sys, uuid
from pathlib import Path
from cslocal.worker import LambdaContext, load_handler
handler = load_handler(Path(sys.argv[1]), sys.argv[2])
before = set(sys.modules)
event = json.loads(Path(sys.argv[3]).read_text())
for headers in (event.get("headers"), event.get("multiValueHeaders")):
    if isinstance(headers, dict) and "accesskey" in headers:
        headers["accesskey"] = [sys.argv[4]] if isinstance(headers["accesskey"], list) else sys.argv[4]
context = LambdaContext("cold", 512, "arn:aws:lambda:us-east-1:123456789012:function:cold", str(uuid.uuid4()), 30_000)
try:
    handler(event, context)
except Exception:  # a sample naming no stored record still takes its route's imports
    pass
print(json.dumps(sorted(name for name in set(sys.modules) - before)))
"""


@dataclass
class Samples:
    """One handler's figures over the rounds (seconds, and ratios to boto3's time)."""

    total: list[float]
    deferred: list[float]
    ratio: list[float]
    traced: list[float]
    traced_ratio: list[float]
    rss_kb: int = 0


def _child(code: str, env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=False, cwd=ROOT, timeout=120
    )
    if out.returncode != 0:
        raise RuntimeError(f"cold start child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return out.stdout.strip().splitlines()[-1]


def _sample(load: str, deferred: list[str], env: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(_child(SAMPLE.format(load=load), env, json.dumps(deferred))))


def deferred_imports(functions: list[Any], base_env: dict[str, str]) -> dict[str, list[str]]:
    """The modules each function's first request imports, after its module is loaded."""
    import requests

    from cscore.platform import aws
    from cscore.tenants import service as tenants
    from cslocal.aws_server import LocalAwsServer
    from cslocal.resources import create_all
    from cslocal.template import load_stack

    server = LocalAwsServer(0, None).start()
    saved = dict(os.environ)
    try:
        # moto keeps its state per process: start from nothing whatever ran before in this one.
        requests.post(f"{server.url}/moto-api/reset", timeout=60).raise_for_status()
        os.environ.update(base_env | {"AWS_ENDPOINT_URL": server.url})
        for client in (aws.dynamodb, aws.sqs, aws.s3, aws.kms, aws.secretsmanager):
            client.cache_clear()
        stack = load_stack(ROOT, "bench")
        stack.endpoint_hint = server.url
        create_all(stack, server.url)
        for function in functions:  # the tables and queues they name, for the tenant below
            os.environ.update(function.environment)
        key = tenants.create_tenant("Cold start")["accessKey"]
        found: dict[str, list[str]] = {}
        for function in functions:
            event = ROOT / "events" / f"{function.code_dir.name}.json"
            if not event.exists():
                found[function.code_dir.name] = []
                continue
            # Salesforce is never reached: a refused connection ends a call that would.
            env = {**os.environ, **function.environment, "SALESFORCE_LOGIN_HOST": "https://127.0.0.1:9"}
            args = (str(function.code_dir), function.handler, str(event), key)
            found[function.code_dir.name] = json.loads(_child(DISCOVER, env, *args))
        return found
    finally:
        os.environ.clear()
        os.environ.update(saved)
        for client in (aws.dynamodb, aws.sqs, aws.s3, aws.kms, aws.secretsmanager):
            client.cache_clear()
        server.stop()


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}..{max(values):.2f})"


def measure(runs: int) -> list[str]:
    """Markdown rows: per handler, median ms of import + first-request imports (and the
    latter alone), the ratio to boto3 with its spread, traced, and peak RSS."""
    from cslocal.template import load_stack

    stack = load_stack(ROOT, "bench")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_TRACE", "AWS_ENDPOINT"))}
    base_env |= {"POWERTOOLS_LOG_LEVEL": "WARNING", "AWS_DEFAULT_REGION": "us-east-1"}
    base_env |= {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    functions = stack.functions()
    deferred = deferred_imports(functions, base_env | {"POWERTOOLS_TRACE_DISABLED": "true"})
    samples = {f.code_dir.name: Samples([], [], [], [], []) for f in functions}
    boto3_s: list[float] = []
    for _ in range(runs):
        baseline = _sample("import boto3", [], base_env)["import"]
        boto3_s.append(baseline)
        for function in functions:
            name = function.code_dir.name
            load = LOAD_HANDLER.format(dir=str(function.code_dir), handler=function.handler)
            env = {**base_env, **function.environment}
            untraced = _sample(load, deferred[name], {**env, "POWERTOOLS_TRACE_DISABLED": "true"})
            traced = _sample(load, deferred[name], env)
            mine = samples[name]
            mine.total.append(untraced["import"] + untraced["deferred"])
            mine.deferred.append(untraced["deferred"])
            mine.ratio.append(mine.total[-1] / baseline)
            mine.traced.append(traced["import"] + traced["deferred"])
            mine.traced_ratio.append(mine.traced[-1] / baseline)
            mine.rss_kb = max(mine.rss_kb, untraced["rss_kb"], traced["rss_kb"])
    median = statistics.median
    rows = [
        f"| {name} | {median(s.total) * 1000:.0f} | {median(s.deferred) * 1000:.0f} ({len(deferred[name])}) "
        f"| {_spread(s.ratio)} | {median(s.traced) * 1000:.0f} | {_spread(s.traced_ratio)} | {s.rss_kb / 1024:.0f} |"
        for name, s in samples.items()
    ]
    boto3_ms = median(boto3_s) * 1000
    rows.append(f"| (import boto3 alone) | {boto3_ms:.0f} | - | 1.00 | {boto3_ms:.0f} | 1.00 | - |")
    return rows


HEADER = [
    "| handler | cold ms: import + first request's imports | of which first request's (modules) "
    "| x boto3, median (min..max) | traced ms | traced x boto3, median (min..max) | peak RSS MB |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
]
