"""Bulk import of a community's people: upload a file, follow the registry's import job, download row errors."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartParser

from web.apis import Apis, ApisDep
from web.pages.worker_forms import field_errors, key_header, new_key, text
from web.session import CsrfChecked, User, requires
from web.templating import render
from web.upstream import ApiError

router = APIRouter()
Admin = Annotated[User, requires("community_admin")]
ImportId = Annotated[str, Path(min_length=1, max_length=64)]
FORMULA = ("=", "+", "-", "@", "\t", "\r")
MAX_BYTES = 20 * 1024 * 1024  # the registry's own limit; a bigger file is refused before it is read
# A list of people stays in memory on its way to the registry, never in a temporary file on this disk.
MultiPartParser.spool_max_size = MAX_BYTES + 1


async def _small_enough(request: Request) -> None:
    """Refuse an oversized upload from its declared length, before reading it."""
    if int(request.headers.get("content-length") or 0) > MAX_BYTES + 64 * 1024:
        raise HTTPException(status_code=413, detail="文件超过 20 MB，请拆分后分批导入。")


@router.get("/imports", response_class=HTMLResponse)
async def imports(request: Request, user: Admin) -> HTMLResponse:
    """The upload form, with what the sheet must hold."""
    return render(request, "worker/imports.html", errors={}, key=new_key())


@router.post("/imports", response_class=HTMLResponse, dependencies=[Depends(_small_enough), CsrfChecked])
async def upload(request: Request, apis: ApisDep, user: Admin) -> Response:
    """Hand the file to the registry, which checks its header at once and imports the rows in the background."""
    form = await request.form()
    file = form.get("file")
    content = await file.read() if isinstance(file, UploadFile) else b""
    name = file.filename if isinstance(file, UploadFile) and file.filename else "upload.csv"
    kind = file.content_type if isinstance(file, UploadFile) and file.content_type else "application/octet-stream"
    try:
        job = await apis.registry.call(
            "POST",
            "/v1/imports",
            token=user.token,
            files={"file": (name, content, kind)},
            data={"community_code": user.community or text(form, "community_code")},
            headers=key_header(form),
        )
    except ApiError as exc:
        if exc.status not in (404, 409, 413, 422):
            raise
        errors = field_errors(exc)
        return render(request, "worker/imports.html", status_code=exc.status, errors=errors, key=new_key())
    return RedirectResponse(f"/imports/{quote(job['id'], safe='')}", status_code=303)


async def _job(apis: Apis, user: User, import_id: str) -> dict[str, Any]:
    """The import job as the registry reports it (refused outside the admin's area)."""
    job: dict[str, Any] = await apis.registry.call("GET", f"/v1/imports/{quote(import_id, safe='')}", token=user.token)
    return job


@router.get("/imports/{import_id}", response_class=HTMLResponse)
async def job_page(request: Request, apis: ApisDep, user: Admin, import_id: ImportId) -> HTMLResponse:
    """The job's progress (static/worker_import.js follows it live) and, once done, the first row errors."""
    job = await _job(apis, user, import_id)
    first: list[dict[str, Any]] = []
    if job["status"] in ("done", "failed") and job["errors_count"]:
        found = await apis.registry.call(
            "GET", f"/v1/imports/{quote(import_id, safe='')}/errors", token=user.token, params={"limit": 20}
        )
        first = found["items"]
    return render(request, "worker/import_job.html", job=job, first_errors=first)


@router.get("/imports/{import_id}/progress")
async def progress(apis: ApisDep, user: Admin, import_id: ImportId) -> JSONResponse:
    """The job's counts for the progress bar, as the registry reports them."""
    job = await _job(apis, user, import_id)
    keys = ("status", "total_rows", "processed", "imported", "duplicates", "errors_count")
    return JSONResponse({k: job.get(k) for k in keys}, headers={"Cache-Control": "no-store"})


@router.get("/imports/{import_id}/errors.csv")
async def errors_csv(apis: ApisDep, user: Admin, import_id: ImportId) -> StreamingResponse:
    """Every refused row as a CSV Excel opens in Chinese (UTF-8 with BOM): row, column, what to fix."""
    await _job(apis, user, import_id)  # a job outside the admin's area is refused before anything is sent
    headers = {
        "Content-Disposition": f"attachment; filename=\"import-errors.csv\"; filename*=UTF-8''{quote('导入错误.csv')}",
        "Cache-Control": "no-store",
    }
    return StreamingResponse(_error_rows(apis, user, import_id), media_type="text/csv; charset=utf-8", headers=headers)


async def _error_rows(apis: Apis, user: User, import_id: str) -> AsyncIterator[bytes]:
    """The CSV lines of every refused row, page by page from the registry."""
    yield _csv_line(["行号", "列", "字段", "问题"], bom=True)
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        found = await apis.registry.call(
            "GET", f"/v1/imports/{quote(import_id, safe='')}/errors", token=user.token, params=params
        )
        for error in found["items"]:
            yield _csv_line([error["row"], error.get("column") or "", error["field"], error["message"]])
        cursor = found.get("next_cursor")
        if not cursor:
            return


def _csv_line(values: list[Any], *, bom: bool = False) -> bytes:
    """One CSV line; a cell that Excel would run as a formula is quoted as text."""
    out = io.StringIO()
    csv.writer(out).writerow(["'" + v if isinstance(v, str) and v[:1] in FORMULA else v for v in values])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()
