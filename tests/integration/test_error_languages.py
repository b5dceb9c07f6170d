"""Error answers in Japanese over HTTP (issue 17): the header a Japanese browser sends
chooses the language of the localized fields; errorDesc stays English."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from cscore.api import messages
from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration
JAPANESE_BROWSER = {"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.8"}
LOOKUPS = {"CompanyID": {"fields": {"CompanyName": "Name"}, "lookupField": "Gsid", "objectName": "Company1"}}


def _call(stack: LocalStack, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{stack.api}{path}", headers=headers, timeout=30, **kwargs)


@pytest.mark.parametrize("language", [JAPANESE_BROWSER, {}])
def test_errors_are_localized_in_the_language_asked_for(
    stack: LocalStack, tenant: dict[str, str], language: dict[str, str]
) -> None:
    key = {"accesskey": tenant["accessKey"]}
    cases = [
        (
            _call(stack, "GET", "/v1/tenant", {"accesskey": "nobody.nothing.secret"} | language),
            401,
            "GS_APIG_2401",
            "Unauthorized",
            "認証されていません(アクセスキーがないか、無効です)",
        ),
        (
            _call(
                stack,
                "POST",
                "/v1/users/services",
                key | language,
                json={"records": [{"Email": "a@b.co"}], "lookups": LOOKUPS},
            ),
            400,
            "GU_2403",
            "Lookup objects [Company1] are not valid",
            "ルックアップオブジェクト [Company1] は無効です",
        ),
        (
            _call(stack, "POST", "/v1/users/services/list", key | language, json={"select": ["Name", "Shoe"]}),
            400,
            "GU_1705",
            "Invalid select fields: Shoe",
            "無効な選択フィールドです: Shoe",
        ),
    ]
    for response, status, code, desc, japanese in cases:
        assert response.status_code == status, response.text
        body = response.json()
        assert (body["result"], body["errorCode"], body["errorDesc"]) == (False, code, desc)
        if language:
            assert (body["localizedErrorDesc"], body["localizedMessage"]) == (japanese, messages.CODES[code].japanese)
        else:
            assert (body["localizedErrorDesc"], body["localizedMessage"]) == (desc, None)
