"""Jinja templates with the filters every page uses: Asia/Shanghai times, Chinese labels, masks."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from web import labels, names
from web.session import csrf_token, current_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
_PADDED = re.compile(r"(?<!\d)0(\d)(?=[月日])")
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _parse(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _written(moment: date, fmt: str) -> str:
    """`fmt` as Chinese is written: 12月6日, not 12月06日."""
    return _PADDED.sub(r"\1", moment.strftime(fmt))


def local_time(value: Any, fmt: str = "%m月%d日 %H:%M") -> str:
    """A timestamp as people in the county read it: Beijing time, Chinese month and day (12月6日 08:00)."""
    moment = _parse(value)
    if moment is None:
        return "—" if not value else str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return _written(moment.astimezone(SHANGHAI), fmt)


def local_day(value: Any, fmt: str = "%Y年%m月%d日") -> str:
    """A calendar day (already a Beijing day) or an instant's Beijing day: 2026年12月6日."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return _written(value, fmt)
    if isinstance(value, str) and len(value) == 10:
        try:
            return _written(date.fromisoformat(value), fmt)
        except ValueError:
            return value
    return local_time(value, fmt)


def label(value: Any, kind: str) -> str:
    """The Chinese word for a code (`label('fever', 'alert_kind')`), or the code itself when none is known."""
    return labels.WORDS.get(kind, {}).get(str(value), str(value) if value is not None else "—")


templates.env.filters.update(
    local_time=local_time, local_day=local_day, label=label, person=names.person, reference=names.reference
)
templates.env.globals.update(csrf_token=csrf_token, current_user=current_user, labels=labels)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def moving_on(request: Request, *, url: str, heading: str, detail: str, link_text: str) -> HTMLResponse:
    """A page of these pages that sends the browser on to `url` at once (and a link, should it not).

    A form's navigation is held to `form-action 'self'` through every redirect it follows, so an answer to a
    form that must take the browser elsewhere (the identity provider) is this page, not a redirect.
    """
    page = render(request, "moving_on.html", url=url, heading=heading, detail=detail, link_text=link_text)
    page.headers["Cache-Control"] = "no-store"
    return page
