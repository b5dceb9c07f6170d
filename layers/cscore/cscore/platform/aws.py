"""AWS clients, created once per execution environment on first use.

Created lazily rather than at import so that handlers which never touch a service do
not pay for its client at cold start. The endpoint comes from the standard
``AWS_ENDPOINT_URL`` setting, which is how the local stack points them at its server.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=3, read_timeout=10)


@cache
def dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb", config=_CONFIG)


@cache
def sqs() -> Any:
    return boto3.client("sqs", config=_CONFIG)


@cache
def ses() -> Any:
    return boto3.client("ses", config=_CONFIG)


@cache
def kms() -> Any:
    return boto3.client("kms", config=_CONFIG)


@cache
def secretsmanager() -> Any:
    return boto3.client("secretsmanager", config=_CONFIG)


@cache
def scheduler() -> Any:
    return boto3.client("scheduler", config=_CONFIG)
