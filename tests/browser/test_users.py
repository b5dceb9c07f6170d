"""Users (seed 003): sign in, list, type-ahead search, create, edit, deactivate."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.browser.api import Api
from tests.browser.conftest import Console


def test_create_search_and_deactivate_a_user(console: Console, tenant: dict[str, str]) -> None:
    page, t = console.page, console.t
    console.sign_in(tenant["accessKey"], "users")
    expect(page.get_by_role("heading", name=t("users.title"), exact=True)).to_be_focused()
    users = page.get_by_role("table")
    expect(users.get_by_role("row")).to_have_count(2)  # the header and the first super admin

    tag = uuid.uuid4().hex[:6]
    create = page.get_by_role("region", name=t("users.createTitle"))
    create.get_by_label(t("users.firstName"), exact=True).fill("Hanako")
    create.get_by_label(t("users.lastName"), exact=True).fill(f"Yamada{tag}")
    create.get_by_label(t("users.email"), exact=True).fill(f"hanako.{tag}@example.com")
    create.get_by_label(t("users.userName"), exact=True).fill(f"hanako.{tag}@example.com")
    create.get_by_role("button", name=t("users.create")).click()
    expect(page.get_by_role("status").filter(has_text=t("users.created", name=f"Hanako Yamada{tag}"))).to_be_visible()
    expect(users.get_by_role("row")).to_have_count(3)

    page.get_by_role("searchbox", name=t("users.search")).press_sequentially(f"yamada{tag}"[:9], delay=40)
    expect(users.get_by_role("row")).to_have_count(2)
    row = users.get_by_role("row").filter(has_text=f"Yamada{tag}")
    expect(row).to_contain_text(t("status.ACTIVE"))
    console.check_accessibility("users")

    deactivate = row.get_by_role("button", name=f"{t('users.deactivate')}: Hanako Yamada{tag}")
    deactivate.click()
    dialog = page.get_by_role("dialog", name=t("common.confirmTitle"))
    expect(dialog).to_be_visible()
    console.check_accessibility("users: confirm deactivation")
    page.keyboard.press("Escape")  # refused: nothing changes
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text(t("status.ACTIVE"))

    deactivate.click()
    dialog.get_by_role("button", name=t("users.deactivate")).click()
    expect(
        page.get_by_role("status").filter(has_text=t("users.deactivated", name=f"Hanako Yamada{tag}"))
    ).to_be_visible()
    expect(row).to_contain_text(t("status.INACTIVE"))
    page.get_by_label(t("users.filterStatus"), exact=True).select_option("active")
    expect(page.get_by_text(t("users.noMatch"))).to_be_visible()


def test_a_taken_user_name_is_refused_with_the_api_message(console: Console, tenant: dict[str, str]) -> None:
    page, t = console.page, console.t
    console.sign_in(tenant["accessKey"], "users")
    create = page.get_by_role("region", name=t("users.createTitle"))
    taken = "admin@" + tenant["tenantId"][:8] + ".example.com"
    Api(console.stack, tenant["accessKey"]).create_user("First", "Holder", taken)
    create.get_by_label(t("users.firstName"), exact=True).fill("Second")
    create.get_by_label(t("users.lastName"), exact=True).fill("Holder")
    create.get_by_label(t("users.email"), exact=True).fill(taken)
    create.get_by_label(t("users.userName"), exact=True).fill(taken)
    create.get_by_role("button", name=t("users.create")).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("GU_2401")
    console.check_accessibility("users: refused create")


def test_a_wrong_key_is_refused_at_sign_in(console: Console) -> None:
    page, t = console.page, console.t
    console.open()
    page.get_by_role("textbox", name=t("signIn.key"), exact=True).fill("not-a-key")
    page.get_by_role("form", name=t("signIn.withKey")).get_by_role("button").click()
    expect(page.get_by_role("alert")).to_contain_text("GS_APIG_2401")
    expect(page.get_by_role("button", name=t("header.signOut"))).to_have_count(0)


def test_a_user_who_is_not_a_super_admin_gets_the_403_page(console: Console, tenant: dict[str, str]) -> None:
    page, t = console.page, console.t
    api = Api(console.stack, tenant["accessKey"])
    user = api.create_user("Plain", "User", f"plain.{uuid.uuid4().hex[:6]}@example.com")
    console.sign_in(api.key_for(tenant["tenantId"], user["Gsid"]), "users")
    expect(page.get_by_role("heading", name=t("forbidden.title"))).to_be_visible()
    expect(page.get_by_text(t("forbidden.body"))).to_be_visible()
    console.check_accessibility("403")


def test_sign_in_with_an_m2m_client(console: Console, tenant: dict[str, str]) -> None:
    page, t = console.page, console.t
    client = console.stack.csadmin("oauth-client", "create", "--tenant", tenant["tenantId"])
    console.open()
    form = page.get_by_role("form", name=t("signIn.withClient"))
    form.get_by_label(t("signIn.clientId"), exact=True).fill(client["clientId"])
    form.get_by_label(t("signIn.clientSecret"), exact=True).fill("not-the-secret")
    form.get_by_role("button").click()  # refused: a wrong secret
    expect(page.get_by_role("alert")).to_be_visible()
    form.get_by_label(t("signIn.clientSecret"), exact=True).fill(client["clientSecret"])
    form.get_by_role("button").click()
    expect(page.get_by_role("button", name=t("header.signOut"))).to_be_visible()
    expect(page.locator("#tenant-name")).to_have_text("Browser")
    assert page.evaluate("JSON.parse(sessionStorage.getItem('cs-console-credential')).kind") == "bearer"
    assert page.evaluate("localStorage.length") == 0  # the credential lives in the tab only
