"""The users worker: does the follow-up work of users writes (cscore.users.outbox) —
assigns permission bundles and sends welcome e-mails — and sweeps up outbox items an
invocation left behind.

Delivery is idempotent, so a message delivered twice (as SQS may) or queued again by the
sweep does no harm: bundles are set in the transaction that marks the item's bundles
done (or deletes it), so only one delivery sets them; each e-mail is claimed with a
conditional update before it is sent, so only one delivery sends it. A delivery that
dies between claiming and sending loses that one e-mail rather than sending it twice.
"""

from __future__ import annotations

import json
from itertools import groupby
from typing import Any

from cscore.bundles import repository as bundles
from cscore.platform import aws, clock, config, keys, table
from cscore.users import events, outbox, repository
from cscore.users.schema import DEFAULT_BUNDLE

SWEEP_LIMIT = 1_000  # outbox items queued again per sweep; the next sweep takes the rest
MESSAGE_IDS = 50  # outbox ids per queued message


def deliver(message: dict[str, Any]) -> int:
    """Do the work of the outbox items a message names; returns how many were done."""
    tenant_id = message["tenantId"]
    ids = list(dict.fromkeys(message["outboxIds"]))
    items = table.read_many([keys.outbox(tenant_id, i) for i in ids])
    pending = [item for item in items if item is not None]  # absent: already done
    gsids = list(dict.fromkeys(u["gsid"] for item in pending for u in item["users"]))
    users = dict(zip(gsids, table.read_many([keys.user(tenant_id, g) for g in gsids]), strict=True))
    for item in pending:
        _deliver_item(tenant_id, item, users)
    return len(pending)


def _deliver_item(tenant_id: str, item: dict[str, Any], users: dict[str, dict[str, Any] | None]) -> None:
    outbox_id = item["outboxId"]
    mail = [u for u in item["users"] if u["gsid"] in (item.get("mail") or {}) and users.get(u["gsid"]) is not None]
    if not item.get("bundlesDone"):
        changes = {
            u["gsid"]: (
                list(stored.get("permissionBundles") or []),
                _bundles(item["action"], u.get("bundles") or [], stored),
                str(stored["ModifiedDate"]),
            )
            for u in item["users"]
            if (stored := users.get(u["gsid"])) is not None  # users deleted since are skipped
        }
        # Bundles with an id keep member items (cscore.bundles); the system ones have none.
        moved = set().union(*(set(old) ^ set(new) for old, new, _ in changes.values())) - {DEFAULT_BUNDLE}
        ids = {n: b["bundleId"] for n, b in bundles.by_names(tenant_id, sorted(moved)).items() if b.get("bundleId")}
        per_user = [
            [
                repository.set_bundles_action(tenant_id, gsid, new, read_modified),
                *bundles.membership_actions(
                    tenant_id,
                    gsid,
                    [ids[n] for n in new if n in ids and n not in old],
                    [ids[n] for n in old if n in ids and n not in new],
                ),
            ]
            for gsid, (old, new, read_modified) in changes.items()
        ]
        per_user.append([outbox.bundles_done_action(tenant_id, outbox_id, delete=not mail)])
        # Cancelled: another delivery set them first, or a user changed meanwhile; the
        # message is retried (it fails) and reads again. More than a transaction holds:
        # the outbox item is marked with the last one, so a retry sets them all again.
        chunk: list[dict[str, Any]] = []
        for actions in per_user:
            if len(chunk) + len(actions) > repository.TRANSACTION_LIMIT:
                table.transact(chunk)
                chunk = []
            chunk += actions
        table.transact(chunk)
    if not mail:
        if item.get("bundlesDone"):
            outbox.delete(tenant_id, outbox_id)
        return
    for user in mail:
        if not outbox.claim_mail(tenant_id, outbox_id, user["gsid"]):
            continue
        try:
            send_welcome(user["email"], user.get("name") or "")
        except Exception:
            outbox.release_mail(tenant_id, outbox_id, user["gsid"])
            raise
    outbox.delete(tenant_id, outbox_id)


def _bundles(action: str, wanted: list[str], stored: dict[str, Any]) -> list[str]:
    """The user's bundles after the follow-up: the wanted ones added to its own, or only them."""
    kept = [] if action == "overwrite" else list(stored.get("permissionBundles") or [])
    return list(dict.fromkeys([*kept, *wanted]))


def sweep(older_than_seconds: float) -> int:
    """Queue again the outbox items created more than ``older_than_seconds`` ago (their
    own invocation would have queued them by now, or died); returns how many."""
    left = outbox.left_behind(clock.iso(clock.now() - older_than_seconds), SWEEP_LIMIT)
    entries: list[dict[str, str]] = []
    for tenant_id, group in groupby(sorted(left), key=lambda pair: pair[0]):
        ids = [outbox_id for _, outbox_id in group]
        for start in range(0, len(ids), MESSAGE_IDS):
            body = events.message(tenant_id, ids[start : start + MESSAGE_IDS])
            entries.append({"Id": str(len(entries)), "MessageBody": body})
    for start in range(0, len(entries), 10):
        sent = aws.sqs().send_message_batch(
            QueueUrl=config.user_events_queue_url(), Entries=entries[start : start + 10]
        )
        if sent.get("Failed"):
            raise RuntimeError(
                f"outbox sweep: {len(sent['Failed'])} message(s) not queued: {json.dumps(sent['Failed'])}"
            )
    return len(left)


def send_welcome(email: str, name: str) -> None:
    aws.ses().send_email(
        Source=config.ses_sender(),
        Destination={"ToAddresses": [email]},
        Message={
            "Subject": {"Data": "Welcome to CS Platform", "Charset": "UTF-8"},
            "Body": {
                "Text": {
                    "Data": f"Hello {name},\n\nan account was created for you ({email}).\n",
                    "Charset": "UTF-8",
                }
            },
        },
    )
