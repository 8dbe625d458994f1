"""Every event care consumes, and who handles it."""

from __future__ import annotations

from gridline.consumer import Route, Subscription

from care.helpers import handlers as helper_handlers
from care.helpers import inbound as helper_inbound
from care.members import handlers as member_handlers
from care.members import inbound as person
from care.requests import handlers as request_handlers
from care.requests import inbound as alert

SUBSCRIPTIONS = [
    Subscription(
        purpose="members",
        routes=[
            Route(
                person.PERSON_TOPIC,
                person.PERSON_REGISTERED,
                person.PersonRegistered,
                member_handlers.on_person_registered,
            ),
            Route(
                person.PERSON_TOPIC,
                person.PERSON_CLASSIFIED,
                person.PersonClassified,
                member_handlers.on_person_classified,
            ),
            Route(person.PERSON_TOPIC, person.PERSON_UPDATED, person.PersonUpdated, member_handlers.on_person_updated),
            Route(
                person.PERSON_TOPIC,
                person.PERSON_TRANSFERRED,
                person.PersonTransferred,
                member_handlers.on_person_transferred,
            ),
            Route(person.PERSON_TOPIC, person.PERSON_MERGED, person.PersonMerged, member_handlers.on_person_merged),
        ],
    ),
    Subscription(
        purpose="alerts",
        routes=[Route(alert.ALERT_TOPIC, alert.ALERT_RAISED, alert.AlertRaised, request_handlers.on_alert_raised)],
    ),
    # Care reads its own request events to keep helpers' load right whatever happened between two writes.
    Subscription(
        purpose="helper-load",
        routes=[
            Route(
                helper_inbound.REQUEST_TOPIC,
                helper_inbound.REQUEST_ASSIGNED,
                helper_inbound.RequestAssigned,
                helper_handlers.on_request_assigned,
            ),
            Route(
                helper_inbound.REQUEST_TOPIC,
                helper_inbound.REQUEST_FULFILLED,
                helper_inbound.RequestClosed,
                helper_handlers.on_request_closed,
            ),
            Route(
                helper_inbound.REQUEST_TOPIC,
                helper_inbound.REQUEST_CANCELLED,
                helper_inbound.RequestClosed,
                helper_handlers.on_request_closed,
            ),
        ],
    ),
]
