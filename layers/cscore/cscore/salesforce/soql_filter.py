"""A job's SOQL filter: parsed with the product's subset of SOQL's WHERE clause, checked
against the source object's fields, and re-emitted from the parse tree, so the text sent
to Salesforce is always one well-formed condition (never a spliced string that could
close its own parentheses).

The subset::

    condition  := unary (AND unary)* | unary (OR unary)*   -- AND and OR mix only in ( )
    unary      := NOT unary | '(' condition ')' | comparison
    comparison := field ('=' | '!=' | '<>' | '<' | '<=' | '>' | '>=') value
                | field LIKE string
                | field [NOT] IN '(' value (',' value)* ')'
                | field (INCLUDES | EXCLUDES) '(' string (',' string)* ')'
    value      := string | number | true | false | null | date | datetime | date literal

Strings are single-quoted with SOQL's escapes (``\\n \\r \\t \\b \\f \\" \\' \\\\``, and
``\\_ \\%`` for LIKE); dates are ``YYYY-MM-DD``, datetimes ``YYYY-MM-DDThh:mm:ss[.sss]``
with ``Z`` or an offset; date literals are ``TODAY``, ``LAST_N_DAYS:30`` and the rest of
SOQL's list. Keywords are case-insensitive. Errors name the position of the problem,
counting characters from 1.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime

MAX_DEPTH = 32  # nested parentheses and NOTs: a deeper filter is refused, not recursed into

COMPARISONS = ("=", "!=", "<", "<=", ">", ">=", "LIKE")
SET_OPERATORS = ("IN", "NOT IN", "INCLUDES", "EXCLUDES")
DATE_LITERALS = frozenset(
    f"{when}_{unit}"
    for when in ("LAST", "THIS", "NEXT")
    for unit in ("WEEK", "MONTH", "QUARTER", "YEAR", "FISCAL_QUARTER", "FISCAL_YEAR")
) | {"YESTERDAY", "TODAY", "TOMORROW", "LAST_90_DAYS", "NEXT_90_DAYS"}
N_DATE_LITERALS = frozenset(
    name
    for unit in ("DAYS", "WEEKS", "MONTHS", "QUARTERS", "YEARS", "FISCAL_QUARTERS", "FISCAL_YEARS")
    for name in (f"LAST_N_{unit}", f"NEXT_N_{unit}", f"N_{unit}_AGO")
)
# Words that are never field names (SOQL's reserved words that can occur near a WHERE).
RESERVED = frozenset(
    {"AND", "OR", "NOT", "IN", "LIKE", "INCLUDES", "EXCLUDES", "TRUE", "FALSE", "NULL"}
    | {"SELECT", "FROM", "WHERE", "ORDER", "BY", "LIMIT", "OFFSET", "GROUP", "HAVING", "WITH", "USING", "FOR"}
)
_ESCAPES = {"n": "\\n", "r": "\\r", "t": "\\t", "b": "\\b", "f": "\\f", '"': '"', "'": "\\'", "\\": "\\\\"}
_ESCAPES |= {"_": "\\_", "%": "\\%"}  # LIKE's escaped wildcards
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    |(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
    |(?P<date>\d{4}-\d{2}-\d{2}(?![\d:T]))
    |(?P<number>[+-]?\d+(?:\.\d+)?(?![\w.]))
    |(?P<string>')
    |(?P<operator><=|>=|!=|<>|=|<|>)
    |(?P<punct>[(),:])
    |(?P<word>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*(?![\w.]))
    """,
    re.VERBOSE,
)


class FilterError(ValueError):
    """A filter the subset does not accept; ``position`` counts characters from 1."""

    def __init__(self, problem: str, position: int) -> None:
        self.problem = problem
        self.position = position
        super().__init__(f"filter: {problem} at position {position}")


@dataclass(frozen=True)
class Literal:
    """A value as SOQL writes it (canonical spelling): kind is string, number, boolean,
    null, date, datetime or dateLiteral."""

    kind: str
    text: str


@dataclass(frozen=True)
class Comparison:
    field: str
    operator: str  # one of COMPARISONS
    value: Literal
    position: int = dataclasses.field(default=0, compare=False)  # of the field, for errors


