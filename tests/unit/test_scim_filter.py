"""SCIM filters (RFC 7644 §3.4.2.2): the parser's trees and errors, and a property test of
parser + evaluator against an evaluator written here from the RFC's rules, on random
filters (random case, spacing and parentheses) and random users."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cscore.scim import filter as scim_filter
from cscore.scim.errors import ScimError
from cscore.scim.filter import And, AttrPath, Compare, Not, Or, Present, ValuePath, parse, parse_path


def test_the_rfc_examples_parse() -> None:
    examples = [
        'userName Eq "john"',
        'name.familyName co "O\'Malley"',
        'userName sw "J"',
        'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
        "title pr",
        'meta.lastModified gt "2011-05-13T04:42:34Z"',
        'title pr and userType eq "Employee"',
        'title pr or userType eq "Intern"',
        'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
        'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
        'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
        'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
        'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    ]
    for text in examples:
        parse(text)


def test_trees_and_precedence() -> None:
    assert parse("a eq 1 or b eq 2 and not (c pr)") == Or(
        Compare(AttrPath("a"), "eq", 1),
        And(Compare(AttrPath("b"), "eq", 2), Not(Present(AttrPath("c")))),
    )
    assert parse('emails[type eq "work"]') == ValuePath(AttrPath("emails"), Compare(AttrPath("type"), "eq", "work"))
    enterprise = parse('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"')
    assert enterprise == Compare(AttrPath("manager", "value", scim_filter.ENTERPRISE_SCHEMA.lower()), "eq", "x")
    assert parse('userName eq "a \\"quoted\\" \\u00e9"') == Compare(AttrPath("username"), "eq", 'a "quoted" é')
    assert parse("active eq FALSE") == Compare(AttrPath("active"), "eq", False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the filter is empty"),
        ("userName eq", "unexpected end of the filter"),
        ('userName eqq "a"', "unknown operator 'eqq' at position 10"),
        ('(userName eq "a"', "expected ')' at the end of the filter"),
        ('userName eq "a")', "unexpected ')' at position 16"),
        ('userName eq "a" and', "unexpected end of the filter"),
        ("userName eq john", "expected a value at position 13, found 'john'"),
        ('userName eq "a" # b', "unexpected '#' at position 17"),
        ('emails[type eq "work"', "expected ']' at the end of the filter"),
    ],
)
def test_bad_filters_are_400_invalid_filter_naming_the_problem(text: str, message: str) -> None:
    with pytest.raises(ScimError) as error:
        parse(text)
    assert (error.value.status, error.value.scim_type) == (400, "invalidFilter")
    assert message in error.value.desc


def test_patch_paths() -> None:
    assert parse_path('emails[type eq "work"].value') == scim_filter.PatchPath(
        AttrPath("emails"), Compare(AttrPath("type"), "eq", "work"), "value"
    )
    assert parse_path("name.givenName").path == AttrPath("name", "givenname")
    with pytest.raises(ScimError) as error:
        parse_path("emails[type eq]")
    assert error.value.scim_type == "invalidPath"


def test_strings_compare_without_case_but_external_id_and_id() -> None:
    user = {"id": "1P01AB", "userName": "Ada@X.io", "externalId": "00uAbC", "emails": [{"value": "A@x.io"}]}
    assert scim_filter.matches(parse('userName eq "ada@x.IO" and emails co "a@X"'), user)
    assert not scim_filter.matches(parse('externalId eq "00uabc"'), user)
    assert scim_filter.matches(parse('externalId eq "00uAbC" and id sw "1P01A"'), user)
    assert not scim_filter.matches(parse('id eq "1p01ab"'), user)


def test_booleans_compare_only_by_equality() -> None:
    with pytest.raises(ScimError) as error:
        scim_filter.matches(parse("active gt true"), {"active": True})
    assert error.value.scim_type == "invalidFilter"


# --- the property test -------------------------------------------------------------


@dataclass
class Person:
    """A user as plain values, what the independent evaluator reads."""

    user_name: str | None
    title: str | None
    external_id: str | None
    active: bool | None
    given: str | None
    emails: list[tuple[str, str]] = field(default_factory=list)  # (type, value)
    modified: datetime = datetime(2026, 1, 1, tzinfo=UTC)

    def resource(self) -> dict[str, Any]:
        """The same user as a SCIM resource (what the product's evaluator reads)."""
        out: dict[str, Any] = {"meta": {"lastModified": self.modified.isoformat().replace("+00:00", "Z")}}
        for key, value in (("userName", self.user_name), ("title", self.title), ("externalId", self.external_id)):
            if value is not None:
                out[key] = value
        if self.active is not None:
            out["active"] = self.active
        if self.given is not None:
            out["name"] = {"givenName": self.given}
        if self.emails:
            out["emails"] = [{"type": t, "value": v} for t, v in self.emails]
        return out


TEXTS = st.sampled_from(["a", "A", "ab", "aB", "b", "ba", "abc", "", "a@x.io", "B@X.IO"])
STRING_ATTRIBUTES = {"userName": "user_name", "title": "title", "externalId": "external_id", "name.givenName": "given"}
START = datetime(2026, 1, 1, tzinfo=UTC)


def people() -> st.SearchStrategy[Person]:
    maybe = st.none() | TEXTS
    return st.builds(
        Person,
        maybe,
        maybe,
        maybe,
        st.none() | st.booleans(),
        maybe,
        st.lists(st.tuples(st.sampled_from(["work", "home"]), TEXTS), max_size=3),
        st.integers(0, 5).map(lambda d: START + timedelta(days=d)),
    )


# Trees as tuples: ("cmp", attribute, op, value), ("pr", attribute), ("and", l, r),
# ("or", l, r), ("not", x), ("emails", subtree over type/value).
STRING_OPS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]


