"""Event adapter: alerts, overdue help requests and supply alarms open incidents; a resolved alert closes one;
a helper care could not text joins the desk's 通知未送达 incident of its community's day.

Each incident's id derives from its source (the alert, the request and deadline, the supply event), so a
redelivered event, or the same source seen twice, finds the incident it opened.
"""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event, derived_id
from gridline.notify import Channel, Failure

from duty import notifications
from duty.incidents import opening, service
from duty.incidents.inbound import AlertRaised, AlertResolved, HelperNotNotified, RequestOverdue, SupplyAlarm
from duty.incidents.models import IncidentKind, Severity, SourceType
from duty.incidents.store import COLLECTION
from duty.settings import DutySettings

CONSUMER = "duty.incidents"
_PRIORITY_SEVERITY = {"urgent": "critical", "high": "high", "normal": "medium", "low": "low"}
_SUPPLY_KINDS = {"below_minimum": IncidentKind.SUPPLY_BELOW_MINIMUM, "expiring": IncidentKind.SUPPLY_EXPIRING}


def alert_incident_id(alert_id: str) -> str:
    return derived_id(CONSUMER, f"alert:{alert_id}", "incident")


async def on_alert_raised(ctx: HandlerContext, event: Event, data: AlertRaised) -> None:
    await _open(ctx, _alert_opening(data))


async def on_many_alerts_raised(ctx: HandlerContext, batch: list[tuple[Event, AlertRaised]]) -> None:
    """A poll's worth of alerts opens its incidents together: the reads and the insert of one, for all."""
    settings = ctx.settings
    assert isinstance(settings, DutySettings)
    await opening.open_many(
        db=ctx.db, clock=ctx.clock, settings=settings, openings=[_alert_opening(data) for _, data in batch]
    )


def _alert_opening(data: AlertRaised) -> opening.Opening:
    return opening.Opening(
        incident_id=alert_incident_id(data.alert_id),
        community_code=data.community_code,
        grid_id=data.grid_id,
        venue_id=data.venue_id,
        person_id=data.person_id,
        kind=_known(IncidentKind, data.kind, IncidentKind.OTHER),
        severity=_known(Severity, data.severity, Severity.MEDIUM),
        source_type=SourceType.ALERT.value,
        source_id=data.alert_id,
        summary=data.reason[:200],
        opened_by="monitoring",
    )


async def on_alert_resolved(ctx: HandlerContext, event: Event, data: AlertResolved) -> None:
    """Monitoring closed the alert (a recheck was normal): the incident it opened is resolved with it."""
    incident = await ctx.db[COLLECTION].find_one({"_id": alert_incident_id(data.alert_id)})
    if incident is not None:
        await service.resolve_loaded(
            db=ctx.db, clock=ctx.clock, incident=incident, by="monitoring", reason=f"预警已解除：{data.reason}"[:200]
        )


async def on_request_overdue(ctx: HandlerContext, event: Event, data: RequestOverdue) -> None:
    missed = "未及时响应" if data.missed == "acknowledge" else "未按时办结"
    await _open(
        ctx,
        opening.Opening(
            incident_id=derived_id(CONSUMER, f"request:{data.request_id}:{data.missed}", "incident"),
            community_code=data.community_code,
            grid_id=data.grid_id,
            venue_id=None,
            person_id=data.person_id,
            kind=IncidentKind.HELP_REQUEST_OVERDUE.value,
            severity=_PRIORITY_SEVERITY.get(data.priority, Severity.MEDIUM.value),
            source_type=SourceType.CARE_REQUEST.value,
            source_id=data.request_id,
            summary=f"求助（{data.type}）{missed}",
            opened_by="care",
        ),
    )


async def on_helper_not_notified(ctx: HandlerContext, event: Event, data: HelperNotNotified) -> None:
    """The same incident duty's own undelivered messages open (one per community and day), by the same code."""
    settings = ctx.settings
    assert isinstance(settings, DutySettings)
    failure = Failure(
        key=f"care:{data.request_id}:{event.id}",
        kind=data.kind,
        channel=Channel(data.channel) if data.channel in {c.value for c in Channel} else Channel.SMS,
        vendor=data.vendor,
        community_code=data.community_code,
        recipient=data.recipient,
        error=data.error,
        attempts=data.attempts,
    )
    await notifications.alert_desk(
        db=ctx.db, clock=ctx.clock, settings=settings, failure=failure, at=data.at, by="care"
    )


async def on_supply_alarm(ctx: HandlerContext, event: Event, data: SupplyAlarm) -> None:
    fact = event.type.split(".")[-2]
    kind = _SUPPLY_KINDS[fact]
    if kind is IncidentKind.SUPPLY_BELOW_MINIMUM:
        summary = f"应急物资「{data.item}」库存 {data.quantity}，低于最低储备 {data.minimum}"
    else:
        summary = f"应急物资「{data.item}」将于 {data.expires_on} 过期"
    await _open(
        ctx,
        opening.Opening(
            incident_id=derived_id(CONSUMER, f"supply:{event.id}", "incident"),
            community_code=data.community_code,
            grid_id=None,
            venue_id=data.venue_id,
            person_id=None,
            kind=kind.value,
            severity=(Severity.MEDIUM if kind is IncidentKind.SUPPLY_BELOW_MINIMUM else Severity.LOW).value,
            source_type=SourceType.SUPPLY.value,
            source_id=data.supply_id,
            summary=summary[:200],
            opened_by="duty",
        ),
    )


async def _open(ctx: HandlerContext, incident: opening.Opening) -> None:
    settings = ctx.settings
    assert isinstance(settings, DutySettings)
    await opening.open_incident(db=ctx.db, clock=ctx.clock, settings=settings, opening=incident)


def _known(kinds: type[IncidentKind] | type[Severity], value: str, fallback: IncidentKind | Severity) -> str:
    return value if value in {k.value for k in kinds} else fallback.value
