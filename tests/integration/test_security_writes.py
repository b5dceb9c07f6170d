"""Writes go only to declared fields (issue 13, "What to build" 1), over HTTP: a sync
job's mappings, the bulk job definitions and the Company Team record API can never name
a storage attribute or a protected field, and a job stored before that check existed
cannot write one either when it runs.

The takeover is tried as the probe did it: tenant A's custom job writes constants into
``PK``, ``SK``, ``kind``, ``keyId``, ``userGsid`` and ``isSuperAdmin`` so that the record
it writes would be an access key of tenant B."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

import pytest
import requests

from cscore.connector.repository import job_key
from cscore.platform import ids
from cscore.platform.dynamo import to_item
from tests.integration.salesforce import Browser, Sandbox
from tests.integration.stack import LocalStack
from tests.integration.test_connector import Api, _connected

pytestmark = pytest.mark.integration
FINAL = ("SUCCESS", "PARTIAL_SUCCESS", "FAILED")


@pytest.fixture
def connected(stack: LocalStack, tenant: dict[str, str]) -> dict[str, Any]:
    """Tenant A, connected to a fresh small org (its jobs not run yet)."""
    sandbox = Sandbox(stack)
    org = sandbox.new_org(f"Sec {uuid.uuid4().hex[:6]}", users=4, accounts=5, contactsPerAccount=1)
    api = Api(stack, tenant["accessKey"])
    connection = _connected(api, Browser(stack.info["salesforce"]["caBundle"]), org)
    jobs = {j["jobType"]: j for j in api.jobs(connection["connectionId"])}
    return {"org": org, "api": api, "jobs": jobs, "tenant": tenant, "connectionId": connection["connectionId"]}


def _victim(stack: LocalStack) -> dict[str, str]:
    """Tenant B: its id, its super admin, and a key B never issued, forged as the probe did."""
    victim = stack.csadmin("tenant", "create", "--name", "Victim")
    me = requests.get(f"{stack.api}/v1/tenant", headers={"accesskey": victim["accessKey"]}, timeout=30).json()
    forged = f"{victim['tenantId']}.{secrets.token_urlsafe(32)}"
    return victim | {"superAdminGsid": me["data"]["userGsid"], "forgedKey": forged}


def _takeover_mappings(victim: dict[str, str]) -> list[dict[str, Any]]:
    digest = hashlib.sha256(victim["forgedKey"].encode()).hexdigest()
    return [
        {"source": "Id", "target": "SfdcAccountId"},
        {"source": "Name", "target": "Name"},
        {"target": "PK", "value": f"T#{victim['tenantId']}#AUTH#{digest}"},
        {"target": "SK", "value": "AUTH"},
        {"target": "kind", "value": "ACCESS_KEY"},
        {"target": "keyId", "value": "forged"},
        {"target": "userGsid", "value": victim["superAdminGsid"]},
        {"target": "isSuperAdmin", "value": True},
    ]


def _partition_of(stack: LocalStack, tenant_id: str) -> list[dict[str, Any]]:
    """Every item of a tenant in the tenant table, straight from the embedded AWS."""
    client = stack.client("dynamodb")
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "TableName": stack.info["tables"]["TenantTable"],
        "FilterExpression": "begins_with(PK, :t)",
        "ExpressionAttributeValues": {":t": {"S": f"T#{tenant_id}"}},
        "ConsistentRead": True,
    }
    while True:
        page = client.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _store_job(stack: LocalStack, tenant_id: str, job: dict[str, Any]) -> None:
    """A job as an older version of the product stored it: straight into the connector table."""
    stack.client("dynamodb").put_item(
        TableName=stack.info["tables"]["ConnectorTable"], Item={**to_item(job), **job_key(tenant_id, job["jobId"])}
    )


def _run(stack: LocalStack, api: Api, job_id: str) -> dict[str, Any]:
    run_id = api.call("POST", f"/v1/connectors/jobs/{job_id}/run", 202, json={})["runId"]

    def final() -> dict[str, Any] | None:
        run = api.call("GET", f"/v1/connectors/runs/{run_id}")
        return run if run["status"] in FINAL else None

    return stack.wait_for(f"run {run_id}", final, timeout=120)


def _custom_job(connection_id: str, target: str, key: str, mappings: list[dict[str, Any]]) -> dict[str, Any]:
    source = {"Company": "Account", "User": "User", "Person": "Contact"}[target]
    return {
        "connectionId": connection_id,
        "name": f"Probe {target}",
        "sourceObject": source,
        "targetObject": target,
        "filter": None,
        "keyFields": [key],
        "mappings": mappings,
    }


def test_a_job_naming_storage_attributes_is_refused_when_created(stack: LocalStack, connected: dict[str, Any]) -> None:
    api = connected["api"]
    body = _custom_job(connected["connectionId"], "Company", "SfdcAccountId", _takeover_mappings(_victim(stack)))
    refused = api.call("POST", "/v1/connectors/jobs", 400, "GS_1400", json=body)
    assert refused["errorDesc"] == "mappings[2].target: PK is not a field of Company", refused
    # Every other storage attribute alone is refused the same way, naming its mapping.
    for name in ("SK", "kind", "keyId", "userGsid", "isSuperAdmin", "GSI1PK", "gsids", "total", "CompanyUser"):
        mappings = [*body["mappings"][:2], {"target": name, "value": "x"}]
        refused = api.call("POST", "/v1/connectors/jobs", 400, "GS_1400", json=body | {"mappings": mappings})
        assert refused["errorDesc"] == f"mappings[2].target: {name} is not a field of Company", refused
    assert [j for j in api.jobs(connected["connectionId"]) if j["jobType"] == "CUSTOM"] == []


def test_a_stored_takeover_job_writes_nothing_into_the_other_tenant(
    stack: LocalStack, connected: dict[str, Any]
) -> None:
    api, tenant_id = connected["api"], connected["tenant"]["tenantId"]
    victim = _victim(stack)
    job = _custom_job(connected["connectionId"], "Company", "SfdcAccountId", _takeover_mappings(victim))
    job |= {"jobId": ids.new_gsid(ids.JOB), "jobType": "CUSTOM", "enabled": True, "schedule": None}
    job |= {"dependsOn": None, "lastRun": None, "createdDate": "2024-01-01T00:00:00.000Z"}
    _store_job(stack, tenant_id, job)
    before = _partition_of(stack, victim["tenantId"])

    run = _run(stack, api, job["jobId"])

    assert _partition_of(stack, victim["tenantId"]) == before
    forged = requests.get(f"{stack.api}/v1/tenant", headers={"accesskey": victim["forgedKey"]}, timeout=30)
    assert forged.status_code == 401 and forged.json()["errorCode"] == "GS_APIG_2401", forged.text
    assert run["read"] == 5 and run["errored"] == 5 and run["inserted"] == run["updated"] == 0, run
    errors = requests.get(
        f"{stack.api}/v1/connectors/runs/{run['runId']}/errors",
        headers={"accesskey": connected["tenant"]["accessKey"]},
        timeout=30,
    ).text.splitlines()
    assert len(errors) == 6 and all(",ERROR,mappings[2].target: PK is not a field of Company" in e for e in errors[1:])
    # Nothing was written in A either: no company came out of the run.
    companies = api.call("POST", "/v1/data/objects/query/Company", json={"select": ["Gsid"]})["records"]
    assert companies == []


def test_is_super_admin_is_never_mapped(stack: LocalStack, connected: dict[str, Any]) -> None:
    api, jobs = connected["api"], connected["jobs"]
    super_admin = {"target": "IsSuperAdmin", "value": True}
    user_mappings = [{"source": "Username", "target": "SFDCUserName"}, {"source": "Email", "target": "Email"}]
    body = _custom_job(connected["connectionId"], "User", "SFDCUserName", [*user_mappings, super_admin])
    refused = api.call("POST", "/v1/connectors/jobs", 400, "GS_1400", json=body)
    assert refused["errorDesc"].startswith("mappings[2].target: IsSuperAdmin is protected"), refused

    # Editing the out-of-the-box User Sync: neither a constant nor a copy may reach it.
    user_sync = jobs["USER_SYNC"]
    for mapping in (super_admin, {"source": "IsActive", "target": "IsSuperAdmin"}):
        mappings = [*user_sync["mappings"], mapping]
        path = f"/v1/connectors/jobs/{user_sync['jobId']}"
        refused = api.call("PUT", path, 400, "GS_1400", json={"mappings": mappings})
        position = len(user_sync["mappings"])
        assert refused["errorDesc"].startswith(f"mappings[{position}].target: IsSuperAdmin is protected"), refused
    assert api.call("GET", f"/v1/connectors/jobs/{user_sync['jobId']}")["mappings"] == user_sync["mappings"]

    # A job stored with that constant before the check: its rows are errors, nobody is made super admin.
    stored = {**user_sync, "mappings": [*user_sync["mappings"], super_admin]}
    _store_job(stack, connected["tenant"]["tenantId"], stored)
    run = _run(stack, api, user_sync["jobId"])
    assert run["read"] > 0 and run["errored"] == run["read"] and run["inserted"] == 0, run
    me = api.call("GET", "/v1/tenant")["userGsid"]
    listed = api.call("POST", "/v1/users/services/list", json={"select": ["IsSuperAdmin"], "limit": 100})["users"]
    assert [u["Gsid"] for u in listed if u["IsSuperAdmin"]] == [me]


def _team(stack: LocalStack, key: str) -> tuple[str, str]:
    api = Api(stack, key)
    company = api.call("POST", "/v1/data/objects/Company", json={"records": [{"Name": "Acme"}]})["records"][0]["Gsid"]
    user = {"FirstName": "Ann", "LastName": "Lee", "Email": "ann@sec.example", "SFDCUserName": "ann@sec.example"}
    answer = requests.post(
        f"{stack.api}/v1/users/services", headers={"accesskey": key}, json={"records": [user]}, timeout=30
    )
    user_gsid = answer.json()["data"]["records"][0]["Gsid"]
    api.call("POST", f"/v1/teams/companies/{company}/members", json={"records": [{"UserId": user_gsid}]})
    return company, user_gsid


def test_the_team_record_api_writes_defined_custom_fields_only(stack: LocalStack, tenant: dict[str, str]) -> None:
    key = tenant["accessKey"]
    api = Api(stack, key)
    api.call("POST", "/v1/meta/objects/CompanyTeam/fields", json={"name": "Tier__gc", "type": "number"})
    company, user = _team(stack, key)
    pair = {"CompanyId": company, "UserId": user}
    before = _partition_of(stack, tenant["tenantId"])
    expected = {
        "PK": "PK is not a field of CompanyTeam",
        "GSI2PK": "GSI2PK is not a field of CompanyTeam",
        "refs": "refs is not a field of CompanyTeam",
        "Undefined__gc": "Undefined__gc is not a field of CompanyTeam",
        "UserManagerRole1": "UserManagerRole1 is protected",
    }
    for name, message in expected.items():
        answer = requests.put(
            f"{stack.api}/v1/teams/records",
            headers={"accesskey": key},
            json={"records": [pair | {name: "x"}]},
            timeout=30,
        )
        assert answer.status_code == 400, answer.text
        (error,) = answer.json()["data"]["errors"]
        assert error["errorMessage"].startswith(message), error
    answer = requests.put(
        f"{stack.api}/v1/teams/records",
        headers={"accesskey": key},
        json={"records": [pair | {"Tier__gc": "high"}]},
        timeout=30,
    )
    assert answer.status_code == 400 and "Tier__gc: 'high' is not a number" in answer.text, answer.text
    assert _partition_of(stack, tenant["tenantId"]) == before
    answer = requests.put(
        f"{stack.api}/v1/teams/records",
        headers={"accesskey": key},
        json={"records": [pair | {"Tier__gc": "3"}]},
        timeout=30,
    )
    assert answer.status_code == 200 and answer.json()["data"]["records"][0]["Tier__gc"] == 3, answer.text


def test_bulk_job_definitions_map_columns_to_fields_only(stack: LocalStack, tenant: dict[str, str]) -> None:
    api = Api(stack, tenant["accessKey"])
    body = {
        "name": "Members",
        "objectName": "CompanyTeam",
        "headers": ["Company Name", "Email ID", "Deleted", "Extra"],
        "fieldMappings": {"Deleted": "Deleted"},
        "lookups": {
            "CompanyId": {"fields": {"Company Name": "Name"}, "objectName": "Company", "lookupField": "Gsid"},
            "UserId": {"fields": {"Email ID": "Email"}, "objectName": "User", "lookupField": "Gsid"},
        },
        "keys": ["CompanyId", "UserId"],
    }
    path = "/v1.0/admin/connector/job/bulk"
    for field, message in (
        ("PK", "PK is not a field of CompanyTeam"),
        ("gsid", "gsid is not a field of CompanyTeam"),
        ("Undefined__gc", "Undefined__gc is not a field of CompanyTeam"),
        ("UserManagerRole2", "UserManagerRole2 is protected"),
        ("ModifiedBy", "ModifiedBy is protected"),
    ):
        mappings = {"Deleted": "Deleted", "Extra": field}
        refused = api.call("POST", path, 400, "GS_1400", json=body | {"fieldMappings": mappings})
        assert refused["errorDesc"].startswith(f"fieldMappings.Extra: {message}"), refused
    assert api.call("POST", path, json=body)["jobId"]


def test_a_salesforce_value_that_cannot_be_stored_makes_its_row_an_error(
    stack: LocalStack, connected: dict[str, Any]
) -> None:
    api, org_id = connected["api"], connected["org"]["orgId"]
    sandbox = Sandbox(stack)
    accounts = sandbox.call("GET", f"/orgs/{org_id}/records/Account")["records"]
    # NUL: the stand-in org cannot hold a lone surrogate (its state is UTF-8); the writer's
    # unit test covers that one (tests/unit/test_writes_declared_fields.py).
    sandbox.call("PATCH", f"/orgs/{org_id}/records/Account/{accounts[0]['Id']}", json={"Name": "Bad \x00 name"})
    sandbox.call("PATCH", f"/orgs/{org_id}/records/Account/{accounts[1]['Id']}", json={"Industry": "Nul\x00"})

    run = _run(stack, api, connected["jobs"]["COMPANY_SYNC"]["jobId"])

    assert run["status"] == "PARTIAL_SUCCESS" and run["errored"] == 2 and run["inserted"] == 3, run
    errors = requests.get(
        f"{stack.api}/v1/connectors/runs/{run['runId']}/errors",
        headers={"accesskey": connected["tenant"]["accessKey"]},
        timeout=30,
    ).text
    assert f"{accounts[0]['Id']},ERROR,Company.Name: holds a character that cannot be stored" in errors, errors
    assert f"{accounts[1]['Id']},ERROR,Company.Industry: holds a character that cannot be stored" in errors, errors
    # The tenant keeps answering, and its companies read back.
    companies = api.call("POST", "/v1/data/objects/query/Company", json={"select": ["Name"]})["records"]
    assert len(companies) == 3 and api.call("GET", "/v1/tenant")["tenantId"] == connected["tenant"]["tenantId"]
