"""Bulk import from the sheets workers keep: every good row in, every bad row named, nothing twice."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from gridline.clock import FixedClock
from gridline.testing import eventually
from openpyxl import Workbook
from registry.imports import job, uploads

from tests.conftest import Platform
from tests.integration.people import COMMUNITY, OTHER_COMMUNITY, create_grid, prc_id, worker

pytestmark = pytest.mark.integration

HEADER = [
    "序号",
    "姓名",
    "证件类型",
    "证件号码",
    "手机号码",
    "网格",
    "住址",
    "人员类别",
    "抵达日期",
    "来源地区划代码",
    "健康码",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Crash(Exception):
    """Stands for the process dying at this point."""


def people(count: int, *, first: int = 0) -> list[list[Any]]:
    """Valid adults with distinct ID numbers and phones, in the first grid."""
    rows = []
    for i in range(first, first + count):
        birth = (date(1950, 1, 1) + timedelta(days=i)).strftime("%Y%m%d")
        arrival = datetime(2021, 1, 10) if i % 2 else "2021-01-11"
        identity = [f"测试{i}", "居民身份证", prc_id(birth, i % 997), f"139{i:08d}"]
        rows.append([i + 1, *identity, "第1网格", f"曙光路{i}号", "返乡人员", arrival, "420106", "绿"])
    return rows


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for cells in rows:
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def upload(
    registry: httpx.AsyncClient, headers: dict[str, str], name: str, content: bytes, **extra: str
) -> httpx.Response:
    kind = XLSX if name.endswith(".xlsx") else "text/csv"
    return await registry.post(
        "/v1/imports",
        files={"file": (name, content, kind)},
        data={"community_code": extra.pop("community_code", COMMUNITY)},
        headers={**headers, **extra},
    )


async def finished(registry: httpx.AsyncClient, headers: dict[str, str], import_id: str) -> dict[str, Any]:
    async def done() -> dict[str, Any]:
        response = await registry.get(f"/v1/imports/{import_id}", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["status"] in ("done", "failed")
        result: dict[str, Any] = response.json()
        return result

    return await eventually(done, timeout=60, interval=0.3)


async def all_errors(registry: httpx.AsyncClient, headers: dict[str, str], import_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await registry.get(f"/v1/imports/{import_id}/errors", params=params, headers=headers)).json()
        found += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def spoil(rows: list[list[Any]], index: int, column: str, value: Any) -> int:
    """Put a bad value in one row; returns that row's spreadsheet number (the header is row 1)."""
    rows[index][HEADER.index(column)] = value
    return index + 2


async def test_a_10000_row_sheet_imports_every_good_row_and_names_each_bad_one(platform: Platform) -> None:
    # The outbox relay stays idle here: on FerretDB/SQLite each of its updates rescans the persons collection,
    # so publishing 20,000 events takes far longer than the import and slows it down. This test is about the
    # import; the relay's publishing of imported persons is checked on a small sheet below.
    await platform.start("registry", relay_interval_seconds=3600)
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    await create_grid(registry, secrets)
    rows = people(10_000)
    wrong_check = rows[17][3][:-1] + ("0" if rows[17][3][-1] != "0" else "1")
    bad = {
        (spoil(rows, 17, "证件号码", wrong_check), "document_number"),
        (spoil(rows, 2_500, "人员类别", "游客"), "category"),
        (spoil(rows, 5_000, "网格", "第9网格"), "grid"),
        (spoil(rows, 7_500, "手机号码", "1390571"), "phone"),
        (spoil(rows, 9_999, "姓名", None), "name"),
    }
    started = time.monotonic()

    response = await upload(registry, worker(secrets), "曙光社区.xlsx", xlsx(rows))

    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/v1/imports/{response.json()['id']}"
    assert response.json()["status"] in ("queued", "running")
    result = await finished(registry, worker(secrets), response.json()["id"])
    elapsed = time.monotonic() - started
    assert result["status"] == "done"
    assert (result["processed"], result["imported"], result["duplicates"]) == (10_000, 9_995, 0)
    assert (result["errors_count"], result["total_rows"]) == (5, 10_000)
    errors = await all_errors(registry, worker(secrets), result["id"])
    assert {(e["row"], e["field"]) for e in errors} == bad
    assert [e["row"] for e in errors] == sorted(e["row"] for e in errors)
    assert next(e for e in errors if e["field"] == "document_number")["column"] == "证件号码"
    assert elapsed < 60, f"10,000 rows took {elapsed:.1f} s"


