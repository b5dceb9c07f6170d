"""Browser tests: a real Chromium (Debian's ``chromium``) driven by Playwright against the
local stack, in English and in Japanese. Each test saves a screenshot and checks the
pages it visits with axe-core (no serious or critical violation) and that nothing broke
the page's Content-Security-Policy. Missing Chromium or axe-core fails, never skips:
``make test`` installs both."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.messages import LANGUAGES, t
from tests.integration.salesforce import Sandbox
from tests.integration.stack import ROOT, LocalStack, start_stack

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCALES = {"en": "en-US", "ja": "ja-JP"}
TIMEZONES = {"en": "America/New_York", "ja": "Asia/Tokyo"}
# Every CSP violation a page reports, recorded before any of its scripts run.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""

expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    running = start_stack(Path(tmp_path_factory.mktemp("stack")), "--no-persist")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (make test does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def tenant(stack: LocalStack) -> dict[str, str]:
    return stack.csadmin("tenant", "create", "--name", "Browser")


class Console:
    """One browser tab on the console, in one language, for one test."""

    def __init__(self, page: Page, stack: LocalStack, language: str, axe: str, name: str) -> None:
        self.page, self.stack, self.language, self.axe, self.name = page, stack, language, axe, name
        self.checked: set[str] = set()

    def t(self, key: str, **values: object) -> str:
        return t(self.language, key, **values)

    def open(self, route: str = "") -> None:
        self.page.goto(f"{self.stack.api}/admin/{route}")

    def sign_in(self, access_key: str, route: str = "") -> None:
        self.open()
        expect(self.page.get_by_role("heading", name=self.t("signIn.title"), exact=True)).to_be_visible()
        self.check_accessibility("sign-in")
        self.page.get_by_role("textbox", name=self.t("signIn.key"), exact=True).fill(access_key)
        self.page.get_by_role("form", name=self.t("signIn.withKey")).get_by_role("button").click()
        expect(self.page.get_by_role("button", name=self.t("header.signOut"))).to_be_visible()
        expect(self.page.locator("#page-title")).to_be_focused()  # the first page is drawn
        if route:
            self.go(route)

    def go(self, page_name: str) -> None:
        """Opens a page from the menu (keyboard: focus the link, Enter)."""
        link = self.page.get_by_role("navigation").get_by_role("link", name=self.t(f"nav.{page_name}"), exact=True)
        link.focus()
        self.page.keyboard.press("Enter")
        expect(link).to_have_attribute("aria-current", "page")

    def check_accessibility(self, what: str) -> None:
        """axe-core on the page as it is now: no serious or critical violation."""
        self.page.evaluate(self.axe)
        result: dict[str, Any] = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
        )
        serious = [v for v in result if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{what} ({self.language}): {serious}"
        self.checked.add(what)

    def csp_violations(self) -> list[str]:
        return list(self.page.evaluate("window.__cspViolations || []"))

    def screenshot(self, label: str = "") -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{self.name}{'-' + label if label else ''}")
        path = SCREENSHOTS / f"{stem}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def console(
    browser: Browser, stack: LocalStack, language: str, axe_source: str, request: pytest.FixtureRequest
) -> Iterator[Console]:
    context = browser.new_context(
        locale=LOCALES[language],
        timezone_id=TIMEZONES[language],
        ignore_https_errors=True,  # the stand-in org's certificate is signed by its own CA
        viewport={"width": 1280, "height": 900},
    )
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    opened = Console(page, stack, language, axe_source, request.node.name)
    try:
        yield opened
        assert errors == [], f"script errors on the page: {errors}"
        assert opened.csp_violations() == [], "the page broke its Content-Security-Policy"
    finally:
        opened.screenshot()
        context.close()


ConsoleFactory = Callable[[], Console]


@pytest.fixture
def sandbox(stack: LocalStack) -> Sandbox:
    """The stand-in org's test hooks (new orgs, changes at the source)."""
    return Sandbox(stack)


def new_org(sandbox: Sandbox, name: str) -> dict[str, Any]:
    """A fresh small org of the stand-in Salesforce."""
    return sandbox.new_org(
        f"{name} {uuid.uuid4().hex[:6]}", users=4, accounts=5, contactsPerAccount=2, teamMembersPerAccount=1
    )


def log_in_to_salesforce(page: Page, org: dict[str, Any], decision: str = "Allow") -> None:
    """The stand-in org's real login and consent pages, as an admin fills them."""
    expect(page.get_by_role("heading", name="Log In")).to_be_visible()
    page.get_by_label("Username").fill(org["username"])
    page.get_by_label("Password").fill(org["password"])
    page.get_by_role("button", name="Log In").click()
    expect(page.get_by_role("heading", name="Allow Access?")).to_be_visible()
    page.get_by_role("button", name=decision).click()
