"""The request shapes of Team management (SPEC §4): search, roles, assignments and the
Company Team record API. What a record's values mean (a GSID of this tenant, a team role
it has, a custom field it defined and its type) is checked per record by the services, so
that one such record does not refuse the others."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from cscore.platform.request_model import JSON_INTEGER, RequestModel, any_case
from cscore.query.model import FieldName, QueryRequest

MAX_TEXT = 255
MAX_LABEL = 100
MAX_RECORDS = 50
MAX_QUERY_LIMIT = 5000
# A GSID or a name: text with something in it.
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT, pattern=r"\S")]
ACCESS = any_case("Admin", "Member")


class Search(RequestModel):
    type: Literal["company", "user"]
    text: Text
    fields: list[FieldName] = []


class CreateRole(RequestModel):
    label: Annotated[str, Field(min_length=1, max_length=MAX_LABEL, pattern=r"\S")]


class _Assignment(RequestModel):
    # Besides the named fields, a record may set the tenant's custom fields (``__gc``).
    model_config = ConfigDict(extra="allow")

    TeamRole: Text | None = None
    UserAccess: Annotated[str, Field(pattern=ACCESS)] | None = None


class UserAssignment(_Assignment):
    """A user assigned to the path's company (CompanyId, if given, is the path's)."""

    UserId: Text
    CompanyId: str | None = None


class CompanyAssignment(_Assignment):
    """A company assigned to the path's user (UserId, if given, is the path's)."""

    CompanyId: Text
    UserId: str | None = None


class AssignUsers(RequestModel):
    records: Annotated[list[UserAssignment], Field(min_length=1, max_length=MAX_RECORDS)]


class AssignCompanies(RequestModel):
    records: Annotated[list[CompanyAssignment], Field(min_length=1, max_length=MAX_RECORDS)]


class RecordKey(RequestModel):
    """A Company Team record, named by its company and its member."""

    CompanyId: Text
    UserId: Text


class RecordChange(RecordKey):
    # The custom fields (``__gc``) to set, at least one; null clears one.
    model_config = ConfigDict(extra="allow", json_schema_extra={"minProperties": 3})

    @model_validator(mode="after")
    def _changes_something(self) -> RecordChange:
        if not self.model_extra:
            raise ValueError("no custom field to update (give at least one field ending in __gc)")
        return self


class RecordChanges(RequestModel):
    records: Annotated[list[RecordChange], Field(min_length=1, max_length=MAX_RECORDS)]


class RecordKeys(RequestModel):
    records: Annotated[list[RecordKey], Field(min_length=1, max_length=MAX_RECORDS)]


class RecordQuery(QueryRequest):
    """``POST /v1/teams/records/list``: the query language over CompanyTeam (SPEC §1.5)."""

    select: Annotated[list[FieldName], Field(min_length=1)]
    limit: Annotated[int, Field(ge=1, le=MAX_QUERY_LIMIT), JSON_INTEGER] | None = None


def as_sent(record: RequestModel) -> dict[str, Any]:
    """A record as the caller wrote it (the answers' per-record errors show it)."""
    return record.model_dump(exclude_unset=True)
