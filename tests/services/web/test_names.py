"""Names instead of ids: the lookups the pages make, and rows that show a grid's or venue's name, never its id."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from web import names
from web.apis import Apis
from web.errors import _in_words
from web.templating import local_day, local_time, templates
from web.upstream import ApiError

GRID = "b7cd3c00-9f2b-5e7c-861c-dccb4c57e3cc"
VENUE = "4b7b2dba-eb2d-5662-86b1-3ad09d9b028a"
DESK = {"subject": "desk:330106001", "name": None, "role": "township_desk"}


class FakeApi:
    """A service answering from a table of paths, counting the calls."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers, self.calls = answers, 0

    async def call(self, method: str, path: str, **_: Any) -> Any:
        self.calls += 1
        if path not in self.answers:
            raise ApiError(404, "not found")
        return self.answers[path]


def apis(registry: dict[str, Any]) -> Apis:
    return Apis(registry=FakeApi(registry), monitoring=FakeApi({}), care=FakeApi({}), duty=FakeApi({}))  # type: ignore[arg-type]


def request() -> Request:
    return Request(
        {"type": "http", "method": "GET", "path": "/desk", "headers": [], "session": {}, "query_string": b""}
    )


def incident(**extra: Any) -> dict[str, Any]:
    base = {"id": "i1", "version": 1, "status": "open", "level": 0, "severity": "high", "kind": "fever"}
    return base | {"opened_at": "2026-12-06T00:00:00Z", "source_type": "alert", "summary": "体温 37.8 ℃"} | extra


async def test_a_community_is_named_with_its_township_and_remembered() -> None:
    registry = FakeApi(
        {
            "/v1/public/divisions/330106991001": {"name": "曙光社区"},
            "/v1/public/divisions/330106991": {"name": "测试街道"},
        }
    )
    found = Apis(registry=registry, monitoring=registry, care=registry, duty=registry)  # type: ignore[arg-type]

    assert await names.division(found, "330106991001") == "测试街道 曙光社区"
    assert await names.division(found, "330106991001") == "测试街道 曙光社区"
    assert registry.calls == 2


async def test_an_unknown_division_has_no_name_rather_than_its_code() -> None:
    assert await names.division(apis({}), "330106992001") is None


def test_an_account_id_is_never_shown_as_a_persons_name() -> None:
    assert names.person("刘洋") == "刘洋"
    assert names.person("0f8fad5b-d9cb-469f-a165-70867728950e") == "工作人员"
    assert names.person(None) == "工作人员"
    assert names.person("", "街道值班台") == "街道值班台"


def test_an_incident_row_names_its_grid_and_venue_and_the_desk_it_went_to() -> None:
    row = templates.get_template("desk/row.html").render(
        request=request(),
        i=incident(
            grid_id=GRID, venue_id=VENUE, assignee={"subject": "desk:330106001", "name": None, "role": "township_desk"}
        ),
        grid_names={GRID: "曙光社区 第1网格"},
        venue_names={VENUE: "党群服务中心"},
    )
    assert "曙光社区 第1网格" in row
    assert "党群服务中心" in row
    assert "当前负责：街道值班台" in row
    assert "12月6日 08:00" in row
    assert GRID not in row
    assert VENUE not in row
    assert "desk:" not in row


def test_a_grid_or_venue_not_found_is_named_in_words_not_by_id() -> None:
    row = templates.get_template("desk/row.html").render(
        request=request(), i=incident(grid_id=GRID, venue_id=VENUE), grid_names={}, venue_names={}
    )
    assert "本社区网格" in row
    assert "社区场所" in row
    assert GRID not in row
    assert VENUE not in row


def test_times_read_as_beijing_month_day_and_minute() -> None:
    assert local_time("2026-12-06T00:00:00Z") == "12月6日 08:00"
    assert local_time("2026-12-06T08:00:00+08:00") == "12月6日 08:00"


def test_a_refusal_is_explained_in_chinese_without_the_records_id() -> None:
    assert _in_words(ApiError(404, "Not Found", f"grid {GRID} not found")) == "要找的记录不存在，或不在您的辖区。"
    assert _in_words(ApiError(404, "未找到", f"网格{GRID}不存在")) == "要找的记录不存在，或不在您的辖区。"
    assert _in_words(ApiError(409, "冲突", "此手机号已预约该时段")) == "此手机号已预约该时段"


def test_an_issuers_entry_number_is_quoted_but_a_machine_id_is_not() -> None:
    assert names.reference("E1") == "E1"
    assert names.reference(GRID) == ""


def test_days_read_as_chinese_is_written() -> None:
    assert local_day("2026-01-05") == "2026年1月5日"
    assert local_day("2026-12-16") == "2026年12月16日"
    assert local_time("2026-01-09T16:30:00Z", "%Y年%m月%d日 %H:%M") == "2026年1月10日 00:30"
