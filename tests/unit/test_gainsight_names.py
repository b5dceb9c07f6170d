"""Gainsight's names on every data path (SPEC §7): object and field names in any case and
Gainsight's API names (``company_person``, ``gsuser``, ``Company_ID``) on the object query
API, the users list and the Company data API; answers key each field as the request
wrote it; Gainsight's further Company fields; epoch milliseconds in write answers."""

from __future__ import annotations

from typing import Any

import pytest

from cscore.auth.principal import Principal
from cscore.catalog import COMPANY, OBJECTS, resolve_object
from cscore.companies import service as companies
from cscore.errors import ApiError
from cscore.meta import describe
from cscore.objects import query, writable
from cscore.platform import keys, table
from cscore.query import to_epoch_millis
from cscore.users import listing
from tests.unit import test_objects_query as objects_tests

admin, data = objects_tests.admin, objects_tests.data


def _q(caller: Principal, obj: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(query.query_objects(caller, obj, body)["records"])


def _where(*conditions: tuple[str, str, list[Any]]) -> dict[str, Any]:
    return {"conditions": [{"name": n, "operator": o, "value": v} for n, o, v in conditions]}


def _renamed(rows: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    return [{names.get(k, k): v for k, v in row.items()} for row in rows]


def _member(admin: Principal, user_gsid: str) -> Principal:
    """A caller that is not a super admin (company data is public by default)."""
    tenant_item = table.read_one(keys.tenant(admin.tenant_id)) or {}
    return Principal(admin.tenant_id, "P", user_gsid, False, "ACCESS_KEY", "k", {}, tenant_item)


# ---------------------------------------------------------------- catalog


def test_every_object_resolves_by_its_names_in_any_case() -> None:
    for obj in OBJECTS.values():
        for name in (obj.name, obj.name.upper(), obj.name.lower(), obj.api_name, obj.api_name.upper(), f" {obj.name} "):
            assert resolve_object(name) is obj, name
    assert [resolve_object(n) for n in ("Opportunity", "company person", "users", "")] == [None] * 4


def test_fields_resolve_in_any_case_and_by_gainsights_names() -> None:
    company_person = OBJECTS["CompanyPerson"]
    assert COMPANY.field_named("GSID") is COMPANY["Gsid"] and COMPANY.field_named("arr") is COMPANY["ARR"]
    assert COMPANY.field_named("Mrr") is COMPANY["MRR"] and COMPANY.field_named("Company_ID") is None
    assert company_person.field_named("company_id") is company_person["CompanyId"]
    assert company_person.field_named("PERSON_ID") is company_person["PersonId"]


# ---------------------------------------------------------------- object query


def test_names_in_any_case_give_the_same_rows_keyed_as_written(admin, data) -> None:
    body = {
        "select": ["Gsid", "Name", "ModifiedDate", "Csm__gr.Email"],
        "where": _where(("Name", "STARTS_WITH", ["a"]), ("Gsid", "IS_NOT_NULL", [])),
        "orderBy": {"Name": "desc"},
    }
    expected = _q(admin, "Company", body)
    assert [r["Name"] for r in expected] == ["Acme"]
    renamed = {"Gsid": "GSID", "Name": "name", "ModifiedDate": "MODIFIEDDATE", "Csm__gr.Email": "csm__GR.email"}
    other = {
        "select": [renamed[n] for n in body["select"]],
        "where": _where(("NAME", "STARTS_WITH", ["a"]), ("gsid", "IS_NOT_NULL", [])),
        "orderBy": {"nAmE": "desc"},
    }
    for obj in ("Company", "company", "COMPANY"):
        rows = _q(admin, obj, other)
        assert [list(r) for r in rows] == [list(renamed.values())]
        assert _renamed(expected, renamed) == rows


def test_company_person_by_gainsights_names(admin, data) -> None:
    acme = data["acme"]["Gsid"]
    body = {
        "select": ["Gsid", "CompanyId", "PersonId", "PersonId__gr.Email"],
        "where": _where(("CompanyId", "EQ", [acme])),
        "orderBy": {"PersonId__gr.Email": "asc"},
    }
    expected = _q(admin, "CompanyPerson", body)
    assert len(expected) == 2
    names = {
        "Gsid": "gsid",
        "CompanyId": "Company_ID",
        "PersonId": "Person_ID",
        "PersonId__gr.Email": "Person_ID__gr.Email",
    }
    other = {
        "select": [names[n] for n in body["select"]],
        "where": _where(("company_id", "EQ", [acme])),
        "orderBy": {"Person_ID__gr.email": "asc"},
    }
    assert _q(admin, "company_person", other) == _renamed(expected, names)
    assert _q(admin, "company_team", {"select": ["userid"]}) == _q(admin, "CompanyTeam", {"select": ["userid"]})
    assert len(_q(admin, "person", {"select": ["EMAIL"]})) == 3


def test_a_name_that_means_nothing_is_the_same_error_naming_it_as_written(admin, data) -> None:
    for body, name in (
        ({"select": ["Gsid", "Nmae"]}, "Nmae"),
        ({"select": ["Gsid"], "where": _where(("Nmae", "EQ", ["x"]))}, "Nmae"),
        ({"select": ["Gsid"], "orderBy": {"nmae": "asc"}}, "nmae"),
        ({"select": ["Csm__gr.Nmae"]}, "Csm__gr.Nmae"),
        ({"select": ["Company_ID"]}, "Company_ID"),  # CompanyPerson's name, not Company's
    ):
        with pytest.raises(ApiError) as error:
            _q(admin, "Company", body)
        assert (error.value.status, error.value.code) == (400, "GSOBJ_1002")
        assert name in error.value.desc, error.value.desc


def test_two_names_of_one_field_in_order_by_are_refused_naming_both(admin, data) -> None:
    with pytest.raises(ApiError) as error:
        _q(admin, "Company", {"select": ["Gsid"], "orderBy": {"Name": "asc", "NAME": "desc"}})
    assert error.value.status == 400 and "'Name' and 'NAME'" in error.value.desc


def test_selecting_one_field_by_two_names_answers_both(admin, data) -> None:
    rows = _q(admin, "Company", {"select": ["Gsid", "GSID"], "orderBy": {"Name": "asc"}})
    assert rows == [{"Gsid": data["acme"]["Gsid"], "GSID": data["acme"]["Gsid"]},
                    {"Gsid": data["bolt"]["Gsid"], "GSID": data["bolt"]["Gsid"]}]  # fmt: skip


# ---------------------------------------------------------------- gsuser


def test_gsuser_is_queried_with_where_order_and_paging(admin, data) -> None:
    body = {
        "select": ["Email", "Name", "Status", "systemtype", "ModifiedDate"],
        "where": _where(("email", "ENDS_WITH", ["@x.io"]), ("IsActiveUser", "EQ", [True])),
        "orderBy": {"EMAIL": "desc"},
        "limit": 1,
    }
    first = _q(admin, "gsuser", body)
    second = _q(admin, "GSUSER", {**body, "offset": 1})
    assert [r["Email"] for r in first + second] == ["bob@x.io", "ann@x.io"]
    assert list(first[0]) == ["Email", "Name", "Status", "systemtype", "ModifiedDate"]
    assert first[0]["Status"] == "Active" and first[0]["systemtype"] == "Internal"
    assert isinstance(first[0]["ModifiedDate"], int)
    assert _q(admin, "User", body) == first
    labelled = _q(admin, "gsuser", {"select": ["Email"], "where": _where(("SystemType", "EQ", ["internal"]))})
    assert {r["Email"] for r in labelled} >= {"ann@x.io", "bob@x.io"}


def test_gsuser_reads_by_index_not_every_user(admin, data, items_read) -> None:
    items_read.clear()
    rows = _q(admin, "gsuser", {"select": ["Gsid"], "where": _where(("EMAIL", "EQ", ["ann@x.io"]))})
    assert rows == [{"Gsid": data["ann"]["Gsid"]}]
    assert sum(items_read) <= 3, items_read  # the tenant item, the e-mail index item, the user


def test_gsuser_shows_other_users_only_what_lookup_paths_show(admin, data) -> None:
    member = _member(admin, data["bob"]["Gsid"])
    assert {r["Email"] for r in _q(member, "gsuser", {"select": ["Email", "Title"]})} >= {"ann@x.io", "bob@x.io"}
    with pytest.raises(ApiError) as error:
        _q(member, "gsuser", {"select": ["Email", "SFDCUserName"]})
    assert (error.value.status, error.value.code) == (400, "GSOBJ_1002")


# ---------------------------------------------------------------- users list


def test_the_users_list_takes_names_in_any_case(admin, data) -> None:
    body = {
        "select": ["Email", "LicenseType"],
        "where": _where(("Email", "EQ", ["ann@x.io"])),
        "orderBy": {"Name": "asc"},
    }
    expected = listing.list_users(admin, body)["users"]
    other = {
        "select": ["EMAIL", "licensetype"],
        "where": _where(("email", "EQ", ["ann@x.io"])),
        "orderBy": {"NAME": "asc"},
    }
    rows = listing.list_users(admin, other)["users"]
    assert rows == _renamed(expected, {"Email": "EMAIL", "LicenseType": "licensetype"})
    assert list(rows[0]) == ["EMAIL", "licensetype", "Gsid", "ProfilePicture", "Status"]


# ---------------------------------------------------------------- Company writes


NEW_FIELDS = {
    "BillingAddress": "1 Main St\nSpringfield",
    "CompanyType": "Partner",
    "CustomerLifetimeInMonths": 18,
    "IndustryNew": "Energy",
    "ManagedAs": "Enterprise",
    "Summary": "A long-standing customer. " * 40,
    "Tags": ["gold", " renewal ", "gold", ""],
    "TickerSymbol": "ACM",
    "Users": 250,
}


def test_a_company_with_gainsights_fields_and_names_is_written_and_queried(admin, fake_clock) -> None:
    record = {"NAME": "Acme", "arr": 1200, "RenewalDate": "2027-03-01", **NEW_FIELDS}
    written = companies.insert_companies(admin, [record])["records"][0]
    assert written["NAME"] == "Acme" and written["arr"] == 1200 and "Name" not in written and "ARR" not in written
    assert written["Tags"] == ["gold", "renewal"] and written["Users"] == 250
    assert written["RenewalDate"] == to_epoch_millis("2027-03-01", date_only=True)
    assert written["CreatedDate"] == written["ModifiedDate"] == int(fake_clock.at * 1000)
    gsid = written["Gsid"]
    rows = _q(
        admin, "company", {"select": ["ARR", "Arr", "tags", *NEW_FIELDS], "where": _where(("gsid", "EQ", [gsid]))}
    )
    assert rows[0]["ARR"] == rows[0]["Arr"] == 1200 and rows[0]["tags"] == ["gold", "renewal"]
    assert rows[0]["Summary"] == NEW_FIELDS["Summary"].strip() and rows[0]["CompanyType"] == "Partner"
    tagged = {"select": ["Name"], "where": _where(("Tags", "CONTAINS", ["renew"]), ("users", "GT", [100]))}
    assert _q(admin, "Company", tagged) == [{"Name": "Acme"}]

    fake_clock.at += 60
    update = {"gsid": gsid, "mrr": 100, "Tags": [], "companytype": "Customer"}
    updated = companies.update_companies(admin, [update], "GSID")["records"][0]
    assert updated["gsid"] == gsid and updated["mrr"] == 100 and updated["companytype"] == "Customer"
    assert "Tags" not in updated  # an empty list clears it
    assert updated["ModifiedDate"] == int(fake_clock.at * 1000) > updated["CreatedDate"]
    assert companies.update_companies(admin, [{"name": "acme", "Users": 3}], "NAME")["records"][0]["Users"] == 3


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("Users", "many", "Users: 'many' is not a number"),
        ("CustomerLifetimeInMonths", True, "CustomerLifetimeInMonths: must be a number"),
        ("Tags", "gold", "Tags: must be a list of strings"),
        ("tags", ["gold", 3], "Tags: must be a list of strings"),
        ("TickerSymbol", 7, "TickerSymbol: must be a string"),
        ("BillingAddress", {"street": "x"}, "BillingAddress: must be a string"),
    ],
)
def test_a_wrong_type_on_a_new_field_is_400_naming_it(admin, field: str, value: Any, message: str) -> None:
    with pytest.raises(ApiError) as error:
        companies.insert_companies(admin, [{"Name": "Acme", field: value}])
    assert (error.value.status, error.value.code) == (400, "GSOBJ_1002")
    assert message in error.value.desc


