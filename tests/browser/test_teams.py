"""Team Management (seed 001): type-ahead search, assign a user to a company's team, remove."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.browser.api import Api
from tests.browser.conftest import Console


def test_assign_a_user_to_a_company_team_and_remove_it(console: Console, tenant: dict[str, str]) -> None:
    page, t = console.page, console.t
    tag = uuid.uuid4().hex[:6]
    api = Api(console.stack, tenant["accessKey"])
    api.create_company(f"Kanto Trading {tag}", Industry="Retail")
    api.create_user("Jiro", f"Sato{tag}", f"jiro.{tag}@example.com")
    console.sign_in(tenant["accessKey"], "teams")

    page.get_by_label(t("teams.fields"), exact=True).fill("Industry")
    company = page.get_by_role("combobox", name=t("teams.findCompany"))
    company.press_sequentially("kanto", delay=60)  # one request once typing stops
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    expect(page.get_by_role("listbox").get_by_role("option")).to_contain_text("Industry: Retail")
    company.press("ArrowDown")
    company.press("Enter")
    team = page.get_by_role("region", name=t("teams.teamOf", name=f"Kanto Trading {tag}"))
    expect(team.get_by_text(t("teams.noMembers"))).to_be_visible()
    console.check_accessibility("teams: empty team")

    team.get_by_role("button", name=t("teams.assign")).click()  # refused: no user chosen
    expect(page.get_by_role("alert")).to_contain_text(t("teams.chooseUser"))

    who = team.get_by_role("combobox", name=t("teams.userToAssign"))
    who.press_sequentially(f"sato{tag}", delay=40)
    page.get_by_role("listbox").get_by_role("option", name=f"Jiro Sato{tag}").click()
    team.get_by_label(t("teams.userAccess"), exact=True).select_option("Admin")
    team.get_by_role("button", name=t("teams.assign")).click()
    row = team.get_by_role("row").filter(has_text=f"Jiro Sato{tag}")
    expect(row).to_contain_text(t("teams.accessAdmin"))
    expect(row).to_contain_text("Account Manager")
    console.check_accessibility("teams: a team")

    row.get_by_role(
        "button", name=t("teams.removeNamed", user=f"Jiro Sato{tag}", company=f"Kanto Trading {tag}")
    ).click()
    page.get_by_role("dialog").get_by_role("button", name=t("common.remove")).click()
    expect(team.get_by_text(t("teams.noMembers"))).to_be_visible()


def test_a_search_with_no_match_says_so(console: Console, tenant: dict[str, str]) -> None:
    page, t = console.page, console.t
    console.sign_in(tenant["accessKey"], "teams")
    page.get_by_label(t("teams.searchFor"), exact=True).select_option("user")
    page.get_by_role("combobox", name=t("teams.findUser")).press_sequentially("nobody-here", delay=20)
    expect(page.get_by_text(t("search.none"))).to_be_visible()
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(0)
