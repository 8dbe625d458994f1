"""Grid rules: created inside the caller's jurisdiction, read only there."""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal, scope_keys
from gridline.clock import Clock
from gridline.errors import Conflict, Invalid, NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import insert_once, stamp
from gridline.mongo import Database, Index, update_guarded
from gridline.outbox import make_event, new_document, with_events
from gridline.pii import Protector, mask_phone

from registry.division_tree import service as division_tree
from registry.documents import InvalidDocument, validate_phone
from registry.grids import events
from registry.grids.models import GridCreate, GridRead, GridUpdate

COLLECTION = "grids"
INDEXES = [Index(COLLECTION, (("scope", 1), ("_id", 1)))]
SOURCE = "/gridline/registry"


async def create(
    *,
    db: Database,
    clock: Clock,
    protector: Protector,
    principal: Principal,
    body: GridCreate,
    grid_id: str,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """Create a grid and announce it on `registry.grid.v1`."""
    if not principal.covers_division(body.community_code):
        raise NotFound("community")
    await division_tree.require_community(db=db, code=body.community_code)
    try:
        phone = validate_phone(body.manager_phone)
    except InvalidDocument as exc:
        raise Invalid("manager_phone", str(exc)) from exc
    document = {
        "_id": grid_id,
        "community_code": body.community_code,
        "scope": scope_keys(body.community_code, grid_id),
        "name": body.name,
        "manager_name": body.manager_name,
        "manager_phone": protector.seal(phone, context="grid.manager_phone"),
        "manager_phone_masked": mask_phone(phone),
        "manager_work_phone": body.manager_work_phone,
        "covers": body.covers,
        "version": 1,
        "created_at": clock.now(),
        "created_by": principal.subject,
    }
    event = make_event(
        events.CREATED,
        source=SOURCE,
        key=grid_id,
        clock=clock,
        data=events.GridCreated(
            grid_id=grid_id,
            version=1,
            community_code=body.community_code,
            name=body.name,
            manager_name=body.manager_name,
            manager_phone_masked=mask_phone(phone),
            covers_count=len(body.covers),
            manager_work_phone=body.manager_work_phone,
        ),
    )
    document = stamp(document, key=idempotency_key, body=body)
    return await insert_once(db[COLLECTION], new_document(document, [event], clock=clock), body=body)


async def get(*, db: Database, principal: Principal, grid_id: str) -> dict[str, Any]:
    grid = await db[COLLECTION].find_one({"_id": grid_id, **principal.scope_filter()})
    if grid is None:
        raise NotFound("grid")
    return grid


async def list_page(
    *, db: Database, principal: Principal, community_code: str | None, page: PageParams
) -> Page[GridRead]:
    query: dict[str, Any] = principal.scope_filter()
    if community_code:
        query["community_code"] = community_code
    return await paginate(db[COLLECTION], query, page, to_read)


def to_read(doc: dict[str, Any]) -> GridRead:
    return GridRead(
        id=doc["_id"],
        community_code=doc["community_code"],
        name=doc["name"],
        manager_name=doc["manager_name"],
        manager_phone=doc["manager_phone_masked"],
        manager_work_phone=doc.get("manager_work_phone"),
        covers=doc.get("covers", []),
        version=doc["version"],
        created_at=doc["created_at"],
    )


async def update(
    *, db: Database, clock: Clock, protector: Protector, principal: Principal, grid_id: str, body: GridUpdate
) -> dict[str, Any]:
    """Change a grid (a new manager, a new name) and announce it, guarded by the version read."""
    grid = await get(db=db, principal=principal, grid_id=grid_id)
    if body.version is not None and body.version != grid["version"]:
        raise Conflict("该网格已被他人修改，请刷新后重试", current_version=grid["version"])
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"version", "manager_phone"})
    if body.manager_phone is not None:
        try:
            phone = validate_phone(body.manager_phone)
        except InvalidDocument as exc:
            raise Invalid("manager_phone", str(exc)) from exc
        changes["manager_phone"] = protector.seal(phone, context="grid.manager_phone")
        changes["manager_phone_masked"] = mask_phone(phone)
    after = {**grid, **changes, "version": grid["version"] + 1}
    event = make_event(
        events.UPDATED,
        source=SOURCE,
        key=grid_id,
        clock=clock,
        data=events.GridUpdated(
            grid_id=grid_id,
            version=after["version"],
            community_code=after["community_code"],
            name=after["name"],
            manager_name=after["manager_name"],
            manager_phone_masked=after["manager_phone_masked"],
            covers_count=len(after.get("covers", [])),
            manager_work_phone=after.get("manager_work_phone"),
            changed=sorted(body.model_fields_set - {"version"}),
        ),
    )
    written = await update_guarded(
        db[COLLECTION],
        grid_id,
        {"version": grid["version"]},
        with_events({"$set": changes, "$inc": {"version": 1}}, [event], clock=clock),
    )
    if not written:
        raise Conflict("该网格已被他人修改，请刷新后重试")
    return after
