"""Connector job runs. Started by a job's EventBridge Scheduler schedule
(``{tenantId, jobId, trigger}``: queue a run of the chain) and driven by the run queue
(``{tenantId, runId}``: work on the run until done, or until this invocation's time is
nearly up, then continue through the queue)."""

import json
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from cscore.platform.observability import logger
from cscore.sync import runs

processor = BatchProcessor(event_type=EventType.SQS)
_context: Any = None


def work_on(record: SQSRecord) -> None:
    message = json.loads(record.body)
    logger.append_keys(tenantId=message["tenantId"], runId=message["runId"])
    outcome = runs.execute(message["tenantId"], message["runId"], _context.get_remaining_time_in_millis)
    logger.info("run slice", extra={"outcome": outcome})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> Mapping[str, object]:
    global _context
    _context = context
    if "Records" in event:
        return process_partial_response(event=event, record_handler=work_on, processor=processor, context=context)
    logger.append_keys(tenantId=event.get("tenantId"), jobId=event.get("jobId"))
    run = runs.start_scheduled(str(event["tenantId"]), str(event["jobId"]))
    logger.info("scheduled run", extra={"runId": run and run["runId"]})
    return {"runId": run["runId"] if run else None}
