"""Every event duty consumes, and who handles it. One consumer group per purpose, so counting the daily
report never delays opening an incident."""

from __future__ import annotations

from gridline.consumer import Route, Subscription

from duty.board import handlers as board_handlers
from duty.board import inbound as board_inbound
from duty.incidents import handlers as incident_handlers
from duty.incidents import inbound as incident_inbound
from duty.paging import handlers as paging_handlers
from duty.paging import inbound as paging_inbound
from duty.reports import handlers as report
from duty.reports import inbound as counted
from duty.supplies import handlers as supply_handlers
from duty.supplies import inbound as supply_inbound

_I = incident_inbound

SUBSCRIPTIONS = [
    Subscription(
        purpose="board",
        routes=[
            Route(
                board_inbound.GRID_TOPIC,
                board_inbound.GRID_CREATED,
                board_inbound.GridChanged,
                board_handlers.on_grid_changed,
            ),
            Route(
                board_inbound.GRID_TOPIC,
                board_inbound.GRID_UPDATED,
                board_inbound.GridChanged,
                board_handlers.on_grid_changed,
            ),
        ],
    ),
    Subscription(
        purpose="incidents",
        # In the order of each partition: an alert's raised comes before its resolved, and a poll's run of
        # alerts opens its incidents in one go (one insert for all), faster than one by one side by side.
        routes=[
            Route(
                _I.ALERT_TOPIC,
                _I.ALERT_RAISED,
                _I.AlertRaised,
                incident_handlers.on_alert_raised,
                handle_many=incident_handlers.on_many_alerts_raised,
            ),
            Route(_I.ALERT_TOPIC, _I.ALERT_RESOLVED, _I.AlertResolved, incident_handlers.on_alert_resolved),
            Route(_I.REQUEST_TOPIC, _I.REQUEST_OVERDUE, _I.RequestOverdue, incident_handlers.on_request_overdue),
            Route(
                _I.REQUEST_TOPIC,
                _I.REQUEST_HELPER_NOT_NOTIFIED,
                _I.HelperNotNotified,
                incident_handlers.on_helper_not_notified,
            ),
            Route(_I.SUPPLY_TOPIC, _I.SUPPLY_BELOW_MINIMUM, _I.SupplyAlarm, incident_handlers.on_supply_alarm),
            Route(_I.SUPPLY_TOPIC, _I.SUPPLY_EXPIRING, _I.SupplyAlarm, incident_handlers.on_supply_alarm),
        ],
    ),
    Subscription(
        purpose="paging",
        # In the order of each partition, so an incident's steps are paged in order; a poll's run of steps
        # asks for its pages in one go.
        routes=[
            Route(
                paging_inbound.TOPIC,
                ce_type,
                paging_inbound.IncidentStep,
                paging_handlers.on_incident_step,
                handle_many=paging_handlers.on_many_incident_steps,
            )
            for ce_type in (paging_inbound.OPENED, paging_inbound.ESCALATED)
        ],
    ),
    Subscription(
        purpose="stock-ledger",
        routes=[
            Route(
                supply_inbound.TOPIC,
                supply_inbound.STOCK_MOVED,
                supply_inbound.StockMoved,
                supply_handlers.on_stock_moved,
            )
        ],
    ),
    Subscription(
        purpose="reports",
        routes=[
            Route(
                counted.PERSON_TOPIC, counted.PERSON_REGISTERED, counted.PersonRegistered, report.on_person_registered
            ),
            Route(
                counted.FIGURES_TOPIC,
                counted.FIGURES_COUNTED,
                counted.FiguresCounted,
                report.on_figures_counted,
                handle_many=report.on_many_figures_counted,
            ),
            Route(counted.REQUEST_TOPIC, counted.REQUEST_OPENED, counted.RequestOpened, report.on_request_opened),
            Route(counted.REQUEST_TOPIC, counted.REQUEST_OVERDUE, counted.RequestStep, report.on_request_step),
            Route(counted.REQUEST_TOPIC, counted.REQUEST_FULFILLED, counted.RequestStep, report.on_request_step),
            Route(counted.REQUEST_TOPIC, counted.REQUEST_CANCELLED, counted.RequestStep, report.on_request_step),
            *(
                Route(
                    counted.INCIDENT_TOPIC,
                    ce_type,
                    counted.DutyStep,
                    report.on_incident_step,
                    handle_many=report.on_many_incident_steps,
                )
                for ce_type in counted.INCIDENT_STEPS.values()
            ),
            *(
                Route(counted.SUPPLY_TOPIC, ce_type, counted.DutyStep, report.on_supply_alarm)
                for ce_type in counted.SUPPLY_ALARMS.values()
            ),
            Route(counted.ROSTER_TOPIC, counted.GAP_DETECTED, counted.GapDetected, report.on_gap_detected),
        ],
    ),
]
