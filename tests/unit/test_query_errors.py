"""Every invalid query is a 400 whose message names the problem (SPEC §1.2, §1.5); unknown
select fields carry the code the calling API chooses."""

from __future__ import annotations

from typing import Any

import pytest

from cscore.errors import BadRequest
from cscore.query import (
    Field,
    FieldType,
    InvalidValue,
    QueryError,
    QueryOptions,
    Schema,
    UnknownField,
    UnknownSelectFields,
    parse_query,
)

INTERNAL = "1I0054U9FAKXZ0H26HOLPCQ81MF6AUC6FF2X"
USER = Schema.of(
    "User",
    Field("Gsid", FieldType.GSID),
    Field("Name", FieldType.STRING),
    Field("Email", FieldType.STRING),
    Field("Age", FieldType.NUMBER),
    Field("IsActiveUser", FieldType.BOOLEAN),
    Field("Birthday", FieldType.DATE),
    Field("ModifiedDate", FieldType.DATETIME),
    Field("SystemType", FieldType.PICKLIST, {"Internal": INTERNAL}),
    Field("Manager", FieldType.GSID, target="User"),
)
CATALOG = {"User": USER}

OPERATORS = (
    "EQ, NE, IN, NOT_IN, CONTAINS, STARTS_WITH, ENDS_WITH, GT, GTE, LT, LTE, BTW, IS_NULL, IS_NOT_NULL (in any case)"
)


def body(*conditions: dict[str, Any], expression: str | None = None, **extra: Any) -> dict[str, Any]:
    where: dict[str, Any] = {"conditions": list(conditions)}
    if expression is not None:
        where["expression"] = expression
    return {"select": ["Name"], "where": where, **extra}


def cond(name: str, operator: str, value: Any = None, alias: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "operator": operator}
    if value is not None:
        out["value"] = value
    if alias is not None:
        out["alias"] = alias
    return out


def fails(raw: Any, options: QueryOptions | None = None) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse_query(raw, USER, options, catalog=CATALOG)
    error = caught.value
    assert isinstance(error, BadRequest) and error.status == 400
    return error


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        # unknown alias, alias defined twice, expression problems
        (
            body(cond("Name", "EQ", ["x"], "A"), expression="A OR B"),
            "unknown alias 'B' at character 6 of the expression",
        ),
        (
            body(cond("Name", "EQ", ["x"], "A"), cond("Email", "EQ", ["y"], "A"), expression="A"),
            "alias 'A' is defined twice",
        ),
        (
            body(cond("Name", "EQ", ["x"], "A"), expression="(A"),
            "unbalanced parentheses: '(' at character 1 is never closed",
        ),
        (
            body(cond("Name", "EQ", ["x"], "A"), expression="A)"),
            "unbalanced parentheses: unexpected ')' at character 2",
        ),
        (
            body(cond("Name", "EQ", ["x"], "A"), expression="A OR"),
            "dangling operator 'OR' at character 3: nothing follows it",
        ),
        (body(cond("Name", "EQ", ["x"], "A"), expression=""), "expression is empty"),
        (body(expression="A"), "unknown alias 'A' at character 1 of the expression"),
        (
            body(cond("Name", "EQ", ["x"], "A"), cond("Email", "EQ", ["y"]), expression="A"),
            "condition #2 (Email) has no alias, but the expression can only refer to conditions by alias",
        ),
        (
            body(cond("Name", "EQ", ["x"], "A"), cond("Email", "EQ", ["y"], "B"), expression="A"),
            "condition 'B' is not used in the expression",
        ),
        (body(cond("Name", "EQ", ["x"], "A B"), expression="A"), "alias 'A B' may hold only letters, digits and '_'"),
        (body(cond("Name", "EQ", ["x"], "not"), expression="not"), "alias 'not' is a reserved word"),
        # unknown operator, operator not for this type
        (
            body(cond("Name", "LIKE", ["x"], "A")),
            f"where.conditions[0].operator: 'LIKE' is not one of {OPERATORS}",
        ),
        (
            body(cond("Name", "EQUALS", ["x"])),
            f"where.conditions[0].operator: 'EQUALS' is not one of {OPERATORS}",
        ),
        (body(cond("Age", "CONTAINS", ["1"])), "operator CONTAINS is not supported for field 'Age' of type number"),
        (body(cond("SystemType", "GT", ["x"])), "operator GT is not supported for field 'SystemType' of type picklist"),
        (
            body(cond("IsActiveUser", "LT", [True])),
            "operator LT is not supported for field 'IsActiveUser' of type boolean",
        ),
        # wrong number of values
        (body(cond("Age", "BTW", [1], "R")), "operator BTW in condition 'R' (Age) takes exactly 2 values, got 1"),
        (body(cond("Age", "BTW", [1, 2, 3])), "operator BTW in condition #1 (Age) takes exactly 2 values, got 3"),
        (body(cond("Name", "EQ", ["a", "b"])), "operator EQ in condition #1 (Name) takes exactly 1 value, got 2"),
        (body(cond("Name", "EQ", [])), "operator EQ in condition #1 (Name) takes exactly 1 value, got 0"),
        (body(cond("Name", "EQ")), "operator EQ in condition #1 (Name) takes exactly 1 value, got 0"),
        (body(cond("Name", "IN", [])), "operator IN in condition #1 (Name) takes at least 1 value, got 0"),
        (body(cond("Name", "IS_NULL", ["x"])), "operator IS_NULL in condition #1 (Name) takes no value, got 1"),
        (body(cond("Age", "GT", ["1", "2"])), "operator GT in condition #1 (Age) takes exactly 1 value, got 2"),
        # wrong value type: the field is named
        (body(cond("Age", "GT", ["old"])), "invalid value \"old\" for field 'Age' (number) in condition #1 (Age)"),
        (body(cond("Age", "EQ", [True])), "invalid value true for field 'Age' (number) in condition #1 (Age)"),
        (body(cond("Name", "EQ", [5], "N")), "invalid value 5 for field 'Name' (string) in condition 'N' (Name)"),
        (
            body(cond("IsActiveUser", "EQ", ["yes"])),
            "invalid value \"yes\" for field 'IsActiveUser' (boolean) in condition #1 (IsActiveUser)",
        ),
        (
            body(cond("ModifiedDate", "GT", ["yesterday"])),
            "invalid value \"yesterday\" for field 'ModifiedDate' (datetime) in condition #1 (ModifiedDate)",
        ),
        (
            body(cond("Birthday", "EQ", ["2024-13-01"])),
            "invalid value \"2024-13-01\" for field 'Birthday' (date) in condition #1 (Birthday)",
        ),
        (
            body(cond("SystemType", "IN", [["Internal"]])),
            "invalid value [\"Internal\"] for field 'SystemType' (picklist) in condition #1 (SystemType)",
        ),
        (body(cond("Name", "IN", ["a", None])), "null value for field 'Name' in condition #1 (Name): use IS_NULL"),
        # unknown fields in conditions and orderBy; orderBy direction
        (body(cond("Nmae", "EQ", ["x"], "A")), "unknown field 'Nmae' in condition 'A' (Nmae)"),
        (
            body(cond("Manager__gr.Nope", "EQ", ["x"])),
            "unknown field 'Manager__gr.Nope' in condition #1 (Manager__gr.Nope)",
        ),
        ({"select": ["Name"], "orderBy": {"Nmae": "asc"}}, "unknown field 'Nmae' in orderBy"),
        (
            {"select": ["Name"], "orderBy": {"Name": "up"}},
            "orderBy.Name: 'up' is not one of asc, desc (in any case)",
        ),
        # limits and paging
        ({"select": ["Name"], "limit": 0}, "limit: Input should be greater than or equal to 1"),
        ({"select": ["Name"], "limit": 1001}, "limit must be between 1 and 1000, got 1001"),
        ({"select": ["Name"], "page": -1}, "page: Input should be greater than or equal to 0"),
        ({"select": ["Name"], "offset": -5}, "offset: Input should be greater than or equal to 0"),
        ({"select": ["Name"], "page": 1, "offset": 25}, "give either page or offset, not both"),
        # shape
        ({"where": {}}, "select is required: name at least one field"),
        ({"select": []}, "select is required: name at least one field"),
        ({"select": ["Name"], "sort": {}}, "sort: unknown field"),
        (body(cond("Name", "EQ", ["x"]) | {"alias2": "A"}), "where.conditions[0].alias2: unknown field"),
        (
            {"select": ["Name"], "where": {"conditions": [{"name": "Name"}]}},
            "where.conditions[0].operator: Field required",
        ),
        ({"select": "Name"}, "select: must be a JSON array"),
        ({"select": ["Name"], "limit": "many"}, "limit: must be an integer"),
        ({"select": ["Name"], "limit": "10"}, "limit: must be an integer"),
        ({"select": ["Name"], "includeTotal": "maybe"}, "includeTotal: must be true or false"),
        ({"select": ["Name"], "where": []}, "where: must be a JSON object"),
        (
            {"select": ["Name"], "where": {"conditions": [{"name": "Name", "operator": 5}]}},
            "where.conditions[0].operator: must be a string",
        ),
        (["Name"], "body: must be a JSON object"),
    ],
)
def test_message_names_the_problem(raw: Any, message: str) -> None:
    error = fails(raw)
    assert error.desc == message
    assert error.code == "GS_1400"


