"""What happens after a users API write, asynchronously (SPEC §2.1): permission bundles
are assigned and welcome e-mails sent by the users worker, fed through a queue, so the
API answers without waiting for them. One message per request, whatever its size."""

from __future__ import annotations

import json
from typing import Any

from cscore.platform import aws, config

ASSIGN_BUNDLES = "ASSIGN_BUNDLES"


def publish(tenant_id: str, users: list[dict[str, Any]], *, action: str, notify: bool) -> None:
    """Queue bundle assignment (and welcome e-mails) for ``users``.

    Each user is ``{"gsid", "bundles", "email", "name"}``; ``action`` is add or overwrite.
    """
    if not users:
        return
    message = {"type": ASSIGN_BUNDLES, "tenantId": tenant_id, "action": action, "notify": notify, "users": users}
    aws.sqs().send_message(QueueUrl=config.user_events_queue_url(), MessageBody=json.dumps(message))
