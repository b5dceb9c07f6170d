"""The import worker: reads a file from S3 as a stream and applies it chunk by chunk,
checkpointing so that a file larger than one invocation can handle continues in the
next.

An invocation (S3 event of a file under ``imports/``, or a queue message: the start of a
pre-signed upload, or a continuation) takes the import's lease — S3 and SQS deliver at
least once, and only one invocation may work on a file. The first reads the whole file
once (structure, header, row count: ``imports.check_file``) and fails the import with
nothing written if it is not a CSV file the job can load. Then chunks of ``CHUNK_ROWS``
rows go through the ``Loader``; every ``CHECKPOINT_ROWS`` rows, and when the
invocation's time runs short, the writes are flushed, the rejected rows of the segment
written as one part of the errors file, and the checkpoint saved: byte offset and row
number after the last row applied, the counts, the number of error parts. Time short:
the lease is released and a continuation queued, which resumes at the offset with a
ranged GET. So an import interrupted at a checkpoint continues with no row lost or
applied twice. Imports of one tenant are applied one at a time, each file whole (a slot
item names the one being applied; the others wait and look again), so two files uploaded
together never interleave their rows. An invocation that dies between checkpoints (a
crash, not a timeout) leaves its lease to expire (a retry that finds the lease held
queues a look for when it has run out); the rows after the last checkpoint are applied
again — upserts and deletes of the same values, so the records end the same, though
those rows' outcomes are counted again (e.g. an insert as unchanged). The object's
counter (includeTotal) is not skewed by it: every flush of the store, partial ones too,
counts the records it wrote (``objects.bulk``). Every read of the file names the ETag it
started with: a file replaced during the import fails it.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from cscore.bulkload import csvfile, imports, repository, storage
from cscore.bulkload.csvfile import Row
from cscore.bulkload.definitions import OUTCOMES
from cscore.bulkload.imports import COMPLETED, FAILED, FINAL, IN_PROGRESS, INIT
from cscore.bulkload.loader import Loader
from cscore.errors import ApiError
from cscore.platform import clock
from cscore.platform.leases import save_leased, take_lease
from cscore.tenants.service import get_tenant

CHUNK_ROWS = 1_000
CHECKPOINT_ROWS = 25_000
STOP_MARGIN_MS = 60_000  # leave this much of the invocation for the last chunk and checkpoint
LEASE_SECONDS = 960  # longer than the worker's timeout (900 s)
SLOT_WAIT_SECONDS = 30  # an import waiting for another of its tenant looks again this often

RemainingMs = Callable[[], int]


def on_s3_object(bucket: str, key: str, remaining_ms: RemainingMs) -> str:
    """An object was created under ``imports/<tenant>/<statusId>.csv``."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] != "imports" or not parts[2].endswith(".csv"):
        return "ignored"
    return process(parts[1], parts[2][: -len(".csv")], remaining_ms)


def on_message(message: dict[str, Any], remaining_ms: RemainingMs) -> str:
    """A queue message ``{tenantId, statusId}``: start or continue an import."""
    return process(str(message["tenantId"]), str(message["statusId"]), remaining_ms)


