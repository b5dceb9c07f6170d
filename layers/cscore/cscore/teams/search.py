"""Team management search (SPEC §4.4): ``POST /v1/teams/search {type, text, fields?}``.

A company or a user matches when ``text`` is its GSID, or, ignoring case, a prefix of its
Name or of any word of its Name from that word on (``catalog.shapes.word_starts``: "corp"
and "corp in" find "Acme Corp, Inc."; "cme" does not). At most 50 matches, by name. Each
shows Gsid and Name (users also Email) plus the ``fields`` asked for. A team admin finds
the companies it administers, and any user, with only the User fields anyone may read
(``permissions.user_fields``).

What is read is in proportion to the matches, whatever the tenant's size:
- name prefix: ``begins_with`` on the name index (GSI2), in name order, until 50 matches
  the caller may see (the first 50 of the answer can only be among them);
- word prefix: every word item whose text starts with ``text`` (one partition,
  ``keys.word``), which carries the record's name key, so the matches are put in name
  order and only those that reach the answer are read (by GSID); past
  ``candidates.MAX_READ`` word items, 400 ``GSOBJ_1013`` (type more of the word);
- a team admin's companies (at most ``SCOPE_READ``) are read by GSID and matched here.
Every record shown is checked against ``text`` as read, so an index entry that no longer
agrees with its record is never an answer.
"""

from __future__ import annotations

from typing import Any

from cscore.auth.principal import Principal
from cscore.catalog import COMPANY, USER
from cscore.catalog.shapes import word_starts
from cscore.errors import BadRequest, QueryTooBroad
from cscore.objects import candidates
from cscore.permissions import user_fields
from cscore.picklists.service import Picklists
from cscore.platform import ids, keys
from cscore.platform import records as stored
from cscore.teams import rules
from cscore.teams.models import Search

MAX_MATCHES = 50
NAME_PAGE = 500  # name index items a Query page reads after the first
SCOPE_READ = 1_000  # a team admin's companies read by GSID (10 BatchGetItem calls) and matched here
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
    listed = rules.listed_scope(principal)
    listed.require_some()
    scope = listed if obj == "Company" else rules.EVERYTHING  # a team admin finds any user
    text = request.text.strip()
    if ids.is_gsid(text.upper(), prefix):
        records = stored.by_gsids(principal.tenant_id, obj, [text.upper()]).values()
        found = [r for r in records if scope.manages(r.get("Gsid"))]
    elif scope.companies is not None and len(scope.companies) <= SCOPE_READ:
        records = stored.by_gsids(principal.tenant_id, obj, sorted(scope.companies)).values()
        found = sorted((r for r in records if matches(r.get("Name"), text)), key=_name_key)[:MAX_MATCHES]
    else:
        found = _by_prefix(principal.tenant_id, obj, text.lower(), scope)
    picklists = Picklists(principal.tenant)
    return {answer: [_shown(r, obj, extra, picklists) for r in found]}


def matches(name: object, text: str) -> bool:
    """Whether ``text`` (ignoring case) begins the name or any of its words (module doc)."""
    value = str(name or "")
    wanted = text.lower()
    return value.lower().startswith(wanted) or any(w.startswith(wanted) for w in word_starts(value))


def _name_key(record: dict[str, Any]) -> str:
    return keys.by_name(record.get("Name"), str(record.get("Gsid")))


def _by_prefix(tenant_id: str, obj: str, text: str, scope: rules.Scope) -> list[dict[str, Any]]:
    """The first ``MAX_MATCHES`` records, by name, whose name or a word of it starts with
    ``text`` (lower-cased) and that the caller may see (module doc)."""
    by_name = _name_matches(tenant_id, obj, text, scope)
    chosen: dict[str, tuple[str, dict[str, Any] | None]] = {str(r["Gsid"]): (_name_key(r), r) for r in by_name}
    for gsid, name_key in _word_matches(tenant_id, obj, text, scope).items():
        chosen.setdefault(gsid, (name_key, None))
    ordered = sorted(chosen.items(), key=lambda entry: entry[1][0])
    found: list[dict[str, Any]] = []
    start = 0
    while len(found) < MAX_MATCHES and start < len(ordered):
        batch = ordered[start : start + MAX_MATCHES - len(found)]
        start += len(batch)
        unread = [gsid for gsid, (_, record) in batch if record is None]
        read = stored.by_gsids(tenant_id, obj, unread) if unread else {}
        for gsid, (_, record) in batch:
            record = record if record is not None else read.get(gsid)
            if record is not None and matches(record.get("Name"), text):
                found.append(record)
    return sorted(found, key=_name_key)


def _name_matches(tenant_id: str, obj: str, text: str, scope: rules.Scope) -> list[dict[str, Any]]:
    """The first ``MAX_MATCHES`` records in name order whose name starts with ``text``
    and that the caller may see, going through at most ``candidates.MAX_READ`` of them."""
    found: list[dict[str, Any]] = []
    sizes = iter([MAX_MATCHES])  # a super admin's first page is its answer; then larger pages

    def page_size() -> int:
        return next(sizes, NAME_PAGE)

    read = 0
    for page in stored.index_pages(tenant_id, obj, "GSI2", page_size, prefix=text):
        for record in page:
            read += 1
            if read > candidates.MAX_READ:
                raise QueryTooBroad(
                    f"text: fewer than {MAX_MATCHES} of the first {candidates.MAX_READ:,} {obj} names starting "
                    "with it are yours to see; type more of the name or search by GSID"
                )
            if scope.manages(record.get("Gsid")) and matches(record.get("Name"), text):
                found.append(record)
                if len(found) == MAX_MATCHES:
                    return found
    return found


def _word_matches(tenant_id: str, obj: str, text: str, scope: rules.Scope) -> dict[str, str]:
    """GSID -> name key of every record the caller may see with a word item starting with
    ``text``; past ``candidates.MAX_READ`` word items, a 400 rather than a timeout."""
    found: dict[str, str] = {}
    read = 0
    for page in stored.word_pages(tenant_id, obj, "Name", text):
        read += len(page)
        if read > candidates.MAX_READ:
            raise QueryTooBroad(
                f"text: more than {candidates.MAX_READ:,} {obj} names have a word starting with it; "
                "type more of the word or search by GSID"
            )
        for item in page:
            gsid = str(item["gsid"])
            if scope.manages(gsid):
                found.setdefault(gsid, str(item.get("nameKey") or ""))
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
