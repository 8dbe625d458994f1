"""A valid request body for every guarded write of the access matrix, keyed by operationId.

Each body is built from the seeded world (`World`) and a number unique to the call (`n`), so that a create
repeated by several roles does not trip over a uniqueness rule (a second grid of the same name, a person with
the same document). Bodies name the caller's own community: from elsewhere the service must refuse them.
A body the service rejects at home shows up as a failed 2xx in the matrix, so a body cannot silently rot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.integration.care_world import ALWAYS, helper_body
from tests.integration.people import COMMUNITY, COUNTY, OTHER_COMMUNITY, prc_id, returnee


@dataclass
class World:
    """The seeded records: path-parameter ids by service, and what bodies refer to."""

    ids: dict[str, dict[str, str]]
    grid_id: str
    other_grid_id: str  # a grid of the other community of the county, where a transfer moves a person
    spare_person_id: str  # a person a merge from elsewhere names (and must leave alone)
    helper_id: str
    plan_template_id: str
    social_helper_id: str  # the helper record of the social worker at home
    shift_id: str  # a shift of a seeded rotation
    # Path ids for one operation where a service uses one parameter name for two kinds of record (duty's
    # `task_id`: an incident's task and a cleaning task).
    by_operation: dict[str, dict[str, str]] = field(default_factory=dict)
    rule_set: dict[str, Any] = field(default_factory=dict)
    monitoring_rules: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Raw:
    """A body that is not JSON: `content` sent as `content_type`."""

    content: bytes
    content_type: str


@dataclass(frozen=True)
class Form:
    """A multipart form: fields and files."""

    data: dict[str, str]
    files: dict[str, tuple[str, bytes, str]]


Body = Callable[[World, int], Any]


def _at(days: int = 0, hour: int = 10) -> str:
    moment = datetime.combine(date.today() + timedelta(days=days), datetime.min.time(), tzinfo=UTC)
    return (moment + timedelta(hours=hour)).isoformat()


def _just_now() -> str:
    """A moment that has passed, whatever the hour the suite runs at (what was done cannot be in the future)."""
    return (datetime.now(UTC) - timedelta(minutes=5)).isoformat()


def _member(subject: str) -> dict[str, str]:
    return {"subject": subject, "name": "值班员" + subject[-1]}


def document(n: int, year: int = 1990) -> str:
    """A valid ID number unique to `n`."""
    return prc_id(birth=(date(year, 1, 1) + timedelta(days=n)).strftime("%Y%m%d"), sequence=n % 1000)


def _person(w: World, n: int) -> dict[str, Any]:
    return returnee(w.grid_id, number=document(n))


def _import(w: World, n: int) -> Form:
    header = "序号,姓名,证件类型,证件号码,手机号码,网格,住址,人员类别,抵达日期,来源地区划代码,健康码\n"
    number = document(n, 1960)
    row = f"1,李{n}明,居民身份证,{number},13905710002,第1网格,曙光路1号,返乡人员,{date.today()},420106,绿\n"
    return Form({"community_code": COMMUNITY}, {"file": ("persons.csv", (header + row).encode(), "text/csv")})


BODIES: dict[str, Body] = {
    # registry
    "replayDeadLetter": lambda w, n: None,
    "registerPerson": _person,
    "updatePerson": lambda w, n: {"phone": f"139057{n:05d}"},
    "addEpisode": lambda w, n: {
        "category": "holiday_returnee",
        "arrival_date": str(date.today() - timedelta(days=1)),
        "origin_division_code": "420106",
    },
    "updateEpisode": lambda w, n: {"health_code": "green"},
    "transferPerson": lambda w, n: {"community_code": OTHER_COMMUNITY, "grid_id": w.other_grid_id, "reason": "搬家"},
    "mergePersons": lambda w, n: {"duplicate_person_id": w.spare_person_id, "reason": "重复登记"},
    "revealPerson": lambda w, n: {"purpose": "contact", "detail": "电话随访", "fields": ["phone"]},
    "createGrid": lambda w, n: {
        "community_code": COMMUNITY,
        "name": f"第{n + 10}网格",
        "manager_name": "李网格",
        "manager_phone": "13805710002",
    },
    "updateGrid": lambda w, n: {"manager_phone": f"138057{n:05d}"},
    "createDivision": lambda w, n: {"code": f"330106001{100 + n % 99:03d}", "name": f"新社区{n}"},
    "importDivisions": lambda w, n: Raw(f"330106001{200 + n % 199:03d},导入村{n}\n".encode(), "text/csv"),
    "declareRiskArea": lambda w, n: {"division_code": COMMUNITY, "level": "medium", "reason": "散发病例"},
    "liftRiskArea": lambda w, n: {},
    "putRuleSet": lambda w, n: {**w.rule_set, "id": "matrix", "scope": COUNTY, "version": 1 + n},
    "recordScreening": lambda w, n: {
        "community_code": COMMUNITY,
        "grid_id": w.grid_id,
        "household": f"1幢{n}室",
        "method": "door_to_door",
    },
    "updateAssistListEntry": lambda w, n: {"status": "located"},
    "importPersons": _import,
    # monitoring
    "recordCheckin": lambda w, n: {"method": "visit", "temperature_c": 36.5, "symptoms": [], "health_code": "green"},
    "issueSelfCheckinLink": lambda w, n: {"valid_days": 3},
    "createVenue": lambda w, n: {  # monitoring's and duty's venues differ; see VENUES below
        "community_code": COMMUNITY,
        "name": f"活动室{n}",
        "kind": "activity_room",
        "capacity": 20,
        "responsible": {"name": "陈主任", "work_phone": "13805719999"},
    },
    "recordVenueEntry": lambda w, n: {"temperature_c": 36.4, "health_code": "green", "mask": True},
    "recordVenueExit": lambda w, n: {"count": 1},
    "acknowledgeAlert": lambda w, n: None,
    "resolveAlert": lambda w, n: {"outcome": "handled"},
    "updateCommunitySettings": lambda w, n: {"cutoff_time": "20:00"},
    "putMonitoringRules": lambda w, n: {**w.monitoring_rules, "scope": COUNTY, "version": 1 + n},
    # care
    "setMemberContact": lambda w, n: {"phone": f"139057{n:05d}"},
    "issueHelpLink": lambda w, n: None,
    "registerHelper": lambda w, n: helper_body(f"志愿者{n}", skills=["shopping"]),
    "setHelperAvailability": lambda w, n: {"windows": ALWAYS},
    "openRequest": lambda w, n: {"community_code": COMMUNITY, "type": "shopping", "needs": "买菜"},
    "assignRequest": lambda w, n: {"helper_id": w.helper_id},
    "acknowledgeRequest": lambda w, n: {},
    "startRequest": lambda w, n: {},
    "fulfilRequest": lambda w, n: {},
    "cancelRequest": lambda w, n: {"reason": "已自行解决"},
    "revealRequestContact": lambda w, n: {"purpose": "delivery"},
    "createRequestTemplate": lambda w, n: {
        "community_code": COMMUNITY,
        "type": "medicine",
        "needs": "降压药",
        "every_days": 7,
        "first_on": str(date.today() + timedelta(days=1)),
    },
    "stopRequestTemplate": lambda w, n: None,
    "recordVisit": lambda w, n: {"outcome": "well"},
    # duty
    "createRotation": lambda w, n: {
        "community_code": COMMUNITY,
        "name": f"值班{n}",
        "kind": "daily",
        "starts_on": str(date.today() + timedelta(days=30 + n)),
        "ends_on": str(date.today() + timedelta(days=30 + n)),
        "shift_starts": ["08:00"],
        "crews": [{"duty_officer": _member(f"officer-{n}"), "leader": None}],
    },
    "setDutyPhone": lambda w, n: {"duty_phone": "0571-87000000"},
    "createOverride": lambda w, n: {
        "community_code": COMMUNITY,
        "starts_at": _at(60 + n, 8),
        "ends_at": _at(60 + n, 9),
        "role": "duty_officer",
        "member": _member(f"officer-{n}"),
        "reason": "临时顶岗",
    },
    "requestSwap": lambda w, n: {"shift_id": w.shift_id, "role": "duty_officer", "counterpart": _member("o-c")},
    "acceptSwap": lambda w, n: {},
    "approveSwap": lambda w, n: {},
    "rejectSwap": lambda w, n: {},
    "issueRosterFeed": lambda w, n: {},
    "revokeRosterFeed": lambda w, n: None,
    "putNotificationPolicy": lambda w, n: {"phone": "13905719999", "channels": ["sms", "robot"]},
    "openIncident": lambda w, n: {
        "community_code": COMMUNITY,
        "kind": "other",
        "severity": "low",
        "summary": "路灯坏了",
    },
    "acknowledgeIncident": lambda w, n: {},
    "resolveIncident": lambda w, n: {"reason": "已处理"},
    "activatePlan": lambda w, n: {"template_id": w.plan_template_id},
    "updateTask": lambda w, n: {"status": "done"},
    "putEscalationPolicy": lambda w, n: {"steps": [{"role": "duty_officer", "wait_minutes": 10}], "max_repeats": 0},
    "createPlanTemplate": lambda w, n: {
        "division_code": COMMUNITY,
        "name": f"预案{n}",
        "tasks": [{"title": "填报", "owner_role": "leader", "due_minutes": 60}],
    },
    "createSupply": lambda w, n: {"community_code": COMMUNITY, "item": f"口罩{n}", "unit": "个", "minimum": 10},
    "recordStockMovement": lambda w, n: {"kind": "received", "quantity": 10},
    "updateSupply": lambda w, n: {"minimum": 5},
    "updateVenue": lambda w, n: {"capacity": 30 + n},
    "recordDisinfection": lambda w, n: {"at": _just_now(), "area": "大厅", "agent": "含氯消毒液", "by_name": "保洁员"},
    "createCleaningTask": lambda w, n: {
        "community_code": COMMUNITY,
        "compound": "曙光小区",
        "area": f"电梯{n}",
        "company": "绿城物业",
        "due_on": str(date.today() + timedelta(days=1)),
    },
    "completeCleaningTask": lambda w, n: {"done_at": _just_now(), "by_name": "物业保洁"},
    "publishNotice": lambda w, n: {
        "community_code": COMMUNITY,
        "kind": "health_education",
        "title": f"通知{n}",
        "body": "勤洗手",
        "valid_from": _at(0, 0),
        "valid_until": _at(7, 0),
    },
    "withdrawNotice": lambda w, n: None,
    "createSlots": lambda w, n: {
        "community_code": COMMUNITY,
        "service": "核酸采样",
        "day": str(date.today() + timedelta(days=2 + n)),
        "first_start": "09:00",
        "last_end": "10:00",
        "minutes": 30,
        "capacity": 5,
    },
    "recomputeDailyReport": lambda w, n: None,
}

# monitoring's venue has no responsible person; duty's requires one. One operationId, two services.
VENUES: dict[str, Body] = {
    "monitoring": lambda w, n: {
        "community_code": COMMUNITY,
        "name": f"活动室{n}",
        "kind": "activity_room",
        "capacity": 20,
    },
}


def ids_for(world: World, service: str, operation_id: str) -> dict[str, str]:
    return {**world.ids[service], **world.by_operation.get(operation_id, {})}


def seeded_values(world: World, service: str) -> list[str]:
    """Every seeded id of a service, for the lists that must hide them from elsewhere."""
    extra = [v for ids in world.by_operation.values() for v in ids.values()]
    return [v for k, v in world.ids[service].items() if k.endswith("_id")] + extra


def body_for(service: str, operation_id: str, world: World, n: int) -> Any:
    if operation_id == "createVenue" and service in VENUES:
        return VENUES[service](world, n)
    return BODIES[operation_id](world, n)


def send_kwargs(body: Any) -> dict[str, Any]:
    """httpx keyword arguments for a body."""
    if isinstance(body, Raw):
        return {"content": body.content, "headers": {"content-type": body.content_type}}
    if isinstance(body, Form):
        return {"data": body.data, "files": body.files}
    return {} if body is None else {"json": body}
