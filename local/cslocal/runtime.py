"""Running the template's functions the way Lambda does: each execution environment is
a separate process (cslocal.worker) that imports the handler once and serves one
invocation at a time; a function scales out to more environments under concurrency;
the function's timeout kills the environment; payloads are limited to 6 MB each way.

Separate processes matter: handlers (and Powertools) keep per-invocation state in
module globals, which is safe in Lambda and would not be across threads of one process.

Two limits, one AWS's and one the machine's:

* Lambda's concurrency (AWS): a function with ``ReservedConcurrentExecutions`` runs at most
  that many invocations at once, 0 meaning never; the others share the account's
  unreserved pool (1,000 by default). Beyond it a synchronous invocation is throttled at
  once (429 TooManyRequestsException); Lambda's pollers and its asynchronous queue wait
  and retry instead (``claim`` with a wait).
  https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
* The machine's: 1,000 worker processes do not fit here, so a function has at most
  LOCAL_ENVIRONMENTS_PER_FUNCTION environments; an invocation within Lambda's limits but
  beyond this one waits for an environment (it is never throttled for it).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

from cslocal.template import Function, Stack

INVOCATION_LIMIT = 6 * 1024 * 1024
INIT_TIMEOUT_SECONDS = 30
ACCOUNT_CONCURRENCY = 1000  # AWS: the account's concurrent executions in a Region (default quota)
LOCAL_ENVIRONMENTS_PER_FUNCTION = 8  # the machine's: worker processes one function may have
THROTTLED = "TooManyRequestsException"


class InvocationError(Exception):
    """The function failed the way Lambda reports it (timeout, payload, unhandled error)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def reserved_concurrency(stack: Stack) -> dict[str, int]:
    """``ReservedConcurrentExecutions`` of the template's functions that set it, by logical id."""
    reserved = {}
    for logical_id, resource in stack.of_type("AWS::Serverless::Function").items():
        props = resource.get("Properties") or {}
        value = props.get("ReservedConcurrentExecutions", stack.globals_fn.get("ReservedConcurrentExecutions"))
        if value is not None:
            reserved[logical_id] = int(stack.resolve(value))
    return reserved


