"""List and replay dead letters: what a consumer could not handle, kept until an operator acts on it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from gridline import logs
from gridline.auth.principal import Principal, Role
from gridline.auth.rights import Right
from gridline.consumer import DEAD_LETTERS
from gridline.http.bounds import LongPathKey
from gridline.http.deps import RuntimeDep, require
from gridline.http.pagination import Page, PageParams, page_params, paginate
from gridline.http.problems import Problem, not_found

router = APIRouter(prefix="/v1/dead-letters", tags=["operations"])
OPERATE_DEAD_LETTERS = Right({Role.PLATFORM_ADMIN}, name="OPERATE_DEAD_LETTERS")
Operator = Annotated[Principal, Depends(require(OPERATE_DEAD_LETTERS))]


class DeadLetterRead(BaseModel):
    id: str
    group: str
    topic: str
    partition: int
    offset: int
    event_id: str | None
    event_type: str | None
    reason: str
    failed_at: datetime
    status: str


def _read(doc: dict[str, Any]) -> DeadLetterRead:
    return DeadLetterRead(id=doc["_id"], **{k: doc.get(k) for k in DeadLetterRead.model_fields if k != "id"})


@router.get("", operation_id="listDeadLetters", summary="Records a consumer could not handle")
async def list_dead_letters(
    runtime: RuntimeDep, _: Operator, page: Annotated[PageParams, Depends(page_params)]
) -> Page[DeadLetterRead]:
    projection = {"value": 0, "headers": 0, "key": 0}
    return await paginate(runtime.database()[DEAD_LETTERS], {}, page, _read, projection)


@router.post("/{letter_id}/replay", operation_id="replayDeadLetter", summary="Handle a dead letter again")
async def replay_dead_letter(letter_id: LongPathKey, runtime: RuntimeDep, _: Operator) -> DeadLetterRead:
    coll = runtime.database()[DEAD_LETTERS]
    letter = await coll.find_one({"_id": letter_id})
    if letter is None:
        raise not_found("dead letter")
    consumer = next((c for c in runtime.consumers if c.group == letter["group"]), None)
    if consumer is None:
        raise Problem(409, f"no consumer {letter['group']} runs in this service")
    try:
        await consumer.replay(letter)
    except Exception as exc:
        raise Problem(409, f"replay failed again: {logs.error_text(exc)}", type_="/problems/replay-failed") from exc
    await coll.update_one({"_id": letter_id}, {"$set": {"status": "replayed", "replayed_at": runtime.clock.now()}})
    updated = await coll.find_one({"_id": letter_id})
    assert updated is not None
    return _read(updated)
