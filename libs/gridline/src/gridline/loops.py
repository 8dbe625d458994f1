"""What every loop beside the HTTP side shares (relay, consumers, jobs, timers, lease renewals, live streams).

Such a loop survives any outage of what it talks to: a database or broker that is away for a second or ten
minutes. It backs off between tries (`Backoff`), says once that it stopped making progress and once that it
moved again, with how long and how many tries it took (`Progress`), never a line per retry. Only an error it
cannot recover from ends it (`outage` tells the two apart), and that ends the process (`gridline.fatal`), so
a supervisor starts a fresh one: compose restarts a container that exits, not one that is merely unhealthy.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time

from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError

from gridline import logs, mongo


def outage(exc: BaseException) -> bool:
    """True when `exc` says the database or the broker is away or busy, which passes by itself.

    Kafka says which of its errors pass (`retriable`); one that does not (a record too large, a topic refused)
    comes back on every try, so it is no outage.
    """
    if isinstance(exc, KafkaConnectionError | KafkaTimeoutError):
        return True
    if isinstance(exc, KafkaError):
        return bool(exc.retriable)
    return mongo.is_transient(exc) or isinstance(exc, ConnectionError | TimeoutError)


class Backoff:
    """Waits that double from `first` up to `cap`, each with a little jitter so replicas do not retry in step.

    The cap is short: a try against a server that is away costs a refused connection, and a loop should be
    back within seconds of the server, not half a minute later.
    """

    def __init__(self, *, first: float = 0.5, cap: float = 5.0) -> None:
        self._first = first
        self._cap = cap
        self._next = first

    def reset(self) -> None:
        self._next = self._first

    def delay(self) -> float:
        """The wait before the next try; each call doubles the one after it."""
        wait = self._next
        self._next = min(self._cap, self._next * 2)
        return wait * random.uniform(0.8, 1.0)

    async def wait(self) -> None:
        await asyncio.sleep(self.delay())


class Progress:
    """One line when a loop stops making progress, one when it moves again: not a line per retry."""

    def __init__(self, name: str, logger: logging.Logger) -> None:
        self.name = name
        self._log = logger
        self._since: float | None = None
        self._tries = 0

    @property
    def stuck(self) -> bool:
        return self._since is not None

    def failed(self, exc: BaseException) -> None:
        self._tries += 1
        if self._since is None:
            self._since = time.monotonic()
            self._log.warning("%s stopped making progress, retrying: %s", self.name, logs.error_text(exc))

    def moved(self) -> None:
        if self._since is None:
            return
        seconds, tries = time.monotonic() - self._since, self._tries
        self._since, self._tries = None, 0
        self._log.warning("%s making progress again after %.1fs (%d tries)", self.name, seconds, tries)


class Retrying:
    """A loop's `Progress` and `Backoff` together: `await retrying.failed(exc)` after a try that met an outage
    (re-raised when it was no outage), `retrying.moved()` after one that got through."""

    def __init__(self, name: str, logger: logging.Logger, *, first: float = 0.5, cap: float = 5.0) -> None:
        self.progress = Progress(name, logger)
        self.backoff = Backoff(first=first, cap=cap)

    async def failed(self, exc: BaseException) -> None:
        if not outage(exc):
            raise exc
        self.progress.failed(exc)
        await self.backoff.wait()

    def moved(self) -> None:
        self.progress.moved()
        self.backoff.reset()
