"""Query evaluation: the engine's rows equal an independent plain-Python reference over
random records, conditions (every operator), expressions, orderBy and paging; the same
query pages through every matching row exactly once; the seed's list sample validates.

Records are generated as "truths" (Python dates, Decimals, labels, ...) and handed to the
engine in one of the stored or wire forms (epoch ms, ISO-8601 with or without offset,
int/float/Decimal, GSIDs); the reference works on the truths only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cscore.picklists.system import system_item_gsid
from cscore.query import (
    Field,
    FieldType,
    QueryOptions,
    Schema,
    execute,
    matches,
    page,
    parse_query,
    sort,
    to_epoch_millis,
)

KIND_ITEMS = {
    "Internal": "1I0054U9FAKXZ0H26HOLPCQ81MF6AUC6FF2X",
    "External": "1I00EXTERNAL0000000000000000000000AA",
    "guest": "1I00GUEST000000000000000000000000000",
    "Partner": "1I00PARTNER00000000000000000000000ZZ",
}
CSMS = [
    "1P01AAAA0000000000000000000000000001",
    "1P01B000000000000000000000000000000Z",
    "1P019999999999999999999999999999999Z",
]
SCHEMA = Schema.of(
    "Thing",
    Field("Gsid", FieldType.GSID),
    Field("Name", FieldType.STRING),
    Field("Score", FieldType.NUMBER),
    Field("Active", FieldType.BOOLEAN),
    Field("Born", FieldType.DATE),
    Field("Seen", FieldType.DATETIME),
    Field("Kind", FieldType.PICKLIST, KIND_ITEMS),
    Field("Csm", FieldType.GSID),
)
TYPES = {f.name: f.type for f in SCHEMA}
FIELDS = [name for name in TYPES if name != "Gsid"]
OPTIONS = QueryOptions(default_limit=5, max_limit=50)

DAY0 = date(2024, 1, 1)
T0 = datetime(2024, 1, 1, tzinfo=UTC)
TEXT = "aAbB ßẞ"


class Unknown:
    """A picklist or GSID condition value that names nothing: equal to no truth."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()

# --------------------------------------------------------------------------- truths


def truth_values(field: str) -> st.SearchStrategy[Any]:
    kind = TYPES[field]
    if field == "Csm":
        return st.sampled_from(CSMS)
    if kind is FieldType.STRING:
        return st.text(TEXT, max_size=3)
    if kind is FieldType.NUMBER:
        return st.integers(-6, 6).map(lambda n: Decimal(n) / 2)
    if kind is FieldType.BOOLEAN:
        return st.booleans()
    if kind is FieldType.DATE:
        return st.integers(-1, 5).map(lambda n: DAY0 + timedelta(days=n))
    if kind is FieldType.DATETIME:
        return st.tuples(st.integers(-1, 8), st.sampled_from([0, 500])).map(
            lambda t: T0 + timedelta(hours=6 * t[0], milliseconds=t[1])
        )
    return st.sampled_from(sorted(KIND_ITEMS))


@st.composite
def truth_records(draw: st.DrawFn, max_size: int = 25) -> list[dict[str, Any]]:
    numbers = draw(
        st.lists(st.integers(0, 10**6), unique=True, min_size=draw(st.sampled_from([0, 5, 10])), max_size=max_size)
    )
    records = []
    for n in numbers:
        record: dict[str, Any] = {"Gsid": f"1P01{n:032d}"}
        for field in FIELDS:
            record[field] = None if draw(st.integers(0, 4)) == 0 else draw(truth_values(field))
        records.append(record)
    return records


# --------------------------------------------------------------------------- wire forms


def millis(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1000)


def day_millis(day: date) -> int:
    return (day - date(1970, 1, 1)).days * 86_400_000


def iso(moment: datetime, offset_minutes: int | None) -> str:
    """ISO-8601 with milliseconds: ``Z`` (None) or the given offset; -1 means no zone."""
    if offset_minutes is None:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if offset_minutes == -1:
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    local = moment.astimezone(timezone(timedelta(minutes=offset_minutes)))
    return local.isoformat(timespec="milliseconds")


