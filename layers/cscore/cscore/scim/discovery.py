"""SCIM's discovery documents (RFC 7644 §4, RFC 7643 §5-7): what this service provider
supports, its resource types and their schemas."""

from __future__ import annotations

from typing import Any

from cscore.scim.filter import ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA

LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
MAX_RESULTS = 1000  # a page of a list (count)


def _attribute(
    name: str,
    kind: str = "string",
    *,
    required: bool = False,
    multi: bool = False,
    mutability: str = "readWrite",
    returned: str = "default",
    uniqueness: str = "none",
    case_exact: bool = False,
    subs: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "name": name,
        "type": kind,
        "multiValued": multi,
        "description": name,
        "required": required,
        "caseExact": case_exact,
        "mutability": mutability,
        "returned": returned,
        "uniqueness": uniqueness,
    }
    if subs:
        attribute["subAttributes"] = subs
    return attribute


_USER_ATTRIBUTES = [
    _attribute("userName", required=True, uniqueness="server"),
    _attribute(
        "name",
        "complex",
        subs=[_attribute("formatted"), _attribute("givenName"), _attribute("familyName")],
    ),
    _attribute("displayName"),
    _attribute("title"),
    _attribute("timezone"),
    _attribute("locale"),
    _attribute("active", "boolean"),
    _attribute(
        "emails",
        "complex",
        multi=True,
        subs=[_attribute("value"), _attribute("type"), _attribute("primary", "boolean")],
    ),
    _attribute(
        "groups",
        "complex",
        multi=True,
        mutability="readOnly",
        subs=[_attribute("value", mutability="readOnly"), _attribute("display", mutability="readOnly")],
    ),
]
_ENTERPRISE_ATTRIBUTES = [
    _attribute("manager", "complex", subs=[_attribute("value"), _attribute("$ref", "reference")]),
]
_GROUP_ATTRIBUTES = [
    _attribute("displayName", required=True, uniqueness="server"),
    _attribute(
        "members",
        "complex",
        multi=True,
        subs=[_attribute("value", mutability="immutable"), _attribute("display", mutability="readOnly")],
    ),
]
_SCHEMAS = {
    USER_SCHEMA: ("User", "A user of the product (SFDCUserName, Email, name, ...)", _USER_ATTRIBUTES),
    ENTERPRISE_SCHEMA: ("EnterpriseUser", "The enterprise extension: the user's manager", _ENTERPRISE_ATTRIBUTES),
    GROUP_SCHEMA: ("Group", "A permission bundle; its members are the users holding it", _GROUP_ATTRIBUTES),
}


def service_provider_config(base_url: str) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": f"{base_url}/ServiceProviderConfig",
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": True},
        "etag": {"supported": True},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": "An M2M OAuth token (POST /v1/users/m2m/oauth/token) or a super admin's access key",
                "primary": True,
            }
        ],
        "meta": {"resourceType": "ServiceProviderConfig", "location": f"{base_url}/ServiceProviderConfig"},
    }


def resource_types(base_url: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "User Account",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{"schema": ENTERPRISE_SCHEMA, "required": False}],
            "meta": {"resourceType": "ResourceType", "location": f"{base_url}/ResourceTypes/User"},
        },
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "Permission bundle",
            "schema": GROUP_SCHEMA,
            "meta": {"resourceType": "ResourceType", "location": f"{base_url}/ResourceTypes/Group"},
        },
    ]


def schemas(base_url: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": uri,
            "name": name,
            "description": description,
            "attributes": attributes,
            "meta": {"resourceType": "Schema", "location": f"{base_url}/Schemas/{uri}"},
        }
        for uri, (name, description, attributes) in _SCHEMAS.items()
    ]


def list_response(resources: list[dict[str, Any]], total: int, start_index: int = 1) -> dict[str, Any]:
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "itemsPerPage": len(resources),
        "startIndex": start_index,
        "Resources": resources,
    }


def discovery(kind: str, base_url: str) -> dict[str, Any]:
    """``ServiceProviderConfig``, or ``ResourceTypes`` / ``Schemas`` as a ListResponse."""
    if kind == "ServiceProviderConfig":
        return service_provider_config(base_url)
    documents = resource_types(base_url) if kind == "ResourceTypes" else schemas(base_url)
    return list_response(documents, len(documents))
