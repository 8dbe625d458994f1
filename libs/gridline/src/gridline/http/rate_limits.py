"""Requests per caller: past the limit a caller gets 429 with `Retry-After`, and other callers do not notice.

A caller is the verified identity (a token's subject, a signed machine client), never an address or an
unverified claim, so nobody can spend another caller's allowance. Counts are kept in this process, so
with several replicas each admits up to the limit.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from gridline.http.problems import Problem


class RateLimits:
    """Limits such as `"30/second;1200/minute"` (the `limits` notation), each applied to every caller."""

    def __init__(self, spec: str) -> None:
        self._items: list[RateLimitItem] = parse_many(spec)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def admit(self, caller: str) -> None:
        """Count one request by `caller`; a 429 problem if it goes past any limit."""
        for item in self._items:
            if not self._limiter.hit(item, caller):
                reset_at, _ = self._limiter.get_window_stats(item, caller)
                wait = max(1, math.ceil(reset_at - time.time()))
                raise Problem(
                    429,
                    f"too many requests: at most {item}; retry in {wait} s",
                    type_="/problems/too-many-requests",
                    headers={"Retry-After": str(wait)},
                )