def _batched(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


class _Import:
    """One invocation's work on one import, holding its lease."""

    def __init__(self, tenant_id: str, status: dict[str, Any], token: str) -> None:
        self.tenant_id = tenant_id
        self.status = status
        self.status_id = str(status["statusId"])
        self.token = token
        self.counts: dict[str, int] = {name: int((status.get("counts") or {}).get(name, 0)) for name in OUTCOMES}
        self.error_parts = int(status.get("errorParts") or 0)
        self.errors: list[list[str]] = []

    def save(self, fields: dict[str, Any], release: bool = False) -> None:
        if not save_leased(repository.import_key(self.tenant_id, self.status_id), self.token, fields, release):
            raise LeaseLost(self.status_id)
        self.status |= fields

    def finish(self, outcome: str, reason: str | None) -> str:
        header = list(self.status.get("header") or [])
        if outcome == COMPLETED:
            storage.join_error_parts(self.tenant_id, self.status_id, self.error_parts, [*header, "reason"])
        self.save({"status": outcome, "reason": reason, "completedDate": clock.iso()}, release=True)
        repository.release_slot(self.tenant_id, self.status_id)
        return "done"

    def add(self, header: list[str], counts: dict[str, int], rejected: list[tuple[Row, str]]) -> None:
        for name, value in counts.items():
            self.counts[name] += value
        width = len(header)
        for row, reason in rejected:
            cells = (row.cells + [""] * width)[:width]
            self.errors.append([*cells, reason])

    def checkpoint(self, loader: Loader, position: dict[str, int]) -> None:
        """Writes first, then the error rows, then the checkpoint that counts them."""
        loader.flush()
        if self.errors:
            storage.put_error_part(self.tenant_id, self.status_id, self.error_parts, self.errors)
            self.error_parts += 1
            self.errors = []
        loader.new_segment()
        reads = dict(Counter(self.status.get("reads") or {}) + loader.reads)
        loader.reads.clear()
        fields = {"counts": dict(self.counts), "checkpoint": position, "errorParts": self.error_parts, "reads": reads}
        fields["reason"] = None  # no longer waiting for another import, if it was
        self.save(fields)


class LeaseLost(Exception):
    """Another invocation took over the import (this one's lease expired)."""


def process(tenant_id: str, status_id: str, remaining_ms: RemainingMs) -> str:
    """Work on an import until it ends or this invocation's time runs short. Returns
    ``done``, ``continued``, ``skipped`` (ended already), ``deferred`` (held by another
    invocation: looked at again when its lease runs out) or ``waiting`` (another import
    of the tenant is being applied: looked at again in SLOT_WAIT_SECONDS)."""
    status = repository.get_import(tenant_id, status_id)
    if status is None or status["status"] in FINAL:
        return "skipped"
    token = secrets.token_hex(16)
    now = clock.now()
    if not take_lease(repository.import_key(tenant_id, status_id), token, now, now + LEASE_SECONDS):
        # Another invocation holds it — or held it and died (Lambda retries an S3 event
        # within minutes, before the lease runs out): look again once the lease has run
        # out, so a crashed import is always resumed.
        wait = int(float(status.get("leaseUntil") or now) - now) + 1
        imports.enqueue(tenant_id, status_id, delay_seconds=wait)
        return "deferred"
    work = _Import(tenant_id, status, token)
    if not repository.take_slot(tenant_id, status_id, now, now + LEASE_SECONDS):
        holder = repository.slot_holder(tenant_id)
        waiting_for = f"import {holder}" if holder else "another import"
        work.save({"reason": f"Waiting for {waiting_for} of this tenant to end"}, release=True)
        imports.enqueue(tenant_id, status_id, delay_seconds=SLOT_WAIT_SECONDS)
        return "waiting"
    job = repository.get_job(tenant_id, str(status["jobId"]))
    if job is None:
        return work.finish(FAILED, "The bulk job of this import no longer exists")
    key = str(status["objectKey"])
    try:
        if status["status"] == INIT:
            found = storage.head(key)
            if found is None:
                return work.finish(FAILED, "The uploaded file is gone (uploads expire after 7 days)")
            etag = found[1]
            try:
                shape = imports.check_file(job, storage.chunks(key, etag=etag))
            except ApiError as exc:
                return work.finish(FAILED, exc.desc)
            position = {"offset": shape.header_end, "row": 1, "line": shape.next_line}
            work.save(
                {
                    "status": IN_PROGRESS,
                    "reason": None,
                    "total": shape.rows,
                    "header": shape.header,
                    "etag": etag,
                    "startedDate": clock.iso(),
                    "checkpoint": position,
                }
            )
        return _apply(work, job, key, remaining_ms)
    except storage.FileChanged:
        return work.finish(FAILED, "The file was replaced while it was being imported: upload it again")
    except csvfile.NotCsv as exc:  # checked whole before; only a changed file gets here
        return work.finish(FAILED, f"The file is not CSV: {exc}")
    except LeaseLost:
        return "skipped"


def _apply(work: _Import, job: dict[str, Any], key: str, remaining_ms: RemainingMs) -> str:
    status = work.status
    header = list(status["header"])
    position = dict(status["checkpoint"])
    loader = Loader(work.tenant_id, str(status["createdBy"]), job, header, get_tenant(work.tenant_id))
    rows = csvfile.rows(
        storage.chunks(key, position["offset"], etag=status.get("etag")),
        start=position["offset"],
        first_row=position["row"],
        first_line=position["line"],
    )
    since_checkpoint = 0
    for chunk in _batched(rows, CHUNK_ROWS):
        result = loader.apply(chunk)
        work.add(header, result.counts, result.rejected)
        last = chunk[-1]
        position = {"offset": last.end, "row": last.number + 1, "line": last.next_line}
        since_checkpoint += len(chunk)
        time_short = remaining_ms() < STOP_MARGIN_MS
        if since_checkpoint >= CHECKPOINT_ROWS or time_short:
            work.checkpoint(loader, position)
            since_checkpoint = 0
            if time_short:
                loader.close()
                work.save({}, release=True)
                imports.enqueue(work.tenant_id, work.status_id)
                return "continued"
    work.checkpoint(loader, position)
    loader.close()
    return work.finish(COMPLETED, None)
