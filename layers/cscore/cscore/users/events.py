"""What happens after a users API write, asynchronously (SPEC §2.1): permission bundles
are assigned and welcome e-mails sent by the users worker, fed through a queue, so the
API answers without waiting for them.

The work itself is in the outbox items the write stored with the users
(cscore.users.outbox); a message only names them, one message per request. Publishing
is best effort: a message that is not sent (the queue unreachable, the invocation out
of time or killed) is sent by the outbox sweep instead.
"""

from __future__ import annotations

import json

from botocore.exceptions import BotoCoreError, ClientError

from cscore.platform import aws, config
from cscore.platform.observability import logger

OUTBOX = "OUTBOX"


def message(tenant_id: str, outbox_ids: list[str]) -> str:
    return json.dumps({"type": OUTBOX, "tenantId": tenant_id, "outboxIds": outbox_ids})


def publish(tenant_id: str, outbox_ids: list[str]) -> None:
    """Queue the outbox items ``outbox_ids`` for the users worker."""
    if not outbox_ids:
        return
    try:
        aws.sqs().send_message(QueueUrl=config.user_events_queue_url(), MessageBody=message(tenant_id, outbox_ids))
    except (BotoCoreError, ClientError):
        logger.warning("follow-up work not queued; the outbox sweep will queue it", extra={"outboxIds": outbox_ids})
