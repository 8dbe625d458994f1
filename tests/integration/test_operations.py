"""Health, readiness and metrics, as an orchestrator and a dashboard see them."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import Platform

pytestmark = pytest.mark.integration


async def test_every_service_is_live_ready_and_exposes_metrics(platform: Platform) -> None:
    await platform.start("registry", "monitoring", "care", "duty")
    for name in ("registry", "monitoring", "care", "duty"):
        client = platform.client(name)
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
        assert ready.json() == {"status": "ok", "checks": {"database": True, "kafka": True}}
        metrics = await client.get("/metrics")
        assert 'http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}' in metrics.text
        spec = (await client.get("/openapi.json")).json()
        operation_ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
        assert {"getHealth", "getReadiness", "listDeadLetters"} <= operation_ids


async def test_liveness_fails_when_a_consumer_has_stopped(platform: Platform) -> None:
    await platform.start("monitoring")
    runtime = platform.runtime("monitoring")
    consumer_task = next(t for t in runtime.tasks if t.get_name().startswith("consumer:"))
    consumer_task.cancel()
    await asyncio.gather(consumer_task, return_exceptions=True)  # it has stopped, not just been asked to

    response = await platform.client("monitoring").get("/healthz")

    assert response.status_code == 503
    assert "monitoring.plans stopped" in response.json()["problems"][0]
