"""Bulk CSV imports into Company Team. Invoked by S3 for each file created under
``imports/`` (asynchronously: a failure is retried, then dead-lettered) and by the import
queue (JSON messages; a failed message is retried alone, then dead-lettered). Either way
it works until done, or until this invocation's time is nearly up, then continues through
the queue."""

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from cscore.bulkload import worker
from cscore.platform.observability import logger

processor = BatchProcessor(event_type=EventType.SQS)
_context: Any = None


def work_on(record: SQSRecord) -> None:
    outcome = worker.on_message(json.loads(record.body), _context.get_remaining_time_in_millis)
    logger.info("import message", extra={"outcome": outcome})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> Mapping[str, object]:
    global _context
    _context = context
    records = event.get("Records") or []
    if records and records[0].get("eventSource") == "aws:sqs":
        return process_partial_response(event=event, record_handler=work_on, processor=processor, context=context)
    outcomes = []
    for record in records:  # S3 notifications; object keys arrive URL-encoded
        bucket, key = record["s3"]["bucket"]["name"], unquote_plus(record["s3"]["object"]["key"])
        logger.append_keys(bucket=bucket, key=key)
        outcomes.append(worker.on_s3_object(bucket, key, context.get_remaining_time_in_millis))
        logger.info("import file", extra={"outcome": outcomes[-1]})
    return {"outcomes": outcomes}
