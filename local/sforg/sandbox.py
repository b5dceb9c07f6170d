"""Test hooks under /__sandbox/ (no real Salesforce has these): create orgs, edit records, move the
clock, expire or revoke tokens, plan faults and read request stats. JSON in, JSON out, no auth."""

from __future__ import annotations

import json
import re
from typing import Any

from werkzeug.wrappers import Request, Response

from sforg.errors import SfError, not_found
from sforg.org import Fault, Org, record_json
from sforg.schema import sobject
from sforg.spec import ConnectedApp, OrgSpec
from sforg.state import ServerState
from sforg.timefmt import format_dt
from sforg.wire import error_response, json_response

FAULT_KINDS = ("server_error", "request_limit", "invalid_session", "invalid_grant", "slow")
_SLUG = re.compile(r"[^a-z0-9]+")


def _body(request: Request) -> dict[str, Any]:
    if not request.get_data():
        return {}
    try:
        data = json.loads(request.get_data())
    except ValueError:
        raise SfError(400, "JSON_PARSER_ERROR", "The request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise SfError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
    return data


def _int(data: dict[str, Any], key: str, default: int, low: int = 0, high: int = 1_000_000) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SfError(400, "INVALID_FIELD", f"{key} must be an integer between {low} and {high}", [key])
    return value


def handle(state: ServerState, request: Request) -> Response:
    parts = [p for p in request.path.split("/") if p][1:]
    try:
        with state.lock:
            return _route(state, request, parts)
    except SfError as err:
        return error_response(err)


def _route(state: ServerState, request: Request, parts: list[str]) -> Response:
    method = request.method
    if parts == ["connected-apps"] and method == "POST":
        return _connected_app(state, _body(request))
    if parts == ["orgs"]:
        if method == "GET":
            return json_response({"orgs": [o.descriptor() for o in state.orgs.values()]})
        if method == "POST":
            return _create_org(state, _body(request))
        raise _method()
    if len(parts) < 2 or parts[0] != "orgs":
        raise not_found()
    org = state.org(parts[1])
    if org is None:
        raise SfError(404, "NOT_FOUND", f"Unknown org: {parts[1]}")
    rest = parts[2:]
    if not rest:
        if method == "GET":
            return json_response(org.descriptor())
        if method == "DELETE":
            state.drop_org(org.org_id)
            return json_response({"orgId": org.org_id, "deleted": True})
        raise _method()
    head = rest[0]
    if head == "records" and len(rest) in (2, 3):
        return _records(state, request, org, rest[1:])
    if head == "tokens":
        return _tokens(state, request, org, rest[1:])
    if head == "faults" and len(rest) == 1:
        return _faults(request, org)
    if head == "stats":
        if len(rest) == 1 and method == "GET":
            return json_response(org.stats())
        if rest[1:] == ["reset"] and method == "POST":
            org.reset_stats()
            return json_response(org.stats())
        raise not_found()
    if head == "clock" and len(rest) == 1:
        return _clock(state, request, org)
    if head == "managed-package" and len(rest) == 1 and method == "POST":
        installed = _body(request).get("installed")
        if not isinstance(installed, bool):
            raise SfError(400, "INVALID_FIELD", "installed must be true or false", ["installed"])
        state.set_package(org, installed, org.next_stamp())
        return json_response(org.descriptor())
    raise not_found()


def _method() -> SfError:
    return SfError(405, "METHOD_NOT_ALLOWED", "HTTP method not allowed here")


def _connected_app(state: ServerState, data: dict[str, Any]) -> Response:
    client_id, secret, uris = data.get("clientId"), data.get("clientSecret"), data.get("redirectUris", [])
    if not isinstance(client_id, str) or not client_id or not isinstance(secret, str) or not secret:
        raise SfError(400, "REQUIRED_FIELD_MISSING", "clientId and clientSecret are required")
    if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
        raise SfError(400, "INVALID_FIELD", "redirectUris must be a list of strings", ["redirectUris"])
    app = ConnectedApp(
        client_id, secret, list(uris), bool(data.get("rotateRefreshTokens", False)), str(data.get("name") or "")
    )
    state.register_app(app, journal=True)
    return json_response(
        {
            "clientId": app.client_id,
            "redirectUris": app.redirect_uris,
            "rotateRefreshTokens": app.rotate_refresh_tokens,
            "name": app.name,
        }
    )


def _create_org(state: ServerState, data: dict[str, Any]) -> Response:
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SfError(400, "REQUIRED_FIELD_MISSING", "name is required", ["name"])
    username = data.get("username")
    if username is None:
        slug = _SLUG.sub("-", name.lower()).strip("-") or "org"
        username, n = f"admin@{slug}.example", 1
        while state.username_taken(username):
            n += 1
            username = f"admin@{slug}-{n}.example"
    if not isinstance(username, str) or "@" not in username:
        raise SfError(400, "INVALID_FIELD", "username must look like an e-mail address", ["username"])
    seed = data.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise SfError(400, "INVALID_FIELD", "seed must be an integer", ["seed"])
    password = data.get("password", OrgSpec.password)
    if not isinstance(password, str) or not password:
        raise SfError(400, "INVALID_FIELD", "password must be a non-empty string", ["password"])
    spec = OrgSpec(
        name=name,
        username=username,
        password=password,
        managed_package=bool(data.get("managedPackage", True)),
        users=_int(data, "users", OrgSpec.users, 1, 10_000),
        accounts=_int(data, "accounts", OrgSpec.accounts, 0, 500_000),
        contacts_per_account=_int(data, "contactsPerAccount", OrgSpec.contacts_per_account, 0, 50),
        team_members_per_account=_int(data, "teamMembersPerAccount", OrgSpec.team_members_per_account, 0, 20),
        seed=seed,
        daily_api_limit=_int(data, "dailyApiLimit", OrgSpec.daily_api_limit, 0, 10_000_000),
    )
    org = state.create_org(spec, journal=True)
    return json_response(org.descriptor(), 201)


def _records(state: ServerState, request: Request, org: Org, parts: list[str]) -> Response:
    sobj = sobject(parts[0])
    if sobj is None:
        raise SfError(404, "NOT_FOUND", f"sObject type '{parts[0]}' is not supported.")
    method = request.method
    if len(parts) == 1:
        if method == "GET":
            org.purge()
            include_deleted = request.args.get("includeDeleted", "").lower() == "true"
            rows = [
                record_json(sobj.name, r)
                for r in org.tables[sobj.name].rows.values()
                if include_deleted or not r.get("IsDeleted")
            ]
            return json_response({"records": rows})
        if method == "POST":
            record = state.create_record(org, sobj.name, _body(request))
            return json_response(
                {"id": record["Id"], "success": True, "errors": [], "record": record_json(sobj.name, record)}, 201
            )
        raise _method()
    rid = parts[1]
    if method == "GET":
        found = org.get(sobj.name, rid)
        if found is None:
            raise not_found()
        return json_response(record_json(sobj.name, found))
    if method == "PATCH":
        record = state.update_record(org, sobj.name, rid, _body(request))
        return json_response(record_json(sobj.name, record))
    if method == "DELETE":
        removed = state.delete_record(org, sobj.name, rid)
        return json_response({"id": removed[0][1], "deleted": [{"type": t, "id": i} for t, i in removed]})
    raise _method()


def _tokens(state: ServerState, request: Request, org: Org, rest: list[str]) -> Response:
    now = org.now_ms()
    if not rest and request.method == "GET":
        listed = [
            {
                "kind": t.kind,
                "clientId": t.client_id,
                "userId": t.user_id,
                "status": t.status(now),
                "issuedAt": format_dt(t.issued_ms),
                "expiresAt": format_dt(t.expires_ms),
                "revokedAt": format_dt(t.revoked_ms),
                "value": t.value,
            }
            for t in state.tokens.values()
            if t.org_id == org.org_id
        ]
        return json_response({"tokens": listed})
    if rest == ["expire"] and request.method == "POST":
        state.expire_all(org, now)
        return json_response({"expiredAt": format_dt(now)})
    if rest == ["revoke"] and request.method == "POST":
        state.revoke_all(org, now)
        return json_response({"revokedAt": format_dt(now)})
    raise not_found()


def _faults(request: Request, org: Org) -> Response:
    def listed() -> list[dict[str, Any]]:
        return [
            {
                "kind": f.kind,
                "remaining": f.remaining,
                "status": f.status,
                "delaySeconds": f.delay,
                "pathContains": f.path_contains,
            }
            for f in org.faults
        ]

    if request.method == "GET":
        return json_response({"faults": listed()})
    if request.method == "DELETE":
        org.faults.clear()
        return json_response({"faults": []})
    if request.method != "POST":
        raise _method()
    data = _body(request)
    kind = data.get("kind")
    if kind not in FAULT_KINDS:
        raise SfError(400, "INVALID_FIELD", f"kind must be one of {', '.join(FAULT_KINDS)}", ["kind"])
    delay = data.get("delaySeconds", 2.0)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= 120:
        raise SfError(400, "INVALID_FIELD", "delaySeconds must be a number between 0 and 120", ["delaySeconds"])
    path_contains = data.get("pathContains")
    if path_contains is not None and not isinstance(path_contains, str):
        raise SfError(400, "INVALID_FIELD", "pathContains must be a string", ["pathContains"])
    org.faults.append(
        Fault(
            kind=kind,
            remaining=_int(data, "count", 1, 1, 1_000_000),
            status=_int(data, "status", 503, 500, 599),
            delay=float(delay),
            path_contains=path_contains or None,
        )
    )
    return json_response({"faults": listed()}, 201)


def _clock(state: ServerState, request: Request, org: Org) -> Response:
    if request.method == "POST":
        data = _body(request)
        if "advanceSeconds" in data:
            value = data["advanceSeconds"]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise SfError(400, "INVALID_FIELD", "advanceSeconds must be a number", ["advanceSeconds"])
            state.set_clock(org, org.offset_ms + int(value * 1000))
        elif "offsetSeconds" in data:
            value = data["offsetSeconds"]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise SfError(400, "INVALID_FIELD", "offsetSeconds must be a number", ["offsetSeconds"])
            state.set_clock(org, int(value * 1000))
        else:
            raise SfError(400, "REQUIRED_FIELD_MISSING", "advanceSeconds or offsetSeconds is required")
        org.purge()
    elif request.method != "GET":
        raise _method()
    return json_response({"now": format_dt(org.now_ms()), "offsetSeconds": org.offset_ms / 1000})
