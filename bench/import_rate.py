"""How fast a community sheet is read and imported, next to a plain `insert_many` of the same documents.

    uv run python bench/import_rate.py --rows 10000

Generates N valid synthetic people (GB 11643 ID numbers with correct check characters) into an .xlsx and a
.csv, then measures, on the real servers (the ones named by GRIDLINE_TEST_KAFKA/GRIDLINE_TEST_MONGODB, else
its own Kafka and FerretDB, stopped afterwards):

- parsing: file → cells → a validated `PersonCreate`, per format, without the database;
- importing: `importPersons` on the registry app run in-process, from the upload to the job being done;
- the raw baseline: `insert_many` of documents prepared the same way, through `gridline.mongo`, timed alone;
  with the relay running, also with the relay's database work on each batch (emptying its outboxes), the
  floor the database sets for an import whose every document is written again once its events are out;
- the process's peak RSS after each phase (the app runs in this process, so the import's memory is in it).

The outbox relay runs during the import, as in production, and the import is timed twice: until the job
is done, and until the last of its events is on Kafka (every outbox emptied). `--relay-idle` holds the
relay back, to time the import alone.

`--profile NAME` samples this process (py-spy) and FerretDB (pprof, when GRIDLINE_FERRETDB_DEBUG_ADDR is
set) during each import and during the raw inserts, into bench/profiles/NAME-<phase>-*.txt (see
bench/profiling.py); `--format` times one format only. importPersons takes files of up to 20 MiB, about
170,000 rows of this sheet, so a county's million rows arrive as several sheets: `--sheets N` writes N
files and imports them one after another into the same database (the raw baseline inserts the same
documents into one collection).

    uv run python bench/import_rate.py --rows 1000000 --sheets 8 --format csv
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import os
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
from gridline import mongo
from gridline.clock import SystemClock, local_today
from gridline.outbox import PENDING_SINCE, OutboxRelay, outbox_indexes
from gridline.pii import Protector
from gridline.testing import Running, Sandbox, Secrets, Servers, servers_for_tests, stop_servers
from openpyxl import Workbook
from pipeline import empty_outboxes_raw
from profiling import profiled
from registry.imports import values
from registry.imports.columns import find_header, is_blank, pick
from registry.imports.reading import Format, open_rows
from registry.main import create_app
from registry.persons import registration
from registry.persons import service as persons
from registry.persons.models import PersonCreate
from registry.rules.snapshot import Snapshot
from registry.settings import RegistrySettings

COMMUNITY = "330106001001"
GRID = "第1网格"
HEADER = [
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
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
BATCH = 1000
BODY_LIMIT = 21 * 1024 * 1024  # importPersons takes files up to 20 MB; the service-wide default is 1 MiB


@dataclass(frozen=True)
class Timing:
    label: str
    rows: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def prc_id(index: int) -> str:
    """A distinct, valid resident ID per index: an adult's birth date plus a sequence number."""
    birth = (date(1950, 1, 1) + timedelta(days=index // 500)).strftime("%Y%m%d")
    first17 = f"330106{birth}{index % 500 * 2 + 1:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def people(count: int, start: int = 0) -> Iterator[list[Any]]:
    for i in range(start, start + count):
        arrival = date(2021, 1, 1) + timedelta(days=i % 20)
        identity = [f"测试{i}", "居民身份证", prc_id(i), f"139{i:08d}"]
        yield [*identity, GRID, f"曙光路{i}号", "返乡人员", arrival, "420106", "绿"]


def write_files(folder: Path, count: int, formats: tuple[Format, ...], sheets: int) -> dict[Format, list[Path]]:
    """`count` people in `sheets` files per format, each with its own header and its own people."""
    sizes = [count // sheets + (n < count % sheets) for n in range(sheets)]
    starts = [sum(sizes[:n]) for n in range(sheets)]
    files: dict[Format, list[Path]] = {fmt: [] for fmt in formats}
    for n, (start, size) in enumerate(zip(starts, sizes, strict=True)):
        if Format.XLSX in formats:
            files[Format.XLSX].append(_write_xlsx(folder / f"people-{n + 1}.xlsx", size, start))
        if Format.CSV in formats:
            files[Format.CSV].append(_write_csv(folder / f"people-{n + 1}.csv", size, start))
    return files


def _write_xlsx(path: Path, count: int, start: int) -> Path:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for cells in people(count, start):
        sheet.append(cells)
    workbook.save(path)
    return path


def _write_csv(path: Path, count: int, start: int) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows([*cells[:7], cells[7].isoformat(), *cells[8:]] for cells in people(count, start))
    return path


def parse(paths: list[Path], fmt: Format, count: int) -> Timing:
    """Reading and validating every row, as the import job does before preparing documents."""
    grids = values.GridIndex.of([("g-1", GRID)])
    today = date.today()
    started = time.perf_counter()
    parsed = 0
    for path in paths:
        with path.open("rb") as file, open_rows(file, fmt) as rows:
            columns = find_header([next(rows)[1]])
            for _, cells in rows:
                if not is_blank(cells):
                    fields = pick(cells, columns)
                    result = values.parse_row(fields, community_code=COMMUNITY, grids=grids, today=today)
                    parsed += isinstance(result, PersonCreate)
    if parsed != count:
        raise RuntimeError(f"{count - parsed} rows did not parse")
    return Timing(f"parse {fmt.value}", count, time.perf_counter() - started)


def _window(profile: str | None, phase: str, seconds: float) -> contextlib.AbstractContextManager[None]:
    """The profiles of one phase (this process and FerretDB), or nothing when not asked for."""
    if profile is None:
        return contextlib.nullcontext()
    return profiled(f"{profile}-{phase}", {"bench": os.getpid()}, seconds=seconds)


async def import_files(
    stack: Servers,
    secrets: Secrets,
    paths: list[Path],
    fmt: Format,
    *,
    rows: int,
    relay: bool,
    profile: str | None = None,
) -> list[Timing]:
    """`importPersons` end to end, on a fresh database, one sheet after another: until the last job is done
    and until the last of their events is out."""
    sandbox = Sandbox(stack, secrets)
    await sandbox.create_topics()
    overrides: dict[str, Any] = {"max_body_bytes": BODY_LIMIT}
    if not relay:
        overrides["relay_interval_seconds"] = 3600
    with contextlib.ExitStack() as held:
        if not relay:
            held.enter_context(_relay_held())
        return await _import_once(sandbox, secrets, paths, fmt, overrides, rows=rows, relay=relay, profile=profile)


async def _import_once(
    sandbox: Sandbox,
    secrets: Secrets,
    paths: list[Path],
    fmt: Format,
    overrides: dict[str, Any],
    *,
    rows: int,
    relay: bool,
    profile: str | None,
) -> list[Timing]:
    running = Running()
    try:
        app = create_app(RegistrySettings(**sandbox.settings("registry", **overrides)))  # type: ignore[arg-type]
        client = await running.start("registry", app)
        await _community_with_grid(client, secrets)
        # FerretDB's profile spans a fixed time, so a generous one (idle time adds no samples); py-spy's
        # ends with the block.
        with _window(profile, fmt.value, seconds=rows / (300 if fmt is Format.XLSX else 800)):
            started = time.perf_counter()
            results = [await _upload_and_wait(client, secrets, path) for path in paths]
            elapsed = time.perf_counter() - started
            published = await _outboxes_emptied(sandbox) - started if relay else None
    finally:
        await running.close()
        await sandbox.drop(["registry"])
    for result in results:
        if result["status"] != "done" or result["errors_count"]:
            raise RuntimeError(f"the import did not finish cleanly: {result}")
    imported = sum(result["imported"] for result in results)
    if imported != rows:
        raise RuntimeError(f"{rows - imported} rows were not imported")
    timings = [Timing(f"import {fmt.value} (upload → done)", imported, elapsed)]
    if published is not None:
        timings.append(Timing(f"import {fmt.value} (upload → events out)", imported, published))
    return timings


def _relay_held() -> contextlib.AbstractContextManager[Any]:
    """The relay left to its interval: the database client wakes it after every write, which would start a
    round for each batch the import inserts."""
    return mock.patch.object(OutboxRelay, "wake", return_value=None)


async def _outboxes_emptied(sandbox: Sandbox) -> float:
    """When no person has an event waiting any more (the relay clears an outbox once Kafka has its events)."""
    persons = sandbox.database("registry")["persons"]
    while await persons.find_one({PENDING_SINCE: {"$gt": datetime(1970, 1, 2, tzinfo=UTC)}}, {"_id": 1}):  # noqa: ASYNC110
        await asyncio.sleep(0.5)
    return time.perf_counter()


async def _community_with_grid(client: httpx.AsyncClient, secrets: Secrets) -> None:
    operator = secrets.headers("platform_admin", jurisdiction="33", subject="ops")
    divisions = f"330106001,北山街道\n{COMMUNITY},曙光社区\n".encode()
    response = await client.post(
        "/v1/divisions/import", content=divisions, headers={**operator, "content-type": "text/csv"}
    )
    response.raise_for_status()
    grid = {"community_code": COMMUNITY, "name": GRID, "manager_name": "张网格", "manager_phone": "13805710001"}
    admin = secrets.headers("community_admin", jurisdiction="330106", subject="admin")
    (await client.post("/v1/grids", json=grid, headers=admin)).raise_for_status()


async def _upload_and_wait(client: httpx.AsyncClient, secrets: Secrets, path: Path) -> dict[str, Any]:
    worker = secrets.headers("grid_worker", jurisdiction=COMMUNITY, subject="worker")
    response = await client.post(
        "/v1/imports",
        files={"file": (path.name, await asyncio.to_thread(path.read_bytes))},
        data={"community_code": COMMUNITY},
        headers=worker,
    )
    assert response.status_code == 202, response.text
    while True:
        state: dict[str, Any] = (await client.get(response.headers["location"], headers=worker)).json()
        if state["status"] in ("done", "failed"):
            return state
        await asyncio.sleep(0.2)


async def raw_insert(
    stack: Servers, secrets: Secrets, count: int, profile: str | None = None, *, emptied: bool = False
) -> list[Timing]:
    """The same documents `prepare` makes, inserted with plain `insert_many`: only the inserts are timed.

    `emptied`: after each batch, the relay's database work on it too (read through the marker index, one
    guarded update per outbox length), timed apart: the floor for an import whose events are also sent.
    """
    sandbox = Sandbox(stack, secrets)
    db = mongo.connect(stack.mongodb)[f"{sandbox.name}_raw"]
    # Emptied the way the relay does, through the marker index the service keeps beside the collection's own.
    await mongo.ensure_indexes(db, [*persons.INDEXES, *(outbox_indexes([registration.COLLECTION]) if emptied else [])])
    protector = RegistrySettings(**sandbox.settings("registry")).protector()  # type: ignore[arg-type]
    clock = SystemClock()
    snapshot = Snapshot(local_today(clock), clock.now(), [], [])
    grids = values.GridIndex.of([("g-1", GRID)])
    inserting = emptying = 0.0
    rows = people(count)
    collection = db[registration.COLLECTION]
    try:
        # Profiled, the span also holds the preparing between inserts (py-spy shows which is which).
        with _window(profile, "raw", seconds=max(3.0, count / 1500)):
            while batch := [next(rows, None) for _ in range(BATCH)]:
                bodies = [_body(cells, grids) for cells in batch if cells is not None]
                if not bodies:
                    break
                documents = [_prepared(body, protector, clock, snapshot) for body in bodies]
                started = time.perf_counter()
                await collection.insert_many(documents, ordered=False)
                inserting += time.perf_counter() - started
                if emptied:
                    started = time.perf_counter()
                    if await empty_outboxes_raw(collection) != len(documents):
                        raise RuntimeError("the raw write-back left outboxes full")
                    emptying += time.perf_counter() - started
    finally:
        await db.client.drop_database(db.name)
        await db.client.close()
    timings = [Timing(RAW, count, inserting)]
    if emptied:
        timings.append(Timing(RAW_EMPTIED, count, inserting + emptying))
    return timings


RAW = "raw insert_many (same documents)"
RAW_EMPTIED = "raw insert_many + emptying outboxes"


def _body(cells: list[Any], grids: values.GridIndex) -> PersonCreate:
    fields = dict(zip(("name", "document_type", "document_number", "phone", "grid"), cells, strict=False))
    result = values.parse_row(fields, community_code=COMMUNITY, grids=grids, today=date.today())
    assert isinstance(result, PersonCreate), result
    return result


def _prepared(body: PersonCreate, protector: Protector, clock: SystemClock, snapshot: Snapshot) -> dict[str, Any]:
    return registration.prepare(
        body=body,
        person_id=str(uuid.uuid4()),
        actor="bench",
        protector=protector,
        clock=clock,
        snapshot=snapshot,
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


@dataclass(frozen=True)
class Options:
    relay: bool = True
    formats: tuple[Format, ...] = tuple(Format)
    profile: str | None = None
    sheets: int = 1


async def run(stack: Servers, count: int, options: Options) -> None:
    with tempfile.TemporaryDirectory() as folder:
        await _measure(stack, Path(folder), count, options)


async def _measure(stack: Servers, folder: Path, count: int, options: Options) -> None:
    secrets = Secrets(folder / "auth")
    began = time.perf_counter()
    files = write_files(folder, count, options.formats, options.sheets)
    print(f"{count:,} rows generated in {time.perf_counter() - began:.1f} s: " + _sizes(files))
    timings: list[tuple[Timing, float]] = []
    for fmt, paths in files.items():
        for timing in await import_files(
            stack, secrets, paths, fmt, rows=count, relay=options.relay, profile=options.profile
        ):
            timings.append((timing, peak_rss_mb()))
    for fmt, paths in files.items():
        timings.append((parse(paths, fmt, count), peak_rss_mb()))
    raws = await raw_insert(stack, secrets, count, profile=options.profile, emptied=options.relay)
    timings += [(raw, peak_rss_mb()) for raw in raws]
    _report(timings, raws, relay=options.relay)


def _sizes(files: dict[Format, list[Path]]) -> str:
    def size(paths: list[Path]) -> str:
        total = sum(path.stat().st_size for path in paths) / 1e6
        return f"{total:.1f} MB" if len(paths) == 1 else f"{len(paths)} sheets of {total / len(paths):.1f} MB"

    return ", ".join(f"{fmt.value} {size(paths)}" for fmt, paths in files.items())


def _report(timings: list[tuple[Timing, float]], raws: list[Timing], *, relay: bool) -> None:
    raw = raws[0]
    print(f"\n{'phase':<40}{'seconds':>10}{'rows/s':>12}{'× raw':>8}{'peak RSS MB':>14}")
    for timing, rss in timings:
        versus = f"{timing.rate / raw.rate:.2f}" if timing.label.startswith("import") else ""
        print(f"{timing.label:<40}{timing.seconds:>10.2f}{timing.rate:>12,.0f}{versus:>8}{rss:>14.0f}")
    print(f"\noutbox relay during the import: {'running' if relay else 'idle'}")
    for timing, _ in timings:
        if timing.label.startswith("import") and timing.rate:
            slower = raw.rate / timing.rate
            print(f"{timing.label}: {slower:.2f}× the raw insert_many's time per row (goal: at most 1.30×)")
            for floor in raws[1:]:
                print(f"{'':>{len(timing.label) + 2}}{floor.rate / timing.rate:.2f}× the time of the {floor.label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="synthetic people to generate (default 100,000)")
    parser.add_argument("--relay-idle", action="store_true", help="hold the outbox relay back during the import")
    parser.add_argument("--format", choices=[f.value for f in Format], help="import this format only (default: all)")
    parser.add_argument("--profile", metavar="NAME", help="profile each phase into bench/profiles/NAME-<phase>-*")
    parser.add_argument(
        "--sheets", type=int, default=1, help="split the rows into this many files, imported one after another"
    )
    args = parser.parse_args()
    formats = (Format(args.format),) if args.format else tuple(Format)
    options = Options(relay=not args.relay_idle, formats=formats, profile=args.profile, sheets=args.sheets)
    stack, started_here = servers_for_tests()  # started before the event loop: starting waits synchronously
    try:
        asyncio.run(run(stack, args.rows, options))
    finally:
        if started_here is not None:
            stop_servers(started_here)


if __name__ == "__main__":
    main()
