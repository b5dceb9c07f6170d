"""Start and stop the local stack as a separate process, exactly as ``make run`` does."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
TABLE_ENV = {
    "TenantTable": "TENANT_TABLE_NAME",
    "RateLimitTable": "RATE_LIMIT_TABLE_NAME",
    "ConnectorTable": "CONNECTOR_TABLE_NAME",
    "IdempotencyTable": "IDEMPOTENCY_TABLE_NAME",
}


@dataclass
class LocalStack:
    process: subprocess.Popen[str]
    state_dir: Path
    info: dict[str, Any]
    started_in: float

    @property
    def api(self) -> str:
        return str(self.info["apiUrl"])

    def output(self) -> str:
        log = self.state_dir / "stack.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def client(self, service: str) -> Any:
        """A boto3 client for the stack's embedded AWS."""
        return boto3.client(
            service,
            endpoint_url=self.info["awsEndpointUrl"],
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def wait_for(self, what: str, probe: Callable[[], T | None], timeout: float = 15.0) -> T:
        """Poll ``probe`` until it returns something truthy; fail with the stack's output otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            result = probe()
            if result:
                return result
            if self.process.poll() is not None:
                pytest.fail(f"local stack exited ({self.process.returncode}) waiting for {what}:\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout} s waiting for {what}; local stack output:\n{self.output()}")
            time.sleep(0.2)

    def env(self) -> dict[str, str]:
        """Environment for tools (csadmin) that should use this stack."""
        env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
        env |= {"AWS_ENDPOINT_URL": self.info["awsEndpointUrl"], "AWS_DEFAULT_REGION": "us-east-1"}
        env |= {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
        env |= {TABLE_ENV[k]: v for k, v in self.info["tables"].items() if k in TABLE_ENV}
        return env

    def csadmin(self, *args: str) -> dict[str, Any]:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "csadmin"), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def set_limit(self, tenant_id: str, family: str, window: str, limit: int) -> None:
        self.csadmin(
            "tenant", "set-limits", "--tenant", tenant_id, "--family", family, "--window", window, "--limit", str(limit)
        )

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode)


def start_stack(
    state_dir: Path, *extra: str, root: Path = ROOT, timeout: float = 60.0, aws_endpoint: str | None = None
) -> LocalStack:
    """Start ``python -m cslocal`` for the app at ``root``; ready once it says it is up."""
    state_file = state_dir / "stack.json"
    written_before = state_file.stat().st_mtime if state_file.exists() else 0.0
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    if aws_endpoint:
        env["AWS_ENDPOINT_URL"] = aws_endpoint
    started = time.monotonic()
    # Logs go to a file: a pipe nobody reads would fill up and stall the stack.
    log = open(state_dir / "stack.log", "a")  # noqa: SIM115 - the process owns it until it ends
    env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cslocal",
            "--root",
            str(root),
            "--port",
            "0",
            "--salesforce-port",
            "0",
            "--state-dir",
            str(state_dir),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = started + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"local stack exited with {process.returncode}:\n{(state_dir / 'stack.log').read_text()}"
            )
        if state_file.exists() and state_file.stat().st_mtime > written_before:
            # stack.json is written last, once every part is serving.
            return LocalStack(process, state_dir, json.loads(state_file.read_text()), time.monotonic() - started)
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("local stack did not come up in time")
