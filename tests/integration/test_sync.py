"""The sync engine against the stand-in org, over HTTP (SPEC §3.3): full load, then
creates / updates / deletes at the source and an incremental run, compared field by
field; rejected rows retried until they resolve; faults; custom and edited jobs."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from cscore.platform import keys
from cscore.platform.dynamo import from_item
from tests.integration.reconcile import assert_in_sync
from tests.integration.salesforce import Sandbox
from tests.integration.stack import LocalStack
from tests.integration.test_connector import Api

pytestmark = pytest.mark.integration
FINAL = ("SUCCESS", "PARTIAL_SUCCESS", "FAILED")


def _run(stack: LocalStack, api: Api, job: dict[str, Any], with_dependents: bool = False) -> dict[str, Any]:
    run_id = api.call("POST", f"/v1/connectors/jobs/{job['jobId']}/run", 202, json={"withDependents": with_dependents})[
        "runId"
    ]
    return stack.wait_for(f"run {run_id}", lambda: _final(api, run_id), timeout=120)


def _final(api: Api, run_id: str) -> dict[str, Any] | None:
    run = api.call("GET", f"/v1/connectors/runs/{run_id}")
    return run if run["status"] in FINAL else None


def _chain(stack: LocalStack, synced: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Run the whole chain from User Sync; the last run of every job once all are final."""
    api, jobs = synced["api"], synced["jobs"]
    before = {
        t: (api.call("GET", f"/v1/connectors/jobs/{j['jobId']}")["lastRun"] or {}).get("runId") for t, j in jobs.items()
    }
    _run(stack, api, jobs["USER_SYNC"], with_dependents=True)

    def all_done() -> dict[str, dict[str, Any]] | None:
        latest = {}
        for job_type, job in jobs.items():
            runs = api.call("GET", f"/v1/connectors/jobs/{job['jobId']}/runs")["runs"]
            if not runs or runs[0]["runId"] == before[job_type] or runs[0]["status"] not in FINAL:
                return None
            latest[job_type] = runs[0]
        return latest

    return stack.wait_for("the job chain", all_done, timeout=180)


def _team_roles(stack: LocalStack, tenant_id: str) -> dict[str, str]:
    item = stack.client("dynamodb").get_item(TableName=stack.info["tables"]["TenantTable"], Key=keys.tenant(tenant_id))
    picklists = from_item(item["Item"])["picklists"]
    return {gsid: value["label"] for gsid, value in picklists["TeamRole"].items()}


def _in_sync(stack: LocalStack, synced: dict[str, Any], sandbox: Sandbox) -> None:
    roles = _team_roles(stack, synced["tenant"]["tenantId"])
    assert_in_sync(sandbox, synced["org"]["orgId"], synced["platform"], roles)


def _synced_bundles(stack: LocalStack, synced: dict[str, Any]) -> list[Any]:
    """The permission bundles of the users User Sync created (every user but the super admin)."""
    body = {"select": ["SFDCUserName", "permissionBundles", "IsSuperAdmin"], "limit": 1000}
    headers = {"accesskey": synced["tenant"]["accessKey"]}
    answer = requests.post(f"{stack.api}/v1/users/services/list", headers=headers, json=body, timeout=60)
    assert answer.status_code == 200, answer.text
    return [u["permissionBundles"] for u in answer.json()["data"]["users"] if not u["IsSuperAdmin"]]


def _records(sandbox: Sandbox, org_id: str, obj: str) -> list[dict[str, Any]]:
    return list(sandbox.call("GET", f"/orgs/{org_id}/records/{obj}")["records"])


