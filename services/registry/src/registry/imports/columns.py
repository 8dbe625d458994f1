"""The columns of an import sheet: the Chinese headers workers write, English aliases, and which are required.

Pure functions: a header row in, a column map (field → cell index) out, or a HeaderError saying what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# field → accepted headers (after `normalise_header`); the first is how the column is named in messages.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name"),
    "document_type": ("证件类型", "document_type"),
    "document_number": ("证件号码", "document_number", "身份证号码", "身份证号"),
    "phone": ("手机号码", "phone", "手机号", "联系电话"),
    "grid": ("网格", "grid", "grid_id", "所属网格", "网格名称"),
    "address": ("住址", "address", "现住址", "居住地址"),
    "category": ("人员类别", "category"),
    "arrival_date": ("抵达日期", "arrival_date"),
    "origin_division_code": ("来源地区划代码", "origin_division_code"),
    "health_code": ("健康码", "health_code"),
    "special_groups": ("特殊群体", "special_groups"),
    "guardian_name": ("监护人姓名", "guardian_name", "监护人"),
    "guardian_phone": ("监护人电话", "guardian_phone", "监护人手机号码", "监护人手机号", "监护人联系电话"),
    "guardian_relation": ("与监护人关系", "guardian_relation", "监护人关系", "与儿童关系"),
}
REQUIRED = ("name", "document_number", "grid")
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in hand-kept sheets

_ALIASES = {alias: field for field, aliases in COLUMNS.items() for alias in aliases}
_NOTE = re.compile(r"[（(][^）)]*[）)]")  # "抵达日期（YYYY-MM-DD）", "姓名(必填)"
_SPACE = re.compile(r"[\s\u3000]+")


class HeaderError(ValueError):
    """The sheet has no usable header row; `problems` are the messages to show, one per issue."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ColumnMap:
    """Where each known field sits in a row, and the header text the worker wrote for it."""

    header_row: int  # 1-based spreadsheet row number of the header
    index: dict[str, int]
    written: dict[str, str]


def label(field: str) -> str:
    """The Chinese column name of `field`, as messages show it."""
    return COLUMNS[field][0]


def normalise_header(text: object) -> str:
    """`" 证件号码* "`, `"Document Type"`, `"\\ufeff姓名（必填）"` → the form looked up in COLUMNS."""
    if text is None:
        return ""
    cleaned = _NOTE.sub("", str(text).replace("\ufeff", ""))
    cleaned = _SPACE.sub(" ", cleaned).strip().rstrip("*＊:：").strip()
    return cleaned.lower().replace(" ", "_").replace("-", "_")


def map_header(cells: Sequence[object], *, row: int) -> ColumnMap:
    """Map one header row; HeaderError when a required column is missing or a field appears twice."""
    index: dict[str, int] = {}
    written: dict[str, str] = {}
    problems: list[str] = []
    for position, cell in enumerate(cells):
        field = _ALIASES.get(normalise_header(cell))
        if field is None:
            continue  # extra columns (序号, 备注 …) are common and harmless
        if field in index:
            problems.append(f"列“{label(field)}”出现了两次（第{index[field] + 1}列和第{position + 1}列）")
            continue
        index[field] = position
        written[field] = str(cell).strip()
    problems += [f"缺少必填列“{label(f)}”" for f in REQUIRED if f not in index]
    if problems:
        raise HeaderError(problems)
    return ColumnMap(header_row=row, index=index, written=written)


def find_header(rows: Sequence[Sequence[object]]) -> ColumnMap:
    """The first of the leading rows that is a complete header; else the problems of the first non-empty row."""
    first_problem: HeaderError | None = None
    for number, cells in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
        if not any(_filled(c) for c in cells):
            continue
        try:
            return map_header(cells, row=number)
        except HeaderError as exc:
            first_problem = first_problem or exc
    raise first_problem or HeaderError(["文件中没有表头行（第一行应为列名，如：姓名、证件号码、网格）"])


def pick(cells: Sequence[object], columns: ColumnMap) -> dict[str, object]:
    """The known fields of one data row (missing trailing cells read as empty)."""
    return {field: cells[i] if i < len(cells) else None for field, i in columns.index.items()}


def is_blank(cells: Sequence[object]) -> bool:
    return not any(_filled(c) for c in cells)


def has_data(cells: Sequence[object], columns: ColumnMap) -> bool:
    """A row with something in a known column; a row with only 序号 filled in is a template's spare line."""
    return any(_filled(cells[i]) for i in columns.index.values() if i < len(cells))


def _filled(cell: object) -> bool:
    return cell is not None and (not isinstance(cell, str) or cell.strip() != "")
