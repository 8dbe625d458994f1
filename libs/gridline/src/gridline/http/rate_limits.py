"""Requests per caller: past the limit a caller gets 429 with `Retry-After`, and other callers do not notice.

A caller is the verified identity (a token's subject, a signed machine client), never an address or an
unverified claim, so nobody can spend another caller's allowance. Counts are kept in this process, so
with several replicas each admits up to the limit.

Each limit is a moving window: at most `amount` requests in any `period` seconds. A caller's window keeps
the times of its admitted requests and forgets them as they age out, on that caller's next request; callers
gone quiet are forgotten by a sweep every `period`, on the request path. Nothing runs in the background,
and nothing is locked: every caller admits from the event loop's thread.
(The `limits` package's in-memory storage starts a thread every 10 ms while anything is counted, a few
percent of a busy service's CPU; here it only parses the notation.)
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from limits import parse_many

from gridline.http.problems import Problem


@dataclass
class _Window:
    amount: int
    period: float
    label: str
    hits: dict[str, deque[float]] = field(default_factory=dict)
    swept_at: float = 0.0

    def wait(self, caller: str, now: float) -> float:
        """Seconds until `caller` may make one more request (0 when it may now)."""
        times = self.hits.get(caller)
        if times is None:
            return 0.0
        while times and times[0] <= now - self.period:
            times.popleft()
        return times[0] + self.period - now if len(times) >= self.amount else 0.0

    def record(self, caller: str, now: float) -> None:
        self.hits.setdefault(caller, deque()).append(now)
        if now - self.swept_at >= self.period:
            self.hits = {c: t for c, t in self.hits.items() if t and t[-1] > now - self.period}
            self.swept_at = now


class RateLimits:
    """Limits such as `"30/second;1200/minute"` (the `limits` notation), each applied to every caller."""

    def __init__(self, spec: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._windows = [_Window(item.amount, item.get_expiry(), str(item)) for item in parse_many(spec)]
        self._clock = clock

    def admit(self, caller: str) -> None:
        """Count one request by `caller`; a 429 problem if it goes past any limit (a refused one is not counted)."""
        now = self._clock()
        for window in self._windows:
            wait = window.wait(caller, now)
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                raise Problem(
                    429,
                    f"too many requests: at most {window.label}; retry in {seconds} s",
                    type_="/problems/too-many-requests",
                    headers={"Retry-After": str(seconds)},
                )
        for window in self._windows:
            window.record(caller, now)

    def callers(self) -> int:
        """How many callers the windows hold counts for (the memory they take grows with this)."""
        return len({caller for window in self._windows for caller in window.hits})
