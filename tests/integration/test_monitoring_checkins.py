"""Check-ins recorded by workers: one result per slot and day, retry-safe, corrections kept, fevers alerted."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from gridline.testing import eventually
from monitoring.checkins import store

from tests.conftest import Platform
from tests.integration.monitored import clock_at, events_of, open_plan
from tests.integration.people import OTHER_COMMUNITY, worker

pytestmark = pytest.mark.integration
TODAY = date(2026, 3, 10)
NORMAL = {"method": "visit", "temperature_c": 36.5, "symptoms": [], "health_code": "green"}


async def started(platform: Platform, person_id: str = "p1", **options: Any) -> dict[str, Any]:
    await platform.start("monitoring", clock=clock_at(TODAY, 9))
    return await open_plan(
        platform, person_id, starts_on=TODAY - timedelta(days=2), clock=clock_at(TODAY, 9), **options
    )


async def test_a_fever_check_in_raises_an_alert_event_naming_the_check_in(platform: Platform) -> None:
    plan = await started(platform)
    monitoring, headers = platform.client("monitoring"), worker(platform.sandbox.secrets)

    response = await monitoring.post(
        f"/v1/plans/{plan['id']}/checkins",
        json={**NORMAL, "temperature_c": 38.6, "symptoms": ["cough"]},
        headers=headers,
    )

    assert response.status_code == 201, response.text
    checkin = response.json()
    assert (checkin["day"], checkin["slot"], checkin["state"]) == (TODAY.isoformat(), 1, "recorded")
    assert checkin["result"]["abnormal"] is True
    raised = await events_of(platform, "monitoring.alert.v1", "alert.raised.v1", at_least=2)
    by_kind = {a["kind"]: a for a in raised}
    assert set(by_kind) == {"fever", "symptoms"}
    fever = by_kind["fever"]
    assert fever["severity"] == "high"
    assert fever["checkin_id"] == checkin["result"]["checkin_id"]
    assert (fever["person_id"], fever["plan_id"], fever["grid_id"]) == ("p1", plan["id"], plan["grid_id"])
    assert fever["community_code"] == plan["community_code"]
    assert "38.6" not in fever["reason"]  # the rule's words, not the person's reading
    recorded = await events_of(platform, "monitoring.checkin.v1", "checkin.recorded.v1")
    assert recorded[0]["abnormal"] is True
    assert recorded[0]["checkin_id"] == checkin["result"]["checkin_id"]

    async def listed() -> None:
        alerts = await monitoring.get("/v1/alerts", params={"plan_id": plan["id"]}, headers=headers)
        assert sorted(a["kind"] for a in alerts.json()["items"]) == ["fever", "symptoms"]

    await eventually(listed)


async def test_a_normal_check_in_raises_nothing(platform: Platform) -> None:
    plan = await started(platform)
    response = await platform.client("monitoring").post(
        f"/v1/plans/{plan['id']}/checkins", json=NORMAL, headers=worker(platform.sandbox.secrets)
    )
    assert response.status_code == 201
    assert response.json()["result"]["alerts"] == []
    await events_of(platform, "monitoring.checkin.v1", "checkin.recorded.v1")
    records = await platform.sandbox.read_topic("monitoring.alert.v1", at_least=1, timeout=2)
    assert records == []


async def test_a_retried_check_in_is_recorded_once_and_another_body_with_the_same_key_is_refused(
    platform: Platform,
) -> None:
    plan = await started(platform)
    monitoring = platform.client("monitoring")
    headers = {**worker(platform.sandbox.secrets), "Idempotency-Key": "phone-retry-0001"}
    url = f"/v1/plans/{plan['id']}/checkins"

    first = await monitoring.post(url, json=NORMAL, headers=headers)
    again = await monitoring.post(url, json=NORMAL, headers=headers)
    other = await monitoring.post(url, json={**NORMAL, "temperature_c": 36.9}, headers=headers)

    assert first.status_code == again.status_code == 201
    assert first.json()["result"]["checkin_id"] == again.json()["result"]["checkin_id"]
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    recorded = await events_of(platform, "monitoring.checkin.v1", "checkin.recorded.v1")
    assert len(recorded) == 1
    other_person = await open_plan(platform, "p2", starts_on=TODAY - timedelta(days=2), clock=clock_at(TODAY, 9))
    same_key = await monitoring.post(f"/v1/plans/{other_person['id']}/checkins", json=NORMAL, headers=headers)
    assert same_key.status_code == 201
    assert same_key.json()["plan_id"] == other_person["id"]  # a key names one request for one person


async def test_one_result_per_slot_a_day_and_a_correction_keeps_the_history(platform: Platform) -> None:
    plan = await started(platform)
    monitoring, headers = platform.client("monitoring"), worker(platform.sandbox.secrets)
    url = f"/v1/plans/{plan['id']}/checkins"
    first = (await monitoring.post(url, json={**NORMAL, "temperature_c": 37.8}, headers=headers)).json()

    second = await monitoring.post(url, json=NORMAL, headers=headers)
    assert second.status_code == 409  # one check-in a day under home health monitoring

    corrected = await monitoring.post(
        url, json={**NORMAL, "temperature_c": 36.8, "corrects": first["result"]["checkin_id"]}, headers=headers
    )
    assert corrected.status_code == 201, corrected.text
    assert corrected.json()["slot_id"] == first["slot_id"]
    assert corrected.json()["corrections"] == 1
    stale = await monitoring.post(url, json={**NORMAL, "corrects": first["result"]["checkin_id"]}, headers=headers)
    assert stale.status_code == 409  # only the current result can be corrected

    detail = (await monitoring.get(f"/v1/checkins/{first['slot_id']}", headers=headers)).json()
    assert detail["result"]["temperature_c"] == 36.8
    assert detail["result"]["corrects"] == first["result"]["checkin_id"]
    assert [h["temperature_c"] for h in detail["history"]] == [37.8]
    recorded = await events_of(platform, "monitoring.checkin.v1", "checkin.recorded.v1", at_least=2)
    assert [r["corrects"] for r in recorded] == [None, first["result"]["checkin_id"]]


async def test_a_free_text_note_is_encrypted_and_shown_only_on_the_single_check_in(platform: Platform) -> None:
    plan = await started(platform)
    monitoring, headers = platform.client("monitoring"), worker(platform.sandbox.secrets)
    note = "家属王建国说夜里有点头痛"
    created = await monitoring.post(f"/v1/plans/{plan['id']}/checkins", json={**NORMAL, "note": note}, headers=headers)

    listed = await monitoring.get("/v1/checkins", params={"plan_id": plan["id"]}, headers=headers)
    detail = await monitoring.get(f"/v1/checkins/{created.json()['slot_id']}", headers=headers)

    assert note not in listed.text
    assert listed.json()["items"][0]["result"]["has_note"] is True
    assert detail.json()["note"] == note
    stored = await platform.sandbox.database("monitoring")["checkins"].find_one({})
    assert note not in repr(stored)
    records = await platform.sandbox.read_topic("monitoring.checkin.v1", at_least=1)
    assert note.encode() not in (records[0].value or b"")


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"temperature_c": 47.0}, "temperature_c"),
        ({"temperature_c": 30.5}, "temperature_c"),
        ({"symptoms": ["sneezing_loudly"]}, "symptoms.0"),
        ({"health_code": "purple"}, "health_code"),
        ({"method": "telepathy"}, "method"),
        ({"nat_result": "maybe"}, "nat_result"),
        ({"surprise": 1}, "surprise"),
    ],
)
async def test_implausible_input_is_a_422_naming_the_field(
    platform: Platform, change: dict[str, Any], path: str
) -> None:
    plan = await started(platform)
    response = await platform.client("monitoring").post(
        f"/v1/plans/{plan['id']}/checkins", json={**NORMAL, **change}, headers=worker(platform.sandbox.secrets)
    )
    assert response.status_code == 422, response.text
    assert path in [e["path"] for e in response.json()["errors"]]


async def test_a_plan_outside_the_jurisdiction_is_not_found_and_other_roles_are_forbidden(platform: Platform) -> None:
    plan = await started(platform)
    monitoring, secrets = platform.client("monitoring"), platform.sandbox.secrets
    url = f"/v1/plans/{plan['id']}/checkins"

    elsewhere = await monitoring.post(url, json=NORMAL, headers=worker(secrets, jurisdiction=OTHER_COMMUNITY))
    volunteer = await monitoring.post(url, json=NORMAL, headers=secrets.headers("volunteer", jurisdiction="330106"))
    unknown = await monitoring.post("/v1/plans/nope/checkins", json=NORMAL, headers=worker(secrets))

    assert (elsewhere.status_code, volunteer.status_code, unknown.status_code) == (404, 403, 404)
    listed = await monitoring.get("/v1/checkins", headers=worker(secrets, jurisdiction=OTHER_COMMUNITY))
    assert listed.json()["items"] == []


async def test_two_check_ins_a_day_fill_two_slots_under_home_isolation(platform: Platform) -> None:
    plan = await started(platform, measure="home_isolation")
    monitoring, headers = platform.client("monitoring"), worker(platform.sandbox.secrets)
    assert plan["checkins_per_day"] == 2
    url = f"/v1/plans/{plan['id']}/checkins"

    slots = [(await monitoring.post(url, json=NORMAL, headers=headers)).json()["slot"] for _ in range(2)]
    third = await monitoring.post(url, json=NORMAL, headers=headers)

    assert slots == [1, 2]
    assert third.status_code == 409


async def test_a_keyed_check_in_retried_the_next_day_is_answered_from_the_day_it_was_stored(
    platform: Platform,
) -> None:
    clock = clock_at(TODAY, 9)
    await platform.start("monitoring", clock=clock)
    plan = await open_plan(platform, "p1", starts_on=TODAY - timedelta(days=2), clock=clock)
    monitoring, plain = platform.client("monitoring"), worker(platform.sandbox.secrets)
    keyed = {**plain, "Idempotency-Key": "phone-retry-overnight"}
    url = f"/v1/plans/{plan['id']}/checkins"
    first = await monitoring.post(url, json=NORMAL, headers=keyed)
    clock.advance(timedelta(days=1))  # the phone's retry arrives the next morning, when that day's slot is free

    again = await monitoring.post(url, json=NORMAL, headers=keyed)
    other = await monitoring.post(url, json={**NORMAL, "temperature_c": 36.9}, headers=keyed)
    fresh = await monitoring.post(url, json=NORMAL, headers=plain)

    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["slot_id"] == first.json()["slot_id"]
    assert again.json()["day"] == TODAY.isoformat()
    assert again.json()["result"]["checkin_id"] == first.json()["result"]["checkin_id"]
    assert other.status_code == 409
    assert fresh.status_code == 201  # the new day's slot was left free for that day's own check-in
    assert fresh.json()["day"] == (TODAY + timedelta(days=1)).isoformat()
    recorded = await events_of(platform, "monitoring.checkin.v1", "checkin.recorded.v1", at_least=2)
    assert sorted(r["day"] for r in recorded) == [TODAY.isoformat(), (TODAY + timedelta(days=1)).isoformat()]


async def test_slots_stored_before_first_checkin_ids_get_them_at_start(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = clock_at(TODAY, 9)
    plan = await started(platform)
    monitoring, plain = platform.client("monitoring"), worker(platform.sandbox.secrets)
    keyed = {**plain, "Idempotency-Key": "phone-before-upgrade"}
    url = f"/v1/plans/{plan['id']}/checkins"
    first = (await monitoring.post(url, json=NORMAL, headers=keyed)).json()
    first_id = first["result"]["checkin_id"]
    fix = {**NORMAL, "temperature_c": 36.7, "corrects": first_id}
    assert (await monitoring.post(url, json=fix, headers=plain)).status_code == 201
    others = {}
    for person in ("p2", "p3", "p4"):
        opened = await open_plan(platform, person, starts_on=TODAY - timedelta(days=2), clock=clock)
        recorded = await monitoring.post(f"/v1/plans/{opened['id']}/checkins", json=NORMAL, headers=plain)
        others[recorded.json()["slot_id"]] = recorded.json()["result"]["checkin_id"]
    checkins = platform.runtime("monitoring").database()["checkins"]
    # As an earlier version stored them: no first_checkin_id, and no unique index over it.
    await checkins.drop_index("one_slot_per_first_checkin")
    await checkins.update_many({}, {"$unset": {"first_checkin_id": ""}})
    monkeypatch.setattr(store, "MIGRATION_BATCH", 3)  # four slots: two batches
    clock.advance(timedelta(days=1))

    await platform.restart("monitoring", clock=clock)

    checkins = platform.runtime("monitoring").database()["checkins"]
    assert "one_slot_per_first_checkin" in await checkins.index_information()
    named = {d["_id"]: d.get("first_checkin_id") async for d in checkins.find({}, {"first_checkin_id": 1})}
    assert named == {first["slot_id"]: first_id, **others}  # p1's first result is in its history now
    again = await platform.client("monitoring").post(url, json=NORMAL, headers=keyed)
    assert again.status_code == 201, again.text
    assert again.json()["slot_id"] == first["slot_id"]
