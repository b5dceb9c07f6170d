"""Data jobs (seed 000): run the chain and watch it to Success, download a run's errors
CSV, edit the schedule and a derived mapping; a bad schedule is refused."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.api import Api
from tests.browser.conftest import Console, new_org
from tests.integration.salesforce import Browser, Sandbox
from tests.integration.test_connector import Api as ConnectorApi
from tests.integration.test_connector import _connected


def _connected_tenant(console: Console, tenant: dict[str, str], sandbox: Sandbox) -> dict[str, Any]:
    """A tenant whose connection is authorized (through the API; the Connectors test does it
    in the browser), with one Contact that has no Email: Company Person Sync rejects it."""
    org = new_org(sandbox, "Jobs")
    account = sandbox.call("GET", f"/orgs/{org['orgId']}/records/Account")["records"][0]
    sandbox.call(
        "POST",
        f"/orgs/{org['orgId']}/records/Contact",
        json={"AccountId": account["Id"], "FirstName": "No", "LastName": "Email", "Email": None},
    )
    api = ConnectorApi(console.stack, tenant["accessKey"])
    return _connected(api, Browser(console.stack.info["salesforce"]["caBundle"]), org)


def test_run_the_chain_to_success_and_download_the_errors(
    console: Console, tenant: dict[str, str], sandbox: Sandbox
) -> None:
    page, t = console.page, console.t
    _connected_tenant(console, tenant, sandbox)
    console.sign_in(tenant["accessKey"], "jobs")
    chain = page.get_by_role("list", name=t("jobs.chain"))
    expect(chain.get_by_role("listitem")).to_have_count(4)
    console.check_accessibility("jobs")

    page.get_by_role("button", name=f"{t('jobs.runNow')}: User Sync_Prod").click()
    progress = page.get_by_role("progressbar", name=t("jobs.chainProgress"))
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("value", "4", timeout=120_000)
    expect(page.get_by_text(t("jobs.finished"))).to_be_visible()
    console.screenshot("chain-finished")
    table = page.get_by_role("table", name=t("jobs.title"))
    expect(table.get_by_role("row").filter(has_text="User Sync_Prod")).to_contain_text(t("status.SUCCESS"))

    page.get_by_role("button", name=f"{t('common.edit')}: Company Person Sync_Prod").click()
    runs = page.get_by_role("table", name=t("jobs.historyOf", name="Company Person Sync_Prod"))
    expect(runs.get_by_role("row")).to_have_count(2)
    with page.expect_download() as downloading:
        runs.get_by_role("button", name=t("jobs.downloadErrors")).first.click()
    csv = downloading.value.path().read_text(encoding="utf-8")
    assert csv.splitlines()[0].startswith("sourceId,outcome,reason")
    assert "Email" in csv
    console.check_accessibility("jobs: a job")


def test_edit_the_schedule_and_a_derived_mapping(console: Console, tenant: dict[str, str], sandbox: Sandbox) -> None:
    page, t = console.page, console.t
    _connected_tenant(console, tenant, sandbox)
    console.sign_in(tenant["accessKey"], "jobs")
    page.get_by_role("button", name=f"{t('common.edit')}: User Sync_Prod").click()
    settings = page.get_by_role("region", name=t("jobs.settingsOf", name="User Sync_Prod"))
    settings.get_by_label(t("jobs.frequency"), exact=True).select_option("WEEKLY")
    settings.get_by_label(t("jobs.dayOfWeek"), exact=True).select_option("WED")
    settings.get_by_label(t("jobs.time"), exact=True).fill("06:30")
    settings.get_by_label(t("jobs.timezone"), exact=True).fill("Not/AZone")
    settings.get_by_role("button", name=t("jobs.saveSchedule")).click()
    expect(page.get_by_role("alert")).to_contain_text("GS_1400")  # refused: no such time zone

    settings.get_by_label(t("jobs.timezone"), exact=True).fill("Asia/Tokyo")
    settings.get_by_role("button", name=t("jobs.saveSchedule")).click()
    expect(page.get_by_role("status").filter(has_text=t("jobs.saved", name="User Sync_Prod"))).to_be_visible()
    row = page.get_by_role("table", name=t("jobs.title")).get_by_role("row").filter(has_text="User Sync_Prod")
    expect(row).to_contain_text("06:30 (Asia/Tokyo)")
    expect(row).to_contain_text(t("jobs.day.WED"))

    # The derived Manager mapping: match the manager by SFDCUserName instead of SfdcUserId.
    mappings = page.get_by_role("region", name=t("jobs.mappingsOf", name="User Sync_Prod"))
    by = mappings.get_by_role("textbox", name=f"{t('jobs.lookupBy')} 11")
    expect(by).to_have_value("SfdcUserId")
    by.fill("Email")
    # ... and when no manager matches, write Manager empty instead of rejecting the row.
    no_match = mappings.get_by_role("combobox", name=f"{t('jobs.onNoMatch')} 11")
    expect(no_match).to_have_value("REJECT")
    no_match.select_option("NULL")
    mappings.get_by_role("button", name=t("jobs.saveMappings")).click()
    expect(page.get_by_role("status").filter(has_text=t("jobs.saved", name="User Sync_Prod"))).to_be_visible()
    job = Api(console.stack, tenant["accessKey"]).call(
        "GET", f"/v1/connectors/jobs/{_job_id(console, tenant, 'User Sync_Prod')}"
    )
    manager = next(m for m in job["mappings"] if m["target"] == "Manager")
    assert manager["source"] == "ManagerId"
    lookup = {"object": "User", "by": "Email", "multiMatchOption": "MARKASERROR", "onNoMatch": "NULL"}
    assert manager["lookup"] == lookup
    assert job["schedule"] == {"frequency": "WEEKLY", "time": "06:30", "timezone": "Asia/Tokyo", "dayOfWeek": "WED"}


def _job_id(console: Console, tenant: dict[str, str], name: str) -> str:
    api = Api(console.stack, tenant["accessKey"])
    (connection,) = api.call("GET", "/v1/connectors/salesforce/connections")["connections"]
    jobs = api.call("GET", "/v1/connectors/jobs", connectionId=connection["connectionId"])["jobs"]
    return str(next(j["jobId"] for j in jobs if j["name"] == name))


def test_create_a_custom_job_from_a_source_object_with_a_filter(
    console: Console, tenant: dict[str, str], sandbox: Sandbox
) -> None:
    page, t = console.page, console.t
    _connected_tenant(console, tenant, sandbox)
    console.sign_in(tenant["accessKey"], "jobs")
    custom = page.get_by_role("region", name=t("jobs.customTitle"))
    custom.get_by_label(t("jobs.name"), exact=True).fill("Tech accounts")
    custom.get_by_label(t("jobs.sourceObject"), exact=True).fill("Account")
    custom.get_by_label(t("jobs.filter"), exact=True).fill("Industry = 'Technology'")
    custom.get_by_label(t("jobs.mappingLines"), exact=True).fill("Id -> SfdcAccountId\nName -> PK")
    custom.get_by_label(t("jobs.keyFields"), exact=True).fill("SfdcAccountId")
    custom.get_by_role("button", name=t("jobs.createCustom")).click()
    expect(page.get_by_role("alert")).to_contain_text("mappings[1].target")  # refused, in the page language
    expect(page.get_by_role("alert")).to_contain_text("GS_1400")

    custom.get_by_label(t("jobs.mappingLines"), exact=True).fill("Id -> SfdcAccountId\nName -> Name")
    custom.get_by_role("button", name=t("jobs.createCustom")).click()
    expect(page.get_by_role("status").filter(has_text=t("jobs.customCreated", name="Tech accounts"))).to_be_visible()
    expect(page.get_by_role("table", name=t("jobs.title"))).to_contain_text("Account → Company")
    console.check_accessibility("jobs: custom job")
