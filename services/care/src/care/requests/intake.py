"""The ways a request comes in: a worker, a resident's link, a monitoring alert for a member."""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Invalid, NotFound
from gridline.events import Event, derived_id
from gridline.links import LinkClaims
from gridline.mongo import Database
from gridline.pii import Protector

from care import contacts
from care.members import service as members
from care.requests.documents import Draft
from care.requests.inbound import AlertRaised
from care.requests.models import RequestCreate, ResidentRequestCreate
from care.requests.opening import open_request
from care.settings import CareSettings
from care.vocabulary import Priority, Source

ALERT_CONSUMER = "care.alerts"
_SEVERITY = {"critical": Priority.URGENT, "high": Priority.HIGH}


async def open_by_worker(
    *,
    db: Database,
    clock: Clock,
    protector: Protector,
    settings: CareSettings,
    principal: Principal,
    body: RequestCreate,
    request_id: str,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """A worker opens a request for a member (placed where the member lives) or for anyone in a community."""
    member, community_code, grid_id = await place(
        db=db, principal=principal, person_id=body.person_id, community_code=body.community_code, grid_id=body.grid_id
    )
    draft = Draft(
        community_code=community_code,
        grid_id=grid_id,
        person_id=body.person_id,
        type=body.type.value,
        priority=body.priority.value,
        needs=body.needs,
        needed_by=body.needed_by,
        source=Source.WORKER.value,
        opened_by=principal.subject,
        contact=contacts.seal(body.contact, protector) or (member or {}).get("contact"),
    )
    return await open_request(
        db=db,
        clock=clock,
        settings=settings,
        draft=draft,
        request_id=request_id,
        body=body,
        idempotency_key=idempotency_key,
    )


async def place(
    *, db: Database, principal: Principal, person_id: str | None, community_code: str | None, grid_id: str | None
) -> tuple[dict[str, Any] | None, str, str | None]:
    """Where a worker's request belongs: where the member lives, else the community given, in their jurisdiction."""
    member = await members.find(db=db, person_id=person_id, principal=principal) if person_id else None
    if member is not None:
        return member, member["community_code"], member["grid_id"]
    if community_code is None:
        raise Invalid("community_code", "请填写求助所在村/社区，或填写关爱对象")
    if not principal.covers_division(community_code):
        raise NotFound("community")
    return None, community_code, grid_id


async def open_by_resident(
    *,
    db: Database,
    clock: Clock,
    protector: Protector,
    settings: CareSettings,
    link: LinkClaims,
    body: ResidentRequestCreate,
    request_id: str,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """A resident asks for help through the link a worker gave them: it names them and their community."""
    member = await members.find(db=db, person_id=link.subject)
    place = member or {"community_code": link.scope["community_code"], "grid_id": link.scope.get("grid_id")}
    draft = Draft(
        community_code=place["community_code"],
        grid_id=place.get("grid_id"),
        person_id=link.subject,
        type=body.type.value,
        priority=(Priority.URGENT if body.urgent else Priority.NORMAL).value,
        needs=body.needs,
        needed_by=body.needed_by,
        source=Source.RESIDENT.value,
        opened_by=f"link:{link.link_id}",
        contact=contacts.seal(body.contact, protector) or (member or {}).get("contact"),
    )
    return await open_request(
        db=db,
        clock=clock,
        settings=settings,
        draft=draft,
        request_id=request_id,
        body=body,
        idempotency_key=idempotency_key,
    )


async def open_for_alert(
    *, db: Database, clock: Clock, settings: CareSettings, event: Event, alert: AlertRaised
) -> None:
    """An alert about an active member opens a request of the kind the configuration names, once per alert."""
    rule = settings.alert_requests.get(alert.kind)
    if rule is None or alert.person_id is None:
        return
    member = await members.find(db=db, person_id=alert.person_id)
    if member is None or member["status"] != "active":
        return
    draft = Draft(
        community_code=alert.community_code,
        grid_id=alert.grid_id or member["grid_id"],
        person_id=alert.person_id,
        type=rule.type.value,
        priority=more_pressing(rule.priority, _SEVERITY.get(alert.severity, Priority.NORMAL)).value,
        needs=f"健康监测预警（{alert.kind}）：{alert.reason}"[:500],
        source=Source.ALERT.value,
        opened_by="monitoring",
        contact=member.get("contact"),
        cause={"alert_id": alert.alert_id},
    )
    request_id = derived_id(ALERT_CONSUMER, event.id, "request")
    await open_request(
        db=db, clock=clock, settings=settings, draft=draft, request_id=request_id, cause=event, consumer=ALERT_CONSUMER
    )


def more_pressing(first: Priority, second: Priority) -> Priority:
    return first if first.rank <= second.rank else second
