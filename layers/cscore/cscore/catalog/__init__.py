"""The object catalog (docs/data-model.md): each object the platform stores, declared
once — its fields, its storage shape and its query schema — for every path that writes,
reads, queries or describes records (``objects``, ``users``, ``companies``, ``meta``,
``permissions``, ``sync``, ``bulkload``). Declarations only: no I/O, no domain rules."""

from cscore.catalog.model import ObjectDef, ObjectField, Write
from cscore.catalog.objects import (
    COMPANY,
    COMPANY_PERSON,
    COMPANY_TEAM,
    OBJECTS,
    PERSON,
    SHAPES,
    USER,
    resolve_object,
)

__all__ = [
    "COMPANY",
    "COMPANY_PERSON",
    "COMPANY_TEAM",
    "OBJECTS",
    "PERSON",
    "SHAPES",
    "USER",
    "ObjectDef",
    "ObjectField",
    "Write",
    "resolve_object",
]
