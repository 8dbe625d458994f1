"""Every event the registry consumes (its own risk-area changes, to re-classify), and who handles it."""

from __future__ import annotations

from gridline.consumer import Route, Subscription

from registry.risk_areas import handlers as risk_area_handlers
from registry.risk_areas import inbound as risk_area_inbound

SUBSCRIPTIONS = [
    Subscription(
        purpose="reclassification",
        routes=[
            Route(
                risk_area_inbound.TOPIC,
                risk_area_inbound.DECLARED,
                risk_area_inbound.RiskAreaChanged,
                risk_area_handlers.on_risk_area_changed,
            ),
            Route(
                risk_area_inbound.TOPIC,
                risk_area_inbound.LIFTED,
                risk_area_inbound.RiskAreaChanged,
                risk_area_handlers.on_risk_area_changed,
            ),
        ],
    ),
]
