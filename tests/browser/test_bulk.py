"""Bulk upload (seed 001): a Company Team job from a CSV's header row, the file sent
through the pre-signed URL with its progress, the import watched until done, the rejected
row downloaded; a job without a file is refused."""

from __future__ import annotations

import uuid
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.api import Api
from tests.browser.conftest import Console


def test_upload_a_csv_through_the_presigned_url_and_watch_it_complete(
    console: Console, tenant: dict[str, str], tmp_path: Path
) -> None:
    page, t = console.page, console.t
    tag = uuid.uuid4().hex[:6]
    api = Api(console.stack, tenant["accessKey"])
    api.create_company(f"Bulk Co {tag}")
    api.create_user("Yuki", f"Bulk{tag}", f"yuki.{tag}@example.com")
    csv = tmp_path / "team.csv"
    rows = ["Company Name,Email ID,Deleted", f"Bulk Co {tag},yuki.{tag}@example.com,false"]
    rows.append(f"No Such Co {tag},yuki.{tag}@example.com,false")  # rejected: no such company
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    console.sign_in(tenant["accessKey"], "bulk")
    expect(page.get_by_text(t("bulk.noJobs"))).to_be_visible()
    console.check_accessibility("bulk: no jobs")

    create = page.get_by_role("region", name=t("bulk.createTitle"))
    create.get_by_label(t("bulk.jobName"), exact=True).fill("Team members")
    create.get_by_role("button", name=t("bulk.createJob")).click()  # refused: no header row yet
    expect(page.get_by_role("alert")).to_contain_text(t("bulk.chooseHeaderFile"))
    create.get_by_label(t("bulk.headerFile")).set_input_files(csv)
    expect(create.get_by_label(t("bulk.companyColumn"), exact=True)).to_have_value("Company Name")
    expect(create.get_by_label(t("bulk.userColumn"), exact=True)).to_have_value("Email ID")
    expect(create.get_by_label(t("bulk.deletedColumn"), exact=True)).to_have_value("Deleted")
    create.get_by_role("button", name=t("bulk.createJob")).click()
    expect(page.get_by_role("table", name=t("bulk.jobs"))).to_contain_text("Team members")

    upload = page.get_by_role("region", name=t("bulk.uploadTitle"))
    upload.get_by_label(t("bulk.file"), exact=True).set_input_files(csv)
    upload.get_by_role("button", name=t("bulk.upload")).click()
    sent = page.get_by_role("progressbar", name=t("bulk.uploading", name="team.csv"))
    expect(sent).to_have_attribute("value", str(csv.stat().st_size))
    imported = page.get_by_role("progressbar", name=t("bulk.importing"))
    expect(imported).to_have_attribute("value", "2", timeout=60_000)
    expect(page.get_by_role("status").filter(has_text=t("bulk.done", success=1, failed=1))).to_be_visible()
    console.screenshot("imported")

    imports = page.get_by_role("table", name=t("bulk.importsOf", name="Team members"))
    expect(imports).to_contain_text(t("status.COMPLETED"))
    with page.expect_download() as downloading:
        imports.get_by_role("button", name=t("jobs.downloadErrors")).click()
    rejected = downloading.value.path().read_text(encoding="utf-8")
    assert f"No Such Co {tag}" in rejected and f"Bulk Co {tag}," not in rejected
    console.check_accessibility("bulk: imported")
    members = api.call("POST", "/v1/teams/search", {"type": "company", "text": f"Bulk Co {tag}"})["companies"]
    team = api.call("GET", f"/v1/teams/companies/{members[0]['Gsid']}/members")["members"]
    assert [m["UserEmail"] for m in team] == [f"yuki.{tag}@example.com"]