class _Environment:
    """One worker process for one function."""

    def __init__(self, function: Function, env: dict[str, str]) -> None:
        self.function = function
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "cslocal.worker",
                str(function.code_dir),
                function.handler,
                function.name,
                str(function.memory),
                function.arn,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
            bufsize=1,
        )
        hello = self._read(INIT_TIMEOUT_SECONDS)
        if hello is None or "ready" not in hello:
            self.kill()
            raise InvocationError("Runtime.InitError", f"{function.name} failed to initialise: {hello}")

    def _read(self, timeout: float) -> dict[str, Any] | None:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.process.stdout.readline()
        return json.loads(line) if line else None

    def invoke(self, payload: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        request_id = str(uuid.uuid4())
        timeout = self.function.timeout
        self.process.stdin.write(
            '{"requestId": "%s", "timeoutMs": %d, "event": %s}\n' % (request_id, timeout * 1000, payload)  # noqa: UP031
        )
        self.process.stdin.flush()
        started = time.monotonic()
        answer = self._read(timeout)
        if answer is None:
            self.kill()
            if time.monotonic() - started >= timeout:
                raise InvocationError("Sandbox.Timedout", f"{self.function.name} timed out after {timeout} s")
            raise InvocationError("Runtime.ExitError", f"{self.function.name} exited during the invocation")
        return answer

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class FunctionRuntime:
    """Pools of execution environments, one pool per function, grown on demand."""

    def __init__(
        self,
        functions: list[Function],
        base_env: dict[str, str],
        credentials: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.functions = {f.logical_id: f for f in functions}
        # Per function (logical id), the AWS credentials its environments get, so the
        # embedded AWS knows which function calls it (and checks that function's policy).
        self._credentials = credentials or {}
        self.by_name = {f.name: f for f in functions}
        self.by_arn = {f.arn: f for f in functions}
        self._base_env = base_env
        self._idle: dict[str, list[_Environment]] = {f.logical_id: [] for f in functions}
        self._count: dict[str, int] = dict.fromkeys(self.functions, 0)
        self._lock = threading.Condition()
        self._closed = False
        # Lambda's concurrency: invocations in flight, per function, against its reservation
        # or the account's unreserved pool.
        self._reserved: dict[str, int] = {}
        self._unreserved_pool = ACCOUNT_CONCURRENCY
        self._running: dict[str, int] = dict.fromkeys(self.functions, 0)

    def _environment_variables(self, function: Function) -> dict[str, str]:
        src = os.pathsep.join(p for p in sys.path if p)
        return {
            **os.environ,
            **function.environment,
            **self._base_env,
            **self._credentials.get(function.logical_id, {}),
            "PYTHONPATH": src,
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory),
        }

    def _acquire(self, function: Function) -> _Environment:
        with self._lock:
            while True:
                if self._closed:
                    raise InvocationError("Runtime.Stopped", "the local stack is stopping")
                if self._idle[function.logical_id]:
                    return self._idle[function.logical_id].pop()
                if self._count[function.logical_id] < LOCAL_ENVIRONMENTS_PER_FUNCTION:
                    self._count[function.logical_id] += 1
                    break
                self._lock.wait()
        try:
            return _Environment(function, self._environment_variables(function))
        except BaseException:
            self._discard(function)
            raise

    def _release(self, environment: _Environment) -> None:
        with self._lock:
            self._idle[environment.function.logical_id].append(environment)
            self._lock.notify_all()  # waiters for environments and for executions share it

    def _discard(self, function: Function) -> None:
        with self._lock:
            self._count[function.logical_id] -= 1
            self._lock.notify_all()  # waiters for environments and for executions share it

    def reserve(self, stack: Stack) -> None:
        """Hold the functions to the reserved concurrency the template gives them."""
        with self._lock:
            self._reserved = reserved_concurrency(stack)
            self._unreserved_pool = ACCOUNT_CONCURRENCY - sum(self._reserved.values())
            self._lock.notify_all()

    def _has_capacity(self, function: Function) -> bool:
        limit = self._reserved.get(function.logical_id)
        if limit is not None:
            return self._running[function.logical_id] < limit
        unreserved = sum(n for f, n in self._running.items() if f not in self._reserved)
        return unreserved < self._unreserved_pool

    def claim(self, function: Function, wait_seconds: float | None = 0) -> bool:
        """Take one of the function's concurrent executions; False if none came free within
        ``wait_seconds`` (0: do not wait; None: wait until one does or the stack stops)."""
        deadline = None if wait_seconds is None else time.monotonic() + wait_seconds
        with self._lock:
            while not self._has_capacity(function):
                left = None if deadline is None else deadline - time.monotonic()
                if self._closed or (left is not None and left <= 0):
                    return False
                self._lock.wait(left)
            self._running[function.logical_id] += 1
            return True

    def release(self, function: Function) -> None:
        """Give back an execution taken by ``claim``."""
        with self._lock:
            self._running[function.logical_id] -= 1
            self._lock.notify_all()

    def invoke(self, function: Function, event: Any, *, wait: bool = False) -> Any:
        """Invoke synchronously; raises InvocationError as Lambda would report it. Beyond the
        function's concurrency it is throttled, or with ``wait`` (an asynchronous invocation,
        which Lambda retries) it waits for an execution to come free."""
        if not self.claim(function, None if wait else 0):
            raise InvocationError(THROTTLED, f"Rate Exceeded. ({function.name}: concurrency limit reached)")
        try:
            return self.run(function, event)
        finally:
            self.release(function)

    def run(self, function: Function, event: Any) -> Any:
        """Invoke within an execution already taken by ``claim``."""
        payload = json.dumps(event)
        if len(payload.encode()) > INVOCATION_LIMIT:
            raise InvocationError("RequestEntityTooLarge", "invocation payload exceeds 6 MB")
        environment = self._acquire(function)
        try:
            answer = environment.invoke(payload)
        except InvocationError:
            self._discard(function)
            raise
        self._release(environment)
        if "error" in answer:
            error = answer["error"]
            raise InvocationError("Unhandled", f"{error['errorType']}: {error['errorMessage']}")
        result = answer.get("result")
        if len(json.dumps(result, default=str).encode()) > INVOCATION_LIMIT:
            raise InvocationError("ResponseSizeTooLarge", "response payload exceeds 6 MB")
        return result

    def close(self) -> None:
        with self._lock:
            self._closed = True
            environments = [e for pool in self._idle.values() for e in pool]
            for pool in self._idle.values():
                pool.clear()
            self._lock.notify_all()
        for environment in environments:
            environment.kill()
