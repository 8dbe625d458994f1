"""The monitoring service: monitoring plans, daily check-ins, venue entry checks and alerts."""

from __future__ import annotations

from fastapi import FastAPI
from gridline.clock import Clock
from gridline.service import ServiceDefinition, build_app

from monitoring.plans import service as plans
from monitoring.plans.views import router as plan_router
from monitoring.published import PUBLISHED
from monitoring.settings import MonitoringSettings
from monitoring.subscriptions import SUBSCRIPTIONS


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="monitoring",
        title="Monitoring 健康监测服务",
        description="Monitoring plans for classified persons, daily check-ins, venue entry checks and alerts.",
        routers=[plan_router],
        published=PUBLISHED,
        subscriptions=SUBSCRIPTIONS,
        outbox_collections=[plans.COLLECTION],
        indexes=plans.INDEXES,
    )


def create_app(settings: MonitoringSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    return build_app(definition(), settings or MonitoringSettings(), clock=clock)  # type: ignore[call-arg]
