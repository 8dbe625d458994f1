"""HTTP adapter for members: read (masked), keep a contact, issue a resident's help link."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, status
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, LinksDep, ProtectorDep, require
from gridline.http.pagination import Page, PageParams, page_params

from care import rights
from care.contacts import ContactIn
from care.deps import CareSettingsDep
from care.members import contact, service
from care.members.models import HelpLinkRead, MemberRead, to_read
from care.vocabulary import Group

router = APIRouter(prefix="/v1/members", tags=["members"])
legacy = APIRouter(prefix="/v1/subjects", tags=["members"])
Reader = Annotated[Principal, Depends(require(rights.READ_MEMBERS))]
ContactKeeper = Annotated[Principal, Depends(require(rights.UPDATE_MEMBER_CONTACT))]
LinkIssuer = Annotated[Principal, Depends(require(rights.ISSUE_HELP_LINK))]
PersonId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("", operation_id="listMembers", summary="Special-group members in your jurisdiction, masked")
async def list_members(
    db: DbDep,
    principal: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    group: Group | None = None,
    member_status: Annotated[Literal["active", "inactive", "merged"], Query(alias="status")] = "active",
) -> Page[MemberRead]:
    return await service.list_page(db=db, principal=principal, group=group, status=member_status, page=page)


@router.get("/{person_id}", operation_id="getMember", summary="One member: groups, isolation period, next visits")
async def get_member(person_id: PersonId, db: DbDep, principal: Reader) -> MemberRead:
    return to_read(await service.get(db=db, principal=principal, person_id=person_id))


@router.put("/{person_id}/contact", operation_id="setMemberContact", summary="Keep how to reach a member (sealed)")
async def set_member_contact(
    person_id: PersonId, body: ContactIn, db: DbDep, clock: ClockDep, protector: ProtectorDep, principal: ContactKeeper
) -> MemberRead:
    member = await contact.set_contact(
        db=db, clock=clock, protector=protector, principal=principal, person_id=person_id, body=body
    )
    return to_read(member)


@router.post(
    "/{person_id}/help-links",
    operation_id="issueHelpLink",
    status_code=status.HTTP_201_CREATED,
    summary="A signed, expiring link the member uses to ask for help without an account",
)
async def issue_help_link(
    person_id: PersonId, db: DbDep, clock: ClockDep, links: LinksDep, settings: CareSettingsDep, principal: LinkIssuer
) -> HelpLinkRead:
    return await contact.issue_help_link(
        db=db, clock=clock, links=links, principal=principal, person_id=person_id, days=settings.help_link_days
    )


@legacy.get("/{person_id}", operation_id="getCareSubject", summary="One member (former path)", deprecated=True)
async def get_care_subject(person_id: PersonId, db: DbDep, principal: Reader) -> MemberRead:
    return to_read(await service.get(db=db, principal=principal, person_id=person_id))
