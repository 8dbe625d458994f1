"""What a resident reads about their own request: where it stands, never who else is involved in full."""

from __future__ import annotations

from typing import Any

from gridline.http.bounds import Instant
from pydantic import BaseModel

from care.vocabulary import Priority, RequestType, Status


class ResidentRequestRead(BaseModel):
    id: str
    type: RequestType
    priority: Priority
    needs: str
    status: Status
    helper_name: str | None
    acknowledge_by: Instant
    fulfil_by: Instant
    opened_at: Instant
    updated_at: Instant


def to_resident_read(doc: dict[str, Any]) -> ResidentRequestRead:
    return ResidentRequestRead.model_validate(
        {**doc, "id": doc["_id"], "helper_name": (doc.get("assignee") or {}).get("name")}
    )
