"""Events of monitoring and care, as the producers' own models make them, for the consumers' tests.

Duty's and care's tests publish upstream events with these specs and models, so what they feed a consumer
is exactly what the producer can publish: a field the producer adds or requires shows up here too.
"""

from __future__ import annotations

from care.requests import events as requests
from monitoring.alerts import events as alerts
from monitoring.checkins import events as checkins
from monitoring.figures import events as figures
from monitoring.plans import events as plans

PLAN_TOPIC = plans.TOPIC
CHECKIN_TOPIC = checkins.TOPIC
ALERT_TOPIC = alerts.TOPIC
FIGURES_TOPIC = figures.TOPIC
REQUEST_TOPIC = requests.TOPIC

Plan = plans.PlanData
PlanChanged = plans.PlanChanged
PlanCompleted = plans.PlanCompleted
PlanCancelled = plans.PlanCancelled
CheckinRecorded = checkins.CheckinRecorded
CheckinMissed = checkins.CheckinMissed
AlertRaised = alerts.AlertRaised
FiguresCounted = figures.FiguresCounted
FigureRow = figures.FigureRow
AlertAcknowledged = alerts.AlertAcknowledged
AlertResolved = alerts.AlertResolved
RequestOpened = requests.RequestOpened
RequestAssigned = requests.RequestAssigned
RequestAcknowledged = requests.RequestAcknowledged
RequestFulfilled = requests.RequestFulfilled
RequestCancelled = requests.RequestCancelled
RequestOverdue = requests.RequestOverdue

PLAN_STARTED = plans.STARTED
PLAN_CHANGED = plans.CHANGED
PLAN_COMPLETED = plans.COMPLETED
PLAN_CANCELLED = plans.CANCELLED
CHECKIN_RECORDED = checkins.RECORDED
CHECKIN_MISSED = checkins.MISSED
ALERT_RAISED = alerts.RAISED
FIGURES_COUNTED = figures.COUNTED
ALERT_ACKNOWLEDGED = alerts.ACKNOWLEDGED
ALERT_RESOLVED = alerts.RESOLVED
REQUEST_OPENED = requests.OPENED
REQUEST_ASSIGNED = requests.ASSIGNED
REQUEST_ACKNOWLEDGED = requests.ACKNOWLEDGED
REQUEST_FULFILLED = requests.FULFILLED
REQUEST_CANCELLED = requests.CANCELLED
REQUEST_OVERDUE = requests.OVERDUE
