"""Screening a household: found, away and new people in one idempotent request."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Platform
from tests.integration.people import COMMUNITY, create_grid, prc_id, returnee, worker

pytestmark = pytest.mark.integration


def visit(grid_id: str, found: list[str], new_number: str) -> dict[str, Any]:
    return {
        "community_code": COMMUNITY,
        "grid_id": grid_id,
        "household": "3幢2单元501",
        "method": "door_to_door",
        "found": found,
        "away": [],
        "new_persons": [
            {
                "name": "刘新来",
                "document": {"type": "prc_id", "number": new_number},
                "episodes": [{"category": "non_local_arrival"}],
            }
        ],
    }


async def test_a_screening_registers_new_people_once_even_when_retried(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    known = (await registry.post("/v1/persons", json=returnee(grid_id), headers=worker(secrets))).json()
    headers = {**worker(secrets), "Idempotency-Key": "screening-0001"}
    body = visit(grid_id, [known["id"]], prc_id(sequence=41))

    first = await registry.post("/v1/screenings", json=body, headers=headers)
    retry = await registry.post("/v1/screenings", json=body, headers=headers)

    assert first.status_code == 201, first.text
    assert retry.json() == first.json()
    outcome = first.json()["new_persons"][0]
    assert outcome["outcome"] == "registered"
    people = (await registry.get("/v1/persons", headers=worker(secrets))).json()["items"]
    assert sorted(p["id"] for p in people) == sorted([known["id"], outcome["person_id"]])
    newcomer = next(p for p in people if p["id"] == outcome["person_id"])
    assert newcomer["classification"]["measure"] == "daily_health_monitoring"


async def test_a_screening_with_a_bad_new_person_records_nothing(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)

    bad = await registry.post("/v1/screenings", json=visit(grid_id, [], prc_id()[:-1] + "0"), headers=worker(secrets))
    stranger = await registry.post("/v1/screenings", json=visit(grid_id, ["nobody"], prc_id()), headers=worker(secrets))

    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == "new_persons.0.document.number"
    assert stranger.status_code == 422
    assert stranger.json()["errors"][0]["path"] == "found.0"
    assert (await registry.get("/v1/persons", headers=worker(secrets))).json()["items"] == []
