"""Derived mappings' match options over HTTP (SPEC §4.5, issue 17): the job view shows
them, the job update API edits and refuses them, and a real run against the stand-in org
honours them — FIRSTMATCH takes the oldest of several matching companies, NULL writes a
row whose reference matches nothing, REJECT keeps it for the next run (run counts and
the errors CSV)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.integration.salesforce import Sandbox
from tests.integration.stack import LocalStack
from tests.integration.test_sync import _chain, _records, _run, api_csv

pytestmark = pytest.mark.integration


def _edit(api: Any, job: dict[str, Any], target: str, **options: str) -> dict[str, Any]:
    """The job's mapping to ``target`` given ``options``, saved; the job as it is now."""
    mappings = copy.deepcopy(api.call("GET", f"/v1/connectors/jobs/{job['jobId']}")["mappings"])
    next(m for m in mappings if m["target"] == target)["lookup"].update(options)
    edited = api.call("PUT", f"/v1/connectors/jobs/{job['jobId']}", json={"mappings": mappings})
    assert next(m for m in edited["mappings"] if m["target"] == target)["lookup"].items() >= options.items()
    return dict(edited)


def test_match_options_edited_and_honoured_by_a_run(
    stack: LocalStack, synced: dict[str, Any], sandbox: Sandbox
) -> None:
    api, org_id, jobs = synced["api"], synced["org"]["orgId"], synced["jobs"]
    team_job, company_job = jobs["COMPANY_TEAM_SYNC"], jobs["COMPANY_SYNC"]
    view = api.call("GET", f"/v1/connectors/jobs/{team_job['jobId']}")
    shown = {m["target"]: m["lookup"] for m in view["mappings"] if "lookup" in m}
    assert {t: (shown[t]["multiMatchOption"], shown[t]["onNoMatch"]) for t in ("CompanyId", "UserId")} == {
        "CompanyId": ("MARKASERROR", "REJECT"),
        "UserId": ("MARKASERROR", "REJECT"),
    }
    # Refused, naming the mapping and the option; nothing saved.
    mappings = copy.deepcopy(team_job["mappings"])
    mappings[1]["lookup"]["onNoMatch"] = "NULL"  # a team record without its user
    refused = api.call("PUT", f"/v1/connectors/jobs/{team_job['jobId']}", 400, "GS_1400", json={"mappings": mappings})
    assert refused["errorDesc"].startswith("mappings[1].lookup.onNoMatch: a CompanyTeam record cannot be written")
    mappings[1]["lookup"]["onNoMatch"] = "REJECT"
    mappings[0]["lookup"]["multiMatchOption"] = "SOMETIMES"
    refused = api.call("PUT", f"/v1/connectors/jobs/{team_job['jobId']}", 400, "GS_1400", json={"mappings": mappings})
    assert refused["errorDesc"].startswith("mappings[0].lookup.multiMatchOption: must be FIRSTMATCH or MARKASERROR")

    first = _chain(stack, synced)
    assert first["COMPANY_TEAM_SYNC"]["status"] == "SUCCESS", first
    hook = f"/orgs/{org_id}/records"

    # A new account whose owner and parent the platform does not have (both filtered out).
    outsider = next(u for u in _records(sandbox, org_id, "User") if u["UserType"] == "CsnOnly")  # not synced
    hidden = sandbox.call("POST", f"{hook}/Account", json={"Name": "Hidden parent"})
    api.call("PUT", f"/v1/connectors/jobs/{company_job['jobId']}", json={"filter": "Name != 'Hidden parent'"})
    orphan = sandbox.call(
        "POST", f"{hook}/Account", json={"Name": "Orphan", "OwnerId": outsider["Id"], "ParentId": hidden["id"]}
    )
    # Defaults: no CSM leaves Csm null; no parent rejects the row (kept, retried).
    run = _run(stack, api, company_job)
    assert (run["status"], run["rejected"], run["inserted"]) == ("PARTIAL_SUCCESS", 1, 1), run
    errors = api_csv(stack, synced, run["runId"])
    assert errors[1].startswith(f"{orphan['id']},REJECTED,ParentCompany: no Company with SfdcAccountId = ")

    # Parent NULL, CSM REJECT: the row is now rejected for its owner, its parent left null.
    _edit(api, company_job, "ParentCompany", onNoMatch="NULL")
    _edit(api, company_job, "Csm", onNoMatch="REJECT")
    run = _run(stack, api, company_job)
    assert (run["status"], run["rejected"]) == ("PARTIAL_SUCCESS", 1), run
    errors = api_csv(stack, synced, run["runId"])
    assert errors[1].startswith(f"{orphan['id']},REJECTED,OwnerId {outsider['Id']}: no User with SfdcUserId")

    # Csm NULL again: the kept row is retried and written, with neither reference.
    _edit(api, company_job, "Csm", onNoMatch="NULL")
    run = _run(stack, api, company_job)
    assert (run["status"], run["rejected"], run["errored"]) == ("SUCCESS", 0, 0), run
    written = synced["platform"].objects("Company", ["Name", "Csm", "ParentCompany", "SfdcAccountId"])
    (row,) = [c for c in written if c["SfdcAccountId"] == orphan["id"]]
    assert (row["Name"], row.get("Csm"), row.get("ParentCompany")) == ("Orphan", None, None)

    account = _records(sandbox, org_id, "Account")[0]
    companies = synced["platform"].objects("Company", ["SfdcAccountId"])
    oldest = next(c["Gsid"] for c in companies if c["SfdcAccountId"] == account["Id"])
    # A second company claiming the same Salesforce account id, entered by hand (newer).
    api.call("POST", "/v1/data/objects/Company", json={"records": [{"Name": "Twin", "SfdcAccountId": account["Id"]}]})
    users = [u for u in _records(sandbox, org_id, "User") if u["UserType"] == "Standard"]
    member = sandbox.call(
        "POST",
        f"{hook}/AccountTeamMember",
        json={"AccountId": account["Id"], "UserId": users[-1]["Id"], "TeamMemberRole": "Sales Rep"},
    )

    # FIRSTMATCH: the member goes to the oldest of the two companies, not an error.
    _edit(api, team_job, "CompanyId", multiMatchOption="FIRSTMATCH")
    run = _run(stack, api, team_job)
    assert (run["status"], run["errored"], run["rejected"]) == ("SUCCESS", 0, 0), run
    team = synced["platform"].objects("CompanyTeam", ["CompanyId", "SfdcAccountTeamMemberId"])
    assert [t["CompanyId"] for t in team if t["SfdcAccountTeamMemberId"] == member["id"]] == [oldest]
