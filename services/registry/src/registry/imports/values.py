"""The cells of one import row → a `PersonCreate`, or the field errors a worker must fix (pure).

Messages are Chinese, like the ones `registry.documents` raises, and never repeat the cell: a shifted column
could put an ID number into any field, and errors are stored and listed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from registry import documents
from registry.documents import DocumentType
from registry.imports.columns import label
from registry.persons.models import PersonCreate
from registry.vocabulary import Category, HealthCode, SpecialGroup

SOURCE = "import"  # the episode's `source`: how the person came to be registered
MAX_NAME, MAX_ADDRESS, MAX_RELATION = 50, 200, 20

DOCUMENT_TYPES: dict[str, DocumentType] = {
    "居民身份证": DocumentType.PRC_ID,
    "身份证": DocumentType.PRC_ID,
    "护照": DocumentType.PASSPORT,
    "港澳台居民来往内地通行证": DocumentType.MAINLAND_TRAVEL_PERMIT,
    "港澳居民来往内地通行证": DocumentType.MAINLAND_TRAVEL_PERMIT,
    "台湾居民来往大陆通行证": DocumentType.MAINLAND_TRAVEL_PERMIT,
    "外国人永久居留身份证": DocumentType.FOREIGN_PERMANENT_RESIDENCE,
    **{t.value: t for t in DocumentType},
}
CATEGORIES: dict[str, Category] = {
    "返乡人员": Category.HOLIDAY_RETURNEE,
    "进口冷链从业人员": Category.COLD_CHAIN_WORKER,
    "外来人员": Category.NON_LOCAL_ARRIVAL,
    "中高风险地区来返人员": Category.RISK_AREA_ARRIVAL,  # also matches 来(返) and 来（返）: brackets are dropped
    "入境人员": Category.INBOUND_TRAVELLER,
    **{c.value: c for c in Category},
}
HEALTH_CODES: dict[str, HealthCode] = {
    **{f"{word}{suffix}": code for word, code in zip("绿黄红", HealthCode, strict=True) for suffix in ("", "码")},
    **{c.value: c for c in HealthCode},
}
SPECIAL_GROUPS: dict[str, SpecialGroup] = {
    "困难老人": SpecialGroup.ELDERLY_IN_DIFFICULTY,
    "困难老年人": SpecialGroup.ELDERLY_IN_DIFFICULTY,
    "孤儿": SpecialGroup.ORPHAN,
    "留守妇女": SpecialGroup.LEFT_BEHIND_WOMAN,
    "留守儿童": SpecialGroup.LEFT_BEHIND_CHILD,
    "残疾人": SpecialGroup.DISABLED,
    **{g.value: g for g in SpecialGroup},
}
DOCUMENT_TYPE_CHOICES = "证件类型应为：居民身份证、护照、港澳台居民来往内地通行证、外国人永久居留身份证"
CATEGORY_CHOICES = "人员类别应为：返乡人员、进口冷链从业人员、外来人员、中高风险地区来（返）人员、入境人员"
SPECIAL_GROUP_CHOICES = "特殊群体应为：困难老人、孤儿、留守妇女、留守儿童、残疾人，多个用顿号分隔"
_KEY_DROP = re.compile(r"[\s\u3000()（）]+")
_LIST_SPLIT = re.compile(r"[,，、;；/\s]+")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DIVISION = re.compile(r"^\d{6}(\d{3}){0,2}$")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial day 1 is 1900-01-01 (ignoring Excel's 1900 leap-year bug)
_LOST_DIGITS = 1e15  # beyond this a number in a spreadsheet cell has lost digits to floating point


class CellError(ValueError):
    """A cell that cannot be read as its field; the message tells the worker how to fix it."""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass(frozen=True)
class GridIndex:
    """The community's grids, found by id or by name; a name two grids share is ambiguous (None)."""

    ids: frozenset[str]
    names: dict[str, str | None]

    @classmethod
    def of(cls, grids: Iterable[tuple[str, str]]) -> GridIndex:
        """From `(grid_id, name)` pairs."""
        pairs = list(grids)
        names: dict[str, str | None] = {}
        for grid_id, title in pairs:
            key = _key(title)
            names[key] = None if key in names else grid_id
        return cls(frozenset(g for g, _ in pairs), names)

    def resolve(self, text: str) -> str:
        if text in self.ids:
            return text
        key = _key(text)
        if key not in self.names:
            raise CellError("本村/社区没有这个网格，请填写本村/社区的网格名称或网格编号")
        grid_id = self.names[key]
        if grid_id is None:
            raise CellError("本村/社区有多个同名网格，请改填网格编号")
        return grid_id