def datetime_form(moment: datetime, data: st.DataObject, *, as_record: bool) -> Any:
    form = data.draw(st.sampled_from(["ms", "ms-str", "z", "offset", "naive", "object"]))
    if form == "ms":
        return millis(moment)
    if form == "ms-str":
        return str(millis(moment)) if not as_record else millis(moment)
    if form == "z":
        return iso(moment, None)
    if form == "offset":
        return iso(moment, data.draw(st.sampled_from([330, -480, 60, 0])))
    if form == "naive":
        text = iso(moment, -1)
        return text[:-4] if text.endswith(".000") else text  # yyyy-MM-dd HH:mm:ss
    return moment if as_record else iso(moment, None)


def date_form(day: date, data: st.DataObject, *, as_record: bool) -> Any:
    """A day as given on the wire; a date-time anywhere in that UTC day means that day."""
    form = data.draw(st.sampled_from(["iso", "ms", "object", "in-day"]))
    if form == "iso":
        return day.isoformat()
    if form == "ms":
        return day_millis(day)
    if form == "object" and as_record:
        return day
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        milliseconds=data.draw(st.integers(0, 86_400_000 - 1))
    )
    return datetime_form(moment, data, as_record=as_record)


def number_form(value: Decimal, data: st.DataObject, *, as_record: bool) -> Any:
    forms = ["float", "decimal"] if as_record else ["float", "str"]
    if value == value.to_integral_value():
        forms.append("int")
    form = data.draw(st.sampled_from(forms))
    if form == "int":
        return int(value)
    if form == "float":
        return float(value)
    return value if form == "decimal" else str(value)


def random_case(text: str, data: st.DataObject) -> str:
    """Swap the case of some ASCII letters (``"ß".swapcase()`` is "SS": another text)."""
    return "".join(c.swapcase() if c.isascii() and data.draw(st.booleans()) else c for c in text)


