"""A job's SOQL filter (issue 13, point 8): parsed with the product's subset, re-emitted
from the tree, refused with the position of the problem."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cscore.connector import job_definitions
from cscore.salesforce.soql_filter import (
    COMPARISONS,
    DATE_LITERALS,
    MAX_DEPTH,
    N_DATE_LITERALS,
    Comparison,
    Condition,
    FilterError,
    Junction,
    Literal,
    Not,
    ValueSet,
    check_fields,
    emit,
    parse,
    string_literal,
)

FIELDS = ["Name", "Industry", "AnnualRevenue", "IsActive", "CreatedDate", "Region__c", "Owner.Name"]

strings = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12).map(string_literal)
like_patterns = st.lists(st.sampled_from(["a", "%", "_", "\\_", "\\%", "\\\\", "\\'", " "]), max_size=6).map(
    lambda parts: Literal("string", "'" + "".join(parts) + "'")
)
numbers = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.decimals(-(10**6), 10**6, places=3, allow_nan=False, allow_infinity=False).map(str),
).map(lambda text: Literal("number", text))
dates = st.dates(date(1700, 1, 1), date(4000, 12, 31)).map(lambda d: Literal("date", d.isoformat()))
datetimes = st.datetimes(datetime(1700, 1, 1), datetime(4000, 12, 31)).map(
    lambda d: Literal("datetime", d.strftime("%Y-%m-%dT%H:%M:%S") + "Z")
)
date_literals = st.one_of(
    st.sampled_from(sorted(DATE_LITERALS)).map(lambda name: Literal("dateLiteral", name)),
    st.tuples(st.sampled_from(sorted(N_DATE_LITERALS)), st.integers(0, 999)).map(
        lambda pair: Literal("dateLiteral", f"{pair[0]}:{pair[1]}")
    ),
)
constants = st.sampled_from([Literal("boolean", "true"), Literal("boolean", "false"), Literal("null", "null")])
values = st.one_of(strings, numbers, dates, datetimes, date_literals, constants)
field_names = st.sampled_from(FIELDS)


@st.composite
def comparisons(draw: st.DrawFn) -> Condition:
    name = draw(field_names)
    kind = draw(st.sampled_from(["compare", "like", "in", "includes"]))
    if kind == "compare":
        return Comparison(name, draw(st.sampled_from([c for c in COMPARISONS if c != "LIKE"])), draw(values))
    if kind == "like":
        return Comparison(name, "LIKE", draw(like_patterns))
    if kind == "in":
        operator = draw(st.sampled_from(["IN", "NOT IN"]))
        return ValueSet(name, operator, tuple(draw(st.lists(values, min_size=1, max_size=4))))
    operator = draw(st.sampled_from(["INCLUDES", "EXCLUDES"]))
    return ValueSet(name, operator, tuple(draw(st.lists(strings, min_size=1, max_size=4))))


conditions = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        inner.map(Not),
        st.tuples(st.sampled_from(["AND", "OR"]), st.lists(inner, min_size=2, max_size=4)).map(
            lambda pair: Junction(pair[0], tuple(pair[1]))
        ),
    ),
    max_leaves=12,
)


def _depth(condition: Condition) -> int:
    if isinstance(condition, Not):
        return 1 + _depth(condition.condition)
    if isinstance(condition, Junction):
        return 1 + max(_depth(c) for c in condition.conditions)
    return 0


@settings(max_examples=400, deadline=None)
@given(conditions)
def test_a_tree_survives_text_and_back(tree: Condition) -> None:
    text = emit(tree)
    assert parse(text) == tree
    assert emit(parse(text)) == text


@settings(max_examples=200, deadline=None)
@given(conditions, st.data())
def test_spelling_is_free_but_the_tree_is_the_same(tree: Condition, data: st.DataObject) -> None:
    """Keywords in any case, extra spaces and parentheses: one tree, one emitted text."""
    text = emit(tree)
    loose = text.replace(" AND ", "  and\n").replace(" OR ", " Or ").replace("NOT (", "not(")
    if data.draw(st.booleans()) and _depth(tree) < 30:
        loose = f"( {loose} )"
    assert parse(loose) == tree
    assert emit(parse(loose)) == text


def test_the_out_of_the_box_filters_parse() -> None:
    jobs = job_definitions.out_of_the_box({"connectionId": "c", "name": "n"}, lambda: "id")
    filters = [j["filter"] for j in jobs if j["filter"]]
    assert filters == ["UserType = 'Standard'"]
    assert [emit(parse(f)) for f in filters] == filters


def test_soql_escapes_and_literals_are_read_and_written_canonically() -> None:
    tree = parse(r"Name = 'O\'Brien \N\"x\\' AND Amount >= +5 AND IsActive = TRUE AND d < last_n_days:07")
    assert emit(tree) == r"""Name = 'O\'Brien \n"x\\' AND Amount >= 5 AND IsActive = true AND d < LAST_N_DAYS:7"""
    assert emit(parse("a <> null")) == "a != null"
    assert emit(parse("NOT a = 1 OR b NOT IN ('x')")) == "NOT (a = 1) OR b NOT IN ('x')"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Name = 'x') OR (Name != null", "unexpected ')' at position 11"),
        ("Name = 'x' OR", "unexpected end at position 14"),
        ("", "empty condition at position 1"),
        ("(Name = 'x'", "unexpected end at position 12"),
        ("Name = 'x' AND Type = 'y' OR Id = null", "AND and OR need parentheses to be combined at position 27"),
        ("Name = 'x", "unterminated string at position 8"),
        ("Name = 'a\\qb'", "unknown escape '\\q' at position 10"),
        ("Name = 'x'; DELETE", "unexpected ';' at position 11"),
        ("Name = x", "unexpected 'x' at position 8"),
        ("Name LIKE 5", "unexpected '5' at position 11"),
        ("Tags INCLUDES ('a', 5)", "unexpected '5' at position 21"),
        ("Name IN ()", "unexpected ')' at position 10"),
        ("d = LAST_N_DAYS", "unexpected end at position 16"),
        ("d = LAST_N_DAYS:-1", "unexpected '-1' at position 17"),
        ("d = 2024-02-30", "'2024-02-30' is not a valid date at position 5"),
        ("AND = 1", "unexpected 'AND' at position 1"),
        ("Name = 'x' LIMIT 1", "unexpected 'LIMIT' at position 12"),
        ("Name = 'x' ORDER BY Name", "unexpected 'ORDER' at position 12"),
        ("Name = '" + "y" * 100 + "' x", "unexpected 'x' at position 111"),
        ("Name = 1 x" + "y" * 100, "unexpected 'x" + "y" * 26 + "...' at position 10"),
        (
            "(" * (MAX_DEPTH + 1) + "a = 1" + ")" * (MAX_DEPTH + 1),
            f"nested deeper than {MAX_DEPTH} levels at position 33",
        ),
        ("NOT " * 40 + "a = 1", f"nested deeper than {MAX_DEPTH} levels at position 129"),
    ],
)
def test_malformed_filters_are_refused_with_the_position(text: str, message: str) -> None:
    with pytest.raises(FilterError) as refused:
        parse(text)
    assert str(refused.value) == f"filter: {message}"


def test_fields_are_the_source_objects_own() -> None:
    fields = {"name": "Name", "industry": "Industry"}
    check_fields(parse("name = 'x' AND (INDUSTRY = null OR NOT Name LIKE 'a%')"), fields, "Account")
    with pytest.raises(FilterError, match=r"^filter: no field Nmae on Account at position 16$"):
        check_fields(parse("Name = 'x' AND Nmae = 'y'"), fields, "Account")
    with pytest.raises(FilterError, match=r"^filter: no field Owner.Name on Account at position 1$"):
        check_fields(parse("Owner.Name = 'x'"), fields, "Account")
