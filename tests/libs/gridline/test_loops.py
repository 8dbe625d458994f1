"""Loops beside the HTTP side: waits that grow to a short cap, one line when stuck and one when moving again,
and only an outage retried."""

from __future__ import annotations

import logging

import pytest
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    NotLeaderForPartitionError,
    TopicAuthorizationFailedError,
)
from gridline.loops import Backoff, Progress, Retrying, outage
from gridline.mongo import AutoReconnect, DuplicateKeyError


def test_waits_double_up_to_the_cap_and_start_again_after_a_success() -> None:
    backoff = Backoff(first=0.5, cap=4.0)
    waits = [backoff.delay() for _ in range(6)]
    nominal = [0.5, 1, 2, 4, 4, 4]
    # Each wait is its nominal one less at most a fifth of jitter.
    assert all(0.8 * n <= w <= n for w, n in zip(waits, nominal, strict=True)), waits
    backoff.reset()
    assert backoff.delay() <= 0.5


def test_an_outage_is_said_once_when_it_starts_and_once_when_it_ends(caplog: pytest.LogCaptureFixture) -> None:
    progress = Progress("job runner", logging.getLogger("test.loops"))
    with caplog.at_level(logging.WARNING, logger="test.loops"):
        for _ in range(50):
            progress.failed(AutoReconnect("connection is closed"))
        assert progress.stuck
        progress.moved()
        progress.moved()  # moving on without having been stuck says nothing
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines
    assert lines[0].startswith("job runner stopped making progress, retrying: AutoReconnect")
    assert lines[1].startswith("job runner making progress again after")
    assert lines[1].endswith("(50 tries)")


def test_the_database_or_broker_away_is_an_outage_and_a_bug_is_not() -> None:
    assert outage(AutoReconnect("connection is closed"))
    assert outage(KafkaConnectionError("Unable to bootstrap"))
    assert outage(ConnectionRefusedError())
    assert not outage(DuplicateKeyError("E11000"))
    assert not outage(KeyError("kind"))


def test_a_kafka_error_that_comes_back_on_every_try_is_no_outage() -> None:
    assert outage(KafkaTimeoutError())
    assert outage(NotLeaderForPartitionError())  # a leader moving: retriable, as Kafka marks it
    assert not outage(MessageSizeTooLargeError())
    assert not outage(TopicAuthorizationFailedError())


async def test_an_error_that_is_no_outage_ends_the_loop() -> None:
    retrying = Retrying("relay", logging.getLogger("test.loops"), first=0.01, cap=0.01)
    await retrying.failed(AutoReconnect("closed"))  # waits, then the loop tries again
    with pytest.raises(KeyError):
        await retrying.failed(KeyError("kind"))


class Server:
    should_exit = False


async def test_a_loop_that_dies_of_an_error_it_cannot_recover_from_stops_the_server() -> None:
    from gridline import fatal
    from gridline.service import _logged

    async def broken() -> None:
        raise KeyError("kind")

    server = Server()
    fatal.serve_with(server)
    try:
        with pytest.raises(KeyError):
            await _logged("jobs", broken())
        assert server.should_exit  # uvicorn stops, and `gridline.serve` exits 1 for the supervisor
        assert fatal.reason == "background task jobs stopped: KeyError: 'kind'"
    finally:
        fatal.serve_with(None)
