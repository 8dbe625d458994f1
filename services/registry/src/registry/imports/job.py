"""The stored job that imports an uploaded sheet, batch by batch, resuming after a crash where it left off.

Each batch is inserted, then its progress is checkpointed. A crash between the two makes the resumed job
insert that batch again; the derived person ids and error ids turn the repeat into a no-op, and the
provenance on each person keeps the counts right. The sealed upload is deleted when the job ends, whether
it finished or failed for good, so no copy of the sheet outlives its purpose.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from typing import Any

from gridline.jobs import JobContext, JobKind, LeaseLost
from gridline.mongo import Database
from gridline.pii import Protector

from registry.grids import service as grids
from registry.imports import batches, uploads
from registry.imports.columns import ColumnMap
from registry.imports.reading import Format, Row, open_rows
from registry.imports.values import GridIndex
from registry.rules import snapshot

KIND = "registry.import-persons"
BATCH_ROWS = 1000  # rows per insert and per checkpoint: bounded memory, at most this much redone after a crash
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Progress:
    next_row: int = 1  # spreadsheet row to resume from
    processed: int = 0
    imported: int = 0
    duplicates: int = 0
    errors_count: int = 0  # rows refused, each with one or more field errors
    finished: bool = False

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Progress:
        return cls(**{k: v for k, v in stored.items() if k in cls.__dataclass_fields__})

    def after(self, last_row: int, built: batches.Built, inserted: batches.Inserted) -> Progress:
        return Progress(
            next_row=last_row + 1,
            processed=self.processed + built.processed,
            imported=self.imported + inserted.imported,
            duplicates=self.duplicates + inserted.duplicates,
            errors_count=self.errors_count + built.bad_rows,
        )


async def run(ctx: JobContext) -> None:
    """The job handler: import what is left, then drop the upload."""
    upload_id = ctx.payload["upload_id"]
    try:
        if not Progress.of(ctx.progress).finished:
            await _import(ctx)
    except LeaseLost:
        raise
    except Exception:
        if ctx.job.get("attempts", 0) >= MAX_ATTEMPTS:  # the runner is about to give up for good
            await uploads.delete(db=ctx.db, upload_id=upload_id)
        raise
    await uploads.delete(db=ctx.db, upload_id=upload_id)


async def checkpoint(ctx: JobContext, progress: Progress) -> None:
    """Record how far the import got (and renew the job's lease)."""
    await ctx.checkpoint(asdict(progress))


async def _import(ctx: JobContext) -> None:
    protector: Protector = ctx.settings.protector()
    sheet = await _sheet(ctx, protector)
    file = await uploads.load(db=ctx.db, protector=protector, upload_id=ctx.payload["upload_id"])
    with file, open_rows(file, Format(ctx.payload["format"])) as rows:
        progress = await _write_batches(ctx, sheet, rows)
    await checkpoint(ctx, replace(progress, finished=True))


async def _write_batches(ctx: JobContext, sheet: batches.Sheet, rows: Iterator[Row]) -> Progress:
    """Write each batch while the next one is read and prepared in a thread, so CPU and database overlap."""
    progress = Progress.of(ctx.progress)
    # Only the first batch of a run that follows another claim can repeat rows a crashed run stored.
    may_repeat = ctx.job.get("attempts", 1) > 1
    upcoming = asyncio.ensure_future(_prepare(ctx, sheet, rows, progress.next_row))
    try:
        while (ready := await upcoming) is not None:
            last_row, built = ready
            upcoming = asyncio.ensure_future(_prepare(ctx, sheet, rows, last_row + 1))
            inserted = await batches.insert(db=ctx.db, built=built, import_id=sheet.import_id, may_repeat=may_repeat)
            progress, may_repeat = progress.after(last_row, built, inserted), False
            await checkpoint(ctx, progress)
    finally:
        with contextlib.suppress(Exception):
            await upcoming  # never close the file under a thread still reading it
    return progress


async def _prepare(
    ctx: JobContext, sheet: batches.Sheet, rows: Iterator[Row], start: int
) -> tuple[int, batches.Built] | None:
    """The next batch, parsed and prepared (None at the end of the sheet)."""
    batch = await asyncio.to_thread(_take, rows, start)
    if not batch:
        return None
    # Loaded per batch: a long import picks up a rule or risk area that changes while it runs.
    loaded = await snapshot.load(db=ctx.db, clock=ctx.clock)
    return batch[-1][0], await asyncio.to_thread(batches.build, batch, sheet=sheet, snapshot=loaded)


def _take(rows: Iterator[Row], start: int) -> list[Row]:
    """The next batch of rows at or after `start` (rows before it were imported before a crash)."""
    return list(itertools.islice((r for r in rows if r[0] >= start), BATCH_ROWS))


async def _sheet(ctx: JobContext, protector: Protector) -> batches.Sheet:
    payload = ctx.payload
    return batches.Sheet(
        import_id=ctx.job["_id"],
        community_code=payload["community_code"],
        actor=payload["actor"],
        columns=ColumnMap(**payload["columns"]),
        grids=await community_grids(db=ctx.db, community_code=payload["community_code"]),
        protector=protector,
        clock=ctx.clock,
    )


async def community_grids(*, db: Database, community_code: str) -> GridIndex:
    """The community's grids, loaded once per run so rows name them without a query each."""
    cursor = db[grids.COLLECTION].find({"community_code": community_code}, {"name": 1})
    return GridIndex.of([(g["_id"], g["name"]) async for g in cursor])


JOB = JobKind(KIND, run, max_attempts=MAX_ATTEMPTS, backoff=timedelta(seconds=5))