def test_full_load_then_incremental_changes_and_deletions(
    stack: LocalStack, synced: dict[str, Any], sandbox: Sandbox
) -> None:
    org_id = synced["org"]["orgId"]
    first = _chain(stack, synced)
    assert {r["status"] for r in first.values()} <= {"SUCCESS", "PARTIAL_SUCCESS"}, first
    assert first["COMPANY_SYNC"]["inserted"] == 12 and first["COMPANY_SYNC"]["status"] == "SUCCESS"
    assert first["USER_SYNC"]["inserted"] == len(
        [u for u in _records(sandbox, org_id, "User") if u["UserType"] == "Standard"]
    )
    _in_sync(stack, synced, sandbox)
    assert _synced_bundles(stack, synced) == [["DEFAULT_BUNDLE"]] * first["USER_SYNC"]["inserted"]

    # Nothing changed: the next runs read the lookback window and write nothing.
    again = _chain(stack, synced)
    assert all(r["inserted"] == 0 and r["updated"] == 0 and r["deleted"] == 0 for r in again.values()), again
    assert _synced_bundles(stack, synced) == [["DEFAULT_BUNDLE"]] * first["USER_SYNC"]["inserted"]

    accounts = _records(sandbox, org_id, "Account")
    users = [u for u in _records(sandbox, org_id, "User") if u["UserType"] == "Standard"]
    contacts = _records(sandbox, org_id, "Contact")
    members = _records(sandbox, org_id, "AccountTeamMember")
    hook = f"/orgs/{org_id}/records"
    sandbox.call(
        "PATCH", f"{hook}/Account/{accounts[0]['Id']}", json={"Name": "Renamed 株式会社", "Industry": "Energy"}
    )
    sandbox.call("DELETE", f"{hook}/Account/{accounts[1]['Id']}")  # takes its contacts and team with it
    new_account = sandbox.call(
        "POST", f"{hook}/Account", json={"Name": "Brand New", "OwnerId": users[0]["Id"], "ParentId": accounts[2]["Id"]}
    )
    sandbox.call(
        "POST", f"{hook}/Contact", json={"AccountId": new_account["id"], "LastName": "Neu", "Email": "neu@example.com"}
    )
    survivor = next(c for c in contacts if c["AccountId"] not in (accounts[1]["Id"],) and c.get("Email"))
    sandbox.call("DELETE", f"{hook}/Contact/{survivor['Id']}")
    sandbox.call("PATCH", f"{hook}/User/{users[1]['Id']}", json={"Title": "Head of CS", "IsActive": False})
    gone_member = next(m for m in members if m["AccountId"] != accounts[1]["Id"])
    sandbox.call("DELETE", f"{hook}/AccountTeamMember/{gone_member['Id']}")
    sandbox.call(
        "POST",
        f"{hook}/AccountTeamMember",
        json={"AccountId": new_account["id"], "UserId": users[2]["Id"], "TeamMemberRole": "Renewal Owner"},
    )

    runs = _chain(stack, synced)
    assert all(r["status"] in ("SUCCESS", "PARTIAL_SUCCESS") for r in runs.values()), runs
    assert runs["COMPANY_SYNC"]["inserted"] == 1 and runs["COMPANY_SYNC"]["deleted"] == 1
    # The renamed account, and the children of the deleted one (Salesforce clears their ParentId).
    orphans = [a for a in accounts if a.get("ParentId") == accounts[1]["Id"]]
    assert runs["COMPANY_SYNC"]["updated"] == 1 + len(orphans)
    assert runs["USER_SYNC"]["updated"] == 1
    assert runs["COMPANY_TEAM_SYNC"]["deleted"] == 1 and runs["COMPANY_TEAM_SYNC"]["inserted"] == 1
    assert "Renewal Owner" in _team_roles(stack, synced["tenant"]["tenantId"]).values()  # unknown role created
    _in_sync(stack, synced, sandbox)


def test_a_member_whose_user_is_not_synced_yet_is_kept_and_applied_later(
    stack: LocalStack, synced: dict[str, Any], sandbox: Sandbox
) -> None:
    org_id, api = synced["org"]["orgId"], synced["api"]
    hook = f"/orgs/{org_id}/records"
    outsider = next(u for u in _records(sandbox, org_id, "User") if u["UserType"] == "CsnOnly")  # filtered out
    account = _records(sandbox, org_id, "Account")[3]
    member = sandbox.call(
        "POST",
        f"{hook}/AccountTeamMember",
        json={"AccountId": account["Id"], "UserId": outsider["Id"], "TeamMemberRole": "Sales Rep"},
    )
    runs = _chain(stack, synced)
    team = runs["COMPANY_TEAM_SYNC"]
    assert team["status"] == "PARTIAL_SUCCESS" and team["rejected"] == 1, team
    errors = api_csv(stack, synced, team["runId"])
    assert errors[0].startswith("sourceId,outcome,reason,Id,")
    assert errors[1].startswith(f"{member['id']},REJECTED,UserId {outsider['Id']}: no User")

    # Nothing changes at the source: the kept row is still rejected, run after run.
    runs = _chain(stack, synced)
    assert runs["COMPANY_TEAM_SYNC"]["rejected"] == 1 and runs["COMPANY_TEAM_SYNC"]["read"] >= 1

    # The admin widens User Sync's filter: the user arrives, the kept row is applied.
    user_job = synced["jobs"]["USER_SYNC"]
    wider = "UserType IN ('Standard', 'CsnOnly')"
    api.call("PUT", f"/v1/connectors/jobs/{user_job['jobId']}", json={"filter": wider})
    runs = _chain(stack, synced)
    assert runs["COMPANY_TEAM_SYNC"]["status"] == "SUCCESS", runs["COMPANY_TEAM_SYNC"]
    assert runs["COMPANY_TEAM_SYNC"]["inserted"] == 1
    roles = _team_roles(stack, synced["tenant"]["tenantId"])
    assert_in_sync(sandbox, org_id, synced["platform"], roles, user_types=("Standard", "CsnOnly"))


