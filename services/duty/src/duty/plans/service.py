"""Emergency plan templates per division: created by the community or above, applying to everything below."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import insert_once, stamp
from gridline.mongo import Database, Index, read

from duty.plans.models import PlanTemplateCreate, PlanTemplateRead

COLLECTION = "plan_templates"
INDEXES = [
    Index(COLLECTION, (("scope", 1), ("_id", 1))),
    Index(COLLECTION, (("triggers", 1), ("division_code", 1))),
    Index(COLLECTION, (("division_code", 1), ("_id", 1))),
]
# Plans matching one incident: a handful in practice; the bound keeps one bad configuration from flooding tasks.
MAX_MATCHING = 10


def prefixes(code: str) -> list[str]:
    """The division itself and every division above it (county 6, township 9, community 12 digits)."""
    return [code[:n] for n in (6, 9, 12) if len(code) >= n]


async def create(
    *, db: Database, clock: Clock, principal: Principal, body: PlanTemplateCreate, template_id: str, key: str | None
) -> dict[str, Any]:
    if not principal.covers_division(body.division_code):
        raise NotFound("division")
    document = {
        "_id": template_id,
        "division_code": body.division_code,
        # Visible to everyone whose jurisdiction it covers and to those above: every prefix of the code.
        "scope": [body.division_code[:n] for n in (2, 4, 6, 9, 12) if len(body.division_code) >= n],
        "name": body.name,
        "triggers": [k.value for k in body.triggers],
        "venue_kinds": [k.value for k in body.venue_kinds],
        "tasks": [t.model_dump(mode="json") for t in body.tasks],
        "created_at": clock.now(),
        "created_by": principal.subject,
    }
    return await insert_once(db[COLLECTION], stamp(document, key=key, body=body), body=body)


async def matching(*, db: Database, community_code: str, kind: str, venue_kind: str | None) -> list[dict[str, Any]]:
    """Templates an incident of `kind` in the community activates on opening."""
    found = await read(
        db[COLLECTION].find({"triggers": kind, "division_code": {"$in": prefixes(community_code)}}).sort("_id", 1),
        MAX_MATCHING,
    )
    return for_venue(found, venue_kind)


async def matching_many(
    *, db: Database, wanted: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """For each (community, kind), the templates `matching` finds before its venue filter (see `for_venue`),
    in one read for them all."""
    pairs = sorted(set(wanted))
    if not pairs:
        return {}
    kinds = sorted({kind for _, kind in pairs})
    divisions = sorted({code for community, _ in pairs for code in prefixes(community)})
    cap = MAX_MATCHING * len(pairs)
    found = await read(
        db[COLLECTION].find({"triggers": {"$in": kinds}, "division_code": {"$in": divisions}}).sort("_id", 1), cap
    )
    if len(found) >= cap:  # some pair's templates may have been crowded out: ask for each on its own
        each = await asyncio.gather(
            *(
                read(
                    db[COLLECTION]
                    .find({"triggers": kind, "division_code": {"$in": prefixes(community)}})
                    .sort("_id", 1),
                    MAX_MATCHING,
                )
                for community, kind in pairs
            )
        )
        return dict(zip(pairs, each, strict=True))
    return {
        (community, kind): [t for t in found if kind in t["triggers"] and t["division_code"] in prefixes(community)][
            :MAX_MATCHING
        ]
        for community, kind in pairs
    }


def for_venue(templates: list[dict[str, Any]], venue_kind: str | None) -> list[dict[str, Any]]:
    """The templates that apply at a venue of this kind (or away from any venue)."""
    return [t for t in templates if not t["venue_kinds"] or venue_kind in t["venue_kinds"]]


async def get_for(*, db: Database, template_id: str, community_code: str) -> dict[str, Any]:
    """A template that applies to the community (its own or from a division above), for activation by hand."""
    template = await db[COLLECTION].find_one({"_id": template_id, "division_code": {"$in": prefixes(community_code)}})
    if template is None:
        raise NotFound("plan template")
    return template


async def list_page(
    *, db: Database, principal: Principal, community_code: str | None, page: PageParams
) -> Page[PlanTemplateRead]:
    """Templates made in your jurisdiction, or (for a community) every template that applies to it."""
    if community_code is None:
        return await paginate(db[COLLECTION], principal.scope_filter(), page, to_read)
    if not principal.covers_division(community_code):
        raise NotFound("community")
    return await paginate(db[COLLECTION], {"division_code": {"$in": prefixes(community_code)}}, page, to_read)


def to_read(doc: dict[str, Any]) -> PlanTemplateRead:
    return PlanTemplateRead(
        id=doc["_id"],
        division_code=doc["division_code"],
        name=doc["name"],
        triggers=doc["triggers"],
        venue_kinds=doc["venue_kinds"],
        tasks=doc["tasks"],
        created_at=doc["created_at"],
    )
