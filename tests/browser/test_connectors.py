"""Connectors (seed 000): create a connection, authorize it through the stand-in org's
login and consent pages (the callback brings the browser back), revoke after a
confirmation; another org is refused."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Console, log_in_to_salesforce, new_org
from tests.integration.salesforce import Sandbox


def test_create_authorize_and_revoke_a_connection(console: Console, tenant: dict[str, str], sandbox: Sandbox) -> None:
    page, t = console.page, console.t
    org = new_org(sandbox, "Console")
    console.sign_in(tenant["accessKey"], "connectors")
    expect(page.get_by_text(t("connectors.empty"))).to_be_visible()
    console.check_accessibility("connectors: none yet")

    page.get_by_label(t("connectors.name"), exact=True).fill("Acme Prod")
    page.get_by_role("button", name=t("connectors.create")).click()
    card = page.get_by_role("region", name="Acme Prod")
    expect(card).to_contain_text(t("status.CREATED"))

    card.get_by_role("button", name=t("connectors.authorize")).click()
    log_in_to_salesforce(page, org)
    expect(page.get_by_role("heading", name="Salesforce connection authorized")).to_be_visible()
    # The callback page sends the browser back to the console, which shows the outcome.
    expect(page.get_by_role("status").filter(has_text=t("connectors.authorizedBack"))).to_be_visible()
    expect(card).to_contain_text(t("status.AUTHORIZED"))
    expect(card).to_contain_text(org["orgId"])
    console.check_accessibility("connectors: authorized")
    console.screenshot("authorized")

    card.get_by_role("button", name=t("connectors.revoke")).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name=t("common.cancel")).click()
    expect(card).to_contain_text(t("status.AUTHORIZED"))
    card.get_by_role("button", name=t("connectors.revoke")).click()
    dialog.get_by_role("button", name=t("connectors.revoke")).click()
    expect(card).to_contain_text(t("status.REVOKED"))
    expect(card.get_by_role("button", name=t("connectors.reauthorize"))).to_be_visible()


def test_re_authorizing_with_another_org_is_refused(console: Console, tenant: dict[str, str], sandbox: Sandbox) -> None:
    page, t = console.page, console.t
    first, other = new_org(sandbox, "First"), new_org(sandbox, "Other")
    console.sign_in(tenant["accessKey"], "connectors")
    page.get_by_label(t("connectors.name"), exact=True).fill("Bound")
    page.get_by_role("button", name=t("connectors.create")).click()
    card = page.get_by_role("region", name="Bound")
    card.get_by_role("button", name=t("connectors.authorize")).click()
    log_in_to_salesforce(page, first)
    expect(card).to_contain_text(t("status.AUTHORIZED"), timeout=15_000)

    card.get_by_role("button", name=t("connectors.reauthorize")).click()
    log_in_to_salesforce(page, other)
    expect(page.get_by_role("alert")).to_contain_text(t("connectors.failed.GS_SF_1002"), timeout=15_000)
    expect(page.get_by_role("alert")).to_contain_text("GS_SF_1002")
    expect(card).to_contain_text(first["orgId"])
    console.check_accessibility("connectors: refused")
