"""Data Permissions > Company (seed 001): team-based access, and the access check saying
why a manager can see a company; with Team-based off the same check says no."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from tests.browser.api import Api
from tests.browser.conftest import Console


def _choose(page: Page, label: str, text: str) -> None:
    box = page.get_by_role("combobox", name=label)
    box.press_sequentially(text, delay=40)
    page.get_by_role("listbox", name=label).get_by_role("option").first.click()


def test_the_access_check_explains_why_a_manager_sees_a_company(console: Console, tenant: dict[str, str]) -> None:
    page, t = console.page, console.t
    tag = uuid.uuid4().hex[:6]
    api = Api(console.stack, tenant["accessKey"])
    company = api.create_company(f"Osaka Foods {tag}")
    manager = api.create_user("Keiko", f"Boss{tag}", f"keiko.{tag}@example.com")
    member = api.create_user("Taro", f"Member{tag}", f"taro.{tag}@example.com", Manager=manager["Gsid"])
    api.assign(company["Gsid"], member["Gsid"])
    console.sign_in(tenant["accessKey"], "permissions")

    switches = page.get_by_role("region", name=t("permissions.switches"))
    expect(switches.get_by_label(t("permissions.public"))).not_to_be_checked()
    expect(switches.get_by_label(t("permissions.teamBased"))).to_be_checked()
    console.check_accessibility("permissions")

    _choose(page, t("permissions.checkCompany"), f"Osaka Foods {tag}")
    _choose(page, t("permissions.checkUser"), f"Keiko Boss{tag}")
    page.get_by_role("button", name=t("permissions.check")).click()
    expect(
        page.get_by_text(t("permissions.allowed", user=f"Keiko Boss{tag}", company=f"Osaka Foods {tag}"))
    ).to_be_visible()
    reasons = page.get_by_role("list", name=t("permissions.why"))
    expect(reasons).to_contain_text(t("permissions.reason.MANAGER"))
    expect(reasons).to_contain_text(f"Taro Member{tag}")
    console.screenshot("why")

    # Team-based off: teams grant nothing, so the manager is refused.
    switches.get_by_label(t("permissions.teamBased")).uncheck()
    switches.get_by_role("button", name=t("common.save")).click()
    expect(page.get_by_role("status").filter(has_text=t("permissions.saved"))).to_be_visible()
    page.get_by_role("button", name=t("permissions.check")).click()
    expect(
        page.get_by_text(t("permissions.denied", user=f"Keiko Boss{tag}", company=f"Osaka Foods {tag}"))
    ).to_be_visible()
    expect(page.get_by_text(t("permissions.noReason"))).to_be_visible()


def test_a_rule_on_an_unknown_field_is_refused(console: Console, tenant: dict[str, str]) -> None:
    page, t = console.page, console.t
    console.sign_in(tenant["accessKey"], "permissions")
    rules = page.get_by_role("region", name=t("permissions.rules"))
    expect(rules.get_by_text(t("permissions.noRules"))).to_be_visible()
    rules.get_by_label(t("permissions.ruleName"), exact=True).fill("Region match")
    rules.get_by_label(t("permissions.userField"), exact=True).fill("NoSuchField")
    rules.get_by_label(t("permissions.userValue"), exact=True).first.fill("x")
    rules.get_by_label(t("permissions.companyField"), exact=True).fill("Industry")
    rules.get_by_label(t("permissions.companyValue"), exact=True).last.fill("Retail")
    rules.get_by_role("button", name=t("permissions.addRule")).click()
    expect(page.get_by_role("alert")).to_contain_text("NoSuchField")
    expect(rules.get_by_text(t("permissions.noRules"))).to_be_visible()

    rules.get_by_label(t("permissions.userField"), exact=True).fill("Title")
    rules.get_by_role("button", name=t("permissions.addRule")).click()
    expect(rules.get_by_text("Region match")).to_be_visible()
    console.check_accessibility("permissions: a rule")
