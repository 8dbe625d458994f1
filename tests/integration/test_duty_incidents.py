"""Incidents: an alert reaches whoever is on duty for its grid, escalates after the wait unless acknowledged,
exactly once with two instances; overdue help requests, emergency plans, the live stream."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from duty.incidents import stream
from duty.main import create_app as create_duty
from duty.settings import DutySettings
from duty.supplies.events import BELOW_MINIMUM, SupplyAlarm
from gridline.testing import Received, Secrets, eventually

from tests.conftest import Platform
from tests.contracts import upstream as agreed
from tests.services.duty.support import (
    COMMUNITY,
    COUNTY,
    MORNING,
    OTHER_COMMUNITY,
    admin,
    clock_at,
    create_rotation,
    of_type,
    officer,
    publish,
    publish_grid,
)

pytestmark = pytest.mark.integration


def alert(
    alert_id: str, *, kind: str = "fever", grid_id: str | None = "grid-1", venue_id: str | None = None
) -> agreed.AlertRaised:
    return agreed.AlertRaised(
        alert_id=alert_id,
        kind=kind,
        severity="high",
        community_code=COMMUNITY,
        grid_id=grid_id,
        person_id="person-1",
        plan_id="plan-1",
        checkin_id="checkin-1",
        venue_id=venue_id,
        reason="体温37.8℃",
        raised_at=MORNING,
    )


async def incidents(duty: httpx.AsyncClient, secrets: Secrets, *, count: int = 1) -> list[dict[str, Any]]:
    async def listed() -> list[dict[str, Any]]:
        response = await duty.get("/v1/incidents", headers=officer(secrets, "officer-a"))
        items: list[dict[str, Any]] = response.json()["items"]
        assert len(items) == count, items
        return items

    return await eventually(listed)


async def level_reaches(duty: httpx.AsyncClient, secrets: Secrets, incident_id: str, level: int) -> dict[str, Any]:
    async def reached() -> dict[str, Any]:
        found: dict[str, Any] = (await duty.get(f"/v1/incidents/{incident_id}", headers=admin(secrets))).json()
        assert found["level"] == level, found
        return found

    return await eventually(reached)


async def steps(platform: Platform, at_least: int) -> list[Received]:
    return await platform.sandbox.read_topic("duty.incident.v1", at_least=at_least)


async def test_an_alert_opens_an_incident_for_whoever_is_on_duty_for_its_grid(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await create_rotation(duty, secrets)

    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-1"), key="alert-1")

    [incident] = await incidents(duty, secrets)
    [opened] = of_type(await steps(platform, 1), "opened")
    assert (incident["kind"], incident["severity"], incident["source_type"], incident["source_id"]) == (
        "fever",
        "high",
        "alert",
        "alert-1",
    )
    assert (incident["assignee"]["subject"], incident["assignee"]["role"], incident["level"]) == (
        "officer-a",
        "duty_officer",
        0,
    )
    assert opened.data | {"at": None} == {
        "incident_id": incident["id"],
        "community_code": COMMUNITY,
        "grid_id": "grid-1",
        "venue_id": None,
        "kind": "fever",
        "severity": "high",
        "source_type": "alert",
        "source_id": "alert-1",
        "assignee": "officer-a",
        "level": 0,
        "at": None,
    }
    assert "37.8" not in json.dumps(opened.data)  # the reason stays in duty; events carry no health data


async def test_the_same_alert_delivered_twice_opens_one_incident(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await create_rotation(duty, secrets)
    event = await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-1"), key="alert-1")
    key, value, headers = event.to_record()

    await platform.sandbox.publish_raw(agreed.ALERT_TOPIC, value=value, key=key, headers=headers)

    runner = next(c for c in platform.runtime("duty").consumers if c.group.endswith("duty.incidents"))

    async def both_handled() -> None:
        assert runner.stats.handled == 2

    await eventually(both_handled)
    await incidents(duty, secrets, count=1)
    assert len(of_type(await steps(platform, 1), "opened")) == 1


async def test_nobody_acknowledging_escalates_to_the_leader_after_the_wait_and_an_acknowledgement_stops_it(
    platform: Platform,
) -> None:
    clock = clock_at()
    await platform.start("duty", clock=clock)
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await create_rotation(duty, secrets)
    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-1"), key="alert-1")
    [incident] = await incidents(duty, secrets)

    clock.advance(timedelta(minutes=9, seconds=59))
    await asyncio.sleep(1.5)
    still = (await duty.get(f"/v1/incidents/{incident['id']}", headers=admin(secrets))).json()
    clock.advance(timedelta(seconds=1))
    escalated = await level_reaches(duty, secrets, incident["id"], 1)
    acknowledged = await duty.post(
        f"/v1/incidents/{incident['id']}/acknowledge", json={}, headers=officer(secrets, "leader-a")
    )
    clock.advance(timedelta(hours=2))
    await asyncio.sleep(1.5)
    later = (await duty.get(f"/v1/incidents/{incident['id']}", headers=admin(secrets))).json()

    assert still["level"] == 0
    assert (escalated["assignee"]["subject"], escalated["assignee"]["role"]) == ("leader-a", "leader")
    assert [(e["level"], e["to_role"]) for e in escalated["escalations"]] == [(1, "leader")]
    assert acknowledged.status_code == 200, acknowledged.text
    assert (later["status"], later["level"], later["acknowledged_by"]) == ("acknowledged", 1, "leader-a")
    records = await steps(platform, 3)
    assert [r.event().type.split(".")[-2] for r in records] == ["opened", "escalated", "acknowledged"]
    [step] = of_type(records, "escalated")
    assert (step.data["to_role"], step.data["assignee"], step.data["level"]) == ("leader", "leader-a", 1)
    assert step.data["at"] == (MORNING + timedelta(minutes=10)).astimezone(UTC).isoformat().replace("+00:00", "Z")


async def test_escalation_happens_exactly_once_with_two_instances_along_the_whole_chain(platform: Platform) -> None:
    clock = clock_at()
    await platform.start("duty", clock=clock, instance_id="duty-a")
    second = create_duty(DutySettings(**platform.sandbox.settings("duty", instance_id="duty-b")), clock=clock)
    await platform.running.start("duty-b", second)
    # The test moves time in jumps of minutes, which real time never does: a relay lease of 15 s would lapse at
    # every jump and pass to the other instance in the middle of a round, so an event could be sent by both (an
    # at-least-once relay's redelivery, deduplicated by consumers). A lease outlasting the jumps keeps one relay,
    # so every record on the topic below is one the timers made.
    for name in ("duty", "duty-b"):
        relay = platform.runtime(name).relay
        assert relay is not None
        relay._lease._ttl = timedelta(days=1)
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await create_rotation(duty, secrets)
    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-1"), key="alert-1")
    [incident] = await incidents(duty, secrets)

    # The chain: duty officer (10 min), leader (10 min), township desk (15 min), then the desk twice more.
    for level, wait in ((1, 10), (2, 10), (3, 15), (4, 15)):
        clock.advance(timedelta(minutes=wait))
        await level_reaches(platform.client("duty-b"), secrets, incident["id"], level)
    clock.advance(timedelta(hours=3))
    await asyncio.sleep(2)

    final = (await duty.get(f"/v1/incidents/{incident['id']}", headers=admin(secrets))).json()
    escalated = of_type(await steps(platform, 5), "escalated")
    assert [(e.data["level"], e.data["to_role"], e.data["assignee"]) for e in escalated] == [
        (1, "leader", "leader-a"),
        (2, "township_desk", "desk:330106001"),
        (3, "township_desk", "desk:330106001"),
        (4, "township_desk", "desk:330106001"),
    ]
    assert [e["level"] for e in final["escalations"]] == [1, 2, 3, 4]
    assert (final["level"], final["status"]) == (4, "open")
    jobs = platform.sandbox.database("duty")["jobs"]
    assert await jobs.count_documents({"kind": "incident.escalate"}) == 4


async def test_an_escalation_timer_survives_a_restart(platform: Platform) -> None:
    clock = clock_at()
    await platform.start("duty", clock=clock)
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await create_rotation(duty, secrets)
    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-1"), key="alert-1")
    [incident] = await incidents(duty, secrets)

    await platform.restart("duty", clock=clock)
    clock.advance(timedelta(minutes=10))

    escalated = await level_reaches(platform.client("duty"), secrets, incident["id"], 1)
    assert escalated["assignee"]["subject"] == "leader-a"


async def test_an_alert_with_nobody_on_duty_goes_straight_up_the_chain(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets

    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-1"), key="alert-1")

    [incident] = await incidents(duty, secrets)
    reached = await level_reaches(duty, secrets, incident["id"], 2)
    assert reached["assignee"] == {"subject": "desk:330106001", "name": "乡镇（街道）值班室", "role": "township_desk"}


async def test_an_overdue_help_request_opens_an_incident_and_a_resolved_alert_closes_its_own(
    platform: Platform,
) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await create_rotation(duty, secrets)
    overdue = agreed.RequestOverdue(
        request_id="request-1",
        community_code=COMMUNITY,
        grid_id="grid-1",
        person_id="person-2",
        type="medicine",
        priority="urgent",
        missed="acknowledge",
        due_at=MORNING,
        at=MORNING,
    )
    resolved = agreed.AlertResolved(
        alert_id="alert-1",
        kind="fever",
        severity="high",
        community_code=COMMUNITY,
        grid_id="grid-1",
        person_id="person-1",
        by="worker-1",
        reason="复测体温正常",
        at=MORNING,
    )

    await publish(platform.sandbox, agreed.REQUEST_OVERDUE, overdue, key="request-1")
    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-1"), key="alert-1")
    await publish(platform.sandbox, agreed.ALERT_RESOLVED, resolved, key="alert-1")

    async def both_in() -> dict[str, dict[str, Any]]:
        found = {i["source_type"]: i for i in await incidents(duty, secrets, count=2)}
        assert found["alert"]["status"] == "resolved"
        return found

    found = await eventually(both_in)
    assert (found["care_request"]["kind"], found["care_request"]["severity"]) == ("help_request_overdue", "critical")
    assert found["care_request"]["assignee"]["subject"] == "officer-a"
    assert found["alert"]["resolution"] == "预警已解除：复测体温正常"


async def test_a_red_code_at_a_service_centre_activates_its_emergency_plan(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await create_rotation(duty, secrets)
    await publish_grid(platform.sandbox, "grid-1")
    venue = await duty.post(
        "/v1/venues",
        json={
            "community_code": COMMUNITY,
            "name": "曙光社区党群服务中心",
            "kind": "service_centre",
            "capacity": 30,
            "responsible": {"name": "陈主任", "work_phone": "0571-87001111"},
        },
        headers=admin(secrets),
    )
    plan = await duty.post(
        "/v1/plan-templates",
        json={
            "division_code": COUNTY,
            "name": "服务中心红码处置预案",
            "triggers": ["venue_health_code"],
            "venue_kinds": ["service_centre"],
            "tasks": [
                {"title": "将人员带至临时观察室隔离", "owner_role": "venue_manager", "due_minutes": 10},
                {"title": "向乡镇（街道）报告", "owner_role": "duty_officer", "due_minutes": 30},
                {"title": "对接触点位消毒", "owner_role": "venue_manager", "due_minutes": 120},
                {"title": "排查密切接触者", "owner_role": "grid_manager", "due_minutes": 240},
            ],
        },
        headers=admin(secrets, COUNTY, "county-1"),
    )
    by_hand = await duty.post(
        "/v1/plan-templates",
        json={
            "division_code": COMMUNITY,
            "name": "信息报送",
            "tasks": [{"title": "填报", "owner_role": "leader", "due_minutes": 60}],
        },
        headers=admin(secrets),
    )
    assert (venue.status_code, plan.status_code, by_hand.status_code) == (201, 201, 201), (venue.text, plan.text)

    async def grid_known() -> None:
        board = await duty.get("/v1/public/grids", params={"community_code": COMMUNITY})
        assert board.json()["items"]

    await eventually(grid_known)
    red_code = alert("alert-9", kind="venue_health_code", venue_id=venue.json()["id"])
    await publish(platform.sandbox, agreed.ALERT_RAISED, red_code, key="alert-9")
    [incident] = await incidents(duty, secrets)
    done = await duty.patch(
        f"/v1/incidents/{incident['id']}/tasks/t1", json={"status": "done"}, headers=officer(secrets, "officer-a")
    )
    added = await duty.post(
        f"/v1/incidents/{incident['id']}/plans",
        json={"template_id": by_hand.json()["id"]},
        headers=officer(secrets, "officer-a"),
    )

    opened = datetime.fromisoformat(incident["opened_at"])
    assert [
        (t["title"], t["owner_role"], t["owner"], t["owner_name"], datetime.fromisoformat(t["due_at"]) - opened)
        for t in incident["tasks"]
    ] == [
        ("将人员带至临时观察室隔离", "venue_manager", None, "陈主任", timedelta(minutes=10)),
        ("向乡镇（街道）报告", "duty_officer", "officer-a", "值班员officer-a", timedelta(minutes=30)),
        ("对接触点位消毒", "venue_manager", None, "陈主任", timedelta(minutes=120)),
        ("排查密切接触者", "grid_manager", None, "张网格", timedelta(minutes=240)),
    ]
    assert (done.json()["tasks"][0]["status"], done.json()["tasks"][0]["done_by"]) == ("done", "officer-a")
    assert [(t["task_id"], t["owner"]) for t in added.json()["tasks"]][-1] == ("t5", "leader-a")


async def test_the_live_stream_sends_new_incidents_and_escalations_of_the_callers_jurisdiction(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The feed sends each incident as it is at a poll: a step taken and overtaken between two polls is sent as
    # the later one. So the test lets time pass for the escalation only once a poll has found the incident.
    polled = asyncio.Event()
    poll = stream._changed_since

    async def watched(**kwargs: Any) -> list[dict[str, Any]]:
        found = await poll(**kwargs)
        if found:
            polled.set()
        return found

    monkeypatch.setattr(stream, "_changed_since", watched)
    clock = clock_at()
    await platform.start("duty", clock=clock, stream_poll_seconds=0.2)
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await create_rotation(duty, secrets)
    since = (MORNING - timedelta(minutes=1)).isoformat()
    listening = asyncio.create_task(
        duty.get(
            "/v1/incidents/stream",
            params={"since": since, "max_seconds": 6},
            headers=officer(secrets, "officer-a"),
            timeout=30,
        )
    )
    elsewhere = await duty.post(
        "/v1/incidents",
        json={"community_code": OTHER_COMMUNITY, "kind": "other", "severity": "low", "summary": "隔壁社区"},
        headers=admin(secrets, COUNTY, "county-1"),
    )
    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-1"), key="alert-1")
    [incident] = await incidents(duty, secrets)
    await asyncio.wait_for(polled.wait(), 5)
    clock.advance(timedelta(minutes=10))
    await level_reaches(duty, secrets, incident["id"], 1)

    response = await listening
    events = [_parse(block) for block in response.text.split("\n\n") if block.startswith("event:")]

    assert elsewhere.status_code == 201, elsewhere.text
    assert response.headers["content-type"].startswith("text/event-stream")
    assert [(e["event"], e["data"]["step"], e["data"]["incident"]["level"]) for e in events] == [
        ("incident", "opened", 0),
        ("incident", "escalated", 1),
    ]
    assert {e["data"]["incident"]["community_code"] for e in events} == {COMMUNITY}
    assert all(e["id"].endswith(f"|{incident['id']}|{e['data']['incident']['version']}") for e in events)


async def test_incidents_outside_the_jurisdiction_do_not_exist_and_bad_input_is_a_4xx(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    opened = await duty.post(
        "/v1/incidents",
        json={"community_code": COMMUNITY, "kind": "other", "severity": "low", "summary": "手动"},
        headers=admin(secrets),
    )
    incident_id = opened.json()["id"]

    neighbour = admin(secrets, OTHER_COMMUNITY, "admin-2")
    seen_by_neighbour = await duty.get(f"/v1/incidents/{incident_id}", headers=neighbour)
    acked_by_neighbour = await duty.post(f"/v1/incidents/{incident_id}/acknowledge", json={}, headers=neighbour)
    bad_kind = await duty.post(
        "/v1/incidents",
        json={"community_code": COMMUNITY, "kind": "aliens", "severity": "low", "summary": "x"},
        headers=admin(secrets),
    )
    empty_reason = await duty.post(f"/v1/incidents/{incident_id}/resolve", json={"reason": ""}, headers=admin(secrets))
    resolved = await duty.post(
        f"/v1/incidents/{incident_id}/resolve", json={"reason": "已处置"}, headers=admin(secrets)
    )
    ack_after = await duty.post(f"/v1/incidents/{incident_id}/acknowledge", json={}, headers=admin(secrets))
    naive_stream = await duty.get(
        "/v1/incidents/stream", params={"since": "2021-01-12T08:00:00", "max_seconds": 1}, headers=admin(secrets)
    )
    unknown_task = await duty.patch(
        f"/v1/incidents/{incident_id}/tasks/t9", json={"status": "done"}, headers=admin(secrets)
    )

    assert opened.status_code == 201, opened.text
    assert [r.status_code for r in (seen_by_neighbour, acked_by_neighbour, bad_kind, empty_reason)] == [
        404,
        404,
        422,
        422,
    ]
    assert (resolved.json()["status"], ack_after.status_code, unknown_task.status_code) == ("resolved", 409, 404)
    assert naive_stream.status_code == 422


def _parse(block: str) -> dict[str, Any]:
    fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
    return {"event": fields["event"], "id": fields["id"], "data": json.loads(fields["data"])}


async def test_overdue_requests_supply_alarms_and_resolved_alerts_delivered_twice_act_once(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await create_rotation(duty, secrets)
    overdue = agreed.RequestOverdue(
        request_id="request-1",
        community_code=COMMUNITY,
        grid_id=None,
        person_id=None,
        type="shopping",
        priority="normal",
        missed="fulfil",
        due_at=MORNING,
        at=MORNING,
    )
    shortage = SupplyAlarm(
        supply_id="supply-1",
        community_code=COMMUNITY,
        venue_id=None,
        item="口罩",
        quantity=3,
        minimum=10,
        expires_on=None,
        at=MORNING,
    )
    resolved = agreed.AlertResolved(
        alert_id="alert-1",
        kind="fever",
        severity="high",
        community_code=COMMUNITY,
        grid_id="grid-1",
        person_id="person-1",
        by="w",
        reason="正常",
        at=MORNING,
    )
    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-1"), key="alert-1")
    await incidents(duty, secrets, count=1)

    for spec, data, key in (
        (agreed.REQUEST_OVERDUE, overdue, "request-1"),
        (BELOW_MINIMUM, shortage, "supply-1"),
        (agreed.ALERT_RESOLVED, resolved, "alert-1"),
    ):
        event = await publish(platform.sandbox, spec, data, key=key)
        record_key, value, headers = event.to_record()
        await platform.sandbox.publish_raw(spec.topic, value=value, key=record_key, headers=headers)

    runner = next(c for c in platform.runtime("duty").consumers if c.group.endswith("duty.incidents"))

    async def all_handled() -> None:
        assert runner.stats.handled >= 7  # the alert, and each of the three twice

    await eventually(all_handled)
    listed = await incidents(duty, secrets, count=3)
    records = await steps(platform, 4)
    assert sorted(i["source_type"] for i in listed) == ["alert", "care_request", "supply"]
    assert len(of_type(records, "opened")) == 3
    assert len(of_type(records, "resolved")) == 1
