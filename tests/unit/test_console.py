"""The admin console's files: what the page and the files answer, and the two message
dictionaries (every key in both languages)."""

from __future__ import annotations

import re

from cscore.console import site
from tests.browser.messages import STATIC, messages


def test_both_languages_have_the_same_keys_and_no_empty_message() -> None:
    english, japanese = messages("en"), messages("ja")
    assert sorted(english) == sorted(japanese)
    assert all(v.strip() for v in [*english.values(), *japanese.values()])
    # The same placeholders on both sides: a translation cannot drop a value.
    for key, text in english.items():
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", japanese[key])), key


def test_every_key_the_scripts_use_is_in_the_dictionaries() -> None:
    used: set[str] = set()
    for script in STATIC.glob("*.js"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-zA-Z]+\.[a-zA-Z.]+)["']""", script.read_text(encoding="utf-8")))
    assert used, "no t('...') call found"
    assert sorted(used - set(messages("en"))) == []


def test_the_page_names_each_file_with_the_release() -> None:
    page = site.page()
    release = site.release()
    assert f'src="app.js?v={release}"' in page
    assert f'href="console.css?v={release}"' in page
    assert "{{asset:" not in page
    assert "<script>" not in page, "no inline script: the policy allows only the console's own files"


def test_a_file_of_the_current_release_is_cached_for_good_any_other_is_revalidated() -> None:
    current = site.asset("app.js", site.release())
    assert current is not None
    assert current.cache_control == "public, max-age=31536000, immutable"
    assert current.content_type.startswith("text/javascript")
    for version in (None, "0" * 16):
        other = site.asset("app.js", version)
        assert other is not None and other.cache_control == "no-cache"


def test_module_imports_carry_the_release() -> None:
    app = site.asset("app.js", None)
    assert app is not None
    imports = re.findall(r'from "(\./[^"]+)"', app.body)
    assert imports and all(i.endswith(f".js?v={site.release()}") for i in imports)


def test_only_the_console_files_are_served() -> None:
    for name in ("index.html", "../api/openapi.json", "missing.js", "APP.JS", "app.js/", ".hidden.js", "site.py"):
        assert site.asset(name, None) is None, name


def test_the_policy_allows_nothing_from_elsewhere_but_the_upload_bucket() -> None:
    policy = site.policy("https://bucket.s3.us-east-1.amazonaws.com")
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self' https://bucket.s3.us-east-1.amazonaws.com"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def test_the_callback_page_returns_to_the_console_with_the_outcome() -> None:
    from cscore.connector import pages

    done = pages.authorized({"name": "Prod", "orgId": "00D000000000001EAA", "connectionId": "C1"})
    back = "../../../../admin/#/connectors?outcome=authorized&amp;connectionId=C1"
    assert f'content="3; url={back}"' in done and f'href="{back}"' in done
    failed = pages.failed("GS_SF_1002", "another org")
    assert "outcome=failed&amp;code=GS_SF_1002" in failed
    # From the callback's own address, the relative way back lands on the console.
    from urllib.parse import urljoin

    callback = "https://api.example.com/Prod/v1/connectors/salesforce/oauth/callback?code=x&state=y"
    assert urljoin(callback, pages.CONSOLE).startswith("https://api.example.com/Prod/admin/#")
