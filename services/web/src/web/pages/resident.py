"""What the residents' pages share: the clear page for a dead link, and refusals put in plain Chinese."""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.responses import HTMLResponse

from web.templating import render
from web.upstream import ApiError

LINK_HEADER = "x-link-token"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SECONDS = re.compile(r"(\d+)\s*(?:s\b|秒)")


def link_refused(exc: ApiError) -> bool:
    """The service turned the link down: not genuine (401), expired or its plan ended (410), or malformed."""
    if exc.status in (401, 410):
        return True
    return exc.status == 422 and any(name.lower() == LINK_HEADER for name in exc.fields)


def link_page(request: Request, exc: ApiError, *, what: str) -> HTMLResponse:
    """The page a resident sees for a dead link: what happened and whom to ask, with a 4xx status."""
    expired = exc.status == 410
    return render(
        request,
        "resident/link_invalid.html",
        status_code=410 if expired else 403,
        expired=expired,
        what=what,
    )


def too_many(exc: ApiError) -> str:
    """A 429 as the resident reads it, with the wait the service named when it named one."""
    found = _SECONDS.search(f"{exc.detail} {exc.title}")
    wait = f"请 {found.group(1)} 秒后再试" if found else "请稍后再试"
    return f"操作太频繁，{wait}。"


def plain(message: str, fallback: str) -> str:
    """The service's own words when they are Chinese, else the page's own explanation."""
    return message if _CJK.search(message) else fallback


def refusal(exc: ApiError, fallback: str = "提交未成功，请检查后重试。") -> str:
    """One sentence for a refusal that is not about a single field."""
    if exc.status == 429:
        return too_many(exc)
    return plain(exc.detail, plain(exc.title, fallback))
