"""The typed shapes of the query language (SPEC §1.5): what a caller describes (schemas),
what a client sends (``QueryRequest``) and what the parser hands to evaluation (``Query``).

Everything here is plain data; parsing lives in ``parser``, evaluation in ``evaluate``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict
from pydantic import Field as PydanticField

from cscore.platform.request_model import JSON_INTEGER, RequestModel, any_case

# --------------------------------------------------------------------------- schemas


class FieldType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    PICKLIST = "picklist"
    GSID = "gsid"  # a lookup: holds the GSID of a record of ``Field.target``


LOOKUP_SUFFIX = "__gr"
CUSTOM_SUFFIX = "__gc"


@dataclass(frozen=True)
class Field:
    """One field of an object. Picklists carry their items (label -> item GSID) so that
    conditions may name items by label; lookups name their target object so that paths
    such as ``Csm__gr.Email`` can be resolved."""

    name: str
    type: FieldType
    items: Mapping[str, str] = dc_field(default_factory=dict)
    target: str | None = None
    _gsid_of: dict[str, str] = dc_field(init=False, repr=False, compare=False)
    _label_of: dict[str, str] = dc_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        gsid_of: dict[str, str] = {}
        label_of: dict[str, str] = {}
        for label, gsid in self.items.items():
            gsid_of.setdefault(label.lower(), gsid.upper())
            label_of.setdefault(gsid.upper(), label)
        object.__setattr__(self, "_gsid_of", gsid_of)
        object.__setattr__(self, "_label_of", label_of)

    def item_gsid(self, value: str) -> str | None:
        """The item a picklist value names, by GSID or by label (case-insensitive)."""
        upper = value.upper()
        if upper in self._label_of:
            return upper
        return self._gsid_of.get(value.lower())

    def item_label(self, gsid: str) -> str | None:
        """The label of a picklist item (None for an item this field does not know)."""
        return self._label_of.get(gsid.upper())


@dataclass(frozen=True)
class Schema:
    """An object's fields by API name. A field is named in any case (``GSID`` is
    ``Gsid``, SPEC §7) or by one of its ``aliases`` (other names of the same field, such
    as Gainsight's ``Company_ID``); ``Field.name`` is always the field's own name."""

    name: str
    fields: Mapping[str, Field]
    aliases: Mapping[str, str] = dc_field(default_factory=dict)  # alias -> field name
    _by_lower: dict[str, str] = dc_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_lower = {name.lower(): name for name in self.fields}
        for alias, name in self.aliases.items():  # a field's own name wins over an alias
            if name in self.fields:
                by_lower.setdefault(alias.lower(), name)
        object.__setattr__(self, "_by_lower", by_lower)

    @classmethod
    def of(cls, name: str, *fields: Field) -> Schema:
        return cls(name, {f.name: f for f in fields})

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields.values())

    def get(self, name: str) -> Field | None:
        """The field a name means, in any case or by an alias; None when none."""
        found = self.fields.get(name)
        if found is not None:
            return found
        canonical = self._by_lower.get(name.lower())
        return None if canonical is None else self.fields.get(canonical)

    def with_fields(self, fields: Mapping[str, Field]) -> Schema:
        """The same object (and aliases) with other fields."""
        return Schema(self.name, fields, self.aliases)

    def with_aliases(self, aliases: Mapping[str, str]) -> Schema:
        return Schema(self.name, self.fields, {**self.aliases, **aliases})

    def with_items(self, picklists: Mapping[str, Mapping[str, str]]) -> Schema:
        """A copy whose picklist fields carry the given items (label -> GSID), so a static
        schema can be completed with a tenant's own items per request."""
        fields = dict(self.fields)
        for name, items in picklists.items():
            current = fields.get(name)
            if current is not None and current.type is FieldType.PICKLIST:
                fields[name] = Field(current.name, current.type, dict(items), current.target)
        return self.with_fields(fields)


def resolve_path(schema: Schema, path: str, catalog: Mapping[str, Schema] | None = None) -> tuple[str, Field] | None:
    """A name or lookup path (``Csm__gr.Email``, ``Manager__gr.Manager__gr.Name``) as the
    fields' own names (``csm__GR.EMAIL`` -> ``Csm__gr.Email``) and the field it ends at;
    None when any step is unknown. The lookup ``X__gr`` follows field ``X`` or ``X__gc``,
    which must be a GSID field whose target object is in ``catalog``."""
    if "." not in path:
        found = schema.get(path)
        return None if found is None else (found.name, found)
    relation, rest = path.split(".", 1)
    if not relation.lower().endswith(LOOKUP_SUFFIX) or not catalog:
        return None
    base = relation[: -len(LOOKUP_SUFFIX)]
    lookup = schema.get(base) or schema.get(base + CUSTOM_SUFFIX)
    if lookup is None or lookup.type is not FieldType.GSID or lookup.target is None:
        return None
    target = catalog.get(lookup.target)
    resolved = None if target is None else resolve_path(target, rest, catalog)
    if resolved is None:
        return None
    step = lookup.name.removesuffix(CUSTOM_SUFFIX)
    return f"{step}{LOOKUP_SUFFIX}.{resolved[0]}", resolved[1]


def resolve_field(schema: Schema, path: str, catalog: Mapping[str, Schema] | None = None) -> Field | None:
    """The field a name or lookup path ends at (``resolve_path``); None when unknown."""
    resolved = resolve_path(schema, path, catalog)
    return None if resolved is None else resolved[1]


# --------------------------------------------------------------------------- operators


class Operator(StrEnum):
    EQ = "EQ"
    NE = "NE"
    IN = "IN"
    NOT_IN = "NOT_IN"
    CONTAINS = "CONTAINS"
    STARTS_WITH = "STARTS_WITH"
    ENDS_WITH = "ENDS_WITH"
    GT = "GT"
    GTE = "GTE"
    LT = "LT"
    LTE = "LTE"
    BTW = "BTW"
    IS_NULL = "IS_NULL"
    IS_NOT_NULL = "IS_NOT_NULL"


TEXT_OPERATORS = frozenset({Operator.CONTAINS, Operator.STARTS_WITH, Operator.ENDS_WITH})
RANGE_OPERATORS = frozenset({Operator.GT, Operator.GTE, Operator.LT, Operator.LTE, Operator.BTW})
NULL_OPERATORS = frozenset({Operator.IS_NULL, Operator.IS_NOT_NULL})
SET_OPERATORS = frozenset({Operator.IN, Operator.NOT_IN})

# Which operators make sense on which type; anything else is a 400 naming both.
ALLOWED_OPERATORS: Mapping[FieldType, frozenset[Operator]] = {
    FieldType.STRING: frozenset(Operator),
    FieldType.GSID: frozenset(Operator),
    FieldType.NUMBER: frozenset(Operator) - TEXT_OPERATORS,
    FieldType.DATE: frozenset(Operator) - TEXT_OPERATORS,
    FieldType.DATETIME: frozenset(Operator) - TEXT_OPERATORS,
    FieldType.BOOLEAN: frozenset({Operator.EQ, Operator.NE}) | SET_OPERATORS | NULL_OPERATORS,
    FieldType.PICKLIST: frozenset({Operator.EQ, Operator.NE}) | SET_OPERATORS | NULL_OPERATORS,
}


class NoItem:
    """The normalized form of a picklist value that names no known item: it equals
    nothing, so EQ/IN with it match no record and NE/NOT_IN match every record."""

    _instance: NoItem | None = None

    def __new__(cls) -> NoItem:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_ITEM"


NO_ITEM = NoItem()

# A value after normalization (see ``values``): lower-cased text, Decimal, bool, epoch
# milliseconds, upper-case picklist item GSID, or NO_ITEM.
Value = str | Decimal | bool | int | NoItem


# --------------------------------------------------------------------------- parsed query


@dataclass(frozen=True)
class Condition:
    """One validated condition. ``name`` is what records are read by (a field or a lookup
    path), ``field`` the definition it resolves to, ``values`` normalized for comparison."""

    name: str
    alias: str | None
    operator: Operator
    field: Field
    values: tuple[Value, ...]
    raw_values: tuple[Any, ...]
    value_set: frozenset[Value] = dc_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "value_set", frozenset(self.values))


