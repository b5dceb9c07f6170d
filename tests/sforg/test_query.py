"""SOQL over REST: paging, snapshots, deleted rows, filters, ordering and Salesforce's error answers."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sforg import ConnectedApp
from tests.sforg.support import Client

SF_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000")


@pytest.fixture
def big(client: Client, app: ConnectedApp) -> tuple[dict[str, Any], str]:
    org = client.new_org(accounts=1000, contactsPerAccount=0, teamMembersPerAccount=0)
    return org, client.connect(org, app)["access_token"]


def _error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    (entry,) = response.json()
    assert entry["errorCode"] == code
    return str(entry["message"])


def test_versions_need_no_token_and_cover_55_to_62(client: Client) -> None:
    response = client.http.get(f"{client.url}/services/data/")
    assert response.status_code == 200
    versions = {v["version"]: v for v in response.json()}
    for n in range(55, 63):
        assert f"{n}.0" in versions
    assert versions["59.0"] == {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"}


def test_unsupported_version_is_not_found(client: Client, session: dict[str, Any]) -> None:
    response = client.rest(session["access_token"], "/services/data/v20.0/query", q="SELECT Id FROM Account")
    assert response.status_code == 404
    assert response.json() == [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]


def test_paging_returns_every_row_exactly_once(client: Client, big: tuple[dict[str, Any], str]) -> None:
    _, token = big
    pages = client.query_pages(token, "SELECT Id, Name FROM Account", batch=300)
    assert [len(p["records"]) for p in pages] == [300, 300, 300, 100]
    assert all(p["totalSize"] == 1000 for p in pages)
    for page in pages[:-1]:
        assert page["done"] is False
        assert re.fullmatch(r"/services/data/v60\.0/query/01g[0-9A-Za-z]{15}-\d+", page["nextRecordsUrl"])
    assert pages[-1]["done"] is True and "nextRecordsUrl" not in pages[-1]
    seen = [r["Id"] for p in pages for r in p["records"]]
    assert len(seen) == len(set(seen)) == 1000
    assert list(pages[0]["records"][0]) == ["attributes", "Id", "Name"]
    assert pages[0]["records"][0]["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v60.0/sobjects/Account/{seen[0]}",
    }


def test_batch_size_is_clamped_and_defaults_to_2000(client: Client, big: tuple[dict[str, Any], str]) -> None:
    _, token = big
    assert [len(p["records"]) for p in client.query_pages(token, "SELECT Id FROM Account", batch=10)][:2] == [200, 200]
    assert [len(p["records"]) for p in client.query_pages(token, "SELECT Id FROM Account")] == [1000]
    assert [len(p["records"]) for p in client.query_pages(token, "SELECT Id FROM Account", batch=5000)] == [1000]


def test_snapshot_is_stable_under_concurrent_changes(client: Client, big: tuple[dict[str, Any], str]) -> None:
    org, token = big
    first = client.rest(token, "/services/data/v60.0/query", batch=200, q="SELECT Id, Name FROM Account").json()
    seen = [r["Id"] for r in first["records"]]
    for i in range(5):
        client.create(org, "Account", Name=f"Inserted {i}")
    client.delete(org, "Account", seen[0])
    url = first["nextRecordsUrl"]
    while url:
        page = client.rest(token, url, batch=200).json()
        assert page["totalSize"] == 1000
        seen += [r["Id"] for r in page["records"]]
        url = page.get("nextRecordsUrl")
    assert len(seen) == len(set(seen)) == 1000
    fresh = client.query(token, "SELECT COUNT() FROM Account")
    assert fresh == {"totalSize": 1004, "done": True, "records": []}


def test_invalid_and_expired_query_locators(client: Client, big: tuple[dict[str, Any], str], app: ConnectedApp) -> None:
    org, token = big
    first = client.rest(token, "/services/data/v60.0/query", batch=200, q="SELECT Id FROM Account").json()
    bogus = client.rest(token, "/services/data/v60.0/query/01gxx0000000000AAA-200")
    _error(bogus, 400, "INVALID_QUERY_LOCATOR")
    other_org = client.new_org()
    other = client.connect(other_org, app)["access_token"]
    _error(client.rest(other, first["nextRecordsUrl"]), 400, "INVALID_QUERY_LOCATOR")
    assert client.rest(token, first["nextRecordsUrl"]).status_code == 200
    client.advance(org, 16 * 60)
    token = client.connect(org, app)["access_token"]
    _error(client.rest(token, first["nextRecordsUrl"]), 400, "INVALID_QUERY_LOCATOR")


def test_query_hides_deleted_rows_and_query_all_shows_them(
    client: Client, org: dict[str, Any], session: dict[str, Any]
) -> None:
    token = session["access_token"]
    account = client.create(org, "Account", Name="Doomed KK", Industry="Energy")
    contacts = [client.create(org, "Contact", LastName=f"C{i}", AccountId=account["Id"]) for i in range(2)]
    member = client.query(token, "SELECT Id FROM User WHERE UserType = 'Standard' LIMIT 1")["records"][0]["Id"]
    client.create(org, "AccountTeamMember", AccountId=account["Id"], UserId=member, TeamMemberRole="Sales Rep")
    removed = client.delete(org, "Account", account["Id"])
    assert {d["type"] for d in removed["deleted"]} == {"Account", "Contact", "AccountTeamMember"}

    where = f"WHERE Id = '{account['Id']}'"
    assert client.query(token, f"SELECT Id FROM Account {where}")["totalSize"] == 0
    (row,) = client.query(token, f"SELECT Id, IsDeleted FROM Account {where}", all_rows=True)["records"]
    assert row["IsDeleted"] is True
    soql = f"SELECT Id, IsDeleted FROM Contact WHERE AccountId = '{account['Id']}'"
    assert client.query(token, soql)["totalSize"] == 0
    deleted = client.query(token, soql, all_rows=True)["records"]
    assert sorted(r["Id"] for r in deleted) == sorted(c["Id"] for c in contacts)
    assert all(r["IsDeleted"] for r in deleted)
    soql = f"SELECT Id FROM AccountTeamMember WHERE AccountId = '{account['Id']}'"
    assert client.query(token, soql, all_rows=True)["totalSize"] == 0
    response = client.rest(token, f"/services/data/v60.0/sobjects/Account/{account['Id']}")
    _error(response, 404, "ENTITY_IS_DELETED")


def test_filters_literals_and_canonical_names(client: Client, org: dict[str, Any], session: dict[str, Any]) -> None:
    token = session["access_token"]
    a = client.create(org, "Account", Name="O'Brien Holdings", Industry="Banking", NumberOfEmployees=120)
    b = client.create(org, "Account", Name="さくら商事", Industry="Retail", NumberOfEmployees=40, Region__c="JAPAN")
    client.create(org, "Contact", LastName="Tanaka", AccountId=b["Id"], Birthdate="1980-05-01")
    rows = client.query(token, "select id, NAME, region__C from account where name = 'o\\'brien holdings'")["records"]
    assert [list(r) for r in rows] == [["attributes", "Id", "Name", "Region__c"]]
    assert rows[0]["Name"] == "O'Brien Holdings" and rows[0]["Region__c"] is None

    def ids_of(soql: str) -> set[str]:
        return {r["Id"] for r in client.query(token, soql)["records"]}

    both = {a["Id"], b["Id"]}
    assert ids_of("SELECT Id FROM Account WHERE Industry IN ('Banking', 'Retail') AND NumberOfEmployees >= 40") >= both
    assert b["Id"] not in ids_of("SELECT Id FROM Account WHERE NOT (Industry = 'Retail')")
    assert b["Id"] in ids_of("SELECT Id FROM Account WHERE Industry NOT IN ('Banking') AND Name LIKE 'さくら%'")
    assert ids_of("SELECT Id FROM Account WHERE Name LIKE 'o''%'".replace("''", "\\'")) >= {a["Id"]}
    assert ids_of(f"SELECT Id FROM Account WHERE Id IN ('{a['Id'][:15]}', '{b['Id']}')") == both
    assert a["Id"] in ids_of(f"SELECT Id FROM Account WHERE CreatedDate >= {a['CreatedDate']}")
    since = a["CreatedDate"][:19] + "Z"
    assert both <= ids_of(f"SELECT Id FROM Account WHERE SystemModstamp >= {since} OR Region__c != null")
    assert len(ids_of("SELECT Id FROM Contact WHERE Birthdate = 1980-05-01")) >= 1
    assert ids_of("SELECT Id FROM Account WHERE Region__c = 'JAPAN' AND Name != null") >= {b["Id"]}
    none = client.query(token, "SELECT Id FROM Account WHERE IsDeleted = true")
    assert none["totalSize"] == 0 and none["done"] is True


def test_order_by_nulls_limit_and_relationships(client: Client, org: dict[str, Any], session: dict[str, Any]) -> None:
    token = session["access_token"]
    records = client.query(token, "SELECT Name, Industry FROM Account ORDER BY Industry DESC NULLS LAST, Name")
    industries = [r["Industry"] for r in records["records"]]
    non_null = [i for i in industries if i is not None]
    assert non_null == sorted(non_null, key=str.lower, reverse=True)
    assert industries[len(non_null) :] == [None] * (len(industries) - len(non_null))
    first = client.query(token, "SELECT Industry FROM Account ORDER BY Industry LIMIT 3")
    assert first["totalSize"] == 3 and len(first["records"]) == 3
    rows = client.query(token, "SELECT Id, Owner.Name, Owner.Email, CreatedDate FROM Account LIMIT 2")["records"]
    for row in rows:
        assert set(row["Owner"]) == {"attributes", "Name", "Email"} and row["Owner"]["attributes"]["type"] == "User"
        assert SF_DATETIME.fullmatch(row["CreatedDate"])


def test_count(client: Client, org: dict[str, Any], session: dict[str, Any]) -> None:
    body = client.query(session["access_token"], "SELECT COUNT() FROM Contact WHERE Email = null")
    assert body["records"] == [] and body["done"] is True and isinstance(body["totalSize"], int)
    assert client.query(session["access_token"], "SELECT COUNT() FROM Account")["totalSize"] == 8


@pytest.mark.parametrize(
    ("soql", "code", "fragment"),
    [
        ("SELECT Id FROM", "MALFORMED_QUERY", "unexpected token: <EOF>"),
        ("SELECT Id, FROM Account", "MALFORMED_QUERY", "unexpected token: FROM"),
        ("SELEC Id FROM Account", "MALFORMED_QUERY", "unexpected token: SELEC"),
        ("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'", "MALFORMED_QUERY", "OR"),
        ("SELECT Id FROM Account WHERE Name = 'unterminated", "MALFORMED_QUERY", "ERROR at Row:1:Column:"),
        ("SELECT Id, Id FROM Account", "MALFORMED_QUERY", "duplicate field selected: Id"),
        (
            "SELECT Id, Foo FROM Account",
            "INVALID_FIELD",
            "No such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, be sure to "
            "append the '__c' after the custom field name.",
        ),
        ("SELECT IsDeleted FROM User", "INVALID_FIELD", "No such column 'IsDeleted' on entity 'User'"),
        ("SELECT Id FROM Account WHERE CreatedDate > '2024-01-01'", "INVALID_FIELD", "must be of type dateTime"),
        ("SELECT Id FROM Foo", "INVALID_TYPE", "sObject type 'Foo' is not supported."),
        ("SELECT Id FROM Account WHERE Id = 'xyz'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: xyz"),
    ],
)
def test_query_errors(client: Client, session: dict[str, Any], soql: str, code: str, fragment: str) -> None:
    response = client.rest(session["access_token"], "/services/data/v60.0/query", q=soql)
    assert fragment in _error(response, 400, code)
    assert "Sforce-Limit-Info" in response.headers


def test_describe_and_record(client: Client, org: dict[str, Any], session: dict[str, Any]) -> None:
    token = session["access_token"]
    describe = client.rest(token, "/services/data/v60.0/sobjects/Account/describe").json()
    fields = {f["name"]: f for f in describe["fields"]}
    assert describe["name"] == "Account" and describe["keyPrefix"] == "001"
    assert fields["Region__c"]["custom"] is True and fields["OwnerId"]["referenceTo"] == ["User"]
    assert fields["Id"]["nillable"] is False and fields["SystemModstamp"]["type"] == "datetime"
    user_fields = {
        f["name"] for f in client.rest(token, "/services/data/v60.0/sobjects/User/describe").json()["fields"]
    }
    assert "IsDeleted" not in user_fields and "ManagerId" in user_fields
    rid = client.query(token, "SELECT Id FROM Account LIMIT 1")["records"][0]["Id"]
    record = client.rest(token, f"/services/data/v60.0/sobjects/Account/{rid}").json()
    assert record["Id"] == rid and record["attributes"]["type"] == "Account" and "Region__c" in record
    _error(client.rest(token, "/services/data/v60.0/sobjects/Foo/describe"), 404, "NOT_FOUND")
