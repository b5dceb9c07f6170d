"""A product user as a SCIM User resource (RFC 7643 §4.1, with the enterprise extension's
manager), and a SCIM User as the users API's fields. Pure: no I/O.

| SCIM | User field |
| --- | --- |
| id | Gsid |
| userName | SFDCUserName (unique, case-insensitive) |
| emails (the primary one, else the work one, else the first) | Email |
| name.givenName, name.familyName | FirstName, LastName |
| name.formatted, else displayName | Name |
| title, timezone, locale | Title, Timezone, Locale |
| active | IsActiveUser |
| enterprise manager.value | Manager |
| externalId | stored with the user (``users.repository.EXTERNAL_ID``) |
| groups | the user's permission bundles (read-only; Groups' members change them) |
"""

from __future__ import annotations

from typing import Any

from cscore.scim.errors import invalid_value
from cscore.scim.filter import ENTERPRISE_SCHEMA, USER_SCHEMA, lookup
from cscore.users.repository import DELETED_BY_SCIM, EXTERNAL_ID

USER_FIELDS = ("SFDCUserName", "Email", "FirstName", "LastName", "Name", "Title", "Timezone", "Locale", "Manager")


def version(user: dict[str, Any]) -> str:
    """The user's ETag (``meta.version``): weak, its ModifiedDate (every write moves it)."""
    return f'W/"{user.get("ModifiedDate", "")}"'


def is_visible(user: dict[str, Any] | None) -> bool:
    """Whether SCIM shows the user: a user deleted through SCIM is gone (RFC 7644 §3.6)."""
    return user is not None and not user.get(DELETED_BY_SCIM)


def to_resource(user: dict[str, Any], base_url: str, groups: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The SCIM User of a stored user; ``groups``: its bundles as ``{value, display}``."""
    resource: dict[str, Any] = {"schemas": [USER_SCHEMA], "id": user["Gsid"]}
    if user.get(EXTERNAL_ID):
        resource["externalId"] = user[EXTERNAL_ID]
    resource["userName"] = user.get("SFDCUserName")
    name = {
        k: v
        for k, v in (
            ("formatted", user.get("Name")),
            ("givenName", user.get("FirstName")),
            ("familyName", user.get("LastName")),
        )
        if v
    }
    if name:
        resource["name"] = name
    if user.get("Name"):
        resource["displayName"] = user["Name"]
    for attr, field in (("title", "Title"), ("timezone", "Timezone"), ("locale", "Locale")):
        if user.get(field):
            resource[attr] = user[field]
    resource["active"] = bool(user.get("IsActiveUser", True))
    if user.get("Email"):
        resource["emails"] = [{"value": user["Email"], "type": "work", "primary": True}]
    if groups:
        resource["groups"] = groups
    if user.get("Manager"):
        resource["schemas"] = [USER_SCHEMA, ENTERPRISE_SCHEMA]
        resource[ENTERPRISE_SCHEMA] = {
            "manager": {"value": user["Manager"], "$ref": f"{base_url}/Users/{user['Manager']}"}
        }
    resource["meta"] = {
        "resourceType": "User",
        "created": user.get("CreatedDate"),
        "lastModified": user.get("ModifiedDate"),
        "location": f"{base_url}/Users/{user['Gsid']}",
        "version": version(user),
    }
    return resource


def boolean(value: Any, name: str) -> bool:
    """A SCIM boolean; Entra ID sends ``"True"`` and ``"False"`` as strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise invalid_value(f"{name}: must be true or false")


def _text(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise invalid_value(f"{name}: must be a string")
    return value


def _email(resource: dict[str, Any]) -> str | None:
    emails = lookup(resource, "emails")
    if emails is None:
        return None
    if not isinstance(emails, list) or not all(isinstance(e, dict) for e in emails):
        raise invalid_value("emails: must be a list of objects with a value")
    chosen = (
        next((e for e in emails if lookup(e, "primary") in (True, "true", "True")), None)
        or next((e for e in emails if str(lookup(e, "type") or "").lower() == "work"), None)
        or (emails[0] if emails else None)
    )
    return _text(lookup(chosen, "value"), "emails.value") if chosen else None


def _manager(resource: dict[str, Any]) -> str | None:
    extension = lookup(resource, ENTERPRISE_SCHEMA.lower())
    if extension is None:
        return None
    if not isinstance(extension, dict):
        raise invalid_value(f"{ENTERPRISE_SCHEMA}: must be an object")
    manager = lookup(extension, "manager")
    if isinstance(manager, dict):  # {"value": id}; Entra ID also sends the id alone
        manager = lookup(manager, "value")
    return _text(manager, "manager.value")


def to_fields(resource: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A SCIM User (POST, PUT, or the result of a PATCH) as the users API's record (every
    mapped field, None when the resource has no value: a PUT replaces them all) and the
    attributes stored with it (externalId). Read-only and unknown attributes (``id``,
    ``meta``, ``groups``, ``password``, other extensions) are ignored (RFC 7644 §3.3,
    §3.5.1)."""
    if not isinstance(resource, dict):
        raise invalid_value("body: must be a SCIM User object")
    user_name = _text(lookup(resource, "username"), "userName")
    if not user_name or not user_name.strip():
        raise invalid_value("userName: required")
    name = lookup(resource, "name") or {}
    if not isinstance(name, dict):
        raise invalid_value("name: must be an object")
    first = _text(lookup(name, "givenname"), "name.givenName")
    last = _text(lookup(name, "familyname"), "name.familyName")
    formatted = _text(lookup(name, "formatted"), "name.formatted") or _text(
        lookup(resource, "displayname"), "displayName"
    )
    email = _email(resource)
    record: dict[str, Any] = {
        "SFDCUserName": user_name,
        # An identity provider that sends no e-mail names users by their address.
        "Email": email or user_name,
        "FirstName": first,
        "LastName": last,
        "Name": formatted or " ".join(p for p in (first, last) if p) or user_name,
        "Title": _text(lookup(resource, "title"), "title"),
        "Timezone": _text(lookup(resource, "timezone"), "timezone"),
        "Locale": _text(lookup(resource, "locale"), "locale"),
        "Manager": _manager(resource),
    }
    active = lookup(resource, "active")
    record["IsActiveUser"] = True if active is None else boolean(active, "active")
    external_id = _text(lookup(resource, "externalid"), "externalId")
    return record, {EXTERNAL_ID: external_id}


# users API field -> SCIM attribute, to name fields in SCIM's words in error details
SCIM_NAMES = {
    "SFDCUserName": "userName",
    "Email": "emails.value",
    "FirstName": "name.givenName",
    "LastName": "name.familyName",
    "Name": "name.formatted",
    "Title": "title",
    "Timezone": "timezone",
    "Locale": "locale",
    "Manager": "manager.value",
    "IsActiveUser": "active",
}


def in_scim_words(message: str) -> str:
    """A users API message naming a field (``Email: ...``) with the SCIM attribute's name."""
    field, sep, rest = message.partition(":")
    return f"{SCIM_NAMES[field]}:{rest}" if sep and field in SCIM_NAMES else message
