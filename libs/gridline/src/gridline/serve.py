"""Run a service's app factory under uvicorn, on HOST/PORT from the environment."""

from __future__ import annotations

import os

import uvicorn


def run(factory: str, *, default_port: int) -> None:
    uvicorn.run(
        factory,
        factory=True,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", default_port)),
        log_config=None,
        access_log=False,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )
