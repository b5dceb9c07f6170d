"""Demo data for ``make run`` (``--demo-data``): what the admin console shows on first open.

Everything goes through the product's API over HTTP, as an administrator would do it: a
Salesforce connection authorized with the stand-in org (its real login and consent pages),
the out-of-the-box chain run once, a manual team assignment, a permission rule and a bulk
job. A tenant that already has a connection is left as it is (restarts keep their data).
"""

from __future__ import annotations

import re
import time
from html import unescape
from typing import Any
from urllib.parse import urljoin

import requests

CONNECTIONS = "/v1/connectors/salesforce/connections"
RULE = {
    "name": "Managers see technology companies",
    "user": {"conditions": [{"name": "Title", "alias": "A", "operator": "CONTAINS", "value": ["Manager"]}]},
    "company": {"conditions": [{"name": "Industry", "alias": "B", "operator": "EQ", "value": ["Technology"]}]},
}
BULK_JOB = {
    "name": "Team members (CSV)",
    "objectName": "CompanyTeam",
    "headers": ["Company Name", "Email ID", "Deleted"],
    "fieldMappings": {"Deleted": "Deleted"},
    "lookups": {
        "CompanyId": {"fields": {"Company Name": "Name"}, "objectName": "Company", "lookupField": "Gsid"},
        "UserId": {"fields": {"Email ID": "Email"}, "objectName": "User", "lookupField": "Gsid"},
    },
    "keys": ["CompanyId", "UserId"],
}
_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


class DemoError(RuntimeError):
    pass


class _Api:
    def __init__(self, api_url: str, key: str) -> None:
        self.url, self.key = api_url, key

    def call(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        answer = requests.request(
            method, self.url + path, json=body, params=query, headers={"accesskey": self.key}, timeout=60
        )
        envelope = answer.json()
        if not envelope.get("result"):
            raise DemoError(f"{method} {path}: {envelope.get('errorCode')} {envelope.get('errorDesc')}")
        return envelope["data"]


def _log_in(authorization_url: str, org: dict[str, Any], ca_bundle: str) -> str:
    """The stand-in org's login and consent forms, filled; returns the callback URL."""
    session = requests.Session()
    page = session.get(authorization_url, timeout=30, verify=ca_bundle)
    fields = {k: unescape(v) for k, v in _HIDDEN.findall(page.text)}
    action = urljoin(page.url, "/services/oauth2/authorize")
    consent = session.post(
        action, data=fields | {"username": org["username"], "password": org["password"]}, timeout=30, verify=ca_bundle
    )
    fields = {k: unescape(v) for k, v in _HIDDEN.findall(consent.text)}
    if fields.get("step") != "consent":
        raise DemoError(f"the stand-in org did not accept {org['username']}")
    done = session.post(
        action, data=fields | {"decision": "allow"}, timeout=30, verify=ca_bundle, allow_redirects=False
    )
    return str(done.headers["Location"])


def _wait_for_chain(api: _Api, connection_id: str, started: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = api.call("GET", "/v1/connectors/jobs", connectionId=connection_id)["jobs"]
        runs = [j.get("lastRun") for j in jobs]
        if all(
            r and r.get("queuedAt", "") >= started and r["status"] in ("SUCCESS", "PARTIAL_SUCCESS", "FAILED")
            for r in runs
        ):
            return
        time.sleep(1)
    raise DemoError("the first sync did not finish in time; the console shows it running")


def seed(info: dict[str, Any], timeout: float = 180.0) -> bool:
    """Demo data for the stack's demo tenant; False when it already has some."""
    api = _Api(str(info["apiUrl"]), str(info["accessKey"]))
    if api.call("GET", CONNECTIONS)["connections"]:
        return False
    salesforce = info["salesforce"]
    org = salesforce["orgs"][0]
    connection = api.call("POST", CONNECTIONS, {"name": "Demo", "orgType": "production"})
    cid = connection["connectionId"]
    authorization_url = api.call("POST", f"{CONNECTIONS}/{cid}/authorize")["authorizationUrl"]
    callback = requests.get(_log_in(authorization_url, org, salesforce["caBundle"]), timeout=60)
    if callback.status_code != 200:
        raise DemoError(f"the OAuth callback answered {callback.status_code}")
    jobs = api.call("GET", "/v1/connectors/jobs", connectionId=cid)["jobs"]
    first = next(j for j in jobs if not j["dependsOn"])
    started = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 5))
    api.call("POST", f"/v1/connectors/jobs/{first['jobId']}/run", {"withDependents": True})
    _wait_for_chain(api, cid, started, timeout)
    company = api.call("POST", "/v1/data/objects/query/Company", {"select": ["Gsid", "Name"], "limit": 1})
    rows = company.get("records") or company.get("data") or []
    if rows:
        api.call(
            "POST",
            f"/v1/teams/companies/{rows[0]['Gsid']}/members",
            {"records": [{"UserId": info["superAdminGsid"], "TeamRole": "Account Manager", "UserAccess": "Admin"}]},
        )
    settings = api.call("GET", "/v1/permissions/company")
    api.call("PUT", "/v1/permissions/company", {**settings, "rules": [*settings["rules"], RULE]})
    api.call("POST", "/v1.0/admin/connector/job/bulk", BULK_JOB)
    return True
