"""Create the template's data resources in the local AWS endpoint (idempotently)."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from cslocal.template import Stack

_TABLE_PROPS = (
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "StreamSpecification",
)


def table_definitions(stack: Stack) -> dict[str, dict[str, Any]]:
    """CreateTable arguments for every table of the template, by logical id."""
    out = {}
    for logical_id, res in stack.of_type("AWS::DynamoDB::Table").items():
        props = stack.resolve(res.get("Properties") or {})
        args = {k: props[k] for k in _TABLE_PROPS if k in props}
        args["TableName"] = stack.physical_name(logical_id)
        args["BillingMode"] = props.get("BillingMode", "PAY_PER_REQUEST")
        if args["BillingMode"] == "PROVISIONED":
            args["ProvisionedThroughput"] = props["ProvisionedThroughput"]
        out[logical_id] = {"create": args, "ttl": props.get("TimeToLiveSpecification")}
    return out


def create_all(stack: Stack, endpoint_url: str | None) -> dict[str, str]:
    """Tables (with TTL), queues (with redrive) and buckets; returns logical id -> name."""
    session = boto3.session.Session(region_name="us-east-1")
    dynamodb = session.client("dynamodb", endpoint_url=endpoint_url)
    sqs = session.client("sqs", endpoint_url=endpoint_url)
    s3 = session.client("s3", endpoint_url=endpoint_url)
    created: dict[str, str] = {}
    created |= _create_keys_secrets_and_groups(stack, session, endpoint_url)
    for logical_id, spec in table_definitions(stack).items():
        name = spec["create"]["TableName"]
        try:
            dynamodb.create_table(**spec["create"])
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceInUseException":
                raise
        if spec["ttl"] and spec["ttl"].get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": spec["ttl"]["AttributeName"], "Enabled": True},
            )
        created[logical_id] = name
    queues = stack.of_type("AWS::SQS::Queue")
    # Dead-letter queues first, so redrive policies can point at them.
    ordered = sorted(queues, key=lambda q: "RedrivePolicy" in ((queues[q].get("Properties")) or {}))
    for logical_id in ordered:
        props = stack.resolve(queues[logical_id].get("Properties") or {})
        attributes = {}
        for key in (
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "DelaySeconds",
            "ReceiveMessageWaitTimeSeconds",
            "FifoQueue",
            "ContentBasedDeduplication",
        ):
            if key in props:
                attributes[key] = str(props[key]).lower() if isinstance(props[key], bool) else str(props[key])
        if "RedrivePolicy" in props:
            attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
        name = stack.physical_name(logical_id)
        sqs.create_queue(QueueName=name, Attributes=attributes)
        created[logical_id] = name
    for logical_id, res in stack.of_type("AWS::S3::Bucket").items():
        name = stack.physical_name(logical_id)
        try:
            s3.create_bucket(Bucket=name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
        cors = stack.resolve(res.get("Properties") or {}).get("CorsConfiguration")
        if cors:  # browsers PUT to pre-signed URLs locally too
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [_cors_rule(r) for r in cors["CorsRules"]]})
        created[logical_id] = name
    return created


def _cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation CorsRule as the S3 API spells it."""
    renamed = {"Id": "ID", "ExposedHeaders": "ExposeHeaders", "MaxAge": "MaxAgeSeconds"}
    return {renamed.get(k, k): (int(v) if k == "MaxAge" else v) for k, v in rule.items()}


def _create_keys_secrets_and_groups(stack: Stack, session: Any, endpoint_url: str | None) -> dict[str, str]:
    """KMS keys behind the template's aliases, Secrets Manager secrets (with their
    template value when new) and Scheduler schedule groups."""
    kms = session.client("kms", endpoint_url=endpoint_url)
    secrets = session.client("secretsmanager", endpoint_url=endpoint_url)
    scheduler = session.client("scheduler", endpoint_url=endpoint_url)
    created: dict[str, str] = {}
    existing_aliases = {a["AliasName"]: a.get("TargetKeyId", "") for a in kms.list_aliases()["Aliases"]}
    for logical_id, res in stack.of_type("AWS::KMS::Alias").items():
        alias = stack.physical_name(logical_id)
        key_id = existing_aliases.get(alias)
        if not key_id:
            key_id = kms.create_key(Description=f"{stack.stack_name} {logical_id}")["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=alias, TargetKeyId=key_id)
        target = ((res.get("Properties") or {}).get("TargetKeyId") or {}).get("Ref")
        if target in stack.resources:  # !Ref / !GetAtt of the key now name the key moto made
            stack.physical_ids[target] = key_id
        created[logical_id] = alias
    for logical_id, res in stack.of_type("AWS::SecretsManager::Secret").items():
        name = stack.physical_name(logical_id)
        props = stack.resolve(res.get("Properties") or {})
        try:
            secrets.create_secret(Name=name, SecretString=str(props.get("SecretString") or "{}"))
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceExistsException":
                raise
        created[logical_id] = name
    for logical_id in stack.of_type("AWS::Scheduler::ScheduleGroup"):
        name = stack.physical_name(logical_id)
        try:
            scheduler.create_schedule_group(Name=name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("ConflictException", "ResourceAlreadyExistsException"):
                raise
        created[logical_id] = name
    return created
