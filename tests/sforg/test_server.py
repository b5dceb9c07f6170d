"""The server as a whole: TLS, persistence across restarts, determinism, the record hooks, scale."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from sforg import ConnectedApp, OrgServer, OrgSpec, default_orgs, start_org_server
from tests.sforg.support import REDIRECT_URI, Client


def test_plain_requests_without_the_ca_fail_verification(server: OrgServer) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{server.url}/services/data/", timeout=10)
    assert server.url.startswith("https://127.0.0.1:")
    localhost = server.url.replace("127.0.0.1", "localhost")
    assert requests.get(f"{localhost}/services/data/", verify=str(server.ca_pem_path), timeout=10).status_code == 200


def test_a_silent_connection_does_not_stall_the_server(server: OrgServer, client: Client) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        response = client.http.get(f"{server.url}/services/data/", timeout=5)
        assert response.status_code == 200


def test_describe_and_default_orgs(server: OrgServer) -> None:
    described = server.describe()
    assert described["url"] == server.url and described["caBundle"] == str(server.ca_pem_path)
    by_name = {o["name"]: o for o in described["orgs"]}
    assert by_name["Acme"]["managedPackage"] is True and by_name["Globex"]["managedPackage"] is False
    assert set(by_name["Acme"]) == {"orgId", "name", "username", "password", "managedPackage"}
    assert [s.name for s in default_orgs()] == ["Acme", "Globex"]
    listed = Client(server).sandbox("GET", "/orgs")["orgs"]
    assert {o["orgId"] for o in described["orgs"]} <= {o["orgId"] for o in listed}


def test_managed_package_hook(client: Client, org: dict[str, Any], session: dict[str, Any]) -> None:
    token = session["access_token"]
    soql = "SELECT NamespacePrefix, Status FROM PackageLicense WHERE NamespacePrefix = 'JBCXM'"
    assert client.query(token, soql)["totalSize"] == 1
    assert (
        client.sandbox("POST", f"/orgs/{org['orgId']}/managed-package", {"installed": False})["managedPackage"] is False
    )
    assert client.query(token, soql)["totalSize"] == 0
    client.sandbox("POST", f"/orgs/{org['orgId']}/managed-package", {"installed": True})
    assert client.query(token, soql)["records"][0]["Status"] == "Active"
    bare = client.new_org(managedPackage=False)
    assert bare["managedPackage"] is False


def test_record_hooks_validate_like_salesforce(client: Client, org: dict[str, Any]) -> None:
    base = f"/orgs/{org['orgId']}/records"
    unknown = client.sandbox("POST", f"{base}/Account", {"Name": "X", "Foo__c": 1}, ok=False)
    assert unknown.status_code == 400 and unknown.json()[0]["errorCode"] == "INVALID_FIELD"
    missing = client.sandbox("POST", f"{base}/Contact", {"FirstName": "No"}, ok=False)
    assert missing.json()[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    created = client.create(org, "Contact", FirstName="Ada", LastName="Lovelace", Email="ada@example.com")
    assert created["Name"] == "Ada Lovelace" and created["IsDeleted"] is False
    assert created["CreatedDate"] == created["SystemModstamp"]
    patched = client.sandbox("PATCH", f"{base}/Contact/{created['Id'][:15]}", {"LastName": "King"})
    assert patched["Name"] == "Ada King" and patched["SystemModstamp"] > created["SystemModstamp"]
    assert patched["CreatedDate"] == created["CreatedDate"]
    users = client.sandbox("GET", f"{base}/User")["records"]
    refused = client.sandbox("DELETE", f"{base}/User/{users[-1]['Id']}", ok=False)
    assert refused.status_code == 400 and refused.json()[0]["errorCode"] == "DELETE_FAILED"
    client.delete(org, "Contact", created["Id"])
    live = {r["Id"] for r in client.sandbox("GET", f"{base}/Contact")["records"]}
    binned = {r["Id"] for r in client.sandbox("GET", f"{base}/Contact?includeDeleted=true")["records"]}
    assert created["Id"] not in live and created["Id"] in binned
    again = client.sandbox("DELETE", f"{base}/Contact/{created['Id']}", ok=False)
    assert again.status_code == 400 and again.json()[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_modstamps_strictly_increase(client: Client, org: dict[str, Any]) -> None:
    stamps = [client.create(org, "Account", Name=f"Rapid {i}")["SystemModstamp"] for i in range(10)]
    assert stamps == sorted(set(stamps))


def test_seeded_data_shape(client: Client, org: dict[str, Any]) -> None:
    records = client.sandbox("GET", f"/orgs/{org['orgId']}/records/User")["records"]
    assert {u["UserType"] for u in records} >= {"Standard", "AutomatedProcess"}
    managers = {u["Id"]: u["ManagerId"] for u in records}
    depth = max(_depth(managers, uid) for uid in managers)
    assert depth >= 2 and any(m is None for m in managers.values())
    accounts = client.sandbox("GET", f"/orgs/{org['orgId']}/records/Account")["records"]
    assert all(a["CreatedDate"] < "2026-01-01" and a["CreatedDate"] >= "2025-11-02" for a in accounts)


def _depth(managers: dict[str, str | None], uid: str) -> int:
    depth = 0
    while managers.get(uid):
        uid = managers[uid] or ""
        depth += 1
    return depth


def _dump(server: OrgServer) -> dict[str, Any]:
    c = Client(server)
    out = {}
    for org in server.describe()["orgs"]:
        for obj in ("User", "Account", "Contact", "AccountTeamMember", "PackageLicense", "Organization"):
            out[f"{org['name']}/{obj}"] = c.sandbox("GET", f"/orgs/{org['orgId']}/records/{obj}")["records"]
    return out


def test_same_spec_gives_the_same_data(tmp_path: Path) -> None:
    spec = [OrgSpec(name="Initech", username="admin@initech.example", users=7, accounts=12, seed=42)]
    one = start_org_server(tmp_path / "one", orgs=spec)
    two = start_org_server(tmp_path / "two", orgs=spec)
    try:
        assert one.describe()["orgs"] == two.describe()["orgs"]
        first, second = _dump(one), _dump(two)
        assert first == second and len(first["Initech/Account"]) == 12
        other = start_org_server(tmp_path / "three", orgs=[OrgSpec(name="Initech", seed=43)])
        try:
            assert _dump(other)["Initech/Account"] != first["Initech/Account"]
        finally:
            other.stop()
    finally:
        one.stop()
        two.stop()


def test_restart_with_the_same_state_dir_keeps_tokens_and_records(tmp_path: Path) -> None:
    app = ConnectedApp("persist-client", "persist-secret", [REDIRECT_URI])
    spec = [OrgSpec(name="Persist", username="admin@persist.example", users=4, accounts=3)]
    first = start_org_server(tmp_path, orgs=spec, connected_apps=[app], persist=True)
    c1 = Client(first)
    org = first.describe()["orgs"][0]
    tokens = c1.connect(org, app)
    survivor = c1.create(org, "Account", Name="Survivor GmbH")
    c1.delete(org, "Account", c1.sandbox("GET", f"/orgs/{org['orgId']}/records/Account")["records"][0]["Id"])
    hooked = c1.new_org(name="Hooked")
    late_app = c1.sandbox(
        "POST", "/connected-apps", {"clientId": "late", "clientSecret": "s", "redirectUris": [REDIRECT_URI]}
    )
    c1.advance(org, 3600)
    clock = c1.sandbox("GET", f"/orgs/{org['orgId']}/clock")
    ca_pem = first.ca_pem_path.read_bytes()
    first.stop()

    second = start_org_server(tmp_path, orgs=spec, connected_apps=[app], persist=True)
    try:
        c2 = Client(second)
        assert second.ca_pem_path.read_bytes() == ca_pem
        rows = c2.query(tokens["access_token"], "SELECT Id, Name FROM Account")["records"]
        assert survivor["Id"] in {r["Id"] for r in rows} and len(rows) == 3
        assert c2.refresh(app, tokens["refresh_token"]).status_code == 200
        assert hooked["orgId"] in {o["orgId"] for o in second.describe()["orgs"]}
        assert late_app["clientId"] == "late"
        assert c2.sandbox("GET", f"/orgs/{org['orgId']}/clock")["offsetSeconds"] == clock["offsetSeconds"]
        newer = c2.create(org, "Account", Name="After Restart")
        assert newer["Id"] != survivor["Id"] and newer["SystemModstamp"] > survivor["SystemModstamp"]
    finally:
        second.stop()


def test_nothing_printed_contains_a_token(capfd: pytest.CaptureFixture[str], client: Client, app: ConnectedApp) -> None:
    org = client.new_org()
    body = client.connect(org, app)
    client.http.get(f"{client.url}/id/{org['orgId']}/005000000000000AAA", params={"oauth_token": body["access_token"]})
    client.http.get(f"{client.url}/services/data/v60.0/limits", params={"access_token": body["access_token"]})
    client.http.get(f"{client.url}/services/oauth2/revoke", params={"token": body["refresh_token"]})
    client.http.get(f"{client.url}/services/data/v60.0/query?q=SELECT", headers={"Authorization": "Bearer x"})
    out, err = capfd.readouterr()
    for value in (body["access_token"], body["refresh_token"]):
        assert value not in out and value not in err


def test_module_entry_point_prints_json(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sforg", "--port", "0", "--state-dir", str(tmp_path), "--no-persist"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        text = ""
        described = None
        deadline = time.monotonic() + 20
        while described is None and time.monotonic() < deadline:
            text += proc.stdout.readline()
            try:
                described = json.loads(text)
            except ValueError:
                continue
        assert described is not None, text
        assert {o["name"] for o in described["orgs"]} == {"Acme", "Globex"}
        response = requests.get(f"{described['url']}/services/data/", verify=described["caBundle"], timeout=10)
        assert response.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# Peak RSS from VmHWM: ru_maxrss would count the forking test process's memory too.
_GENERATE = """
import json, time
from sforg.spec import OrgSpec
from sforg.state import ServerState
started = time.monotonic()
state = ServerState("https://127.0.0.1:1", None)
spec = OrgSpec(name="Huge", username="admin@huge.example", accounts=100_000, contacts_per_account=0,
               team_members_per_account=0)
