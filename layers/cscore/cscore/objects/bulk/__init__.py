"""Bulk writes of one object's records (Salesforce sync, bulk loads): many records a
call, the same items as the API paths write (``catalog.shapes``, docs/data-model.md).

A ``BulkStore`` (``store``) serves one page (or one run) of a job for one object of one
tenant, as a reader (``reader``), a change planner (``planner``) and a writer
(``writer``) over one view of the items, their DynamoDB calls counted (``calls``):

- reads are strongly consistent BatchGetItem, 100 keys a call, of unique items, index
  items and records, each key read at most once per store (``find``, ``by_key``,
  ``records``);
- ``upsert`` and ``delete`` change records and buffer the writes: the record item, its
  unique items (put the new value, delete the old one if it still names the record),
  its index items (the GSIDs added and removed, applied when written to whatever the
  item then holds, ``writer``) and the counter's net change;
- ``flush`` sends them, 25 items a call, each key once: records and unique items with
  BatchWriteItem (the last write of a key wins: BatchWriteItem refuses a key twice),
  index items as conditional updates in TransactWriteItems; and right after them the
  counter's change of the records they wrote, with one UpdateItem ``ADD``;
  ``flush(complete=False)`` sends only full calls and keeps the rest.
  The calls of one phase (below) go up to ``parallel.CONCURRENT_CALLS`` at a time, as do
  the reads of more than 100 keys; phases go one after the other, and the flushes of a
  store in the order they were made.

Record keys. Every record key is built by ``Shape.record_key`` from the record's ref
(``Shape.record_ref``): its GSID, or, for an object with a ``record_key_field``
(CompanyTeam: CompanyUser = "<CompanyId>#<UserId>"), that value. Such an object has one
record per value and no uniqueness item for it: ``find`` on that field reads the record
items themselves, ``by_key`` returns the records by ref, an insert is a put at the key
(a record already there is updated instead, keeping its GSID), and the key never
changes on an update (a move is a delete and an insert). Its unique and index items
carry the refs of the records they name (``ref``, ``refs``), so ``records(gsids)``
finds every record the store has seen: read, named by an item it read, or written.
A CompanyTeam record without SfdcAccountTeamMemberId and managers is one item.

The store keeps its own view of every item it read or wrote, so an index or unique
item touched by several records of a store, or a record changed twice, stays right.
An update that sets every field to the value it already has is skipped: unchanged
records cost no write. After an exception a store's view may be ahead of the table:
discard it and start a new one.

Why no transactions here. One run of a job writes a tenant's records at a time (the
connector allows one run per job, and the jobs of a chain run one after the other),
and every write is a whole item computed from what was read, so writing it again, or
re-running a page, converges to the same state. A transaction would cost twice the
write capacity of the same items, is limited to 100 actions, and the local stand-in
for DynamoDB copies the whole table for each transaction. Without them, a flush is not
atomic; its writes go in an order that keeps an interrupted flush harmless: record
deletions first, then unique and index items, then record puts (a phase starts when
the one before has been written). So an index never misses a record that exists (a
re-run finds and repairs it) — at worst it names a record that does not exist any
more, which readers check against the record anyway.

The counter (``keys.counter``, what includeTotal answers) goes out in the flush that
writes the records it counts, right after their calls and on the same thread (the
write-behind one too): every flush, complete or not, adds exactly the inserts and
deletions it sent, and a call that fails has what it wrote counted before its error is
raised. So a crash between two flushes cannot skew it: the records a later retry finds
already written are updates, and they were counted when written. What is left is the
moment between a flush's last record call and its UpdateItem: a process killed right
there (not an error: that is counted) leaves the counter short by that one flush's
records. Closing it would take a transaction per call (twice the write capacity).

Index items are shared with the API paths (a company's Name item may gain an entry
from the Company API at any moment), so they are never put whole: a flush updates each
under the condition that it still holds the list the store read, and on a cancelled
call reads the items again and applies its own change to them (``writer``). An API
write between a store's read and its flush is kept. Unique items are still put whole:
an API write of the same unique value in that window is overwritten (two records then
claim it); keep stores short-lived (one page) to keep that window small.

A sync run gives the records it inserts GSIDs derived from the run, the step and the
record's key (``ids.derived_gsid``, ``sync.writers``): a page done again after an
invocation died part-way through its flush finds what was written, under the same
GSIDs, and inserts nothing twice. Its stores leave inserts off the counter
(``count_inserts=False``); the run adds them with the checkpoint that moves past them.
"""

from cscore.objects.bulk.calls import BatchFailed
from cscore.objects.bulk.planner import Change
from cscore.objects.bulk.store import BulkStore

__all__ = ["BatchFailed", "BulkStore", "Change"]
