"""Talking to Salesforce for a connection: a REST client while it is authorized, and what
follows when Salesforce refuses the stored authorization (the connection needs
re-authorization and its jobs pause until an admin authorizes it again).

Used by the connection endpoints, a job's filter check and the sync; it sits below
``connections`` and ``jobs`` so that none of them imports another in a circle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cscore.connector import connected_app, repository, schedules, vault
from cscore.connector.errors import ConnectionNotAuthorized
from cscore.platform import clock, config
from cscore.salesforce.tokens import AppCredentials

if TYPE_CHECKING:
    from cscore.salesforce.client import SalesforceClient

AUTHORIZED, NEEDS_REAUTHORIZATION = "AUTHORIZED", "NEEDS_REAUTHORIZATION"


def salesforce_client(tenant_id: str, connection: dict[str, Any]) -> SalesforceClient:
    """A REST client for an authorized connection; rotated tokens are stored encrypted.
    The client (requests, oauthlib) is imported here, when a request talks to Salesforce."""
    from cscore.salesforce.client import SalesforceClient

    if connection["status"] != AUTHORIZED:
        raise ConnectionNotAuthorized(f"The connection is {connection['status']}: authorize it first")
    tokens = vault.load(tenant_id, connection["connectionId"])
    if tokens is None:
        raise ConnectionNotAuthorized("The connection has no tokens: authorize it again")
    app = connected_app.get()
    return SalesforceClient(
        tokens,
        AppCredentials(connection["loginUrl"], app.client_id, app.client_secret),
        config.salesforce_api_version(),
        on_tokens_changed=lambda new: vault.save(tenant_id, connection["connectionId"], new),
    )


def mark_needs_reauthorization(tenant_id: str, connection_id: str) -> None:
    """Salesforce refused the refresh token: jobs pause until an admin re-authorizes."""
    connection = repository.get_connection(tenant_id, connection_id)
    if connection is None or connection["status"] != AUTHORIZED:
        return
    connection |= {"status": NEEDS_REAUTHORIZATION, "needsReauthorizationSince": clock.iso()}
    repository.put_connection(tenant_id, connection)
    pause_jobs(tenant_id, connection_id)


def pause_jobs(tenant_id: str, connection_id: str) -> None:
    """Disable every job of the connection and its schedule, remembering the state."""
    for job in repository.list_jobs(tenant_id):
        if job["connectionId"] != connection_id:
            continue
        if "enabledBeforePause" not in job:
            job["enabledBeforePause"] = bool(job.get("enabled"))
        job["enabled"] = False
        repository.update_job_fields(
            tenant_id, job["jobId"], {"enabled": False, "enabledBeforePause": job["enabledBeforePause"]}
        )
        schedules.apply(tenant_id, job, active=False)
