"""SQS state: queues and their messages, one row per message.

After any SQS request that may change a queue (sends, deletes, receives: a receive
counts and may move messages to a dead-letter queue), the queues are compared with what
the state file holds (message id -> receive count and visibility) and only the
differences are written. A deleted message's row is deleted: it never comes back.

At start every message is visible (as after its visibility timeout: the consumer that
held it is gone with the old process), with its body, attributes, message attributes,
receive count and sent timestamp as they were.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.sqs.models import Message, Queue, sqs_backends

from cslocal.persistence.objects import dumps, freeze, loads, thaw
from cslocal.persistence.store import StateStore, Writes

QUEUE = "sqs.queue"
MESSAGE = "sqs.message"
# Messages are rows of their own; the dead-letter queue is linked again by its ARN.
_NOT_STATE = ("_messages", "_pending_messages", "deleted_messages", "_messages_lock", "dead_letter_queue")


def _queues() -> dict[str, Queue]:
    return {
        f"{account_id}/{region}/{name}": queue
        for account_id, account in list(sqs_backends.items())
        for region, backend in list(account.items())
        for name, queue in list(backend.queues.items())
    }


def _version(message: Message) -> tuple[Any, ...]:
    return (message.approximate_receive_count, message.visible_at, message.delayed_until)


class QueueState:
    """What the state file holds for SQS, to write only what changed."""

    def __init__(self) -> None:
        self._messages: dict[str, dict[str, tuple[Any, ...]]] = {}  # queue scope -> id -> version
        self._queues: dict[str, Any] = {}  # queue scope -> when its attributes last changed
        self._lock = threading.Lock()

    def save(self, writes: Writes) -> None:
        with self._lock:
            live = _queues()
            for scope in set(self._messages) - set(live):
                writes.delete(QUEUE, scope, "")
                writes.delete_scope(MESSAGE, scope)
                del self._messages[scope]
                self._queues.pop(scope, None)
            for scope, queue in live.items():
                known = self._messages.setdefault(scope, {})
                if self._queues.get(scope, -1) != queue.last_modified_timestamp:
                    writes.put(QUEUE, scope, "", freeze(queue, _NOT_STATE))
                    self._queues[scope] = queue.last_modified_timestamp
                current = {m.id: m for m in list(queue._messages)}  # one copy: others may be appending
                writes.changed(MESSAGE, scope, known, current, _version, dumps)

    def load(self, store: StateStore) -> int:
        count = 0
        queues: dict[str, Queue] = {}
        for scope, _, value in store.rows(QUEUE):
            account_id, region, name = scope.split("/", 2)
            queue = thaw(
                value,
                _messages=[],
                _pending_messages=set(),
                deleted_messages=set(),
                _messages_lock=threading.Condition(),
                dead_letter_queue=None,
            )
            sqs_backends[account_id][region].queues[name] = queue
            queues[scope] = queue
            self._messages[scope] = {}
            self._queues[scope] = queue.last_modified_timestamp
        by_arn = {queue.queue_arn: queue for queue in queues.values()}
        for queue in queues.values():
            if queue.redrive_policy:
                queue.dead_letter_queue = by_arn.get(queue.redrive_policy["deadLetterTargetArn"])
        for scope, message_id, value in store.rows(MESSAGE):
            message: Message = loads(value)
            message.visible_at = 0.0  # visible again, as after a visibility timeout
            message.receipt_handle = None
            queues[scope]._messages.append(message)
            self._messages[scope][message_id] = _version(message)
            count += 1
        for queue in queues.values():  # in the order they were sent (rows are in id order)
            queue._messages.sort(key=lambda m: (m.sent_timestamp or 0, m.sequence_number or ""))
        return count
