"""Word items for records written before they existed (``catalog.shapes.word_starts``):
every record of an object with ``word_fields`` read from its ModifiedDate index a page
at a time, and the word items its values call for put, 25 a BatchWriteItem (``writer``).

Puts are idempotent, so running it again, or on a tenant that already has them, writes
the same items. A record renamed while it runs may keep its old words as well as its new
ones: team search checks every answer against its record, so such an item is never an
answer (it goes when the record is next renamed or deleted)."""

from __future__ import annotations

from cscore.catalog.shapes import Shape
from cscore.objects.bulk.calls import Calls
from cscore.objects.bulk.writer import Writer
from cscore.platform import records

PAGE = 1_000  # records a Query page of the index reads


def backfill(tenant_id: str, shape: Shape) -> int:
    """Put the word items of every record of the object; returns how many were written."""
    if not shape.word_fields:
        return 0
    writer = Writer(tenant_id, shape.name, Calls(), reread=lambda _: {})
    for page in records.index_pages(tenant_id, shape.name, "GSI1", lambda: PAGE):
        for record in page:
            for item in shape.word_changes(tenant_id, None, record)[1]:
                writer.buffer(item, {"PutRequest": {"Item": item}}, record=False)
        writer.flush(complete=False)
    writer.flush()
    return writer.items_written
