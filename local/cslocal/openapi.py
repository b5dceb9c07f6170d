"""The product's OpenAPI document, merged from every API function's Powertools resolver.

``python -m cslocal.openapi --write`` regenerates the committed document (served by
``GET /swagger``); ``--check`` fails when it is stale (``make test`` runs it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from cslocal.template import load_stack
from cslocal.worker import load_handler

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "layers" / "cscore" / "cscore" / "api" / "openapi.json"
ENVELOPE = {
    "type": "object",
    "required": ["result", "errorCode", "errorDesc", "requestId", "data"],
    "properties": {
        "result": {"type": "boolean"},
        "errorCode": {"type": ["string", "null"], "examples": ["GS_1400"]},
        "errorDesc": {"type": ["string", "null"]},
        "localizedErrorDesc": {"type": ["string", "null"]},
        "requestId": {"type": "string", "format": "uuid"},
        "data": {},
        "message": {"type": ["string", "null"]},
        "localizedMessage": {"type": ["string", "null"]},
    },
}
ERRORS = {
    "400": "Bad request (GS_1400 and the endpoint's own codes)",
    "401": "Missing or unknown access key (GS_APIG_2401)",
    "403": "Not allowed (GS_1403)",
    "404": "Unknown route or object (GS_1404)",
    "409": "Conflict with the current state (GS_1409)",
    "413": "Request body too large (GS_1413)",
    "415": "Unsupported content type (GS_1415)",
    "429": "Rate limit exceeded (GU_2400), with Retry-After",
    "500": "Unexpected failure (GU_1101)",
}


def build() -> dict[str, Any]:
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    stack = load_stack(ROOT, "openapi")
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "CS Platform API",
            "version": "1.0.0",
            "description": "Gainsight-compatible User Management, Company data and connector APIs. "
            "Every answer is the response envelope; `data` holds the payload shown per operation.",
        },
        "paths": {},
        "components": {
            "schemas": {"Envelope": ENVELOPE},
            "securitySchemes": {
                "accesskey": {"type": "apiKey", "in": "header", "name": "accesskey"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
        "security": [{"accesskey": []}, {"bearer": []}],
    }
    for function in sorted(stack.functions(), key=lambda f: f.logical_id):
        if not any(e.get("Type") == "Api" for e in function.events.values()):
            continue
        os.environ.update(function.environment)
        handler_module = f"openapi_{function.logical_id}"
        load_handler(function.code_dir, function.handler, handler_module)
        app = sys.modules[handler_module].app
        schema = json.loads(
            app.get_openapi_schema(title="x", version="x").model_dump_json(by_alias=True, exclude_none=True)
        )
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                if app.shape == "scim":
                    described = _in_scim_shape(operation, function)
                else:
                    described = _in_envelope(operation, function, app.auth_scheme)
                document["paths"].setdefault(path, {})[method] = described
        document["components"]["schemas"].update(
            {k: v for k, v in schema.get("components", {}).get("schemas", {}).items() if "ValidationError" not in k}
        )
    return document


def _in_envelope(operation: dict[str, Any], function: Any, auth_scheme: str) -> dict[str, Any]:
    """Powertools describes the route's typed request and return value, and a 422; the
    API answers inside the envelope (raw pages and files as they are), and validation
    failures as 400."""
    responses = operation.get("responses", {})
    responses.pop("422", None)
    ok = responses.get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if ok.get("type") == "string":  # a raw answer (an HTML page, a CSV file), not the envelope
        responses["200"] = {"description": "Success", "content": {"*/*": {"schema": {"type": "string"}}}}
    else:
        envelope = {"allOf": [{"$ref": "#/components/schemas/Envelope"}, {"properties": {"data": ok}}]}
        responses["200"] = {"description": "Success", "content": {"application/json": {"schema": envelope}}}
    for status, description in ERRORS.items():
        if auth_scheme == "none" and status in ("401", "403", "429"):
            continue
        responses[status] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}},
        }
    operation["responses"] = responses
    operation["description"] = (function.code_dir / "app.py").read_text().split('"""')[1].strip()
    if auth_scheme == "none":
        operation["security"] = []
    return operation


# SCIM answers (RFC 7644): resources, ListResponse and errors as application/scim+json.
SCIM_MEDIA_TYPE = "application/scim+json"
SCIM_ERROR = {
    "type": "object",
    "required": ["schemas", "status"],
    "properties": {
        "schemas": {"type": "array", "items": {"const": "urn:ietf:params:scim:api:messages:2.0:Error"}},
        "status": {"type": "string"},
        "scimType": {"type": "string"},
        "detail": {"type": "string"},
    },
}
SCIM_RESOURCE = {"type": "object", "required": ["schemas"], "properties": {"schemas": {"type": "array"}}}
SCIM_ERRORS = {
    "400": "invalidFilter, invalidValue, invalidSyntax, mutability, tooMany",
    "401": "No valid credential",
    "403": "Not a super admin",
    "404": "No such resource",
    "409": "uniqueness",
    "412": "If-Match does not match the resource's version",
    "415": "Unsupported content type",
    "429": "Rate limit reached",
}


def _in_scim_shape(operation: dict[str, Any], function: Any) -> dict[str, Any]:
    """A SCIM function answers in SCIM's own shapes, never the envelope."""
    content = {SCIM_MEDIA_TYPE: {"schema": SCIM_RESOURCE}}
    responses: dict[str, Any] = {
        "200": {"description": "Success", "content": content},
        "201": {"description": "Created", "content": content},
        "204": {"description": "Deleted"},
    }
    for status, description in SCIM_ERRORS.items():
        responses[status] = {"description": description, "content": {SCIM_MEDIA_TYPE: {"schema": SCIM_ERROR}}}
    operation["responses"] = responses
    operation["description"] = (function.code_dir / "app.py").read_text().split('"""')[1].strip()
    return operation


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cslocal.openapi", description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = json.dumps(build(), indent=2, sort_keys=True) + "\n"
    if args.write:
        TARGET.write_text(text)
        print(f"wrote {TARGET.relative_to(ROOT)}")
        return 0
    if not TARGET.exists() or TARGET.read_text() != text:
        print(f"{TARGET.relative_to(ROOT)} is stale: run `make openapi` and commit it", file=sys.stderr)
        return 1
    print(f"{TARGET.relative_to(ROOT)} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
