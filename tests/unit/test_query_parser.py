"""The expression parser: precedence NOT > AND > OR, nesting, case-insensitive keywords,
and one message per malformed expression."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cscore.errors import BadRequest
from cscore.query import And, Expr, Not, Or, QueryError, Ref, evaluate_expr, parse_expression

ALIASES = ["A", "B", "C", "D"]
A, B, C, D = (Ref(i) for i in range(4))


def parse(text: str, aliases: list[str] = ALIASES) -> Expr:
    return parse_expression(text, aliases)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("A", A),
        ("A OR B AND C", Or((A, And((B, C))))),
        ("A AND B OR C", Or((And((A, B)), C))),
        ("NOT A AND B", And((Not(A), B))),
        ("NOT A OR B", Or((Not(A), B))),
        ("NOT (A OR B)", Not(Or((A, B)))),
        ("NOT NOT A", Not(Not(A))),
        ("A AND NOT B OR NOT C AND D", Or((And((A, Not(B))), And((Not(C), D))))),
        ("(A OR B) AND C", And((Or((A, B)), C))),
        ("A AND (B OR (C AND D))", And((A, Or((B, And((C, D))))))),
        ("((A))", A),
        ("A AND (B AND C)", And((A, B, C))),
        ("(A OR B) OR (C OR D)", Or((A, B, C, D))),
        ("A and B Or NoT C", Or((And((A, B)), Not(C)))),
        ("a AND b oR c", Or((And((A, B)), C))),
        ("(A)AND(B)", And((A, B))),
        ("  A\tAND\n(B)  ", And((A, B))),
    ],
)
def test_parse_tree(text: str, tree: Expr) -> None:
    aliases = ["a", "b", "c"] if text.startswith("a ") else ALIASES
    assert parse(text, aliases) == tree


def test_seed_expression() -> None:
    assert parse("SystemTypeNotIn AND (A)", ["SystemTypeNotIn", "A"]) == And((Ref(0), Ref(1)))


def test_keywords_inside_aliases_are_aliases() -> None:
    # Words that merely start with a keyword are aliases; keywords are whole words.
    assert parse("NOTE AND ORB OR ANDY", ["NOTE", "ORB", "ANDY"]) == Or((And((Ref(0), Ref(1))), Ref(2)))


def test_aliases_are_case_sensitive() -> None:
    assert parse("a OR A", ["A", "a"]) == Or((Ref(1), Ref(0)))


def test_nesting_up_to_the_limit() -> None:
    assert parse("(" * 100 + "A" + ")" * 100) == A
    assert parse("NOT " * 100 + "A") is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expression is empty"),
        ("   ", "expression is empty"),
        ("E", "unknown alias 'E' at character 1 of the expression"),
        ("A AND Zed", "unknown alias 'Zed' at character 7 of the expression"),
        ("a", "unknown alias 'a' at character 1 of the expression (aliases are case-sensitive: did you mean 'A'?)"),
        ("(A AND B", "unbalanced parentheses: '(' at character 1 is never closed"),
        ("((A) OR B", "unbalanced parentheses: '(' at character 1 is never closed"),
        ("A OR (", "unbalanced parentheses: '(' at character 6 is never closed"),
        ("A AND B)", "unbalanced parentheses: unexpected ')' at character 8"),
        (")A", "unbalanced parentheses: unexpected ')' at character 1"),
        ("A AND", "dangling operator 'AND' at character 3: nothing follows it"),
        ("A OR B OR", "dangling operator 'OR' at character 8: nothing follows it"),
        ("NOT", "dangling operator 'NOT' at character 1: nothing follows it"),
        ("AND A", "dangling operator 'AND' at character 1: nothing precedes it"),
        ("(OR A)", "dangling operator 'OR' at character 2: nothing precedes it"),
        ("A AND OR B", "dangling operator 'AND' at character 3: 'OR' follows it instead of an alias or '('"),
        ("NOT AND A", "dangling operator 'NOT' at character 1: 'AND' follows it instead of an alias or '('"),
        ("(A AND)", "dangling operator 'AND' at character 4: ')' follows it instead of an alias or '('"),
        ("A B", "missing AND/OR before 'B' at character 3 of the expression"),
        ("A NOT B", "missing AND/OR before 'NOT' at character 3 of the expression"),
        ("A (B)", "missing AND/OR before '(' at character 3 of the expression"),
        ("()", "empty parentheses at character 1 of the expression"),
        ("A AND ()", "empty parentheses at character 7 of the expression"),
        ("A && B", "unexpected character '&' at character 3 of the expression"),
        ("A AND B;", "unexpected character ';' at character 8 of the expression"),
        ("(" * 101 + "A" + ")" * 101, "expression nests deeper than 100 levels"),
        ("NOT " * 101 + "A", "expression nests deeper than 100 levels"),
        ("A OR " * 2500 + "A", "expression is longer than 10000 characters"),
    ],
)
def test_malformed_expression(text: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(text)
    assert caught.value.desc == message
    assert isinstance(caught.value, BadRequest)
    assert (caught.value.status, caught.value.code) == (400, "GS_1400")


# --------------------------------------------------------------------------- property

# A tree is ("leaf", i) | ("not", tree) | ("and", [trees]) | ("or", [trees]).
Tree = tuple[Any, ...]
PRECEDENCE = {"or": 1, "and": 2, "not": 3, "leaf": 4}


def trees(leaves: int) -> st.SearchStrategy[Tree]:
    leaf = st.builds(lambda i: ("leaf", i), st.integers(0, leaves - 1))
    return st.recursive(
        leaf,
        lambda children: st.one_of(
            st.builds(lambda t: ("not", t), children),
            st.builds(lambda ts: ("and", ts), st.lists(children, min_size=2, max_size=3)),
            st.builds(lambda ts: ("or", ts), st.lists(children, min_size=2, max_size=3)),
        ),
        max_leaves=10,
    )


def truth(tree: Tree, values: tuple[bool, ...]) -> bool:
    """What the tree means, written without the engine."""
    kind = tree[0]
    if kind == "leaf":
        return values[tree[1]]
    if kind == "not":
        return not truth(tree[1], values)
    results = [truth(child, values) for child in tree[1]]
    return all(results) if kind == "and" else any(results)


def render(tree: Tree, aliases: list[str], data: st.DataObject) -> str:
    """Text for a tree: parentheses where precedence needs them, more at random, keywords
    in random case, optional blanks next to parentheses."""

    def keyword(word: str) -> str:
        return "".join(c.lower() if data.draw(st.booleans()) else c for c in word)

    def child(node: Tree, needs_parens: bool) -> str:
        text = render(node, aliases, data)
        if needs_parens or data.draw(st.integers(0, 4)) == 0:
            pad = data.draw(st.sampled_from(["", " "]))
            return f"({pad}{text}{pad})"
        return text

    kind = tree[0]
    if kind == "leaf":
        return aliases[tree[1]]
    if kind == "not":
        operand = child(tree[1], PRECEDENCE[tree[1][0]] < PRECEDENCE["not"])
        gap = "" if operand.startswith("(") and data.draw(st.booleans()) else " "
        return f"{keyword('NOT')}{gap}{operand}"
    parts = [child(node, PRECEDENCE[node[0]] < PRECEDENCE[kind]) for node in tree[1]]
    text = parts[0]
    for part in parts[1:]:
        left = "" if text.endswith(")") and data.draw(st.booleans()) else data.draw(st.sampled_from([" ", "  ", "\t"]))
        right = "" if part.startswith("(") and data.draw(st.booleans()) else " "
        text = f"{text}{left}{keyword(kind.upper())}{right}{part}"
    return text


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_rendered_trees_parse_to_their_meaning(data: st.DataObject) -> None:
    aliases = data.draw(
        st.lists(
            st.sampled_from(["A", "a", "B", "x1", "Cond_2", "NOTE", "ORB", "ANDY"]), min_size=1, max_size=4, unique=True
        )
    )
    tree = data.draw(trees(len(aliases)))
    text = render(tree, aliases, data)
    parsed = parse_expression(text, aliases)
    for values in itertools.product([False, True], repeat=len(aliases)):
        assert evaluate_expr(parsed, lambda i, v=values: v[i]) == truth(tree, values), text
