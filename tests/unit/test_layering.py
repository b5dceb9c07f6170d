"""The direction of calls that import-linter cannot see (``pyproject.toml`` holds the
contract between the packages of ``cscore``):

* handlers (``functions/*/app.py``, not a package) import the API layer and domain
  modules only: never boto3, never a data-access module;
* DynamoDB is spoken only in data-access modules: expressions (key conditions, updates,
  conditions, filters, projections), the client and its item calls.

Data access is: each package's ``repository.py``, ``platform/`` (the table helpers every
repository shares, leases, the idempotency store), ``objects/bulk/`` (the batched reads
and writes of object records) and ``users/outbox.py`` (the outbox items written in the
users' own transactions).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "cscore" / "cscore"
HANDLERS = sorted((ROOT / "functions").glob("*/app.py"))

EXPRESSIONS = {
    "KeyConditionExpression",
    "UpdateExpression",
    "ConditionExpression",
    "FilterExpression",
    "ProjectionExpression",
}
# Item calls of the DynamoDB client (``query`` is left out: the Salesforce client has one
# too; a DynamoDB Query needs the client, ``aws.dynamodb()``, or an expression).
ITEM_CALLS = {
    "get_item",
    "put_item",
    "update_item",
    "delete_item",
    "batch_get_item",
    "batch_write_item",
    "transact_write_items",
    "transact_get_items",
    "scan",
}


DATA_ACCESS_FOLDERS = {"platform", "objects/bulk"}
DATA_ACCESS_MODULES = {"users/outbox.py"}
# Still speaking DynamoDB outside data access, to be moved with the object catalog work;
# the list only shrinks (test_pending_modules_still_need_moving).
PENDING = {"meta/service.py", "permissions/access.py"}


def is_data_access(path: Path) -> bool:
    relative = path.relative_to(LAYER)
    return (
        relative.name == "repository.py"
        or any(relative.is_relative_to(folder) for folder in DATA_ACCESS_FOLDERS)
        or relative.as_posix() in DATA_ACCESS_MODULES
    )


def _modules() -> Iterator[tuple[str, ast.AST]]:
    """(path under cscore/, syntax tree) of every module that is not data access."""
    for path in sorted(LAYER.rglob("*.py")):
        if not is_data_access(path):
            yield path.relative_to(LAYER).as_posix(), ast.parse(path.read_text(), str(path))


def dynamodb_uses(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, what) of each piece of DynamoDB in a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in EXPRESSIONS:
            yield node.value.lineno, node.arg
        elif isinstance(node, ast.Constant) and node.value in EXPRESSIONS:
            yield node.lineno, str(node.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ITEM_CALLS:
                yield node.lineno, f".{node.func.attr}()"
            elif node.func.attr == "dynamodb" and isinstance(node.func.value, ast.Name) and node.func.value.id == "aws":
                yield node.lineno, "aws.dynamodb()"
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            if any(n.split(".")[0] in ("boto3", "botocore") and "exceptions" not in n for n in names):
                yield node.lineno, "boto3"


def imported_modules(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_dynamodb_is_spoken_only_in_data_access_modules() -> None:
    found = [
        f"{name}:{line}: {what}"
        for name, tree in _modules()
        if name not in PENDING
        for line, what in dynamodb_uses(tree)
    ]
    assert found == [], "move these into the package's repository module:\n" + "\n".join(found)


def test_pending_modules_still_need_moving() -> None:
    clean = {name for name, tree in _modules() if name in PENDING and not list(dynamodb_uses(tree))}
    gone = {name for name in PENDING if not (LAYER / name).exists()}
    assert clean | gone == set(), f"no DynamoDB left in {sorted(clean | gone)}: take them out of PENDING"


def module_file(module: str) -> Path | None:
    """The file of a ``cscore`` module (None for anything else)."""
    parts = module.split(".")
    if parts[0] != "cscore":
        return None
    base = LAYER.joinpath(*parts[1:])
    return next((f for f in (base.with_suffix(".py"), base / "__init__.py") if f.is_file()), None)


@functools.cache
def speaks_dynamodb_itself(file: Path) -> bool:
    """A module (outside PENDING, counted there) with DynamoDB of its own."""
    pending = file.relative_to(LAYER).as_posix() in PENDING
    return not pending and any(dynamodb_uses(ast.parse(file.read_text(), str(file))))


def handler_problems(tree: ast.AST) -> Iterator[str]:
    """What a handler imports that it must not: boto3, a repository, or any module that
    speaks DynamoDB itself."""
    for module in imported_modules(tree):
        file = module_file(module)
        boto = module.split(".")[0] in ("boto3", "botocore")
        speaks_dynamodb = file is not None and speaks_dynamodb_itself(file)
        if boto or "repository" in module.split(".") or speaks_dynamodb:
            yield module


def test_handlers_import_the_api_and_domain_only() -> None:
    assert len(HANDLERS) >= 50
    wrong = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in HANDLERS
        for module in handler_problems(ast.parse(path.read_text(), str(path)))
    ]
    assert wrong == [], "handlers call the domain, which calls data access:\n" + "\n".join(wrong)


def test_the_checks_see_what_they_look_for() -> None:
    """Each rule catches its pattern (so an empty finding means something)."""
    source = (
        "import boto3\n"
        "from cscore.platform import aws\n"
        "aws.dynamodb().query(KeyConditionExpression='PK = :pk')\n"
        "t.update_item(Key=k)\n"
        "{'Update': {'ConditionExpression': 'attribute_exists(PK)'}}\n"
    )
    found = {what for _, what in dynamodb_uses(ast.parse(source))}
    assert found == {"boto3", "aws.dynamodb()", "KeyConditionExpression", ".update_item()", "ConditionExpression"}
    imports = ["import boto3", "from cscore.users import repository", "from cscore.platform import table"]
    handler = "\n".join([*imports, "import cscore.teams"])
    assert set(handler_problems(ast.parse(handler))) == {"boto3", "cscore.users.repository", "cscore.platform.table"}
    assert is_data_access(LAYER / "users" / "repository.py") and is_data_access(LAYER / "objects" / "bulk" / "store.py")
    assert not is_data_access(LAYER / "users" / "service.py") and not is_data_access(LAYER / "objects" / "query.py")
