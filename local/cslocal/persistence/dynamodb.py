"""DynamoDB state: table definitions and items, item by item.

After moto applies a write, the items it may have touched (named by the request) are
read back from moto's tables and written to the state file as they now are (or their
rows deleted), in one transaction: one row per item, never the whole table. At start
the items go straight into moto's tables (no requests, no parsing of request JSON).
"""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import Table

from cslocal.persistence.objects import freeze, thaw
from cslocal.persistence.store import StateStore, Writes

TABLE = "dynamodb.table"
ITEM = "dynamodb.item"
ITEM_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
READS = ("Get", "BatchGet", "TransactGet", "Query", "Scan", "Describe", "List")
TABLE_CHANGES = (
    "CreateTable",
    "UpdateTable",
    "DeleteTable",
    "UpdateTimeToLive",
    "TagResource",
    "UntagResource",
    "UpdateContinuousBackups",
    "CreateBackup",
    "DeleteBackup",
)
_NOT_STATE = ("items", "stream_shard")  # items are rows of their own; streams are not used


def _scope(table: Table) -> str:
    return f"{table.account_id}/{table.region_name}/{table.name}"


def _key_text(table: Table, attrs: dict[str, Any]) -> str:
    """The item's key as canonical JSON: the row's key in the state file."""
    key = {name: attrs[name] for name in table.table_key_attrs}
    return json.dumps(key, sort_keys=True, separators=(",", ":"), default=_as_text)


def _touched(operation: str, request: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(table, key or item attributes, is a whole item) of every item the request names."""
    if operation == "PutItem":
        yield request["TableName"], request["Item"], True
    elif operation in ("UpdateItem", "DeleteItem"):
        yield request["TableName"], request["Key"], False
    elif operation == "BatchWriteItem":
        for table_name, requests in request.get("RequestItems", {}).items():
            for write in requests:
                if "PutRequest" in write:
                    yield table_name, write["PutRequest"]["Item"], True
                elif "DeleteRequest" in write:
                    yield table_name, write["DeleteRequest"]["Key"], False
    elif operation == "TransactWriteItems":
        for action in request.get("TransactItems", []):
            for kind, op in action.items():
                if kind == "Put":
                    yield op["TableName"], op["Item"], True
                elif kind in ("Update", "Delete"):
                    yield op["TableName"], op["Key"], False


def _as_text(value: bytes) -> str:
    """Binary values as the wire has them (base64): moto takes either form."""
    return base64.b64encode(value).decode("ascii")


def _dumps(attrs: dict[str, Any]) -> str:
    return json.dumps(attrs, separators=(",", ":"), default=_as_text)


def _item_row(table: Table, attrs: dict[str, Any]) -> str | None:
    hash_key = DynamoType(attrs[table.hash_key_attr])
    range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
    item = table.get_item(hash_key, range_key)
    return None if item is None else _dumps(item.to_json()["Attributes"])


def save_items(backend: DynamoDBBackend, operation: str, request: dict[str, Any], writes: Writes) -> None:
    """The current state of every item an item write named."""
    for table_name, attrs, _ in _touched(operation, request):
        table = backend.get_table(table_name)
        row = _item_row(table, attrs)
        if row is None:
            writes.delete(ITEM, _scope(table), _key_text(table, attrs))
        else:
            writes.put(ITEM, _scope(table), _key_text(table, attrs), row)


def save_tables(store: StateStore, writes: Writes, *, with_items: bool = False) -> None:
    """Every table's definition (and, for writes we cannot attribute to items, its items);
    tables that no longer exist lose their rows."""
    live = {}
    for account in dynamodb_backends.values():
        for backend in account.values():
            for table in list(backend.tables.values()):
                live[_scope(table)] = table
    for scope, _, _ in store.rows(TABLE):
        if scope not in live:
            writes.delete_scope(TABLE, scope)
            writes.delete_scope(ITEM, scope)
    for scope, table in live.items():
        writes.put(TABLE, scope, "", freeze(table, _NOT_STATE))
        if with_items:
            writes.delete_scope(ITEM, scope)
            for item in _all_items(table):
                attrs = item.to_json()["Attributes"]
                writes.put(ITEM, scope, _key_text(table, attrs), _dumps(attrs))


def _all_items(table: Table) -> Iterator[Item]:
    value: Any  # one item, or the items of one hash key
    for value in list(table.items.values()):
        if table.has_range_key:
            yield from list(value.values())
        else:
            yield value


def _item(table: Table, attrs: dict[str, Any]) -> Item:
    """An Item as moto's put_item makes one, without re-checking its size attribute by
    attribute (it was checked when it was written)."""
    item: Item = object.__new__(Item)
    converted = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.update(converted, {name: DynamoType(value) for name, value in attrs.items()})
    item.attrs = converted
    item.hash_key = converted[table.hash_key_attr]
    item.range_key = converted[table.range_key_attr] if table.range_key_attr else None
    return item


def load(store: StateStore) -> int:
    """Tables and items into moto's backends; returns the number of items."""
    tables: dict[str, Table] = {}
    for scope, _, value in store.rows(TABLE):
        table: Table = thaw(value, items=defaultdict(dict), stream_shard=None)
        dynamodb_backends[table.account_id][table.region_name].tables[table.name] = table
        tables[scope] = table
    count = 0
    loads = json.loads
    for scope, _, value in store.stream(ITEM):
        table = tables[scope]
        item = _item(table, loads(value))
        items: Any = table.items  # hash key -> item, or hash key -> range key -> item
        if item.range_key is not None:
            items[item.hash_key][item.range_key] = item
        else:
            items[item.hash_key] = item
        count += 1
    return count
