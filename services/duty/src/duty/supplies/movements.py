"""The ledger of stock movements, kept from `supply.stock_moved` (one entry per movement, keyed by its id)."""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal
from gridline.http.pagination import Page, PageParams, paginate
from gridline.mongo import Database

from duty.supplies import service
from duty.supplies.inbound import StockMoved
from duty.supplies.models import MovementRead
from duty.supplies.store import MOVEMENTS


async def record(*, db: Database, data: StockMoved) -> None:
    """Idempotent: the entry's id is the movement's, so a redelivery rewrites the same entry."""
    entry = data.model_dump(mode="python", exclude={"movement_id"})
    entry["expires_on"] = data.expires_on.isoformat() if data.expires_on else None
    await db[MOVEMENTS].replace_one({"_id": data.movement_id}, entry, upsert=True)


async def list_page(*, db: Database, principal: Principal, supply_id: str, page: PageParams) -> Page[MovementRead]:
    await service.get(db=db, principal=principal, supply_id=supply_id)
    return await paginate(db[MOVEMENTS], {"supply_id": supply_id}, page, to_read)


def to_read(doc: dict[str, Any]) -> MovementRead:
    return MovementRead(id=doc["_id"], **{k: doc.get(k) for k in MovementRead.model_fields if k != "id"})
