"""Townships and communities under the counties of the civil-affairs list; unknown codes are refused."""

from __future__ import annotations

import csv
import io
from typing import Any

from gridline.clock import Clock
from gridline.errors import Conflict, Invalid, NotFound
from gridline.mongo import Database, Index, read

from registry import divisions
from registry.division_tree.models import DivisionCreate, DivisionImportResult, DivisionRead

COLLECTION = "divisions"
INDEXES = [Index(COLLECTION, (("parent", 1), ("_id", 1)))]
MAX_IMPORT_ROWS = 50_000


async def create(*, db: Database, clock: Clock, body: DivisionCreate, actor: str) -> tuple[dict[str, Any], bool]:
    """Add a township or community; the same code and name again is a no-op, another name a conflict."""
    document = await _document(db, body.code, body.name, actor, clock)
    result = await db[COLLECTION].update_one({"_id": body.code}, {"$setOnInsert": document}, upsert=True)
    stored = await db[COLLECTION].find_one({"_id": body.code})
    assert stored is not None
    if stored["name"] != body.name:
        raise Conflict(f"区划代码 {body.code} 已登记为「{stored['name']}」", existing_name=stored["name"])
    return stored, result.upserted_id is not None


async def import_csv(*, db: Database, clock: Clock, text: str, actor: str) -> DivisionImportResult:
    """Load `code,name` rows (townships before their communities); each bad row is reported, not fatal."""
    result = DivisionImportResult(created=0, existing=0, errors=[])
    # newline="" lets the reader take a lone \r as the end of a line, as CSV from old spreadsheets has it.
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))[:MAX_IMPORT_ROWS]
    except csv.Error as exc:
        raise Invalid("body", f"not CSV text: {exc}") from exc
    for number, row in sorted(enumerate(rows, start=1), key=lambda r: len(r[1][0]) if r[1] else 0):
        if not row or row[0].strip() in ("", "code", "代码"):
            continue
        try:
            body = DivisionCreate(code=row[0].strip(), name=(row[1] if len(row) > 1 else "").strip())
            _, created = await create(db=db, clock=clock, body=body, actor=actor)
        except (ValueError, Invalid, Conflict) as exc:
            result.errors.append({"row": number, "message": _message(exc)})
            continue
        result.created += created
        result.existing += not created
    result.errors.sort(key=lambda e: int(e["row"]))
    return result


async def require_community(*, db: Database, code: str, path: str = "community_code") -> dict[str, Any]:
    """The stored community, or a 422 naming the field: a code the tree does not know is refused."""
    community = await db[COLLECTION].find_one({"_id": code})
    if community is None:
        raise Invalid(path, unknown_community(code))
    return community


async def known_communities(*, db: Database, codes: set[str]) -> set[str]:
    """Those of `codes` the tree holds, in one command however many there are (a cursor would page)."""
    known = await db[COLLECTION].distinct("_id", {"_id": {"$in": sorted(codes)}})
    return {str(code) for code in known}


def unknown_community(code: str) -> str:
    return f"未知的村/社区代码 {code}，请先由平台管理员导入区划"


async def children(*, db: Database, parent: str) -> list[DivisionRead]:
    if len(parent) in (6, 9):
        docs = await read(db[COLLECTION].find({"parent": parent}).sort("_id", 1), 1000)
        return [DivisionRead(code=d["_id"], name=d["name"], level=d["level"], parent=parent) for d in docs]
    try:
        level = "city" if len(parent) == 2 else "county"
        return [DivisionRead(code=c, name=n, level=level, parent=parent) for c, n in divisions.known_children(parent)]
    except ValueError as exc:
        raise NotFound("division") from exc


async def one(*, db: Database, code: str) -> DivisionRead:
    """One province, city or county (from the civil-affairs list), township or community (the tree), by code."""
    if len(code) == 6:
        try:
            name = divisions.county_known(code)
        except ValueError as exc:
            raise NotFound("division") from exc
        if code.endswith("0000"):
            return DivisionRead(code=code, name=name, level="province", parent=None)
        if code.endswith("00"):
            return DivisionRead(code=code, name=name, level="city", parent=code[:2])
        return DivisionRead(code=code, name=name, level="county", parent=code[:4])
    found = await db[COLLECTION].find_one({"_id": code})
    if found is None:
        raise NotFound("division")
    return DivisionRead(code=code, name=found["name"], level=found["level"], parent=found["parent"])


async def _document(db: Database, code: str, name: str, actor: str, clock: Clock) -> dict[str, Any]:
    try:
        divisions.county_known(code[:6])
        kind = divisions.community_kind(code).value if len(code) == 12 else "township"
    except ValueError as exc:
        raise Invalid("code", str(exc)) from exc
    if code[6:9] == "000":
        raise Invalid("code", "乡镇/街道代码不能为000")
    if len(code) == 12 and await db[COLLECTION].find_one({"_id": code[:9]}) is None:
        raise Invalid("code", f"上级乡镇/街道 {code[:9]} 尚未登记")
    parent = code[:9] if len(code) == 12 else code[:6]
    return {"_id": code, "name": name, "level": kind, "parent": parent, "created_by": actor, "created_at": clock.now()}


def _message(exc: Exception) -> str:
    if isinstance(exc, Invalid | Conflict):
        return exc.detail
    return str(exc).splitlines()[0][:200]
