"""Query for the embedded DynamoDB at a cost that grows with the page read, not the table.

moto answers every Query by sorting every item of the table and walking them all (a GSI
query then sorts the partition again and walks it from its start to the page's start
key), so one page of an object's index on a tenant of 100,000 companies takes seconds
and ``make run`` with a realistic tenant is unpleasant. Here moto's own ``Table.query``
runs unchanged on fewer items: only the queried partition, kept sorted as moto sorts it,
and only the items of it moto's loop would look at (from the first the key condition or
the start key lets through, to the one after Limit). Which items each partition holds is
built once per table and index and then follows every write (put, update, delete, in
transactions and batches too); a partition is sorted when a query first needs it, and a
write then moves its item within the sorted list (found by identity, placed by bisect),
so a query after a write does not sort again. Key conditions, start key, Limit, the 1 MB page,
filters, projection, ScannedCount and LastEvaluatedKey are moto's code on those items,
so the answers are moto's.

moto then spends about 4 ms per item answered in its generic response serializer (a
page of 1,000 records: 4 s). The items of a Query, Scan, GetItem or BatchGetItem answer
are written to JSON directly, in the AttributeValue form that serializer gives them; the
rest of the answer still goes through it. tests/unit/test_local_query.py compares both
with unpatched moto's answers.
"""

from __future__ import annotations

import base64
import copy
import inspect
import json
import threading
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from moto import settings
from moto.core.responses import ActionContext
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoResult

_ORIGINAL: dict[str, Callable[..., Any]] = {
    "query": Table.query,
    "all_items": Table.all_items,
    "sorted_items": Table.sorted_items,
    "put_item": Table.put_item,
    "delete_item": Table.delete_item,
    "update_item": DynamoDBBackend.update_item,
    "execute_result": DynamoResult.execute_result,
}
_QUERY_SIGNATURE = inspect.signature(Table.query)


@dataclass
class _Partition:
    items: list[Item]  # in moto's order for the query (ascending)
    sort_keys: list[Any] | None  # the sort key's values, when all of one type (else no cut)


TableKey = tuple[DynamoType, DynamoType | None]


@dataclass
class _Index:
    """Which items each partition of the table or of one index holds, kept current by every
    write (a write touches the partitions its item leaves and enters, nothing else); a
    partition is sorted when a query first needs it after it changed."""

    members: dict[DynamoType, dict[TableKey, Item]] = field(default_factory=dict)
    placed: dict[TableKey, DynamoType] = field(default_factory=dict)  # item -> its partition
    sorted: dict[DynamoType, _Partition] = field(default_factory=dict)


@dataclass
class _TableState:
    indexes: dict[str | None, _Index] = field(default_factory=dict)  # None: the table


_LOCK = threading.Lock()
_STATES: weakref.WeakKeyDictionary[Table, _TableState] = weakref.WeakKeyDictionary()
_CURRENT = threading.local()  # .items: what all_items answers inside one query; .sorted


def _state(table: Table) -> _TableState:
    state = _STATES.get(table)
    if state is None:
        state = _STATES[table] = _TableState()
    return state


def _keys_of(table: Table, index_name: str | None) -> tuple[str, str, list[str], list[str | None]] | None:
    """(partition key, sort key, moto's hash_attrs, moto's range_attrs) of a table or of an
    index with exactly one of each; None for any other schema (moto's own query then)."""
    if index_name is None:
        if table.range_key_attr is None:
            return None
        return table.hash_key_attr, table.range_key_attr, [table.hash_key_attr], [table.range_key_attr]
    index = next((i for i in table.all_indexes() if i.name == index_name), None)
    if index is None:
        return None
    hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
    if len(hashes) != 1 or len(ranges) != 1:
        return None
    return hashes[0], ranges[0], [hashes[0], table.hash_key_attr], [ranges[0], table.range_key_attr]


def _order(index_name: str | None, range_attr: str) -> Callable[[Item], Any]:
    """The key moto's query sorts one partition by: the table's sort key, or an index's sort
    key then the table key (``Table._generate_attr_to_sort_by``)."""
    if index_name is None:
        return lambda item: item.range_key
    return lambda item: (item.attrs[range_attr], item.hash_key, item.range_key)


def _take_out(index: _Index, index_name: str | None, range_attr: str, value: DynamoType, item: Item | None,
              was_at: Any = None) -> None:  # fmt: skip
    """Remove ``item`` from its partition's sorted list, if that list is built: found by
    bisect on its sort key (``was_at``: the key it had before moto changed it in place),
    else by identity; a list where it cannot be found is dropped (sorted again when next
    queried)."""
    built = index.sorted.get(value)
    if built is None or item is None:
        return
    order = _order(index_name, range_attr)
    position = bisect_left(built.items, was_at if was_at is not None else order(item), key=order)
    if not (position < len(built.items) and built.items[position] is item):
        position = next((n for n, held in enumerate(built.items) if held is item), -1)
    if position < 0:
        index.sorted.pop(value, None)
        return
    del built.items[position]
    if built.sort_keys is not None:
        del built.sort_keys[position]


def _put_in(index: _Index, index_name: str | None, range_attr: str, value: DynamoType, item: Item) -> None:
    """Insert ``item`` into its partition's sorted list, if built, where moto's sort puts it
    (bisect: O(log n) comparisons); a sort key of another type than the partition's drops
    the list (sorted again by the next query)."""
    built = index.sorted.get(value)
    if built is None:
        return
    sort_value = item.attrs[range_attr]
    if built.sort_keys is None or (built.items and built.items[0].attrs[range_attr].type != sort_value.type):
        index.sorted.pop(value, None)
        return
    order = _order(index_name, range_attr)
    position = bisect_right(built.items, order(item), key=order)
    built.items.insert(position, item)
    built.sort_keys.insert(position, sort_value.cast_value)


def _place(
    table: Table, index_name: str | None, index: _Index, key: TableKey, item: Item | None, was_at: Any = None
) -> None:
    """Move the item stored under ``key`` (None: gone) to the partition its attributes say,
    keeping the sorted lists of both partitions in order (``was_at``: the sort key it had
    in its old partition, when moto changed it in place)."""
    hash_attr, range_attr, _, _ = _keys_of(table, index_name) or ("", "", [], [])
    was = index.placed.pop(key, None)
    if was is not None:
        group = index.members.get(was, {})
        _take_out(index, index_name, range_attr, was, group.pop(key, None), was_at)
        if not group:
            index.members.pop(was, None)
            index.sorted.pop(was, None)
    if item is None:
        return
    value, sort_value = item.attrs.get(hash_attr), item.attrs.get(range_attr)
    if value is None or sort_value is None:  # moto skips an item missing either
        return
    index.members.setdefault(value, {})[key] = item
    index.placed[key] = value
    _put_in(index, index_name, range_attr, value, item)


def _index(table: Table, index_name: str | None) -> _Index:
    """The index's membership, built from the whole table the first time it is queried
    (call with ``_LOCK`` held)."""
    state = _state(table)
    index = state.indexes.get(index_name)
    if index is None:
        index = state.indexes[index_name] = _Index()
        for item in _ORIGINAL["all_items"](table):
            _place(table, index_name, index, (item.hash_key, item.range_key), item)
    return index


def _stored(table: Table, key: TableKey) -> Item | None:
    found = table.items.get(key[0])
    if table.range_key_attr is None:
        return found  # type: ignore[return-value]
    return found.get(key[1]) if found else None  # type: ignore[union-attr]


def _sort_keys_before(table: Table, key: TableKey) -> dict[str | None, Any]:
    """Before moto changes the item under ``key`` in place: the sort key it has in each
    index whose partition holding it is sorted (copied: the change may reuse the values)."""
    with _LOCK:
        state = _STATES.get(table)
        item = _stored(table, key)
        if state is None or item is None:
            return {}
        before: dict[str | None, Any] = {}
        for index_name, index in state.indexes.items():
            partition = index.placed.get(key)
            if partition is not None and partition in index.sorted:
                _, range_attr, _, _ = _keys_of(table, index_name) or ("", "", [], [])
                before[index_name] = copy.deepcopy(_order(index_name, range_attr)(item))
        return before


def _changed(table: Table, key: TableKey, before: dict[str | None, Any] | None = None) -> None:
    """After a write of the item under ``key``: every built index follows it."""
    with _LOCK:
        state = _STATES.get(table)
        if state is None or not state.indexes:
            return
        item = _stored(table, key)
        for index_name, index in state.indexes.items():
            _place(table, index_name, index, key, item, (before or {}).get(index_name))


def _partition(table: Table, index_name: str | None, value: DynamoType) -> _Partition:
    """One partition of the table or index, sorted as moto's query sorts it."""
    keys = _keys_of(table, index_name)
    assert keys is not None
    _, range_attr, hash_attrs, range_attrs = keys
    with _LOCK:
        index = _index(table, index_name)
        built = index.sorted.get(value)
        if built is not None:
            return built
        # moto's own order: by table key first (all_items), then its sort
        items = sorted((index.members.get(value) or {}).values(), key=lambda i: (i.hash_key, i.range_key))
        if index_name is None:
            items.sort(key=lambda item: cast(Any, item.range_key))
        else:
            items = _ORIGINAL["sorted_items"](table, hash_attrs, range_attrs, items)
        types = {item.attrs[range_attr].type for item in items}
        sort_keys = [item.attrs[range_attr].cast_value for item in items] if len(types) == 1 else None
        built = index.sorted[value] = _Partition(items, sort_keys)
        return built


def _first_kept(keys: list[Any], comparison: str | None, bounds: list[Any]) -> int:
    """Ascending: how many leading items the key condition certainly refuses."""
    if comparison in ("GE", ">=", "BETWEEN", "EQ", "=", "BEGINS_WITH"):
        return bisect_left(keys, bounds[0])
    if comparison in ("GT", ">"):
        return bisect_right(keys, bounds[0])
    return 0


def _last_kept(keys: list[Any], comparison: str | None, bounds: list[Any]) -> int:
    """Descending: the end of the items the key condition may accept (those past it are
    certainly refused)."""
    if comparison in ("LE", "<=", "EQ", "="):
        return bisect_right(keys, bounds[0])
    if comparison == "BETWEEN":
        return bisect_right(keys, bounds[-1])
    if comparison in ("LT", "<"):
        return bisect_left(keys, bounds[0])
    if comparison == "BEGINS_WITH":  # the values with the prefix follow every smaller one
        low, high = bisect_left(keys, bounds[0]), len(keys)
        while low < high:
            middle = (low + high) // 2
            if keys[middle].startswith(bounds[0]):
                low = middle + 1
            else:
                high = middle
        return low
    return len(keys)


def _candidates(table: Table, arguments: dict[str, Any]) -> tuple[list[Item], bool] | None:
    """The items moto's query is given (and whether they are already in its index order),
    or None when this query is left to moto as it is."""
    index_name = arguments["index_name"]
    if arguments["filter_kwargs"] or len(arguments["range_key_conditions"] or []) > 1:
        return None
    keys = _keys_of(table, index_name)
    if keys is None:
        return None
    hash_attr, range_attr, _, _ = keys
    if index_name is None:
        value = arguments["hash_key"]
    else:
        conditions = arguments["hash_key_conditions"] or []
        if len(conditions) != 1 or conditions[0][0] != hash_attr:
            return None
        value = conditions[0][1]
    if not isinstance(value, DynamoType):
        return None
    for name, _, _ in arguments["range_key_conditions"] or []:
        if name != range_attr:
            return None
    partition = _partition(table, index_name, value)
    items, keys_list = partition.items, partition.sort_keys
    if keys_list is None or not items:
        return items, index_name is not None
    kind = items[0].attrs[range_attr].type
    comparison = arguments["range_comparison"]
    bounds: list[Any] = []
    if comparison:
        objs = arguments["range_objs"] or []
        if not objs or any(o.type != kind for o in objs):
            return items, index_name is not None
        bounds = [o.cast_value for o in objs]
    if comparison == "BEGINS_WITH" and kind != "S":
        return items, index_name is not None
    start = arguments["exclusive_start_key"]
    start_value = DynamoType(start[range_attr]) if start and range_attr in start else None
    other_partition = bool(start) and (hash_attr not in start or DynamoType(start[hash_attr]) != value)
    if start and (start_value is None or start_value.type != kind or other_partition):
        return items, index_name is not None  # a start key of another partition: moto decides
    # Every item of items[first:end] meets the key condition. moto's loop skips the items
    # tied with the start key's sort value that come before it, takes items until Limit
    # and stops at the next one: nothing past that one is looked at. When the condition's
    # range runs out first, moto goes on through the items after it (none is taken) and
    # stops at the first that would pass its 1 MB: that only one of them can, when what
    # the range holds leaves less than an item's largest size below 1 MB; otherwise the
    # first of them is enough (it stops there with a LastEvaluatedKey at Limit).
    first = _first_kept(keys_list, comparison, bounds) if comparison else 0
    end = _last_kept(keys_list, comparison, bounds) if comparison else len(items)
    limit, tied = arguments["limit"], 0
    if arguments["scan_index_forward"] is False:
        if start_value is not None:  # moto skips every item above the start key
            end = min(end, bisect_right(keys_list, start_value.cast_value))
            tied = max(0, end - bisect_left(keys_list, start_value.cast_value))
        if limit and end - tied - limit - 1 >= first:
            return items[end - tied - limit - 1 : end], index_name is not None
        if first > 0 and _leaves_room(items[first:end]):
            return items[first - 1 : end], index_name is not None
        return items[:end], index_name is not None
    if start_value is not None:  # moto skips every item below the start key
        first = max(first, bisect_left(keys_list, start_value.cast_value))
        tied = max(0, bisect_right(keys_list, start_value.cast_value) - first)
    if limit and first + tied + limit + 1 <= end:
        return items[first : first + tied + limit + 1], index_name is not None
    if end < len(items) and _leaves_room(items[first:end]):
        return items[first : end + 1], index_name is not None
    return items[first:], index_name is not None


# moto's page size, and (above) the largest item it stores (LimitedSizeDict: 405,000)
_PAGE_BYTES, _ITEM_BYTES = 1_000_000, 410_000


def _leaves_room(window: list[Item]) -> bool:
    """Whether no item after ``window`` can take moto's page past 1 MB, whatever it holds."""
    return sum(item.size() for item in window) + _ITEM_BYTES <= _PAGE_BYTES


def query(self: Table, *args: Any, **kwargs: Any) -> Any:
    bound = _QUERY_SIGNATURE.bind(self, *args, **kwargs)
    bound.apply_defaults()
    candidates = _candidates(self, dict(bound.arguments))
    if candidates is None:
        return _ORIGINAL["query"](self, *args, **kwargs)
    _CURRENT.items, _CURRENT.sorted = candidates
    try:
        return _ORIGINAL["query"](self, *args, **kwargs)
    finally:
        _CURRENT.items, _CURRENT.sorted = None, False


def all_items(self: Table) -> list[Item]:
    given = getattr(_CURRENT, "items", None)
    return list(given) if given is not None else _ORIGINAL["all_items"](self)


def sorted_items(self: Table, hash_key_attrs: list[str], range_key_attrs: list[str | None], items: list[Item]) -> Any:
    if getattr(_CURRENT, "items", None) is not None and _CURRENT.sorted:
        return items  # the partition's own order, which is this sort's
    return _ORIGINAL["sorted_items"](self, hash_key_attrs, range_key_attrs, items)


def _key(table: Table, attributes: dict[str, Any]) -> TableKey:
    """The table key of an item given in the API's form (``{"S": ...}`` per attribute)."""
    range_attr = table.range_key_attr
    range_value = DynamoType(attributes[range_attr]) if range_attr and range_attr in attributes else None
    return DynamoType(attributes[table.hash_key_attr]), range_value


def put_item(self: Table, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return _ORIGINAL["put_item"](self, item_attrs, *args, **kwargs)
    finally:
        if self.hash_key_attr in item_attrs:
            _changed(self, _key(self, item_attrs))


def delete_item(self: Table, hash_key: DynamoType, range_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
    try:
        return _ORIGINAL["delete_item"](self, hash_key, range_key, *args, **kwargs)
    finally:
        _changed(self, (hash_key, range_key))


def update_item(self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
    # moto changes the stored item in place: its index keys may have moved, so where it sat
    # in each sorted partition is noted first
    table = self.tables.get(table_name)
    if table is None or table.hash_key_attr not in key:
        return _ORIGINAL["update_item"](self, table_name, key, *args, **kwargs)
    before = _sort_keys_before(table, _key(table, key))
    try:
        return _ORIGINAL["update_item"](self, table_name, key, *args, **kwargs)
    finally:
        _changed(table, _key(table, key), before)


_ITEMS = {"Query": "Items", "Scan": "Items", "GetItem": "Item", "BatchGetItem": "Responses"}


def _blob(value: bytes | str) -> str:
    return base64.b64encode(value.encode() if isinstance(value, str) else value).decode()


def _attribute_value(value: dict[str, Any]) -> dict[str, Any]:
    """One AttributeValue as moto's serializer writes it: binaries in base64, the rest as is."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {kind: _blob(inner)}
    if kind == "BS":
        return {kind: [_blob(v) for v in inner]}
    if kind == "L":
        return {kind: [_attribute_value(v) for v in inner]}
    if kind == "M":
        return {kind: {k: _attribute_value(v) for k, v in inner.items()}}
    return {kind: inner}


def _item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _attribute_value(value) for name, value in item.items()}


def execute_result(self: DynamoResult, context: ActionContext) -> Any:
    key = _ITEMS.get(str(context.operation_model.name))
    result = self.result
    if key is None or not isinstance(result, dict) or key not in result:
        return _ORIGINAL["execute_result"](self, context)
    items = result[key]
    self._result = {k: v for k, v in result.items() if k != key}
    try:
        status, headers, body = _ORIGINAL["execute_result"](self, context)
    finally:
        self._result = result
    answer = json.loads(body)
    if key == "Items":
        answer[key] = [_item(i) for i in items]
    elif key == "Item":
        answer[key] = _item(items)
    else:
        answer[key] = {table: [_item(i) for i in found] for table, found in items.items()}
    return status, headers, json.dumps(answer, indent=4 if settings.PRETTIFY_RESPONSES else None)


PATCHES: list[tuple[type, str, Callable[..., Any]]] = [
    (Table, "query", query),
    (Table, "all_items", all_items),
    (Table, "sorted_items", sorted_items),
    (Table, "put_item", put_item),
    (Table, "delete_item", delete_item),
    (DynamoDBBackend, "update_item", update_item),
    (DynamoResult, "execute_result", execute_result),
]


def install() -> None:
    """Use this Query in every DynamoDB table of the process."""
    for owner, name, function in PATCHES:
        setattr(owner, name, function)
