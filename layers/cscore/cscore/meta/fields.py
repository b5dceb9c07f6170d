"""Custom fields (SPEC §4b): the definitions a tenant's admins add to User, Company,
Person, CompanyPerson and CompanyTeam, and how a written value of one is checked.

Pure: no I/O. The definitions live on the tenant item (which every request reads with
its credential), under ``customFields.<Object>.<Name>`` = ``{type, label,
picklistValues?, createdDate, createdBy}``; the items of a picklist field live with the
other picklists, in category ``<Object>.<Name>`` (see ``picklist_category``), so labels
<-> GSIDs cost no extra call.

Values as stored: string trimmed (at most 255 characters), number as a JSON number
(numeric strings accepted), boolean, date ``yyyy-MM-dd``, picklist the item GSID (a
label, any case, or an item GSID of the field accepted). Null clears a field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from cscore.catalog import OBJECTS as CATALOG
from cscore.catalog import ObjectDef
from cscore.picklists.service import Picklists
from cscore.picklists.system import system_item_gsid
from cscore.query import Field, FieldType, Schema

# Objects admins can add custom fields to (every object of the catalog); every tenant has
# an empty map of definitions (``customFields.<Object>``) for each, so that adding one is
# a single UpdateItem.
OBJECTS = tuple(CATALOG)
TYPES = ("string", "number", "boolean", "date", "picklist")
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,60}__gc$")
MAX_FIELDS = 100
MAX_STRING = 255
MAX_PICKLIST_VALUES = 500
QUERY_TYPES = {
    "string": FieldType.STRING,
    "number": FieldType.NUMBER,
    "boolean": FieldType.BOOLEAN,
    "date": FieldType.DATE,
    "picklist": FieldType.PICKLIST,
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DYNAMO_MAX = 1e125  # DynamoDB numbers: magnitude below 10^126, 38 significant digits

Problem = Literal["type", "too_long", "date", "picklist"]


# The Company data API's codes (SPEC §4b), answered by every write path of a custom field:
# an undefined ``__gc`` name is an invalid field; a value by what is wrong with it.
INVALID_FIELD = "GSOBJ_1002"
PROBLEM_CODES: dict[str, str] = {
    "type": INVALID_FIELD,
    "too_long": "GSOBJ_1001",
    "date": "GSOBJ_1005",
    "picklist": INVALID_FIELD,
}


class CustomValueError(ValueError):
    """A value a custom field cannot hold; the message names the field. ``problem`` lets
    each API answer with its own code (e.g. the Company API's GSOBJ_1001 for too long)."""

    def __init__(self, problem: Problem, message: str) -> None:
        super().__init__(message)
        self.problem = problem

    @property
    def code(self) -> str:
        """The code every write path answers for it (``PROBLEM_CODES``)."""
        return PROBLEM_CODES[self.problem]

    @property
    def reason(self) -> str:
        return with_code(str(self), self.code)


def with_code(message: str, code: str) -> str:
    """A refusal with its code, for paths that answer one text per row (a rejected CSV
    row, a sync run's errors)."""
    return f"{message} ({code})"


def picklist_category(object_name: str, field_name: str) -> str:
    """The picklist category holding the items of a custom picklist field."""
    return f"{object_name}.{field_name}"


def item_gsid(field_name: str, label: str) -> str:
    """The GSID of a custom picklist item: derived from the field's name and the label
    (case-insensitive), so that fields of the same name on several objects (e.g.
    ``Region__gc`` on User and Company, which a permission rule compares) share items."""
    return system_item_gsid(f"custom:{field_name.lower()}", label.strip().lower())


def definitions(tenant_item: Mapping[str, Any], object_name: str) -> dict[str, dict[str, Any]]:
    """The stored definitions of an object's custom fields, by name, in name order."""
    stored = (tenant_item.get("customFields") or {}).get(object_name) or {}
    return {name: dict(stored[name]) for name in sorted(stored)}


def custom_fields(tenant_item: Mapping[str, Any], object_name: str) -> dict[str, str]:
    """An object's custom fields: name -> type (string, number, boolean, date, picklist)."""
    return {name: str(d.get("type")) for name, d in definitions(tenant_item, object_name).items()}


@dataclass(frozen=True)
class CustomFields:
    """An object's custom fields as one request sees them: types and picklist items."""

    object_name: str
    types: Mapping[str, str]
    picklists: Picklists

    def __contains__(self, name: object) -> bool:
        return name in self.types

    def picklist_fields(self) -> list[str]:
        return [name for name, kind in self.types.items() if kind == "picklist"]

    def normalize(self, name: str, value: Any) -> Any:
        """The stored form of ``value`` for field ``name`` (None stays None); raises
        CustomValueError naming the field when it does not fit the field's type."""
        if value is None:
            return None
        kind = self.types[name]
        if kind == "string":
            if not isinstance(value, str):
                raise CustomValueError("type", f"{name}: must be a string")
            text = value.strip()
            if len(text) > MAX_STRING:
                raise CustomValueError("too_long", f"{name}: longer than {MAX_STRING} characters")
            return text
        if kind == "number":
            return _number(name, value)
        if kind == "boolean":
            if not isinstance(value, bool):
                raise CustomValueError("type", f"{name}: must be true or false")
            return value
        if kind == "date":
            return _date(name, value)
        category = picklist_category(self.object_name, name)
        gsid = self.picklists.to_gsid(category, value)
        if gsid is None:
            labels = ", ".join(self.picklists.labels(category))
            raise CustomValueError("picklist", f"{name}: {value!r} is not one of {labels}")
        return gsid

    def labelled(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of the record with its custom picklist values shown as labels."""
        shown = dict(record)
        for name in self.picklist_fields():
            if name in shown:
                shown[name] = self.picklists.to_label(picklist_category(self.object_name, name), shown[name])
        return shown


def for_object(tenant_item: Mapping[str, Any], object_name: str) -> CustomFields:
    return CustomFields(object_name, custom_fields(tenant_item, object_name), Picklists(tenant_item))


def tenant_schema(obj: ObjectDef, tenant_item: Mapping[str, Any]) -> Schema:
    """An object's query schema as a tenant has it: its standard picklists with the
    tenant's items (compared and shown by label) and its custom fields."""
    picklists = Picklists(tenant_item)
    items = {
        name: {str(picklists.to_label(category, gsid)): gsid for gsid in picklists.gsids(category)}
        for name, category in obj.picklists.items()
    }
    return extend_schema(obj.query_schema.with_items(items), tenant_item)


def extend_schema(schema: Schema, tenant_item: Mapping[str, Any]) -> Schema:
    """The query schema of an object with the tenant's custom fields added (picklists
    with their items), so select, where and orderBy work on them."""
    custom = for_object(tenant_item, schema.name)
    if not custom.types:
        return schema
    fields = dict(schema.fields)
    for name, kind in custom.types.items():
        if name in fields or kind not in QUERY_TYPES:
            continue
        items: dict[str, str] = {}
        if kind == "picklist":
            category = picklist_category(schema.name, name)
            items = {str(custom.picklists.to_label(category, g)): g for g in custom.picklists.gsids(category)}
        fields[name] = Field(name, QUERY_TYPES[kind], items)
    return schema.with_fields(fields)


def _number(name: str, value: Any) -> int | float:
    number: int | float
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise CustomValueError("type", f"{name}: must be a number")
    if isinstance(value, str):
        text = value.strip()
        try:
            number = int(text) if re.fullmatch(r"-?\d+", text) else float(text)
        except ValueError:
            raise CustomValueError("type", f"{name}: {value!r} is not a number") from None
    else:
        number = value
    if isinstance(number, float) and not math.isfinite(number):
        raise CustomValueError("type", f"{name}: must be a finite number")
    if abs(number) >= _DYNAMO_MAX or (isinstance(number, int) and len(str(abs(number))) > 38):
        raise CustomValueError("type", f"{name}: number out of range")
    return number


def _date(name: str, value: Any) -> str:
    if isinstance(value, str) and _DAY.match(value.strip()):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise CustomValueError("date", f"{name}: {value!r} is not a date (yyyy-MM-dd)")


# ------------------------------------------------------------------ definitions


@dataclass(frozen=True)
class NewField:
    """A checked definition, ready to store."""

    name: str
    type: str
    label: str
    picklist_values: tuple[str, ...] = ()

    def picklist_items(self) -> dict[str, dict[str, Any]]:
        """The picklist items to store: item GSID -> {label, system, order}."""
        return {
            item_gsid(self.name, label): {"label": label, "system": False, "order": order}
            for order, label in enumerate(self.picklist_values)
        }
