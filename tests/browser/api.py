"""Setting up what a browser test starts from, through the API (HTTP, as any client)."""

from __future__ import annotations

from typing import Any

import requests

from tests.integration.stack import LocalStack


class Api:
    def __init__(self, stack: LocalStack, key: str) -> None:
        self.stack, self.key = stack, key

    def call(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        answer = requests.request(
            method, f"{self.stack.api}{path}", json=body, params=query, headers={"accesskey": self.key}, timeout=60
        )
        envelope = answer.json()
        assert envelope["result"], (path, envelope)
        return envelope["data"]

    def create_user(self, first: str, last: str, email: str, **fields: Any) -> dict[str, Any]:
        record = {"FirstName": first, "LastName": last, "Email": email, "SFDCUserName": email, **fields}
        data = self.call("POST", "/v1/users/services", {"records": [record]})
        return dict(data["records"][0])

    def key_for(self, tenant_id: str, user_gsid: str) -> str:
        """An access key acting as another user of the tenant."""
        return str(self.stack.csadmin("key", "create", "--tenant", tenant_id, "--user", user_gsid)["accessKey"])

    def create_company(self, name: str, **fields: Any) -> dict[str, Any]:
        data = self.call("POST", "/v1/data/objects/Company", {"records": [{"Name": name, **fields}]})
        return dict(data["records"][0])

    def assign(self, company_gsid: str, user_gsid: str) -> None:
        self.call(
            "POST",
            f"/v1/teams/companies/{company_gsid}/members",
            {"records": [{"UserId": user_gsid, "TeamRole": "Account Manager", "UserAccess": "Member"}]},
        )
