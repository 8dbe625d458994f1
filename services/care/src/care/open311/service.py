"""Open311 requests are help requests: `service_code` is the request type, `description` what is needed.

Which community a report lands in: the one `jurisdiction_id` names (a 12-digit code inside the client's
jurisdiction), or the client's own when that is one community. A location (lat/long or an address) is
required by GeoReport; care keeps it sealed with the resident's contact, for the helper, and does not
route by it: the community comes from the client, who knows where its residents are.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Invalid, NotFound
from gridline.mongo import Database, Index, read
from gridline.pii import Protector

from care import contacts
from care.contacts import ContactIn
from care.open311.models import (
    Discovery,
    DiscoveryEndpoint,
    GeoReportCreated,
    GeoReportQuery,
    GeoReportRequest,
    GeoReportService,
    Open311Create,
)
from care.requests.documents import COLLECTION, Draft
from care.requests.opening import open_request
from care.settings import CareSettings
from care.vocabulary import CLOSED, Priority, RequestType, Source, Status

AGENCY = "社区关爱服务"
NAMES = {
    RequestType.SHOPPING: ("代购生活用品", "买菜、日用品等代购代送"),
    RequestType.MEDICINE: ("代购药品", "常用药、慢性病用药代购代送"),
    RequestType.ESCORT: ("陪同就医", "陪同就医、转运协助"),
    RequestType.PSYCHOLOGICAL_SUPPORT: ("心理疏导", "电话或上门心理支持"),
    RequestType.REPAIRS: ("维修帮助", "水电等紧急维修"),
    RequestType.SUPPLIES: ("生活物资", "居家隔离期间的生活物资保障"),
    RequestType.OTHER: ("其他求助", "以上未列出的求助"),
}
NOTICE = "求助已受理，社区将尽快安排志愿者联系您"

# A client's own reports, newest first; `scope` too, so that it is chosen over the jurisdiction's own indexes.
INDEXES = [Index(COLLECTION, (("opened_by", 1), ("scope", 1), ("opened_at", -1)))]
# GeoReport's default bound is 90 days or 1000 requests; a client lists its own reports, so fewer suffice.
LIST_LIMIT = 200
WINDOW = timedelta(days=90)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the services list or the endpoints last changed: clients refresh what they cached when it moves.
CHANGESET = datetime(2026, 12, 6, tzinfo=UTC)
FORMATS = ["text/xml", "application/json"]
CONTACT = "对接事宜请联系所在区县社区关爱服务的系统管理员"
KEY_SERVICE = "api_key 由本服务的管理员为每个对接方配置，请向所在区县社区关爱服务的系统管理员申请"


def services() -> list[GeoReportService]:
    return [
        GeoReportService(
            service_code=code.value,
            service_name=name,
            description=description,
            metadata=False,
            type="realtime",
            keywords=code.value,
            group="关爱服务",
        )
        for code, (name, description) in NAMES.items()
    ]


def discovery(*, url: str, production: bool) -> Discovery:
    endpoint = DiscoveryEndpoint(
        specification=SPECIFICATION,
        url=url,
        changeset=CHANGESET,
        type="production" if production else "test",
        formats=FORMATS,
    )
    return Discovery(changeset=CHANGESET, contact=CONTACT, key_service=KEY_SERVICE, endpoints=[endpoint])


def landing_community(client: Principal, jurisdiction_id: str | None) -> str:
    """The community a report from `client` lands in (see the module's note)."""
    if jurisdiction_id is None:
        if len(client.jurisdiction) == 12:
            return client.jurisdiction
        raise Invalid("jurisdiction_id", "jurisdiction_id (a 12-digit community code) is required for this client")
    if len(jurisdiction_id) != 12 or not jurisdiction_id.isdigit() or not client.covers_division(jurisdiction_id):
        raise Invalid("jurisdiction_id", "jurisdiction_id must be a 12-digit community code inside this client's area")
    return jurisdiction_id


async def create(
    *,
    db: Database,
    clock: Clock,
    protector: Protector,
    settings: CareSettings,
    client: Principal,
    form: Open311Create,
    request_id: str,
    idempotency_key: str | None,
) -> GeoReportCreated:
    name = " ".join(p for p in (form.last_name, form.first_name) if p)
    contact = ContactIn(name=name[:50] or None, phone=form.phone, address=_place(form)[:200] or None)
    draft = Draft(
        community_code=landing_community(client, form.jurisdiction_id),
        grid_id=None,
        person_id=None,
        type=form.service_code.value,
        priority=Priority.NORMAL.value,
        needs=form.description or NAMES[form.service_code][0],
        source=Source.OPEN311.value,
        opened_by=client.subject,
        contact=contacts.seal(contact, protector, phone_path="phone"),
        cause={"open311_client": client.subject},
    )
    request = await open_request(
        db=db,
        clock=clock,
        settings=settings,
        draft=draft,
        request_id=request_id,
        body=form.model_copy(update={"api_key": ""}),  # the fingerprint of a retry; never the key itself
        idempotency_key=idempotency_key,
    )
    return GeoReportCreated(service_request_id=request["_id"], service_notice=NOTICE)


def _place(form: Open311Create) -> str:
    parts = [form.address_string, form.address_id and f"address_id {form.address_id}"]
    if form.lat is not None and form.long is not None:
        parts.append(f"{form.lat:.6f},{form.long:.6f}")
    return "; ".join(p for p in parts if p)


async def statuses(
    *, db: Database, client: Principal | None, request_ids: list[str], jurisdiction_id: str | None
) -> list[GeoReportRequest]:
    """Requests by id, in GeoReport's words and in the order asked. A client (with its api_key) reads those of its
    jurisdiction, with their description; anyone reads the status of a request reported through Open311, as
    GeoReport clients do without a key. The contact never leaves."""
    query: dict[str, Any] = {"_id": request_ids[0] if len(request_ids) == 1 else {"$in": request_ids}}
    query |= client.scope_filter() if client else {"source": Source.OPEN311.value}
    found = {d["_id"]: d for d in await read(db[COLLECTION].find(query, {"_outbox": 0}), len(request_ids))}
    wanted = [found[i] for i in request_ids if i in found]
    named = [r for r in wanted if jurisdiction_id is None or r["community_code"].startswith(jurisdiction_id)]
    return [to_georeport(r, detailed=client is not None) for r in named]


async def status(
    *, db: Database, client: Principal | None, request_id: str, jurisdiction_id: str | None
) -> GeoReportRequest:
    found = await statuses(db=db, client=client, request_ids=[request_id], jurisdiction_id=jurisdiction_id)
    if not found:
        raise NotFound("service request")
    return found[0]


async def reported_by(
    *, db: Database, clock: Clock, client: Principal | None, query: GeoReportQuery
) -> list[GeoReportRequest]:
    """The requests `client` reported itself through Open311, newest first: at most LIST_LIMIT, opened within
    one window of at most 90 days. Without a key, none: what others reported is not the caller's to list."""
    if client is None:
        return []
    start, end = window(query.start_date, query.end_date, now=clock.now())
    found: dict[str, Any] = {
        "opened_by": client.subject,
        "source": Source.OPEN311.value,
        **client.scope_filter(),
        "opened_at": {"$gte": start, "$lte": end},
    }
    if query.service_codes:
        found["type"] = {"$in": [c.value for c in query.service_codes]}
    if len(set(query.statuses)) == 1:
        # Both as `$nin`, which no index serves, so that the client's own index is the one chosen.
        hidden = [s for s in Status if (s in CLOSED) == (query.statuses[0] == "open")]
        found["status"] = {"$nin": sorted(s.value for s in hidden)}
    if query.jurisdiction_id is not None:
        found["community_code"] = {"$regex": f"^{re.escape(query.jurisdiction_id)}"}
    cursor = db[COLLECTION].find(found, {"_outbox": 0, "history": 0}).sort([("opened_at", -1), ("_id", -1)])
    return [to_georeport(r, detailed=True) for r in await read(cursor.limit(LIST_LIMIT), LIST_LIMIT)]


def window(start: datetime | None, end: datetime | None, *, now: datetime) -> tuple[datetime, datetime]:
    """GeoReport's date range: given whole, or 90 days from the one bound given, or the last 90 days."""
    if start is not None and end is not None:
        if end < start or end - start > WINDOW:
            raise Invalid("end_date", "end_date must follow start_date by at most 90 days")
        return start, end
    if start is not None:
        return start, start + WINDOW
    if end is not None:
        return end - WINDOW, end
    return now - WINDOW, now


def to_georeport(request: dict[str, Any], *, detailed: bool) -> GeoReportRequest:
    closed = request["status"] in CLOSED
    code = RequestType(request["type"])
    return GeoReportRequest(
        service_request_id=request["_id"],
        status="closed" if closed else "open",
        status_notes=_notes(request),
        service_name=NAMES[code][0],
        service_code=code.value,
        description=request["needs"] if detailed else None,
        agency_responsible=AGENCY,
        service_notice=None if closed else NOTICE,
        requested_datetime=request["opened_at"],
        updated_datetime=request["updated_at"],
        expected_datetime=None if closed else request["fulfil_by"],
        address=(request.get("contact") or {}).get("address_masked") if detailed else None,
    )


_NOTES = {
    Status.OPEN: "等待分派志愿者",
    Status.ASSIGNED: "已分派志愿者",
    Status.ACKNOWLEDGED: "志愿者已接单",
    Status.IN_PROGRESS: "志愿者正在处理",
    Status.FULFILLED: "已完成",
    Status.CANCELLED: "已取消",
}


def _notes(request: dict[str, Any]) -> str:
    note = _NOTES[Status(request["status"])]
    if request.get("completeness") == "partial":
        note += "（部分完成）"
    return note
