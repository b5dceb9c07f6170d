"""The idempotency table as Powertools' persistence layer (used by ``api.idempotency``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cscore.platform import aws, config

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer


def persistence_layer() -> DynamoDBPersistenceLayer:
    # Imported here: only requests that carry an Idempotency-Key pay for it at cold start.
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(table_name=config.idempotency_table(), boto3_client=aws.dynamodb())
