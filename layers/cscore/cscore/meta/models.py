"""The request shapes of ``POST /v1/meta/objects/{Object}/fields`` (a custom field's
definition; whether its name clashes with the object's fields is the service's) and of
``POST /v1/meta/services/objects/describe`` (which objects are named is ``describe``'s)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, model_validator

from cscore.meta.fields import MAX_PICKLIST_VALUES, MAX_STRING, NAME, TYPES
from cscore.platform.request_model import RequestModel, any_case

Label = Annotated[str, Field(min_length=1, max_length=MAX_STRING, pattern=r"\S")]
# A picklist field has its labels; no other field has any.
PICKLIST_RULE: dict[str, Any] = {
    "if": {"properties": {"type": {"pattern": any_case("picklist")}}, "required": ["type"]},
    "then": {"required": ["picklistValues"], "properties": {"picklistValues": {"type": "array"}}},
    "else": {"properties": {"picklistValues": {"type": "null"}}},
}


class FieldDefinition(RequestModel):
    model_config = ConfigDict(json_schema_extra=PICKLIST_RULE)

    name: Annotated[str, Field(pattern=NAME.pattern)]
    type: Annotated[str, Field(pattern=any_case(*TYPES))]  # any case: "BOOLEAN" is boolean
    label: Label | None = None
    picklistValues: Annotated[list[Label], Field(min_length=1, max_length=MAX_PICKLIST_VALUES)] | None = None

    @model_validator(mode="after")
    def _labels_only_for_picklists(self) -> FieldDefinition:
        picklist = self.type.lower() == "picklist"
        if picklist and self.picklistValues is None:
            raise ValueError("picklistValues: a picklist field needs a non-empty list of labels")
        if not picklist and self.picklistValues is not None:
            raise ValueError("picklistValues: only picklist fields take picklist values")
        return self


MAX_DESCRIBED = 50  # object names in one describe request


class DescribeObjects(RequestModel):
    """``POST /v1/meta/services/objects/describe``: the objects to describe, by either name."""

    objectNames: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=MAX_STRING, pattern=r"\S")]],
        Field(min_length=1, max_length=MAX_DESCRIBED),
    ]
