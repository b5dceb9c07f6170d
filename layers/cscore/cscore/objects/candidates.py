"""The rows that may match a query, read along its access path (``objects.planner``),
never more than ``MAX_READ`` records (SPEC §4b "Reads at scale").

Shared by object queries and the users list: the caller hands in how a page of read
records becomes matching rows (permissions, lookup joins, the where clause), so an
index read in the query's order stops once ``offset + limit`` rows matched.

The bound: a page of a Query is at most 1 MB (about 1,000 records of 1 KB) and takes
20-50 ms on DynamoDB; a batch of 100 lookup reads (one per step of a lookup path) about
10-20 ms. 10,000 records are 10 such pages (about 0.5 s) plus, per lookup path step,
100 batches (about 1.5 s, several at once), plus evaluating 10,000 rows in memory
(well under 1 s): about 3 s of the object query function's 10 s timeout in the worst
case, leaving room for authentication, rate limiting and the answer. A read that
would go through more answers 400 ``GSOBJ_1013`` naming what the object's indexes
serve, instead of a 504.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from cscore.catalog.model import ObjectDef
from cscore.errors import QueryTooBroad
from cscore.objects.planner import ByKey, ByReference, ByValue, Everything, InIndex, Path, plan, usable
from cscore.platform import records, references
from cscore.query import Query

MAX_READ = 10_000
_PAGE = 1000  # items per Query page when the whole slice is read
_LATER_PAGE_MIN = 100

Row = dict[str, Any]
Accept = Callable[[list[Row]], list[Row]]


class Reading:
    """One query's read: the path chosen and how many records it went through."""

    def __init__(
        self, tenant_id: str, obj: ObjectDef, query: Query, *, need_all: bool, path: Path | None = None
    ) -> None:
        self.tenant_id = tenant_id
        self.obj = obj
        self.query = query
        # ``path``: a caller's own way to a superset of the rows (a restricted caller's
        # visible companies); else the planner's.
        self.path: Path = plan(query, obj) if path is None else path
        # includeTotal (on a filtered query) counts every match: no early stop.
        self.need_all = need_all
        self.read = 0

    def rows(self, accept: Accept) -> list[Row]:
        """Every matching row the path holds (``accept`` decides which of a page match);
        an index read in the query's order stops once ``offset + limit`` rows matched."""
        wanted = self.query.offset + self.query.limit
        stops_early = isinstance(self.path, InIndex) and self.path.in_query_order and not self.need_all
        matched: list[Row] = []
        if isinstance(self.path, Everything) and records.count(self.tenant_id, self.obj.name) > MAX_READ:
            raise self._too_many()
        pages = 0

        def page_size() -> int:
            # Early stop: the first page is the rows wanted (an unfiltered page reads no
            # more), later ones what is still missing, at least 100 so a selective
            # filter costs few calls; else pages as large as DynamoDB answers.
            missing = wanted - len(matched)
            return (missing if pages == 0 else max(_LATER_PAGE_MIN, min(_PAGE, missing))) if stops_early else _PAGE

        for page in self._pages(page_size):
            pages += 1
            self.read += len(page)
            if self.read > MAX_READ:
                raise self._too_many()
            matched += accept(page)
            if stops_early and len(matched) >= wanted:
                break
        return matched

    def _pages(self, page_size: Callable[[], int]) -> Iterator[list[Row]]:
        path, tenant_id, name = self.path, self.tenant_id, self.obj.name
        if isinstance(path, ByKey | ByValue):
            gsids = (
                list(path.gsids)
                if isinstance(path, ByKey)
                else records.gsids_by_value(tenant_id, name, path.field, path.values, path.unique)
            )
            if len(gsids) > MAX_READ:
                raise self._too_many()
            for start in range(0, len(gsids), _PAGE):
                found = records.by_gsids(tenant_id, name, gsids[start : start + _PAGE])
                yield list(found.values())
        elif isinstance(path, ByReference):
            for gsid in path.gsids:
                yield from references.pages(tenant_id, name, path.via, gsid, path.index, _PAGE)
        elif isinstance(path, InIndex):
            yield from records.index_pages(
                tenant_id,
                name,
                path.index,
                page_size,
                descending=path.descending,
                lower=path.lower,
                upper=path.upper,
                prefix=path.prefix,
            )
        else:
            yield from records.index_pages(tenant_id, name, "GSI1", page_size)

    def _too_many(self) -> QueryTooBroad:
        return QueryTooBroad(
            f"This query would read more than {MAX_READ:,} {self.obj.name} records. Narrow it with {usable(self.obj)}."
        )