@dataclass(frozen=True)
class Ref:
    """A condition, by its position in ``Where.conditions``."""

    index: int


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class And:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]


Expr = Ref | Not | And | Or


@dataclass(frozen=True)
class Where:
    """Conditions and how they combine (all ANDed when the client gave no expression)."""

    conditions: tuple[Condition, ...]
    expr: Expr
    expression: str | None = None


@dataclass(frozen=True)
class SortKey:
    name: str
    field: Field
    descending: bool = False


@dataclass(frozen=True)
class QueryOptions:
    """What differs between the APIs sharing the language: the users list pages by
    ``page`` with limit 25/1,000, object queries by ``offset`` up to 5,000 (both keys are
    accepted by both), and each answers unknown select fields with its own code."""

    default_limit: int = 25
    max_limit: int = 1000
    select_required: bool = True
    select_error_code: str | None = None


@dataclass(frozen=True)
class Query:
    """A validated query. Every name in it is the field's own (``Gsid``, ``Csm__gr.Email``)
    whatever case or alias the request wrote; ``shown_as`` is how the request wrote each
    selected name, in ``select``'s order, for the answer's keys (SPEC §7). ``order_by``
    always ends with ``Gsid`` so that paging is stable; the introspection methods let a
    data-access layer push work down to an index."""

    schema: Schema = dc_field(repr=False)
    select: tuple[str, ...]
    shown_as: tuple[str, ...]
    where: Where | None
    order_by: tuple[SortKey, ...]
    limit: int
    offset: int
    page: int
    include_total: bool
    requested_order: int  # how many leading keys of order_by the client asked for

    def is_unfiltered(self) -> bool:
        """True when every record matches (no conditions)."""
        return self.where is None

    def where_fields(self) -> frozenset[str]:
        """Fields (and lookup paths) the conditions read."""
        if self.where is None:
            return frozenset()
        return frozenset(c.name for c in self.where.conditions)

    def order_fields(self) -> tuple[str, ...]:
        """The fields the client ordered by, without the implied ``Gsid`` tie-breaker."""
        return tuple(k.name for k in self.order_by[: self.requested_order])

    def shown(self) -> Iterator[tuple[str, str]]:
        """(field or path, the answer's key for it) per selected name."""
        return zip(self.select, self.shown_as, strict=True)

    def lookup_paths(self) -> frozenset[str]:
        """Lookup paths used anywhere (select, where, orderBy): values the caller must
        join into each record, under the path as key, before evaluating."""
        names = {*self.select, *self.where_fields(), *(k.name for k in self.order_by)}
        return frozenset(n for n in names if "." in n)


