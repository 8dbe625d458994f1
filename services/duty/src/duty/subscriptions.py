"""Every event duty consumes, and who handles it."""

from __future__ import annotations

from gridline.consumer import Route, Subscription

from duty.directory import handlers, inbound

SUBSCRIPTIONS = [
    Subscription(
        purpose="directory",
        routes=[
            Route(inbound.GRID_TOPIC, inbound.GRID_CREATED, inbound.GridCreated, handlers.on_grid_changed),
            Route(inbound.GRID_TOPIC, inbound.GRID_UPDATED, inbound.GridCreated, handlers.on_grid_changed),
        ],
    ),
]
