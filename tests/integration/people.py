"""Test data: communities of a real Zhejiang county, grids, and well-formed fictitious people."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from gridline.testing import Secrets

COUNTY = "330106"
COMMUNITY = "330106001001"
OTHER_COMMUNITY = "330106001002"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def prc_id(birth: str = "19800312", sequence: int = 13, region: str = COUNTY) -> str:
    first17 = f"{region}{birth}{sequence:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def admin(secrets: Secrets, jurisdiction: str = COUNTY) -> dict[str, str]:
    return secrets.headers("community_admin", jurisdiction=jurisdiction, subject="admin-1")


def worker(secrets: Secrets, jurisdiction: str = COMMUNITY, subject: str = "worker-1") -> dict[str, str]:
    return secrets.headers("grid_worker", jurisdiction=jurisdiction, subject=subject)


async def create_divisions(registry: httpx.AsyncClient, secrets: Secrets) -> None:
    """The township and both communities, as an operator loads them before anyone registers."""
    admin_headers = secrets.headers("platform_admin", jurisdiction="33", subject="ops")
    csv_text = f"330106001,北山街道\n{COMMUNITY},曙光社区\n{OTHER_COMMUNITY},保俶社区\n"
    response = await registry.post(
        "/v1/divisions/import", content=csv_text.encode(), headers={**admin_headers, "content-type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["errors"] == []


async def create_grid(registry: httpx.AsyncClient, secrets: Secrets, community: str = COMMUNITY) -> str:
    await create_divisions(registry, secrets)
    body = {"community_code": community, "name": "第1网格", "manager_name": "张网格", "manager_phone": "13805710001"}
    response = await registry.post("/v1/grids", json=body, headers=admin(secrets))
    assert response.status_code == 201, response.text
    grid_id: str = response.json()["id"]
    return grid_id


def returnee(grid_id: str, *, number: str | None = None, community: str = COMMUNITY, **extra: Any) -> dict[str, Any]:
    return {
        "name": "王建国",
        "document": {"type": "prc_id", "number": number or prc_id()},
        "phone": "13905710001",
        "community_code": community,
        "grid_id": grid_id,
        "episodes": [
            {
                "category": "holiday_returnee",
                "arrival_date": str(date.today() - timedelta(days=2)),
                "origin_division_code": "420106",
            }
        ],
        **extra,
    }
