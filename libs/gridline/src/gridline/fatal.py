"""A loop that cannot go on ends the process, so that its supervisor starts a fresh one.

Under `gridline.serve` (every deployed service) the server is told to stop: requests in flight finish, the
lifespan closes the clients, and the process exits with status 1, which compose's `restart: unless-stopped`,
systemd or the local supervisor answer with a restart. Where no server registered (an app run in-process by a
test), the failure is only recorded and `/healthz` reports the stopped loop.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)


class Stoppable(Protocol):
    should_exit: bool


_server: Stoppable | None = None
reason: str | None = None


def serve_with(server: Stoppable | None) -> None:
    """The server whose process a fatal failure ends (None: none, as in a test)."""
    global _server, reason
    _server, reason = server, None


def fail(why: str) -> None:
    """Something this process needs cannot recover: stop serving and exit with status 1."""
    global reason
    reason = reason or why
    if _server is not None:
        log.error("%s: stopping the process so its supervisor starts a fresh one", why)
        _server.should_exit = True
