"""SCIM filters (RFC 7644 §3.4.2.2): a parser from text to a tree, and the tree's value
on a SCIM resource. Pure: no I/O.

Grammar (operators and attribute names case-insensitive; ``not`` binds tighter than
``and``, ``and`` tighter than ``or``)::

    FILTER    = OR
    OR        = AND *("or" AND)
    AND       = UNARY *("and" UNARY)
    UNARY     = "not" "(" FILTER ")" / "(" FILTER ")" / valuePath / attrExp
    valuePath = attrPath "[" FILTER "]"
    attrExp   = attrPath "pr" / attrPath compareOp compValue
    compValue = "true" / "false" / "null" / number / JSON string

PATCH paths (RFC 7644 §3.5.2) use the same pieces: ``attrPath``, or ``attrPath "["
FILTER "]"`` with an optional ``"." subAttr`` (``emails[type eq "work"].value``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cscore.scim.errors import invalid_filter, invalid_path

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CORE_SCHEMAS = (USER_SCHEMA.lower(), GROUP_SCHEMA.lower())

COMPARE_OPS = ("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le")
# Compared as written; every other string attribute case-insensitively (RFC 7643 caseExact).
CASE_EXACT = {"id", "externalid"}
DATE_TIME = {("meta", "created"), ("meta", "lastmodified")}


@dataclass(frozen=True)
class AttrPath:
    """``[schema:]attr[.sub]``, lower-cased; ``schema`` only for an extension's attributes."""

    attr: str
    sub: str | None = None
    schema: str | None = None

    def __str__(self) -> str:
        prefix = f"{self.schema}:" if self.schema else ""
        return prefix + self.attr + (f".{self.sub}" if self.sub else "")


@dataclass(frozen=True)
class Compare:
    path: AttrPath
    op: str
    value: Any


@dataclass(frozen=True)
class Present:
    path: AttrPath


@dataclass(frozen=True)
class And:
    left: Filter
    right: Filter


@dataclass(frozen=True)
class Or:
    left: Filter
    right: Filter


@dataclass(frozen=True)
class Not:
    inner: Filter


@dataclass(frozen=True)
class ValuePath:
    """``attr[filter]``: true when an element of the multi-valued ``attr`` matches."""

    path: AttrPath
    filter: Filter


Filter = Compare | Present | And | Or | Not | ValuePath


@dataclass(frozen=True)
class PatchPath:
    """A PATCH operation's target: ``attr``, ``attr.sub``, ``attr[filter]`` or
    ``attr[filter].sub`` (``sub`` then the sub-attribute of the matching elements)."""

    path: AttrPath
    filter: Filter | None = None
    sub: str | None = None


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.:]))
    | (?P<punct>[()\[\]])
    | (?P<dotted>\.[A-Za-z][\w$-]*)
    | (?P<word>(?:urn:[\w.:-]+:)?[A-Za-z][\w$-]*(?:\.[A-Za-z][\w$-]*)?)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    at: int  # position in the text, from 1


def _tokens(text: str, fail: type[_Fail]) -> list[_Token]:
    out: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match or match.lastgroup is None:
            start = len(text) - len(text[position:].lstrip()) + 1
            raise fail(f"unexpected {text[start - 1]!r} at position {start}")
        kind = match.lastgroup
        out.append(_Token(kind, match.group(kind), match.start(kind) + 1))
        position = match.end()
    return out


class _Fail(Exception):
    pass


