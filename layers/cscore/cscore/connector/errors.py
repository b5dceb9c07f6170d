"""Connector error codes (SPEC §3.4)."""

from __future__ import annotations

from cscore.errors import ApiError


class OAuthFailed(ApiError):
    status, code, desc = 400, "GS_SF_1001", "The Salesforce authorization failed"


class OrgMismatch(ApiError):
    status, code, desc = 409, "GS_SF_1002", "This connection is bound to another Salesforce org"


class ManagedPackageMissing(ApiError):
    status, code, desc = 409, "GS_SF_1003", "The platform's managed package is not installed in the org"


class ConnectionNotAuthorized(ApiError):
    status, code, desc = 409, "GS_SF_1004", "The Salesforce connection is not authorized"


class SalesforceFailed(ApiError):
    status, code, desc = 502, "GS_SF_1005", "Salesforce failed or could not be reached"
