"""A plan activated by an incident becomes its checklist: each task gets an owner and a due time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from duty.plans.models import OwnerRole


@dataclass(frozen=True)
class Owner:
    subject: str | None
    name: str | None


@dataclass(frozen=True)
class Owners:
    """Who holds each owner role for one incident at the moment of activation."""

    by_role: dict[str, Owner]

    def of(self, role: str) -> Owner:
        return self.by_role.get(role, Owner(None, None))


def tasks_of(template: dict[str, Any], *, owners: Owners, at: datetime, first_number: int) -> list[dict[str, Any]]:
    """The template's tasks as stored on the incident, numbered on from the tasks it already has."""
    tasks = []
    for offset, task in enumerate(template["tasks"]):
        owner = owners.of(task["owner_role"])
        tasks.append(
            {
                "task_id": f"t{first_number + offset + 1}",
                "template_id": template["_id"],
                "title": task["title"],
                "owner_role": task["owner_role"],
                "owner": owner.subject,
                "owner_name": owner.name,
                "due_at": at + timedelta(minutes=task["due_minutes"]),
                "status": "open",
            }
        )
    return tasks


ROLES = tuple(role.value for role in OwnerRole)