def test_two_names_of_one_field_in_a_record_are_refused_naming_both(admin) -> None:
    with pytest.raises(ApiError) as error:
        companies.insert_companies(admin, [{"Name": "Acme", "Arr": 1, "ARR": 2}])
    assert (error.value.status, error.value.code) == (400, "GSOBJ_1002")
    assert "Arr, ARR: name the same field" in error.value.desc
    with pytest.raises(ApiError) as error:
        companies.update_companies(admin, [{"Name": "Acme"}], "Name,NAME")
    assert error.value.status == 400 and "Name, NAME" in error.value.desc


def test_an_unknown_name_stays_unknown_as_written(admin) -> None:
    with pytest.raises(ApiError) as error:
        companies.insert_companies(admin, [{"Name": "Acme", "Nmae": "x"}])
    assert (error.value.code, error.value.desc) == ("GSOBJ_1002", "Nmae: unknown field of Company")


def test_the_new_fields_are_written_by_the_generic_write_paths_too() -> None:
    fields = writable.for_object("Company", None)
    assert fields.value("Tags", " gold; renewal;;gold ") == ["gold", "renewal"]
    assert fields.value("Tags", ["a", " b "]) == ["a", "b"] and fields.value("Users", 12) == 12
    assert fields.value("CompanyType", " Partner ") == "Partner"
    for name, value in (("Users", "many"), ("Tags", [1]), ("Tags", {"a": 1}), ("IndustryNew", 3)):
        with pytest.raises(writable.Refused, match=f"^{name}: "):
            fields.value(name, value)


def test_the_metadata_api_describes_the_new_fields(admin) -> None:
    (company,) = describe.describe(admin, ["company"])
    described = {f["fieldName"]: f["dataType"] for f in company["fields"]}
    assert {name: described.get(name) for name in NEW_FIELDS} == {
        "BillingAddress": "STRING",
        "CompanyType": "STRING",
        "CustomerLifetimeInMonths": "NUMBER",
        "IndustryNew": "STRING",
        "ManagedAs": "STRING",
        "Summary": "STRING",
        "Tags": "STRING",
        "TickerSymbol": "STRING",
        "Users": "NUMBER",
    }
    assert "Arr" not in described and described["ARR"] == "NUMBER"  # one field, not two
