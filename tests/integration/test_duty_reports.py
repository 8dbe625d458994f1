"""The daily report: counted from the events of every service, rolled up the division tree, published at the
report time, pushed signed to the provincial platform, and recomputable from the stored events."""

from __future__ import annotations

import base64
import os
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from gridline.events import EventData, EventSpec
from gridline.signatures import verify
from gridline.testing import Secrets, eventually
from monitoring.figures.projection import nested
from registry.persons.events import REGISTERED, PersonRegistered

from tests.conftest import Platform
from tests.contracts import upstream as agreed
from tests.services.duty.support import (
    COMMUNITY,
    COUNTY,
    MORNING,
    OTHER_COMMUNITY,
    TOWNSHIP,
    Receiver,
    admin,
    clock_at,
    create_rotation,
    crew,
    local,
    of_type,
    publish,
    webhook_receiver,
)

pytestmark = pytest.mark.integration

DAY = date(2021, 1, 12)
FAR_COMMUNITY = "330106002001"  # another township of the county
KEY = os.urandom(32)
KEY_ID = "gridline-duty-test"


def webhook(receiver: Receiver) -> dict[str, Any]:
    return {
        "report_webhook_url": receiver.url,
        "report_webhook_key_id": KEY_ID,
        "report_webhook_secret": base64.b64encode(KEY).decode(),
    }


def registered(n: int, community: str, categories: list[str], day: date = DAY) -> PersonRegistered:
    return PersonRegistered(
        person_id=f"person-{n}",
        version=1,
        community_code=community,
        grid_id="grid-1",
        name_masked="王*国",
        document_type="prc_id",
        document_masked="330106********0013",
        phone_masked=None,
        special_groups=[],
        categories=categories,
        registered_at=datetime.combine(day, datetime.min.time(), tzinfo=MORNING.tzinfo) + timedelta(hours=9),
    )


def figures(n: int, *rows: tuple[str, date, dict[str, int]]) -> agreed.FiguresCounted:
    """Monitoring's rows for the day's figures, as its projection publishes them (one definition: monitoring's)."""
    return agreed.FiguresCounted(
        source_event_ids=[f"monitoring-event-{n}"],
        rows=[
            agreed.FigureRow(day=day, community_code=c, grid_id="grid-1", counts=nested(counts))
            for c, day, counts in rows
        ],
    )


def alert(alert_id: str, community: str, kind: str) -> agreed.AlertRaised:
    return agreed.AlertRaised(
        alert_id=alert_id,
        kind=kind,
        severity="high",
        community_code=community,
        grid_id=None,
        person_id="p",
        plan_id=None,
        checkin_id=None,
        venue_id=None,
        reason="异常",
        raised_at=MORNING,
    )


def request_events() -> list[tuple[EventSpec, EventData]]:
    common = {"community_code": COMMUNITY, "at": MORNING}
    return [
        (
            agreed.REQUEST_OPENED,
            agreed.RequestOpened(
                request_id="r1",
                community_code=COMMUNITY,
                grid_id=None,
                person_id="p",
                type="medicine",
                priority="high",
                needed_by=None,
                acknowledge_by=MORNING,
                fulfil_by=MORNING,
                source="resident",
                opened_at=MORNING,
            ),
        ),
        (
            agreed.REQUEST_OPENED,
            agreed.RequestOpened(
                request_id="r2",
                community_code=COMMUNITY,
                grid_id=None,
                person_id="p",
                type="shopping",
                priority="normal",
                needed_by=None,
                acknowledge_by=MORNING,
                fulfil_by=MORNING,
                source="worker",
                opened_at=MORNING,
            ),
        ),
        (
            agreed.REQUEST_OVERDUE,
            agreed.RequestOverdue(
                request_id="r1",
                grid_id=None,
                person_id="p",
                type="medicine",
                priority="high",
                missed="acknowledge",
                due_at=MORNING,
                **common,
            ),
        ),
        (agreed.REQUEST_FULFILLED, agreed.RequestFulfilled(request_id="r2", completeness="complete", **common)),
        (agreed.REQUEST_CANCELLED, agreed.RequestCancelled(request_id="r3", reason="已自行解决", **common)),
    ]


