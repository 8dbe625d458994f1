"""HTTP adapter for residents: no account, a signed link (`X-Link-Token`) naming the member it was issued for."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, status
from gridline.auth import Principal
from gridline.errors import NotFound
from gridline.http.deps import PUBLIC, ClockDep, DbDep, IdempotencyKey, LinksDep, ProtectorDep, RuntimeDep
from gridline.idempotency import creation_id
from gridline.links import LinkClaims
from gridline.mongo import read

from care.deps import CareSettingsDep
from care.members.contact import HELP_REQUEST
from care.requests import intake
from care.requests.documents import COLLECTION
from care.requests.models import ResidentRequestCreate
from care.residents.models import ResidentRequestRead, to_resident_read

router = APIRouter(prefix="/v1/resident/help-requests", tags=["residents"], dependencies=[PUBLIC])
LINK_HEADER = "X-Link-Token"


async def resident_link(
    links: LinksDep,
    runtime: RuntimeDep,
    token: Annotated[
        str, Header(alias=LINK_HEADER, min_length=16, max_length=2048, description="the help link's token")
    ],
) -> LinkClaims:
    """The verified link; 401 when it is not genuine, 410 when it has expired."""
    claims = links.verify(token, purpose=HELP_REQUEST)
    runtime.rate_limits.admit(f"link:{claims.link_id}")
    return claims


ResidentLink = Annotated[LinkClaims, Depends(resident_link)]
LINK_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "the link is not genuine"},
    410: {"description": "the link has expired"},
}


@router.post(
    "",
    operation_id="openResidentRequest",
    status_code=status.HTTP_201_CREATED,
    summary="A resident asks for help through their link",
    responses=LINK_PROBLEMS,
)
async def open_resident_request(
    body: ResidentRequestCreate,
    link: ResidentLink,
    db: DbDep,
    clock: ClockDep,
    protector: ProtectorDep,
    settings: CareSettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> ResidentRequestRead:
    caller = Principal(subject=f"resident:{link.subject}", roles=frozenset(), jurisdiction="", claims={})
    request_id = creation_id(principal=caller, operation="openResidentRequest", key=idempotency_key)
    request = await intake.open_by_resident(
        db=db,
        clock=clock,
        protector=protector,
        settings=settings,
        link=link,
        body=body,
        request_id=request_id,
        idempotency_key=idempotency_key,
    )
    return to_resident_read(request)


RECENT = 20


@router.get(
    "",
    operation_id="listResidentRequests",
    summary="A resident's own requests through their link, newest first (the 20 most recent)",
    responses=LINK_PROBLEMS,
)
async def list_resident_requests(link: ResidentLink, db: DbDep) -> list[ResidentRequestRead]:
    found = await read(db[COLLECTION].find({"person_id": link.subject}).sort("opened_at", -1).limit(RECENT), RECENT)
    return [to_resident_read(r) for r in found]


@router.get(
    "/{request_id}",
    operation_id="getResidentRequest",
    summary="Where a resident's own request stands",
    responses=LINK_PROBLEMS,
)
async def get_resident_request(
    request_id: Annotated[str, Path(min_length=1, max_length=64)], link: ResidentLink, db: DbDep
) -> ResidentRequestRead:
    request = await db[COLLECTION].find_one({"_id": request_id, "person_id": link.subject})
    if request is None:
        raise NotFound("request")
    return to_resident_read(request)
