"""POST /v1/data/objects/query/{Object} (SPEC §4b "Company data API", §7): the query
language over a tenant's Company, Person, CompanyPerson, CompanyTeam or User records,
Gainsight's answer shape.

Objects and fields are named as Gainsight's clients name them (SPEC §7): this product's
names or Gainsight's API names (``company_person``, ``gsuser``, ``Company_ID``), in any
case (``catalog.resolve_object``, ``query.Schema``); each answer keys a selected field
as the request wrote it. User (``gsuser``) is read by any caller, with the fields the
caller may read of other users (``permissions.user_fields``), its picklists compared
and shown by label and its derived Status, as the users list shows them.

Answers ``data = {"records": [...]}`` with the selected fields only; date and date-time
fields as epoch milliseconds (as Gainsight's Company read does). Lookup paths such as
``Csm__gr.Email``, ``ParentCompany__gr.Name``, ``CompanyId__gr.Name`` or
``UserId__gr.Email`` may be selected, filtered and ordered on: their values are joined
in with one batched read per step of the path. A path that reaches a company the caller
may not access (or a record of one) is null; a path into User ends only at the fields
the caller may read (``permissions.user_fields``), others are unknown fields.

Rows are read along the access path ``objects.planner`` picks (a key, index items, a
reference's partition, a slice or a walk of an ordered index), never more than
``objects.candidates.MAX_READ`` records (else 400 ``GSOBJ_1013``); the query engine
evaluates the whole query on what was read. Company data permissions
(``permissions.access``) apply to Company and to the objects that look it up; a
caller restricted to a known set of companies (its teams) whose query names no
records reads those companies' records instead, under the same bound.

Each object's schema is completed per request with the tenant's custom fields
(``meta.fields.extend_schema``), so they are selected, filtered and ordered on like
standard fields, also at the end of a lookup path (``Csm__gr.Region__gc``); custom
picklists are shown as labels, custom dates as epoch milliseconds.
"""

from __future__ import annotations

from typing import Any

from cscore.auth.principal import Principal
from cscore.catalog import OBJECTS, USER, resolve_object
from cscore.catalog.model import ObjectDef
from cscore.errors import BadRequest, NotFound
from cscore.meta.fields import extend_schema, tenant_schema
from cscore.objects import candidates, planner
from cscore.objects.candidates import Reading
from cscore.objects.planner import NAMED, ByKey, ByReference, Path
from cscore.permissions import access, user_fields
from cscore.platform import records
from cscore.query import (
    FieldType,
    InvalidValue,
    Query,
    QueryOptions,
    QueryRequest,
    Schema,
    UnknownField,
    execute,
    matches,
    parse_query,
    resolve_field,
    to_epoch_millis,
)

D, DT, P = FieldType.DATE, FieldType.DATETIME, FieldType.PICKLIST
SCHEMAS = {o.name: o.query_schema for o in OBJECTS.values()}
OPTIONS = QueryOptions(default_limit=100, max_limit=5000, select_required=True, select_error_code="GSOBJ_1002")


def catalog_for(principal: Principal) -> dict[str, Schema]:
    """Every object's schema with the tenant's custom fields; User as the caller may read
    it through lookup paths (``permissions.user_fields``)."""
    catalog = {name: extend_schema(schema, principal.tenant) for name, schema in SCHEMAS.items()}
    catalog["User"] = user_fields.user_schema_for(catalog["User"], principal.is_super_admin)
    return catalog


def query_objects(principal: Principal, object_name: str, body: QueryRequest) -> dict[str, Any]:
    """The query's page of records of the object ``object_name`` names: this product's
    name or Gainsight's API name, in any case (``catalog.resolve_object``)."""
    found = resolve_object(object_name)
    if found is None:
        names = ", ".join(f"{o.name} ({o.api_name})" for o in OBJECTS.values())
        raise NotFound(f"Object {object_name} is not queryable here (queryable: {names})")
    catalog = catalog_for(principal)
    schema = catalog[found.name]
    if found is USER:  # its picklists are compared and shown by label, as the users list does
        schema = user_fields.user_schema_for(tenant_schema(USER, principal.tenant), principal.is_super_admin)
    try:
        query = parse_query(body, schema, OPTIONS, catalog=catalog)
    except UnknownField as exc:
        raise BadRequest(exc.desc, code="GSOBJ_1002") from exc
    except InvalidValue as exc:
        field = resolve_field(schema, exc.field, catalog)
        raise BadRequest(exc.desc, code="GSOBJ_1005" if field and field.type in (D, DT) else "GS_1400") from exc
    rows = _rows(principal, query, schema, catalog)
    return {"records": [_shown(row, query, schema, catalog) for row in rows]}