def record_form(truth: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """The record as the engine receives it; a null is a missing key or None."""
    record: dict[str, Any] = {"Gsid": truth["Gsid"]}
    for field in FIELDS:
        value = truth[field]
        if value is None:
            if data.draw(st.booleans()):
                record[field] = None
            continue
        kind = TYPES[field]
        if kind is FieldType.NUMBER:
            value = number_form(value, data, as_record=True)
        elif kind is FieldType.DATE:
            value = date_form(value, data, as_record=True)
        elif kind is FieldType.DATETIME:
            value = datetime_form(value, data, as_record=True)
        elif kind is FieldType.PICKLIST:
            value = KIND_ITEMS[value]
        record[field] = value
    return record


# --------------------------------------------------------------------------- conditions

OPERATORS = {
    FieldType.STRING: [
        *("EQ", "NE", "IN", "NOT_IN", "CONTAINS", "STARTS_WITH", "ENDS_WITH"),
        *("GT", "GTE", "LT", "LTE", "BTW", "IS_NULL", "IS_NOT_NULL"),
    ],
    FieldType.NUMBER: ["EQ", "NE", "IN", "NOT_IN", "GT", "GTE", "LT", "LTE", "BTW", "IS_NULL", "IS_NOT_NULL"],
    FieldType.BOOLEAN: ["EQ", "NE", "IN", "NOT_IN", "IS_NULL", "IS_NOT_NULL"],
    FieldType.PICKLIST: ["EQ", "NE", "IN", "NOT_IN", "IS_NULL", "IS_NOT_NULL"],
}
OPERATORS[FieldType.GSID] = OPERATORS[FieldType.STRING]
OPERATORS[FieldType.DATE] = OPERATORS[FieldType.NUMBER]
OPERATORS[FieldType.DATETIME] = OPERATORS[FieldType.NUMBER]


@dataclass
class Cond:
    field: str
    operator: str
    truths: list[Any]  # what the values mean
    wire: list[Any]  # how the client sends them


def condition_value(field: str, operator: str, data: st.DataObject, truths: list[dict[str, Any]]) -> tuple[Any, Any]:
    """(truth, wire form) of one condition value; often one the records hold, so that
    equalities and range bounds meet actual rows."""
    kind = TYPES[field]
    present = [t[field] for t in truths if t[field] is not None]
    if present and kind is not FieldType.PICKLIST and data.draw(st.booleans()):
        truth = data.draw(st.sampled_from(present))
        if isinstance(truth, str) and operator in ("CONTAINS", "STARTS_WITH", "ENDS_WITH"):
            start = data.draw(st.integers(0, len(truth)))
            truth = truth[start : data.draw(st.integers(start, len(truth)))]
        return truth, wire_form(field, truth, data)
    if kind is FieldType.PICKLIST:
        choice = data.draw(st.sampled_from(["gsid", "label", "unknown-label", "unknown-gsid"]))
        label = data.draw(st.sampled_from(sorted(KIND_ITEMS)))
        if choice == "gsid":
            return label, random_case(KIND_ITEMS[label], data)
        if choice == "label":
            return label, random_case(label, data)
        if choice == "unknown-label":
            return UNKNOWN, "Nobody"
        return UNKNOWN, "1I0054U9FAKXZ0H26H8LWSP9IXL2NBBNBAGG"  # another tenant's item
    if field == "Csm" and data.draw(st.integers(0, 3)) == 0:
        return "1P01NOBODY000000000000000000000000000", "1P01NOBODY000000000000000000000000000"
    if kind is FieldType.STRING:
        truth = data.draw(st.text(TEXT, max_size=2))
        return truth, truth
    truth = data.draw(truth_values(field))
    return truth, wire_form(field, truth, data)


def wire_form(field: str, truth: Any, data: st.DataObject) -> Any:
    kind = TYPES[field]
    if kind in (FieldType.STRING, FieldType.GSID):
        return random_case(truth, data)
    if kind is FieldType.NUMBER:
        return number_form(truth, data, as_record=False)
    if kind is FieldType.BOOLEAN:
        return data.draw(st.sampled_from([truth, str(truth).lower(), str(truth).upper()]))
    if kind is FieldType.DATE:
        return date_form(truth, data, as_record=False)
    return datetime_form(truth, data, as_record=False)


def draw_condition(data: st.DataObject, truths: list[dict[str, Any]]) -> Cond:
    field = data.draw(st.sampled_from(FIELDS))
    operator = data.draw(st.sampled_from(OPERATORS[TYPES[field]]))
    if operator in ("IS_NULL", "IS_NOT_NULL"):
        count = 0
    elif operator == "BTW":
        count = 2
    elif operator in ("IN", "NOT_IN"):
        count = data.draw(st.integers(1, 3))
    else:
        count = 1
    pairs = [condition_value(field, operator, data, truths) for _ in range(count)]
    wire: list[Any] = [w for _, w in pairs]
    operator_text = random_case(operator, data) if data.draw(st.integers(0, 4)) == 0 else operator
    return Cond(field, operator_text, [t for t, _ in pairs], wire)


# --------------------------------------------------------------------------- reference


def comparable(field: str, value: Any) -> Any:
    """Truths in the order and equality the product promises (text: case-insensitive)."""
    if isinstance(value, str) and TYPES[field] in (FieldType.STRING, FieldType.GSID):
        return value.lower()
    if TYPES[field] is FieldType.PICKLIST and isinstance(value, str):
        return value.lower()  # labels are distinct whatever their case
    return value


def reference_condition(cond: Cond, truth: dict[str, Any]) -> bool:
    operator = cond.operator.upper()
    value = truth[cond.field]
    if operator == "IS_NULL":
        return value is None
    if operator == "IS_NOT_NULL":
        return value is not None
    if value is None:
        return operator in ("NE", "NOT_IN")  # "is not X" holds for a record without a value
    v = comparable(cond.field, value)
    wanted = [comparable(cond.field, t) for t in cond.truths]
    if operator == "EQ":
        return v == wanted[0]
    if operator == "NE":
        return v != wanted[0]
    if operator == "IN":
        return any(v == w for w in wanted)
    if operator == "NOT_IN":
        return all(v != w for w in wanted)
    if operator == "CONTAINS":
        return wanted[0] in v
    if operator == "STARTS_WITH":
        return v[: len(wanted[0])] == wanted[0]
    if operator == "ENDS_WITH":
        return len(wanted[0]) == 0 or v[-len(wanted[0]) :] == wanted[0]
    if operator == "GT":
        return v > wanted[0]
    if operator == "GTE":
        return v >= wanted[0]
    if operator == "LT":
        return v < wanted[0]
    if operator == "LTE":
        return v <= wanted[0]
    assert operator == "BTW"
    return wanted[0] <= v and v <= wanted[1]


# Expression trees: ("leaf", i) | ("not", t) | ("and", [t]) | ("or", [t]).
def trees(leaves: int) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.recursive(
        st.builds(lambda i: ("leaf", i), st.integers(0, leaves - 1)),
        lambda kids: st.one_of(
            st.builds(lambda t: ("not", t), kids),
            st.builds(lambda ts: ("and", ts), st.lists(kids, min_size=2, max_size=3)),
            st.builds(lambda ts: ("or", ts), st.lists(kids, min_size=2, max_size=3)),
        ),
        max_leaves=7,
    )


def leaves_of(tree: tuple[Any, ...]) -> set[int]:
    if tree[0] == "leaf":
        return {tree[1]}
    if tree[0] == "not":
        return leaves_of(tree[1])
    return set().union(*(leaves_of(child) for child in tree[1]))


def tree_truth(tree: tuple[Any, ...], holds: Callable[[int], bool]) -> bool:
    if tree[0] == "leaf":
        return holds(tree[1])
    if tree[0] == "not":
        return not tree_truth(tree[1], holds)
    results = [tree_truth(child, holds) for child in tree[1]]
    return all(results) if tree[0] == "and" else any(results)


def render(tree: tuple[Any, ...], aliases: list[str], data: st.DataObject) -> str:
    """Parentheses around every operation (a leaf's are optional), keywords in random
    case; minimal parenthesisation is the parser tests' concern."""
    kind = tree[0]
    if kind == "leaf":
        text = aliases[tree[1]]
    elif kind == "not":
        text = f"{random_case('NOT', data)} {render(tree[1], aliases, data)}"
    else:
        parts = [render(child, aliases, data) for child in tree[1]]
        text = f" {random_case(kind.upper(), data)} ".join(parts)
    # Parentheses are needed around everything but a leaf to keep the tree's shape in
    # general; a leaf gets optional ones.
    if kind != "leaf" or data.draw(st.booleans()):
        text = f"({text})"
    return text


def reference_sort(truths: list[dict[str, Any]], order: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """Sorted with a comparator: null greater than any value; Gsid last, in the direction
    of the last key (ascending when there is none)."""
    keys = list(order)
    if all(name != "Gsid" for name, _ in keys):
        keys.append(("Gsid", keys[-1][1] if keys else False))

    def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
        for name, descending in keys:
            x = None if a[name] is None else comparable(name, a[name]) if name != "Gsid" else a[name]
            y = None if b[name] is None else comparable(name, b[name]) if name != "Gsid" else b[name]
            if x == y:
                continue
            if x is None:
                result = 1
            elif y is None:
                result = -1
            else:
                result = -1 if x < y else 1
            return -result if descending else result
        return 0

    return sorted(truths, key=functools.cmp_to_key(compare))


# --------------------------------------------------------------------------- the query


@dataclass
class Drawn:
    body: dict[str, Any]
    holds: Callable[[dict[str, Any]], bool]  # the reference filter over truths
    order: list[tuple[str, bool]]


ALIAS_POOL = ["A", "B", "C", "a", "x1", "Cond_2", "NOTE", "ORB"]


def draw_query(data: st.DataObject, truths: list[dict[str, Any]]) -> Drawn:
    conditions = [draw_condition(data, truths) for _ in range(data.draw(st.integers(0, 4)))]
    where: dict[str, Any] | None = None
    holds: Callable[[dict[str, Any]], bool] = lambda truth: True  # noqa: E731
    if conditions and data.draw(st.booleans()):
        aliases = data.draw(
            st.lists(st.sampled_from(ALIAS_POOL), min_size=len(conditions), max_size=len(conditions), unique=True)
        )
        tree = data.draw(trees(len(conditions)))
        used = sorted(leaves_of(tree))
        where = {
            "conditions": [
                {
                    "name": conditions[i].field,
                    "alias": aliases[i],
                    "operator": conditions[i].operator,
                    "value": conditions[i].wire,
                }
                for i in used
            ],
            "expression": render(tree, aliases, data),
        }

        def holds(truth: dict[str, Any]) -> bool:
            return tree_truth(tree, lambda i: reference_condition(conditions[i], truth))

    elif conditions or data.draw(st.booleans()):
        items = []
        for i, c in enumerate(conditions):
            item: dict[str, Any] = {"name": c.field, "operator": c.operator, "value": c.wire}
            if data.draw(st.booleans()):
                item["alias"] = f"C{i}"
            if len(c.wire) == 1 and data.draw(st.integers(0, 3)) == 0:
                item["value"] = c.wire[0]  # a bare value is a list of one
            items.append(item)
        where = {"conditions": items}

        def holds(truth: dict[str, Any]) -> bool:
            return all(reference_condition(c, truth) for c in conditions)

    order = data.draw(
        st.lists(st.tuples(st.sampled_from(["Gsid", *FIELDS]), st.booleans()), max_size=3, unique_by=lambda t: t[0])
    )
    body: dict[str, Any] = {"select": ["Name", "Kind"], "includeTotal": data.draw(st.booleans())}
    if where is not None:
        body["where"] = where
    if order or data.draw(st.booleans()):
        body["orderBy"] = {name: random_case("desc" if d else "asc", data) for name, d in order}
    return Drawn(body, holds, order)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_engine_equals_reference(data: st.DataObject) -> None:
    truths = data.draw(truth_records())
    records = [record_form(t, data) for t in truths]
    drawn = draw_query(data, truths)
    limit = data.draw(st.integers(1, 12))
    if data.draw(st.booleans()):
        drawn.body["page"] = data.draw(st.integers(0, len(records) // limit + 1))
        offset = drawn.body["page"] * limit
    else:
        drawn.body["offset"] = offset = data.draw(st.integers(0, len(records) + 1))
    drawn.body["limit"] = limit

    query = parse_query(drawn.body, SCHEMA, OPTIONS)
    result = execute(query, records)

    expected = reference_sort([t for t in truths if drawn.holds(t)], drawn.order)
    assert [r["Gsid"] for r in result.rows] == [t["Gsid"] for t in expected[offset : offset + limit]]
    assert result.total == (len(expected) if drawn.body["includeTotal"] else None)
    by_gsid = {r["Gsid"]: r for r in records}
    assert all(matches(query.where, by_gsid[t["Gsid"]]) == drawn.holds(t) for t in truths)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_each_condition_equals_reference(data: st.DataObject) -> None:
    """One condition at a time, every record checked: each operator and value form gets
    many examples of its own, not masked by the rest of an expression."""
    truths = data.draw(truth_records())
    records = [record_form(t, data) for t in truths]
    cond = draw_condition(data, truths)
    body = {
        "select": ["Name"],
        "where": {"conditions": [{"name": cond.field, "operator": cond.operator, "value": cond.wire}]},
    }
    query = parse_query(body, SCHEMA, OPTIONS)
    assert [matches(query.where, r) for r in records] == [reference_condition(cond, t) for t in truths]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_sort_equals_reference(data: st.DataObject) -> None:
    truths = data.draw(truth_records())
    records = [record_form(t, data) for t in truths]
    order = data.draw(
        st.lists(
            st.tuples(st.sampled_from(["Gsid", *FIELDS]), st.booleans()),
            min_size=1,
            max_size=3,
            unique_by=lambda t: t[0],
        )
    )
    body = {"select": ["Name"], "orderBy": {name: "desc" if d else "asc" for name, d in order}, "limit": 50}
    rows = execute(parse_query(body, SCHEMA, OPTIONS), records).rows
    assert [r["Gsid"] for r in rows] == [t["Gsid"] for t in reference_sort(truths, order)]


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_paging_returns_every_matching_row_exactly_once(data: st.DataObject) -> None:
    truths = data.draw(truth_records(max_size=30))
    records = [record_form(t, data) for t in truths]
    drawn = draw_query(data, truths)
    limit = data.draw(st.integers(1, 7))
    drawn.body["limit"] = limit
    drawn.body["includeTotal"] = True
    use_page = data.draw(st.booleans())

    seen: list[str] = []
    totals = set()
    for number in range(len(records) + 2):
        drawn.body["page" if use_page else "offset"] = number if use_page else number * limit
        # The store may hand rows over in any order: paging must not depend on it.
        shuffled = data.draw(st.permutations(records))
        result = execute(parse_query(drawn.body, SCHEMA, OPTIONS), shuffled)
        totals.add(result.total)
        if not result.rows:
            break
        assert len(result.rows) <= limit
        seen.extend(r["Gsid"] for r in result.rows)

    matching = {t["Gsid"] for t in truths if drawn.holds(t)}
    assert len(seen) == len(set(seen)), "a row came back twice"
    assert set(seen) == matching
    assert totals == {len(matching)}


# --------------------------------------------------------------------------- semantics


def run(body: dict[str, Any], records: list[dict[str, Any]], schema: Schema = SCHEMA) -> list[str]:
    return [r["Gsid"] for r in execute(parse_query({"select": ["Name"], **body}, schema, OPTIONS), records).rows]


def where(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"where": {"conditions": list(conditions)}, "limit": 50}


ROWS = [
    {"Gsid": "G1", "Name": "Alice", "Score": 1, "Kind": KIND_ITEMS["Internal"]},
    {"Gsid": "G2", "Name": None, "Score": None, "Kind": None},
    {"Gsid": "G3"},
    {"Gsid": "G4", "Name": "bob", "Score": Decimal("2.50"), "Kind": KIND_ITEMS["guest"]},
]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"name": "Name", "operator": "NE", "value": ["alice"]}, ["G2", "G3", "G4"]),
        ({"name": "Name", "operator": "NOT_IN", "value": ["ALICE", "x"]}, ["G2", "G3", "G4"]),
        ({"name": "Name", "operator": "EQ", "value": ["ALICE"]}, ["G1"]),
        ({"name": "Name", "operator": "IN", "value": ["alice", "BOB"]}, ["G1", "G4"]),
        ({"name": "Name", "operator": "CONTAINS", "value": ["LIC"]}, ["G1"]),
        ({"name": "Name", "operator": "STARTS_WITH", "value": ["B"]}, ["G4"]),
        ({"name": "Name", "operator": "ENDS_WITH", "value": ["CE"]}, ["G1"]),
        ({"name": "Name", "operator": "IS_NULL"}, ["G2", "G3"]),
        ({"name": "Name", "operator": "IS_NOT_NULL", "value": []}, ["G1", "G4"]),
        ({"name": "Score", "operator": "GT", "value": [-100]}, ["G1", "G4"]),
        ({"name": "Score", "operator": "LT", "value": [100]}, ["G1", "G4"]),
        ({"name": "Score", "operator": "EQ", "value": ["2.5"]}, ["G4"]),
        ({"name": "Score", "operator": "EQ", "value": [1.0]}, ["G1"]),
        ({"name": "Score", "operator": "BTW", "value": [1, 2.5]}, ["G1", "G4"]),
        ({"name": "Score", "operator": "BTW", "value": [3, 1]}, []),
        ({"name": "Kind", "operator": "EQ", "value": ["INTERNAL"]}, ["G1"]),
        ({"name": "Kind", "operator": "EQ", "value": [KIND_ITEMS["Internal"].lower()]}, ["G1"]),
        ({"name": "Kind", "operator": "IN", "value": ["Guest", "Nobody"]}, ["G4"]),
        ({"name": "Kind", "operator": "EQ", "value": ["Nobody"]}, []),
        ({"name": "Kind", "operator": "NE", "value": ["Nobody"]}, ["G1", "G2", "G3", "G4"]),
        ({"name": "Kind", "operator": "NOT_IN", "value": ["Internal"]}, ["G2", "G3", "G4"]),
    ],
)
def test_null_and_case_semantics(condition: dict[str, Any], expected: list[str]) -> None:
    assert run(where(condition), ROWS) == expected


