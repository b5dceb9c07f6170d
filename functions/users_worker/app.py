"""SQS: assign permission bundles and send welcome e-mails after users API writes.
Schedule: queue again the follow-up work an invocation left behind (the outbox sweep)."""

import json
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from cscore.platform.observability import logger
from cscore.users import worker

processor = BatchProcessor(event_type=EventType.SQS)
SWEEP = "sweepOutbox"


def handle(record: SQSRecord) -> None:
    worker.deliver(json.loads(record.body))


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> Mapping[str, object]:
    if SWEEP in event:  # the schedule's input (template.yaml)
        return {"queued": worker.sweep(float(event[SWEEP]["olderThanSeconds"]))}
    # A failed message is retried alone (ReportBatchItemFailures), then dead-lettered.
    return process_partial_response(event=event, record_handler=handle, processor=processor, context=context)
