"""Every event monitoring publishes."""

from __future__ import annotations

from monitoring.plans import events as plan_events

PUBLISHED = [plan_events.STARTED, plan_events.ENDED]