def _attr_path(text: str) -> AttrPath:
    schema: str | None = None
    if ":" in text:
        schema, _, text = text.rpartition(":")
        schema = schema.lower()
        if schema in CORE_SCHEMAS:
            schema = None
    attr, _, sub = text.lower().partition(".")
    return AttrPath(attr, sub or None, schema)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text, _Fail)
        self.at = 0

    def peek(self, offset: int = 0) -> _Token | None:
        index = self.at + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise _Fail("unexpected end of the filter")
        self.at += 1
        return token

    def expect(self, text: str) -> None:
        if self.peek() is None:
            raise _Fail(f"expected {text!r} at the end of the filter")
        token = self.take()
        if token.text != text:
            raise _Fail(f"expected {text!r} at position {token.at}, found {token.text!r}")

    def is_word(self, word: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind == "word" and token.text.lower() == word

    def filter(self) -> Filter:
        node = self.conjunction()
        while self.is_word("or"):
            self.take()
            node = Or(node, self.conjunction())
        return node

    def conjunction(self) -> Filter:
        node = self.unary()
        while self.is_word("and"):
            self.take()
            node = And(node, self.unary())
        return node

    def unary(self) -> Filter:
        token = self.peek()
        if token is None:
            raise _Fail("unexpected end of the filter")
        if self.is_word("not") and (after := self.peek(1)) is not None and after.text == "(":
            self.take()
            self.take()
            inner = self.filter()
            self.expect(")")
            return Not(inner)
        if token.text == "(":
            self.take()
            inner = self.filter()
            self.expect(")")
            return inner
        if token.kind != "word":
            raise _Fail(f"expected an attribute at position {token.at}, found {token.text!r}")
        self.take()
        path = _attr_path(token.text)
        following = self.peek()
        if following is not None and following.text == "[":
            self.take()
            inner = self.filter()
            self.expect("]")
            return ValuePath(path, inner)
        operator = self.take()
        op = operator.text.lower()
        if operator.kind != "word" or (op != "pr" and op not in COMPARE_OPS):
            raise _Fail(f"unknown operator {operator.text!r} at position {operator.at}")
        if op == "pr":
            return Present(path)
        return Compare(path, op, self.value())

    def value(self) -> Any:
        token = self.take()
        if token.kind == "string":
            return json.loads(token.text)
        if token.kind == "number":
            return json.loads(token.text)
        literal = token.text.lower()
        if token.kind == "word" and literal in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[literal]
        raise _Fail(f"expected a value at position {token.at}, found {token.text!r}")

    def done(self) -> None:
        token = self.peek()
        if token is not None:
            raise _Fail(f"unexpected {token.text!r} at position {token.at}")


def parse(text: str) -> Filter:
    """The tree of a filter; 400 ``invalidFilter`` naming the problem and its position."""
    try:
        parser = _Parser(text)
        if not parser.tokens:
            raise _Fail("the filter is empty")
        tree = parser.filter()
        parser.done()
    except (_Fail, ValueError) as problem:
        raise invalid_filter(f"filter: {problem}") from None
    return tree


def parse_path(text: str) -> PatchPath:
    """A PATCH ``path``; 400 ``invalidPath`` naming the problem."""
    try:
        parser = _Parser(text)
        token = parser.take()
        if token.kind != "word":
            raise _Fail(f"expected an attribute at position {token.at}")
        path = _attr_path(token.text)
        chosen: Filter | None = None
        sub: str | None = None
        if parser.peek() is not None and parser.peek().text == "[":  # type: ignore[union-attr]
            if path.sub:
                raise _Fail("a filter applies to an attribute, not a sub-attribute")
            parser.take()
            chosen = parser.filter()
            parser.expect("]")
            following = parser.peek()
            if following is not None and following.kind == "dotted":
                parser.take()
                sub = following.text[1:].lower()
        parser.done()
    except (_Fail, ValueError) as problem:
        raise invalid_path(f"path: {problem}") from None
    return PatchPath(path, chosen, sub)


# --- evaluation -------------------------------------------------------------------


def lookup(resource: dict[str, Any], name: str) -> Any:
    """An attribute of a JSON object by its name in any case (None when absent)."""
    for key, value in resource.items():
        if key.lower() == name:
            return value
    return None


def attribute(resource: dict[str, Any], path: AttrPath) -> Any:
    """The value ``path`` names in ``resource`` (without its sub-attribute)."""
    holder: Any = resource
    if path.schema:
        holder = lookup(resource, path.schema)
        if not isinstance(holder, dict):
            return None
    return lookup(holder, path.attr)


def _values(resource: dict[str, Any], path: AttrPath) -> list[Any]:
    """Every value ``path`` reaches: the elements of a multi-valued attribute, their
    ``sub`` (or their ``value`` when no sub is named, RFC 7644 §3.4.2.2)."""
    value = attribute(resource, path)
    elements = value if isinstance(value, list) else [value]
    out: list[Any] = []
    for element in elements:
        if isinstance(element, dict):
            element = lookup(element, path.sub or "value")
        elif path.sub:
            element = None
        if element is not None and element != "" and element != [] and element != {}:
            out.append(element)
    return out


def date_time(value: Any) -> datetime | None:
    """A SCIM dateTime (xsd:dateTime; no zone is UTC), None when it is none."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _compare(path: AttrPath, op: str, actual: Any, expected: Any) -> bool:
    if (path.attr, path.sub) in DATE_TIME:
        actual, expected = date_time(actual), date_time(expected)
        if actual is None or expected is None:
            return False
    elif isinstance(expected, bool) or isinstance(actual, bool):
        if op not in ("eq", "ne"):
            raise invalid_filter(f"filter: {op} does not compare booleans ({path})")
        return (actual is expected) == (op == "eq")
    elif isinstance(expected, str) and isinstance(actual, str):
        if path.attr not in CASE_EXACT:
            actual, expected = actual.lower(), expected.lower()
    elif isinstance(expected, int | float) and isinstance(actual, int | float):
        pass
    else:
        return op == "ne"
    if op == "eq":
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if op in ("co", "sw", "ew"):
        if not isinstance(actual, str):
            raise invalid_filter(f"filter: {op} compares strings ({path})")
        return {"co": expected in actual, "sw": actual.startswith(expected), "ew": actual.endswith(expected)}[op]
    return bool(
        {"gt": actual > expected, "ge": actual >= expected, "lt": actual < expected, "le": actual <= expected}[op]
    )


def matches(tree: Filter, resource: dict[str, Any]) -> bool:
    """Whether ``resource`` (a SCIM resource, or an element of a multi-valued attribute)
    satisfies ``tree``."""
    if isinstance(tree, And):
        return matches(tree.left, resource) and matches(tree.right, resource)
    if isinstance(tree, Or):
        return matches(tree.left, resource) or matches(tree.right, resource)
    if isinstance(tree, Not):
        return not matches(tree.inner, resource)
    if isinstance(tree, Present):
        return bool(_values(resource, tree.path))
    if isinstance(tree, ValuePath):
        elements = attribute(resource, tree.path)
        elements = elements if isinstance(elements, list) else [elements]
        return any(isinstance(e, dict) and matches(tree.filter, e) for e in elements)
    if tree.value is None:  # eq null: absent (RFC 7644 §3.4.2.2: null is "no value")
        return (not _values(resource, tree.path)) == (tree.op == "eq")
    found = _values(resource, tree.path)
    if tree.op == "ne":
        return not any(_compare(tree.path, "eq", value, tree.value) for value in found)
    return any(_compare(tree.path, tree.op, value, tree.value) for value in found)


def equalities(
    tree: Filter, indexed: Callable[[AttrPath], bool], base: AttrPath | None = None
) -> list[tuple[AttrPath, Any]] | None:
    """Equalities on ``indexed`` attributes that every row the filter matches satisfies
    one of (``a eq 1 or b eq 2``; of an ``and`` the side with fewer of them): a read of
    the rows with those values holds every match. None when the filter has no such
    shape (it needs a wider read)."""
    if isinstance(tree, Or):
        left, right = equalities(tree.left, indexed, base), equalities(tree.right, indexed, base)
        return None if left is None or right is None else left + right
    if isinstance(tree, And):
        options = [e for e in (equalities(tree.left, indexed, base), equalities(tree.right, indexed, base)) if e]
        return min(options, key=len) if options else None
    if isinstance(tree, ValuePath) and base is None:
        return equalities(tree.filter, indexed, tree.path)
    if isinstance(tree, Compare) and tree.op == "eq" and tree.value is not None:
        path = tree.path if base is None else AttrPath(base.attr, tree.path.attr, base.schema)
        return [(path, tree.value)] if indexed(path) else None
    return None
