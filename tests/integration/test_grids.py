"""Grids and the public board of who is responsible for each one."""

from __future__ import annotations

import pytest
from gridline.testing import eventually

from tests.conftest import Platform
from tests.integration.people import COMMUNITY, admin, create_grid

pytestmark = pytest.mark.integration


async def test_a_new_grid_manager_appears_on_the_public_board(platform: Platform) -> None:
    await platform.start("registry", "duty")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)

    changed = await registry.patch(
        f"/v1/grids/{grid_id}",
        headers=admin(secrets),
        json={"version": 1, "manager_name": "李网格", "manager_phone": "13700001234"},
    )
    stale = await registry.patch(f"/v1/grids/{grid_id}", headers=admin(secrets), json={"version": 1, "name": "新"})

    assert changed.status_code == 200, changed.text
    assert changed.json()["manager_phone"] == "137****1234"
    assert stale.status_code == 409

    async def on_board() -> None:
        board = await platform.client("duty").get("/v1/public/grids", params={"community_code": COMMUNITY})
        assert [(g["manager_name"], g["manager_phone"]) for g in board.json()["items"]] == [("李网格", "137****1234")]

    await eventually(on_board)


async def test_an_unknown_community_code_is_refused(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    await create_grid(registry, secrets)
    body = {"community_code": "330106001009", "name": "第1网格", "manager_name": "张", "manager_phone": "13805710001"}

    response = await registry.post("/v1/grids", json=body, headers=admin(secrets))

    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "community_code"
