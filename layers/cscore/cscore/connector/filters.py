"""A job's SOQL filter as it is saved (create and edit): parsed with the product's subset
(``salesforce.soql_filter``), then its fields checked against the source object as the org
describes it, so a typo or a spliced clause is a 400 when the job is saved, not a failed
run later. The org is the authority on its fields (custom fields included), hence a
``describe`` call per save: a filter can only be saved while the connection is
authorized (409 GS_SF_1004 otherwise)."""

from __future__ import annotations

from typing import Any

from cscore.connector import sessions
from cscore.connector.errors import ConnectionNotAuthorized, SalesforceFailed
from cscore.errors import BadRequest
from cscore.salesforce import soql_filter
from cscore.salesforce.errors import ReauthorizationNeeded, SalesforceApiError, SalesforceError

MAX_LENGTH = 4000


def checked(tenant_id: str, connection: dict[str, Any] | None, source_object: str, value: Any) -> str | None:
    """The filter to store (None for no filter), or BadRequest naming the problem and its
    position. Syntax is checked before Salesforce is asked about the fields."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_LENGTH:
        raise BadRequest(
            f"filter: a SOQL condition (the WHERE clause without WHERE) of at most {MAX_LENGTH} characters, or null"
        )
    text = value.strip()
    if not text:
        return None
    try:
        condition = soql_filter.parse(text)
        soql_filter.check_fields(condition, source_fields(tenant_id, connection, source_object), source_object)
    except soql_filter.FilterError as exc:
        raise BadRequest(str(exc)) from None
    return text


def source_fields(tenant_id: str, connection: dict[str, Any] | None, source_object: str) -> dict[str, str]:
    """The filterable fields of a Salesforce object (lower-cased name -> API name), from the
    connection's ``describe``."""
    if connection is None:
        raise ConnectionNotAuthorized("The job's connection no longer exists")
    client = sessions.salesforce_client(tenant_id, connection)
    try:
        described = client.describe(source_object)
    except ReauthorizationNeeded:
        sessions.mark_needs_reauthorization(tenant_id, connection["connectionId"])
        raise ConnectionNotAuthorized("Salesforce refused the stored authorization: re-authorize") from None
    except SalesforceApiError as exc:
        if exc.status == 404:
            raise BadRequest(f"sourceObject: the org has no object {source_object}") from None
        raise SalesforceFailed(f"Salesforce could not describe {source_object}: {exc.error_code}") from None
    except SalesforceError:
        raise SalesforceFailed(f"Salesforce could not describe {source_object}") from None
    return {
        str(f["name"]).lower(): str(f["name"])
        for f in described.get("fields") or []
        if isinstance(f, dict) and f.get("name") and f.get("filterable", True)
    }