def test_value_errors_name_the_field() -> None:
    error = fails(body(cond("ModifiedDate", "GT", ["not a date"])))
    assert isinstance(error, InvalidValue) and error.field == "ModifiedDate"


def test_unknown_field_errors_name_the_field() -> None:
    error = fails({"select": ["Name"], "orderBy": {"Nope": "asc"}})
    assert isinstance(error, UnknownField) and error.field == "Nope"
    error = fails(body(cond("Nope", "EQ", ["x"])))
    assert isinstance(error, UnknownField) and error.field == "Nope"


@pytest.mark.parametrize("code", ["GU_1705", "GSOBJ_1002"])
def test_unknown_select_fields_carry_the_callers_code(code: str) -> None:
    raw = {"select": ["Name", "Nope", "Manager__gr.Email", "Manager__gr.Nope", "Nope"]}
    error = fails(raw, QueryOptions(select_error_code=code))
    assert isinstance(error, UnknownSelectFields)
    assert error.code == code
    assert error.fields == ["Nope", "Manager__gr.Nope"]
    assert error.desc == "Invalid select fields: Nope, Manager__gr.Nope"


def test_unknown_select_fields_default_to_bad_request() -> None:
    error = fails({"select": ["Nope"]})
    assert isinstance(error, UnknownSelectFields) and error.code == "GS_1400"


def test_object_query_limits() -> None:
    options = QueryOptions(default_limit=100, max_limit=5000)
    assert parse_query({"select": ["Name"], "limit": 5000}, USER, options).limit == 5000
    assert parse_query({"select": ["Name"]}, USER, options).limit == 100
    assert fails({"select": ["Name"], "limit": 5001}, options).desc == "limit must be between 1 and 5000, got 5001"


def test_select_may_be_optional() -> None:
    query = parse_query({}, USER, QueryOptions(select_required=False))
    assert query.select == () and query.is_unfiltered()


def test_a_picklist_value_naming_no_item_is_not_an_error() -> None:
    query = parse_query(body(cond("SystemType", "IN", ["Nobody", "1I00ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"])), USER)
    assert query.where is not None