async def test_imported_people_are_registered_and_classified_like_registered_ones(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    result = await finished(
        registry, worker(secrets), (await upload(registry, worker(secrets), "a.xlsx", xlsx(people(3)))).json()["id"]
    )
    assert result["imported"] == 3

    listed = (await registry.get("/v1/persons", params={"grid_id": grid_id}, headers=worker(secrets))).json()

    first = next(p for p in listed["items"] if p["name"] == "测试0")
    assert first["document_number"] == prc_id("19500101", 0)[:6] + "********" + prc_id("19500101", 0)[-4:]
    assert first["phone"] == "139****0000"
    assert first["episodes"][0]["category"] == "holiday_returnee"
    assert first["episodes"][0]["arrival_date"] == "2021-01-11"
    assert first["classification"]["measure"]
    records = await platform.sandbox.read_topic("registry.person.v1", at_least=6)
    types = [r.event().type.split(".")[-2] for r in records if r.key == first["id"].encode()]
    assert types == ["registered", "classified"]


async def test_reuploading_the_same_sheet_imports_nothing_new(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    await create_grid(registry, secrets)
    content = xlsx(people(250) + people(1))  # the last row repeats the first: a duplicate within the file
    first = await finished(
        registry, worker(secrets), (await upload(registry, worker(secrets), "a.xlsx", content)).json()["id"]
    )

    again = await upload(registry, worker(secrets), "a.xlsx", content)

    second = await finished(registry, worker(secrets), again.json()["id"])
    assert (first["imported"], first["duplicates"]) == (250, 1)
    assert again.json()["id"] != first["id"]
    assert (second["imported"], second["duplicates"], second["errors_count"]) == (0, 251, 0)
    assert await platform.sandbox.database("registry")["persons"].count_documents({}) == 250


async def test_the_same_idempotency_key_returns_the_first_import_and_another_file_is_a_409(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    await create_grid(registry, secrets)
    key = {"Idempotency-Key": "import-2021-01-12-a"}
    content = xlsx(people(5))

    first = await upload(registry, worker(secrets), "a.xlsx", content, **key)
    retry = await upload(registry, worker(secrets), "a.xlsx", content, **key)
    other = await upload(registry, worker(secrets), "b.xlsx", xlsx(people(6)), **key)

    assert (first.status_code, retry.status_code, other.status_code) == (202, 202, 409)
    assert retry.json()["id"] == first.json()["id"]
    assert (await finished(registry, worker(secrets), first.json()["id"]))["imported"] == 5
    assert await platform.sandbox.database("registry")["persons"].count_documents({}) == 5


async def test_a_csv_with_a_bom_and_chinese_headers_is_imported(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    lines = [
        "姓名,证件类型,证件号码,手机号码,网格,人员类别,抵达日期,健康码,特殊群体",
        f"王建国,居民身份证,{prc_id()},13905710001,第1网格,外来人员,2021/1/12,黄码,",
        f'李秀英,,{prc_id("19400203", 24)},,{grid_id},,,,"困难老人、残疾人"',
        "",
        "Tom Lee,护照,E12345678,,第1网格,入境人员,2021-01-15,green,",
    ]
    content = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()

    response = await upload(registry, worker(secrets), "名单.csv", content)

    assert response.status_code == 202, response.text
    assert response.json()["total_rows"] == 3
    result = await finished(registry, worker(secrets), response.json()["id"])
    assert (result["status"], result["imported"], result["errors_count"]) == ("done", 3, 0)
    assert result["format"] == "csv"
    persons = platform.sandbox.database("registry")["persons"]
    elder = await persons.find_one({"name": "李秀英"})
    assert elder is not None
    assert elder["special_groups"] == ["elderly_in_difficulty", "disabled"]
    traveller = await persons.find_one({"name": "Tom Lee"})
    assert traveller is not None
    assert traveller["episodes"][0]["category"] == "inbound_traveller"


async def test_a_child_is_imported_with_the_guardian_sealed_and_rows_without_one_are_named(
    platform: Platform,
) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    await create_grid(registry, secrets)
    born = f"{date.today().year - 8}06"
    lines = [
        "姓名,证件号码,网格,监护人姓名,监护人电话,与监护人关系",
        f"王小明,{prc_id(born + '01', 31)},第1网格,王父,13512345678,父亲",
        f"李小红,{prc_id(born + '02', 32)},第1网格,,,",
        f"张小华,{prc_id(born + '03', 33)},第1网格,张母,1351234,母亲",
        f"王建国,{prc_id()},第1网格,,,",
    ]
    content = ("\n".join(lines) + "\n").encode()

    response = await upload(registry, worker(secrets), "儿童.csv", content)

    result = await finished(registry, worker(secrets), response.json()["id"])
    assert (result["status"], result["imported"], result["errors_count"]) == ("done", 2, 2)
    errors = await all_errors(registry, worker(secrets), result["id"])
    assert [(e["row"], e["field"], e["column"]) for e in errors] == [
        (3, "guardian_name", "监护人姓名"),
        (4, "guardian_phone", "监护人电话"),
    ]
    assert "监护人姓名" in errors[0]["message"]
    stored = await platform.sandbox.database("registry")["persons"].find_one({"name": "王小明"})
    assert stored is not None
    assert "13512345678" not in repr(stored)
    read = await registry.get(f"/v1/persons/{stored['_id']}", headers=worker(secrets))
    assert read.json()["guardian"] == {"name": "王父", "relation": "父亲", "phone": "135****5678"}


async def test_an_import_interrupted_after_a_batch_resumes_without_duplicates(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FixedClock(datetime.now(UTC))
    await platform.start("registry", clock=clock)
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    await create_grid(registry, secrets)
    monkeypatch.setattr(job, "BATCH_ROWS", 100)
    real_checkpoint = job.checkpoint
    calls: list[int] = []

    async def crash_before_the_second_checkpoint(ctx: Any, progress: job.Progress) -> None:
        calls.append(progress.next_row)
        if len(calls) == 2:
            raise Crash  # the second batch is stored, its progress is not
        await real_checkpoint(ctx, progress)

    monkeypatch.setattr(job, "checkpoint", crash_before_the_second_checkpoint)
    response = await upload(registry, worker(secrets), "a.xlsx", xlsx(people(350)))
    jobs = platform.sandbox.database("registry")["jobs"]

    async def waiting_to_retry() -> None:
        stored = await jobs.find_one({"_id": response.json()["id"]})
        assert stored is not None
        assert (stored["status"], stored["attempts"], stored["progress"].get("next_row")) == ("pending", 1, 101)

    await eventually(waiting_to_retry)
    # rows 2-100 were checkpointed; rows 101-200 were stored but not checkpointed: they are done again
    assert await platform.sandbox.database("registry")["persons"].count_documents({}) == 199
    monkeypatch.setattr(job, "checkpoint", real_checkpoint)
    clock.advance(timedelta(minutes=1))  # past the retry's backoff
    platform.runtime("registry").jobs.wake()  # type: ignore[union-attr]

    result = await finished(registry, worker(secrets), response.json()["id"])
    assert (result["status"], result["imported"], result["duplicates"], result["processed"]) == ("done", 350, 0, 350)
    assert await platform.sandbox.database("registry")["persons"].count_documents({}) == 350


async def test_a_worker_of_another_community_gets_404_for_the_import(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    await create_grid(registry, secrets)
    outsider = worker(secrets, jurisdiction=OTHER_COMMUNITY, subject="worker-2")
    response = await upload(registry, worker(secrets), "a.xlsx", xlsx(people(2)))
    import_id = response.json()["id"]

    seen = await registry.get(f"/v1/imports/{import_id}", headers=outsider)
    errors = await registry.get(f"/v1/imports/{import_id}/errors", headers=outsider)
    elsewhere = await upload(registry, outsider, "a.xlsx", xlsx(people(2)))

    assert (seen.status_code, errors.status_code, elsewhere.status_code) == (404, 404, 404)
    assert seen.headers["content-type"] == "application/problem+json"
    assert seen.json()["detail"] == "import not found"
    assert "imported" not in seen.json()


@pytest.mark.parametrize(
    ("name", "content", "path", "fragment"),
    [
        ("a.csv", "姓名,手机号码\n王建国,13905710001\n".encode(), "file", "缺少必填列“证件号码”"),
        ("a.csv", "姓名,证件号码,网格\n".encode("gbk"), "file", "UTF-8"),
        ("a.xls", b"\xd0\xcf\x11\xe0 old excel", "file", "另存为"),
        ("a.xlsx", b"", "file", "文件为空"),
    ],
)
async def test_an_unreadable_upload_is_a_422_before_any_job(
    platform: Platform, name: str, content: bytes, path: str, fragment: str
) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets

    response = await upload(registry, worker(secrets), name, content)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert any(e["path"] == path and fragment in e["message"] for e in response.json()["errors"])
    assert await platform.sandbox.database("registry")["jobs"].count_documents({}) == 0


async def test_a_file_over_the_routes_own_limit_is_a_413_even_when_the_service_limit_is_raised(
    platform: Platform,
) -> None:
    await platform.start("registry", max_body_bytes=uploads.MAX_BYTES + 2 * 1024 * 1024)
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    header = "姓名,证件号码,网格\n".encode()

    response = await upload(registry, worker(secrets), "big.csv", header + b"x" * uploads.MAX_BYTES)

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_no_plaintext_identifier_is_stored_once_the_import_is_done(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    await create_grid(registry, secrets)
    rows = people(20)
    spoil(rows, 3, "网格", "第9网格")  # a refused row: its identifiers must not leak into the error list
    identifiers = [str(r[3]) for r in rows] + [str(r[4]) for r in rows]
    db = platform.sandbox.database("registry")
    paused, resume = asyncio.Event(), asyncio.Event()
    real_checkpoint = job.checkpoint

    async def pause_after_the_first_batch(ctx: Any, progress: job.Progress) -> None:
        paused.set()
        await resume.wait()
        await real_checkpoint(ctx, progress)

    monkeypatch.setattr(job, "checkpoint", pause_after_the_first_batch)
    response = await upload(registry, worker(secrets), "a.xlsx", xlsx(rows))
    await asyncio.wait_for(paused.wait(), 20)
    assert await db["import_uploads"].count_documents({}) >= 1  # kept while the job runs, sealed
    await _sealed_everywhere(db, identifiers, ["import_uploads"])
    monkeypatch.setattr(job, "checkpoint", real_checkpoint)
    resume.set()

    await finished(registry, worker(secrets), response.json()["id"])

    assert await db["import_uploads"].count_documents({}) == 0
    await _sealed_everywhere(db, identifiers, ["persons", "imports", "import_errors", "jobs"])


async def _sealed_everywhere(db: Any, identifiers: list[str], collections: list[str]) -> None:
    for name in collections:
        async for document in db[name].find({}):
            text = repr(document)
            assert not any(i in text for i in identifiers), f"plaintext identifier in {name}"
