"""The duty service: rosters, incidents and escalation, plans, supplies, venues, notices, the daily report."""

from __future__ import annotations

from fastapi import FastAPI
from gridline.clock import Clock
from gridline.service import ServiceDefinition, build_app

from duty.directory import service as directory
from duty.directory.views import router as directory_router
from duty.settings import DutySettings
from duty.subscriptions import SUBSCRIPTIONS


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="duty",
        title="Duty 值班应急服务",
        description="Duty rosters, incidents and escalation, emergency plans, supplies, venues, notices, reports.",
        routers=[directory_router],
        subscriptions=SUBSCRIPTIONS,
        indexes=directory.INDEXES,
    )


def create_app(settings: DutySettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    return build_app(definition(), settings or DutySettings(), clock=clock)  # type: ignore[call-arg]
