"""The event sources of the template's functions, run locally:

* SQS: each queue is polled into its function in batches of ``BatchSize``, gathered for
  up to ``MaximumBatchingWindowInSeconds``; on success the messages are deleted, on failure
  (an error, the function's timeout, or items reported with ``ReportBatchItemFailures``)
  they return after the queue's visibility timeout, and reach the DLQ by its redrive
  policy (both are SQS's own, in the embedded AWS). Batches run concurrently, up to the
  event's ``ScalingConfig.MaximumConcurrency`` and the function's concurrency; at either
  limit the poller waits and the messages stay in the queue.
* S3: object notifications go to an internal queue, which is polled into the function.
* Schedules: ``ScheduleV2`` events of the template, and EventBridge Scheduler
  schedules created at run time that target a function, fire when due.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3

from cslocal.runtime import LOCAL_ENVIRONMENTS_PER_FUNCTION, FunctionRuntime, InvocationError
from cslocal.schedules import next_fire
from cslocal.template import ACCOUNT, REGION, Function, Stack

# Batches one event source runs at once without ScalingConfig.MaximumConcurrency: Lambda
# starts with five and scales on (to the function's concurrency); here the machine's
# limit stops it at five.
# https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
LOCAL_BATCHES_PER_EVENT_SOURCE = 5
POLL_SECONDS = 1  # one long poll of the queue (and the longest wait for a free execution)


@dataclass
class ScheduleState:
    name: str
    expression: str
    timezone: str | None
    function: Function
    payload: Any
    next_at: datetime | None
    delete_after: bool = False
    group: str | None = None


class EventSources:
    def __init__(self, stack: Stack, runtime: FunctionRuntime, endpoint: str, schedule_poll_seconds: float) -> None:
        self.stack = stack
        self.runtime = runtime
        session = boto3.session.Session(region_name=REGION)
        self.sqs = session.client("sqs", endpoint_url=endpoint)
        self.s3 = session.client("s3", endpoint_url=endpoint)
        self.scheduler = session.client("scheduler", endpoint_url=endpoint)
        self.poll_seconds = schedule_poll_seconds
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._schedules: dict[str, ScheduleState] = {}
        self.fired: list[tuple[str, str]] = []  # (schedule name, function) for inspection

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> EventSources:
        for function in self.runtime.functions.values():
            for event in function.events.values():
                kind = event.get("Type")
                props = self.stack.resolve(event.get("Properties") or {})
                if kind == "SQS":
                    queue_name = str(props["Queue"]).rsplit(":", 1)[-1]
                    self._require_visibility_covers_timeout(function, queue_name)
                    self._spawn(self._poll_queue, function, queue_name, props, False)
                elif kind == "S3":
                    queue_name = self._route_bucket_to_queue(function, event)
                    self._spawn(self._poll_queue, function, queue_name, {"BatchSize": 1}, True)
                elif kind in ("ScheduleV2", "Schedule"):
                    self._add_template_schedule(function, props)
        self._spawn(self._run_schedules)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _spawn(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name=f"source-{target.__name__}")
        thread.start()
        self._threads.append(thread)

    # ---------------------------------------------------------------- SQS and S3
    def _require_visibility_covers_timeout(self, function: Function, queue_name: str) -> None:
        """Lambda refuses an SQS event source whose queue hides a message for less time than
        the function may run (a message would be delivered again while still being worked)."""
        url = self.sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        attributes = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
        visibility = int(attributes["VisibilityTimeout"])
        if visibility < function.timeout:
            raise ValueError(
                f"InvalidParameterValueException: Queue visibility timeout: {visibility} seconds is less than "
                f"Function timeout: {function.timeout} seconds ({function.logical_id}, {queue_name})"
            )

    def _route_bucket_to_queue(self, function: Function, event: dict[str, Any]) -> str:
        props = event.get("Properties") or {}
        bucket = self.stack.resolve(props["Bucket"])
        queue_name = f"{self.stack.stack_name}-s3-events-{function.logical_id}"
        self.sqs.create_queue(QueueName=queue_name)
        queue_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue_name}"
        events = props.get("Events")
        configuration: dict[str, Any] = {
            "QueueArn": queue_arn,
            "Events": events if isinstance(events, list) else [events],
        }
        if props.get("Filter"):
            # SAM writes S3Key.Rules; the S3 API wants Key.FilterRules.
            rules = (self.stack.resolve(props["Filter"]).get("S3Key") or {}).get("Rules") or []
            configuration["Filter"] = {"Key": {"FilterRules": rules}}
        self.s3.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [configuration]}
        )
        return queue_name

    def _poll_queue(self, function: Function, queue_name: str, props: dict[str, Any], s3_events: bool) -> None:
        queue_url = self.sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        queue_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue_name}"
        size = max(1, int(props.get("BatchSize", 10)))
        window = float(props.get("MaximumBatchingWindowInSeconds", 0))
        partial = "ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or [])
        most = (props.get("ScalingConfig") or {}).get("MaximumConcurrency", LOCAL_BATCHES_PER_EVENT_SOURCE)
        batches = threading.BoundedSemaphore(min(int(most), LOCAL_ENVIRONMENTS_PER_FUNCTION))
        while not self._stop.is_set():
            # A free batch slot and a free execution first, so that a throttled function's
            # messages stay in the queue (visible to nobody else's count) instead of cycling.
            if not batches.acquire(timeout=POLL_SECONDS):
                continue
            if not self.runtime.claim(function, POLL_SECONDS):
                batches.release()
                continue
            try:
                received = self._receive(queue_url, size, window)
            except Exception:  # noqa: BLE001 - the endpoint is going away at shutdown
                received = []
                time.sleep(0.5)
            if not received:
                self.runtime.release(function)
                batches.release()
                continue
            run = self._deliver_s3 if s3_events else self._deliver
            args = (function, queue_url, received, queue_arn, partial)
            threading.Thread(target=self._run_batch, args=(run, batches, *args), daemon=True).start()

    def _receive(self, queue_url: str, size: int, window: float) -> list[dict[str, Any]]:
        """One batch: up to ``size`` messages, gathered for up to ``window`` seconds once the
        first one arrives (Lambda's batching window)."""
        attributes = {"MessageSystemAttributeNames": ["All"], "MessageAttributeNames": ["All"]}
        got: list[dict[str, Any]] = self.sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=min(size, 10), WaitTimeSeconds=POLL_SECONDS, **attributes
        ).get("Messages", [])
        deadline = time.monotonic() + window
        while got and len(got) < size and time.monotonic() < deadline and not self._stop.is_set():
            more = self.sqs.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=min(size - len(got), 10), WaitTimeSeconds=0, **attributes
            ).get("Messages", [])
            got += more
            if not more:
                time.sleep(min(0.2, max(deadline - time.monotonic(), 0)))
        return got

    def _run_batch(self, run: Any, batches: threading.BoundedSemaphore, function: Function, *args: Any) -> None:
        try:
            # An error here (the endpoint going away at shutdown) leaves the messages queued.
            with contextlib.suppress(Exception):
                run(function, *args)
        finally:
            self.runtime.release(function)
            batches.release()

    def _deliver_s3(self, function: Function, queue_url: str, messages: list[dict[str, Any]], *_: Any) -> None:
        for message in messages:
            body = json.loads(message["Body"])
            if body.get("Event") == "s3:TestEvent":  # sent to the queue by S3, never to a function
                self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                continue
            with contextlib.suppress(InvocationError):  # a failed one returns to the queue
                self.runtime.run(function, body)
                self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    def _deliver(
        self, function: Function, queue_url: str, messages: list[dict[str, Any]], queue_arn: str, partial: bool
    ) -> None:
        event = {"Records": [self._sqs_record(m, queue_arn) for m in messages]}
        try:
            result = self.runtime.run(function, event)
        except InvocationError:
            return  # messages become visible again; redrive sends them to the DLQ
        ids = {m["MessageId"] for m in messages}
        failed: set[Any] = set()
        if partial and isinstance(result, dict):
            failed = {f.get("itemIdentifier") for f in result.get("batchItemFailures") or []}
            if not failed <= ids:  # Lambda takes an unknown or empty identifier as the whole batch failing
                return
        for message in messages:
            if message["MessageId"] not in failed:
                self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    @staticmethod
    def _sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": REGION,
        }

    # ---------------------------------------------------------------- schedules
    def _add_template_schedule(self, function: Function, props: dict[str, Any]) -> None:
        if str(props.get("State", "ENABLED")).upper() == "DISABLED" or props.get("Enabled") is False:
            return
        expression = str(props.get("ScheduleExpression") or props.get("Schedule"))
        payload = json.loads(props["Input"]) if props.get("Input") else {}
        name = f"template:{function.logical_id}:{expression}"
        tz = props.get("ScheduleExpressionTimezone")
        now = datetime.now(UTC)
        self._schedules[name] = ScheduleState(name, expression, tz, function, payload, next_fire(expression, now, tz))

    def _sync_runtime_schedules(self) -> None:
        """Pick up schedules created through the Scheduler API (e.g. a job's schedule)."""
        seen = set()
        for group in self._schedule_groups():
            for summary in self.scheduler.list_schedules(GroupName=group).get("Schedules", []):
                name = f"{group}/{summary['Name']}"
                seen.add(name)
                detail = self.scheduler.get_schedule(Name=summary["Name"], GroupName=group)
                function = self.runtime.by_arn.get(detail["Target"]["Arn"])
                if function is None or detail.get("State") == "DISABLED":
                    self._schedules.pop(name, None)
                    continue
                expression = detail["ScheduleExpression"]
                tz = detail.get("ScheduleExpressionTimezone")
                current = self._schedules.get(name)
                if current and current.expression == expression and current.timezone == tz:
                    continue
                payload = json.loads(detail["Target"].get("Input") or "{}")
                now = datetime.now(UTC)
                self._schedules[name] = ScheduleState(
                    name,
                    expression,
                    tz,
                    function,
                    payload,
                    next_fire(expression, now, tz),
                    delete_after=detail.get("ActionAfterCompletion") == "DELETE",
                    group=group,
                )
        for name in [n for n, s in self._schedules.items() if s.group is not None and n not in seen]:
            del self._schedules[name]

    def _schedule_groups(self) -> list[str]:
        groups = self.scheduler.list_schedule_groups().get("ScheduleGroups", [])
        return [g["Name"] for g in groups] or ["default"]

    def _run_schedules(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            with contextlib.suppress(Exception):  # keep polling through transient errors
                self._sync_runtime_schedules()
            now = datetime.now(UTC)
            for state in list(self._schedules.values()):
                if state.next_at is None or state.next_at > now:
                    continue
                self.fire(state)
                state.next_at = next_fire(state.expression, now, state.timezone)
                if state.next_at is None and state.delete_after and state.group:
                    self.scheduler.delete_schedule(Name=state.name.split("/", 1)[1], GroupName=state.group)

    def fire(self, state: ScheduleState) -> None:
        """Invoke the target asynchronously, with the Scheduler's payload."""
        self.fired.append((state.name, state.function.name))
        payload = (
            state.payload
            if state.payload
            else {
                "id": str(uuid.uuid4()),
                "source": "aws.scheduler",
                "detail-type": "Scheduled Event",
                "time": datetime.now(UTC).isoformat(),
                "detail": {},
            }
        )
        threading.Thread(target=self._invoke_quietly, args=(state.function, payload), daemon=True).start()

    def _invoke_quietly(self, function: Function, payload: Any) -> None:
        # An asynchronous invocation's failure goes to its logs (and its DLQ in AWS).
        with contextlib.suppress(InvocationError):
            self.runtime.invoke(function, payload, wait=True)  # Lambda retries a throttled one
