"""The small services' state: each (account, region) backend pickled whole.

KMS keys (with their key material: ciphertext made before a restart decrypts after it),
Secrets Manager secrets and their versions, Scheduler schedules and groups, SES
identities. These backends hold tens of objects, so after a request that changes one
the whole backend is written again (a few kB, well under a millisecond to pickle),
which needs no knowledge of what each request changes. SES's sent mail is left out:
it grows with every welcome e-mail and is only an outbox to look at.
"""

from __future__ import annotations

from typing import Any

from moto.kms.models import kms_backends
from moto.scheduler.models import scheduler_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.ses.models import ses_backends

from cslocal.persistence.objects import freeze, thaw
from cslocal.persistence.store import StateStore, Writes

BACKEND = "backend"

# Service (as requests sign for it) -> (moto's backends, fields that are not kept).
SERVICES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "kms": (kms_backends, ()),
    "secretsmanager": (secretsmanager_backends, ()),
    "scheduler": (scheduler_backends, ()),
    "ses": (ses_backends, ("sent_messages", "sent_message_count")),
}

# Calls that change nothing, beyond the Get/List/Describe every service has.
READS = {
    "kms": ("Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateRandom", "GenerateMac", "Sign", "Verify"),
    "secretsmanager": ("BatchGetSecretValue",),
    "ses": ("SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail"),
}


def save(service: str, writes: Writes) -> None:
    backends, without = SERVICES[service]
    for account_id, account in list(backends.items()):
        for region, backend in list(account.items()):
            writes.put(BACKEND, service, f"{account_id}/{region}", freeze(backend, without))


def load(store: StateStore) -> int:
    count = 0
    for service, (backends, without) in SERVICES.items():
        for _, name, value in store.rows(BACKEND, service):
            account_id, region = name.split("/", 1)
            fresh = {field: type(getattr(backends[account_id][region], field))() for field in without}
            dict.__setitem__(backends[account_id], region, thaw(value, **fresh))
            count += 1
    return count
