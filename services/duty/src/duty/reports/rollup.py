"""Rolling counts up the division tree: pure sums of nested counters (no I/O)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from gridline.auth.principal import DIVISION_LEVELS


def add(into: dict[str, Any], counts: dict[str, Any]) -> None:
    for key, value in counts.items():
        if isinstance(value, dict):
            add(into.setdefault(key, {}), value)
        else:
            into[key] = into.get(key, 0) + int(value)


def total(counters: Iterable[dict[str, Any]]) -> tuple[dict[str, Any], int]:
    """The sum of community counters, and how many communities there were."""
    summed: dict[str, Any] = {}
    seen = 0
    for counter in counters:
        add(summed, counter.get("counts", {}))
        seen += 1
    return summed, seen


def by_division(
    counters: Iterable[dict[str, Any]], *, below: str | None = None
) -> dict[str, tuple[dict[str, Any], int]]:
    """Sums for every division the counters' communities belong to (or only those under `below`)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for counter in counters:
        code = counter["community_code"]
        for level in DIVISION_LEVELS:
            prefix = code[:level]
            if below is None or prefix.startswith(below):
                groups[prefix].append(counter)
    return {division: total(members) for division, members in sorted(groups.items())}


def next_level(division_code: str) -> int | None:
    bigger = [n for n in DIVISION_LEVELS if n > len(division_code)]
    return bigger[0] if bigger else None
