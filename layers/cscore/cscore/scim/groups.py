"""SCIM Groups = permission bundles (SPEC §8): create, rename and delete bundles, and
assign or take them away by membership (Okta's group push, Entra ID's group
provisioning). A Group's id is the bundle's id, which stays when it is renamed; its
members are the users holding the bundle (``permissionBundles``, as the users API shows
them). The tenant's system bundles (DEFAULT_BUNDLE, every user's) are not Groups.

A change is one transaction when the bundle and its changed members fit in one (about
95 members; a rename rewrites every member's list of bundle names); larger ones continue
in further transactions."""

from __future__ import annotations

from typing import Any

from cscore.auth.principal import Principal
from cscore.bundles import repository as bundles
from cscore.errors import BadRequest
from cscore.objects.candidates import MAX_READ
from cscore.platform import clock, ids, records
from cscore.scim import mapping, patch
from cscore.scim.answers import Answer, ListParameters
from cscore.scim.errors import invalid_value, not_found, precondition_failed, uniqueness
from cscore.scim.filter import GROUP_SCHEMA, lookup, matches, parse

MAX_GROUPS = 1000  # bundles a tenant may have
MAX_NAME = 255


def _version(bundle: dict[str, Any]) -> str:
    return f'W/"{bundle.get("ModifiedDate", "")}"'


def _resource(bundle: dict[str, Any], members: list[str] | None, base_url: str) -> dict[str, Any]:
    resource: dict[str, Any] = {"schemas": [GROUP_SCHEMA], "id": bundle["bundleId"], "displayName": bundle["name"]}
    if bundle.get("externalId"):
        resource["externalId"] = bundle["externalId"]
    if members is not None:
        resource["members"] = [{"value": g, "$ref": f"{base_url}/Users/{g}", "type": "User"} for g in members]
    resource["meta"] = {
        "resourceType": "Group",
        "created": bundle.get("CreatedDate"),
        "lastModified": bundle.get("ModifiedDate"),
        "location": f"{base_url}/Groups/{bundle['bundleId']}",
        "version": _version(bundle),
    }
    return resource


def _members(tenant_id: str, bundle_id: str) -> list[str]:
    gsids = bundles.member_gsids(tenant_id, bundle_id, MAX_READ)
    if len(gsids) > MAX_READ:
        raise BadRequest(f"This group has more than {MAX_READ:,} members", code="GSOBJ_1013")
    return gsids


def _read(principal: Principal, group_id: str) -> dict[str, Any]:
    name = bundles.name_of(principal.tenant_id, group_id) if ids.is_gsid(group_id, ids.PERMISSION_BUNDLE) else None
    bundle = bundles.by_names(principal.tenant_id, [name]).get(name) if name else None
    if bundle is None or bundle.get("bundleId") != group_id:
        raise not_found(group_id)
    return bundle


def _answer(bundle: dict[str, Any], members: list[str], base_url: str, status: int = 200) -> Answer:
    resource = _resource(bundle, members, base_url)
    headers = {"ETag": _version(bundle)}
    if status == 201:
        headers["Location"] = resource["meta"]["location"]
    return Answer(status, resource, headers)


def _check_version(bundle: dict[str, Any], if_match: str | None) -> None:
    if if_match and if_match.strip() != "*" and _version(bundle) not in [v.strip() for v in if_match.split(",")]:
        raise precondition_failed()


def _name(resource: dict[str, Any]) -> str:
    name = lookup(resource, "displayname")
    if not isinstance(name, str) or not name.strip():
        raise invalid_value("displayName: required")
    if len(name) > MAX_NAME:
        raise invalid_value(f"displayName: longer than {MAX_NAME} characters")
    return name.strip()


def _member_ids(resource: dict[str, Any]) -> list[str]:
    members = lookup(resource, "members") or []
    if not isinstance(members, list):
        raise invalid_value("members: must be a list")
    out: list[str] = []
    for member in members:
        value = lookup(member, "value") if isinstance(member, dict) else None
        if not isinstance(value, str) or not value:
            raise invalid_value("members: each member must have a value (a user id)")
        out.append(value)
    return list(dict.fromkeys(out))


def _external_id(resource: dict[str, Any]) -> str | None:
    value = lookup(resource, "externalid")
    if value is not None and not isinstance(value, str):
        raise invalid_value("externalId: must be a string")
    return value or None


