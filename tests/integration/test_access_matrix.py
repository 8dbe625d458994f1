"""Who may call what, and where: every operation × role × jurisdiction, generated from the OpenAPI and the rights
each route records (`require(right)` in the services' views, named in their `rights.py`).

A small world is seeded once in the caller's own community (a grid and a person, the person's monitoring plan,
a care helper and request, a duty incident and venue); path parameters are mapped to those ids. Then each
operation is called by a token of each role in three jurisdictions: the own community, another community of
the same county, and another county. The answer must be:
- 403 for a role the operation's right does not name, wherever the caller is;
- for a role it names: a read of a seeded record or a list answers 2xx at home; a seeded record is 404 from
  the other two jurisdictions, and a list from there shows none of the seeded records (or is 404 when it names
  the own community); any other call is let through by the guard (neither 401 nor 403, nor a 5xx);
- an operation that names no right and is not marked public fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from gridline.auth import Right, Role
from gridline.http.deps import guard_of
from gridline.http.openapi import api_routes
from gridline.testing import Secrets, eventually

from tests.conftest import Platform
from tests.integration.care_world import helper_body, open_request, register_helper
from tests.integration.people import COMMUNITY, COUNTY, create_grid, returnee, worker
from tests.integration.test_query_plans import value_for

pytestmark = pytest.mark.integration

SERVICES = ("registry", "monitoring", "care", "duty")
OTHER_COMMUNITY_SAME_COUNTY = "330106001002"
OTHER_COUNTY = "330108"
JURISDICTIONS = {"own": COMMUNITY, "same county": OTHER_COMMUNITY_SAME_COUNTY, "other county": OTHER_COUNTY}
# Reads the service narrows further than the right: the record must also be the caller's own.
OWNER_ONLY = {
    ("getRequest", Role.VOLUNTEER): "a volunteer sees only the requests assigned to them",
    ("getHelper", Role.VOLUNTEER): "a volunteer sees only their own helper record",
    ("getHelper", Role.SOCIAL_WORKER): "a helper record is the helper's own or a coordinator's of its community",
}
# Monitoring keeps no grids of its own: a grid's worklist lists the plans the caller may see, like any list.
LISTS = {"getTodayWorklist"}
NOT_SCOPED = {"listDeadLetters", "replayDeadLetter", "listDivisions", "getRuleSet", "getMonitoringRules"}


@dataclass(frozen=True)
class Case:
    service: str
    operation_id: str
    method: str
    path: str
    operation: dict[str, Any]
    right: Right


async def seed(platform: Platform, secrets: Secrets) -> dict[str, dict[str, str]]:
    """The seeded records' ids, by path parameter name and service."""
    registry, care, duty = platform.client("registry"), platform.client("care"), platform.client("duty")
    grid_id = await create_grid(registry, secrets)
    person = await registry.post("/v1/persons", json=returnee(grid_id), headers=worker(secrets))
    assert person.status_code == 201, person.text
    person_id = person.json()["id"]

    async def plan_opened() -> str:
        listed = await platform.client("monitoring").get(
            "/v1/plans", params={"person_id": person_id}, headers=worker(secrets)
        )
        assert listed.json()["items"], listed.text
        return str(listed.json()["items"][0]["id"])

    plan_id = await eventually(plan_opened)
    helper = await register_helper(
        care, secrets, helper_body("志愿者甲", skills=["medicine"], account="matrix-volunteer")
    )
    request = await open_request(care, secrets)
    admin = secrets.headers("community_admin", jurisdiction=COMMUNITY, subject="seed-admin")
    incident = await duty.post(
        "/v1/incidents",
        json={"community_code": COMMUNITY, "kind": "other", "severity": "low", "summary": "门口积水"},
        headers=admin,
    )
    assert incident.status_code == 201, incident.text
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
    codes = {"community_code": COMMUNITY, "division_code": COMMUNITY}
    return {
        "registry": {"person_id": person_id, "grid_id": grid_id, **codes},
        "monitoring": {"plan_id": plan_id, "grid_id": grid_id, **codes},
        "care": {"helper_id": helper["id"], "request_id": request["id"], "person_id": person_id, **codes},
        "duty": {"incident_id": incident.json()["id"], "venue_id": venue.json()["id"], **codes},
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


def request_for(case: Case, ids: dict[str, str]) -> tuple[str, dict[str, Any], bool]:
    """The URL and query of a call, and whether every path parameter names a seeded record."""
    path, seeded = case.path, True
    query = {}
    for parameter in case.operation.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] == "path":
            seeded = seeded and name in ids
            path = path.replace("{" + name + "}", ids.get(name, "unknown-record"))
        elif parameter["in"] == "query" and (parameter.get("required") or name == "community_code"):
            query[name] = ids.get(name) or value_for(name, parameter["schema"], {"parent": COUNTY})
    return path, query, seeded and "{" in case.path