def api_csv(stack: LocalStack, synced: dict[str, Any], run_id: str) -> list[str]:
    answer = requests.get(
        f"{stack.api}/v1/connectors/runs/{run_id}/errors",
        headers={"accesskey": synced["tenant"]["accessKey"]},
        timeout=60,
    )
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv"), answer.text
    return answer.text.splitlines()


def test_several_matching_companies_mark_the_row_as_error(
    stack: LocalStack, synced: dict[str, Any], sandbox: Sandbox
) -> None:
    api, org_id = synced["api"], synced["org"]["orgId"]
    _chain(stack, synced)
    account = _records(sandbox, org_id, "Account")[0]
    # A second company claiming the same Salesforce account id (entered by hand).
    api.call(
        "POST", "/v1/data/objects/Company", json={"records": [{"Name": "Duplicate", "SfdcAccountId": account["Id"]}]}
    )
    users = [u for u in _records(sandbox, org_id, "User") if u["UserType"] == "Standard"]
    member = sandbox.call(
        "POST",
        f"/orgs/{org_id}/records/AccountTeamMember",
        json={"AccountId": account["Id"], "UserId": users[-1]["Id"], "TeamMemberRole": "Sales Rep"},
    )
    run = _run(stack, api, synced["jobs"]["COMPANY_TEAM_SYNC"])
    assert run["status"] == "PARTIAL_SUCCESS" and run["errored"] == 1, run
    rows = api_csv(stack, synced, run["runId"])
    assert rows[1].startswith(f"{member['id']},ERROR,AccountId {account['Id']}: 2 Company records")


def test_run_rules_one_at_a_time_and_isolation(stack: LocalStack, synced: dict[str, Any]) -> None:
    api, job = synced["api"], synced["jobs"]["COMPANY_SYNC"]
    first = api.call("POST", f"/v1/connectors/jobs/{job['jobId']}/run", 202)["runId"]
    api.call("POST", f"/v1/connectors/jobs/{job['jobId']}/run", 409, "GS_1409")
    stack.wait_for("the run", lambda: _final(api, first), timeout=120)
    intruder = Api(stack, stack.csadmin("tenant", "create", "--name", "Intruder")["accessKey"])
    intruder.call("GET", f"/v1/connectors/runs/{first}", 404, "GS_1404")
    intruder.call("GET", f"/v1/connectors/jobs/{job['jobId']}/runs", 404, "GS_1404")
    intruder.call("GET", f"/v1/connectors/runs/{first}/errors", 404, "GS_1404")
    api.call("GET", f"/v1/connectors/jobs/{job['jobId']}/runs", 400, "GS_1400", params={"limit": "0"})


@pytest.mark.parametrize("fault", ["invalid_session", "server_error"])
def test_transient_faults_are_ridden_out(
    stack: LocalStack, synced: dict[str, Any], sandbox: Sandbox, fault: str
) -> None:
    org_id = synced["org"]["orgId"]
    if fault == "invalid_session":
        sandbox.call("POST", f"/orgs/{org_id}/tokens/expire")
    else:
        sandbox.call("POST", f"/orgs/{org_id}/faults", json={"kind": "server_error", "count": 2, "status": 503})
    run = _run(stack, synced["api"], synced["jobs"]["COMPANY_SYNC"])
    assert run["status"] == "SUCCESS" and run["inserted"] == 12, run


def test_request_limit_ends_the_run_cleanly_and_the_next_run_resumes(
    stack: LocalStack, synced: dict[str, Any], sandbox: Sandbox
) -> None:
    org_id, api, job = synced["org"]["orgId"], synced["api"], synced["jobs"]["COMPANY_SYNC"]
    sandbox.call("POST", f"/orgs/{org_id}/faults", json={"kind": "request_limit", "count": 1, "pathContains": "/query"})
    run = _run(stack, api, job)
    assert run["status"] == "FAILED" and "REQUEST_LIMIT_EXCEEDED" in run["reason"], run
    assert _run(stack, api, job)["status"] == "SUCCESS"
    assert len(synced["platform"].objects("Company", ["Name"])) == 12