def test_stored_values_that_do_not_fit_their_type_are_null() -> None:
    rows = [{"Gsid": "G1", "Score": "lots", "Seen": "never"}, {"Gsid": "G2", "Score": 3, "Seen": 0}]
    assert run(where({"name": "Score", "operator": "IS_NULL"}), rows) == ["G1"]
    assert run(where({"name": "Seen", "operator": "IS_NOT_NULL"}), rows) == ["G2"]
    assert run(where({"name": "Score", "operator": "NE", "value": [3]}), rows) == ["G1"]


@pytest.mark.parametrize(
    "text",
    [
        1718454896123,
        "1718454896123",
        "2024-06-15T12:34:56.123Z",
        "2024-06-15T12:34:56.123+00:00",
        "2024-06-15T14:34:56.123+02:00",
        "2024-06-15T07:04:56.123-05:30",
        "2024-06-15T12:34:56.123",
        "2024-06-15 12:34:56.123",
        "2024-06-15t12:34:56.123z",
    ],
)
def test_date_time_forms(text: Any) -> None:
    assert to_epoch_millis(text) == 1718454896123


def test_date_forms() -> None:
    assert to_epoch_millis("2024-06-15 12:34:56") == 1718454896000
    assert to_epoch_millis("2024-06-15") == 1718409600000
    assert to_epoch_millis(date(2024, 6, 15)) == 1718409600000
    assert to_epoch_millis(datetime(2024, 6, 15, 12, 34, 56)) == 1718454896000
    # A date field keeps the UTC day: 01:00 at +05:00 is the day before in UTC.
    assert to_epoch_millis("2024-06-15T01:00:00+05:00", date_only=True) == to_epoch_millis("2024-06-14")
    assert to_epoch_millis(1718454896123, date_only=True) == 1718409600000
    for bad in ["15/06/2024", "", True, None, float("nan"), [2024]]:
        with pytest.raises(ValueError):
            to_epoch_millis(bad)


