"""Event adapter: a declared or lifted risk area schedules the re-classification of whoever came from it."""

from __future__ import annotations

from gridline import jobs
from gridline.consumer import HandlerContext
from gridline.events import Event, derived_id

from registry.persons.reclassification import JOB
from registry.risk_areas.inbound import RiskAreaChanged


async def on_risk_area_changed(ctx: HandlerContext, event: Event, data: RiskAreaChanged) -> None:
    # Due when the change takes effect: now for most, later for an area declared ahead of time.
    due = data.lifted_at or data.declared_at or ctx.clock.now()
    await jobs.schedule(
        ctx.db,
        job_id=derived_id("registry.reclassify", event.id, JOB.name),
        kind=JOB.name,
        due_at=due,
        payload={"query": {"origins": data.division_code}, "cause_event_id": event.id, "cause": event.type},
        clock=ctx.clock,
    )