@dataclass(frozen=True)
class ValueSet:
    field: str
    operator: str  # one of SET_OPERATORS
    values: tuple[Literal, ...]
    position: int = dataclasses.field(default=0, compare=False)


@dataclass(frozen=True)
class Not:
    condition: Condition


@dataclass(frozen=True)
class Junction:
    operator: str  # AND or OR
    conditions: tuple[Condition, ...]  # two or more


Condition = Comparison | ValueSet | Not | Junction


def string_literal(value: str) -> Literal:
    """A Python string as a SOQL string literal (LIKE wildcards stay wildcards)."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    for char, name in (("\n", "n"), ("\r", "r"), ("\t", "t"), ("\b", "b"), ("\f", "f")):
        escaped = escaped.replace(char, "\\" + name)
    return Literal("string", f"'{escaped}'")


# ---------------------------------------------------------------- emitting
def emit(condition: Condition) -> str:
    """The condition as SOQL text; nested AND / OR and NOT operands are parenthesized."""
    if isinstance(condition, Comparison):
        return f"{condition.field} {condition.operator} {condition.value.text}"
    if isinstance(condition, ValueSet):
        return f"{condition.field} {condition.operator} ({', '.join(v.text for v in condition.values)})"
    if isinstance(condition, Not):
        return f"NOT ({emit(condition.condition)})"
    return f" {condition.operator} ".join(_operand(c) for c in condition.conditions)


def _operand(condition: Condition) -> str:
    return f"({emit(condition)})" if isinstance(condition, Junction) else emit(condition)


def comparisons(condition: Condition) -> Iterator[Comparison | ValueSet]:
    """Every comparison of the condition, in text order."""
    if isinstance(condition, Comparison | ValueSet):
        yield condition
    elif isinstance(condition, Not):
        yield from comparisons(condition.condition)
    else:
        for part in condition.conditions:
            yield from comparisons(part)


def check_fields(condition: Condition, fields: Mapping[str, str], sobject: str) -> None:
    """Every field the condition names is one of ``fields`` (lower-cased name -> API name):
    the source object's own fields, no relationship paths."""
    for comparison in comparisons(condition):
        if comparison.field.lower() not in fields:
            raise FilterError(f"no field {comparison.field} on {sobject}", comparison.position)


# ---------------------------------------------------------------- parsing
@dataclass(frozen=True)
class _Token:
    kind: str  # word, string, number, date, datetime, operator, punct, end
    text: str
    position: int  # from 1


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    at = 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            raise FilterError(f"unexpected {_shown(text[at])}", at + 1)
        kind = match.lastgroup or ""
        if kind == "string":
            end, body = _string(text, at)
            tokens.append(_Token("string", f"'{body}'", at + 1))
            at = end
            continue
        if kind != "space":
            tokens.append(_Token(kind, match.group(), at + 1))
        at = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


def _string(text: str, start: int) -> tuple[int, str]:
    """The end of the string literal opening at ``start`` and its body, escapes in their
    canonical spelling."""
    body: list[str] = []
    at = start + 1
    while at < len(text):
        char = text[at]
        if char == "'":
            return at + 1, "".join(body)
        if char == "\\":
            escape = text[at + 1 : at + 2]
            canonical = _ESCAPES.get(escape.lower() if escape.isalpha() else escape)
            if canonical is None:
                raise FilterError(f"unknown escape {_shown(chr(92) + escape)}", at + 1)
            body.append(canonical)
            at += 2
            continue
        body.append(char)
        at += 1
    raise FilterError("unterminated string", start + 1)


