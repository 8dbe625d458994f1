"""Import sheets: headers as workers write them, cell values in every shape a spreadsheet gives them."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from registry.documents import DocumentType
from registry.imports import columns, reading, values
from registry.imports.columns import HeaderError, find_header, map_header, normalise_header
from registry.imports.values import FieldError, GridIndex, parse_row
from registry.persons.models import PersonCreate
from registry.vocabulary import Category, HealthCode, SpecialGroup

from tests.integration.people import COMMUNITY, prc_id

TODAY = date(2021, 1, 20)
GRIDS = GridIndex.of([("g-1", "第1网格"), ("g-2", "第2网格"), ("g-3", "东区"), ("g-4", "东区")])
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


def row(**cells: object) -> PersonCreate | list[FieldError]:
    base: dict[str, object] = {"name": "王建国", "document_number": prc_id(), "grid": "第1网格"}
    return parse_row({**base, **cells}, community_code=COMMUNITY, grids=GRIDS, today=TODAY)


def errors_of(result: PersonCreate | list[FieldError]) -> dict[str, str]:
    assert isinstance(result, list), result
    return {e.field: e.message for e in result}


def person(result: PersonCreate | list[FieldError]) -> PersonCreate:
    assert isinstance(result, PersonCreate), result
    return result


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("姓名", "姓名"),
        ("\ufeff姓名", "姓名"),
        (" 证件号码* ", "证件号码"),
        ("抵达日期（YYYY-MM-DD）", "抵达日期"),
        ("手机号码(必填)", "手机号码"),
        ("Document Type", "document_type"),
        ("origin-division-code", "origin_division_code"),
        (None, ""),
    ],
)
def test_headers_are_normalised_before_lookup(written: object, expected: str) -> None:
    assert normalise_header(written) == expected


def test_chinese_and_english_headers_map_to_the_same_fields() -> None:
    chinese = map_header([*HEADER, "特殊群体"], row=1)
    english = map_header(["name", "document_number", "grid", "phone", "special_groups"], row=1)

    assert chinese.index["document_number"] == 2
    assert chinese.written["document_number"] == "证件号码"
    assert set(english.index) == {"name", "document_number", "grid", "phone", "special_groups"}


def test_unknown_columns_are_ignored_and_missing_required_ones_named() -> None:
    assert map_header(["序号", "姓名", "证件号码", "网格", "备注"], row=1).index == {
        "name": 1,
        "document_number": 2,
        "grid": 3,
    }
    with pytest.raises(HeaderError) as raised:
        map_header(["姓名", "手机号码"], row=1)
    assert raised.value.problems == ["缺少必填列“证件号码”", "缺少必填列“网格”"]


def test_a_field_given_twice_is_refused() -> None:
    with pytest.raises(HeaderError) as raised:
        map_header(["姓名", "证件号码", "身份证号码", "网格"], row=1)
    assert raised.value.problems == ["列“证件号码”出现了两次（第2列和第3列）"]


def test_title_rows_above_the_header_are_skipped() -> None:
    found = find_header([["曙光社区返乡人员登记表", None], [None, None], ["姓名", "证件号码", "网格"]])

    assert found.header_row == 3


def test_a_sheet_without_any_header_says_what_is_missing() -> None:
    with pytest.raises(HeaderError) as raised:
        find_header([["王建国", "330106198003120131"]])
    assert "缺少必填列“姓名”" in raised.value.problems


def test_a_complete_row_becomes_a_registration_with_one_episode() -> None:
    result = person(
        row(
            document_type="居民身份证",
            phone=13905710001,
            address=" 曙光路1号 ",
            category="返乡人员",
            arrival_date=datetime(2021, 1, 12),
            origin_division_code=420106,
            health_code="黄码",
            special_groups="困难老人、残疾人",
        )
    )

    assert result.grid_id == "g-1"
    assert result.phone == "13905710001"
    assert result.address == "曙光路1号"
    assert result.special_groups == [SpecialGroup.ELDERLY_IN_DIFFICULTY, SpecialGroup.DISABLED]
    [episode] = result.episodes
    assert episode.category is Category.HOLIDAY_RETURNEE
    assert episode.arrival_date == date(2021, 1, 12)
    assert episode.origin_division_code == "420106"
    assert episode.health_code is HealthCode.YELLOW
    assert episode.source == values.SOURCE


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (None, DocumentType.PRC_ID),
        ("身份证", DocumentType.PRC_ID),
        ("护照", DocumentType.PASSPORT),
        ("港澳台居民来往内地通行证", DocumentType.MAINLAND_TRAVEL_PERMIT),
        ("foreign_permanent_residence", DocumentType.FOREIGN_PERMANENT_RESIDENCE),
    ],
)
def test_document_types_in_words_or_values(written: str | None, expected: DocumentType) -> None:
    assert values.document_type(written) is expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("中高风险地区来（返）人员", Category.RISK_AREA_ARRIVAL),
        ("中高风险地区来(返)人员", Category.RISK_AREA_ARRIVAL),
        ("进口冷链从业人员", Category.COLD_CHAIN_WORKER),
        ("inbound_traveller", Category.INBOUND_TRAVELLER),
        ("Non_Local_Arrival", Category.NON_LOCAL_ARRIVAL),
    ],
)
def test_categories_in_words_or_values(written: str, expected: Category) -> None:
    assert person(row(category=written)).episodes[0].category is expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2021-01-12", date(2021, 1, 12)),
        ("2021/1/12", date(2021, 1, 12)),
        ("2021.1.2", date(2021, 1, 2)),
        ("2021年1月12日", date(2021, 1, 12)),
        ("20210112", date(2021, 1, 12)),
        ("2021-01-12 00:00:00", date(2021, 1, 12)),
        (44208, date(2021, 1, 12)),  # an Excel day number in a cell not formatted as a date
        (date(2021, 1, 12), date(2021, 1, 12)),
        ("", None),
    ],
)
def test_arrival_dates_in_the_shapes_sheets_hold_them(written: object, expected: date | None) -> None:
    assert values.arrival_date(written, TODAY) == expected


@pytest.mark.parametrize("written", ["2021-02-30", "12/01/2021", "上周"])
def test_an_unreadable_date_is_an_error(written: str) -> None:
    assert errors_of(row(category="返乡人员", arrival_date=written)) == {
        "arrival_date": "抵达日期应为有效日期，格式如2021-01-12"
    }


def test_every_bad_field_of_a_row_is_reported_at_once() -> None:
    wrong_check = prc_id()[:-1] + ("0" if prc_id()[-1] != "0" else "1")

    found = errors_of(row(name=" ", document_number=wrong_check, phone="1234", grid="西区", category="游客"))

    assert found == {
        "name": "姓名不能为空",
        "document_number": "居民身份证号码校验码不正确，请核对",
        "phone": "手机号码应为以1开头的11位数字",
        "grid": "本村/社区没有这个网格，请填写本村/社区的网格名称或网格编号",
        "category": values.CATEGORY_CHOICES,
    }


def test_messages_never_repeat_the_cell() -> None:
    number = prc_id()
    found = row(category=number, health_code=number, special_groups=number, document_type=number)

    assert number not in repr(found)


def test_an_id_number_excel_stored_as_a_number_lost_its_last_digits() -> None:
    found = errors_of(row(document_number=float(prc_id()[:-1] + "0")))

    assert "末几位已丢失" in found["document_number"]


def test_whole_numbers_from_number_cells_read_as_text() -> None:
    assert person(row(phone=13905710001.0, document_number=int(prc_id()))).phone == "13905710001"


def test_grids_are_found_by_id_or_by_an_unambiguous_name() -> None:
    assert person(row(grid="g-2")).grid_id == "g-2"
    assert person(row(grid=" 第2网格 ")).grid_id == "g-2"
    assert errors_of(row(grid="东区")) == {"grid": "本村/社区有多个同名网格，请改填网格编号"}


def test_episode_details_without_a_category_are_refused() -> None:
    assert errors_of(row(arrival_date="2021-01-12")) == {
        "category": "填写了抵达日期、来源地区划代码或健康码时，须填写人员类别"
    }
    assert person(row()).episodes == []


def test_health_code_defaults_to_green_and_accepts_words() -> None:
    assert person(row(category="外来人员")).episodes[0].health_code is HealthCode.GREEN
    assert person(row(category="外来人员", health_code="红")).episodes[0].health_code is HealthCode.RED


def test_special_groups_split_on_any_separator_and_unknown_ones_are_refused() -> None:
    assert person(row(special_groups="孤儿,留守儿童，孤儿")).special_groups == [
        SpecialGroup.ORPHAN,
        SpecialGroup.LEFT_BEHIND_CHILD,
    ]
    assert errors_of(row(special_groups="孤儿、低保户")) == {"special_groups": values.SPECIAL_GROUP_CHOICES}


def test_bad_division_codes_and_overlong_text_are_refused() -> None:
    found = errors_of(row(category="外来人员", origin_division_code="4201", name="王" * 51, address="路" * 201))

    assert found == {
        "origin_division_code": "来源地区划代码应为6、9或12位数字（县级及以下）",
        "name": "姓名不能超过50个字",
        "address": "住址不能超过200个字",
    }


def test_guardian_headers_in_chinese_or_english_map_to_the_guardian_fields() -> None:
    chinese = map_header(["姓名", "证件号码", "网格", "监护人姓名", "监护人电话", "与监护人关系"], row=1)
    english = map_header(
        ["name", "document_number", "grid", "guardian_name", "guardian_phone", "guardian_relation"], row=1
    )

    assert chinese.index == english.index
    assert chinese.written["guardian_phone"] == "监护人电话"


def test_a_row_with_a_guardian_carries_it_into_the_registration() -> None:
    guardian = person(row(guardian_name=" 王父 ", guardian_phone=13512345678, guardian_relation="父亲")).guardian

    assert guardian is not None
    assert (guardian.name, guardian.phone, guardian.relation) == ("王父", "13512345678", "父亲")


def test_a_row_without_guardian_cells_has_no_guardian() -> None:
    assert person(row(guardian_name="", guardian_phone=None, guardian_relation=" ")).guardian is None


def test_a_guardian_given_in_part_names_each_missing_column() -> None:
    assert errors_of(row(guardian_name="王父")) == {
        "guardian_phone": "填写监护人时须同时填写监护人电话",
        "guardian_relation": "填写监护人时须同时填写与监护人关系",
    }


def test_a_bad_guardian_phone_is_refused_without_repeating_it() -> None:
    found = row(guardian_name="王父", guardian_phone="1351234", guardian_relation="父亲")

    assert errors_of(found) == {"guardian_phone": "监护人电话：手机号码应为以1开头的11位数字"}
    assert "1351234" not in repr(found)


def test_overlong_guardian_cells_are_refused() -> None:
    found = errors_of(row(guardian_name="王" * 51, guardian_phone="13512345678", guardian_relation="父" * 21))

    assert found == {"guardian_name": "监护人姓名不能超过50个字", "guardian_relation": "与监护人关系不能超过20个字"}


def test_a_csv_with_a_bom_and_chinese_headers_is_read_with_spreadsheet_row_numbers() -> None:
    text = "\ufeff姓名,证件号码,网格\n王建国,330106198003120131,第1网格\n\n李四,11010519491231002X,第2网格\n"
    file = io.BytesIO(text.encode())

    inspection = reading.inspect(file, reading.Format.CSV)
    with reading.open_rows(file, reading.Format.CSV) as rows:
        numbered = list(rows)

    assert inspection.columns.index == {"name": 0, "document_number": 1, "grid": 2}
    assert inspection.total_rows == 2
    assert numbered[3] == (4, ["李四", "11010519491231002X", "第2网格"])


def test_a_template_line_with_only_a_serial_number_is_not_a_row() -> None:
    text = "序号,姓名,证件号码,网格\n1,王建国,330106198003120131,第1网格\n2,,,\n3, ,,\n"

    assert reading.inspect(io.BytesIO(text.encode()), reading.Format.CSV).total_rows == 1


def test_a_csv_in_gbk_is_refused_with_advice() -> None:
    file = io.BytesIO("姓名,证件号码,网格\n".encode("gbk"))

    with pytest.raises(reading.UnreadableFile, match="UTF-8"):
        reading.inspect(file, reading.Format.CSV)


def test_an_xlsx_keeps_row_numbers_across_blank_rows_and_date_cells() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["曙光社区登记表"])
    sheet.append(["姓名", "证件号码", "网格", "抵达日期"])
    sheet.append(["王建国", prc_id(), "第1网格", datetime(2021, 1, 12)])
    sheet.cell(row=6, column=1, value="李四")
    file = io.BytesIO()
    workbook.save(file)

    inspection = reading.inspect(file, reading.Format.XLSX)
    with reading.open_rows(file, reading.Format.XLSX) as rows:
        numbered = [(n, cells) for n, cells in rows if not columns.is_blank(cells)]

    assert inspection.columns.header_row == 2
    assert inspection.total_rows == 4  # the sheet's declared size: rows 3 to 6
    assert [n for n, _ in numbered] == [1, 2, 3, 6]
    assert numbered[2][1][3] == datetime(2021, 1, 12)


@pytest.mark.parametrize(
    ("name", "head", "message"),
    [
        ("list.xlsx", b"name,doc", "不是 Excel"),
        ("list.csv", reading.XLSX_MAGIC, "改为 .xlsx"),
        ("list.xls", b"\xd0\xcf\x11\xe0", "另存为"),
        ("list.txt", b"name", "只支持"),
    ],
)
def test_the_format_follows_the_extension_checked_against_the_content(name: str, head: bytes, message: str) -> None:
    with pytest.raises(reading.UnreadableFile, match=message):
        reading.detect_format(name, head)


def test_a_broken_xlsx_is_unreadable_not_a_crash() -> None:
    with pytest.raises(reading.UnreadableFile, match="无法读取"):
        reading.inspect(io.BytesIO(reading.XLSX_MAGIC + b"garbage"), reading.Format.XLSX)
