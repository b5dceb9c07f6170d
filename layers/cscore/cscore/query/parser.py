"""From a raw request body to a validated ``Query``: shape (pydantic), then meaning (fields,
operators, values, the expression), with every problem a 400 whose message names it.

The expression grammar (keywords case-insensitive, aliases case-sensitive)::

    or_expr  := and_expr ("OR" and_expr)*
    and_expr := not_expr ("AND" not_expr)*
    not_expr := "NOT" not_expr | primary
    primary  := ALIAS | "(" or_expr ")"
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from cscore.platform import request_model
from cscore.query.errors import InvalidValue, QueryError, UnknownField, UnknownSelectFields
from cscore.query.model import (
    ALLOWED_OPERATORS,
    NULL_OPERATORS,
    SET_OPERATORS,
    And,
    Condition,
    ConditionRequest,
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
    Value,
    Where,
    resolve_path,
)
from cscore.query.values import condition_value

GSID_FIELD = "Gsid"
MAX_EXPRESSION_LENGTH = 10_000
MAX_DEPTH = 100  # nesting of parentheses and NOTs; keeps recursion far from Python's limit
KEYWORDS = frozenset({"AND", "OR", "NOT"})
_ALIAS = re.compile(r"[A-Za-z0-9_]+")
_TOKEN = re.compile(r"\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<word>[A-Za-z0-9_]+)|(?P<bad>\S))")

# --------------------------------------------------------------------------- expression


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "AND", "OR", "NOT" or "alias"
    text: str
    pos: int  # 1-based character position, for messages

    @property
    def is_operator(self) -> bool:
        return self.kind in KEYWORDS


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        pos = match.start(match.lastgroup or 0) + 1
        if match.lastgroup == "bad":
            raise QueryError(f"unexpected character {match.group('bad')!r} at character {pos} of the expression")
        if match.lastgroup == "lp":
            tokens.append(_Token("(", "(", pos))
        elif match.lastgroup == "rp":
            tokens.append(_Token(")", ")", pos))
        elif match.lastgroup == "word":
            word = match.group("word")
            kind = word.upper() if word.upper() in KEYWORDS else "alias"
            tokens.append(_Token(kind, word, pos))
    return tokens


class _ExpressionParser:
    """Recursive descent over the tokens; ``used`` collects the aliases referred to."""

    def __init__(self, text: str, aliases: Mapping[str, int]) -> None:
        self.tokens = _tokenize(text)
        self.aliases = aliases
        self.i = 0
        self.depth = 0
        self.used: set[str] = set()

    def parse(self) -> Expr:
        if not self.tokens:
            raise QueryError("expression is empty")
        node = self._or()
        if self.i < len(self.tokens):
            self._unexpected(self.tokens[self.i])
        return node

    def _peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _previous(self) -> _Token | None:
        return self.tokens[self.i - 1] if self.i > 0 else None

    def _nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"expression nests deeper than {MAX_DEPTH} levels")

    def _or(self) -> Expr:
        operands = [self._and()]
        while (token := self._peek()) is not None and token.kind == "OR":
            self.i += 1
            operands.append(self._and())
        return _flat(Or, operands)

    def _and(self) -> Expr:
        operands = [self._not()]
        while (token := self._peek()) is not None and token.kind == "AND":
            self.i += 1
            operands.append(self._not())
        return _flat(And, operands)

    def _not(self) -> Expr:
        token = self._peek()
        if token is not None and token.kind == "NOT":
            self.i += 1
            self._nest()
            operand = self._not()
            self.depth -= 1
            return Not(operand)
        return self._primary()

    def _primary(self) -> Expr:
        token = self._peek()
        previous = self._previous()
        if token is None:
            assert previous is not None  # an empty expression was rejected before
            if previous.kind == "(":
                raise QueryError(f"unbalanced parentheses: '(' at character {previous.pos} is never closed")
            raise QueryError(f"dangling operator '{previous.text}' at character {previous.pos}: nothing follows it")
        if token.kind == "alias":
            self.i += 1
            index = self.aliases.get(token.text)
            if index is None:
                near = [alias for alias in self.aliases if alias.lower() == token.text.lower()]
                hint = f" (aliases are case-sensitive: did you mean '{near[0]}'?)" if near else ""
                raise QueryError(f"unknown alias '{token.text}' at character {token.pos} of the expression{hint}")
            self.used.add(token.text)
            return Ref(index)
        if token.kind == "(":
            self.i += 1
            self._nest()
            closing = self._peek()
            if closing is not None and closing.kind == ")":
                raise QueryError(f"empty parentheses at character {token.pos} of the expression")
            node = self._or()
            closing = self._peek()
            if closing is None:
                raise QueryError(f"unbalanced parentheses: '(' at character {token.pos} is never closed")
            if closing.kind != ")":
                self._unexpected(closing)
            self.i += 1
            self.depth -= 1
            return node
        if previous is not None and previous.is_operator:
            raise QueryError(
                f"dangling operator '{previous.text}' at character {previous.pos}: "
                f"'{token.text}' follows it instead of an alias or '('"
            )
        if token.kind == ")":
            raise QueryError(f"unbalanced parentheses: unexpected ')' at character {token.pos}")
        raise QueryError(f"dangling operator '{token.text}' at character {token.pos}: nothing precedes it")

    def _unexpected(self, token: _Token) -> None:
        """A token where only AND, OR, ')' or the end may be."""
        if token.kind == ")":
            raise QueryError(f"unbalanced parentheses: unexpected ')' at character {token.pos}")
        raise QueryError(f"missing AND/OR before '{token.text}' at character {token.pos} of the expression")


def _flat(kind: type[And] | type[Or], operands: list[Expr]) -> Expr:
    """One n-ary node for ``A AND (B AND C)``: same meaning, shallower evaluation."""
    if len(operands) == 1:
        return operands[0]
    flat: list[Expr] = []
    for operand in operands:
        flat.extend(operand.operands if isinstance(operand, kind) else (operand,))
    return kind(tuple(flat))


def parse_expression(text: str, aliases: Sequence[str]) -> Expr:
    """Parse an expression over ``aliases``; ``Ref.index`` is the alias's position."""
    return _parse_expression(text, {alias: i for i, alias in enumerate(aliases)})[0]


