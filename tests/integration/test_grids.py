"""Grids and the public board of who is responsible for each one."""

from __future__ import annotations

import pytest
from gridline.testing import eventually

from tests.conftest import Platform
from tests.integration.people import COMMUNITY, admin, create_divisions, create_grid

pytestmark = pytest.mark.integration


async def test_a_new_grid_manager_appears_on_the_public_board_with_the_work_phone_in_full(platform: Platform) -> None:
    await platform.start("registry", "duty")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)

    changed = await registry.patch(
        f"/v1/grids/{grid_id}",
        headers=admin(secrets),
        json={
            "version": 1,
            "manager_name": "李网格",
            "manager_phone": "13700001234",
            "manager_work_phone": "0571-8700 1234",
        },
    )
    stale = await registry.patch(f"/v1/grids/{grid_id}", headers=admin(secrets), json={"version": 1, "name": "新"})

    assert changed.status_code == 200, changed.text
    assert changed.json()["manager_phone"] == "137****1234"
    assert changed.json()["manager_work_phone"] == "0571-87001234"
    assert stale.status_code == 409

    async def on_board() -> None:
        board = await platform.client("duty").get("/v1/public/grids", params={"community_code": COMMUNITY})
        assert [(g["manager_name"], g["manager_work_phone"]) for g in board.json()["items"]] == [
            ("李网格", "0571-87001234")
        ]
        # The private number is never published, not even masked.
        assert "1234" not in board.text.replace("0571-87001234", "")

    await eventually(on_board)


async def test_a_manager_without_a_published_work_phone_shows_no_number(platform: Platform) -> None:
    await platform.start("registry", "duty")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    await create_grid(registry, secrets)

    async def on_board() -> None:
        board = await platform.client("duty").get("/v1/public/board", params={"community_code": COMMUNITY})
        assert [(g["manager_name"], g["manager_work_phone"]) for g in board.json()["grids"]] == [("张网格", None)]
        assert "0001" not in board.text  # the private 13805710001

    await eventually(on_board)


async def test_a_work_phone_that_is_no_phone_number_is_refused(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    await create_divisions(registry, secrets)
    body = {
        "community_code": COMMUNITY,
        "name": "第2网格",
        "manager_name": "张",
        "manager_phone": "13805710001",
        "manager_work_phone": "call me",
    }

    response = await registry.post("/v1/grids", json=body, headers=admin(secrets))

    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "manager_work_phone"


async def test_an_unknown_community_code_is_refused(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    await create_grid(registry, secrets)
    body = {"community_code": "330106001009", "name": "第1网格", "manager_name": "张", "manager_phone": "13805710001"}

    response = await registry.post("/v1/grids", json=body, headers=admin(secrets))

    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "community_code"
