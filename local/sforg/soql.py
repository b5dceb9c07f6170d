"""A SOQL subset: parse once against the schema, then filter, sort and project an org's records.

Supported: SELECT fields | COUNT() FROM Object [WHERE ...] [ORDER BY ...] [LIMIT n] [OFFSET n], parent
relationship paths (Owner.Name), comparison/IN/NOT IN/LIKE operators, AND/OR/NOT and parentheses.
Errors carry Salesforce's error codes and message layout (caret, row and column).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sforg import ids
from sforg.errors import SfError
from sforg.org import Org, json_value
from sforg.schema import NUMBER_TYPES, SOBJECTS, STRING_TYPES, Field, SObject, sobject
from sforg.timefmt import parse_date, parse_dt

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
    |(?P<date>\d{4}-\d{2}-\d{2}(?![\d:T]))
    |(?P<num>[+-]?\d+(?:\.\d+)?(?![A-Za-z_]))
    |(?P<str>'(?:[^'\\]|\\.)*')
    |(?P<op><=|>=|!=|<>|=|<|>)
    |(?P<punct>[(),])
    |(?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\"}
_RESERVED = frozenset(
    [
        "SELECT",
        "FROM",
        "WHERE",
        "ORDER",
        "BY",
        "LIMIT",
        "OFFSET",
        "AND",
        "OR",
        "NOT",
        "IN",
        "LIKE",
        "ASC",
        "DESC",
        "NULLS",
        "FIRST",
        "LAST",
        "NULL",
        "TRUE",
        "FALSE",
    ]
)
_CUSTOM_HINT = (
    "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. "
    "Please reference your WSDL or the describe call for the appropriate names."
)


@dataclass(frozen=True)
class Token:
    kind: str  # ident, str, num, dt, date, op, punct, eof
    text: str
    pos: int


@dataclass(frozen=True)
class FieldPath:
    """A selected or filtered field, possibly through parent relationships (Owner.Manager.Name)."""

    rels: tuple[Field, ...]
    field: Field
    name: str  # canonical spelling, used as the JSON key path

    def getter(self, org: Org) -> Callable[[dict[str, Any]], Any]:
        key = self.field.name
        if not self.rels:
            return lambda record: record.get(key)
        hops = [(rel.name, org.tables[rel.reference_to[0]].rows) for rel in self.rels]

        def walk(record: dict[str, Any]) -> Any:
            current: dict[str, Any] | None = record
            for ref, rows in hops:
                parent_id = current.get(ref) if current else None
                current = rows.get(parent_id) if parent_id else None
                if current is None:
                    return None
            return current.get(key) if current else None

        return walk


@dataclass
class Query:
    """A parsed query, bound to the schema (not to an org)."""

    sobject: SObject
    fields: list[FieldPath]
    count_only: bool
    where: Any
    order: list[tuple[FieldPath, bool, bool]]  # path, descending, nulls first
    limit: int | None
    offset: int


def _position(soql: str, pos: int) -> str:
    row = soql.count("\n", 0, pos) + 1
    col = pos - (soql.rfind("\n", 0, pos) + 1) + 1
    line = soql.splitlines()[row - 1] if soql.strip() else soql
    return f"\n{line}\n{' ' * (col - 1)}^\nERROR at Row:{row}:Column:{col}\n"


def _error(soql: str, pos: int, message: str, code: str = "MALFORMED_QUERY") -> SfError:
    return SfError(400, code, _position(soql, pos) + message)


def tokenize(soql: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(soql):
        match = _TOKEN.match(soql, pos)
        if match is None:
            bad = soql[pos]
            message = f"line 1:{pos} no viable alternative at character '{bad}'"
            if bad == "'":
                message = "unexpected token: unterminated string literal"
            raise _error(soql, pos, message)
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("eof", "<EOF>", len(soql)))
    return tokens


def _unquote(text: str) -> str:
    out, i, body = [], 0, text[1:-1]
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append(_ESCAPES.get(nxt, "\\" + nxt))  # \% and \_ stay escaped for LIKE
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


class _Parser:
    def __init__(self, soql: str) -> None:
        self.soql = soql
        self.tokens = tokenize(soql)
        self.i = 0
        self.sobj: SObject | None = None

    # -- token helpers --------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        tok = self.peek()
        self.i += 1
        return tok

    def is_kw(self, word: str, ahead: int = 0) -> bool:
        tok = self.peek(ahead)
        return tok.kind == "ident" and tok.text.upper() == word

    def unexpected(self, tok: Token | None = None) -> SfError:
        tok = tok or self.peek()
        return _error(self.soql, tok.pos, f"unexpected token: {tok.text}")

    def expect_kw(self, word: str) -> Token:
        if not self.is_kw(word):
            raise self.unexpected()
        return self.take()

    def expect_punct(self, char: str) -> Token:
        tok = self.peek()
        if tok.kind != "punct" or tok.text != char:
            raise self.unexpected()
        return self.take()

    # -- grammar --------------------------------------------------------------------------------
    def parse(self) -> Query:
        self.expect_kw("SELECT")
        raw_fields: list[Token] = []
        count_only = False
        if self.is_kw("COUNT") and self.peek(1).text == "(":
            self.take()
            self.expect_punct("(")
            if self.peek().text != ")":
                raise _error(self.soql, self.peek().pos, "Aggregate queries are not supported by this org")
            self.expect_punct(")")
            count_only = True
        else:
            while True:
                tok = self.peek()
                if tok.kind != "ident" or tok.text.upper() in _RESERVED:
                    raise self.unexpected()
                raw_fields.append(self.take())
                if self.peek().text != ",":
                    break
                self.take()
        self.expect_kw("FROM")
        obj_tok = self.take()
        if obj_tok.kind != "ident" or obj_tok.text.upper() in _RESERVED:
            raise self.unexpected(obj_tok)
        sobj = sobject(obj_tok.text)
        if sobj is None:
            raise _error(
                self.soql,
                obj_tok.pos,
                f"sObject type '{obj_tok.text}' is not supported. If you are attempting to use a custom object, be "
                "sure to append the '__c' after the entity name. Please reference your WSDL or the describe call "
                "for the appropriate names.",
                "INVALID_TYPE",
            )
        self.sobj = sobj
        fields: list[FieldPath] = []
        seen: set[str] = set()
        for tok in raw_fields:
            path = self.resolve(tok)
            if path.name.lower() in seen:
                raise _error(self.soql, tok.pos, f"duplicate field selected: {path.name}")
            seen.add(path.name.lower())
            fields.append(path)
        where = None
        if self.is_kw("WHERE"):
            self.take()
            where = self.condition()
        order: list[tuple[FieldPath, bool, bool]] = []
        if self.is_kw("ORDER"):
            self.take()
            self.expect_kw("BY")
            while True:
                tok = self.take()
                if tok.kind != "ident" or tok.text.upper() in _RESERVED:
                    raise self.unexpected(tok)
                path = self.resolve(tok)
                descending = False
                if self.is_kw("ASC") or self.is_kw("DESC"):
                    descending = self.take().text.upper() == "DESC"
                nulls_first = True  # Salesforce's default, whatever the direction
                if self.is_kw("NULLS"):
                    self.take()
                    if not (self.is_kw("FIRST") or self.is_kw("LAST")):
                        raise self.unexpected()
                    nulls_first = self.take().text.upper() == "FIRST"
                order.append((path, descending, nulls_first))
                if self.peek().text != ",":
                    break
                self.take()
        limit = self.number_clause("LIMIT")
        offset = self.number_clause("OFFSET") or 0
        if self.peek().kind != "eof":
            raise self.unexpected()
        return Query(sobj, fields, count_only, where, order, limit, offset)

    def number_clause(self, word: str) -> int | None:
        if not self.is_kw(word):
            return None
        self.take()
        tok = self.take()
        if tok.kind != "num" or not tok.text.isdigit():
            raise self.unexpected(tok)
        return int(tok.text)

    def resolve(self, tok: Token) -> FieldPath:
        assert self.sobj is not None
        parts = tok.text.split(".")
        current = self.sobj
        if (
            len(parts) > 1
            and parts[0].lower() not in current.relationships
            and parts[0].lower() == current.name.lower()
        ):
            parts = parts[1:]
        rels: list[Field] = []
        for part in parts[:-1]:
            rel = current.relationships.get(part.lower())
            if rel is None:
                raise _error(
                    self.soql,
                    tok.pos,
                    f"Didn't understand relationship '{part}' in field path. If you are attempting to use a custom "
                    "relationship, be sure to append the '__r' after the custom relationship name. Please reference "
                    "your WSDL or the describe call for the appropriate names.",
                    "INVALID_FIELD",
                )
            rels.append(rel)
            current = SOBJECTS[rel.reference_to[0]]
        fdef = current.field(parts[-1])
        if fdef is None:
            raise _error(
                self.soql,
                tok.pos,
                f"No such column '{parts[-1]}' on entity '{current.name}'. {_CUSTOM_HINT}",
                "INVALID_FIELD",
            )
        name = ".".join([*(r.relationship_name or "" for r in rels), fdef.name])
        return FieldPath(tuple(rels), fdef, name)

    def condition(self) -> Any:
        first = self.unary()
        if not (self.is_kw("AND") or self.is_kw("OR")):
            return first
        word = self.peek().text.upper()
        items = [first]
        while self.is_kw(word):
            self.take()
            items.append(self.unary())
        if self.is_kw("AND") or self.is_kw("OR"):
            raise self.unexpected()  # SOQL wants parentheses when AND and OR mix
        return (word.lower(), items)

    def unary(self) -> Any:
        if self.is_kw("NOT"):
            self.take()
            return ("not", self.unary())
        if self.peek().text == "(":
            self.take()
            inner = self.condition()
            self.expect_punct(")")
            return inner
        return self.comparison()

    def comparison(self) -> Any:
        tok = self.take()
        if tok.kind != "ident" or tok.text.upper() in _RESERVED:
            raise self.unexpected(tok)
        path = self.resolve(tok)
        if self.is_kw("NOT") and self.is_kw("IN", 1):
            self.take()
            self.take()
            return ("in", path, self.value_list(path), True)
        if self.is_kw("IN"):
            self.take()
            return ("in", path, self.value_list(path), False)
        if self.is_kw("LIKE"):
            self.take()
            lit = self.take()
            if lit.kind != "str":
                raise self.unexpected(lit)
            if path.field.type not in STRING_TYPES:
                raise _error(
                    self.soql,
                    tok.pos,
                    f"invalid operator on {path.field.type} field: {path.name}",
                    "INVALID_QUERY_FILTER_OPERATOR",
                )
            return ("like", path, _like_regex(lit.text[1:-1]))
        op = self.take()
        if op.kind != "op":
            raise self.unexpected(op)
        return ("cmp", path, "!=" if op.text == "<>" else op.text, self.literal(path))

    def value_list(self, path: FieldPath) -> list[Any]:
        self.expect_punct("(")
        values = [self.literal(path)]
        while self.peek().text == ",":
            self.take()
            values.append(self.literal(path))
        self.expect_punct(")")
        return values

    def literal(self, path: FieldPath) -> Any:
        tok = self.take()
        ftype, name = path.field.type, path.name
        upper = tok.text.upper() if tok.kind == "ident" else ""
        if upper == "NULL":
            return None

        def wrong(kind: str, quoted: bool) -> SfError:
            how = "should be enclosed in quotes" if quoted else "should not be enclosed in quotes"
            return _error(
                self.soql,
                tok.pos,
                f"value of filter criterion for field '{name}' must be of type {kind} and {how}",
                "INVALID_FIELD",
            )

        if tok.kind not in ("str", "num", "dt", "date") and upper not in ("TRUE", "FALSE"):
            raise self.unexpected(tok)
        if ftype in STRING_TYPES:
            if tok.kind != "str":
                raise wrong("string", True)
            return _unquote(tok.text).lower()
        if ftype in ("id", "reference"):
            if tok.kind != "str":
                raise wrong("string", True)
            value = _unquote(tok.text)
            try:
                return ids.to18(value)
            except ValueError:
                raise _error(
                    self.soql, tok.pos, f"invalid ID field: {value}", "INVALID_QUERY_FILTER_OPERATOR"
                ) from None
        if ftype == "boolean":
            if upper not in ("TRUE", "FALSE"):
                raise wrong("boolean", False)
            return upper == "TRUE"
        if ftype in NUMBER_TYPES:
            if tok.kind != "num":
                raise wrong("double" if ftype != "int" else "integer", False)
            return float(tok.text) if "." in tok.text else int(tok.text)
        if ftype == "datetime":
            if tok.kind != "dt":
                raise wrong("dateTime", False)
            return parse_dt(tok.text)
        if ftype == "date":
            if tok.kind != "date":
                raise wrong("date", False)
            try:
                return parse_date(tok.text)
            except ValueError:
                raise wrong("date", False) from None
        raise self.unexpected(tok)


def _like_regex(body: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append(re.escape(_ESCAPES.get(nxt, nxt)))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def parse(soql: str) -> Query:
    """Parse and type-check a query against the schema (raises SfError with Salesforce's codes)."""
    if not soql or not soql.strip():
        raise SfError(400, "MALFORMED_QUERY", "A query string has to be specified")
    return _Parser(soql).parse()


def _compile(node: Any, org: Org) -> Callable[[dict[str, Any]], bool]:
    kind = node[0]
    if kind in ("and", "or"):
        parts = [_compile(n, org) for n in node[1]]
        if kind == "and":
            return lambda r: all(p(r) for p in parts)
        return lambda r: any(p(r) for p in parts)
    if kind == "not":
        inner = _compile(node[1], org)
        return lambda r: not inner(r)
    path: FieldPath = node[1]
    get = path.getter(org)
    lower = path.field.type in STRING_TYPES
    if kind == "like":
        pattern: re.Pattern[str] = node[2]
        return lambda r: (v := get(r)) is not None and pattern.fullmatch(v) is not None
    if kind == "in":
        values = set(node[2])
        negate = node[3]

        def member(r: dict[str, Any]) -> bool:
            v = get(r)
            if lower and v is not None:
                v = v.lower()
            return bool((v in values) != negate)

        return member
    op, lit = node[2], node[3]

    def value(r: dict[str, Any]) -> Any:
        v = get(r)
        return v.lower() if lower and v is not None else v

    if op == "=":
        return lambda r: value(r) == lit
    if op == "!=":
        return lambda r: value(r) != lit
    if lit is None:
        return lambda r: False
    compare: Callable[[Any], bool] = {
        "<": lambda a: a < lit,
        "<=": lambda a: a <= lit,
        ">": lambda a: a > lit,
        ">=": lambda a: a >= lit,
    }[op]
    return lambda r: (v := value(r)) is not None and compare(v)


def execute(query: Query, org: Org, *, include_deleted: bool) -> list[dict[str, Any]]:
    """The matching records (the dicts themselves: updates replace them, so this list is a snapshot)."""
    org.purge()
    rows = org.tables[query.sobject.name].rows.values()
    check_deleted = query.sobject.soft_delete and not include_deleted
    predicate = _compile(query.where, org) if query.where is not None else None
    if predicate is None:
        result = [r for r in rows if not (check_deleted and r["IsDeleted"])]
    else:
        result = [r for r in rows if not (check_deleted and r["IsDeleted"]) and predicate(r)]
    for path, descending, nulls_first in reversed(query.order):
        get = path.getter(org)
        lower = path.field.type in STRING_TYPES
        null_rank = 0 if nulls_first != descending else 1

        def key(r: dict[str, Any], get: Any = get, lower: bool = lower, null_rank: int = null_rank) -> tuple[int, Any]:
            v = get(r)
            if v is None:
                return (null_rank, 0)
            return (1 - null_rank, v.lower() if lower else v)

        result.sort(key=key, reverse=descending)
    if query.offset:
        result = result[query.offset :]
    if query.limit is not None:
        result = result[: query.limit]
    return result


def project(query: Query, org: Org, record: dict[str, Any], version: str) -> dict[str, Any]:
    """One record as the query answer shows it: attributes, then the selected fields in order."""
    obj = query.sobject.name
    out: dict[str, Any] = {
        "attributes": {"type": obj, "url": f"/services/data/v{version}/sobjects/{obj}/{record['Id']}"}
    }
    for path in query.fields:
        if not path.rels:
            out[path.field.name] = json_value(path.field.type, record.get(path.field.name))
            continue
        node, current = out, record
        for rel in path.rels:
            key = rel.relationship_name or ""
            target = rel.reference_to[0]
            parent_id = current.get(rel.name)
            parent = org.tables[target].rows.get(parent_id) if parent_id else None
            if parent is None:
                node.setdefault(key, None)
                break
            if not isinstance(node.get(key), dict):
                node[key] = {
                    "attributes": {"type": target, "url": f"/services/data/v{version}/sobjects/{target}/{parent['Id']}"}
                }
            node, current = node[key], parent
        else:
            node[path.field.name] = json_value(path.field.type, current.get(path.field.name))
    return out