def _parse_expression(text: str, aliases: Mapping[str, int]) -> tuple[Expr, set[str]]:
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise QueryError(f"expression is longer than {MAX_EXPRESSION_LENGTH} characters")
    parser = _ExpressionParser(text, aliases)
    return parser.parse(), parser.used


# --------------------------------------------------------------------------- query


def _show(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(index: int, condition: ConditionRequest) -> str:
    label = f"'{condition.alias}'" if condition.alias else f"#{index + 1}"
    return f"condition {label} ({condition.name})"


def _values(raw: Any) -> tuple[Any, ...]:
    """``value`` as a tuple: a list as given, a bare scalar as a list of one, null as none."""
    if raw is None:
        return ()
    if isinstance(raw, list | tuple):
        return tuple(raw)
    return (raw,)


def _check_count(operator: Operator, values: tuple[Any, ...], where: str) -> None:
    count = len(values)
    if operator in NULL_OPERATORS:
        if count:
            raise QueryError(f"operator {operator} in {where} takes no value, got {count}")
    elif operator is Operator.BTW:
        if count != 2:
            raise QueryError(f"operator BTW in {where} takes exactly 2 values, got {count}")
    elif operator in SET_OPERATORS:
        if not count:
            raise QueryError(f"operator {operator} in {where} takes at least 1 value, got 0")
    elif count != 1:
        raise QueryError(f"operator {operator} in {where} takes exactly 1 value, got {count}")


def _condition(
    index: int, request: ConditionRequest, schema: Schema, catalog: Mapping[str, Schema] | None
) -> Condition:
    where = _describe(index, request)
    resolved = resolve_path(schema, request.name, catalog)
    if resolved is None:
        raise UnknownField(f"unknown field '{request.name}' in {where}", field=request.name)
    name, field = resolved
    operator = Operator(request.operator.upper())
    if operator not in ALLOWED_OPERATORS[field.type]:
        raise QueryError(f"operator {operator} is not supported for field '{request.name}' of type {field.type}")
    raw_values = _values(request.value)
    _check_count(operator, raw_values, where)
    normalized: list[Value] = []
    for raw in raw_values:
        if raw is None:
            raise InvalidValue(f"null value for field '{request.name}' in {where}: use IS_NULL", field=request.name)
        try:
            normalized.append(condition_value(field, raw))
        except (ValueError, OverflowError):
            raise InvalidValue(
                f"invalid value {_show(raw)} for field '{request.name}' ({field.type}) in {where}",
                field=request.name,
            ) from None
    return Condition(name, request.alias or None, operator, field, tuple(normalized), raw_values)


def _where(request: QueryRequest, schema: Schema, catalog: Mapping[str, Schema] | None) -> Where | None:
    if request.where is None:
        return None
    items = request.where.conditions
    expression = request.where.expression
    aliases: dict[str, int] = {}
    for index, item in enumerate(items):
        if not item.alias:
            if expression is not None:
                raise QueryError(
                    f"{_describe(index, item)} has no alias, but the expression can only refer to conditions by alias"
                )
            continue
        if not _ALIAS.fullmatch(item.alias):
            raise QueryError(f"alias '{item.alias}' may hold only letters, digits and '_'")
        if item.alias.upper() in KEYWORDS:
            raise QueryError(f"alias '{item.alias}' is a reserved word")
        if item.alias in aliases:
            raise QueryError(f"alias '{item.alias}' is defined twice")
        aliases[item.alias] = index
    conditions = tuple(_condition(i, item, schema, catalog) for i, item in enumerate(items))
    if expression is None:
        if not conditions:
            return None
        return Where(conditions, And(tuple(Ref(i) for i in range(len(conditions)))))
    expr, used = _parse_expression(expression, aliases)
    unused = [alias for alias in aliases if alias not in used]
    if unused:
        raise QueryError(f"condition '{unused[0]}' is not used in the expression")
    return Where(conditions, expr, expression)


def _order_by(request: QueryRequest, schema: Schema, catalog: Mapping[str, Schema] | None) -> tuple[SortKey, ...]:
    keys: list[SortKey] = []
    given: dict[str, str] = {}  # field -> the name orderBy gave it
    for written, direction in (request.order_by or {}).items():
        resolved = resolve_path(schema, written, catalog)
        if resolved is None:
            raise UnknownField(f"unknown field '{written}' in orderBy", field=written)
        name, field = resolved
        if name in given:
            raise QueryError(f"orderBy names one field twice: '{given[name]}' and '{written}'")
        given[name] = written
        lowered = direction.strip().lower()
        if lowered not in ("asc", "desc"):
            raise QueryError(f"invalid orderBy direction '{direction}' for field '{written}': use asc or desc")
        keys.append(SortKey(name, field, lowered == "desc"))
    if all(k.name != GSID_FIELD for k in keys):
        gsid = schema.get(GSID_FIELD) or Field(GSID_FIELD, FieldType.GSID)
        keys.append(SortKey(GSID_FIELD, gsid, keys[-1].descending if keys else False))
    return tuple(keys)


def _select(
    request: QueryRequest, schema: Schema, options: QueryOptions, catalog: Mapping[str, Schema] | None
) -> tuple[tuple[str, str], ...]:
    """(the field's own name or path, the name as the request wrote it) per selected name."""
    if not request.select:
        if options.select_required:
            raise QueryError("select is required: name at least one field")
        return ()
    written = list(dict.fromkeys(request.select))
    resolved = [resolve_path(schema, name, catalog) for name in written]
    unknown = [name for name, found in zip(written, resolved, strict=True) if found is None]
    if unknown:
        raise UnknownSelectFields(unknown, code=options.select_error_code)
    return tuple((found[0], name) for name, found in zip(written, resolved, strict=True) if found is not None)


def parse_query(
    raw: Any,
    schema: Schema,
    options: QueryOptions | None = None,
    *,
    catalog: Mapping[str, Schema] | None = None,
) -> Query:
    """Validate a request body (a ``QueryRequest``, or its JSON to check as one) against an
    object's schema. ``catalog`` (object name ->
    schema) resolves lookup paths; without it, paths are unknown fields."""
    options = options or QueryOptions()
    if isinstance(raw, QueryRequest):
        request = raw
    else:
        try:
            request = QueryRequest.model_validate(raw)
        except ValidationError as exc:
            raise QueryError(request_model.describe(exc.errors())) from None
    select = _select(request, schema, options, catalog)
    where = _where(request, schema, catalog)
    order_by = _order_by(request, schema, catalog)
    requested_order = len(request.order_by or {})
    limit = options.default_limit if request.limit is None else request.limit
    if not 1 <= limit <= options.max_limit:
        raise QueryError(f"limit must be between 1 and {options.max_limit}, got {limit}")
    if request.page is not None and request.offset is not None:
        raise QueryError("give either page or offset, not both")
    offset = request.offset if request.offset is not None else (request.page or 0) * limit
    return Query(
        schema=schema,
        select=tuple(name for name, _ in select),
        shown_as=tuple(label for _, label in select),
        where=where,
        order_by=order_by,
        limit=limit,
        offset=offset,
        page=offset // limit,
        include_total=request.include_total,
        requested_order=requested_order,
    )
