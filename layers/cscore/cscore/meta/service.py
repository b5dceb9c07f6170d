"""``GET``/``POST /v1/meta/objects/{Object}/fields`` (SPEC §4b, §6): an object's fields, and
adding a custom field to it.

Adding is one conditional UpdateItem of the tenant item: the definition under
``customFields.<Object>.<Name>`` (``attribute_not_exists``, so a duplicate is a 409 even
when two admins race) and, for a picklist, its items under ``picklists.<Object>.<Name>``;
``size(customFields.<Object>) < 100`` keeps the per-object limit under concurrency too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from cscore.auth.principal import Principal
from cscore.catalog import OBJECTS
from cscore.errors import BadRequest, Conflict, NotFound
from cscore.meta import fields as meta
from cscore.meta import repository
from cscore.meta.models import FieldDefinition
from cscore.picklists.service import Picklists
from cscore.platform import aws, clock, config, keys, table
from cscore.platform.dynamo import to_attr
from cscore.query import Schema
from cscore.query.model import CUSTOM_SUFFIX


def _standard(object_name: str) -> Schema:
    declared = OBJECTS.get(object_name)
    if declared is None:
        raise NotFound(f"Object {object_name} has no fields here (objects: {', '.join(OBJECTS)})")
    return declared.query_schema


def _view(object_name: str, name: str, definition: dict[str, Any], picklists: Picklists) -> dict[str, Any]:
    view: dict[str, Any] = {
        "name": name,
        "type": definition.get("type"),
        "custom": True,
        "label": definition.get("label"),
    }
    if definition.get("type") == "picklist":
        category = meta.picklist_category(object_name, name)
        view["picklistValues"] = [
            {"label": label, "gsid": picklists.to_gsid(category, label)}
            for label in definition.get("picklistValues") or []
        ]
    view["createdDate"] = definition.get("createdDate")
    view["createdBy"] = definition.get("createdBy")
    return view


def list_fields(principal: Principal, object_name: str) -> dict[str, Any]:
    """Standard fields (``{name, type, custom: false}``), then the custom ones by name."""
    schema = _standard(object_name)
    picklists = Picklists(principal.tenant)
    standard = [{"name": f.name, "type": f.type.value, "custom": False} for f in schema]
    custom = [
        _view(object_name, name, definition, picklists)
        for name, definition in meta.definitions(principal.tenant, object_name).items()
    ]
    return {"object": object_name, "fields": standard + custom}


def _new_field(body: FieldDefinition, schema: Schema, existing: Mapping[str, Any]) -> meta.NewField:
    """The definition checked against the object's standard fields and its custom fields
    already defined (the name clash and the case; the store's condition is what makes a
    duplicate impossible)."""
    name = body.name
    base = name[: -len(CUSTOM_SUFFIX)].lower()
    clash = next((s for s in schema.fields if s.lower() in (name.lower(), base)), None)
    if clash:
        raise BadRequest(f"name: {name} clashes with the standard field {clash}")
    same = next((e for e in existing if e.lower() == name.lower() and e != name), None)
    if same:
        raise BadRequest(f"name: {name} differs only in case from the custom field {same}")
    label = body.label or name[: -len(CUSTOM_SUFFIX)].replace("_", " ").strip() or name
    labels: list[str] = []
    for i, value in enumerate(body.picklistValues or ()):
        if value.strip().lower() in (known.lower() for known in labels):
            raise BadRequest(f"picklistValues[{i}]: {value.strip()!r} is given twice")
        labels.append(value.strip())
    return meta.NewField(name, body.type.lower(), label.strip(), tuple(labels))


def add_field(principal: Principal, object_name: str, body: FieldDefinition) -> dict[str, Any]:
    """Add one custom field; 409 GS_1409 when the object already has it."""
    schema = _standard(object_name)
    existing = meta.definitions(principal.tenant, object_name)
    new = _new_field(body, schema, existing)
    if new.name in existing:
        raise Conflict(f"{object_name} already has the custom field {new.name}")
    if len(existing) >= meta.MAX_FIELDS:
        raise BadRequest(f"{object_name}: at most {meta.MAX_FIELDS} custom fields per object")
    definition: dict[str, Any] = {
        "type": new.type,
        "label": new.label,
        "createdDate": clock.iso(),
        "createdBy": principal.user_gsid,
    }
    if new.type == "picklist":
        definition["picklistValues"] = list(new.picklist_values)
    items = new.picklist_items()
    for attempt in range(2):
        try:
            _store(principal.tenant_id, object_name, new.name, definition, items)
            break
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            _explain_refusal(principal.tenant_id, object_name, new.name, repaired=attempt > 0)
    category = meta.picklist_category(object_name, new.name)
    picklists = Picklists({"picklists": {category: items}})
    return {"object": object_name, **_view(object_name, new.name, definition, picklists)}


def _store(
    tenant_id: str, object_name: str, name: str, definition: dict[str, Any], items: dict[str, dict[str, Any]]
) -> None:
    names = {"#cf": "customFields", "#o": object_name, "#n": name}
    values: dict[str, Any] = {":def": to_attr(definition), ":max": {"N": str(meta.MAX_FIELDS)}}
    update = "SET #cf.#o.#n = :def"
    condition = "attribute_exists(#cf.#o) AND attribute_not_exists(#cf.#o.#n) AND size(#cf.#o) < :max"
    if items:
        names |= {"#p": "picklists", "#cat": meta.picklist_category(object_name, name)}
        values[":items"] = to_attr(items)
        update += ", #p.#cat = :items"
        condition += " AND attribute_exists(#p)"
    aws.dynamodb().update_item(
        TableName=config.tenant_table(),
        Key=keys.tenant(tenant_id),
        UpdateExpression=update,
        ConditionExpression=condition,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def _explain_refusal(tenant_id: str, object_name: str, name: str, *, repaired: bool) -> None:
    """Why the conditional write was refused (read again, strongly consistent): raise the
    answer, or return after creating the object's map so that the write can be retried."""
    tenant = table.read_one(keys.tenant(tenant_id)) or {}
    stored = (tenant.get("customFields") or {}).get(object_name)
    if isinstance(stored, dict):
        if name in stored:
            raise Conflict(f"{object_name} already has the custom field {name}")
        if len(stored) >= meta.MAX_FIELDS:
            raise BadRequest(f"{object_name}: at most {meta.MAX_FIELDS} custom fields per object")
    if repaired:
        raise Conflict(f"{object_name}: the custom field {name} could not be added; try again")
    # A tenant bootstrapped before custom fields existed: give it the maps, then retry.
    repository.ensure_custom_field_maps(tenant_id)
