"""What a SCIM endpoint answers (status, body, headers), and the list parameters every
listing shares (RFC 7644 §3.4.2): startIndex and count, attributes and
excludedAttributes, sortBy and sortOrder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cscore.scim.discovery import MAX_RESULTS, list_response
from cscore.scim.errors import invalid_value
from cscore.scim.filter import AttrPath, attribute, lookup, parse_path

ALWAYS_RETURNED = ("schemas", "id")


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)


def _paths(text: str | None, name: str) -> list[AttrPath]:
    if not text:
        return []
    paths = []
    for part in text.split(","):
        target = parse_path(part.strip())
        if target.filter is not None:
            raise invalid_value(f"{name}: {part.strip()} is not an attribute")
        paths.append(target.path)
    return paths


def _integer(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise invalid_value(f"{name}: must be an integer") from None


@dataclass(frozen=True)
class ListParameters:
    start_index: int
    count: int
    attributes: list[AttrPath]
    excluded: list[AttrPath]
    sort_by: AttrPath | None
    descending: bool

    @classmethod
    def of(cls, query: dict[str, str]) -> ListParameters:
        """From the query string; a startIndex below 1 is 1 and a negative count 0
        (RFC 7644 §3.4.2.4); count at most ``MAX_RESULTS``."""
        sort_by = _paths(query.get("sortBy"), "sortBy")
        order = (query.get("sortOrder") or "ascending").lower()
        if order not in ("ascending", "descending"):
            raise invalid_value("sortOrder: must be ascending or descending")
        return cls(
            start_index=max(1, _integer(query.get("startIndex"), "startIndex", 1)),
            count=min(MAX_RESULTS, max(0, _integer(query.get("count"), "count", MAX_RESULTS // 10))),
            attributes=_paths(query.get("attributes"), "attributes"),
            excluded=_paths(query.get("excludedAttributes"), "excludedAttributes"),
            sort_by=sort_by[0] if sort_by else None,
            descending=order == "descending",
        )

    def page(self, resources: list[dict[str, Any]]) -> dict[str, Any]:
        """The ListResponse of the matching resources: sorted, the page, projected."""
        if self.sort_by is not None:
            resources = _sorted(resources, self.sort_by, self.descending)
        page = resources[self.start_index - 1 : self.start_index - 1 + self.count]
        return list_response([self.project(r) for r in page], len(resources), self.start_index)

    def project(self, resource: dict[str, Any]) -> dict[str, Any]:
        return project(resource, self.attributes, self.excluded)


def _sort_key(resource: dict[str, Any], path: AttrPath) -> tuple[int, Any]:
    value = attribute(resource, path)
    if isinstance(value, list):  # multi-valued: the primary value, else the first
        chosen = next((v for v in value if isinstance(v, dict) and lookup(v, "primary") is True), None)
        value = chosen or (value[0] if value else None)
    if isinstance(value, dict):
        value = lookup(value, path.sub or "value")
    elif path.sub:
        value = None
    if value is None:
        return (1, "")
    return (0, value.lower() if isinstance(value, str) else str(value))


def _sorted(resources: list[dict[str, Any]], path: AttrPath, descending: bool) -> list[dict[str, Any]]:
    """Sorted by the attribute; resources without it last either way (RFC 7644 §3.4.2.3)."""
    present = [r for r in resources if _sort_key(r, path)[0] == 0]
    missing = [r for r in resources if _sort_key(r, path)[0] == 1]
    return sorted(present, key=lambda r: _sort_key(r, path)[1], reverse=descending) + missing


def _keep(holder: dict[str, Any], paths: list[AttrPath]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in holder.items():
        wanted = [p for p in paths if p.attr == key.lower()]
        if not wanted:
            continue
        if any(p.sub is None for p in wanted):
            kept[key] = value
        elif isinstance(value, dict):
            kept[key] = {k: v for k, v in value.items() if any(p.sub == k.lower() for p in wanted)}
        elif isinstance(value, list):
            kept[key] = [
                {k: v for k, v in e.items() if any(p.sub == k.lower() for p in wanted)} if isinstance(e, dict) else e
                for e in value
            ]
    return kept


def _drop(holder: dict[str, Any], paths: list[AttrPath]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in holder.items():
        named = [p for p in paths if p.attr == key.lower()]
        if any(p.sub is None for p in named):
            continue
        subs = {p.sub for p in named}
        if subs and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k.lower() not in subs}
        elif subs and isinstance(value, list):
            value = [{k: v for k, v in e.items() if k.lower() not in subs} if isinstance(e, dict) else e for e in value]
        out[key] = value
    return out


def project(resource: dict[str, Any], attributes: list[AttrPath], excluded: list[AttrPath]) -> dict[str, Any]:
    """``attributes``: only those (and ``schemas``, ``id``); else all but ``excluded``
    (RFC 7644 §3.9). Extension attributes are named with their schema."""
    if attributes:
        core = _keep(resource, [p for p in attributes if not p.schema])
        for key, value in resource.items():
            if isinstance(value, dict) and ":" in key:
                inside = _keep(value, [p for p in attributes if p.schema == key.lower()])
                if inside:
                    core[key] = inside
        kept = {**{k: resource[k] for k in ALWAYS_RETURNED if k in resource}, **core}
        return kept
    out = _drop(resource, [p for p in excluded if not p.schema and p.attr not in ALWAYS_RETURNED])
    for key, value in list(out.items()):
        if isinstance(value, dict) and ":" in key:
            out[key] = _drop(value, [p for p in excluded if p.schema == key.lower()])
    return out
