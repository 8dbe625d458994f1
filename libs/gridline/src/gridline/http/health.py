"""`/healthz` (alive and consumers progressing), `/readyz` (database and Kafka reachable), `/metrics`."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from gridline.http.deps import PUBLIC, RuntimeDep
from gridline.kafka import kafka_reachable
from gridline.mongo import ping
from gridline.runtime import Runtime

router = APIRouter(tags=["operations"], dependencies=[PUBLIC])
STALL_AFTER = timedelta(seconds=60)


class Liveness(BaseModel):
    status: str
    problems: list[str]
    # What is held up by an outage and carries on by itself once it ends: said, but no reason to restart.
    waiting: list[str] = []


class Readiness(BaseModel):
    status: str
    checks: dict[str, bool]


def _both(model: type[BaseModel], failing: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model}, 503: {"model": model, "description": failing}}


@router.get(
    "/healthz",
    operation_id="getHealth",
    summary="Process alive and consumers progressing",
    responses=_both(Liveness, "a background task or consumer has stopped"),
)
async def healthz(runtime: RuntimeDep) -> JSONResponse:
    """503 only for what cannot recover by itself (a stopped loop, a consumer that no longer polls), which a
    supervisor should answer with a restart; an outage of the database or broker is not one."""
    problems = _liveness_problems(runtime)
    body = {"status": "fail" if problems else "ok", "problems": problems, "waiting": _waiting(runtime)}
    return JSONResponse(body, status_code=503 if problems else 200)


@router.get(
    "/readyz",
    operation_id="getReadiness",
    summary="Database and Kafka reachable",
    responses=_both(Readiness, "the database or Kafka is unreachable"),
)
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    checks = {"database": await _database_ok(runtime), "kafka": await _kafka_ok(runtime)}
    ready = all(checks.values())
    return JSONResponse({"status": "ok" if ready else "fail", "checks": checks}, status_code=200 if ready else 503)


@router.get(
    "/metrics",
    operation_id="getMetrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Prometheus text format"}
    },
)
async def metrics(runtime: RuntimeDep) -> Response:
    return runtime.metrics.render()


def _liveness_problems(runtime: Runtime) -> list[str]:
    problems = [f"background task {t.get_name()} stopped" for t in runtime.tasks if t.done()]
    now = runtime.clock.now()
    for consumer in runtime.consumers:
        last = consumer.stats.last_poll
        # A poll returns within a second whether or not the broker answers: one that does not is a hang.
        if consumer.started.is_set() and last is not None and now - last > STALL_AFTER:
            problems.append(f"consumer {consumer.group} has not polled since {last.isoformat()}")
    return problems


def _waiting(runtime: Runtime) -> list[str]:
    now = runtime.clock.now()
    return [
        f"consumer {c.group} retrying one record since {c.stats.failing_since.isoformat()}"
        for c in runtime.consumers
        if c.stats.failing_since is not None and now - c.stats.failing_since > STALL_AFTER
    ]


async def _database_ok(runtime: Runtime) -> bool:
    try:
        await asyncio.wait_for(ping(runtime.database()), 2)
    except Exception:
        return False
    return True


async def _kafka_ok(runtime: Runtime) -> bool:
    return runtime.producer is not None and await kafka_reachable(runtime.producer)
