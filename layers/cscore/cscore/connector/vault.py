"""Salesforce tokens at rest: KMS-encrypted, bound to their tenant and connection.

The encryption context names the tenant and the connection, so a ciphertext copied
to another tenant's item does not decrypt, and CloudTrail shows whose tokens were
read. Token values exist in clear only in memory, never in an item or a log line.
"""

from __future__ import annotations

import base64
import json

from cscore.connector import repository
from cscore.platform import aws, clock, config
from cscore.salesforce.tokens import Tokens


def _context(tenant_id: str, connection_id: str) -> dict[str, str]:
    return {"tenantId": tenant_id, "connectionId": connection_id, "purpose": "salesforce-tokens"}


def save(tenant_id: str, connection_id: str, tokens: Tokens) -> None:
    plaintext = json.dumps(
        {"access": tokens.access_token, "refresh": tokens.refresh_token, "instance": tokens.instance_url}
    ).encode()
    blob = aws.kms().encrypt(
        KeyId=config.token_key_id(), Plaintext=plaintext, EncryptionContext=_context(tenant_id, connection_id)
    )["CiphertextBlob"]
    repository.put_token_item(
        tenant_id,
        connection_id,
        {"ciphertext": base64.b64encode(blob).decode("ascii"), "updatedAt": clock.iso()},
    )


def load(tenant_id: str, connection_id: str) -> Tokens | None:
    item = repository.get_token_item(tenant_id, connection_id)
    if item is None:
        return None
    plaintext = aws.kms().decrypt(
        CiphertextBlob=base64.b64decode(item["ciphertext"]), EncryptionContext=_context(tenant_id, connection_id)
    )["Plaintext"]
    values = json.loads(plaintext)
    return Tokens(access_token=values["access"], refresh_token=values["refresh"], instance_url=values["instance"])


def delete(tenant_id: str, connection_id: str) -> None:
    repository.delete_token_item(tenant_id, connection_id)
