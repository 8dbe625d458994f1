"""Every event monitoring consumes, and who handles it."""

from __future__ import annotations

from gridline.consumer import Route, Subscription

from monitoring.plans import handlers as plan_handlers
from monitoring.plans import inbound

SUBSCRIPTIONS = [
    Subscription(
        purpose="plans",
        routes=[
            Route(
                inbound.PERSON_TOPIC,
                inbound.PERSON_CLASSIFIED,
                inbound.PersonClassified,
                plan_handlers.on_person_classified,
            ),
            Route(
                inbound.PERSON_TOPIC,
                inbound.PERSON_TRANSFERRED,
                inbound.PersonTransferred,
                plan_handlers.on_person_transferred,
            ),
            Route(inbound.PERSON_TOPIC, inbound.PERSON_UPDATED, inbound.PersonUpdated, plan_handlers.on_person_updated),
        ],
    ),
]
