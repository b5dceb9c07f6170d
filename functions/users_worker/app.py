"""SQS: assign permission bundles and send welcome e-mails after users API writes."""

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from cscore.api.observability import logger
from cscore.users import worker

processor = BatchProcessor(event_type=EventType.SQS)


def handle(record: SQSRecord) -> None:
    worker.assign_bundles(json.loads(record.body))


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: object) -> dict:
    # A failed message is retried alone (ReportBatchItemFailures), then dead-lettered.
    return process_partial_response(event=event, record_handler=handle, processor=processor, context=context)
