"""The request shapes of the users API (SPEC §2.1-2.4). A record's own fields are the
User object's (checked per record, so that one bad record does not refuse the others),
and the lookups keep SPEC §2.2's own error codes (``users.lookups``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, RootModel

from cscore.platform.request_model import JSON_INTEGER, RequestModel
from cscore.query.model import FieldName, QueryRequest

MAX_RECORDS = 50
MAX_LIST_LIMIT = 1000
Records = Annotated[list[Any], Field(min_length=1, max_length=MAX_RECORDS)]
Flag = Literal["true", "false"]


class UserRecords(RequestModel):
    # Gainsight's users API ignores top-level fields it does not know; so does this one.
    model_config = ConfigDict(extra="ignore")

    records: Records
    lookups: Any = None


class UpdateUsers(UserRecords):
    permissionBundleAction: str | None = None


class UserIds(RootModel[Annotated[list[Any], Field(min_length=1, max_length=MAX_RECORDS)]]):
    """The body of a status change: a JSON array of user GSIDs (unknown ones are listed)."""


class UserQuery(QueryRequest):
    """``POST /v1/users/services/list`` (SPEC §2.5): ``select`` required, at most 1,000
    users a page."""

    select: Annotated[list[FieldName], Field(min_length=1)]
    limit: Annotated[int, Field(ge=1, le=MAX_LIST_LIMIT), JSON_INTEGER] | None = None
