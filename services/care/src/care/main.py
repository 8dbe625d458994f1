"""The care service: special groups, help requests, dispatch to volunteers and social workers, care visits."""

from __future__ import annotations

from fastapi import FastAPI
from gridline import notify
from gridline.clock import Clock
from gridline.service import ServiceDefinition, build_app

from care.dispatch import redispatch, undelivered
from care.dispatch.subscriptions import NOTICES as DISPATCH_NOTICES
from care.dispatch.views import router as dispatch_router
from care.helpers import service as helpers
from care.helpers.views import router as helper_router
from care.members import isolation
from care.members import service as members
from care.members.views import legacy as legacy_member_router
from care.members.views import router as member_router
from care.open311 import service as open311
from care.open311.views import router as open311_router
from care.published import PUBLISHED
from care.requests import deadlines, reveal
from care.requests import service as requests
from care.requests.documents import COLLECTION as REQUESTS
from care.requests.views import router as request_router
from care.residents.views import router as resident_router
from care.settings import CareSettings
from care.subscriptions import SUBSCRIPTIONS
from care.templates import service as templates
from care.templates.views import router as template_router
from care.visits import chains
from care.visits import service as visits
from care.visits.views import router as visit_router


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="care",
        title="Care 关爱服务",
        description="Special groups, help requests with response deadlines, dispatch, and scheduled care visits.",
        routers=[
            member_router,
            helper_router,
            request_router,
            dispatch_router,
            template_router,
            visit_router,
            resident_router,
            open311_router,
            legacy_member_router,
        ],
        published=PUBLISHED,
        subscriptions=[*SUBSCRIPTIONS, DISPATCH_NOTICES],
        outbox_collections=[REQUESTS, visits.COLLECTION],
        indexes=[
            *members.INDEXES,
            *helpers.INDEXES,
            *requests.INDEXES,
            *reveal.INDEXES,
            *visits.INDEXES,
            *templates.INDEXES,
            *open311.INDEXES,
            *notify.INDEXES,
        ],
        jobs=[
            deadlines.JOB,
            isolation.JOB,
            *chains.JOBS,
            templates.JOB,
            redispatch.JOB,
            *notify.job_kinds(on_failed=undelivered.on_failed),
        ],
    )


def create_app(settings: CareSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    return build_app(definition(), settings or CareSettings(), clock=clock)  # type: ignore[call-arg]