# --------------------------------------------------------------------------- request body

OPERATOR = any_case(*Operator)  # "eq" is EQ
DIRECTION = any_case("asc", "desc")  # "ASC" is what many clients send


FieldName = Annotated[str, PydanticField(min_length=1)]  # a field or a lookup path


class ConditionRequest(RequestModel):
    name: FieldName
    operator: Annotated[str, PydanticField(pattern=OPERATOR)]
    alias: str | None = None
    # A list of values, a bare value (a list of one) or null (none); the field's type
    # decides what a value may be (``values.condition_value``).
    value: Any = None


class WhereRequest(RequestModel):
    conditions: list[ConditionRequest] = []
    expression: str | None = None


class QueryRequest(RequestModel):
    """The body of SPEC §1.5. Its shape is checked here (400 naming the field); what the
    names mean (fields, aliases, the expression) is the parser's."""

    # page and offset say the same thing: a request gives one of them at most
    model_config = ConfigDict(populate_by_name=True, json_schema_extra={"not": {"required": ["page", "offset"]}})

    select: list[FieldName] | None = None
    where: WhereRequest | None = None
    order_by: dict[FieldName, Annotated[str, PydanticField(pattern=DIRECTION)]] | None = PydanticField(
        None, alias="orderBy"
    )
    limit: Annotated[int, PydanticField(ge=1), JSON_INTEGER] | None = None
    page: Annotated[int, PydanticField(ge=0), JSON_INTEGER] | None = None
    offset: Annotated[int, PydanticField(ge=0), JSON_INTEGER] | None = None
    include_total: bool = PydanticField(False, alias="includeTotal")
