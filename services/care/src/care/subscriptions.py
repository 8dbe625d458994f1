"""Every event care consumes, and who handles it."""

from __future__ import annotations

from gridline.consumer import Route, Subscription

from care.subjects import handlers, inbound

SUBSCRIPTIONS = [
    Subscription(
        purpose="subjects",
        routes=[
            Route(
                inbound.PERSON_TOPIC, inbound.PERSON_REGISTERED, inbound.PersonRegistered, handlers.on_person_registered
            ),
            Route(
                inbound.PERSON_TOPIC, inbound.PERSON_CLASSIFIED, inbound.PersonClassified, handlers.on_person_classified
            ),
        ],
    ),
]
