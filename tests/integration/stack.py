"""Start and stop the local stack as a separate process, exactly as ``make run`` does."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
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


def start_stack(state_dir: Path, *extra: str, timeout: float = 60.0, aws_endpoint: str | None = None) -> LocalStack:
    state_file = state_dir / "stack.json"
    written_before = state_file.stat().st_mtime if state_file.exists() else 0.0
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    if aws_endpoint:
        env["AWS_ENDPOINT_URL"] = aws_endpoint
    started = time.monotonic()
    # Logs go to a file: a pipe nobody reads would fill up and stall the stack.
    log = open(state_dir / "stack.log", "a")  # noqa: SIM115 - the process owns it until it ends
    process = subprocess.Popen(
        [sys.executable, "-m", "cslocal", "--root", str(ROOT), "--port", "0", "--state-dir", str(state_dir), *extra],
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
            info = json.loads(state_file.read_text())
            try:
                if requests.get(f"{info['apiUrl']}/health", timeout=5).status_code == 200:
                    return LocalStack(process, state_dir, info, time.monotonic() - started)
            except requests.ConnectionError:
                pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("local stack did not come up in time")
