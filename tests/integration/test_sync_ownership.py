"""What a sync job may delete, and what its SOQL filter may say (issue 13, points 2 and 8),
over HTTP against the local stack and the stand-in org."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from cscore.platform.dynamo import to_attr
from tests.integration.salesforce import Sandbox
from tests.integration.stack import LocalStack
from tests.integration.test_sync import _chain, _in_sync, _records, _run

pytestmark = pytest.mark.integration


def _job_key(synced: dict[str, Any], job_id: str) -> dict[str, Any]:
    return {"PK": {"S": f"T#{synced['tenant']['tenantId']}#CONNECTOR"}, "SK": {"S": f"JOB#{job_id}"}}


def _set_job(stack: LocalStack, synced: dict[str, Any], job_id: str, **attributes: Any) -> None:
    """Change a stored job behind the API's back (a job saved before the API checked it,
    or a last success long ago)."""
    names = {f"#a{i}": name for i, name in enumerate(attributes)}
    values = {f":v{i}": to_attr(value) for i, value in enumerate(attributes.values())}
    stack.client("dynamodb").update_item(
        TableName=stack.info["tables"]["ConnectorTable"],
        Key=_job_key(synced, job_id),
        UpdateExpression="SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(attributes))),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def _fortnight_later(stack: LocalStack, synced: dict[str, Any], sandbox: Sandbox, *job_ids: str) -> None:
    """16 days pass at Salesforce (deletes leave the recycle bin and getDeleted's window) and
    the jobs' last successes are as old: their next runs reconcile the full id sets."""
    sandbox.call("POST", f"/orgs/{synced['org']['orgId']}/clock", json={"advanceSeconds": 16 * 86400})
    for job_id in job_ids:
        _set_job(stack, synced, job_id, lastSuccessAt="2020-01-01T00:00:00.000Z")


def _custom_company_job(synced: dict[str, Any], soql_filter: str) -> dict[str, Any]:
    return {
        "connectionId": synced["jobs"]["USER_SYNC"]["connectionId"],
        "name": f"Solo accounts {uuid.uuid4().hex[:4]}",
        "sourceObject": "Account",
        "targetObject": "Company",
        "filter": soql_filter,
        "keyFields": ["SfdcAccountId"],
        "mappings": [{"source": "Id", "target": "SfdcAccountId"}, {"source": "Name", "target": "Name"}],
    }


def test_a_filtered_custom_job_deletes_only_what_it_wrote(
    stack: LocalStack,
    synced: dict[str, Any],
    sandbox: Sandbox,
) -> None:
    api, org_id, platform = synced["api"], synced["org"]["orgId"], synced["platform"]
    hook = f"/orgs/{org_id}/records"
    _chain(stack, synced)
    tag = uuid.uuid4().hex[:6]
    solo = [sandbox.call("POST", f"{hook}/Account", json={"Name": f"Solo {tag} {n}"})["id"] for n in (1, 2, 3)]
    job = api.call("POST", "/v1/connectors/jobs", json=_custom_company_job(synced, f"Name LIKE 'Solo {tag}%'"))
    first = _run(stack, api, job)
    assert first["status"] == "SUCCESS" and first["inserted"] == 3, first
    company_sync = sorted(c["SfdcAccountId"] for c in platform.objects("Company", ["SfdcAccountId"]))
    team = sorted(t["Gsid"] for t in platform.objects("CompanyTeam", []))
    assert len(company_sync) == 15 and team

    # Deleted at the source: one account the custom job wrote, one Company Sync wrote.
    accounts = [a for a in _records(sandbox, org_id, "Account") if a["Id"] not in solo]
    sandbox.call("DELETE", f"{hook}/Account/{solo[0]}")
    sandbox.call("DELETE", f"{hook}/Account/{accounts[0]['Id']}")
    run = _run(stack, api, job)
    assert run["status"] == "SUCCESS" and run["deleted"] == 1, run
    left = sorted(c["SfdcAccountId"] for c in platform.objects("Company", ["SfdcAccountId"]))
    assert left == sorted(set(company_sync) - {solo[0]})  # Company Sync's company stays: not this job's
    assert sorted(t["Gsid"] for t in platform.objects("CompanyTeam", [])) == team

    # A fortnight later the custom job reconciles. Its filter now matches one account, which
    # must not make every other company look deleted; an account it wrote that left the
    # filter is still at the source: its company stays too.
    sandbox.call("PATCH", f"{hook}/Account/{solo[1]}", json={"Name": f"Renamed {tag}"})
    sandbox.call("DELETE", f"{hook}/Account/{solo[2]}")
    sandbox.call("DELETE", f"{hook}/Account/{accounts[1]['Id']}")
    _fortnight_later(stack, synced, sandbox, job["jobId"], synced["jobs"]["COMPANY_SYNC"]["jobId"])
    run = _run(stack, api, job)
    assert run["status"] == "SUCCESS" and run["deleted"] == 1, run
    left = sorted(c["SfdcAccountId"] for c in platform.objects("Company", ["SfdcAccountId"]))
    assert left == sorted(set(company_sync) - {solo[0], solo[2]})
    assert sorted(t["Gsid"] for t in platform.objects("CompanyTeam", [])) == team

    # Company Sync deletes its own companies of deleted accounts, with their teams and persons.
    run = _run(stack, api, synced["jobs"]["COMPANY_SYNC"])
    assert run["status"] == "SUCCESS" and run["deleted"] == 2, run
    _in_sync(stack, synced, sandbox)


def test_manual_team_rows_outlive_the_sync_cascade(
    stack: LocalStack,
    synced: dict[str, Any],
    sandbox: Sandbox,
) -> None:
    api, org_id, platform = synced["api"], synced["org"]["orgId"], synced["platform"]
    _chain(stack, synced)
    account = _records(sandbox, org_id, "Account")[0]
    company = next(c for c in platform.objects("Company", ["SfdcAccountId"]) if c["SfdcAccountId"] == account["Id"])
    # Not on this company's team (every user may be on some team of a random org).
    team = platform.objects("CompanyTeam", ["CompanyId", "UserId"])
    synced_members = {t["UserId"] for t in team if t["CompanyId"] == company["Gsid"]}
    outsider = next(u for u in platform.users() if u["Gsid"] not in synced_members)
    api.call("POST", f"/v1/teams/companies/{company['Gsid']}/members", json={"records": [{"UserId": outsider["Gsid"]}]})
    manual = [t for t in platform.objects("CompanyTeam", ["UserSource"]) if t["UserSource"] != "Salesforce"]
    assert len(manual) == 1, manual
    sandbox.call("DELETE", f"/orgs/{org_id}/records/Account/{account['Id']}")
    run = _run(stack, api, synced["jobs"]["COMPANY_SYNC"])
    assert run["status"] == "SUCCESS" and run["deleted"] == 1, run
    after = [t for t in platform.objects("CompanyTeam", ["UserSource"]) if t["UserSource"] != "Salesforce"]
    assert after == manual


# ---------------------------------------------------------------- filters
def test_a_filter_is_parsed_when_the_job_is_saved(
    stack: LocalStack,
    synced: dict[str, Any],
) -> None:
    api = synced["api"]
    body = _custom_company_job(synced, "Name = 'x') OR (Name != null")
    refused = api.call("POST", "/v1/connectors/jobs", 400, "GS_1400", json=body)
    assert refused["errorDesc"] == "filter: unexpected ')' at position 11", refused
    job = api.call("POST", "/v1/connectors/jobs", json=body | {"filter": "Name = 'x'"})
    path = f"/v1/connectors/jobs/{job['jobId']}"
    refused = api.call("PUT", path, 400, "GS_1400", json={"filter": "Name = 'x') OR (Name != null"})
    assert refused["errorDesc"] == "filter: unexpected ')' at position 11", refused
    oob = f"/v1/connectors/jobs/{synced['jobs']['USER_SYNC']['jobId']}"
    refused = api.call("PUT", oob, 400, "GS_1400", json={"filter": "UserType = 'Standard' OR"})
    assert refused["errorDesc"] == "filter: unexpected end at position 25", refused
    assert api.call("GET", path)["filter"] == "Name = 'x'"

    # Only the source object's own fields, as the org describes them.
    refused = api.call("POST", "/v1/connectors/jobs", 400, "GS_1400", json=body | {"filter": "Nmae = 'x'"})
    assert refused["errorDesc"] == "filter: no field Nmae on Account at position 1", refused
    refused = api.call("PUT", path, 400, "GS_1400", json={"filter": "Owner.Name = 'x'"})
    assert refused["errorDesc"].startswith("filter: "), refused
    saved = api.call("PUT", path, json={"filter": "name like 'Acme%' and (Industry IN ('Energy') or Region__c = null)"})
    assert saved["filter"] == "name like 'Acme%' and (Industry IN ('Energy') or Region__c = null)"


def test_a_run_reason_never_echoes_the_query(
    stack: LocalStack,
    synced: dict[str, Any],
) -> None:
    api = synced["api"]
    # Parses, and names Account fields, but Salesforce refuses the value's type.
    job = api.call("POST", "/v1/connectors/jobs", json=_custom_company_job(synced, "Name = 5"))
    run = _run(stack, api, job)
    assert run["status"] == "FAILED" and "INVALID_FIELD" in run["reason"], run
    assert "SELECT" not in run["reason"].upper() and "FROM" not in run["reason"].upper(), run["reason"]

    # A stored filter that does not parse (saved before filters were checked) fails the run.
    _set_job(stack, synced, job["jobId"], filter="Name = 'x') OR (Name != null")
    run = _run(stack, api, job)
    assert run["status"] == "FAILED", run
    assert run["reason"] == "The job's filter is not valid SOQL (filter: unexpected ')' at position 11): edit it"
