"""A caller past its allowance gets 429 with Retry-After; other callers go on as if nothing happened."""

from __future__ import annotations

import pytest

from tests.conftest import Platform
from tests.integration.people import worker

pytestmark = pytest.mark.integration


async def test_a_caller_over_the_limit_waits_and_others_do_not(platform: Platform) -> None:
    await platform.start("registry", rate_limit_per_caller="3/minute")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    busy, other = worker(secrets, subject="busy-worker"), worker(secrets, subject="other-worker")

    allowed = [await registry.get("/v1/persons", headers=busy) for _ in range(3)]
    refused = await registry.get("/v1/persons", headers=busy)
    others = await registry.get("/v1/persons", headers=other)

    assert [r.status_code for r in allowed] == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "/problems/too-many-requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert others.status_code == 200
