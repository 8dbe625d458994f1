"""What the workers' forms share: field errors in Chinese, retry keys, the community's grids, form values."""

from __future__ import annotations

import re
import secrets
from typing import Any

from starlette.datastructures import FormData

from web.apis import Apis
from web.session import User
from web.upstream import ApiError

WORKER_ROLES = ("grid_worker", "community_admin")
# The services' own messages are Chinese where they check meaning; schema checks answer in English.
SCHEMA_WORDS = (
    (re.compile(r"^Field required"), "此项必填"),
    (re.compile(r"^String should have at least (\d+)"), r"至少填写 \1 个字"),
    (re.compile(r"^String should have at most (\d+)"), r"最多填写 \1 个字"),
    (re.compile(r"^String should match pattern"), "格式不正确"),
    (re.compile(r"^Input should be a valid (number|integer|decimal)"), "请填写数字"),
    (re.compile(r"^Input should be a valid date"), "请填写有效日期"),
    (re.compile(r"^Input should be less than or equal to (\S+)"), r"不能大于 \1"),
    (re.compile(r"^Input should be greater than or equal to (\S+)"), r"不能小于 \1"),
    (re.compile(r"^Input should be (greater|less) than"), "超出允许范围"),
    (re.compile(r"^Input should be"), "请从选项中选择"),
    (re.compile(r"^List should have at least"), "请至少选择一项"),
    (re.compile(r"^Extra inputs are not permitted"), "多余的内容"),
    (re.compile(r"^Value error, (.*)", re.DOTALL), r"\1"),
)


# Refusals without field errors whose details the services write in English.
STATUS_WORDS = {
    404: "所填的社区、网格或记录不存在，或不在您的辖区。",
    413: "文件超过 20 MB，请拆分后分批导入。",
}


def chinese(message: str) -> str:
    """A field message people can act on: the service's own Chinese words, or ours for a schema check."""
    for pattern, words in SCHEMA_WORDS:
        found = pattern.search(message)
        if found:
            return found.expand(words)
    return message


def field_errors(exc: ApiError) -> dict[str, str]:
    """The refusal's field errors by API path, in Chinese; a refusal without fields under the empty path."""
    found = {path: chinese(message) for path, message in exc.fields.items()}
    if not found:
        found[""] = STATUS_WORDS.get(exc.status) or exc.detail or exc.title
    return found


def new_key() -> str:
    """An Idempotency-Key for one rendering of a form: submitting it twice makes one record."""
    return secrets.token_urlsafe(18)


def key_header(form: FormData) -> dict[str, str]:
    """The form's own Idempotency-Key (rendered with it), so a second submit of the same form is a replay."""
    return {"Idempotency-Key": text(form, "key") or new_key()}


def text(form: FormData, name: str) -> str:
    """A form field's typed text, trimmed; empty when missing."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional(form: FormData, name: str) -> str | None:
    """A typed value, or None for an empty field (so the API applies its default)."""
    return text(form, name) or None


def strings(form: FormData, name: str) -> list[str]:
    """Every ticked value of a repeated field (checkboxes)."""
    return [v for v in form.getlist(name) if isinstance(v, str) and v]


async def community_grids(apis: Apis, user: User) -> list[dict[str, Any]]:
    """The grids a worker may pick from, by name: their community's when the token is one, else all visible."""
    params: dict[str, Any] = {"limit": 200}
    if user.community:
        params["community_code"] = user.community
    found = await apis.registry.call("GET", "/v1/grids", token=user.token, params=params)
    grids: list[dict[str, Any]] = sorted(found["items"], key=lambda grid: str(grid["name"]))
    return grids


def without_empty(body: dict[str, Any]) -> dict[str, Any]:
    """A JSON body without the fields left empty, so the API applies its defaults or names what is missing."""
    return {k: v for k, v in body.items() if v not in (None, "", [], {})}
