"""The admin console over HTTP: no key, its policy, its caching, nothing else served."""

from __future__ import annotations

import re

import pytest
import requests

from cscore.console import site
from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration


def test_the_page_is_served_without_a_key_with_its_policy(stack: LocalStack) -> None:
    moved = requests.get(f"{stack.api}/admin", allow_redirects=False, timeout=30)
    assert moved.status_code == 301 and moved.headers["Location"] == "admin/"
    page = requests.get(f"{stack.api}/admin/", timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    upload = requests.post(
        f"{stack.api}/v1.0/admin/connector/job/bulkimport/upload-url",
        json={},
        headers={"accesskey": stack.info["accessKey"]},
        timeout=30,
    ).json()["data"]["uploadUrl"]
    origin = "/".join(upload.split("/")[:3])
    assert page.headers["Content-Security-Policy"] == site.policy(origin)
    assert page.headers["Cache-Control"] == "no-cache"
    assert page.headers["X-Frame-Options"] == "DENY"
    script = re.search(r'src="(app\.js\?v=[0-9a-f]+)"', page.text)
    assert script is not None
    asset = requests.get(f"{stack.api}/admin/{script.group(1)}", timeout=30)
    assert asset.status_code == 200
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert asset.headers["Content-Type"].startswith("text/javascript")
    unversioned = requests.get(f"{stack.api}/admin/app.js", timeout=30)
    assert unversioned.headers["Cache-Control"] == "no-cache"


def test_nothing_but_the_console_files_is_served(stack: LocalStack) -> None:
    for name in ("missing.js", "..%2Fapi%2Fopenapi.json", "site.py"):
        answer = requests.get(f"{stack.api}/admin/{name}", timeout=30)
        assert answer.status_code == 404, name
        assert answer.json()["errorCode"] == "GS_1404"