def test_date_field_compares_days() -> None:
    rows = [{"Gsid": "G1", "Born": "2024-06-15"}, {"Gsid": "G2", "Born": 1718496000000}]  # 2024-06-16
    assert run(where({"name": "Born", "operator": "EQ", "value": ["2024-06-15 23:59:59"]}), rows) == ["G1"]
    assert run(where({"name": "Born", "operator": "GTE", "value": ["2024-06-16T10:00:00Z"]}), rows) == ["G2"]


def test_sort_nulls_last_ascending_first_descending() -> None:
    rows = [{"Gsid": "G1", "Name": "b"}, {"Gsid": "G2"}, {"Gsid": "G3", "Name": "A"}, {"Gsid": "G0", "Name": None}]
    assert run({"orderBy": {"Name": "asc"}}, rows) == ["G3", "G1", "G0", "G2"]
    assert run({"orderBy": {"Name": "desc"}}, rows) == ["G2", "G0", "G1", "G3"]


def test_sort_on_several_fields_breaks_ties_by_gsid() -> None:
    rows = [
        {"Gsid": "G3", "Active": True, "Score": 1},
        {"Gsid": "G1", "Active": True, "Score": 1},
        {"Gsid": "G2", "Active": False, "Score": 5},
        {"Gsid": "G4", "Active": True, "Score": 2},
    ]
    assert run({"orderBy": {"Active": "desc", "Score": "asc"}}, rows) == ["G1", "G3", "G4", "G2"]
    assert run({"orderBy": {"Active": "desc", "Score": "desc"}}, rows) == ["G4", "G3", "G1", "G2"]
    assert run({}, rows) == ["G1", "G2", "G3", "G4"]