def upstream_events() -> list[tuple[EventSpec, EventData, str]]:
    """What registry, monitoring and care publish on the day (and a little around it), as (spec, data, key)."""
    before = DAY - timedelta(days=1)
    counted = agreed.FIGURES_COUNTED
    events: list[tuple[EventSpec, EventData, str]] = [
        (REGISTERED, registered(1, COMMUNITY, ["holiday_returnee"]), "person-1"),
        (REGISTERED, registered(2, COMMUNITY, ["holiday_returnee", "risk_area_arrival"]), "person-2"),
        (REGISTERED, registered(3, COMMUNITY, ["cold_chain_worker"]), "person-3"),
        (REGISTERED, registered(4, COMMUNITY, []), "person-4"),  # not a key population
        (REGISTERED, registered(5, OTHER_COMMUNITY, ["inbound_traveller"]), "person-5"),
        (REGISTERED, registered(6, COMMUNITY, ["holiday_returnee"], DAY - timedelta(days=1)), "person-6"),
        # Plans opening: a person under a measure and the check-ins expected, on each of their days.
        (counted, figures(1, (COMMUNITY, DAY, {"people.home_health_monitoring": 1, "checkins.expected": 2})), "P1"),
        (counted, figures(2, (COMMUNITY, DAY, {"people.home_isolation": 1, "checkins.expected": 2})), "P2"),
        (counted, figures(3, (OTHER_COMMUNITY, DAY, {"people.home_isolation": 1, "checkins.expected": 1})), "P4"),
        # P2 tightened to centralised isolation from the day on.
        (counted, figures(4, (COMMUNITY, DAY, {"people.home_isolation": -1, "people.centralised_isolation": 1})), "P2"),
        (counted, figures(5, (COMMUNITY, DAY, {"checkins.done": 1, "checkins.recorded": 1})), "P1"),
        (
            counted,
            figures(6, (COMMUNITY, DAY, {"checkins.done": 1, "checkins.abnormal": 1, "checkins.recorded": 1})),
            "P1",
        ),
        (counted, figures(7, (COMMUNITY, DAY, {"checkins.done": 1, "checkins.recorded": 1})), "P2"),
        (counted, figures(8, (COMMUNITY, DAY, {"checkins.recorded": 1, "checkins.corrected": 1})), "P1"),
        (counted, figures(9, (OTHER_COMMUNITY, DAY, {"checkins.done": 1, "checkins.recorded": 1})), "P4"),
        (counted, figures(10, (FAR_COMMUNITY, DAY, {"checkins.recorded": 1, "nat.due": 1})), "P9"),
        (counted, figures(11, (COMMUNITY, before, {"checkins.done": 1, "checkins.recorded": 1})), "P1"),
        (counted, figures(12, (COMMUNITY, DAY, {"checkins.missed": 1})), "P2"),
        # A plan cancelled on the day: its days after it no longer count (rows of two days in one event).
        (
            counted,
            figures(
                13,
                (OTHER_COMMUNITY, DAY + timedelta(days=1), {"people.home_isolation": -1, "checkins.expected": -1}),
                (OTHER_COMMUNITY, DAY, {"plans.cancelled": 1}),
            ),
            "P4",
        ),
        (counted, figures(14, (COMMUNITY, DAY, {"alerts.fever": 1})), COMMUNITY),
        (counted, figures(15, (OTHER_COMMUNITY, DAY, {"alerts.nat_positive": 1})), OTHER_COMMUNITY),
        # Each alert also opens an incident of duty's.
        (agreed.ALERT_RAISED, alert("a1", COMMUNITY, "fever"), "a1"),
        (agreed.ALERT_RAISED, alert("a2", OTHER_COMMUNITY, "nat_positive"), "a2"),
        *((spec, data, str(data.model_dump()["request_id"])) for spec, data in request_events()),
    ]
    return events


_GROUPS = {"people": "measures", "checkins": "checkins", "nat": "nat"}


def expected_counts(
    events: list[tuple[EventSpec, EventData, str]], *, shortages: dict[str, int]
) -> dict[str, dict[str, Any]]:
    """The day's counts per community, worked out directly from the events the test published."""
    counts: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(Counter))
    for spec, data, _ in events:
        fact, raw = spec.type.split(".")[-2], data.model_dump()
        if spec is agreed.FIGURES_COUNTED:
            for row in raw["rows"]:
                if row["day"] != DAY:
                    continue
                for group, figure, amount in ((g, f, n) for g, fs in row["counts"].items() for f, n in fs.items()):
                    if group == "alerts":
                        counts[row["community_code"]]["alerts"]["raised"] += amount
                        counts[row["community_code"]]["alerts.by_kind"][figure] += amount
                    elif group in _GROUPS:
                        counts[row["community_code"]][_GROUPS[group]][figure] += amount
            continue
        community: str = raw["community_code"]
        if spec is REGISTERED and raw["categories"] and raw["registered_at"].date() == DAY:
            counts[community]["key_populations"]["registered"] += 1
            counts[community]["key_populations.by_category"].update(raw["categories"])
        elif spec is agreed.ALERT_RAISED:
            counts[community]["incidents"]["opened"] += 1  # each alert opens an incident
        elif spec.topic == agreed.REQUEST_TOPIC:
            counts[community]["help_requests"][fact] += 1
            if fact == "overdue":
                counts[community]["incidents"]["opened"] += 1
    for community, shortage in shortages.items():
        counts[community]["supplies"]["below_minimum"] += shortage
        counts[community]["incidents"]["opened"] += shortage
    return {c: _shape(groups) for c, groups in counts.items()}


