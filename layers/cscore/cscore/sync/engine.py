"""One run of one job, in steps the caller can stop between (SPEC §3.3).

Phases, each resumable from the checkpoint:

1. ``retry``     rows kept from earlier runs for a missing reference, read again by Id
                 (gone at the source: dropped; resolved: written and dropped);
2. ``upsert``    rows changed since the watermark minus a lookback (every row on the
                 first run), in ``SystemModstamp, Id`` order, one page (≤ 2,000) a step;
                 the checkpoint is the last row done, so a resumed run re-queries from it;
3. ``deletes``   ``queryAll ... IsDeleted = true`` (Account, Contact), ``getDeleted``
                 (AccountTeamMember); Users are never deleted (IsActive maps instead);
4. ``reconcile`` only when deletes may have been missed (last success older than 14
                 days, or Salesforce's ``earliestDateAvailable`` after the watermark): the
                 full set of source ids (unfiltered) against the platform's;
5. ``references`` same-object references (ParentId, ManagerId) whose target arrived
                 later in the run.

Every write is an idempotent upsert keyed by the source identity, so a step repeated
after an interruption changes nothing twice. Deletes and reconcile remove only records
the job owns (``sync.ownership``). The job's filter is parsed when the engine starts
(``salesforce.soql_filter``; a filter that does not parse fails the run) and sent re-emitted
from its parse tree.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from cscore.connector import repository
from cscore.platform import config, records
from cscore.platform.records import all_of
from cscore.salesforce import soql_filter
from cscore.salesforce.client import SalesforceClient
from cscore.salesforce.errors import SalesforceApiError
from cscore.sync import ownership, soql
from cscore.sync.counts import COUNTS
from cscore.sync.writers import SOURCE_ID_FIELD, Deferred, Outcome, PageWriter

LOOKBACK = timedelta(minutes=5)
RECONCILE_AFTER = timedelta(days=14)
DELETED_WINDOW = timedelta(days=15)
RETRY_CHUNK = 200  # ids per "Id IN (...)" query
PHASES = ("retry", "upsert", "deletes", "reconcile", "references", "done")
SOFT_DELETED = ("Account", "Contact")  # deletes reach queryAll
HARD_DELETED = ("AccountTeamMember",)  # deletes reach only getDeleted


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(soql.literal_datetime(iso).replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Engine:
    def __init__(
        self,
        tenant_id: str,
        job: dict[str, Any],
        connection: dict[str, Any],
        client: SalesforceClient,
        checkpoint: dict[str, Any] | None,
        counts: dict[str, int] | None,
        started_at: str,
        run_id: str = "",
    ) -> None:
        self.tenant_id = tenant_id
        self.run_id = run_id
        self.job = job
        self.client = client
        self.connection = connection
        self.started_at = started_at
        self.counts = {name: int((counts or {}).get(name, 0)) for name in COUNTS}
        self.inserted: Counter[str] = Counter()  # records inserted since the last checkpoint, by object
        self.next_watermark = started_at  # the watermark never passes the run's start
        self._errors: list[dict[str, Any]] = []
        self.calls: Counter[str] = Counter()  # DynamoDB calls of the writers, by operation
        self._pages: Any = None
        self._sources: dict[str, str] | None = None  # jobId -> source object, for ownership
        self.condition = soql_filter.parse(job["filter"]) if job.get("filter") else None  # FilterError
        self.checkpoint = checkpoint or self._first_checkpoint()
        self.writer = self._new_writer()

    def _first_checkpoint(self) -> dict[str, Any]:
        watermark = self.job.get("watermark")
        since = _iso(_parse(watermark) - LOOKBACK) if watermark else None
        last_success = self.job.get("lastSuccessAt")
        stale = bool(last_success) and _parse(self.started_at) - _parse(str(last_success)) > RECONCILE_AFTER
        return {
            "phase": "retry",
            "since": since,
            "cursor": None,
            "reconcile": stale and bool(since),
            "deferredPages": 0,  # pages of same-object references left for the end (items of the run)
            "referencePage": 0,
        }

    def _new_writer(self) -> PageWriter:
        actor = self.connection.get("createdBy") or "SYNC"
        # Where the step starts: a step done again after an interruption starts from the
        # same checkpoint, so its inserts get the same GSIDs (``PageWriter``).
        step = json.dumps({k: self.checkpoint.get(k) for k in ("phase", "cursor", "referencePage")}, sort_keys=True)
        return PageWriter(self.tenant_id, self.job, self.connection, actor, (_parse(self.started_at), step))

    # ------------------------------------------------------------------ driving
    def step(self) -> bool:
        """Do the next unit of work (a page at most); True when the run is complete."""
        phase = self.checkpoint["phase"]
        if phase == "done":
            return True
        getattr(self, f"_{phase}")()
        self.writer.flush()
        self.calls.update(self.writer.calls())
        self.inserted.update(self.writer.inserted)
        # A fresh writer per step: what it cached is flushed, and memory stays one page's.
        self.writer = self._new_writer()
        return bool(self.checkpoint["phase"] == "done")

    def _next(self, phase: str) -> None:
        self.checkpoint["phase"] = PHASES[PHASES.index(phase) + 1]

    def take_inserted(self) -> Counter[str]:
        """Records inserted since the last checkpoint, by object: the checkpoint that
        records this progress adds them to the objects' counters (``runs``)."""
        inserted, self.inserted = self.inserted, Counter()
        return inserted

    def take_errors(self) -> list[dict[str, Any]]:
        errors, self._errors = self._errors, []
        return errors

    def summary(self) -> str | None:
        c = self.counts
        if not (c["rejected"] or c["errored"]):
            return None
        return f"{c['rejected']} rows rejected and {c['errored']} in error: see the errors CSV"

    @property
    def source(self) -> str:
        return str(self.job["sourceObject"])

    def _fields(self) -> list[str]:
        sources = [m["source"] for m in self.job["mappings"] if m.get("source")]
        return ["Id", *sources, "SystemModstamp"]

    def _filter(self) -> list[str]:
        return [soql_filter.emit(self.condition)] if self.condition else []

    # ------------------------------------------------------------------ outcomes
    def _record(self, outcomes: list[Outcome], retried: set[str] | None = None) -> None:
        """Count and keep the rows not written; rows kept for a missing reference are
        stored for the next runs, retried rows that got through are dropped."""
        keep = []
        for outcome in outcomes:
            self.counts["rejected" if outcome.outcome == "REJECTED" else "errored"] += 1
            self._errors.append(
                {
                    "sourceId": outcome.source_id,
                    "outcome": outcome.outcome,
                    "reason": outcome.reason,
                    "row": outcome.row,
                }
            )
            if outcome.retry:
                keep.append({"sourceId": outcome.source_id, "reason": outcome.reason})
        kept = {k["sourceId"] for k in keep}
        drop = sorted((retried or set()) - kept)
        if keep or drop:
            repository.write_pending(self.tenant_id, self.job["jobId"], keep, drop)

    def _write(self, rows: list[dict[str, Any]], retried: set[str] | None = None) -> None:
        self.counts["read"] += len(rows)
        result = self.writer.write(rows)
        self.counts["inserted"] += result.inserted
        self.counts["updated"] += result.updated
        if result.deferred:
            # Kept beside the run, not in its checkpoint: a large load may defer many.
            # A page processed again after an interruption rewrites the same part.
            page = int(self.checkpoint.get("deferredPages") or 0)
            refs = [asdict(d) for d in result.deferred]
            repository.put_run_part(self.tenant_id, self.run_id, f"DEFER#{page:06d}", {"refs": refs})
            self.checkpoint["deferredPages"] = page + 1
        self._record(result.outcomes, retried)

    # ------------------------------------------------------------------ phases
    def _retry(self) -> None:
        pending = [p["sourceId"] for p in repository.list_pending(self.tenant_id, self.job["jobId"])]
        for start in range(0, len(pending), RETRY_CHUNK):
            chunk = pending[start : start + RETRY_CHUNK]
            query = soql.select(self._fields(), self.source, [f"Id IN {soql.id_list(chunk)}"])
            rows = list(self.client.records(query))
            self._write(rows, retried=set(chunk))
        # Read moments ago: the upsert phase skips them rather than count them twice.
        self.checkpoint["retried"] = pending
        self._next("retry")

    def _upsert(self) -> None:
        if self._pages is None:
            conditions = self._filter()
            if self.checkpoint.get("since"):
                conditions.append(f"SystemModstamp >= {soql.literal_datetime(self.checkpoint['since'])}")
            cursor = self.checkpoint.get("cursor")
            if cursor:
                ts = soql.literal_datetime(cursor["ts"])
                conditions.append(
                    f"SystemModstamp > {ts} OR (SystemModstamp = {ts} AND Id > {soql.quoted(cursor['id'])})"
                )
            query = soql.select(self._fields(), self.source, conditions, "SystemModstamp ASC, Id ASC")
            self._pages = self.client.query(query, batch_size=config.sync_page_size())
        page = next(self._pages, None)
        if page is None:
            self._pages = None
            self._next("upsert")
            return
        rows = page.get("records") or []
        if rows:
            retried = set(self.checkpoint.get("retried") or ())
            self._write([r for r in rows if r["Id"] not in retried])
            last = rows[-1]
            self.checkpoint["cursor"] = {"ts": last["SystemModstamp"], "id": last["Id"]}
        if page.get("done", True):
            self._pages = None
            self._next("upsert")

    def _deletes(self) -> None:
        since = self.checkpoint.get("since")
        if since is None or not self._deletes_records():
            self._next("deletes")  # a first run has nothing to delete; users are deactivated
            return
        deleted: list[str] = []
        if self.source in SOFT_DELETED:
            conditions = ["IsDeleted = true", f"SystemModstamp >= {soql.literal_datetime(since)}"]
            query = soql.select(["Id"], self.source, conditions)
            deleted = [r["Id"] for r in self.client.records(query, include_deleted=True)]
            self._get_deleted(since)  # only to learn whether Salesforce still keeps every delete since then
        elif self.source in HARD_DELETED:
            deleted = self._get_deleted(since)
        self.counts["deleted"] += self.writer.delete_by_source_ids(deleted, self._deletable, self._related)
        if deleted:
            repository.write_pending(self.tenant_id, self.job["jobId"], [], deleted)
        self._next("deletes")

    def _get_deleted(self, since: str) -> list[str]:
        end = _parse(self.started_at) + timedelta(minutes=1)
        start = max(_parse(since), end - DELETED_WINDOW + timedelta(minutes=5))
        if start > _parse(since):
            self.checkpoint["reconcile"] = True  # part of the window is beyond what Salesforce keeps
        try:
            answer = self.client.deleted(self.source, _iso(start), _iso(end))
        except SalesforceApiError as exc:
            if exc.error_code != "INVALID_REPLICATION_DATE":
                raise
            self.checkpoint["reconcile"] = True
            return []
        earliest = answer.get("earliestDateAvailable")
        if earliest and _parse(earliest) > _parse(since):
            self.checkpoint["reconcile"] = True
        return [str(d["id"]) for d in answer.get("deletedRecords") or []]

    def _reconcile(self) -> None:
        field = SOURCE_ID_FIELD.get(self.job["targetObject"])
        if not self.checkpoint.get("reconcile") or not field or not self._deletes_records():
            self._next("reconcile")
            return
        # Unfiltered: a row outside the filter is not a deleted row.
        query = soql.select(["Id"], self.source, [])
        at_source = {r["Id"] for r in self.client.records(query)}
        ours = all_of(self.tenant_id, self.job["targetObject"])
        gone = [r[field] for r in ours if r.get(field) and r[field] not in at_source]
        self.counts["deleted"] += self.writer.delete_by_source_ids(gone, self._deletable, self._related)
        self._next("reconcile")

    def _references(self) -> None:
        """One page of deferred references a step; unresolved ones are kept for the next run."""
        page = int(self.checkpoint.get("referencePage") or 0)
        if page >= int(self.checkpoint.get("deferredPages") or 0):
            self._next("references")
            return
        part = repository.get_run_part(self.tenant_id, self.run_id, f"DEFER#{page:06d}") or {}
        deferred = [Deferred(**d) for d in part.get("refs") or []]
        unresolved: list[Deferred] = []
        self.writer.resolve_references(deferred, unresolved, final=True)
        reason = "{0.target}: no {0.obj} with {0.by} = {0.value}; retried next run"
        self._record([Outcome(d.source_id, "REJECTED", reason.format(d), {}, True) for d in unresolved])
        self.checkpoint["referencePage"] = page + 1

    def _deletes_records(self) -> bool:
        """Users are deactivated, never deleted (whatever the job's source); Persons have no
        source id to be deleted by."""
        target = self.job["targetObject"]
        return target in SOURCE_ID_FIELD and target != "User" and self.source != "User"

    def _deletable(self, record: dict[str, Any], owner: str | None) -> bool:
        if self._sources is None:
            self._sources = {j["jobId"]: j["sourceObject"] for j in repository.list_jobs(self.tenant_id)}
        return ownership.may_delete(self.job, record, owner, self._sources)

    def _related(self, which: str) -> list[dict[str, Any]]:
        """A company's Company Person or Company Team records (``<object>\\x00<company>``)
        that go with it: synced ones, never rows entered by hand."""
        obj, company = which.split("\x00", 1)
        related = records.related(self.tenant_id, obj, "Company", company, "GSI2")
        return [record for record in related if ownership.synced(record)]