def test_picklists_sort_by_label() -> None:
    rows = [{"Gsid": f"G{i}", "Kind": gsid} for i, gsid in enumerate(KIND_ITEMS.values())]
    # Labels Internal, External, guest, Partner: case-insensitive order.
    assert run({"orderBy": {"Kind": "asc"}}, rows) == ["G1", "G2", "G0", "G3"]


def test_module_functions() -> None:
    query = parse_query({"select": ["Name"], "orderBy": {"Score": "desc"}}, SCHEMA)
    ordered = sort(ROWS, query.order_by)
    assert [r["Gsid"] for r in ordered] == ["G3", "G2", "G4", "G1"]
    assert page(ordered, 2, 1) == ordered[1:3]
    assert matches(None, {})


def test_introspection_for_push_down() -> None:
    query = parse_query(
        {
            "select": ["Name", "Kind"],
            "where": {
                "conditions": [
                    {"name": "Kind", "alias": "K", "operator": "EQ", "value": ["Internal"]},
                    {"name": "Name", "alias": "N", "operator": "IS_NULL"},
                ],
                "expression": "K or not N",
            },
            "orderBy": {"Seen": "desc"},
            "page": 3,
            "limit": 10,
        },
        SCHEMA,
    )
    assert query.where_fields() == {"Kind", "Name"}
    assert not query.is_unfiltered()
    assert query.order_fields() == ("Seen",)
    assert [(k.name, k.descending) for k in query.order_by] == [("Seen", True), ("Gsid", True)]
    assert (query.limit, query.offset, query.page) == (10, 30, 3)

    plain = parse_query({"select": ["Name"], "orderBy": {"Name": "ASC"}, "where": {"conditions": []}}, SCHEMA)
    assert plain.is_unfiltered() and plain.where_fields() == frozenset()
    assert plain.order_fields() == ("Name",)
    assert [(k.name, k.descending) for k in plain.order_by] == [("Name", False), ("Gsid", False)]


