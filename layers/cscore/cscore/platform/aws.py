"""AWS clients, created once per execution environment on first use.

Created lazily rather than at import so that handlers which never touch a service do
not pay for its client at cold start. The endpoint comes from the standard
``AWS_ENDPOINT_URL`` setting, which is how the local stack points them at its server.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=3, read_timeout=10)


@cache
def dynamodb() -> DynamoDBClient:
    # No client-side parameter validation: DynamoDB validates every request itself, and on
    # the bulk paths (25 items a write, 100 keys a read) walking each request against the
    # service model costs a fifth of the CPU time (make bench, bulk import profile).
    return boto3.client("dynamodb", config=_CONFIG.merge(Config(parameter_validation=False)))


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


@cache
def s3() -> Any:
    """S3 with Signature V4, also for the pre-signed URLs it makes, which must work for
    the caller exactly as signed: in AWS virtual-hosted style on the regional endpoint
    (``<bucket>.s3.<region>.amazonaws.com``, also in us-east-1, so a browser is never
    redirected off the signed host); against a custom endpoint (the local stack's
    ``AWS_ENDPOINT_URL``) path style, as ``<bucket>.127.0.0.1`` would not resolve."""
    custom_endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    config = _CONFIG.merge(
        Config(
            signature_version="s3v4",
            s3={
                "addressing_style": "path" if custom_endpoint else "virtual",
                "us_east_1_regional_endpoint": "regional",
            },
        )
    )
    return boto3.client("s3", config=config)
