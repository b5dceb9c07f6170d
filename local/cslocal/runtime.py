"""Running the template's functions in this process, the way Lambda would call them:
the handler named by the template, a Lambda-like context, the function's timeout, and
the 6 MB invocation payload limit each way."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from cslocal.template import Function

INVOCATION_LIMIT = 6 * 1024 * 1024


class InvocationError(Exception):
    """The function failed the way Lambda reports it (timeout, payload, unhandled error)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    aws_request_id: str
    deadline: float
    function_version: str = "$LATEST"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self.deadline - time.monotonic()) * 1000), 0)


class FunctionRuntime:
    """Imports each function's handler once (a warm environment) and invokes it."""

    def __init__(self, functions: list[Function], base_env: dict[str, str]) -> None:
        self.functions = {f.logical_id: f for f in functions}
        self.by_name = {f.name: f for f in functions}
        self.by_arn = {f.arn: f for f in functions}
        self._handlers: dict[str, Any] = {}
        self._import_lock = threading.Lock()
        # All functions share this process: their Globals environment is the same, and a
        # function's own variables are applied while its module is imported.
        for function in functions:
            for key, value in function.environment.items():
                os.environ.setdefault(key, value)
        os.environ.update(base_env)

    def handler_of(self, function: Function) -> Any:
        with self._import_lock:
            if function.logical_id not in self._handlers:
                module_name, attribute = function.handler.rsplit(".", 1)
                path = function.code_dir / f"{module_name.replace('.', '/')}.py"
                spec = importlib.util.spec_from_file_location(f"fn_{function.logical_id}", path)
                if spec is None or spec.loader is None:
                    raise InvocationError("Runtime.ImportModuleError", f"cannot load {path}")
                module = importlib.util.module_from_spec(spec)
                saved = {k: os.environ.get(k) for k in function.environment}
                os.environ.update(function.environment)
                try:
                    sys.modules[spec.name] = module
                    spec.loader.exec_module(module)
                finally:
                    for key, value in saved.items():
                        if value is not None:
                            os.environ[key] = value
                self._handlers[function.logical_id] = getattr(module, attribute)
            return self._handlers[function.logical_id]

    def invoke(self, function: Function, event: dict[str, Any]) -> Any:
        """Invoke synchronously; raises InvocationError as Lambda would report it."""
        payload = json.dumps(event)
        if len(payload.encode()) > INVOCATION_LIMIT:
            raise InvocationError("RequestEntityTooLarge", "invocation payload exceeds 6 MB")
        handler = self.handler_of(function)
        context = LambdaContext(
            function_name=function.name,
            memory_limit_in_mb=function.memory,
            invoked_function_arn=function.arn,
            aws_request_id=str(uuid.uuid4()),
            deadline=time.monotonic() + function.timeout,
        )
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["result"] = handler(json.loads(payload), context)
            except BaseException as exc:  # noqa: BLE001 - reported like Lambda's Unhandled
                outcome["error"] = exc

        worker = threading.Thread(target=run, name=f"invoke-{function.logical_id}", daemon=True)
        worker.start()
        worker.join(function.timeout)
        if worker.is_alive():
            raise InvocationError("Sandbox.Timedout", f"{function.name} timed out after {function.timeout} s")
        if "error" in outcome:
            error = outcome["error"]
            raise InvocationError("Unhandled", f"{type(error).__name__}: {error}") from error
        result = outcome.get("result")
        if len(json.dumps(result, default=str).encode()) > INVOCATION_LIMIT:
            raise InvocationError("ResponseSizeTooLarge", "response payload exceeds 6 MB")
        return result
