from __future__ import annotations

from gridline.mongo import Index

from duty.access import scoped_indexes

COLLECTION = "supplies"
MOVEMENTS = "stock_movements"
INDEXES = [
    *scoped_indexes(COLLECTION),
    Index(COLLECTION, (("community_code", 1), ("venue_key", 1), ("item", 1)), unique=True, name="one_item_per_store"),
    Index(MOVEMENTS, (("supply_id", 1), ("_id", 1))),
]