def leaves() -> st.SearchStrategy[tuple[Any, ...]]:
    strings = st.tuples(st.just("cmp"), st.sampled_from([*STRING_ATTRIBUTES, "emails.value", "emails"]),
                        st.sampled_from(STRING_OPS), TEXTS)  # fmt: skip
    booleans = st.tuples(st.just("cmp"), st.just("active"), st.sampled_from(["eq", "ne"]), st.booleans())
    dates = st.tuples(
        st.just("cmp"),
        st.just("meta.lastModified"),
        st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le"]),
        st.integers(0, 5).map(lambda d: (START + timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ")),
    )
    present = st.tuples(st.just("pr"), st.sampled_from([*STRING_ATTRIBUTES, "active", "emails"]))
    element = st.tuples(st.just("elem"), st.sampled_from(["type", "value"]), st.sampled_from(STRING_OPS), TEXTS)
    value_path = st.tuples(st.just("emails"), element)
    return strings | booleans | dates | present | value_path


def trees() -> st.SearchStrategy[tuple[Any, ...]]:
    return st.recursive(
        leaves(),
        lambda inner: st.tuples(st.sampled_from(["and", "or"]), inner, inner) | st.tuples(st.just("not"), inner),
        max_leaves=6,
    )


def _case(text: str, draw: Any) -> str:
    return "".join(c.upper() if draw(st.booleans()) else c.lower() for c in text)


def render(tree: tuple[Any, ...], draw: Any) -> str:
    """Filter text for the tree: operators and attribute names in random case, spaces and
    redundant parentheses at random."""
    kind = tree[0]
    space = " " * draw(st.integers(1, 2))
    if kind in ("cmp", "elem"):
        _, attribute, op, value = tree
        literal = {True: "true", False: "false"}.get(value) if isinstance(value, bool) else None
        shown = _case(literal, draw) if literal else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        text = f"{_case(attribute, draw)}{space}{_case(op, draw)}{space}{shown}"
    elif kind == "pr":
        text = f"{_case(tree[1], draw)}{space}{_case('pr', draw)}"
    elif kind == "emails":
        text = f"{_case('emails', draw)}[{render(tree[1], draw)}]"
    elif kind == "not":
        return f"{_case('not', draw)}{space}({render(tree[1], draw)})"
    else:
        # An operand that is itself an and/or is parenthesized, so the text means the tree.
        parts = [render(t, draw) if t[0] not in ("and", "or") else f"({render(t, draw)})" for t in tree[1:]]
        text = f"{parts[0]}{space}{_case(kind, draw)}{space}{parts[1]}"
    return f"({text})" if draw(st.integers(0, 4)) == 0 else text


def _compare(op: str, actual: Any, expected: Any, exact: bool) -> bool:
    if isinstance(actual, str) and not exact:
        actual, expected = actual.lower(), expected.lower()
    return {
        "eq": actual == expected,
        "ne": actual != expected,
        "co": isinstance(actual, str) and expected in actual,
        "sw": isinstance(actual, str) and actual.startswith(expected),
        "ew": isinstance(actual, str) and actual.endswith(expected),
        "gt": actual > expected,
        "ge": actual >= expected,
        "lt": actual < expected,
        "le": actual <= expected,
    }[op]


def _values(person: Person, attribute: str) -> list[Any]:
    """The attribute's values; absent (and empty) values are none."""
    if attribute in ("emails", "emails.value"):
        values: list[Any] = [v for _, v in person.emails]
    elif attribute == "active":
        values = [person.active]
    elif attribute == "meta.lastModified":
        values = [person.modified]
    else:
        values = [getattr(person, STRING_ATTRIBUTES[attribute])]
    return [v for v in values if v is not None and v != ""]


def expected(tree: tuple[Any, ...], person: Person, element: tuple[str, str] | None = None) -> bool:
    """RFC 7644 §3.4.2.2 read plainly: a comparison holds when a value of the attribute
    satisfies it (multi-valued: any value); ``ne`` when none equals; strings compare
    without case except externalId; ``pr``: the attribute has a value."""
    kind = tree[0]
    if kind == "and":
        return expected(tree[1], person, element) and expected(tree[2], person, element)
    if kind == "or":
        return expected(tree[1], person, element) or expected(tree[2], person, element)
    if kind == "not":
        return not expected(tree[1], person, element)
    if kind == "pr":
        return bool(_values(person, tree[1]))
    if kind == "emails":
        return any(expected(tree[1], person, e) for e in person.emails)
    _, attribute, op, value = tree
    if kind == "elem":
        assert element is not None
        found = [element[0] if attribute == "type" else element[1]]
        found = [v for v in found if v != ""]
    else:
        found = _values(person, attribute)
    if attribute == "meta.lastModified":
        value = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    exact = attribute == "externalId"
    if op == "ne":
        return not any(_compare("eq", v, value, exact) for v in found)
    return any(_compare(op, v, value, exact) for v in found)


@settings(max_examples=400, deadline=None)
@given(tree=trees(), person=people(), data=st.data())
def test_the_parser_and_evaluator_agree_with_the_rfc_read_plainly(
    tree: tuple[Any, ...], person: Person, data: st.DataObject
) -> None:
    text = render(tree, data.draw)
    assert scim_filter.matches(parse(text), person.resource()) == expected(tree, person), text
