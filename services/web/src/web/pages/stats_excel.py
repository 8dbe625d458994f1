"""The statistics as an Excel workbook (openpyxl), for officers who pass the figures on in their own reports."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from web.pages.stats_data import Stats
from web.templating import label

BOLD = Font(bold=True)


def workbook(stats: Stats) -> bytes:
    """Sheets: the day's totals (with each figure's code), the units one level down, the trend, open requests."""
    book = Workbook()
    totals = book.active
    assert totals is not None
    totals.title = "当日汇总"
    _header(totals, ["指标", "数值", "代码"])
    totals.append(["日期", stats.day.isoformat(), "day"])
    totals.append(["区划", stats.division, "division"])
    totals.append(["区划名称", stats.division_name or "", "division_name"])
    for key, words, number in stats.rows():
        totals.append([words, number, key])
    units = book.create_sheet("下级明细")
    _header(units, ["区划/网格", "名称", "监测人数", "应打卡", "按时打卡", "尚未打卡", "漏打卡", "预警", "未办结求助"])
    for child in stats.daily["children"]:
        unit = str(child["unit"])
        units.append(
            [
                unit,
                stats.names.get(unit, ""),
                sum(child["people_by_measure"].values()),
                child["checkins"]["expected"],
                child["checkins"]["done"],
                child["checkins"]["pending"],
                child["checkins"]["missed"],
                sum(child["alerts_by_kind"].values()),
                stats.open_by_unit.get(unit, 0),
            ]
        )
    trend = book.create_sheet("打卡趋势")
    _header(trend, ["日期", "已打卡", "漏打卡"])
    for day, done, missed in stats.trend:
        trend.append([day.isoformat(), done, missed])
    requests = book.create_sheet("未办结求助")
    _header(requests, ["状态", "数量"])
    for status, number in stats.open_requests.items():
        requests.append([label(status, "request_status"), number])
    for sheet in book.worksheets:
        sheet.column_dimensions["A"].width = 24
        sheet.column_dimensions["C"].width = 22
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _header(sheet: object, names: list[str]) -> None:
    """A bold first row naming the columns."""
    sheet.append(names)  # type: ignore[attr-defined]
    for cell in sheet[1]:  # type: ignore[index]
        cell.font = BOLD
