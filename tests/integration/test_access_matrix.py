"""Who may call what, and where: every operation × role × jurisdiction, generated from the OpenAPI and the rights
each route records (`require(right)` in the services' views, named in their `rights.py`).

A small world is seeded once in the caller's own community (a grid and people, a person's episode and
monitoring plan, a monitoring venue, care helpers, a request and a template, a duty incident with a task, a
venue, supply, notice, cleaning task and a swap of a rotation's shift); path parameters are mapped to those
ids, and every write is sent with a valid body (`matrix_bodies.py`). Then each operation is called by a token of
each role in three jurisdictions: the own community, another community of the same county, and another county.
The answer must be:
- 403 for a role the operation's right does not name, wherever the caller is;
- for a role it names, a read of a seeded record or a list answers 2xx at home; a seeded record is 404 from
  the other two jurisdictions, and a list from there shows none of the seeded records (or is 404 when it names
  the own community);
- for a role it names, a write to a seeded record is exactly 404 from the other two jurisdictions and leaves
  every seeded record as it was; at home it answers 2xx (on a fresh record where the write uses one up), or
  the refusal `AT_HOME` names; a platform admin's province-wide writes (`PROVINCE_WIDE`) answer 2xx anywhere;
- a write to a record that does not exist is 404 wherever the caller is;
- a create naming the own community in its body answers 2xx at home and, from elsewhere, exactly what
  `CREATE_FROM_ELSEWHERE` says the service answers;
- an operation that names no right and is not marked public fails the test, and so does a write without a body.

The calls that cannot change the world run concurrently; the writes at home run last, one at a time.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from gridline.auth import Right, Role
from gridline.http.deps import guard_of
from gridline.http.openapi import api_routes
from gridline.testing import Secrets, eventually

from tests.conftest import Platform
from tests.integration.care_world import helper_body, open_request, register_helper
from tests.integration.matrix_bodies import (
    BODIES,
    World,
    body_for,
    document,
    ids_for,
    seeded_values,
    send_kwargs,
)
from tests.integration.people import COMMUNITY, COUNTY, OTHER_COMMUNITY, create_grid, prc_id, returnee, worker
from tests.integration.test_query_plans import value_for

pytestmark = pytest.mark.integration

SERVICES = ("registry", "monitoring", "care", "duty")
OTHER_COUNTY = "330108"
JURISDICTIONS = {"own": COMMUNITY, "same county": OTHER_COMMUNITY, "other county": OTHER_COUNTY}
WRITES = ("post", "put", "patch", "delete")
# Reads the service narrows further than the right: the record must also be the caller's own.
OWNER_ONLY = {
    ("getRequest", Role.VOLUNTEER): "a volunteer sees only the requests assigned to them",
    ("getHelper", Role.SOCIAL_WORKER): "a helper record is the helper's own or a coordinator's of its community",
}
# Monitoring keeps no grids of its own: a grid's worklist lists the plans the caller may see, like any list.
LISTS = {"getTodayWorklist"}
NOT_SCOPED = {"listDeadLetters", "replayDeadLetter", "listDivisions", "getRuleSet", "getMonitoringRules"}
# What a create naming the own community (or, for a swap, a shift of its rotation; for a recompute, the own
# division) answers a caller from elsewhere: every service hides a community outside the caller's jurisdiction
# as if it did not exist ("community not found", "grid not found", "division not found", "shift not found").
CREATE_FROM_ELSEWHERE: dict[str, int] = {
    "registerPerson": 404,
    "createGrid": 404,
    "recordScreening": 404,
    "importPersons": 404,
    "declareRiskArea": 404,
    "createVenue": 404,
    "registerHelper": 404,
    "openRequest": 404,
    "createRequestTemplate": 404,
    "createRotation": 404,
    "createOverride": 404,
    "requestSwap": 404,
    "openIncident": 404,
    "createPlanTemplate": 404,
    "createSupply": 404,
    "createCleaningTask": 404,
    "publishNotice": 404,
    "createSlots": 404,
    "recomputeDailyReport": 404,
    # A person's own calendar feed and notification policy name no community: they follow the caller.
    "issueRosterFeed": 201,
    "revokeRosterFeed": 204,
    "putNotificationPolicy": 200,  # how the caller is paged is theirs, wherever their token says they are
}
# Writes to a seeded record that the other jurisdictions see answered otherwise than 404, with the reason
# (none today: every service hides a record outside the caller's jurisdiction).
FROM_ELSEWHERE: dict[str, tuple[int, str]] = {}
# Writes at home that answer a documented refusal instead of 2xx, with the reason.
COUNTY_ONLY = "a county's rules are kept by officers covering the county; the caller's own jurisdiction is a community"
AT_HOME: dict[tuple[str, Role], tuple[int, str]] = {
    ("putRuleSet", Role.COUNTY_OFFICER): (404, COUNTY_ONLY),
    ("putMonitoringRules", Role.COUNTY_OFFICER): (404, COUNTY_ONLY),
    ("recordCheckin", Role.COMMUNITY_ADMIN): (409, "the plan takes one check-in a day; the grid worker's came first"),
    ("requestSwap", Role.COMMUNITY_ADMIN): (422, "only the holder of a shift asks to swap it: the duty officer"),
    ("requestSwap", Role.GRID_WORKER): (422, "only the holder of a shift asks to swap it: the duty officer"),
    ("acceptSwap", Role.COMMUNITY_ADMIN): (404, "only the counterpart, the grid worker, accepts a swap"),
    ("acceptSwap", Role.DUTY_OFFICER): (404, "only the counterpart, the grid worker, accepts a swap"),
    ("rejectSwap", Role.DUTY_OFFICER): (404, "a swap is declined by its counterpart or those who approve swaps"),
}
# Writes a platform admin makes for the whole province, wherever their token says they are: 2xx from everywhere
# (so they run with the writes at home, one at a time).
PROVINCE_WIDE = {
    "putRuleSet": "a province's rule sets are the platform admins' (rules/service.py `put`)",
    "putMonitoringRules": "a province's monitoring rules are the platform admins' (rules/service.py `put`)",
    "declareRiskArea": "platform admins declare risk areas anywhere (risk_areas/service.py `_check_may_manage`)",
    "createDivision": "the division tree is the platform's",
    "importDivisions": "the division tree is the platform's",
}


@dataclass(frozen=True)
class Case:
    service: str
    operation_id: str
    method: str
    path: str
    operation: dict[str, Any]
    right: Right

    @property
    def write(self) -> bool:
        return self.method in WRITES


@dataclass(frozen=True)
class Call:
    case: Case
    role: Role
    where: str
    n: int  # unique to the call, for bodies that must not repeat


async def seed(platform: Platform, secrets: Secrets) -> World:
    """The seeded records, by path parameter name and service, and what the bodies refer to."""
    registry, care, duty = platform.client("registry"), platform.client("care"), platform.client("duty")
    grid_id = await create_grid(registry, secrets)
    other_grid = await registry.post(
        "/v1/grids",
        json={
            "community_code": OTHER_COMMUNITY,
            "name": "第2网格",
            "manager_name": "钱",
            "manager_phone": "13805710003",
        },
        headers=secrets.headers("community_admin", jurisdiction=COUNTY, subject="seed-admin"),
    )
    assert other_grid.status_code == 201, other_grid.text
    person_id = await register(platform, secrets, returnee(grid_id))
    person = await registry.get(f"/v1/persons/{person_id}", headers=worker(secrets))
    episode_id = person.json()["episodes"][0]["id"]
    spare_id = await register(platform, secrets, returnee(grid_id, number=prc_id(birth="19850101")))

    async def plan_opened() -> str:
        listed = await platform.client("monitoring").get(
            "/v1/plans", params={"person_id": person_id}, headers=worker(secrets)
        )
        assert listed.json()["items"], listed.text
        return str(listed.json()["items"][0]["id"])

    plan_id = await eventually(plan_opened)
    helper = await register_helper(
        care, secrets, helper_body("志愿者甲", skills=["shopping", "medicine"], account="matrix-volunteer-own")
    )
    social = await register_helper(
        care, secrets, helper_body("社工乙", skills=["shopping"], account="matrix-social_worker-own")
    )
    request = await open_request(care, secrets)
    admin = secrets.headers("community_admin", jurisdiction=COMMUNITY, subject="seed-admin")
    # One step and no repeats: an incident stays at the level it opens with, so nothing but the matrix's own
    # calls changes it (with nobody on duty, a longer chain would escalate step after step at once).
    policy = await duty.put(
        f"/v1/escalation-policies/{COMMUNITY}",
        json={"steps": [{"role": "duty_officer", "wait_minutes": 10}], "max_repeats": 0},
        headers=admin,
    )
    assert policy.status_code == 200, policy.text
    incident_id = await open_incident(platform, secrets)
    venue = await duty.post(
        "/v1/venues",
        json={
            "community_code": COMMUNITY,
            "name": "活动室",
            "kind": "activity_room",
            "capacity": 20,
            "responsible": {"name": "陈主任", "work_phone": "13805719999"},
        },
        headers=admin,
    )
    assert venue.status_code == 201, venue.text
    template = await duty.post(
        "/v1/plan-templates",
        json={
            "division_code": COMMUNITY,
            "name": "信息报送",
            "tasks": [{"title": "填报", "owner_role": "leader", "due_minutes": 60}],
        },
        headers=admin,
    )
    assert template.status_code == 201, template.text
    rotation = await duty.post(
        "/v1/rotations",
        json={
            "community_code": COMMUNITY,
            "name": "社区值班",
            "kind": "daily",
            "starts_on": str(date.today() + timedelta(days=1)),
            "shift_starts": ["08:00"],
            "crews": [{"duty_officer": {"subject": "matrix-duty_officer-own", "name": "值班员"}, "leader": None}],
        },
        headers=admin,
    )
    assert rotation.status_code == 201, rotation.text
    rule_set = await registry.get(f"/v1/rule-sets/{COUNTY}", headers=worker(secrets))
    rules = await platform.client("monitoring").get(f"/v1/monitoring-rules/{COUNTY}", headers=worker(secrets))
    assert (rule_set.status_code, rules.status_code) == (200, 200), (rule_set.text, rules.text)
    codes = {"community_code": COMMUNITY, "division_code": COMMUNITY}
    world = World(
        ids={
            "registry": {
                "person_id": person_id,
                "episode_id": episode_id,
                "grid_id": grid_id,
                "scope": COUNTY,
                **codes,
            },
            "monitoring": {
                "plan_id": plan_id,
                "grid_id": grid_id,
                "scope": COUNTY,
                **codes,
            },
            "care": {
                "helper_id": helper["id"],
                "request_id": request["id"],
                "person_id": person_id,
                **codes,
            },
            "duty": {
                "incident_id": incident_id,
                "venue_id": venue.json()["id"],
                **codes,
            },
        },
        grid_id=grid_id,
        other_grid_id=other_grid.json()["id"],
        spare_person_id=spare_id,
        helper_id=helper["id"],
        plan_template_id=template.json()["id"],
        social_helper_id=social["id"],
        shift_id=f"{rotation.json()['id']}:0",
        rule_set=rule_set.json(),
        monitoring_rules=rules.json(),
    )
    # More records for the writes that name them, each made the way the matrix's own create makes one.
    for service, name, path, operation_id in (
        ("monitoring", "venue_id", "/v1/venues", "createVenue"),
        ("care", "template_id", "/v1/request-templates", "createRequestTemplate"),
        ("duty", "supply_id", "/v1/supplies", "createSupply"),
        ("duty", "notice_id", "/v1/notices", "publishNotice"),
    ):
        world.ids[service][name] = await make(platform, secrets, world, service, path, operation_id)
    cleaning = await make(platform, secrets, world, "duty", "/v1/cleaning-tasks", "createCleaningTask")
    planned = await duty.post(
        f"/v1/incidents/{incident_id}/plans", json={"template_id": world.plan_template_id}, headers=admin
    )
    assert planned.status_code == 200, planned.text
    world.ids["duty"]["change_id"] = await swap_asked(platform, secrets, world, shift=1)
    world.by_operation = {
        "completeCleaningTask": {"task_id": cleaning},
        "updateTask": {"task_id": planned.json()["tasks"][0]["task_id"]},
    }
    return world


async def make(platform: Platform, secrets: Secrets, world: World, service: str, path: str, operation_id: str) -> str:
    """A record made at home by a community admin, with the body the matrix sends that create."""
    admin = secrets.headers("community_admin", jurisdiction=COMMUNITY, subject="seed-admin")
    made = await platform.client(service).post(
        path, headers=admin, **send_kwargs(body_for(service, operation_id, world, 0))
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def register(platform: Platform, secrets: Secrets, body: dict[str, Any]) -> str:
    person = await platform.client("registry").post("/v1/persons", json=body, headers=worker(secrets))
    assert person.status_code == 201, person.text
    return str(person.json()["id"])


async def open_incident(platform: Platform, secrets: Secrets) -> str:
    incident = await platform.client("duty").post(
        "/v1/incidents",
        json={"community_code": COMMUNITY, "kind": "other", "severity": "low", "summary": "门口积水"},
        headers=secrets.headers("community_admin", jurisdiction=COMMUNITY, subject="seed-admin"),
    )
    assert incident.status_code == 201, incident.text
    return str(incident.json()["id"])


# Writes that use their record up (a transfer moves the person away, a step moves a request on): at home each
# role is given a fresh record in the state the write starts from. The other jurisdictions write to the seeded
# one, which must stay as it was.
Fresh = Callable[[Platform, Secrets, World, Call], Awaitable[tuple[dict[str, str], dict[str, Any]]]]


async def fresh_person(
    platform: Platform, secrets: Secrets, world: World, call: Call
) -> tuple[dict[str, str], dict[str, Any]]:
    person_id = await register(platform, secrets, returnee(world.grid_id, number=document(call.n, 1940)))
    return {"person_id": person_id}, {}


async def fresh_duplicate(
    platform: Platform, secrets: Secrets, world: World, call: Call
) -> tuple[dict[str, str], dict[str, Any]]:
    person_id = await register(platform, secrets, returnee(world.grid_id, number=document(call.n, 1920)))
    return {}, {"spare_person_id": person_id}


def fresh_request(*steps: str) -> Fresh:
    async def make(
        platform: Platform, secrets: Secrets, world: World, call: Call
    ) -> tuple[dict[str, str], dict[str, Any]]:
        care = platform.client("care")
        request = await open_request(
            care, secrets, type_="shopping", contact={"name": "李秀英", "phone": "13905710002"}
        )
        for action in steps:
            helper_id = world.social_helper_id if call.role == Role.SOCIAL_WORKER else world.helper_id
            body = {"helper_id": helper_id} if action == "assign" else None
            done = await care.post(
                f"/v1/requests/{request['id']}/{action}",
                json=body,
                headers=secrets.headers("community_admin", jurisdiction=COMMUNITY, subject="seed-admin"),
            )
            assert done.status_code == 200, done.text
        return {"request_id": request["id"]}, {}

    return make


async def fresh_incident(
    platform: Platform, secrets: Secrets, world: World, call: Call
) -> tuple[dict[str, str], dict[str, Any]]:
    return {"incident_id": await open_incident(platform, secrets)}, {}


COUNTERPART = {"subject": "matrix-grid_worker-own", "name": "网格员"}


async def swap_asked(platform: Platform, secrets: Secrets, world: World, *, shift: int, accepted: bool = False) -> str:
    """A swap of one of the seeded rotation's shifts, asked by the duty officer who holds it of the grid worker
    at home (and accepted by them)."""
    duty, shift_id = platform.client("duty"), f"{world.shift_id.rsplit(':', 1)[0]}:{shift}"
    asked = await duty.post(
        "/v1/swaps",
        json={"shift_id": shift_id, "role": "duty_officer", "counterpart": COUNTERPART},
        headers=secrets.headers("duty_officer", jurisdiction=COMMUNITY, subject="matrix-duty_officer-own"),
    )
    assert asked.status_code == 201, asked.text
    change_id = str(asked.json()["id"])
    if accepted:
        done = await duty.post(
            f"/v1/swaps/{change_id}/accept",
            json={},
            headers=secrets.headers("grid_worker", jurisdiction=COMMUNITY, subject=COUNTERPART["subject"]),
        )
        assert done.status_code == 200, done.text
    return change_id


def fresh_swap(*, accepted: bool = False) -> Fresh:
    async def asked(
        platform: Platform, secrets: Secrets, world: World, call: Call
    ) -> tuple[dict[str, str], dict[str, Any]]:
        return {"change_id": await swap_asked(platform, secrets, world, shift=2 + call.n % 500, accepted=accepted)}, {}

    return asked


def fresh_made(service: str, name: str, path: str, operation_id: str) -> Fresh:
    async def made(
        platform: Platform, secrets: Secrets, world: World, call: Call
    ) -> tuple[dict[str, str], dict[str, Any]]:
        return {name: await make(platform, secrets, world, service, path, operation_id)}, {}

    return made


FRESH: dict[str, Fresh] = {
    "stopRequestTemplate": fresh_made("care", "template_id", "/v1/request-templates", "createRequestTemplate"),
    "withdrawNotice": fresh_made("duty", "notice_id", "/v1/notices", "publishNotice"),
    "acceptSwap": fresh_swap(),
    "rejectSwap": fresh_swap(),
    "approveSwap": fresh_swap(accepted=True),
    "completeCleaningTask": fresh_made("duty", "task_id", "/v1/cleaning-tasks", "createCleaningTask"),
    "transferPerson": fresh_person,
    "mergePersons": fresh_duplicate,
    "assignRequest": fresh_request(),
    "acknowledgeRequest": fresh_request("assign"),
    "startRequest": fresh_request("assign", "acknowledge"),
    "fulfilRequest": fresh_request("assign", "acknowledge", "start"),
    "cancelRequest": fresh_request(),
    "revealRequestContact": fresh_request("assign"),
    "acknowledgeIncident": fresh_incident,
    "resolveIncident": fresh_incident,
    "activatePlan": fresh_incident,
}


def cases(platform: Platform) -> tuple[list[Case], list[str], list[str]]:
    """Guarded operations as cases; the public ones; and those that are neither (each one a failure)."""
    found, public, unguarded = [], [], []
    for service in SERVICES:
        app = platform.running.apps[service]
        routes = api_routes(app)
        for path, operations in app.openapi()["paths"].items():
            for method, operation in operations.items():
                operation_id = operation["operationId"]
                guard = guard_of(routes[operation_id])
                if guard == "public":
                    public.append(operation_id)
                elif isinstance(guard, Right):
                    found.append(Case(service, operation_id, method, path, operation, guard))
                else:
                    unguarded.append(f"{service}.{operation_id}")
    return found, public, unguarded


def request_for(case: Case, ids: dict[str, str]) -> tuple[str, dict[str, Any], str]:
    """The URL and query of a call, and what its path names: "seeded" records, an "unknown" one, or "none"."""
    path, named = case.path, "none"
    query = {}
    for parameter in case.operation.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] == "path":
            named = "seeded" if name in ids and named != "unknown" else "unknown"
            path = path.replace("{" + name + "}", ids.get(name, "unknown-record"))
        elif parameter["in"] == "query" and (parameter.get("required") or name == "community_code"):
            query[name] = ids.get(name) or value_for(name, parameter["schema"], {"parent": COUNTY})
    return path, query, named


def expectation(case: Case, role: Role, where: str, *, named: str) -> str:
    """A status code, "2xx", "hiding" (a list showing none of the seeded records, or 404 for a community
    outside the caller's jurisdiction) or "admitted" (neither 401 nor 403, nor a 5xx)."""
    if role not in case.right:
        return "403"
    if case.write:
        return write_expectation(case, role, where, named=named)
    if where == "own":
        return "admitted" if (case.operation_id, role) in OWNER_ONLY or named == "unknown" else "2xx"
    if case.operation_id in NOT_SCOPED:
        return "admitted"
    if named == "seeded" and case.operation_id not in LISTS:
        return "404"
    return "hiding" if named == "none" or case.operation_id in LISTS else "admitted"


def write_expectation(case: Case, role: Role, where: str, *, named: str) -> str:
    if named == "unknown":
        return "404"
    if where == "own" or (role == Role.PLATFORM_ADMIN and case.operation_id in PROVINCE_WIDE):
        refused = AT_HOME.get((case.operation_id, role))
        return str(refused[0]) if refused else "2xx"
    if named == "seeded":
        return str(FROM_ELSEWHERE.get(case.operation_id, (404, ""))[0])
    return str(CREATE_FROM_ELSEWHERE.get(case.operation_id, "unlisted"))


def at_home(call: Call) -> bool:
    """Whether a write answers as at home: from the own community, or province-wide by a platform admin."""
    return call.where == "own" or (call.role == Role.PLATFORM_ADMIN and call.case.operation_id in PROVINCE_WIDE)


def meets(expected: str, response: httpx.Response, seeded: list[str], path: str) -> bool:
    status = response.status_code
    if expected.isdigit():
        return status == int(expected)
    if expected == "2xx":
        return 200 <= status < 300
    if expected == "unlisted":
        return False  # a create from elsewhere whose answer CREATE_FROM_ELSEWHERE does not name
    if expected == "hiding":
        # An id the request itself names (the grid of a worklist) may come back; no other seeded one may.
        hidden = [v for v in seeded if v not in path]
        return status == 404 or (200 <= status < 300 and not any(v in response.text for v in hidden))
    return status not in (401, 403) and status < 500


def calls(all_cases: list[Case]) -> Iterator[Call]:
    n = 0
    for case in all_cases:
        for role in Role:
            for where in JURISDICTIONS:
                n += 1
                yield Call(case, role, where, n)


async def snapshot(platform: Platform, secrets: Secrets, all_cases: list[Case], world: World) -> dict[str, str]:
    """Every read of a seeded record that answers the same twice in a row, by URL: what a write must not change."""
    headers = {role: secrets.headers(role.value, jurisdiction=COMMUNITY, subject=f"matrix-{role}-own") for role in Role}
    reads = {}
    for case in all_cases:
        path, query, named = request_for(case, ids_for(world, case.service, case.operation_id))
        if case.write or named != "seeded" or query or case.operation_id in LISTS:
            continue
        role = next(r for r in Role if r in case.right)
        reads[f"{case.service} {path}"] = (case.service, path, headers[role])
    # The person a merge from elsewhere names as the duplicate must be left alone too.
    spare = f"/v1/persons/{world.spare_person_id}"
    reads[f"registry {spare}"] = ("registry", spare, headers[Role.GRID_WORKER])

    async def read(service: str, path: str, auth: dict[str, str]) -> str:
        return (await platform.client(service).get(path, headers=auth)).text

    async def once() -> dict[str, str]:
        answers = await asyncio.gather(*(read(*args) for args in reads.values()))
        return dict(zip(reads, answers, strict=True))

    first, second = await once(), await once()
    return {url: answer for url, answer in first.items() if second[url] == answer}


async def test_every_operation_answers_each_role_in_each_jurisdiction_as_its_rights_say(platform: Platform) -> None:
    # Thousands of calls by a handful of callers: the per-caller allowance is not what this test is about.
    await platform.start(*SERVICES, rate_limit_per_caller="100000/minute")
    secrets = platform.sandbox.secrets
    sent_in_all = [0]

    async def count(request: httpx.Request) -> None:
        sent_in_all[0] += 1

    for service in SERVICES:
        platform.client(service).event_hooks["request"].append(count)
    world = await seed(platform, secrets)
    all_cases, public, unguarded = cases(platform)
    assert unguarded == [], f"operations with no right and not marked public: {unguarded}"
    bodiless = [c.operation_id for c in all_cases if c.write and c.operation_id not in BODIES]
    assert bodiless == [], f"writes with no body in matrix_bodies.BODIES: {bodiless}"
    known = {c.operation_id for c in all_cases}
    named = {*CREATE_FROM_ELSEWHERE, *FROM_ELSEWHERE, *PROVINCE_WIDE, *FRESH, *(op for op, _ in AT_HOME)}
    assert named <= known, f"the tables name operations that no longer exist: {sorted(named - known)}"

    wrong: list[str] = []
    counted = {"403": 0, "2xx": 0, "404": 0, "hiding": 0, "admitted": 0}

    # One token per role and jurisdiction, minted once: signing one per call would cost more than the call.
    tokens = {
        (role, where): secrets.headers(role.value, jurisdiction=code, subject=f"matrix-{role}-{where}")
        for role in Role
        for where, code in JURISDICTIONS.items()
    }

    async def send(call: Call, ids: dict[str, str], w: World) -> None:
        case, role, where = call.case, call.role, call.where
        path, query, named = request_for(case, ids)
        expected = expectation(case, role, where, named=named)
        headers = dict(tokens[role, where])
        if case.operation_id == "streamIncidents":
            query["max_seconds"] = 1
        sent = send_kwargs(body_for(case.service, case.operation_id, w, call.n)) if case.write else {}
        headers.update(sent.pop("headers", {}))
        response = await platform.client(case.service).request(
            case.method.upper(), path, params=query, headers=headers, **sent
        )
        counted[expected] = counted.get(expected, 0) + 1
        if expected == "unlisted":
            wrong.append(
                f"{case.operation_id} from elsewhere got {response.status_code}: add it to CREATE_FROM_ELSEWHERE"
            )
        elif not meets(expected, response, seeded_values(world, case.service), path):
            wrong.append(
                f"{case.operation_id} as {role} ({where}): expected {expected}, got {response.status_code}"
                f" {response.text[:300]}"
            )

    everything = list(calls(all_cases))
    last = [c for c in everything if c.case.write and c.role in c.case.right and at_home(c)]
    first = [c for c in everything if c not in last]
    before = await snapshot(platform, secrets, all_cases, world)
    limit = asyncio.Semaphore(8)

    async def bounded(call: Call) -> None:
        async with limit:
            await send(call, ids_for(world, call.case.service, call.case.operation_id), world)

    await asyncio.gather(*(bounded(c) for c in first))
    after = await snapshot(platform, secrets, all_cases, world)
    wrong += [
        f"{url} changed by the writes from elsewhere: {answer[:300]} -> {after[url][:300]}"
        for url, answer in before.items()
        if after.get(url, answer) != answer
    ]

    async def prepare(call: Call) -> tuple[dict[str, str], World]:
        ids = ids_for(world, call.case.service, call.case.operation_id)
        fresh = FRESH.get(call.case.operation_id)
        if fresh is None:
            return ids, world
        async with limit:
            id_overrides, world_overrides = await fresh(platform, secrets, world, call)
        return {**ids, **id_overrides}, dataclasses.replace(world, **world_overrides)

    # The fresh records are made all at once; the writes at home then run one at a time, in the OpenAPI's order.
    prepared = await asyncio.gather(*(prepare(c) for c in last))
    for call, (ids, w) in zip(last, prepared, strict=True):
        await send(call, ids, w)

    print(
        f"access matrix: {sum(counted.values())} calls over {len(all_cases)} operations {counted}"
        f" ({sent_in_all[0]} requests in all, with the seeding, fresh records and read-backs); public {public}"
    )
    assert wrong == [], f"{len(wrong)} wrong:\n" + "\n".join(sorted(wrong))
    assert counted["404"] > 50
    assert counted["2xx"] > 50