def _shown(text: str) -> str:
    """A token in an error message: quoted, and short (errors never echo the filter)."""
    return f"'{text}'" if len(text) <= 30 else f"'{text[:27]}...'"


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.at + ahead, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.peek()
        self.at = min(self.at + 1, len(self.tokens) - 1)
        return token

    def is_word(self, word: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind == "word" and token.text.upper() == word

    def unexpected(self, token: _Token | None = None) -> FilterError:
        token = token or self.peek()
        return FilterError(
            "unexpected end" if token.kind == "end" else f"unexpected {_shown(token.text)}", token.position
        )

    def expect(self, text: str) -> None:
        token = self.take()
        if token.kind != "punct" or token.text != text:
            raise self.unexpected(token)

    def condition(self, depth: int) -> Condition:
        first = self.unary(depth)
        if not (self.is_word("AND") or self.is_word("OR")):
            return first
        operator = self.peek().text.upper()
        parts = [first]
        while self.is_word(operator):
            self.take()
            parts.append(self.unary(depth))
        if self.is_word("AND") or self.is_word("OR"):
            raise FilterError("AND and OR need parentheses to be combined", self.peek().position)
        return Junction(operator, tuple(parts))

    def unary(self, depth: int) -> Condition:
        token = self.peek()
        if depth >= MAX_DEPTH:
            raise FilterError(f"nested deeper than {MAX_DEPTH} levels", token.position)
        if self.is_word("NOT"):
            self.take()
            return Not(self.unary(depth + 1))
        if token.kind == "punct" and token.text == "(":
            self.take()
            inner = self.condition(depth + 1)
            self.expect(")")
            return inner
        return self.comparison()

    def comparison(self) -> Condition:
        name = self.take()
        if name.kind != "word" or name.text.upper() in RESERVED:
            raise self.unexpected(name)
        if self.is_word("NOT") and self.is_word("IN", 1):
            self.take()
            self.take()
            return ValueSet(name.text, "NOT IN", self.values(strings_only=False), name.position)
        for word in ("IN", "INCLUDES", "EXCLUDES"):
            if self.is_word(word):
                self.take()
                return ValueSet(name.text, word, self.values(strings_only=word != "IN"), name.position)
        if self.is_word("LIKE"):
            self.take()
            pattern = self.take()
            if pattern.kind != "string":
                raise self.unexpected(pattern)
            return Comparison(name.text, "LIKE", Literal("string", pattern.text), name.position)
        operator = self.take()
        if operator.kind != "operator":
            raise self.unexpected(operator)
        return Comparison(name.text, "!=" if operator.text == "<>" else operator.text, self.value(), name.position)

    def values(self, strings_only: bool) -> tuple[Literal, ...]:
        self.expect("(")
        values = [self.value(strings_only)]
        while self.peek().kind == "punct" and self.peek().text == ",":
            self.take()
            values.append(self.value(strings_only))
        self.expect(")")
        return tuple(values)

    def value(self, strings_only: bool = False) -> Literal:
        token = self.take()
        word = token.text.upper() if token.kind == "word" else ""
        if token.kind == "string":
            return Literal("string", token.text)
        if strings_only:
            raise self.unexpected(token)
        if token.kind == "number":
            return Literal("number", token.text.lstrip("+"))
        if token.kind == "date":
            _valid(token, date.fromisoformat)
            return Literal("date", token.text)
        if token.kind == "datetime":
            _valid(token, lambda t: datetime.fromisoformat(t.replace("Z", "+00:00")))
            return Literal("datetime", token.text)
        if word in ("TRUE", "FALSE"):
            return Literal("boolean", word.lower())
        if word == "NULL":
            return Literal("null", "null")
        if word in DATE_LITERALS:
            return Literal("dateLiteral", word)
        if word in N_DATE_LITERALS:
            self.expect(":")
            count = self.take()
            if count.kind != "number" or not count.text.isdigit():
                raise self.unexpected(count)
            return Literal("dateLiteral", f"{word}:{int(count.text)}")
        raise self.unexpected(token)


def _valid(token: _Token, convert: Callable[[str], object]) -> None:
    try:
        convert(token.text)
    except ValueError:
        raise FilterError(f"{_shown(token.text)} is not a valid {token.kind}", token.position) from None


def parse(text: str) -> Condition:
    """The parse tree of a filter (the WHERE clause without WHERE); FilterError otherwise."""
    parser = _Parser(text)
    if parser.peek().kind == "end":
        raise FilterError("empty condition", 1)
    condition = parser.condition(0)
    if parser.peek().kind != "end":
        raise parser.unexpected()
    return condition
