"""One Lambda execution environment: a process that imports one function's handler
once (its init phase) and then runs one invocation at a time, as Lambda does.

Protocol with the parent (runtime.py): JSON lines. The parent writes
``{"event", "requestId", "timeoutMs"}``; the worker answers ``{"result"}`` or
``{"error": {"errorType", "errorMessage"}}``. Everything the function prints goes to
stderr (its log), so only the protocol uses stdout.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any


class LambdaContext:
    """The attributes and method of Lambda's context object that handlers use."""

    def __init__(self, name: str, memory: int, arn: str, request_id: str, timeout_ms: int) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory
        self.invoked_function_arn = arn
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = f"local/{request_id}"
        self._deadline = time.monotonic() + timeout_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def load_handler(code_dir: Path, handler: str, module_alias: str = "app") -> Any:
    """Import ``<code_dir>/<module>.py`` and return its handler attribute."""
    module_name, attribute = handler.rsplit(".", 1)
    path = code_dir / f"{module_name.replace('.', '/')}.py"
    spec = importlib.util.spec_from_file_location(module_alias, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_alias] = module
    spec.loader.exec_module(module)
    return getattr(module, attribute)


def main() -> int:
    code_dir, handler_name, function_name, memory, arn = sys.argv[1:6]
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the function's own prints and logs go to stderr
    sys.path.insert(0, code_dir)
    try:
        handler = load_handler(Path(code_dir), handler_name)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as Lambda's init error
        protocol.write(json.dumps({"initError": {"errorType": type(exc).__name__, "errorMessage": str(exc)}}) + "\n")
        traceback.print_exc()
        return 1
    protocol.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        context = LambdaContext(function_name, int(memory), arn, request["requestId"], int(request["timeoutMs"]))
        try:
            answer = {"result": handler(request["event"], context)}
        except Exception as exc:  # noqa: BLE001 - Lambda reports an unhandled error, it does not crash
            traceback.print_exc()
            answer = {"error": {"errorType": type(exc).__name__, "errorMessage": str(exc)}}
        protocol.write(json.dumps(answer, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
