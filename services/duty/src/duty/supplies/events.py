from __future__ import annotations

from datetime import date, datetime

from gridline.events import EventData, EventSpec, event_type

TOPIC = "duty.supply.v1"


class SupplyAlarm(EventData):
    supply_id: str
    community_code: str
    venue_id: str | None
    item: str
    quantity: int
    minimum: int
    expires_on: date | None
    at: datetime


class StockMoved(EventData):
    supply_id: str
    movement_id: str
    community_code: str
    venue_id: str | None
    item: str
    kind: str
    quantity: int
    expires_on: date | None
    quantity_after: int
    by: str
    at: datetime


BELOW_MINIMUM = EventSpec(
    TOPIC,
    event_type("duty", "supply", "below_minimum"),
    SupplyAlarm,
    "Stock went below its minimum reserve (once per fall; restocking above it re-arms the alarm).",
)
EXPIRING = EventSpec(
    TOPIC,
    event_type("duty", "supply", "expiring"),
    SupplyAlarm,
    "A lot still in stock expires within the warning period (`expires_on`); once per lot.",
)
STOCK_MOVED = EventSpec(
    TOPIC,
    event_type("duty", "supply", "stock_moved"),
    StockMoved,
    "Stock received, issued or disposed of; the store's ledger of movements is built from these.",
)
