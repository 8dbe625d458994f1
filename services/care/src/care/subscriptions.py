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
            Route(inbound.PERSON_TOPIC, inbound.PERSON_UPDATED, inbound.PersonUpdated, handlers.on_person_updated),
            Route(
                inbound.PERSON_TOPIC,
                inbound.PERSON_TRANSFERRED,
                inbound.PersonTransferred,
                handlers.on_person_transferred,
            ),
            Route(inbound.PERSON_TOPIC, inbound.PERSON_MERGED, inbound.PersonMerged, handlers.on_person_merged),
        ],
    ),
]
