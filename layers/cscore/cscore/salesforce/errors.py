"""What can go wrong talking to Salesforce, independent of the API envelope (the
connector maps these to its GS_SF_* codes)."""

from __future__ import annotations

import re

# Salesforce shows where a query failed by echoing its line with a caret under the
# column ("\n<query line>\n     ^\nERROR at Row:1:Column:42\n<message>"). A query
# holds a job's filter and is not the reader's business: only the message is kept.
_QUERY_ECHO = re.compile(r"\A\s*(?:[^\n]*\n)?[ \t]*\^[ \t]*\nERROR at Row:\d+:Column:\d+\s*")


class SalesforceError(Exception):
    """Salesforce failed or could not be reached."""


class SalesforceUnavailable(SalesforceError):
    """5xx answers or connection errors, still failing after the retries."""


class RequestLimitExceeded(SalesforceError):
    """403 REQUEST_LIMIT_EXCEEDED: the org's daily API allowance is used up."""


class ReauthorizationNeeded(SalesforceError):
    """The refresh token was refused (``invalid_grant``): an admin must authorize again."""


class OAuthRefused(SalesforceError):
    """The token endpoint answered an OAuth error (e.g. ``invalid_grant`` for a bad code)."""

    def __init__(self, error: str, description: str = "") -> None:
        self.error = error
        self.description = description
        super().__init__(f"{error}: {description}" if description else error)


class SalesforceApiError(SalesforceError):
    """A REST answer with a Salesforce error code (MALFORMED_QUERY, INVALID_FIELD, ...)."""

    def __init__(self, status: int, error_code: str, message: str) -> None:
        self.status = status
        self.error_code = error_code
        self.message = _QUERY_ECHO.sub("", message)
        super().__init__(f"{status} {error_code}: {self.message}")
