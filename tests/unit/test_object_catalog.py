"""The object catalog is the one declaration of each object (``cscore.catalog``): a field
added to it is writable on every path, queryable and described by the metadata API, and
no other module declares fields, query schemas or storage shapes of its own."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from cscore.catalog import OBJECTS, ObjectDef
from cscore.meta import fields as custom_fields
from cscore.objects import planner

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "cscore" / "cscore"

# Runs in a fresh interpreter: the field is added to the catalog before anything reads it,
# as an edit of ``catalog/objects.py`` would; then every consumer is asked about it.
_ADD_A_FIELD = """
import dataclasses, json
from types import SimpleNamespace
from cscore.catalog import OBJECTS, ObjectField
from cscore.query.model import FieldType

for obj in OBJECTS.values():
    object.__setattr__(obj, "fields", (*obj.fields, ObjectField("Tier", FieldType.STRING, max_length=10)))

from cscore.companies import schema as companies
from cscore.meta import service as meta
from cscore.objects import query, writable
from cscore.users import schema as users

answer = {}
for name in OBJECTS:
    fields = writable.for_object(name, None)
    listed = meta.list_fields(SimpleNamespace(tenant={}), name)["fields"]
    answer[name] = {
        "writable": fields.value("Tier", " gold ") == "gold",
        "too_long": _refused(lambda: fields.value("Tier", "x" * 11)),
        "stored": "Tier" in writable.stored_fields(name),
        "queryable": query.SCHEMAS[name].get("Tier") is not None,
        "described": {"name": "Tier", "type": "string", "custom": False} in listed,
    }
answer["companies"] = companies.parse_record({"Name": "Acme", "Tier": " gold "}, insert=True).values
answer["users"] = users.check_fields({"Tier": "gold"}, None, set())
print(json.dumps(answer))
"""
_REFUSED = """
def _refused(write):
    try:
        write()
    except Exception as exc:
        return type(exc).__name__
    return None
"""


def test_a_field_added_to_the_catalog_is_writable_stored_queryable_and_described() -> None:
    code = _REFUSED + _ADD_A_FIELD
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(PACKAGE.parent), "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    for name in OBJECTS:
        assert answer[name] == {
            "writable": True,
            "too_long": "Refused",
            "stored": True,
            "queryable": True,
            "described": True,
        }, name
    assert answer["companies"] == {"Name": "Acme", "Tier": "gold"}
    assert answer["users"] == {"Tier": "gold"}


def _declarations(tree: ast.AST) -> list[int]:
    """Lines calling ``Schema.of(...)``, or ``Shape(...)`` / ``ObjectDef(...)`` imported from
    the catalog."""
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cscore.catalog")
        for alias in node.names
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        schema_of = isinstance(func, ast.Attribute) and (func.attr, getattr(func.value, "id", None)) == ("of", "Schema")
        declared = isinstance(func, ast.Name) and func.id in {"Shape", "ObjectDef"} & imported
        if schema_of or declared:
            found.append(node.lineno)
    return found


def test_no_module_but_the_catalog_declares_query_schemas_or_storage_shapes() -> None:
    """``Schema.of`` (a query schema) and ``Shape(...)`` (a storage shape) are called in the
    catalog only: a second list of an object's fields has nowhere to hide."""
    elsewhere = {}
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "catalog":
            continue
        lines = _declarations(ast.parse(path.read_text()))
        if lines:
            elsewhere[str(path.relative_to(PACKAGE))] = lines
    assert elsewhere == {}


def test_every_object_has_its_shape_and_schema_under_one_name() -> None:
    for name, declared in OBJECTS.items():
        assert isinstance(declared, ObjectDef)
        assert declared.shape.name == declared.query_schema.name == name
        # What the shape keys and indexes are declared fields (or derived from them).
        for field in (*declared.shape.unique_fields, *declared.shape.index_fields):
            assert field in declared.by_name or field in declared.shape.derived, (name, field)
        # Every order an index keeps is one the planner reads in (GSI1, GSI2).
        assert declared.index_ordered <= set(planner.ORDER_INDEX), name
        # Every lookup names an object of the catalog.
        assert {f.target for f in declared.fields if f.target} <= set(OBJECTS), name
    assert tuple(OBJECTS) == custom_fields.OBJECTS