def parse_row(
    cells: Mapping[str, object], *, community_code: str, grids: GridIndex, today: date
) -> PersonCreate | list[FieldError]:
    """One row as a registration, or every field error found in it."""
    row = _Collector(cells)
    kind = row.take("document_type", document_type)
    body: dict[str, Any] = {
        "name": row.take("name", name),
        "document": {"type": kind, "number": row.take("document_number", document_number, kind, today)},
        "phone": row.take("phone", phone),
        "community_code": community_code,
        "grid_id": row.take("grid", grid, grids),
        "address": row.take("address", address),
        "special_groups": row.take("special_groups", special_groups) or [],
        "episodes": _episodes(row, today),
        "guardian": _guardian(row),
    }
    if row.errors:
        return row.errors
    try:
        return PersonCreate.model_validate(body)
    except ValidationError as exc:
        return [FieldError(_field_of(e["loc"]), "格式不正确，请核对") for e in exc.errors()]


def _episodes(row: _Collector, today: date) -> list[dict[str, Any]]:
    category = row.take("category", _category)
    episode = {
        "arrival_date": row.take("arrival_date", arrival_date, today),
        "origin_division_code": row.take("origin_division_code", division_code),
        "health_code": row.take("health_code", _health_code),
    }
    if category is None:
        if any(v is not None for v in episode.values()) and "category" not in row.failed:
            row.errors.append(FieldError("category", "填写了抵达日期、来源地区划代码或健康码时，须填写人员类别"))
        return []
    episode["health_code"] = episode["health_code"] or HealthCode.GREEN
    return [{"category": category, **episode, "source": SOURCE}]


def _guardian(row: _Collector) -> dict[str, Any] | None:
    """The guardian's three cells: all empty is no guardian, otherwise each is needed."""
    guardian = {
        "name": row.take("guardian_name", short_text, label("guardian_name"), MAX_NAME),
        "phone": row.take("guardian_phone", guardian_phone),
        "relation": row.take("guardian_relation", short_text, label("guardian_relation"), MAX_RELATION),
    }
    if all(v is None for v in guardian.values()):
        return None
    for key, value in guardian.items():
        field = f"guardian_{key}"
        if value is None and field not in row.failed:
            row.errors.append(FieldError(field, f"填写监护人时须同时填写{label(field)}"))
    return guardian


class _Collector:
    """Runs each field's reader and keeps its error, so one pass reports every problem of the row."""

    def __init__(self, cells: Mapping[str, object]) -> None:
        self.cells = cells
        self.errors: list[FieldError] = []
        self.failed: set[str] = set()

    def take(self, name: str, read: Callable[..., Any], *args: Any) -> Any:
        if None in args:
            return None  # depends on a field that already failed (a number whose type is unreadable)
        try:
            return read(self.cells.get(name), *args)
        except CellError as exc:
            self.errors.append(FieldError(name, str(exc)))
            self.failed.add(name)
            return None


def text(value: object) -> str | None:
    """A cell as trimmed text; whole numbers without a trailing `.0`; None when empty."""
    if value is None:
        return None
    if type(value) is str:  # every CSV cell, most XLSX ones
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    result = (value.isoformat() if isinstance(value, date) else str(value)).strip()
    return result or None


def name(value: object) -> str:
    result = text(value)
    if result is None:
        raise CellError("姓名不能为空")
    if len(result) > MAX_NAME:
        raise CellError(f"姓名不能超过{MAX_NAME}个字")
    return result


