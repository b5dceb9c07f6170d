"""The request shapes of the users API (SPEC §2.1-2.4). A record's own fields are the
User object's (checked per record, so that one bad record does not refuse the others),
and the lookups keep SPEC §2.2's own error codes (``users.lookups``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, RootModel

from cscore.platform.request_model import RequestModel

MAX_RECORDS = 50
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