def test_lookup_paths() -> None:
    user = Schema.of("User", Field("Gsid", FieldType.GSID), Field("Email", FieldType.STRING))
    company = Schema.of(
        "Company",
        Field("Gsid", FieldType.GSID),
        Field("Name", FieldType.STRING),
        Field("Csm", FieldType.GSID, target="User"),
        Field("Owner__gc", FieldType.GSID, target="User"),
        Field("ParentCompany", FieldType.GSID, target="Company"),
    )
    catalog = {"User": user, "Company": company}
    body = {
        "select": ["Name", "Csm__gr.Email", "Owner__gr.Email", "ParentCompany__gr.Csm__gr.Email"],
        "where": {"conditions": [{"name": "Csm__gr.Email", "operator": "ENDS_WITH", "value": ["@ACME.COM"]}]},
        "orderBy": {"ParentCompany__gr.Name": "asc"},
    }
    query = parse_query(body, company, catalog=catalog)
    assert query.lookup_paths() == {
        "Csm__gr.Email",
        "Owner__gr.Email",
        "ParentCompany__gr.Csm__gr.Email",
        "ParentCompany__gr.Name",
    }
    rows = [
        {"Gsid": "C1", "Csm__gr.Email": "x@acme.com", "ParentCompany__gr.Name": "b"},
        {"Gsid": "C2", "Csm__gr.Email": "y@other.com"},
        {"Gsid": "C3", "Csm__gr.Email": "z@Acme.com", "ParentCompany__gr.Name": "A"},
    ]
    assert [r["Gsid"] for r in execute(query, rows).rows] == ["C3", "C1"]