def short_text(value: object, title: str, limit: int) -> str | None:
    """Optional text of at most `limit` characters; `title` names the column in the message."""
    result = text(value)
    if result is not None and len(result) > limit:
        raise CellError(f"{title}不能超过{limit}个字")
    return result


def document_type(value: object) -> DocumentType:
    """Empty means a resident ID, which is what nearly every row of a community list holds."""
    found = _document_type(value)
    return found or DocumentType.PRC_ID


def document_number(value: object, kind: DocumentType, today: date) -> str:
    if isinstance(value, float) and not (value.is_integer() and abs(value) < _LOST_DIGITS):
        raise CellError("证件号码被表格软件存成了数字，末几位已丢失；请把该列设为“文本”后重新填写")
    number = text(value)
    if number is None:
        raise CellError("证件号码不能为空")
    try:
        return documents.validate(kind, number, today=today)
    except documents.InvalidDocument as exc:
        raise CellError(str(exc)) from exc


def phone(value: object) -> str | None:
    number = text(value)
    if number is None:
        return None
    try:
        return documents.validate_phone(number)
    except documents.InvalidDocument as exc:
        raise CellError(str(exc)) from exc


def guardian_phone(value: object) -> str | None:
    try:
        return phone(value)
    except CellError as exc:
        raise CellError(f"{label('guardian_phone')}：{exc}") from exc


def grid(value: object, grids: GridIndex) -> str:
    written = text(value)
    if written is None:
        raise CellError("网格不能为空")
    return grids.resolve(written)


def address(value: object) -> str | None:
    result = text(value)
    if result is not None and len(result) > MAX_ADDRESS:
        raise CellError(f"住址不能超过{MAX_ADDRESS}个字")
    return result


def arrival_date(value: object, today: date) -> date | None:
    """A date cell, an Excel day number, or text such as 2021-01-12, 2021/1/12, 2021年1月12日, 20210112."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return _EXCEL_EPOCH + timedelta(days=int(value))
    written = text(value)
    if written is None:
        return None
    match = _DATE.match(written) or _COMPACT_DATE.match(written)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    raise CellError(f"抵达日期应为有效日期，格式如{today.year}-01-12")


def division_code(value: object) -> str | None:
    code = text(value)
    if code is not None and not _DIVISION.match(code):
        raise CellError("来源地区划代码应为6、9或12位数字（县级及以下）")
    return code


def special_groups(value: object) -> list[SpecialGroup]:
    written = text(value)
    if written is None:
        return []
    found = [_special_group(part) for part in _LIST_SPLIT.split(written) if part]
    return list(dict.fromkeys(g for g in found if g is not None))


def optional(choices: Mapping[str, Any], message: str) -> Callable[[object], Any]:
    """A reader for a closed vocabulary: empty is None, anything else must be one of `choices`."""

    def read(value: object) -> Any:
        written = text(value)
        if written is None:
            return None
        found = choices.get(_key(written))
        if found is None:
            raise CellError(message)
        return found

    return read


@functools.lru_cache(maxsize=4096)
def _key(written: str) -> str:
    """The lookup form of a vocabulary word or grid name (a sheet repeats a handful of them, so kept)."""
    return _KEY_DROP.sub("", written).lower()


_document_type = optional(DOCUMENT_TYPES, DOCUMENT_TYPE_CHOICES)
_category = optional(CATEGORIES, CATEGORY_CHOICES)
_health_code = optional(HEALTH_CODES, "健康码应为：绿、黄、红")
_special_group = optional(SPECIAL_GROUPS, SPECIAL_GROUP_CHOICES)


_PYDANTIC_FIELDS = {"number": "document_number", "grid_id": "grid", "document": "document_type"}


def _field_of(loc: tuple[int | str, ...]) -> str:
    names = [str(p) for p in loc if isinstance(p, str)]
    last = names[-1] if names else "row"
    return _PYDANTIC_FIELDS.get(last, last)