def _shape(groups: dict[str, Counter[str]]) -> dict[str, Any]:
    """Counters as the report shows them: every field present, zeros included, measures without zeros."""
    shaped: dict[str, Any] = {
        "key_populations": {"registered": 0, "by_category": {}},
        "measures": {},
        "checkins": {"expected": 0, "done": 0, "missed": 0, "abnormal": 0, "recorded": 0, "late": 0, "corrected": 0},
        "nat": {"due": 0, "done": 0},
        "alerts": {"raised": 0, "by_kind": {}},
        "help_requests": {"opened": 0, "overdue": 0, "fulfilled": 0, "cancelled": 0},
        "incidents": {"opened": 0, "acknowledged": 0, "escalated": 0, "resolved": 0},
        "supplies": {"below_minimum": 0, "expiring": 0},
        "duty": {"gaps": 0, "uncovered_minutes_duty_officer": 0, "uncovered_minutes_leader": 0},
    }
    for group, counter in groups.items():
        if group == "measures":
            shaped["measures"] = dict(counter)
            continue
        *parents, leaf = group.split(".")
        place = shaped[parents[0]] if parents else shaped[group]
        target = place[leaf] if parents else place
        target.update(counter)
    checkins = shaped["checkins"]
    checkins["pending"] = checkins["expected"] - checkins["done"] - checkins["missed"]
    return shaped


