"""Care's own way to reach a member (sealed), and the signed link a member uses to ask for help."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Conflict
from gridline.links import LinkSigner
from gridline.mongo import Database, update_guarded
from gridline.pii import Protector

from care import contacts
from care.contacts import ContactIn
from care.members import service
from care.members.models import HelpLinkRead
from care.members.store import COLLECTION

HELP_REQUEST = "help_request"


async def set_contact(
    *, db: Database, clock: Clock, protector: Protector, principal: Principal, person_id: str, body: ContactIn
) -> dict[str, Any]:
    """Replace the member's contact; requests opened for them later carry it to their helper."""
    member = await service.get(db=db, principal=principal, person_id=person_id)
    sealed = contacts.seal(body, protector, phone_path="phone")
    changes = {"contact": sealed, "updated_at": clock.now()}
    if not await update_guarded(
        db[COLLECTION], person_id, {"rev": member["rev"]}, {"$set": changes, "$inc": {"rev": 1}}
    ):
        raise Conflict("关爱对象信息正在更新，请重试")
    return {**member, **changes, "rev": member["rev"] + 1}


async def issue_help_link(
    *, db: Database, clock: Clock, links: LinkSigner, principal: Principal, person_id: str, days: int
) -> HelpLinkRead:
    """A link naming the member and their community; whoever holds it may open requests for them until it expires."""
    member = await service.get(db=db, principal=principal, person_id=person_id)
    expires_at = clock.now() + timedelta(days=days)
    scope = {"community_code": member["community_code"], "grid_id": member["grid_id"]}
    link_id, token = links.issue(purpose=HELP_REQUEST, subject=person_id, scope=scope, expires_at=expires_at)
    return HelpLinkRead(person_id=person_id, link_id=link_id, token=token, expires_at=expires_at)