def _write(
    principal: Principal,
    before: dict[str, Any] | None,
    before_members: list[str],
    resource: dict[str, Any] | None,
    base_url: str,
    status: int = 200,
) -> Answer:
    """Store the group as ``resource`` describes it (None: delete it), with every member
    whose bundles change, if nothing changed since it was read."""
    tenant_id, now = principal.tenant_id, clock.iso()
    after: dict[str, Any] | None = None
    members: list[str] = []
    if resource is not None:
        name = _name(resource)
        members = _member_ids(resource)
        after = {
            "name": name,
            "bundleId": before["bundleId"] if before else ids.new_gsid(ids.PERMISSION_BUNDLE),
            "description": (before or {}).get("description") or "Provisioned through SCIM",
            "CreatedDate": (before or {}).get("CreatedDate") or now,
            "CreatedBy": (before or {}).get("CreatedBy") or principal.user_gsid,
            "ModifiedDate": now,
            "ModifiedBy": principal.user_gsid,
        }
        if _external_id(resource):
            after["externalId"] = _external_id(resource)
        if (before is None or before["name"].lower() != name.lower()) and bundles.by_names(tenant_id, [name]):
            raise uniqueness(f"displayName: a group named {name} exists")
    old_name = before["name"] if before else None
    new_name = after["name"] if after else None
    renamed = before is not None and after is not None and old_name != new_name
    joins, leaves = set(members) - set(before_members), set(before_members) - set(members)
    affected = sorted(joins | leaves | (set(members) if renamed else set()))
    found = records.by_gsids(tenant_id, "User", affected)
    unknown = [g for g in sorted(joins) if not mapping.is_visible(found.get(g))]
    if unknown:
        raise invalid_value(f"members: no user {', '.join(unknown)}")
    bundle_id = (after or before or {})["bundleId"]
    changes = []
    for gsid in affected:
        user = found.get(gsid)
        if user is None:
            continue  # a member item of a user that is no more
        held = [b for b in user.get("permissionBundles") or [] if b != old_name]
        if gsid in members and new_name:
            held.append(new_name)
        changes.append(
            bundles.MemberChange(
                gsid,
                list(dict.fromkeys(held)),
                str(user["ModifiedDate"]),
                [bundle_id] if gsid in joins else [],
                [bundle_id] if gsid in leaves else [],
            )
        )
    if not bundles.write(tenant_id, before, after, changes):
        if before is None or (after and renamed):
            raise uniqueness(f"displayName: a group named {new_name} exists, or it changed meanwhile; retry")
        raise uniqueness("the group or one of its members changed meanwhile; retry")
    if after is None:
        return Answer(204, None)
    return _answer(after, members, base_url, status)


def get_group(principal: Principal, group_id: str, base_url: str, query: dict[str, str] | None = None) -> Answer:
    bundle = _read(principal, group_id)
    parameters = ListParameters.of(query or {})
    answer = _answer(bundle, _members(principal.tenant_id, group_id), base_url)
    return Answer(200, parameters.project(answer.body or {}), answer.headers)


def list_groups(principal: Principal, query: dict[str, str], base_url: str) -> Answer:
    """GET /Groups: the tenant's groups (its bundles but the system ones), members read
    for the page only unless left out (``excludedAttributes=members``)."""
    parameters = ListParameters.of(query)
    tree = parse(query["filter"]) if query.get("filter") else None
    found = bundles.all_of(principal.tenant_id, MAX_GROUPS)
    groups = sorted((b for b in found if b.get("bundleId")), key=lambda b: (b.get("CreatedDate") or "", b["name"]))
    resources = [_resource(b, None, base_url) for b in groups]
    if tree is not None:
        resources = [r for r in resources if matches(tree, r)]
    listed = parameters.page(resources)
    wants_members = not any(p.attr == "members" for p in parameters.excluded) and (
        not parameters.attributes or any(p.attr == "members" for p in parameters.attributes)
    )
    if wants_members:
        for resource in listed["Resources"]:
            members = _members(principal.tenant_id, resource["id"])
            resource["members"] = [{"value": g, "$ref": f"{base_url}/Users/{g}", "type": "User"} for g in members]
    return Answer(200, listed)


def create_group(principal: Principal, body: Any, base_url: str) -> Answer:
    """POST /Groups: a new bundle, with its members (201); a name in use is 409."""
    if not isinstance(body, dict):
        raise invalid_value("body: must be a SCIM Group object")
    return _write(principal, None, [], body, base_url, 201)


def replace_group(principal: Principal, group_id: str, body: Any, base_url: str, if_match: str | None) -> Answer:
    """PUT /Groups/{id}: its name and exactly these members."""
    if not isinstance(body, dict):
        raise invalid_value("body: must be a SCIM Group object")
    before = _read(principal, group_id)
    _check_version(before, if_match)
    return _write(principal, before, _members(principal.tenant_id, group_id), body, base_url)


def patch_group(principal: Principal, group_id: str, body: Any, base_url: str, if_match: str | None) -> Answer:
    """PATCH /Groups/{id}: rename (``displayName``), add and remove members (by ``members``
    with a value list, or ``members[value eq "id"]``)."""
    before = _read(principal, group_id)
    _check_version(before, if_match)
    members = _members(principal.tenant_id, group_id)
    patched = patch.apply(_resource(before, members, base_url), body)
    return _write(principal, before, members, patched, base_url)


def delete_group(principal: Principal, group_id: str, if_match: str | None) -> Answer:
    """DELETE /Groups/{id}: the bundle goes, and every member loses it (204)."""
    before = _read(principal, group_id)
    _check_version(before, if_match)
    return _write(principal, before, _members(principal.tenant_id, group_id), None, "")