def expectation(case: Case, role: Role, where: str, *, seeded_record: bool) -> str:
    """ "403", "2xx", "404", "hiding" (a list showing none of the seeded records, or 404 for a community
    outside the caller's jurisdiction) or "admitted"."""
    if role not in case.right:
        return "403"
    read = case.method == "get" and case.operation_id != "streamIncidents"
    if not read:
        return "admitted"
    if where == "own":
        return (
            "admitted" if (case.operation_id, role) in OWNER_ONLY or (not seeded_record and "{" in case.path) else "2xx"
        )
    if case.operation_id in NOT_SCOPED:
        return "admitted"
    if seeded_record and case.operation_id not in LISTS:
        return "404"
    return "hiding" if "{" not in case.path or case.operation_id in LISTS else "admitted"


def meets(expected: str, response: httpx.Response, seeded: dict[str, str], path: str) -> bool:
    status = response.status_code
    if expected == "403":
        return status == 403
    if expected == "404":
        return status == 404
    if expected == "2xx":
        return 200 <= status < 300
    if expected == "hiding":
        # An id the request itself names (the grid of a worklist) may come back; no other seeded one may.
        hidden = [v for k, v in seeded.items() if k.endswith("_id") and v not in path]
        return status == 404 or (200 <= status < 300 and not any(v in response.text for v in hidden))
    return status not in (401, 403) and status < 500


def calls(all_cases: list[Case]) -> Iterator[tuple[Case, Role, str]]:
    for case in all_cases:
        for role in Role:
            for where in JURISDICTIONS:
                yield case, role, where


async def test_every_operation_answers_each_role_in_each_jurisdiction_as_its_rights_say(platform: Platform) -> None:
    await platform.start(*SERVICES)
    secrets = platform.sandbox.secrets
    seeded = await seed(platform, secrets)
    all_cases, public, unguarded = cases(platform)
    assert unguarded == [], f"operations with no right and not marked public: {unguarded}"

    wrong, counted = [], {"403": 0, "2xx": 0, "404": 0, "hiding": 0, "admitted": 0}
    for case, role, where in calls(all_cases):
        ids = seeded[case.service]
        path, query, seeded_record = request_for(case, ids)
        expected = expectation(case, role, where, seeded_record=seeded_record)
        headers = secrets.headers(role.value, jurisdiction=JURISDICTIONS[where], subject=f"matrix-{role}-{where}")
        if case.operation_id == "streamIncidents":
            query["max_seconds"] = 1
        body: dict[str, Any] | None = {} if case.method in ("post", "put", "patch") else None
        response = await platform.client(case.service).request(
            case.method.upper(), path, params=query, json=body, headers=headers
        )
        counted[expected] += 1
        if not meets(expected, response, ids, path):
            wrong.append(f"{case.operation_id} as {role} ({where}): expected {expected}, got {response.status_code}")
    print(f"access matrix: {sum(counted.values())} calls over {len(all_cases)} operations {counted}; public {public}")
    assert wrong == [], f"{len(wrong)} wrong:\n" + "\n".join(wrong)
    assert counted["404"] > 50
    assert counted["2xx"] > 50
