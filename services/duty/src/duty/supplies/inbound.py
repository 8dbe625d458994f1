"""Duty's own stock movements, read back to keep the ledger of each store."""

from __future__ import annotations

from datetime import date, datetime

from gridline.events import InboundData

from duty.supplies import events

TOPIC = events.TOPIC
STOCK_MOVED = events.STOCK_MOVED.type


class StockMoved(InboundData):
    supply_id: str
    movement_id: str
    kind: str
    quantity: int
    expires_on: date | None = None
    quantity_after: int
    by: str
    at: datetime
