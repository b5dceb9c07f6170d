"""The request shapes of the connector's endpoints (SPEC §3): connections and jobs.

Shapes only; what a value means (a Salesforce login host, a mapping's target field, a
SOQL filter, a time zone) is checked by the service that uses it."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from cscore.catalog import COMPANY
from cscore.platform.request_model import RequestModel, any_case

Name = Annotated[str, Field(min_length=1, max_length=120, pattern=r"\S")]
ORG_TYPES = ("production", "sandbox")
ACCOUNT_FIELD = r"^[A-Za-z][A-Za-z0-9_]{0,79}$"


class CreateConnection(RequestModel):
    # 1 to 80 characters once trimmed, no control characters, no < or >
    name: Annotated[str, Field(pattern=r"^\s*[^\x00-\x20<>\s][^\x00-\x1f<>]{0,79}$")]
    orgType: Annotated[str, Field(pattern=any_case(*ORG_TYPES))]
    loginUrl: str | None = None


class CompanyResolution(RequestModel):
    sourceField: Annotated[str, Field(pattern=ACCOUNT_FIELD)]  # the API name of an Account field
    targetField: Annotated[str, Field(pattern=f"^({'|'.join(COMPANY.shape.index_fields)})$")]


class CreateJob(RequestModel):
    connectionId: str
    name: Name
    sourceObject: str
    targetObject: str
    filter: str | None = None
    mappings: list[dict[str, Any]]
    keyFields: list[str]
    schedule: dict[str, Any] | None = None
    dependsOn: str | None = None
    enabled: bool = True


class UpdateJob(RequestModel):
    """Any of the editable fields (``model_fields_set``); schedule or filter given as null clears it."""

    # Absent is None; a null given for these is refused (and not offered in the schema).
    name: Name | SkipJsonSchema[None] = None
    enabled: bool | SkipJsonSchema[None] = None
    schedule: dict[str, Any] | None = None
    filter: str | None = None
    mappings: list[dict[str, Any]] | SkipJsonSchema[None] = None
    keyFields: list[str] | SkipJsonSchema[None] = None

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    @model_validator(mode="after")
    def _edits_something(self) -> UpdateJob:
        if not self.model_fields_set:
            raise ValueError("body: give any of name, enabled, schedule, filter, mappings, keyFields")
        return self

    @field_validator("name", "enabled", "mappings", "keyFields", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("only schedule and filter may be set to null")
        return value


class RunJob(RequestModel):
    withDependents: bool = False
