"""The chain an incident follows, fixed when it opens, so a later change of policy never confuses one in flight."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridline.auth import scope_keys

from duty.escalation.models import Step, StepRole
from duty.settings import DutySettings


@dataclass(frozen=True)
class Chain:
    steps: tuple[Step, ...]
    max_repeats: int

    @property
    def last_level(self) -> int:
        return len(self.steps) - 1 + self.max_repeats

    def step(self, level: int) -> Step:
        return self.steps[min(level, len(self.steps) - 1)]

    def to_document(self) -> dict[str, Any]:
        return {"steps": [s.model_dump(mode="json") for s in self.steps], "max_repeats": self.max_repeats}

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Chain:
        return cls(tuple(Step(**s) for s in doc["steps"]), int(doc["max_repeats"]))


def default_chain(settings: DutySettings) -> Chain:
    """Duty officer, then the leader on duty, then the township desk, as the notice describes."""
    return Chain(
        (
            Step(role=StepRole.DUTY_OFFICER, wait_minutes=settings.escalation_wait_minutes),
            Step(role=StepRole.LEADER, wait_minutes=settings.escalation_leader_wait_minutes),
            Step(role=StepRole.TOWNSHIP_DESK, wait_minutes=settings.escalation_desk_wait_minutes),
        ),
        settings.escalation_max_repeats,
    )


def applicable(community_code: str, stored: list[dict[str, Any]], settings: DutySettings) -> Chain:
    """The most specific stored chain among the community and its parent divisions, else the default."""
    by_code = {doc["_id"]: doc for doc in stored}
    for code in reversed(scope_keys(community_code)):
        if code in by_code:
            return Chain.from_document(by_code[code])
    return default_chain(settings)
