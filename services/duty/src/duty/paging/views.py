"""HTTP adapter for paging: each officer's notification policy, and acknowledging from a page's link.

The link routes take no sign-in: the link is the credential (`X-Link-Token`). Reading it changes nothing, since
chat apps fetch links to preview them; only the POST acknowledges.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header
from gridline.auth import Principal
from gridline.http.deps import PUBLIC, ClockDep, DbDep, ProtectorDep, RuntimeDep, SettingsDep, require

from duty import rights
from duty.openapi import Responses
from duty.paging import acknowledging, policies
from duty.paging.links import AckKeys
from duty.paging.models import AckDone, AckView, PolicyPut, PolicyRead

router = APIRouter(tags=["incidents"])
Owner = Annotated[Principal, Depends(require(rights.OWN_NOTIFICATION_POLICY))]
AckToken = Annotated[
    str,
    Header(alias="X-Link-Token", min_length=1, max_length=64, description="the token of the page's link"),
]
LINK_PROBLEMS: Responses = {
    401: {"description": "the link is not genuine"},
    410: {"description": "the link expired, or was used already"},
    429: {"description": "this link is tried too often"},
}


def keys(settings: SettingsDep) -> AckKeys:
    return AckKeys(settings.hash_key_bytes())


Keys = Annotated[AckKeys, Depends(keys)]


@router.put(
    "/v1/notification-policies/mine",
    operation_id="putNotificationPolicy",
    summary="How you are paged: your phone, the channels in order, and quiet hours for what is not urgent",
)
async def put_notification_policy(
    body: PolicyPut, db: DbDep, clock: ClockDep, protector: ProtectorDep, principal: Owner
) -> PolicyRead:
    return await policies.put(db=db, clock=clock, protector=protector, principal=principal, body=body)


@router.get(
    "/v1/notification-policies/mine",
    operation_id="getNotificationPolicy",
    summary="Your notification policy (the default when you set none), with your phone masked",
)
async def get_notification_policy(db: DbDep, principal: Owner) -> PolicyRead:
    return await policies.get_mine(db=db, principal=principal)


@router.get(
    "/v1/ack-links/current",
    operation_id="getAckLink",
    dependencies=[PUBLIC],
    summary="For a page's confirm page: the incident its link acknowledges (reading changes nothing)",
    responses=LINK_PROBLEMS,
)
async def get_ack_link(db: DbDep, clock: ClockDep, keys: Keys, runtime: RuntimeDep, token: AckToken) -> AckView:
    runtime.rate_limits.admit(f"ack:{keys.link_id(token)}")
    return await acknowledging.view(db=db, clock=clock, keys=keys, token=token)


@router.post(
    "/v1/ack-links/current/acknowledge",
    operation_id="acknowledgeByLink",
    dependencies=[PUBLIC],
    summary="Acknowledge the incident of a page's link, as the person paged; the link works once",
    responses={**LINK_PROBLEMS, 409: {"description": "the incident was resolved meanwhile"}},
)
async def acknowledge_by_link(db: DbDep, clock: ClockDep, keys: Keys, runtime: RuntimeDep, token: AckToken) -> AckDone:
    runtime.rate_limits.admit(f"ack:{keys.link_id(token)}")  # before anything changes
    return await acknowledging.acknowledge(db=db, clock=clock, keys=keys, token=token)
