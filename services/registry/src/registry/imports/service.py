"""Bulk import of persons from the spreadsheets community workers keep (CSV and XLSX).

An upload is checked (readable, a complete header), kept sealed, and queued as a stored job; the job does
the work (`imports.job`). The import document is the resource (who, where, which file); the job document
holds its status and progress, so there is one source for each.
"""

from __future__ import annotations

import asyncio
from typing import IO, Any

from gridline import jobs
from gridline.auth import Principal, scope_keys
from gridline.clock import Clock
from gridline.errors import Conflict, Invalid, NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import check_replay, insert_once, stamp
from gridline.jobs import JobKind
from gridline.mongo import Database, Index
from gridline.pii import Protector

from registry.divisions import community_kind
from registry.imports import batches, job, reading, uploads
from registry.imports.columns import HeaderError
from registry.imports.models import ImportErrorRead, ImportRead, ImportStatus, UploadFingerprint

COLLECTION = "imports"
# The whole multipart request: the largest accepted file plus room for the form around it.
UPLOAD_LIMIT = uploads.MAX_BYTES + 64 * 1024
INDEXES: list[Index] = [
    Index(COLLECTION, (("scope", 1), ("_id", 1))),
    *uploads.INDEXES,
    *batches.INDEXES,
]
JOBS: list[JobKind] = [job.JOB]
_STATUS = {
    "pending": ImportStatus.QUEUED,
    "running": ImportStatus.RUNNING,
    "done": ImportStatus.DONE,
    "failed": ImportStatus.FAILED,
}


async def start(
    *,
    db: Database,
    clock: Clock,
    protector: Protector,
    principal: Principal,
    community_code: str,
    file_name: str,
    file: IO[bytes],
    import_id: str,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """Check the upload, keep it sealed and queue its import; a retry with the same key gets the first one."""
    _check_community(principal, community_code)
    fmt, inspection = await asyncio.to_thread(_inspect, file_name, file)
    request = UploadFingerprint(
        community_code=community_code, format=fmt, sha256=await asyncio.to_thread(uploads.sha256, file)
    )
    existing = await db[COLLECTION].find_one({"_id": import_id})
    if existing is None:
        document = _document(import_id, principal, request, file_name, inspection, clock)
        existing = await _keep(db, protector, stamp(document, key=idempotency_key, body=request), file, request)
    elif idempotency_key:
        check_replay(existing, request)
    # Scheduling again is a no-op; it completes an earlier attempt that stopped before this point.
    await jobs.schedule(
        db, job_id=existing["_id"], kind=job.KIND, due_at=clock.now(), payload=existing["job"], clock=clock
    )
    return existing


async def _keep(
    db: Database, protector: Protector, document: dict[str, Any], file: IO[bytes], request: UploadFingerprint
) -> dict[str, Any]:
    """Store the sealed file, then the import; the loser of a race on one key with another file cleans up."""
    upload_id = document["job"]["upload_id"]
    await uploads.store(db=db, protector=protector, upload_id=upload_id, file=file)
    try:
        return await insert_once(db[COLLECTION], document, body=request)
    except Conflict:
        await uploads.delete(db=db, upload_id=upload_id)
        raise


def _check_community(principal: Principal, community_code: str) -> None:
    try:
        community_kind(community_code)
    except ValueError as exc:
        raise Invalid("community_code", str(exc)) from exc
    if not principal.covers_division(community_code):
        raise NotFound("community")


def _inspect(file_name: str, file: IO[bytes]) -> tuple[reading.Format, reading.Inspection]:
    """Format and header, checked in a worker thread (openpyxl parses; the event loop must not wait)."""
    file.seek(0)
    head = file.read(8)
    try:
        fmt = reading.detect_format(file_name, head)
        return fmt, reading.inspect(file, fmt)
    except reading.UnreadableFile as exc:
        raise Invalid("file", str(exc)) from exc
    except HeaderError as exc:
        problem = Invalid("file", "；".join(exc.problems))
        problem.extensions["errors"] = [{"path": "file", "message": p} for p in exc.problems]
        raise problem from exc


def _document(
    import_id: str,
    principal: Principal,
    request: UploadFingerprint,
    file_name: str,
    inspection: reading.Inspection,
    clock: Clock,
) -> dict[str, Any]:
    columns = inspection.columns
    return {
        "_id": import_id,
        "community_code": request.community_code,
        "scope": scope_keys(request.community_code),
        "file_name": file_name,
        "format": request.format.value,
        "total_rows": inspection.total_rows,
        "created_by": principal.subject,
        "created_at": clock.now(),
        "job": {
            "community_code": request.community_code,
            "actor": principal.subject,
            "format": request.format.value,
            "upload_id": uploads.upload_id(import_id, request.sha256),
            "columns": {"header_row": columns.header_row, "index": columns.index, "written": columns.written},
        },
    }


async def get(*, db: Database, principal: Principal, import_id: str) -> dict[str, Any]:
    found = await db[COLLECTION].find_one({"_id": import_id, **principal.scope_filter()})
    if found is None:
        raise NotFound("import")
    return found


async def read(*, db: Database, document: dict[str, Any]) -> ImportRead:
    """The import as a client sees it: its job's status and progress."""
    state = await db[jobs.COLLECTION].find_one({"_id": document["_id"]}, {"status": 1, "progress": 1, "finished_at": 1})
    return to_read(document, state or {})


async def list_errors(*, db: Database, principal: Principal, import_id: str, page: PageParams) -> Page[ImportErrorRead]:
    await get(db=db, principal=principal, import_id=import_id)
    return await paginate(db[batches.ERRORS], {"import_id": import_id}, page, _error_read)


def to_read(document: dict[str, Any], state: dict[str, Any]) -> ImportRead:
    progress = job.Progress.of(state.get("progress") or {})
    status = _STATUS.get(state.get("status", "pending"), ImportStatus.QUEUED)
    return ImportRead(
        id=document["_id"],
        status=status,
        community_code=document["community_code"],
        file_name=document["file_name"],
        format=document["format"],
        total_rows=progress.processed if status is ImportStatus.DONE else document.get("total_rows"),
        processed=progress.processed,
        imported=progress.imported,
        duplicates=progress.duplicates,
        errors_count=progress.errors_count,
        created_at=document["created_at"],
        finished_at=state.get("finished_at"),
    )


def _error_read(doc: dict[str, Any]) -> ImportErrorRead:
    return ImportErrorRead(row=doc["row"], field=doc["field"], column=doc.get("column"), message=doc["message"])
