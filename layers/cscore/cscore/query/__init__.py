"""The query language shared by the users list and object queries (SPEC §1.5).

Pure Python, no I/O: ``parse_query`` validates a request body against a ``Schema`` into
a ``Query``; ``execute`` (or ``matches``/``sort``/``page``) evaluates it over plain dict
records; the ``Query`` tells a data-access layer what it may push down to an index.
"""

from cscore.query.errors import InvalidValue, QueryError, UnknownField, UnknownSelectFields
from cscore.query.evaluate import QueryResult, condition_matches, evaluate_expr, execute, matches, page, sort
from cscore.query.model import (
    NO_ITEM,
    And,
    Condition,
    Expr,
    Field,
    FieldType,
    Not,
    Operator,
    Or,
    Query,
    QueryOptions,
    QueryRequest,
    Ref,
    Schema,
    SortKey,
    Where,
    resolve_field,
    resolve_path,
)
from cscore.query.parser import parse_expression, parse_query
from cscore.query.values import to_epoch_millis

__all__ = [
    "NO_ITEM",
    "And",
    "Condition",
    "Expr",
    "Field",
    "FieldType",
    "InvalidValue",
    "Not",
    "Operator",
    "Or",
    "Query",
    "QueryError",
    "QueryOptions",
    "QueryRequest",
    "QueryResult",
    "Ref",
    "Schema",
    "SortKey",
    "UnknownField",
    "UnknownSelectFields",
    "Where",
    "condition_matches",
    "evaluate_expr",
    "execute",
    "matches",
    "page",
    "parse_expression",
    "parse_query",
    "resolve_field",
    "resolve_path",
    "sort",
    "to_epoch_millis",
]