def add(*reports: dict[str, Any]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for report in reports:
        _add(total, report)
    return total


def _add(into: dict[str, Any], counts: dict[str, Any]) -> None:
    for key, value in counts.items():
        if isinstance(value, dict):
            _add(into.setdefault(key, {}), value)
        else:
            into[key] = into.get(key, 0) + value


def without_zero_measures(counts: dict[str, Any]) -> dict[str, Any]:
    return {**counts, "measures": {m: n for m, n in counts["measures"].items() if n}}


async def report(duty: httpx.AsyncClient, secrets: Secrets, division: str) -> dict[str, Any]:
    response = await duty.get(
        "/v1/reports/daily",
        params={"division_code": division, "day": DAY.isoformat()},
        headers=admin(secrets, COUNTY, "c"),
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def test_the_daily_report_equals_the_days_events_and_is_pushed_signed_to_the_province(platform: Platform) -> None:
    clock = clock_at()
    with webhook_receiver() as receiver:
        await platform.start("duty", clock=clock, **webhook(receiver))
        duty, secrets = platform.client("duty"), platform.sandbox.secrets

        async def yesterday_pushed() -> None:  # published at start-up: its report time has passed
            assert [d.json()["day"] for d in receiver.deliveries()] == ["2021-01-11"]

        await eventually(yesterday_pushed)
        # Nobody leads the night shift: 20:00-24:00 of the day is a gap of the leader's. The neighbour's roster
        # is complete, so no incident of the day waits in vain and escalates.
        night_without_leader = [crew("officer-a", "leader-a"), crew("officer-b", None)]
        await create_rotation(duty, secrets, crews=night_without_leader, starts_on="2021-01-12")
        await create_rotation(duty, secrets, community_code=OTHER_COMMUNITY, starts_on="2021-01-12")
        await _supply_shortage(duty, secrets)
        events = upstream_events()
        sent = [await publish(platform.sandbox, spec, data, key=key, clock=clock) for spec, data, key in events]
        # One check-in's figures delivered a second time count once.
        again = next(
            e
            for (spec, _, key), e in zip(events, sent, strict=True)
            if key == "P2" and e.data["rows"][0]["counts"].get("checkins", {}).get("done")
        )
        key, value, headers = again.to_record()
        await platform.sandbox.publish_raw(agreed.FIGURES_TOPIC, value=value, key=key, headers=headers)

        expected = expected_counts(events, shortages={COMMUNITY: 1})
        _add(expected[COMMUNITY]["duty"], {"gaps": 1, "uncovered_minutes_leader": 240})
        county = add(*expected.values())

        async def counted() -> dict[str, Any]:
            found = await report(duty, secrets, COUNTY)
            assert without_zero_measures(found["counts"]) == county
            return found

        found = await eventually(counted, timeout=60)
        township = await report(duty, secrets, TOWNSHIP)
        community = await report(duty, secrets, COMMUNITY)

        receiver.answers = [503]  # the platform is briefly down at the report time
        clock.advance(local("2021-01-13T08:00") - MORNING)
        published = await _published(platform, revision=1, count=8)
        first_try = await _deliveries(receiver, "2021-01-12", 1)
        clock.advance(timedelta(seconds=31))
        [push_1, push_2] = await _deliveries(receiver, "2021-01-12", 2)
        county_officer = secrets.headers("county_officer", jurisdiction=COUNTY, subject="county-1")
        log = await duty.get("/v1/reports/deliveries", params={"day": "2021-01-12"}, headers=county_officer)

    assert found["communities"] == 3
    assert [(c["division_code"], c["communities"]) for c in found["children"]] == [(TOWNSHIP, 2), ("330106002", 1)]
    assert without_zero_measures(township["counts"]) == add(expected[COMMUNITY], expected[OTHER_COMMUNITY])
    assert without_zero_measures(community["counts"]) == without_zero_measures(expected[COMMUNITY])
    assert community["counts"]["measures"]["home_isolation"] == 0  # P2 moved on to centralised isolation
    assert [(c["division_code"], c["counts"]["checkins"]["done"]) for c in township["children"]] == [
        (COMMUNITY, 3),
        (OTHER_COMMUNITY, 1),
    ]
    by_division = {e.data["division_code"]: e.data for e in published}
    assert set(by_division) == {"33", "3301", COUNTY, TOWNSHIP, "330106002", COMMUNITY, OTHER_COMMUNITY, FAR_COMMUNITY}
    assert without_zero_measures(by_division[COUNTY]["counts"]) == county
    assert (by_division[TOWNSHIP]["level"], by_division[TOWNSHIP]["communities"]) == (9, 2)
    assert first_try == [push_1]
    assert push_1.body == push_2.body
    assert push_2.headers["X-Delivery-Id"] == "daily-report.push:2021-01-12:r1"
    signer = verify(
        clients={KEY_ID: KEY},
        headers=push_2.headers,
        method="POST",
        target=push_2.path,
        body=push_2.body,
        now=clock.now(),
        window=timedelta(minutes=5),
    )
    assert signer.client_id == KEY_ID
    pushed = {d["division_code"]: d["counts"] for d in push_2.json()["divisions"]}
    assert without_zero_measures(pushed[COUNTY]) == county
    assert [(d["attempt"], d["outcome"], d["status_code"]) for d in log.json()["items"]] == [
        (1, "failed", 503),
        (2, "delivered", 200),
    ]


async def test_a_past_day_is_recomputed_from_the_stored_events_and_published_again(platform: Platform) -> None:
    clock = clock_at()
    with webhook_receiver() as receiver:
        await platform.start("duty", clock=clock, **webhook(receiver))
        duty, secrets = platform.client("duty"), platform.sandbox.secrets
        events = upstream_events()[:12]  # registrations, plans opening and the first check-ins
        for spec, data, key in events:
            await publish(platform.sandbox, spec, data, key=key, clock=clock)
        expected = add(*expected_counts(events, shortages={}).values())

        async def counted() -> None:
            assert without_zero_measures((await report(duty, secrets, COUNTY))["counts"]) == expected

        await eventually(counted, timeout=60)
        clock.advance(local("2021-01-13T08:00") - MORNING)
        await _published(platform, revision=1, count=6)
        counters = platform.sandbox.database("duty")["report_counters"]
        await counters.update_one({"_id": f"{COMMUNITY}:2021-01-12"}, {"$set": {"counts.checkins.done": 999}})
        corrupted = await report(duty, secrets, COUNTY)

        recomputed = await duty.post(
            "/v1/reports/daily/recompute",
            params={"division_code": COUNTY, "day": "2021-01-12"},
            headers=secrets.headers("county_officer", jurisdiction=COUNTY, subject="county-1"),
        )
        again = await _published(platform, revision=2, count=6)
        refused = await duty.post(
            "/v1/reports/daily/recompute", params={"division_code": COUNTY, "day": "2021-01-12"}, headers=admin(secrets)
        )

    assert corrupted["counts"]["checkins"]["done"] != expected["checkins"]["done"]
    assert recomputed.status_code == 200, recomputed.text
    assert recomputed.json()["communities_changed"] == [COMMUNITY]
    assert recomputed.json()["republishing"] == 2
    assert without_zero_measures(recomputed.json()["report"]["counts"]) == expected
    assert without_zero_measures(next(e.data for e in again if e.data["division_code"] == COUNTY)["counts"]) == expected
    assert refused.status_code == 403


async def _supply_shortage(duty: httpx.AsyncClient, secrets: Secrets) -> None:
    created = await duty.post(
        "/v1/supplies",
        json={"community_code": COMMUNITY, "item": "口罩", "unit": "个", "minimum": 10},
        headers=admin(secrets),
    )
    url = f"/v1/supplies/{created.json()['id']}/movements"
    await duty.post(url, json={"kind": "received", "quantity": 10}, headers=admin(secrets))
    await duty.post(url, json={"kind": "issued", "quantity": 1}, headers=admin(secrets))


async def _published(platform: Platform, *, revision: int, count: int) -> list[Any]:
    async def all_there() -> list[Any]:
        found = [
            e
            for e in of_type(await platform.sandbox.read_topic("duty.report.v1", at_least=count), "published")
            if e.data["day"] == "2021-01-12" and e.data["revision"] == revision
        ]
        assert len(found) >= count
        return found

    return await eventually(all_there, timeout=60)


async def _deliveries(receiver: Receiver, day: str, count: int) -> list[Any]:
    async def arrived() -> list[Any]:
        found = [d for d in receiver.deliveries() if d.json()["day"] == day]
        assert len(found) == count
        return found

    return await eventually(arrived, timeout=60)


async def test_every_counted_event_delivered_twice_counts_once(platform: Platform) -> None:
    clock = clock_at()
    await platform.start("duty", clock=clock)
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    night_without_leader = [crew("officer-a", "leader-a"), crew("officer-b", None)]
    await create_rotation(duty, secrets, crews=night_without_leader, starts_on="2021-01-12")
    await create_rotation(duty, secrets, community_code=OTHER_COMMUNITY, starts_on="2021-01-12")
    await _supply_shortage(duty, secrets)
    events = upstream_events()
    sent = [await publish(platform.sandbox, spec, data, key=key, clock=clock) for spec, data, key in events]

    for (spec, _, _), event in zip(events, sent, strict=True):
        key, value, headers = event.to_record()
        await platform.sandbox.publish_raw(spec.topic, value=value, key=key, headers=headers)
    runner = next(c for c in platform.runtime("duty").consumers if c.group.endswith("duty.reports"))

    async def all_handled_twice() -> None:
        assert runner.stats.handled >= 2 * len(events)

    await eventually(all_handled_twice, timeout=60)
    expected = expected_counts(events, shortages={COMMUNITY: 1})
    _add(expected[COMMUNITY]["duty"], {"gaps": 1, "uncovered_minutes_leader": 240})
    county = add(*expected.values())

    async def counted_once() -> None:
        assert without_zero_measures((await report(duty, secrets, COUNTY))["counts"]) == county

    await eventually(counted_once, timeout=60)
    # Duty's own events (incidents opened, the supply alarm, the roster gaps) delivered twice too.
    own = [
        record
        for topic, at_least in (("duty.incident.v1", 4), ("duty.supply.v1", 3), ("duty.roster.v1", 1))
        for record in await platform.sandbox.read_topic(topic, at_least=at_least)
    ]
    seen = runner.stats.handled + runner.stats.skipped  # stock movements are not counted: skipped
    for record in own:
        topic = record.topic.removeprefix(platform.sandbox.prefix)
        await platform.sandbox.publish_raw(
            topic, value=record.value or b"", key=record.key or b"", headers=record.headers
        )

    async def own_handled_twice() -> None:
        assert runner.stats.handled + runner.stats.skipped >= seen + len(own)

    await eventually(own_handled_twice)
    await eventually(counted_once, timeout=60)
    ledger = platform.sandbox.database("duty")["report_ledger"]
    assert await ledger.count_documents({"event_id": sent[0].id}) == 1
    assert {r.event().type.split(".")[-2] for r in own} >= {"opened", "below_minimum", "gap_detected"}
