"""Rows out of an uploaded CSV or XLSX file, streamed: memory stays flat however long the sheet is.

Row numbers are the 1-based numbers a worker sees in the spreadsheet, the header included.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import IO, Any

from openpyxl import load_workbook

from registry.imports.columns import HEADER_SEARCH_ROWS, ColumnMap, HeaderError, find_header, has_data

Row = tuple[int, Sequence[object]]
XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx file is a zip archive
_OLD_FORMATS = {".xls", ".et", ".wps", ".numbers", ".ods"}


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class UnreadableFile(ValueError):
    """The upload is not a spreadsheet we can read; the message tells the worker what to do."""


def detect_format(file_name: str, head: bytes) -> Format:
    """By extension, checked against the content so a renamed file is caught at upload."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix == ".xlsx":
        if not head.startswith(XLSX_MAGIC):
            raise UnreadableFile("文件扩展名是 .xlsx，但内容不是 Excel 工作簿")
        return Format.XLSX
    if suffix == ".csv":
        if head.startswith(XLSX_MAGIC):
            raise UnreadableFile("文件扩展名是 .csv，但内容是 Excel 工作簿；请改为 .xlsx 后上传")
        return Format.CSV
    if suffix in _OLD_FORMATS:
        raise UnreadableFile("请在表格软件中另存为 .xlsx 或“CSV UTF-8”格式后再上传")
    raise UnreadableFile("只支持 .csv（UTF-8 编码）或 .xlsx 文件")


def check_utf8(file: IO[bytes], *, chunk_bytes: int = 1 << 20) -> None:
    """The whole CSV decodes as UTF-8; Excel's default “CSV” on Chinese Windows is GBK, a common mistake."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    file.seek(0)
    try:
        while chunk := file.read(chunk_bytes):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise UnreadableFile("CSV 文件须为 UTF-8 编码：请在表格软件中另存为“CSV UTF-8”后再上传") from exc
    finally:
        file.seek(0)


@contextlib.contextmanager
def open_rows(file: IO[bytes], fmt: Format) -> Iterator[Iterator[Row]]:
    """Every row with its spreadsheet number, blank rows included (callers skip them)."""
    file.seek(0)
    if fmt is Format.CSV:
        text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
        try:
            yield enumerate(csv.reader(text), start=1)
        finally:
            text.detach()  # the caller owns the binary file: do not close it with the wrapper
        return
    workbook = _workbook(file)
    try:
        yield _SheetRows(workbook.worksheets[0])
    finally:
        workbook.close()


@dataclass(frozen=True)
class Inspection:
    columns: ColumnMap
    total_rows: int | None  # exact for CSV; the sheet's declared size for XLSX, when it declares one


def inspect(file: IO[bytes], fmt: Format) -> Inspection:
    """Check an upload before any job runs: readable, a complete header; and how many rows to expect."""
    if fmt is Format.CSV:
        check_utf8(file)
    try:
        with open_rows(file, fmt) as rows:
            leading = [cells for _, cells in itertools.islice(rows, HEADER_SEARCH_ROWS)]
            columns = find_header(leading)
            total = _count_csv(leading, rows, columns) if fmt is Format.CSV else _declared(rows, columns)
    except csv.Error as exc:
        raise UnreadableFile("CSV 文件格式不正确，无法逐行读取") from exc
    return Inspection(columns, total)


def _count_csv(leading: list[Sequence[object]], rest: Iterator[Row], columns: ColumnMap) -> int:
    """Reading the whole CSV here is cheap and proves every line parses before the job starts."""
    counted = sum(1 for n, cells in enumerate(leading, start=1) if n > columns.header_row and has_data(cells, columns))
    return counted + sum(1 for _, cells in rest if has_data(cells, columns))


def _declared(rows: Iterator[Row], columns: ColumnMap) -> int | None:
    last = getattr(rows, "max_row", None)
    return max(last - columns.header_row, 0) if last else None


class _SheetRows:
    """The rows of a read-only worksheet, numbered, remembering the size the sheet declares."""

    def __init__(self, sheet: Any) -> None:
        self.max_row: int | None = sheet.max_row
        self._rows = enumerate(sheet.iter_rows(values_only=True), start=1)

    def __iter__(self) -> Iterator[Row]:
        return self

    def __next__(self) -> Row:
        return next(self._rows)


def _workbook(file: IO[bytes]) -> Any:
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises a zoo of zip, XML and key errors for a broken file
        raise UnreadableFile("无法读取该 Excel 文件：请确认文件未损坏、未加密，并为 .xlsx 格式") from exc
    if not workbook.worksheets:
        workbook.close()
        raise UnreadableFile("该 Excel 文件中没有工作表")
    return workbook


__all__ = [
    "Format",
    "HeaderError",
    "Inspection",
    "Row",
    "UnreadableFile",
    "check_utf8",
    "detect_format",
    "inspect",
    "open_rows",
]
