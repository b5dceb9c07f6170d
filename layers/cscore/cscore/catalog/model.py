"""What the catalog declares of an object (``ObjectDef``) and of each of its fields
(``ObjectField``), and what every path derives from the declaration: the query schema,
the fields a record item holds, the fields input may write and why others are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from cscore.catalog.shapes import Shape
from cscore.query.model import Field, FieldType, Schema

MAX_TEXT = 255  # characters of a text field unless it declares otherwise


class Write(StrEnum):
    """Who sets a field's value."""

    INPUT = "input"  # any write path
    SET_ONCE = "set once"  # any write path while empty, never changed after
    PLATFORM = "platform"  # the store: Gsid and the audit fields
    PRODUCT = "product"  # stored, but set only by the product's own rules (``reason``)
    DERIVED = "derived"  # computed when read, never stored (``reason``)


@dataclass(frozen=True)
class ObjectField:
    """One standard field. ``target`` names the object a GSID field looks up; ``picklist``
    the category of a picklist's items; ``form`` a text field's stricter form (``email``,
    ``timezone``, ``locale``) or ``names`` for a list of names; ``aliases`` the input names
    that resolve to this field by one of the target's lookup fields (alias -> that field),
    and ``alias_parts`` the inputs given together to make one alias ("first" + "last");
    ``api_names`` other names of this very field that Gainsight's clients send
    (``Company_ID``), accepted wherever the field is named, in any case."""

    name: str
    type: FieldType
    target: str | None = None
    write: Write = Write.INPUT
    reason: str = ""
    required: bool = False
    max_length: int = MAX_TEXT
    picklist: str | None = None
    form: str | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)
    alias_parts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    api_names: tuple[str, ...] = ()

    @property
    def stored(self) -> bool:
        return self.write is not Write.DERIVED

    @property
    def writable(self) -> bool:
        """Whether input may set it (on every path)."""
        return self.write in (Write.INPUT, Write.SET_ONCE)


@dataclass(frozen=True)
class ObjectDef:
    """One object: its fields (in the order the metadata lists them), how its items are
    stored (``shape``), which orders its indexes keep (``index_ordered``), the field that
    names the company a record belongs to (``company_field``: company data permissions
    apply) and which of its GSID
    fields list a referenced record's records in a secondary index (``references``:
    field -> (referenced object, index), as ``shape`` writes them). ``api_name`` is
    Gainsight's lower-case API name of the object (``company_person``); ``derived`` the
    fields computed when a record is read (field -> how, from the stored record).

    Names are case-insensitive (SPEC §7): ``field_named`` and ``catalog.resolve_object``
    resolve a name as a client wrote it, in any case, also by Gainsight's API names."""

    name: str
    fields: tuple[ObjectField, ...]
    shape: Shape
    api_name: str = field(kw_only=True)
    index_ordered: frozenset[str] = frozenset({"ModifiedDate"})
    company_field: str | None = None
    references: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    derived: Mapping[str, Callable[[Mapping[str, Any]], Any]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> ObjectField:
        return self.by_name[name]

    @cached_property
    def by_name(self) -> Mapping[str, ObjectField]:
        return {f.name: f for f in self.fields}

    @cached_property
    def field_names(self) -> Mapping[str, str]:
        """Every name of a field in lower case (its own and its ``api_names``) -> its name."""
        return {
            **{api.lower(): f.name for f in self.fields for api in f.api_names},
            **{f.name.lower(): f.name for f in self.fields},
        }

    def field_named(self, name: str) -> ObjectField | None:
        """The standard field a client's name means, in any case (``GSID``, ``Arr``,
        ``company_id``); None when it names none."""
        found = self.by_name.get(name)
        if found is not None:
            return found
        canonical = self.field_names.get(name.lower())
        return None if canonical is None else self.by_name[canonical]

    def with_derived(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A stored record with the fields computed when it is read."""
        return {**record, **{name: derive(record) for name, derive in self.derived.items()}}

    @cached_property
    def query_schema(self) -> Schema:
        """What a query may select, filter and order on: every field, stored or derived,
        by any of its names in any case."""
        schema = Schema.of(self.name, *(Field(f.name, f.type, target=f.target) for f in self.fields))
        return schema.with_aliases({api: f.name for f in self.fields for api in f.api_names})

    @cached_property
    def stored_fields(self) -> frozenset[str]:
        """The standard fields a record item holds (the product's and the platform's too)."""
        return frozenset(f.name for f in self.fields if f.stored)

    @cached_property
    def writable(self) -> Mapping[str, ObjectField]:
        """The fields input may set, in declaration order."""
        return {f.name: f for f in self.fields if f.writable}

    @cached_property
    def platform_fields(self) -> tuple[str, ...]:
        """Gsid and the audit fields: the store's own."""
        return tuple(f.name for f in self.fields if f.write is Write.PLATFORM)

    @cached_property
    def protected(self) -> Mapping[str, str]:
        """Field -> why no input sets it: every field that is not ``writable``."""
        return {f.name: f.reason or "set by the platform" for f in self.fields if not f.writable}

    @cached_property
    def set_once(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.write is Write.SET_ONCE)

    @cached_property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    @cached_property
    def picklists(self) -> Mapping[str, str]:
        """Picklist field -> the category of its items."""
        return {f.name: f.picklist for f in self.fields if f.picklist is not None}

    @cached_property
    def aliases(self) -> Mapping[str, str]:
        """Alias -> the field it resolves to."""
        return {alias: f.name for f in self.fields for alias in f.aliases}

    @cached_property
    def alias_parts(self) -> Mapping[str, tuple[str, ...]]:
        """Alias -> the inputs that make it when given together."""
        return {alias: parts for f in self.fields for alias, parts in f.alias_parts.items()}
