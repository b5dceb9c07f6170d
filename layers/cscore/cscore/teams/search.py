"""Team management search (SPEC §4.4): ``POST /v1/teams/search {type, text, fields?}``.

A company or a user matches when ``text`` is its GSID, or is contained in its Name
(ignoring case). At most 50 matches, by name. Each shows Gsid and Name (users also
Email) plus the ``fields`` asked for. Names are matched reading the name index (GSI2)
in name order, page by page, until 50 matches (DynamoDB cannot filter on an index's
own sort key, so the lower-cased names are compared here).
A team admin finds the companies it administers, and any user, with only the User
fields anyone may read (``permissions.user_fields``).
"""

from __future__ import annotations

from typing import Any

from cscore.auth.principal import Principal
from cscore.bodies import json_object
from cscore.errors import BadRequest
from cscore.objects import query as object_query
from cscore.permissions import user_fields
from cscore.picklists.service import Picklists
from cscore.platform import aws, config, ids, keys
from cscore.platform import records as stored
from cscore.platform.dynamo import from_item
from cscore.platform.records import record_of
from cscore.teams import rules
from cscore.users.listing import USER
from cscore.users.schema import PICKLIST_FIELDS

MAX_MATCHES = 50
MAX_TEXT = 255
KINDS = {"company": ("Company", ids.COMPANY, "companies"), "user": ("User", ids.USER, "users")}
SHOWN = {"Company": ("Gsid", "Name"), "User": ("Gsid", "Name", "Email")}
SCHEMAS = {"Company": object_query.COMPANY, "User": USER}
HIDDEN = {"User": {"permissionBundles"}}


def _fields(raw: Any, obj: str, is_super_admin: bool) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw):
        raise BadRequest("fields: must be a list of field names")
    for name in raw:
        known = SCHEMAS[obj].get(name) is not None and name not in HIDDEN.get(obj, set())
        if obj == "User" and not user_fields.readable(name, is_super_admin):
            known = False  # a field the caller may not read is answered as an unknown one
        if not known and not name.endswith("__gc"):
            raise BadRequest(f"fields: {name} is not a field of {obj}")
    return list(dict.fromkeys(raw))


def search(principal: Principal, body: Any) -> dict[str, Any]:
    rules.require_enabled(principal)
    body = json_object(body, ("type", "text", "fields"), "with type and text")
    kind = body.get("type")
    if not isinstance(kind, str) or kind not in KINDS:
        raise BadRequest("type: must be company or user")
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("text: required, a name or a GSID")
    if len(text) > MAX_TEXT:
        raise BadRequest(f"text: longer than {MAX_TEXT} characters")
    obj, prefix, answer = KINDS[kind]
    extra = _fields(body.get("fields"), obj, principal.is_super_admin)
    scope = rules.listed_scope(principal)
    scope.require_some()
    text = text.strip()
    if ids.is_gsid(text.upper(), prefix):
        found = list(stored.by_gsids(principal.tenant_id, obj, [text.upper()]).values())
    else:
        found = _by_name(principal.tenant_id, obj, text.lower(), scope)
    if obj == "Company":
        found = [c for c in found if scope.manages(c.get("Gsid"))]
    picklists = Picklists(principal.tenant)
    return {answer: [_shown(r, obj, extra, picklists) for r in found[:MAX_MATCHES]]}


def _by_name(tenant_id: str, obj: str, text: str, scope: rules.Scope) -> list[dict[str, Any]]:
    client = aws.dynamodb()
    kwargs: dict[str, Any] = {
        "TableName": config.tenant_table(),
        "IndexName": "GSI2",
        "KeyConditionExpression": "GSI2PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.object_index(tenant_id, obj)}},
    }
    found: list[dict[str, Any]] = []
    while len(found) < MAX_MATCHES:
        out = client.query(**kwargs)
        for item in out["Items"]:
            record = record_of(from_item(item))
            if text in str(record.get("Name") or "").lower() and (
                obj != "Company" or scope.manages(record.get("Gsid"))
            ):
                found.append(record)
        if "LastEvaluatedKey" not in out:
            break
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
    return found


def _shown(record: dict[str, Any], obj: str, extra: list[str], picklists: Picklists) -> dict[str, Any]:
    view = {name: record.get(name) for name in (*SHOWN[obj], *extra)}
    if obj == "User":
        if "Status" in view:
            view["Status"] = "Active" if record.get("IsActiveUser") else "Inactive"
        for name, category in PICKLIST_FIELDS.items():
            if name in view:
                view[name] = picklists.to_label(category, view[name])
    return view
