"""The local stack's limits, in process: Lambda's concurrency in the runtime (no environment
needs to start for a throttle) and the routes' integration timeouts in the gateway."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import yaml

from cslocal import runtime as runtime_module
from cslocal.aws_server import LocalAwsServer
from cslocal.event_sources import EventSources
from cslocal.gateway import routes_of
from cslocal.resources import create_all
from cslocal.runtime import THROTTLED, FunctionRuntime, InvocationError, reserved_concurrency
from cslocal.template import Stack, load_stack


def _stack(
    tmp_path: Path,
    functions: dict[str, dict[str, object]],
    others: dict[str, dict[str, object]] | None = None,
    name: str = "limits",
) -> Stack:
    resources = {
        name: {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": ".", **props}}
        for name, props in functions.items()
    } | (others or {})
    (tmp_path / "template.yaml").write_text(yaml.safe_dump({"Resources": resources}))
    return load_stack(tmp_path, name)


def _runtime(stack: Stack) -> FunctionRuntime:
    runtime = FunctionRuntime(stack.functions(), {})
    runtime.reserve(stack)
    return runtime


def test_reserved_concurrency_is_read_from_the_template(tmp_path: Path) -> None:
    stack = _stack(
        tmp_path,
        {"Capped": {"ReservedConcurrentExecutions": 2}, "Off": {"ReservedConcurrentExecutions": 0}, "Free": {}},
    )
    assert reserved_concurrency(stack) == {"Capped": 2, "Off": 0}


def test_a_function_reserved_at_zero_is_always_throttled(tmp_path: Path) -> None:
    runtime = _runtime(_stack(tmp_path, {"Off": {"ReservedConcurrentExecutions": 0}}))
    with pytest.raises(InvocationError) as refused:
        runtime.invoke(runtime.functions["Off"], {})
    assert refused.value.kind == THROTTLED
    assert runtime.claim(runtime.functions["Off"], wait_seconds=0.1) is False


def test_an_execution_beyond_the_reservation_waits_only_when_asked(tmp_path: Path) -> None:
    runtime = _runtime(_stack(tmp_path, {"One": {"ReservedConcurrentExecutions": 1}}))
    one = runtime.functions["One"]
    assert runtime.claim(one) is True
    assert runtime.claim(one) is False  # a synchronous caller is refused at once

    freed_at: list[float] = []

    def finish_the_first() -> None:
        time.sleep(0.3)
        freed_at.append(time.monotonic())
        runtime.release(one)

    threading.Thread(target=finish_the_first).start()
    assert runtime.claim(one, wait_seconds=5) is True  # a poller waits for it
    assert freed_at and time.monotonic() >= freed_at[0]
    runtime.release(one)


def test_unreserved_functions_share_what_the_account_has_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime_module, "ACCOUNT_CONCURRENCY", 3)
    runtime = _runtime(_stack(tmp_path, {"Reserved": {"ReservedConcurrentExecutions": 1}, "A": {}, "B": {}}))
    a, b, reserved = runtime.functions["A"], runtime.functions["B"], runtime.functions["Reserved"]
    assert runtime.claim(a) and runtime.claim(b)
    assert runtime.claim(a) is False  # 3 - 1 reserved = 2, both in use
    assert runtime.claim(reserved) is True  # the reservation is its own
    runtime.release(b)
    assert runtime.claim(a) is True


def test_a_waiting_claim_gives_up_when_the_stack_stops(tmp_path: Path) -> None:
    runtime = _runtime(_stack(tmp_path, {"Off": {"ReservedConcurrentExecutions": 0}}))
    threading.Timer(0.2, runtime.close).start()
    started = time.monotonic()
    assert runtime.claim(runtime.functions["Off"], wait_seconds=None) is False
    assert time.monotonic() - started < 2


def _api(path: str, **props: object) -> dict[str, object]:
    return {"Events": {"Api": {"Type": "Api", "Properties": {"Path": path, "Method": "GET", **props}}}}


def test_routes_time_out_at_29_s_unless_the_template_sets_less(tmp_path: Path) -> None:
    stack = _stack(tmp_path, {"Default": _api("/default"), "Short": _api("/short", TimeoutInMillis=1000)})
    timeouts = {route.path: route.timeout_ms for route in routes_of(stack, stack.functions())}
    assert timeouts == {"/default": 29_000, "/short": 1000}


@pytest.mark.parametrize("timeout_ms", [49, 29_001])
def test_an_integration_timeout_outside_what_api_gateway_accepts_is_refused(tmp_path: Path, timeout_ms: int) -> None:
    stack = _stack(tmp_path, {"Bad": _api("/bad", TimeoutInMillis=timeout_ms)})
    with pytest.raises(ValueError, match="TimeoutInMillis"):
        routes_of(stack, stack.functions())


@pytest.mark.parametrize(("visibility", "timeout", "refused"), [(1, 5, True), (5, 5, False), (30, 5, False)])
def test_an_sqs_event_source_needs_a_visibility_timeout_not_below_the_functions_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, visibility: int, timeout: int, refused: bool
) -> None:
    # As Lambda's CreateEventSourceMapping does: otherwise a message being worked would be
    # delivered again
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "local")
    queue = {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": visibility}}
    event = {"Work": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Work", "Arn"]}, "BatchSize": 1}}}
    stack = _stack(
        tmp_path, {"Worker": {"Timeout": timeout, "Events": event}}, {"Work": queue}, f"visibility{visibility}"
    )
    server = LocalAwsServer(0, None).start()
    sources = EventSources(stack, _runtime(stack), server.url, schedule_poll_seconds=60)
    try:
        create_all(stack, server.url)
        if refused:
            with pytest.raises(ValueError, match=f"Queue visibility timeout: {visibility} seconds is less than"):
                sources.start()
        else:
            sources.start()
            assert any(thread.name == "source-_poll_queue" for thread in sources._threads)
    finally:
        sources.stop()
        server.stop()
