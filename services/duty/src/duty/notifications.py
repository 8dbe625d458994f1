"""The desk's alert when a message duty sent failed for good (通知未送达), from `gridline.notify`'s hook.

One incident per community and Asia/Shanghai day, whatever the number of failures: a vendor that is down
must not open an incident per text, and the incident's own pages (which may fail too) must not open more.
The day's failed messages are listed by `gridline.notify.undelivered`. Care's texts to helpers that fail for
good come as care's `request.helper_not_notified` events, and open (or join) the same incident.
"""

from __future__ import annotations

import logging
from datetime import datetime

from gridline.clock import LOCAL_TZ, Clock
from gridline.events import derived_id
from gridline.jobs import JobContext
from gridline.mongo import Database
from gridline.notify import Failure

from duty.incidents.models import IncidentKind, Severity, SourceType
from duty.incidents.opening import Opening, open_incident
from duty.settings import DutySettings

log = logging.getLogger(__name__)

KIND_NAMES = {"booking_code": "预约验证码", "care_assigned": "求助派单"}
CHANNEL_NAMES = {"sms": "短信", "robot": "工作群"}


def incident_id(community_code: str, day: str) -> str:
    return derived_id("duty-notify", f"{community_code}:{day}", "undelivered")


async def on_failed(ctx: JobContext, failure: Failure) -> None:
    """Open (once a day per community) the desk's incident for a message that failed for good."""
    settings = ctx.settings
    assert isinstance(settings, DutySettings)
    await alert_desk(db=ctx.db, clock=ctx.clock, settings=settings, failure=failure, at=ctx.clock.now())


async def alert_desk(
    *, db: Database, clock: Clock, settings: DutySettings, failure: Failure, at: datetime, by: str = "notify"
) -> None:
    """The desk's 通知未送达 incident of the community and Asia/Shanghai day of `at`, opened unless it is open:
    for duty's own messages, and for another service's as its event tells (care's texts to helpers)."""
    if len(failure.community_code) != 12:
        log.warning("message %s failed for good, and names no community to alert: %s", failure.key, failure.error)
        return
    tries = f"已试 {failure.attempts} 次"
    what = f"{KIND_NAMES.get(failure.kind, failure.kind)}{CHANNEL_NAMES.get(failure.channel, '')}"
    opening = Opening(
        incident_id=incident_id(failure.community_code, at.astimezone(LOCAL_TZ).date().isoformat()),
        community_code=failure.community_code,
        grid_id=None,
        venue_id=None,
        person_id=None,
        kind=IncidentKind.OTHER.value,
        severity=Severity.HIGH.value,
        source_type=SourceType.ALERT.value,
        source_id=failure.key[:200],
        summary=f"通知未送达：{what}至 {failure.recipient}（{failure.vendor}：{failure.error}，{tries}）",
        opened_by=by,
    )
    await open_incident(db=db, clock=clock, settings=settings, opening=opening)
