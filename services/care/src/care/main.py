"""The care service: special groups, help requests, dispatch to volunteers and social workers, care visits."""

from __future__ import annotations

from fastapi import FastAPI
from gridline.clock import Clock
from gridline.service import ServiceDefinition, build_app

from care.settings import CareSettings
from care.subjects import service as subjects
from care.subjects.views import router as subject_router
from care.subscriptions import SUBSCRIPTIONS


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="care",
        title="Care 关爱服务",
        description="Special groups, help requests with response deadlines, dispatch, and scheduled care visits.",
        routers=[subject_router],
        subscriptions=SUBSCRIPTIONS,
        indexes=subjects.INDEXES,
    )


def create_app(settings: CareSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    return build_app(definition(), settings or CareSettings(), clock=clock)  # type: ignore[call-arg]
