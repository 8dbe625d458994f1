"""Recurring days for chains of stored jobs (visits, recurring requests), pure."""

from __future__ import annotations

from datetime import date, timedelta


def next_occurrence(day: date, every_days: int, *, not_before: date) -> date:
    """The occurrence after `day`, skipping any already past: after an outage a chain resumes, it does not replay
    every day it missed (one link for the missed `day` itself still runs, so nothing is silently lost)."""
    following = day + timedelta(days=every_days)
    if following < not_before:
        missed = (not_before - following).days
        following += timedelta(days=every_days * -(-missed // every_days))
    return following
