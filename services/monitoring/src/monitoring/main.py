"""The monitoring service: monitoring plans, daily check-ins, venue entry checks and alerts."""

from __future__ import annotations

from fastapi import FastAPI
from gridline.clock import Clock
from gridline.runtime import Runtime
from gridline.service import ServiceDefinition, build_app

from monitoring.alerts import service as alerts
from monitoring.alerts.views import router as alert_router
from monitoring.checkins import store as checkins
from monitoring.checkins.views import router as checkin_router
from monitoring.communities.views import router as community_router
from monitoring.cutoff.job import JOB as CUTOFF
from monitoring.figures import projection as figures
from monitoring.plans import store as plans
from monitoring.plans.views import router as plan_router
from monitoring.published import PUBLISHED
from monitoring.rules import service as rules
from monitoring.rules.views import router as rule_router
from monitoring.selfcheckin import service as selfcheckin
from monitoring.selfcheckin.views import router as self_checkin_router
from monitoring.settings import MonitoringSettings
from monitoring.stats import store as stats
from monitoring.stats.views import router as stats_router
from monitoring.subscriptions import subscriptions
from monitoring.venues import store as venues
from monitoring.venues.views import router as venue_router
from monitoring.worklist.views import router as worklist_router


async def seed_rules(runtime: Runtime) -> None:
    await rules.ensure_seeded(db=runtime.database())


async def name_first_results(runtime: Runtime) -> None:
    await checkins.name_first_results(runtime.database())


def definition(*, consume_duty_events: bool = True) -> ServiceDefinition:
    return ServiceDefinition(
        name="monitoring",
        title="Monitoring 健康监测服务",
        description="Monitoring plans for classified persons, daily check-ins, venue entry checks and alerts.",
        routers=[
            plan_router,
            worklist_router,
            checkin_router,
            self_checkin_router,
            venue_router,
            alert_router,
            stats_router,
            community_router,
            rule_router,
        ],
        published=PUBLISHED,
        subscriptions=subscriptions(consume_duty_events=consume_duty_events),
        # The relay visits these in order each round: the busiest (and the alerts inside them) first.
        outbox_collections=[
            checkins.COLLECTION,
            venues.DAYS,
            alerts.COLLECTION,
            plans.COLLECTION,
            figures.PLANS,
            figures.SOURCES,
        ],
        indexes=[
            *plans.INDEXES,
            *checkins.INDEXES,
            *alerts.INDEXES,
            *venues.INDEXES,
            *stats.INDEXES,
            *selfcheckin.INDEXES,
        ],
        migrations=[name_first_results],
        on_startup=[seed_rules],
        jobs=[CUTOFF],
    )


def create_app(settings: MonitoringSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or MonitoringSettings()  # type: ignore[call-arg]
    return build_app(definition(consume_duty_events=settings.consume_duty_events), settings, clock=clock)
