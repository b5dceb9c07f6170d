"""Team management search (SPEC §4.4): ``POST /v1/teams/search {type, text, fields?}``.

A company or a user matches when ``text`` is its GSID, or is contained in its Name
(ignoring case). At most 50 matches, by name. Each shows Gsid and Name (users also
Email) plus the ``fields`` asked for. Names are matched reading the name index (GSI2)
in name order, page by page, until 50 matches (DynamoDB cannot filter on an index's
own sort key, so the lower-cased names are compared here), through at most 10,000
names (``objects.candidates.MAX_READ``): past them, 400 ``GSOBJ_1013``.
A team admin finds the companies it administers, and any user, with only the User
fields anyone may read (``permissions.user_fields``).
"""

from __future__ import annotations

from typing import Any

from cscore.auth.principal import Principal
from cscore.catalog import COMPANY, USER
from cscore.errors import BadRequest, QueryTooBroad
from cscore.objects import candidates
from cscore.permissions import user_fields
from cscore.picklists.service import Picklists
from cscore.platform import ids
from cscore.platform import records as stored
from cscore.teams import rules
from cscore.teams.models import Search

MAX_MATCHES = 50
KINDS = {"company": ("Company", ids.COMPANY, "companies"), "user": ("User", ids.USER, "users")}
SHOWN = {"Company": ("Gsid", "Name"), "User": ("Gsid", "Name", "Email")}
SCHEMAS = {"Company": COMPANY.query_schema, "User": USER.query_schema}
HIDDEN = {"User": {"permissionBundles"}}


def _fields(raw: list[str], obj: str, is_super_admin: bool) -> list[str]:
    for name in raw:
        known = SCHEMAS[obj].get(name) is not None and name not in HIDDEN.get(obj, set())
        if obj == "User" and not user_fields.readable(name, is_super_admin):
            known = False  # a field the caller may not read is answered as an unknown one
        if not known and not name.endswith("__gc"):
            raise BadRequest(f"fields: {name} is not a field of {obj}")
    return list(dict.fromkeys(raw))


def search(principal: Principal, request: Search) -> dict[str, Any]:
    rules.require_enabled(principal)
    obj, prefix, answer = KINDS[request.type]
    extra = _fields(request.fields, obj, principal.is_super_admin)
    scope = rules.listed_scope(principal)
    scope.require_some()
    text = request.text.strip()
    if ids.is_gsid(text.upper(), prefix):
        found = list(stored.by_gsids(principal.tenant_id, obj, [text.upper()]).values())
    else:
        found = _by_name(principal.tenant_id, obj, text.lower(), scope)
    if obj == "Company":
        found = [c for c in found if scope.manages(c.get("Gsid"))]
    picklists = Picklists(principal.tenant)
    return {answer: [_shown(r, obj, extra, picklists) for r in found[:MAX_MATCHES]]}


def _by_name(tenant_id: str, obj: str, text: str, scope: rules.Scope) -> list[dict[str, Any]]:
    """The first matches in name order, going through at most ``candidates.MAX_READ``
    names (what fits the function's time): past them, a 400 rather than a timeout."""
    found: list[dict[str, Any]] = []
    for read, record in enumerate(stored.in_name_order(tenant_id, obj), start=1):
        if read > candidates.MAX_READ:
            raise QueryTooBroad(
                f"text: fewer than {MAX_MATCHES} of the first {candidates.MAX_READ:,} {obj} names contain it; "
                "search by GSID or by a longer part of the name"
            )
        if text in str(record.get("Name") or "").lower() and (obj != "Company" or scope.manages(record.get("Gsid"))):
            found.append(record)
            if len(found) == MAX_MATCHES:
                break
    return found


def _shown(record: dict[str, Any], obj: str, extra: list[str], picklists: Picklists) -> dict[str, Any]:
    view = {name: record.get(name) for name in (*SHOWN[obj], *extra)}
    if obj == "User":
        if "Status" in view:
            view["Status"] = "Active" if record.get("IsActiveUser") else "Inactive"
        for name, category in USER.picklists.items():
            if name in view:
                view[name] = picklists.to_label(category, view[name])
    return view
