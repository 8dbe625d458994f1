"""What an import looks like to a client: the job's status and counts, and the rows it refused."""

from __future__ import annotations

from enum import StrEnum

from gridline.http.bounds import Instant
from pydantic import BaseModel, Field

from registry.imports.reading import Format


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportRead(BaseModel):
    id: str
    status: ImportStatus
    community_code: str
    file_name: str
    format: Format
    total_rows: int | None = Field(
        description="data rows in the file: exact for CSV and once done; for XLSX the size the sheet declares"
    )
    processed: int = Field(description="data rows handled so far (imported + duplicates + errors_count)")
    imported: int
    duplicates: int = Field(description="rows whose document was already registered (or repeated in the file)")
    errors_count: int = Field(description="rows refused; each has one or more entries under /errors")
    created_at: Instant
    finished_at: Instant | None = None


class ImportErrorRead(BaseModel):
    row: int = Field(description="1-based spreadsheet row number, the header row included")
    field: str = Field(description="the column's field name, e.g. document_number")
    column: str | None = Field(description="the column's header as written in the file")
    message: str


class UploadFingerprint(BaseModel):
    """What makes two uploads the same request, for Idempotency-Key replays."""

    community_code: str
    format: Format
    sha256: str
