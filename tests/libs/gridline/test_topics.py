"""deploy/topics.yaml: each topic declared once, and a second declaration of a name refused, not kept silently."""

from __future__ import annotations

from pathlib import Path

import pytest
from gridline import topics


def test_the_declared_topics_have_unique_names_and_the_venues_are_compacted() -> None:
    declared = topics.load()
    names = [t.name for t in declared]
    assert len(names) == len(set(names))
    venue = next(t for t in declared if t.name == "duty.venue.v1")
    assert venue.config == {"retention.ms": "-1", "cleanup.policy": "compact"}


def test_a_topic_declared_twice_is_refused_with_its_line(tmp_path: Path) -> None:
    twice = tmp_path / "topics.yaml"
    twice.write_text(
        "defaults: {partitions: 3, retention_ms: 604800000}\n"
        "topics:\n"
        "  duty.venue.v1: {owner: duty}\n"
        "  duty.venue.v1: {owner: duty, cleanup_policy: compact}\n"
    )
    with pytest.raises(ValueError, match=r"'duty.venue.v1' is declared twice \(line 4\)"):
        topics.load(twice)
