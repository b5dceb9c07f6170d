"""getUpdated / getDeleted (sobjects/X/updated and /deleted) and the 15/30-day windows on the org clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sforg import ConnectedApp
from tests.sforg.support import Client


def _now(client: Client, org: dict[str, Any]) -> datetime:
    text = client.sandbox("GET", f"/orgs/{org['orgId']}/clock")["now"]
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _window(client: Client, token: str, obj: str, kind: str, start: datetime, end: datetime) -> Any:
    return client.rest(token, f"/services/data/v60.0/sobjects/{obj}/{kind}/", start=_iso(start), end=_iso(end))


def test_updated_lists_changed_ids_within_the_window(
    client: Client, org: dict[str, Any], session: dict[str, Any]
) -> None:
    token = session["access_token"]
    now = _now(client, org)
    created = client.create(org, "Account", Name="Fresh Co")
    seeded = client.query(token, "SELECT Id FROM Account WHERE Name != 'Fresh Co' LIMIT 1")["records"][0]["Id"]
    client.sandbox("PATCH", f"/orgs/{org['orgId']}/records/Account/{seeded}", {"Industry": "Energy"})
    gone = client.create(org, "Account", Name="Gone Co")
    client.delete(org, "Account", gone["Id"])
    response = _window(client, token, "Account", "updated", now - timedelta(minutes=5), now + timedelta(minutes=5))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body["ids"]) == {created["Id"], seeded}
    assert body["latestDateCovered"].endswith("+0000")
    earlier = _window(client, token, "Account", "updated", now - timedelta(days=29), now - timedelta(minutes=10))
    assert earlier.json()["ids"] == []


def test_updated_window_limit(client: Client, org: dict[str, Any], session: dict[str, Any]) -> None:
    token = session["access_token"]
    now = _now(client, org)
    ok = _window(client, token, "Contact", "updated", now - timedelta(days=29, hours=23), now)
    assert ok.status_code == 200
    too_old = _window(client, token, "Contact", "updated", now - timedelta(days=31), now)
    assert too_old.status_code == 400 and too_old.json()[0]["errorCode"] == "INVALID_REPLICATION_DATE"
    backwards = _window(client, token, "Contact", "updated", now, now - timedelta(hours=1))
    assert backwards.status_code == 400 and backwards.json()[0]["errorCode"] == "INVALID_REPLICATION_DATE"


def test_team_member_deletes_only_reach_get_deleted(
    client: Client, org: dict[str, Any], session: dict[str, Any]
) -> None:
    token = session["access_token"]
    now = _now(client, org)
    member = client.query(token, "SELECT Id, AccountId FROM AccountTeamMember LIMIT 1")["records"][0]
    client.delete(org, "AccountTeamMember", member["Id"])
    soql = f"SELECT Id, IsDeleted FROM AccountTeamMember WHERE Id = '{member['Id']}'"
    assert client.query(token, soql)["totalSize"] == 0
    assert client.query(token, soql, all_rows=True)["totalSize"] == 0
    response = _window(client, token, "AccountTeamMember", "deleted", now - timedelta(days=1), now + timedelta(days=1))
    assert response.status_code == 200, response.text
    body = response.json()
    assert [d["id"] for d in body["deletedRecords"]] == [member["Id"]]
    assert body["deletedRecords"][0]["deletedDate"].endswith("+0000")
    assert set(body) == {"deletedRecords", "earliestDateAvailable", "latestDateCovered"}


def test_deleted_window_limit(client: Client, org: dict[str, Any], session: dict[str, Any]) -> None:
    token = session["access_token"]
    now = _now(client, org)
    assert _window(client, token, "Account", "deleted", now - timedelta(days=14), now).status_code == 200
    response = _window(client, token, "Account", "deleted", now - timedelta(days=16), now)
    assert response.status_code == 400 and response.json()[0]["errorCode"] == "INVALID_REPLICATION_DATE"


def test_deletions_and_recycle_bin_purged_after_15_days(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    session = client.connect(org, app)
    token = session["access_token"]
    start = _now(client, org)
    account = client.query(token, "SELECT Id FROM Account LIMIT 1")["records"][0]["Id"]
    contacts = client.query(token, f"SELECT Id FROM Contact WHERE AccountId = '{account}'")["records"]
    client.delete(org, "Account", account)
    before = _window(client, token, "Account", "deleted", start - timedelta(minutes=1), start + timedelta(hours=1))
    first = before.json()
    assert [d["id"] for d in first["deletedRecords"]] == [account]
    contacts_deleted = _window(client, token, "Contact", "deleted", start, start + timedelta(hours=1)).json()
    assert {d["id"] for d in contacts_deleted["deletedRecords"]} == {c["Id"] for c in contacts}

    client.advance(org, 14 * 86400)
    token = client.refresh(app, session["refresh_token"]).json()["access_token"]
    assert client.query(token, f"SELECT Id FROM Account WHERE Id = '{account}'", all_rows=True)["totalSize"] == 1
    client.advance(org, 2 * 86400)
    token = client.refresh(app, session["refresh_token"]).json()["access_token"]
    now = _now(client, org)
    after = _window(client, token, "Account", "deleted", now - timedelta(days=14), now).json()
    assert after["deletedRecords"] == []
    assert after["earliestDateAvailable"] > first["earliestDateAvailable"]
    assert after["earliestDateAvailable"] > first["deletedRecords"][0]["deletedDate"]
    assert client.query(token, f"SELECT Id FROM Account WHERE Id = '{account}'", all_rows=True)["totalSize"] == 0
    soql = f"SELECT Id FROM Contact WHERE AccountId = '{account}'"
    assert client.query(token, soql, all_rows=True)["totalSize"] == 0
    everything = client.sandbox("GET", f"/orgs/{org['orgId']}/records/Account?includeDeleted=true")["records"]
    assert account not in {r["Id"] for r in everything}
