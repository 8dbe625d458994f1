from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile, status
from gridline.auth import Principal
from gridline.http.bounds import PathKey
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, ProtectorDep, WakeJobs, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.http.problems import Problem, field_error
from gridline.idempotency import creation_id

from registry import rights
from registry.imports import service, uploads
from registry.imports.models import ImportErrorRead, ImportRead

router = APIRouter(prefix="/v1/imports", tags=["imports"])
Importer = Annotated[Principal, Depends(require(rights.IMPORT_PERSONS))]
Reader = Annotated[Principal, Depends(require(rights.READ_PERSONS))]

IMPORT_DESCRIPTION = f"""
Upload a community's list of people as **.csv** (UTF-8, with or without BOM) or **.xlsx** (the first sheet),
at most {uploads.MAX_BYTES // (1024 * 1024)} MB. The file is checked at once (format, header); the rows are
imported by a background job. Answers 202 with the job and a `Location` to poll; errors per row are listed
under `/v1/imports/{{id}}/errors`. Re-uploading a file imports nothing twice: an already registered
document counts as a duplicate. This route has its own body limit (the file size above plus the form),
independent of the service's `max_body_bytes`.

The header row may be preceded by title rows (up to 10 rows are searched). Columns, in any order; headers
may carry notes in brackets or a trailing `*`; unknown columns (序号, 备注 …) are ignored:

- 姓名 / name (required): up to 50 characters.
- 证件类型 / document_type: 居民身份证 (the default when empty), 护照, 港澳台居民来往内地通行证,
  外国人永久居留身份证, or `prc_id`, `passport`, `mainland_travel_permit`, `foreign_permanent_residence`.
- 证件号码 / document_number (required): checked as registerPerson checks it (the GB 11643 check character
  for 居民身份证). Keep the column as text in Excel: a number cell loses the last digits of an ID.
- 手机号码 / phone: an 11-digit mobile number.
- 网格 / grid (required): a grid's id, or its name within the community.
- 住址 / address: up to 200 characters.
- 人员类别 / category: 返乡人员, 进口冷链从业人员, 外来人员, 中高风险地区来（返）人员, 入境人员, or
  `holiday_returnee`, `cold_chain_worker`, `non_local_arrival`, `risk_area_arrival`, `inbound_traveller`.
- 抵达日期 / arrival_date: YYYY-MM-DD (also 2021/1/12, 2021年1月12日, 20210112) or an Excel date cell.
- 来源地区划代码 / origin_division_code: 6, 9 or 12 digits.
- 健康码 / health_code: 绿/黄/红 or green/yellow/red; green when empty.
- 特殊群体 / special_groups: 困难老人, 孤儿, 留守妇女, 留守儿童, 残疾人 (or `elderly_in_difficulty`,
  `orphan`, `left_behind_woman`, `left_behind_child`, `disabled`), separated by 、 or commas.
- 监护人姓名 / guardian_name, 监护人电话 / guardian_phone, 与监护人关系 / guardian_relation (e.g. 父亲, 母亲):
  the guardian of a child under 14, required for such a child as registerPerson requires it; all three
  or none. The guardian's phone is an 11-digit mobile number, stored sealed like the person's own.

Arrival date, origin and health code describe a stay in the key population named by 人员类别, so they
need it.
"""


@router.post(
    "",
    operation_id="importPersons",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Import persons from a CSV or XLSX list (processed by a background job)",
    description=IMPORT_DESCRIPTION,
    responses={
        404: {"description": "the community is not inside your jurisdiction"},
        409: {"description": "the Idempotency-Key was used with another file"},
        413: {"description": "the file is too large"},
        422: {"description": "not a readable CSV/XLSX, or a required column is missing"},
    },
)
async def import_persons(
    response: Response,
    db: DbDep,
    clock: ClockDep,
    protector: ProtectorDep,
    principal: Importer,
    wake: WakeJobs,
    file: Annotated[
        UploadFile, File(description=".csv (UTF-8) or .xlsx", json_schema_extra={"maxLength": uploads.MAX_BYTES})
    ],
    community_code: Annotated[str, Form(pattern=r"^\d{12}$", description="12-digit village/community code")],
    idempotency_key: IdempotencyKey = None,
) -> ImportRead:
    _check_size(file)
    document = await service.start(
        db=db,
        clock=clock,
        protector=protector,
        principal=principal,
        community_code=community_code,
        file_name=(file.filename or "")[:200],
        file=file.file,
        import_id=creation_id(principal=principal, operation="importPersons", key=idempotency_key),
        idempotency_key=idempotency_key,
    )
    wake()
    response.headers["Location"] = f"{router.prefix}/{document['_id']}"
    return await service.read(db=db, document=document)


@router.get("/{import_id}", operation_id="getImportJob", summary="An import's status, counts and progress")
async def get_import_job(import_id: PathKey, db: DbDep, principal: Reader) -> ImportRead:
    document = await service.get(db=db, principal=principal, import_id=import_id)
    return await service.read(db=db, document=document)


@router.get(
    "/{import_id}/errors",
    operation_id="listImportErrors",
    summary="The rows an import refused: row number, field and what to fix, in row order",
)
async def list_import_errors(
    import_id: PathKey, db: DbDep, principal: Reader, page: Annotated[PageParams, Depends(page_params)]
) -> Page[ImportErrorRead]:
    return await service.list_errors(db=db, principal=principal, import_id=import_id, page=page)


def _check_size(file: UploadFile) -> None:
    """The route's own limit, whatever the service-wide body limit is raised to for it."""
    file.file.seek(0, 2)
    size = file.file.tell()
    file.file.seek(0)
    if size > uploads.MAX_BYTES:
        raise Problem(413, f"the file exceeds {uploads.MAX_BYTES} bytes", type_="/problems/too-large")
    if size == 0:
        raise field_error("file", "文件为空")
