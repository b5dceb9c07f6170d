"""``BulkStore``: one page (or one run) of a job's reads and buffered writes of one
object's records for one tenant — the reader, the change planner and the writer of
``objects.bulk`` over one view of the items (the package doc)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cscore.catalog.shapes import Shape
from cscore.objects.bulk.calls import Calls
from cscore.objects.bulk.planner import Change, GsidOf, Planner
from cscore.objects.bulk.reader import Reader
from cscore.objects.bulk.writer import Writer


class BulkStore:
    """Reads and buffered writes of one object's records for one tenant (package doc)."""

    def __init__(
        self,
        tenant_id: str,
        shape: Shape,
        actor_gsid: str,
        write_behind: bool = False,
        owner: str | None = None,
        count_inserts: bool = True,
    ) -> None:
        self.tenant_id = tenant_id
        self.shape = shape
        self._calls = Calls()
        self._reader = Reader(tenant_id, shape, self._calls)
        self._writer = Writer(tenant_id, shape.name, self._calls, self._reader.reread, write_behind)
        self._planner = Planner(self._reader, self._writer, actor_gsid, owner, count_inserts)

    @property
    def calls(self) -> Counter[str]:
        """DynamoDB calls made, by operation."""
        return self._calls.made

    @property
    def uncounted_inserts(self) -> int:
        """Records inserted whose counter change is the caller's (``count_inserts=False``:
        a sync run counts them with its checkpoint)."""
        return self._planner.uncounted_inserts

    @property
    def items_written(self) -> int:
        """Items put or deleted by flushes so far."""
        return self._writer.items_written

    # reads (``reader``)
    def find(self, field: str, values: Iterable[Any]) -> dict[str, list[str]]:
        return self._reader.find(field, values)

    def by_key(self, refs: Iterable[Any]) -> dict[str, dict[str, Any]]:
        return self._reader.by_key(refs)

    def records(self, gsids: Iterable[str]) -> dict[str, dict[str, Any]]:
        return self._reader.records(gsids)

    def ref_of(self, gsid: str) -> str | None:
        return self._reader.ref_of(gsid)

    # changes (``planner``)
    def refusal(self, fields: Mapping[str, Any]) -> str | None:
        return self._planner.refusal(fields)

    def upsert(self, changes: Sequence[Change], gsid_of: GsidOf | None = None) -> list[dict[str, Any]]:
        return self._planner.upsert(changes, gsid_of)

    def delete(self, records: Sequence[Mapping[str, Any]]) -> None:
        self._planner.delete(records)

    def owner_of(self, record: Mapping[str, Any]) -> str | None:
        return self._planner.owner_of(record)

    # writes (``writer``)
    @property
    def pending(self) -> int:
        return self._writer.pending

    def flush(self, complete: bool = True) -> None:
        self._writer.flush(complete)

    def close(self) -> None:
        self._writer.close()
