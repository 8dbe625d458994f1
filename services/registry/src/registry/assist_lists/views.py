"""HTTP adapter for assist lists: the platform pushes (signed, no token), workers read and update (JWT)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status
from gridline.auth import Principal
from gridline.http.deps import PUBLIC, ClockDep, DbDep, ProtectorDep, WakeJobs, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.signatures import SignedRequest

from registry import rights
from registry.assist_lists import receiving, service, updating
from registry.assist_lists.models import (
    MAX_ENTRIES,
    AssistListPush,
    AssistListRead,
    AssistListReceipt,
    AssistListSummary,
    DeliveryRead,
    EntryRead,
    EntryUpdate,
)

router = APIRouter(prefix="/v1/assist-lists", tags=["assist lists"])
Reader = Annotated[Principal, Depends(require(rights.READ_ASSIST_LISTS))]
Updater = Annotated[Principal, Depends(require(rights.UPDATE_ASSIST_ENTRY))]
ListId = Annotated[str, Path(min_length=1, max_length=64)]
EntryId = Annotated[str, Path(min_length=1, max_length=64)]
Pages = Annotated[PageParams, Depends(page_params)]
RECEIVE = f"""Sign with the key the registry holds for your client id: `X-Client-Id`, `X-Timestamp`
(unix seconds, within the window) and `X-Signature`, the hex HMAC-SHA256 of
`"{{timestamp}}\\n{{METHOD}}\\n{{path}}\\n{{sha256 hex of the raw body}}"` (path as sent, with `?query` if any).
A signed request is accepted once: to retry, sign again with a new timestamp; the same list_id and body then
return the first receipt. Invalid entries, a `community_code` the division tree does not hold among them, refuse
the whole push (422 naming every `entries.<i>.<field>`), so nothing is half-stored. A push holds at most
{MAX_ENTRIES} entries (422 beyond) in a body of at most {service.PUSH_BODY_LIMIT // 2**20} MiB (413 beyond).
Reports are posted, signed with the registry's key, to your webhook. The list's receipt is one POST carrying
every entry at version 1: `{{list_id, received_at, entries: [{{entry_id, status, version, person_id?, updated_at}}]}}`
(`person_id` when the document matched a registered person). Each later status change of an entry is a POST of
its own: `{{list_id, entry_id, status, version, person_id?, updated_at}}`. No report holds a document number,
phone or name; `X-Delivery-Id` is the same on every retry of one report."""


@router.post(
    "",
    operation_id="receiveAssistList",
    dependencies=[PUBLIC],
    status_code=status.HTTP_201_CREATED,
    summary="Receive a list pushed by the provincial platform (signed request; idempotent by list_id)",
    description=RECEIVE,
    responses={
        200: {"description": "a retry of a list already received: the first receipt"},
        401: {"description": "unknown client, bad signature, timestamp outside the window, or a replay"},
        409: {"description": "this list_id was received with another body"},
        413: {"description": "the body exceeds the route's limit; nothing was read"},
        422: {"description": "invalid entries or too many of them; nothing was stored"},
    },
)
async def receive_assist_list(
    body: AssistListPush,
    client_id: SignedRequest,
    db: DbDep,
    clock: ClockDep,
    protector: ProtectorDep,
    wake: WakeJobs,
    response: Response,
) -> AssistListReceipt:
    receipt, created = await receiving.receive(db=db, clock=clock, protector=protector, client_id=client_id, body=body)
    if created:
        wake()
    else:
        response.status_code = status.HTTP_200_OK
    return receipt


@router.get("", operation_id="listAssistLists", summary="Lists with entries in your jurisdiction, with their counts")
async def list_assist_lists(db: DbDep, principal: Reader, page: Pages) -> Page[AssistListSummary]:
    return await service.list_lists(db=db, principal=principal, page=page)


@router.get("/{list_id}", operation_id="getAssistList", summary="A list's entries in your jurisdiction, masked")
async def get_assist_list(list_id: ListId, db: DbDep, principal: Reader, page: Pages) -> AssistListRead:
    return await service.get_list(db=db, principal=principal, list_id=list_id, page=page)


@router.patch(
    "/{list_id}/entries/{entry_id}",
    operation_id="updateAssistListEntry",
    summary="Record what became of an entry; the platform is told by a signed report",
    responses={409: {"description": "back to pending, or changed by someone else meanwhile"}},
)
async def update_assist_list_entry(
    list_id: ListId,
    entry_id: EntryId,
    body: EntryUpdate,
    db: DbDep,
    clock: ClockDep,
    principal: Updater,
    wake: WakeJobs,
) -> EntryRead:
    entry = await updating.update_entry(
        db=db, clock=clock, principal=principal, list_id=list_id, entry_id=entry_id, body=body
    )
    wake()
    return (await service.read_entries(db=db, entries=[entry]))[0]


@router.get(
    "/{list_id}/deliveries",
    operation_id="listAssistListDeliveries",
    summary="Report-back attempts for your entries of a list",
)
async def list_assist_list_deliveries(list_id: ListId, db: DbDep, principal: Reader, page: Pages) -> Page[DeliveryRead]:
    return await service.list_deliveries(db=db, principal=principal, list_id=list_id, page=page)
