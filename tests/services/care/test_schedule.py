"""Chains of recurring days resume after an outage without replaying every missed day (pure)."""

from __future__ import annotations

from datetime import date

from care.schedule import next_occurrence


def test_the_next_occurrence_follows_the_cadence() -> None:
    assert next_occurrence(date(2026, 3, 2), 7, not_before=date(2026, 3, 2)) == date(2026, 3, 9)
    assert next_occurrence(date(2026, 3, 2), 7, not_before=date(2026, 3, 9)) == date(2026, 3, 9)


def test_after_an_outage_the_chain_jumps_to_the_first_day_not_yet_past() -> None:
    assert next_occurrence(date(2026, 3, 2), 7, not_before=date(2026, 3, 30)) == date(2026, 3, 30)
    assert next_occurrence(date(2026, 3, 2), 7, not_before=date(2026, 3, 31)) == date(2026, 4, 6)
    assert next_occurrence(date(2026, 3, 2), 1, not_before=date(2026, 5, 1)) == date(2026, 5, 1)
