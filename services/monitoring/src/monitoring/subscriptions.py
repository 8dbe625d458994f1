"""Every event monitoring consumes, and who handles it."""

from __future__ import annotations

from gridline.consumer import Route, Subscription

from monitoring.alerts import handlers as alert_handlers
from monitoring.alerts import inbound as alert_inbound
from monitoring.communities import handlers as community_handlers
from monitoring.communities import inbound as community_inbound
from monitoring.figures import handlers as figure_handlers
from monitoring.figures import inbound as figured
from monitoring.plans import handlers as plan_handlers
from monitoring.plans import inbound as person
from monitoring.stats import handlers as stat_handlers
from monitoring.stats import inbound as counted
from monitoring.venues import handlers as venue_handlers
from monitoring.venues import inbound as venue_inbound

PLANS = Subscription(
    purpose="plans",
    routes=[
        Route(
            person.PERSON_TOPIC, person.PERSON_CLASSIFIED, person.PersonClassified, plan_handlers.on_person_classified
        ),
        Route(
            person.PERSON_TOPIC,
            person.PERSON_TRANSFERRED,
            person.PersonTransferred,
            plan_handlers.on_person_transferred,
        ),
        Route(person.PERSON_TOPIC, person.PERSON_MERGED, person.PersonMerged, plan_handlers.on_person_merged),
        Route(person.PERSON_TOPIC, person.PERSON_UPDATED, person.PersonUpdated, plan_handlers.on_person_updated),
        Route(
            person.PERSON_TOPIC, person.PERSON_REGISTERED, person.PersonRegistered, plan_handlers.on_person_registered
        ),
    ],
)

# Alerts are raised inside the write that caused them; the collection people work on is kept from the event.
ALERTS = Subscription(
    purpose="alerts",
    routes=[
        Route(alert_inbound.TOPIC, alert_inbound.RAISED, alert_inbound.AlertRaisedIn, alert_handlers.on_alert_raised)
    ],
)

# The one definition of the day's figures, projected from monitoring's own events (see `monitoring.figures`).
FIGURES = Subscription(
    purpose="figures",
    routes=[
        *(
            Route(figured.PLAN_TOPIC, ce_type, figured.PlanIn, figure_handlers.on_plan_event)
            for ce_type in figured.PLAN_TYPES
        ),
        Route(
            figured.CHECKIN_TOPIC,
            figured.CHECKIN_RECORDED,
            figured.CheckinRecordedIn,
            figure_handlers.on_checkin_recorded,
            handle_many=figure_handlers.on_checkins_recorded,
        ),
        Route(
            figured.CHECKIN_TOPIC,
            figured.CHECKIN_MISSED,
            figured.CheckinMissedIn,
            figure_handlers.on_checkin_missed,
            handle_many=figure_handlers.on_checkins_missed,
        ),
        Route(figured.ALERT_TOPIC, figured.ALERT_RAISED, figured.AlertRaisedIn, figure_handlers.on_alert_raised),
    ],
)

STATS = Subscription(
    purpose="stats",
    routes=[
        Route(
            counted.FIGURES_TOPIC,
            counted.FIGURES_COUNTED,
            counted.FiguresCountedIn,
            stat_handlers.on_figures_counted,
            handle_many=stat_handlers.on_many_figures_counted,
        ),
    ],
)

GRID_ROUTES = [
    Route(
        community_inbound.GRID_TOPIC,
        community_inbound.GRID_CREATED,
        community_inbound.GridChanged,
        community_handlers.on_grid_changed,
    ),
    Route(
        community_inbound.GRID_TOPIC,
        community_inbound.GRID_UPDATED,
        community_inbound.GridChanged,
        community_handlers.on_grid_changed,
    ),
]

# Duty's venues and duty-desk phones, followed once duty publishes them (MonitoringSettings.consume_duty_events).
DUTY_ROUTES = [
    Route(venue_inbound.TOPIC, venue_inbound.REGISTERED, venue_inbound.VenueChanged, venue_handlers.on_venue_changed),
    Route(venue_inbound.TOPIC, venue_inbound.UPDATED, venue_inbound.VenueChanged, venue_handlers.on_venue_changed),
    Route(
        community_inbound.ROSTER_TOPIC,
        community_inbound.DUTY_DESK_UPDATED,
        community_inbound.DutyDeskUpdated,
        community_handlers.on_duty_desk_updated,
    ),
]


def subscriptions(*, consume_duty_events: bool = True) -> list[Subscription]:
    directory = [*GRID_ROUTES, *(DUTY_ROUTES if consume_duty_events else [])]
    return [PLANS, ALERTS, FIGURES, STATS, Subscription(purpose="directory", routes=directory)]


SUBSCRIPTIONS = subscriptions()