# --------------------------------------------------------------------------- the seed

SEED_LIST_SAMPLE = {
    "includeTotal": True,
    "limit": 25,
    "page": 0,
    "orderBy": {"ModifiedDate": "desc"},
    "select": ["Name", "SFDCUserName", "Email", "IsSuperAdmin", "ModifiedDate", "LicenseType"],
    "where": {
        "conditions": [
            {
                "name": "SystemType",
                "alias": "SystemTypeNotIn",
                "value": ["1I0054U9FAKXZ0H26H8LWSP9IXL2NBBNBAGG", "1I00BVVU4MEPNLT5UUTEI7IOVQ51BTETMIYR"],
                "operator": "NOT_IN",
            },
            {
                "alias": "A",
                "name": "SystemType",
                "operator": "IN",
                "value": ["1I0054U9FAKXZ0H26HIODPYB6VXM69JDPA5O", "1I0054U9FAKXZ0H26HR1I0W4KFTTAGJ8UIUH"],
            },
        ],
        "expression": "SystemTypeNotIn AND (A)",
    },
}
SYSTEM_TYPES = {"Internal": "1I0054U9FAKXZ0H26HOLPCQ81MF6AUC6FF2X"} | {
    label: system_item_gsid("SystemType", label) for label in ["External", "Guest", "Partner"]
}
USER = Schema.of(
    "User",
    Field("Gsid", FieldType.GSID),
    *(Field(name, FieldType.STRING) for name in ["Name", "SFDCUserName", "Email"]),
    Field("IsSuperAdmin", FieldType.BOOLEAN),
    Field("ModifiedDate", FieldType.DATETIME),
    Field("LicenseType", FieldType.PICKLIST, {"Viewer": "1I003CYFM4Q8T50O0EK4EPT0XX6S7SUXS5JJ"}),
    Field("SystemType", FieldType.PICKLIST, SYSTEM_TYPES),
)


def test_seed_list_sample_is_valid_and_matches_no_user_of_this_tenant() -> None:
    query = parse_query(SEED_LIST_SAMPLE, USER, QueryOptions(select_error_code="GU_1705"))
    assert query.select == tuple(SEED_LIST_SAMPLE["select"])
    assert (query.limit, query.offset, query.page, query.include_total) == (25, 0, 0, True)
    assert query.where_fields() == {"SystemType"} and query.order_fields() == ("ModifiedDate",)
    users = [
        {"Gsid": f"1P01{i:032d}", "SystemType": gsid, "ModifiedDate": f"2024-01-0{i + 1}T00:00:00Z"}
        for i, gsid in enumerate([*SYSTEM_TYPES.values(), None])
    ]
    result = execute(query, users)
    assert result.rows == [] and result.total == 0
    # The same shape with this tenant's items does match: the sample is only foreign.
    own = {**SEED_LIST_SAMPLE, "where": {**SEED_LIST_SAMPLE["where"]}}
    own["where"]["conditions"] = [
        {**SEED_LIST_SAMPLE["where"]["conditions"][0], "value": ["Guest", "partner"]},
        {**SEED_LIST_SAMPLE["where"]["conditions"][1], "value": ["Internal", SYSTEM_TYPES["External"]]},
    ]
    rows = execute(parse_query(own, USER), users).rows
    assert [r["SystemType"] for r in rows] == [SYSTEM_TYPES["External"], SYSTEM_TYPES["Internal"]]
