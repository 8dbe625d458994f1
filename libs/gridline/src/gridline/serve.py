"""Run a service's app factory under uvicorn, on HOST/PORT from the environment."""

from __future__ import annotations

import os
import sys

import uvicorn

from gridline import fatal


def run(factory: str, *, default_port: int) -> None:
    config = uvicorn.Config(
        factory,
        factory=True,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", default_port)),
        log_config=None,
        access_log=False,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )
    server = uvicorn.Server(config)
    fatal.serve_with(server)
    server.run()
    if fatal.reason is not None:
        sys.exit(1)  # a supervisor restarts a process that failed, not one that stopped as asked
    if not server.started:
        sys.exit(3)  # the lifespan failed (the database or broker away at start-up): try again
