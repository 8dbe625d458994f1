"""The duty service: rosters, incidents and escalation, plans, supplies, venues, notices, appointments, reports."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from gridline import notify
from gridline.clock import Clock, local_today
from gridline.runtime import Runtime
from gridline.service import ServiceDefinition, build_app

from duty import notifications
from duty.appointments import slots
from duty.appointments.limits import BookingLimits
from duty.appointments.views import router as appointment_router
from duty.board import grids
from duty.board.views import router as board_router
from duty.escalation import timer
from duty.escalation.views import router as escalation_router
from duty.incidents import store as incidents
from duty.incidents.views import router as incident_router
from duty.notices import service as notices
from duty.notices.views import router as notice_router
from duty.paging import grouping
from duty.paging.views import router as paging_router
from duty.plans import service as plan_templates
from duty.plans.views import router as plan_router
from duty.published import PUBLISHED
from duty.reports import ledger, publishing
from duty.reports.views import router as report_router
from duty.rosters import changes, desk, feeds, gaps, rotations
from duty.rosters.change_views import router as change_router
from duty.rosters.feed_views import router as feed_router
from duty.rosters.views import router as roster_router
from duty.settings import DutySettings
from duty.subscriptions import SUBSCRIPTIONS
from duty.supplies import expiry
from duty.supplies import store as supplies
from duty.supplies.views import router as supply_router
from duty.venues import cleaning, hygiene
from duty.venues import service as venues
from duty.venues.views import router as venue_router


async def schedule_reports(runtime: Runtime) -> None:
    """Yesterday's report is due this morning; each publication then schedules the next day's."""
    settings = runtime.settings
    assert isinstance(settings, DutySettings)
    yesterday = local_today(runtime.clock) - timedelta(days=1)
    await publishing.schedule_publication(
        db=runtime.database(), clock=runtime.clock, settings=settings, day=yesterday, revision=1
    )


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="duty",
        title="Duty 值班应急服务",
        description="Duty rosters, incidents and escalation, emergency plans, supplies, venues, notices, "
        "appointments and the daily report upward.",
        routers=[
            board_router,
            roster_router,
            change_router,
            feed_router,
            incident_router,
            escalation_router,
            paging_router,
            plan_router,
            supply_router,
            venue_router,
            notice_router,
            appointment_router,
            report_router,
        ],
        published=PUBLISHED,
        subscriptions=SUBSCRIPTIONS,
        outbox_collections=[
            desk.COLLECTION,
            changes.COLLECTION,
            gaps.COLLECTION,
            incidents.COLLECTION,
            supplies.COLLECTION,
            venues.COLLECTION,
            publishing.REPORTS,
        ],
        indexes=[
            *grids.INDEXES,
            *rotations.INDEXES,
            *changes.INDEXES,
            *desk.INDEXES,
            *feeds.INDEXES,
            *grouping.INDEXES,
            *gaps.INDEXES,
            *incidents.INDEXES,
            *plan_templates.INDEXES,
            *supplies.INDEXES,
            *venues.INDEXES,
            *hygiene.INDEXES,
            *cleaning.INDEXES,
            *notices.INDEXES,
            *slots.INDEXES,
            *notify.INDEXES,
            *ledger.INDEXES,
            *publishing.INDEXES,
        ],
        on_startup=[schedule_reports],
        jobs=[
            gaps.JOB,
            timer.JOB,
            grouping.JOB,
            expiry.JOB,
            notices.JOB,
            *publishing.JOBS,
            *notify.job_kinds(on_failed=notifications.on_failed),
        ],
    )


def create_app(settings: DutySettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or DutySettings()  # type: ignore[call-arg]
    app = build_app(definition(), settings, clock=clock)
    app.state.booking_limits = BookingLimits(settings)
    return app
