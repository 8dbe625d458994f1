"""Cursor pagination: `limit` and `cursor` in, `items` and `next_cursor` out, ordered by id."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from gridline.http.problems import field_error
from gridline.mongo import ASCENDING, Collection, read

MAX_PAGE_SIZE = 200
T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class PageParams(BaseModel):
    limit: int
    cursor: str | None


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="page size")] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


async def paginate(
    collection: Collection,
    query: dict[str, Any],
    params: PageParams,
    to_item: Callable[[dict[str, Any]], T],
    projection: dict[str, Any] | None = None,
) -> Page[T]:
    if params.cursor:
        query = {"$and": [query, {"_id": {"$gt": _decode(params.cursor)}}]}
    cursor = collection.find(query, projection).sort("_id", ASCENDING).limit(params.limit + 1)
    docs = await read(cursor, params.limit + 1)
    more = len(docs) > params.limit
    docs = docs[: params.limit]
    next_cursor = _encode(str(docs[-1]["_id"])) if more and docs else None
    return Page(items=[to_item(d) for d in docs], next_cursor=next_cursor)


def _encode(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise field_error("cursor", "cursor is not one this API issued") from exc
