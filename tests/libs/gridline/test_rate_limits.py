"""The moving window per caller: what it admits, what it refuses and for how long, and what it forgets."""

from __future__ import annotations

import pytest
from gridline.http.problems import Problem
from gridline.http.rate_limits import RateLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def refused_for(limits: RateLimits, caller: str) -> int:
    """The Retry-After of a refusal, in seconds; fails the test if the request was admitted."""
    with pytest.raises(Problem) as refused:
        limits.admit(caller)
    assert refused.value.status == 429
    assert refused.value.headers is not None
    return int(refused.value.headers["Retry-After"])


def test_a_window_admits_its_amount_then_refuses_until_the_oldest_request_ages_out() -> None:
    clock = Clock()
    limits = RateLimits("3/minute", clock=clock)
    for offset in (0.0, 10.0, 20.0):
        clock.now = 1000.0 + offset
        limits.admit("worker")

    clock.now = 1030.0
    assert refused_for(limits, "worker") == 30  # the first request leaves the window at 1060
    clock.now = 1059.5
    assert refused_for(limits, "worker") == 1
    clock.now = 1060.0
    limits.admit("worker")  # one slot freed, and only one
    assert refused_for(limits, "worker") == 10


def test_callers_are_counted_apart() -> None:
    limits = RateLimits("2/second", clock=Clock())
    limits.admit("a")
    limits.admit("a")
    refused_for(limits, "a")
    limits.admit("b")
    limits.admit("b")


def test_a_refused_request_spends_nothing_in_any_window() -> None:
    clock = Clock()
    limits = RateLimits("2/second;3/minute", clock=clock)
    limits.admit("worker")
    limits.admit("worker")
    for _ in range(5):
        refused_for(limits, "worker")  # per second: refused, and the per-minute count stays at 2
    clock.now += 1.0
    limits.admit("worker")  # the third of the minute
    clock.now += 1.0
    assert refused_for(limits, "worker") == 58


def test_quiet_callers_are_forgotten() -> None:
    clock = Clock()
    limits = RateLimits("5/second", clock=clock)
    for n in range(1000):
        limits.admit(f"caller-{n}")
    clock.now += 2.0
    limits.admit("someone")
    assert limits.callers() == 1