def test_a_refused_refresh_token_fails_the_run_and_pauses_the_jobs(
    stack: LocalStack, synced: dict[str, Any], sandbox: Sandbox
) -> None:
    org_id, api = synced["org"]["orgId"], synced["api"]
    sandbox.call("POST", f"/orgs/{org_id}/tokens/expire")
    sandbox.call("POST", f"/orgs/{org_id}/faults", json={"kind": "invalid_grant", "count": 1})
    run = _run(stack, api, synced["jobs"]["USER_SYNC"])
    assert run["status"] == "FAILED" and "invalid_grant" in run["reason"], run
    connection_id = synced["jobs"]["USER_SYNC"]["connectionId"]
    assert api.connection(connection_id)["status"] == "NEEDS_REAUTHORIZATION"
    assert not any(j["enabled"] for j in api.jobs(connection_id))


def test_custom_job_and_edited_mapping(stack: LocalStack, synced: dict[str, Any], sandbox: Sandbox) -> None:
    api, org_id = synced["api"], synced["org"]["orgId"]
    connection_id = synced["jobs"]["USER_SYNC"]["connectionId"]
    body = {
        "connectionId": connection_id,
        "name": "Executive contacts",
        "sourceObject": "Contact",
        "targetObject": "Person",
        "filter": "Title = 'CEO' AND Email != null",
        "keyFields": ["Email"],
        "mappings": [
            {"source": "Email", "target": "Email"},
            {"source": "LastName", "target": "LastName"},
            {"source": "Title", "target": "Title"},
        ],
    }
    job = api.call("POST", "/v1/connectors/jobs", json=body)
    assert job["jobType"] == "CUSTOM" and job["filter"] == body["filter"]
    api.call("POST", "/v1/connectors/jobs", 400, "GS_1400", json=body | {"targetObject": "Opportunity"})
    api.call("POST", "/v1/connectors/jobs", 400, "GS_1400", json=body | {"keyFields": ["LastName"]})
    run = _run(stack, api, job)
    assert run["status"] == "SUCCESS", run
    ceos = {
        c["Email"].lower() for c in _records(sandbox, org_id, "Contact") if c.get("Title") == "CEO" and c.get("Email")
    }
    persons = synced["platform"].objects("Person", ["Email", "Title"])
    assert {p["Email"].lower() for p in persons} == ceos and all(p["Title"] == "CEO" for p in persons)

    # An out-of-the-box mapping edited: the Account's Region__c goes to the Company's Stage.
    company_job = synced["jobs"]["COMPANY_SYNC"]
    mappings = [*company_job["mappings"], {"source": "Region__c", "target": "Stage"}]
    api.call("PUT", f"/v1/connectors/jobs/{company_job['jobId']}", json={"mappings": mappings})
    assert _run(stack, api, company_job)["status"] == "SUCCESS"
    regions = {a["Id"]: a["Region__c"] for a in _records(sandbox, org_id, "Account")}
    companies = synced["platform"].objects("Company", ["SfdcAccountId", "Stage"])
    assert {c["SfdcAccountId"]: c["Stage"] for c in companies} == regions


def test_deletes_missed_while_away_are_reconciled(stack: LocalStack, synced: dict[str, Any], sandbox: Sandbox) -> None:
    """Salesforce keeps deletes ~15 days: after a longer gap the ids are compared in full."""
    org_id = synced["org"]["orgId"]
    _chain(stack, synced)
    accounts = _records(sandbox, org_id, "Account")
    member = _records(sandbox, org_id, "AccountTeamMember")[0]
    sandbox.call("DELETE", f"/orgs/{org_id}/records/Account/{accounts[5]['Id']}")
    sandbox.call("DELETE", f"/orgs/{org_id}/records/AccountTeamMember/{member['Id']}")
    # 16 days pass at Salesforce: the deletes leave the recycle bin and getDeleted's window.
    sandbox.call("POST", f"/orgs/{org_id}/clock", json={"advanceSeconds": 16 * 86400})
    # ... and the platform's last successful runs are as old (the platform's clock is real).
    table = stack.info["tables"]["ConnectorTable"]
    for job in synced["jobs"].values():
        stack.client("dynamodb").update_item(
            TableName=table,
            Key={"PK": {"S": f"T#{synced['tenant']['tenantId']}#CONNECTOR"}, "SK": {"S": f"JOB#{job['jobId']}"}},
            UpdateExpression="SET lastSuccessAt = :old",
            ExpressionAttributeValues={":old": {"S": "2020-01-01T00:00:00.000Z"}},
        )
    runs = _chain(stack, synced)
    assert runs["COMPANY_SYNC"]["deleted"] == 1, runs["COMPANY_SYNC"]
    assert runs["COMPANY_TEAM_SYNC"]["deleted"] >= 1, runs["COMPANY_TEAM_SYNC"]
    _in_sync(stack, synced, sandbox)