class VisibleRecords:
    """Records of one query's objects as far as the caller may see them: a record of a
    company the caller may not access (or of an object that looks such a company up) is
    not there, whether it is a candidate row or reached through a lookup path. Each
    record is read once per query, in batches; permission decisions are batched too
    (``permissions.access.CompanyVisibility``)."""

    def __init__(self, tenant_id: str, visibility: access.CompanyVisibility) -> None:
        self.tenant_id = tenant_id
        self.visibility = visibility
        self._read: dict[str, dict[str, dict[str, Any] | None]] = {}  # object -> GSID -> record or None

    def remember(self, obj: str, found: list[dict[str, Any]]) -> None:
        """Records already read (and visible), so lookups reaching them read nothing."""
        self._read.setdefault(obj, {}).update({str(r["Gsid"]): r for r in found if r.get("Gsid")})

    def by_gsids(self, obj: str, gsids: list[str]) -> dict[str, dict[str, Any]]:
        """The visible records among ``gsids``: one batched read for those not read yet."""
        read = self._read.setdefault(obj, {})
        wanted = sorted({g for g in gsids if g not in read})
        if obj == "Company" and not self.visibility.everything and self.visibility.known is not None:
            known = self.visibility.known
            read.update({g: None for g in wanted if g not in known})  # hidden: not even read
            wanted = [g for g in wanted if g in known]
        if wanted:
            found = self.visible_only(obj, list(records.by_gsids(self.tenant_id, obj, wanted).values()))
            shown = {str(r["Gsid"]): r for r in found}
            read.update({g: shown.get(g) for g in wanted})
        return {g: r for g in gsids if (r := read.get(g)) is not None}

    def visible_only(self, obj: str, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The records of ``found`` the caller may see."""
        company_field = OBJECTS[obj].company_field
        if company_field is None or self.visibility.everything:
            return found
        if obj == "Company":
            seen = self.visibility.visible(found)
            hidden = {str(r["Gsid"]): None for r in found if str(r.get("Gsid")) not in seen}
            self._read.setdefault("Company", {}).update(hidden)  # decided: never read again
        else:
            seen = set(self.by_gsids("Company", [str(r[company_field]) for r in found if r.get(company_field)]))
        return [r for r in found if str(r.get(company_field)) in seen]


def _rows(principal: Principal, query: Query, schema: Schema, catalog: dict[str, Schema]) -> list[dict[str, Any]]:
    """The query's page of rows the caller may see: permissions apply before paging (to the
    rows and to every lookup path). Rows are read along the query's access path
    (``objects.candidates``), a page at a time, each page made visible, joined and
    filtered before the next is read; a team-restricted caller whose query names no
    records reads its visible companies' records instead (``_visible_path``)."""
    tenant_id = principal.tenant_id
    visibility = access.CompanyVisibility(principal)
    reader = VisibleRecords(tenant_id, visibility)
    obj = OBJECTS[schema.name]
    paths = sorted(query.lookup_paths())
    reading = Reading(tenant_id, obj, query, need_all=False)  # the answer has no total
    visible = None if obj.company_field is None or visibility.everything else visibility.known
    if visible is not None and not isinstance(reading.path, NAMED):
        restricted = _visible_path(obj, visible)
        if restricted is not None:
            reading = Reading(tenant_id, obj, query, need_all=False, path=restricted)

    def accept(page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        shown = [obj.with_derived(row) for row in reader.visible_only(schema.name, page)]
        reader.remember(schema.name, shown)
        _join(reader, shown, paths, schema, catalog)
        return [row for row in shown if matches(query.where, row)]

    return execute(query, reading.rows(accept)).rows


def _visible_path(obj: ObjectDef, companies: set[str]) -> Path | None:
    """The records of ``obj`` of the given companies: the companies by key (Company) or
    their partitions (CompanyPerson, CompanyTeam); None when they are too many for that
    (the query's own path, bounded, serves then)."""
    gsids = tuple(sorted(companies))
    if obj.name == "Company":
        return ByKey(gsids) if len(gsids) <= candidates.MAX_READ else None
    assert obj.company_field is not None
    via, index = obj.references[obj.company_field]
    return ByReference(obj.company_field, via, index, gsids) if len(gsids) <= planner.MAX_PARTITIONS else None


def _join(
    reader: VisibleRecords, rows: list[dict[str, Any]], paths: list[str], root: Schema, catalog: dict[str, Schema]
) -> None:
    """Put each lookup path's value into each row under the path, one batch per step. A
    step that reaches a record the caller may not see reaches nothing: the path is null
    for that row, in select, where and orderBy alike."""
    for path in paths:
        steps = path.split(".")
        current: list[dict[str, Any] | None] = list(rows)
        schema = root
        for step in steps[:-1]:
            base = step[: -len("__gr")]
            lookup = schema.get(base) or schema.get(base + "__gc")
            assert lookup is not None and lookup.target is not None  # parse_query resolved the path
            if lookup.name == "Gsid" and lookup.target == schema.name:
                continue  # a record's own Gsid: the record itself (not every object is keyed by GSID)
            refs = [r.get(lookup.name) if r else None for r in current]
            found = reader.by_gsids(lookup.target, [g for g in refs if isinstance(g, str)])
            current = [found.get(g) if isinstance(g, str) else None for g in refs]
            schema = catalog[lookup.target]
        for row, target in zip(rows, current, strict=True):
            row[path] = target.get(steps[-1]) if target else None


def _shown(row: dict[str, Any], query: Query, schema: Schema, catalog: dict[str, Schema]) -> dict[str, Any]:
    shown = {}
    for name, key in query.shown():
        value = row.get(name)
        field = resolve_field(schema, name, catalog)
        if value is not None and field is not None and field.type in (D, DT):
            value = to_epoch_millis(value, date_only=field.type is D)
        elif isinstance(value, str) and field is not None and field.type is P and field.items:
            value = field.item_label(value) or value
        shown[key] = value
    return shown