org = state.create_org(spec, journal=False)
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"seconds": time.monotonic() - started, "accounts": len(org.tables["Account"].rows),
                  "rss_mb": int(hwm.split()[1]) / 1024}))
"""


@pytest.mark.slow
def test_100k_accounts_generate_within_budget_and_page_linearly(client: Client, app: ConnectedApp) -> None:
    measured = json.loads(subprocess.run([sys.executable, "-c", _GENERATE], capture_output=True, text=True,
                                         check=True, timeout=120).stdout)  # fmt: skip
    assert measured["accounts"] == 100_000
    assert measured["seconds"] < 20 and measured["rss_mb"] < 500, measured

    org = client.new_org(name="Huge", accounts=100_000, contactsPerAccount=0, teamMembersPerAccount=0, users=5)
    try:
        token = client.connect(org, app)["access_token"]
        started = time.monotonic()
        timings = []
        page = client.rest(token, "/services/data/v60.0/query", q="SELECT Id, Name FROM Account").json()
        seen = [r["Id"] for r in page["records"]]
        while not page["done"]:
            t0 = time.monotonic()
            page = client.rest(token, page["nextRecordsUrl"]).json()
            timings.append(time.monotonic() - t0)
            seen += [r["Id"] for r in page["records"]]
        assert len(seen) == len(set(seen)) == 100_000 and len(timings) == 49
        assert time.monotonic() - started < 30
        early, late = sum(timings[:10]), sum(timings[-10:])
        assert late < early * 3 + 0.5  # a page costs the same at the end as at the start
    finally:
        client.sandbox("DELETE", f"/orgs/{org['orgId']}")
