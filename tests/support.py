"""Test data written the way the product writes it (shared by unit and integration tests)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from cscore.platform import ids, keys
from cscore.platform.dynamo import to_item


def add_company(dynamodb: Any, table: str, tenant_id: str, name: str) -> str:
    """A Company record and its Name index item, as the Company data API writes them."""
    gsid = ids.new_gsid(ids.COMPANY)
    dynamodb.put_item(
        TableName=table, Item={**keys.record(tenant_id, "Company", gsid), **to_item({"Gsid": gsid, "Name": name})}
    )
    dynamodb.update_item(
        TableName=table,
        Key=keys.lookup_index(tenant_id, "Company", "Name", name),
        UpdateExpression="SET gsids = list_append(if_not_exists(gsids, :e), :g)",
        ExpressionAttributeValues={":e": {"L": []}, ":g": {"L": [{"S": gsid}]}},
    )
    return gsid


TEAM_CSV_HEADER = ["Company Name", "Email ID", "Deleted"]


def team_bulk_job(**changes: Any) -> dict[str, Any]:
    """The Bulk API job of SPEC §4.5(3): Company by Name (several matches reject the row),
    User by Email, Deleted mapped, keyed on Company GSID + User GSID."""
    body: dict[str, Any] = {
        "name": "Team members",
        "objectName": "CompanyTeam",
        "headers": TEAM_CSV_HEADER,
        "fieldMappings": {"Deleted": "Deleted"},
        "lookups": {
            "CompanyId": {
                "fields": {"Company Name": "Name"},
                "objectName": "Company",
                "lookupField": "Gsid",
                "multiMatchOption": "MARKASERROR",
                "onNoMatch": "ERROR",
            },
            "UserId": {"fields": {"Email ID": "Email"}, "objectName": "User", "lookupField": "Gsid"},
        },
        "keys": ["CompanyId", "UserId"],
    }
    return body | changes


def api_event(
    method: str,
    path: str,
    access_key: str | None = None,
    body: Any = None,
    params: dict[str, str] | None = None,
    resource: str | None = None,
    *,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    raw_body: str | None = None,
) -> dict[str, Any]:
    """An API Gateway (REST, Lambda proxy) event: the access key (if any) and a JSON
    ``body``, or ``raw_body`` sent as it is (malformed JSON, say); ``headers`` add to or
    replace the defaults."""
    sent = {"Content-Type": "application/json"} | ({"accesskey": access_key} if access_key is not None else {})
    sent |= headers or {}
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": sent,
        "multiValueHeaders": {k: [v] for k, v in sent.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": params,
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "stage": "dev",
            "path": f"/dev{path}",
            "httpMethod": method,
            "resourcePath": resource or path,
        },
        "body": raw_body if raw_body is not None else None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }
