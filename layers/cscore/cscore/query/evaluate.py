"""Evaluation of a parsed query over plain dict records: filter, sort, page.

Null semantics: a missing key and ``None`` are null (so is a stored value that does not
fit its field's type). IS_NULL is true on null, IS_NOT_NULL on anything else; NE and
NOT_IN are true when the record's value is null ("is not X" holds for a record without
a value, as a client listing "everyone not Internal" expects); every other comparison
with null is false.

Ordering: nulls sort last for ``asc`` and first for ``desc`` (null is greater than every
value, as in PostgreSQL). Text compares lower-cased, picklists by their item's label.
Ties are broken by ``Gsid``, always the last key (in the direction of the client's last
key), so one query pages through every matching row exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from cscore.query.model import (
    And,
    Condition,
    Expr,
    FieldType,
    Not,
    Operator,
    Query,
    Ref,
    SortKey,
    Value,
    Where,
)
from cscore.query.values import record_value

R = TypeVar("R", bound=Mapping[str, Any])


def condition_matches(condition: Condition, record: Mapping[str, Any]) -> bool:
    """Whether one record satisfies one condition (see the module's null semantics)."""
    value = record_value(condition.field, record.get(condition.name))
    operator = condition.operator
    if operator is Operator.IS_NULL:
        return value is None
    if operator is Operator.IS_NOT_NULL:
        return value is not None
    if value is None:
        return operator in (Operator.NE, Operator.NOT_IN)
    return _compare(operator, value, condition)


def _compare(operator: Operator, value: Value, condition: Condition) -> bool:
    # Both sides come from ``values`` for the same field, so they share one type.
    left = cast(Any, value)
    first = cast(Any, condition.values[0]) if condition.values else None
    match operator:
        case Operator.EQ:
            return bool(left == first)
        case Operator.NE:
            return bool(left != first)
        case Operator.IN:
            return value in condition.value_set
        case Operator.NOT_IN:
            return value not in condition.value_set
        case Operator.CONTAINS:
            return bool(first in left)
        case Operator.STARTS_WITH:
            return bool(left.startswith(first))
        case Operator.ENDS_WITH:
            return bool(left.endswith(first))
        case Operator.GT:
            return bool(left > first)
        case Operator.GTE:
            return bool(left >= first)
        case Operator.LT:
            return bool(left < first)
        case Operator.LTE:
            return bool(left <= first)
        case Operator.BTW:
            return bool(first <= left <= cast(Any, condition.values[1]))
    raise AssertionError(f"operator {operator} has no comparison")  # pragma: no cover


def evaluate_expr(expr: Expr, holds: Callable[[int], bool]) -> bool:
    """Evaluate an expression given the truth of each condition (by index), lazily."""
    if isinstance(expr, Ref):
        return holds(expr.index)
    if isinstance(expr, Not):
        return not evaluate_expr(expr.operand, holds)
    if isinstance(expr, And):
        return all(evaluate_expr(operand, holds) for operand in expr.operands)
    return any(evaluate_expr(operand, holds) for operand in expr.operands)


def matches(where: Where | None, record: Mapping[str, Any]) -> bool:
    """Whether a record satisfies the where clause (no where clause: every record does)."""
    if where is None:
        return True
    conditions = where.conditions
    return evaluate_expr(where.expr, lambda i: condition_matches(conditions[i], record))


def _sort_value(key: SortKey, record: Mapping[str, Any]) -> Value | None:
    value = record_value(key.field, record.get(key.name))
    if key.field.type is FieldType.PICKLIST and isinstance(value, str):
        label = key.field.item_label(value)
        return value.lower() if label is None else label.lower()
    return value


def _row_key(key: SortKey) -> Callable[[Mapping[str, Any]], tuple[int, Any]]:
    """Sort key of one field: null compares greater than every value."""

    def row_key(record: Mapping[str, Any]) -> tuple[int, Any]:
        value = _sort_value(key, record)
        return (1, None) if value is None else (0, value)

    return row_key


def sort(records: Iterable[R], order_by: Sequence[SortKey]) -> list[R]:
    """Records ordered by several keys; stable, nulls last for asc and first for desc."""
    rows = list(records)
    # One stable pass per key, least significant first; reverse=True keeps ties in order.
    for key in reversed(order_by):
        rows.sort(key=_row_key(key), reverse=key.descending)
    return rows


def page(records: Sequence[R], limit: int, offset: int) -> list[R]:
    """The rows of one page (offset counts rows; the users list's page is offset/limit)."""
    return list(records[offset : offset + limit])


@dataclass(frozen=True)
class QueryResult(Generic[R]):
    rows: list[R]
    total: int | None  # matching rows over all pages, when the query asked for it


def execute(query: Query, records: Iterable[R]) -> QueryResult[R]:
    """Filter, sort and page records in memory, for data the caller could not narrow."""
    matching = [record for record in records if matches(query.where, record)]
    ordered = sort(matching, query.order_by)
    total = len(matching) if query.include_total else None
    return QueryResult(page(ordered, query.limit, query.offset), total)
