"""One batch of rows → persons made exactly as `registerPerson` makes them, inserted together.

Person ids derive from the community and the document's keyed hash, so importing a row twice (a re-upload,
a job resumed after a crash) collides with the first insert instead of creating a second person. A resumed
job tells its own earlier insert (same import, same row: counted as imported) from a real duplicate.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gridline.clock import Clock, FixedClock, local_today
from gridline.errors import Invalid
from gridline.mongo import DUPLICATE_KEY, BulkWriteError, Database, Index, insert_new, read
from gridline.pii import Protector

from registry.imports import values
from registry.imports.columns import ColumnMap, has_data, label, pick
from registry.imports.reading import Row
from registry.persons import registration
from registry.persons.models import PersonCreate
from registry.rules.snapshot import Snapshot

PERSONS = registration.COLLECTION
ERRORS = "import_errors"
INDEXES = [Index(ERRORS, (("import_id", 1), ("_id", 1)))]
PROVENANCE = "_import"  # on each imported person: which import and row made it
_PERSON_IDS = uuid.UUID("6f1d3c52-5b0e-4d8e-9a57-1c2f9b7e4a10")
# prepare()'s field paths → the import's column fields
_PATHS = {
    "document.number": "document_number",
    "grid_id": "grid",
    "guardian": "guardian_name",
    "guardian.phone": "guardian_phone",
}
# what a worker adds to the sheet to fix it, where registration's message names no column
_HINTS = {"guardian": f"，请填写{label('guardian_name')}、{label('guardian_phone')}、{label('guardian_relation')}"}


class WriteFailed(Exception):
    """A write error other than a duplicate: the job retries the batch (the codes say why, no document)."""


@dataclass(frozen=True)
class Sheet:
    """What every row of one import shares."""

    import_id: str
    community_code: str
    actor: str
    columns: ColumnMap
    grids: values.GridIndex
    protector: Protector
    clock: Clock


@dataclass
class Built:
    people: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    bad_rows: int = 0
    processed: int = 0


@dataclass(frozen=True)
class Inserted:
    imported: int
    duplicates: int


def person_id(community_code: str, document_hash: str) -> str:
    return str(uuid.uuid5(_PERSON_IDS, f"{community_code}|{document_hash}"))


def build(rows: Sequence[Row], *, sheet: Sheet, snapshot: Snapshot) -> Built:
    """Parse, validate and prepare each non-blank row (CPU only: runs off the event loop).

    The batch's people are registered at one instant, read once: they are stored by one insert, and
    asking the clock again for each of their timestamps was a tenth of the work of preparing them.
    """
    built = Built()
    clock = FixedClock(sheet.clock.now())
    today = local_today(clock)
    for number, cells in rows:
        if number <= sheet.columns.header_row or not has_data(cells, sheet.columns):
            continue
        built.processed += 1
        fields = pick(cells, sheet.columns)
        parsed = values.parse_row(fields, community_code=sheet.community_code, grids=sheet.grids, today=today)
        person = _prepared(parsed, sheet, snapshot, clock) if isinstance(parsed, PersonCreate) else parsed
        if isinstance(person, dict):
            person[PROVENANCE] = {"id": sheet.import_id, "row": number}
            built.people.append(person)
        else:
            built.bad_rows += 1
            built.errors += [_error(sheet, number, e) for e in person]
    return built


def _prepared(
    body: PersonCreate, sheet: Sheet, snapshot: Snapshot, clock: Clock
) -> dict[str, Any] | list[values.FieldError]:
    digest = registration.document_hash(sheet.protector, body.document.type.value, body.document.number)
    try:
        return registration.prepare(
            body=body,
            person_id=person_id(sheet.community_code, digest),
            actor=sheet.actor,
            protector=sheet.protector,
            clock=clock,
            snapshot=snapshot,
        )
    except Invalid as exc:  # a rule of registration the sheet's own checks do not repeat
        return [_field_error(e["path"], e["message"]) for e in exc.extensions["errors"]]


def _field_error(path: str, message: str) -> values.FieldError:
    return values.FieldError(_PATHS.get(path, path), message + _HINTS.get(path, ""))


def _error(sheet: Sheet, row: int, error: values.FieldError) -> dict[str, Any]:
    return {
        "_id": f"{sheet.import_id}:{row:07d}:{error.field}",
        "import_id": sheet.import_id,
        "row": row,
        "field": error.field,
        "column": sheet.columns.written.get(error.field),
        "message": error.message,
    }


async def insert(*, db: Database, built: Built, import_id: str, may_repeat: bool) -> Inserted:
    """Insert the batch's persons and errors; a second run of the same batch changes nothing.

    `may_repeat`: this batch may have been inserted by a run that crashed before its checkpoint (the first
    batch of a resumed run); only then are clashes looked up, so a plain re-upload costs no extra query.
    """
    await _insert_all(db[ERRORS], built.errors)
    clashed = await _insert_all(db[PERSONS], built.people)
    ours = await _inserted_before(db, [built.people[i] for i in clashed], import_id) if may_repeat else 0
    duplicates = len(clashed) - ours
    return Inserted(imported=len(built.people) - duplicates, duplicates=duplicates)


async def _insert_all(collection: Any, documents: list[dict[str, Any]]) -> list[int]:
    """`insert_many(ordered=False)`; returns the positions refused as duplicates, raises on anything else."""
    try:
        return await insert_new(collection, documents)
    except BulkWriteError as exc:
        failures = exc.details.get("writeErrors", [])
        others = sorted({f.get("code") for f in failures if f.get("code") != DUPLICATE_KEY}, key=str)
        raise WriteFailed(f"insert into {collection.name} failed with codes {others}") from None


async def _inserted_before(db: Database, clashed: list[dict[str, Any]], import_id: str) -> int:
    """How many clashes are this very row, inserted by this import before a crash (so: imported)."""
    ids = [person["_id"] for person in clashed]
    found = {d["_id"]: d for d in await read(db[PERSONS].find({"_id": {"$in": ids}}, {PROVENANCE: 1}), None)}
    return sum(found.get(p["_id"], {}).get(PROVENANCE) == p[PROVENANCE] for p in clashed)
