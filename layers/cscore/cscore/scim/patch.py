"""SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's JSON: ``add``, ``replace`` and
``remove`` (in any case: Entra ID sends ``Add``, ``Replace``), with a path (``title``,
``name.givenName``, ``emails[type eq "work"].value``, ``members[value eq "id"]``, an
extension's ``urn:...:User:manager``) or without one (the value's attributes, which may
themselves be paths, as Okta's ``{"active": false}``). Pure: the caller maps the
patched resource back onto the product and writes it in one go.
"""

from __future__ import annotations

import copy
from typing import Any

from cscore.scim.errors import invalid_path, invalid_value, mutability, no_target
from cscore.scim.filter import (
    ENTERPRISE_SCHEMA,
    And,
    AttrPath,
    Compare,
    Filter,
    PatchPath,
    lookup,
    matches,
    parse_path,
)

PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
READ_ONLY = {"id", "meta", "schemas"}
# The attribute names as SCIM spells them, for attributes a PATCH adds.
_SPELLING = {
    name.lower(): name
    for name in (
        "userName", "name", "givenName", "familyName", "formatted", "displayName", "title", "timezone",
        "locale", "active", "emails", "externalId", "manager", "value", "type", "primary", "members",
        "display", "groups", ENTERPRISE_SCHEMA,
    )
}  # fmt: skip


def _key(holder: dict[str, Any], name: str) -> str:
    """The key ``name`` has in ``holder`` (any case), or SCIM's spelling of it."""
    for key in holder:
        if key.lower() == name:
            return key
    return _SPELLING.get(name, name)


def operations(body: Any) -> list[dict[str, Any]]:
    """The operations of a PatchOp body (400 invalidSyntax-like invalidValue otherwise)."""
    if not isinstance(body, dict):
        raise invalid_value("body: must be a PatchOp object")
    ops = lookup(body, "operations")
    if not isinstance(ops, list) or not ops or not all(isinstance(o, dict) for o in ops):
        raise invalid_value("Operations: must be a non-empty list of operations")
    return ops


def apply(resource: dict[str, Any], body: Any, read_only: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The resource after the body's operations, in order (the input is not changed)."""
    patched = copy.deepcopy(resource)
    for index, operation in enumerate(operations(body)):
        op = str(lookup(operation, "op") or "").lower()
        if op not in ("add", "replace", "remove"):
            raise invalid_value(f"Operations[{index}].op: must be add, replace or remove")
        path = lookup(operation, "path")
        value = lookup(operation, "value")
        if path is None or path == "":
            if op == "remove":
                raise no_target(f"Operations[{index}]: remove needs a path")
            if not isinstance(value, dict):
                raise invalid_value(f"Operations[{index}].value: must be an object when there is no path")
            for name, attribute_value in value.items():
                _apply_path(patched, op, parse_path(name), attribute_value, read_only)
            continue
        if not isinstance(path, str):
            raise invalid_path(f"Operations[{index}].path: must be a string")
        _apply_path(patched, op, parse_path(path), value, read_only)
    return patched


def _holder(resource: dict[str, Any], path: AttrPath, create: bool) -> dict[str, Any] | None:
    if not path.schema:
        return resource
    key = _key(resource, path.schema)
    holder = resource.get(key)
    if not isinstance(holder, dict):
        if not create:
            return None
        holder = resource[key] = {}
    return holder


def _apply_path(resource: dict[str, Any], op: str, target: PatchPath, value: Any, read_only: frozenset[str]) -> None:
    path = target.path
    if path.attr in READ_ONLY | read_only and not path.schema:
        # Okta's group rename sends the id along, unchanged: that changes nothing.
        if op == "remove" or target.filter or path.sub or lookup(resource, path.attr) != value:
            raise mutability(f"{path}: cannot be changed")
        return
    holder = _holder(resource, path, create=op != "remove")
    if holder is None:
        return
    key = _key(holder, path.attr)
    if target.filter is not None:
        _apply_filtered(holder, key, op, target, value)
    elif path.sub:
        parent = holder.get(key)
        if op == "remove":
            if isinstance(parent, dict):
                parent.pop(_key(parent, path.sub), None)
            return
        if not isinstance(parent, dict):
            parent = holder[key] = {}
        parent[_key(parent, path.sub)] = value
    elif op == "remove":
        _remove(holder, key, value)
    elif op == "add" and isinstance(holder.get(key), list):
        added = value if isinstance(value, list) else [value]
        holder[key] = holder[key] + [v for v in added if v not in holder[key]]
    elif isinstance(holder.get(key), dict) and isinstance(value, dict):
        for name, sub_value in value.items():
            holder[key][_key(holder[key], name.lower())] = sub_value
    else:
        holder[key] = value


def _remove(holder: dict[str, Any], key: str, value: Any) -> None:
    """Remove an attribute; of a multi-valued one with a value (Entra ID's members
    remove), only the elements whose ``value`` the value names."""
    current = holder.get(key)
    if isinstance(current, list) and value not in (None, [], {}):
        named = value if isinstance(value, list) else [value]
        gone = {str(lookup(v, "value") if isinstance(v, dict) else v) for v in named}
        holder[key] = [e for e in current if not (isinstance(e, dict) and str(lookup(e, "value")) in gone)]
        return
    holder.pop(key, None)


def _equalities(tree: Filter) -> dict[str, Any] | None:
    """``type eq "work" and primary eq true`` as the element it describes, if it is one."""
    if isinstance(tree, Compare) and tree.op == "eq" and not tree.path.sub:
        return {_SPELLING.get(tree.path.attr, tree.path.attr): tree.value}
    if isinstance(tree, And):
        left, right = _equalities(tree.left), _equalities(tree.right)
        return None if left is None or right is None else {**left, **right}
    return None


def _apply_filtered(holder: dict[str, Any], key: str, op: str, target: PatchPath, value: Any) -> None:
    elements = holder.get(key)
    elements = elements if isinstance(elements, list) else []
    chosen = [e for e in elements if isinstance(e, dict) and target.filter is not None and matches(target.filter, e)]
    if op == "remove":
        if target.sub:
            for element in chosen:
                element.pop(_key(element, target.sub), None)
        else:
            holder[key] = [e for e in elements if not any(e is c for c in chosen)]
        return
    if not chosen:
        # Entra ID replaces emails[type eq "work"].value on users that have no work
        # address yet: the element the filter describes is added.
        described = _equalities(target.filter) if target.filter is not None else None
        if described is None:
            raise no_target(f"{target.path}: no value matches the filter")
        element = described
        holder[key] = [*elements, element]
        chosen = [element]
    for element in chosen:
        if target.sub:
            element[_key(element, target.sub)] = value
        elif isinstance(value, dict):
            element.update({_key(element, k.lower()): v for k, v in value.items()})
        else:
            raise invalid_value(f"{target.path}: the value of a filtered path must be an object")
