"""What IAM authorizes for a DynamoDB request: per table, per transaction item, with the
partition key values it touches (``dynamodb:LeadingKeys``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cslocal.aws_request import Request, UnmappedRequest
from cslocal.iam import Call


@dataclass(frozen=True)
class KeySchemas:
    """Partition key attribute names, for ``dynamodb:LeadingKeys``: by table name, and by
    ``(table, index)`` for its indexes."""

    tables: Mapping[str, str]
    indexes: Mapping[tuple[str, str], str]

    @classmethod
    def from_definitions(cls, definitions: Iterable[Mapping[str, Any]]) -> KeySchemas:
        tables: dict[str, str] = {}
        indexes: dict[tuple[str, str], str] = {}
        for create in definitions:

            def partition_key(schema: list[dict[str, str]]) -> str:
                return next(k["AttributeName"] for k in schema if k["KeyType"] == "HASH")

            tables[create["TableName"]] = partition_key(create["KeySchema"])
            for index in [*create.get("GlobalSecondaryIndexes", []), *create.get("LocalSecondaryIndexes", [])]:
                indexes[(create["TableName"], index["IndexName"])] = partition_key(index["KeySchema"])
        return cls(tables, indexes)


def _scalar(value: Any) -> str | None:
    """A key attribute's value as a condition key string (``{"S": "x"}`` -> ``x``)."""
    if isinstance(value, Mapping) and len(value) == 1:
        inner = next(iter(value.values()))
        return inner if isinstance(inner, str) else None
    return None


class DynamoDb:
    def __init__(self, schemas: KeySchemas) -> None:
        self.schemas = schemas

    def table_arn(self, request: Request, table: str) -> str:
        return table if table.startswith("arn:") else request.arn("dynamodb", f"table/{table}")

    def _table_name(self, table: str) -> str:
        return table.rsplit("/", 1)[-1] if table.startswith("arn:") else table

    def _call(self, request: Request, operation: str, table: str, keys: Iterable[Any], index: str = "") -> Call:
        name = self._table_name(table)
        attribute = self.schemas.indexes.get((name, index)) if index else self.schemas.tables.get(name)
        values = tuple(sorted({v for key in keys if (v := _scalar((key or {}).get(attribute or ""))) is not None}))
        resource = self.table_arn(request, table) + (f"/index/{index}" if index else "")
        return Call(f"dynamodb:{operation}", resource, context={"dynamodb:leadingkeys": values} if values else {})

    def calls(self, request: Request) -> list[Call]:
        operation, body = request.target, request.json()
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [
                self._call(request, operation, table, _batch_keys(operation, entries))
                for table, entries in (body.get("RequestItems") or {}).items()
            ]
        if operation in ("TransactWriteItems", "TransactGetItems"):
            out = []
            for item in body.get("TransactItems") or []:
                ((kind, spec),) = item.items()
                single = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "Get": "GetItem"}
                action = single.get(kind, "ConditionCheckItem" if kind == "ConditionCheck" else "")
                if not action:
                    raise UnmappedRequest(f"dynamodb:{operation} with a {kind} item")
                out.append(self._call(request, action, spec["TableName"], [spec.get("Key") or spec.get("Item")]))
            return out
        if operation in ("ListTables", "DescribeLimits", "DescribeEndpoints"):
            return [Call(f"dynamodb:{operation}", "*")]
        table = body.get("TableName")
        if not isinstance(table, str) or not operation:
            raise UnmappedRequest(f"dynamodb:{operation or '?'} without a TableName")
        keys = [body.get("Key") or body.get("Item")] if operation.endswith("Item") else []
        if operation == "Query":
            keys = [_query_partition(body, self._partition_key(table, body.get("IndexName", "")))]
        return [self._call(request, operation, table, keys, str(body.get("IndexName", "")))]

    def _partition_key(self, table: str, index: str) -> str:
        name = self._table_name(table)
        return (self.schemas.indexes.get((name, index)) if index else self.schemas.tables.get(name)) or ""


def _batch_keys(operation: str, entries: Any) -> list[Any]:
    if operation == "BatchGetItem":
        return list((entries or {}).get("Keys") or [])
    keys = []
    for entry in entries or []:
        put, delete = entry.get("PutRequest"), entry.get("DeleteRequest")
        keys.append(put["Item"] if put else (delete or {}).get("Key"))
    return keys


def _query_partition(body: Mapping[str, Any], attribute: str) -> dict[str, Any]:
    """The partition key value a Query names in ``KeyConditionExpression`` (``#pk = :v``)."""
    names = body.get("ExpressionAttributeNames") or {}
    values = body.get("ExpressionAttributeValues") or {}
    for left, right in re.findall(r"([#\w.]+)\s*=\s*(:\w+)", str(body.get("KeyConditionExpression", ""))):
        if names.get(left, left) == attribute and right in values:
            return {attribute: values[right]}
    return {}
