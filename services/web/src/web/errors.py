"""What a person sees when something goes wrong: a page in Chinese that says what to do, never a stack trace."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from gridline.logs import error_text
from starlette.exceptions import HTTPException

from web.session import Forbidden, SignInRequired
from web.templating import moving_on, render
from web.upstream import ApiError, Unavailable

log = logging.getLogger("web")
SERVICE_NAMES = {"registry": "人员登记", "monitoring": "健康监测", "care": "关爱帮扶", "duty": "值班应急"}


def _to_signin(request: Request) -> Response:
    """To sign in, and back here afterwards. A form sent with an expired sign-in gets a page of ours that moves
    on: /signin sends the browser to the identity provider, which a form may not reach by a redirect."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method == "GET":
        return RedirectResponse(f"/signin?next={quote(target, safe='/')}", status_code=303)
    target = request.headers.get("referer", "/").removeprefix(str(request.base_url).rstrip("/")) or "/"
    return moving_on(
        request,
        url=f"/signin?next={quote(target, safe='/')}",
        heading="登录已过期",
        detail="为了保护居民信息，登录一段时间后需要重新登录。刚才填写的内容没有提交，请登录后重新填写。",
        link_text="重新登录",
    )


REFUSALS = {
    403: "您的岗位不能进行此操作。",
    404: "要找的记录不存在，或不在您的辖区。",
    409: "该记录刚被他人修改，请刷新后重试。",
    429: "请稍后再试。",
}
# The services explain in Chinese where it matters to a person; their English details name records by id.
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}", re.IGNORECASE)


def _in_words(exc: ApiError) -> str:
    """A refusal's detail as a person reads it: the service's Chinese words, else ours; never a record's id."""
    if _CJK.search(exc.detail) and not _ID.search(exc.detail):
        return exc.detail
    return REFUSALS.get(exc.status, "操作未完成，请稍后再试。")


def install(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, exc: SignInRequired) -> Response:
        return _to_signin(request)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return render(request, "error.html", status_code=403, title="没有权限", detail="此页面不属于您的岗位。")

    @app.exception_handler(ApiError)
    async def refused(request: Request, exc: ApiError) -> Response:
        if exc.status == 401:
            request.session.pop("user", None)
            return _to_signin(request)
        titles = {403: "没有权限", 404: "未找到", 409: "与现有记录冲突", 429: "操作太频繁"}
        title = titles.get(exc.status, exc.title)
        return render(request, "error.html", status_code=exc.status, title=title, detail=_in_words(exc))

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, exc: Unavailable) -> Response:
        log.warning("upstream unavailable", extra={"service": exc.service})
        name = SERVICE_NAMES.get(exc.service, exc.service)
        detail = f"{name}服务暂时无法访问，请稍后再试。紧急情况请拨打社区值班电话。"
        return render(request, "error.html", status_code=503, title="服务暂不可用", detail=detail)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        return render(request, "error.html", status_code=400, title="请求有误", detail="链接或表单内容不完整。")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        titles = {404: "页面不存在", 403: "请求被拒绝", 405: "请求方式不对"}
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code < 500 else ""
        title = titles.get(exc.status_code, "请求有误")
        return render(request, "error.html", status_code=exc.status_code, title=title, detail=detail)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.error("page failed", extra={"error": error_text(exc), "path": request.url.path})
        return render(request, "error.html", status_code=500, title="出错了", detail="页面暂时无法显示，请稍后再试。")
