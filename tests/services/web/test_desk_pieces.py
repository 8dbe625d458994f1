"""The desk's pure pieces: what the live feed sends, the shifts offered for a swap, the charts' text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from duty.rosters.timeline import Rotation
from web.pages.desk_feed import Tracker, urgency
from web.pages.desk_shifts import SHANGHAI, my_shifts
from web.pages.stats_charts import bars, done_missed
from web.pages.stats_data import unit_of


def incident(incident_id: str, version: int = 1, **extra: Any) -> dict[str, Any]:
    base = {"id": incident_id, "version": version, "status": "open", "level": 0, "severity": "high"}
    return base | {"opened_at": "2026-12-01T10:00:00Z"} | extra


def test_the_feed_sends_each_incident_once_again_when_it_changes_and_says_when_it_is_gone() -> None:
    tracker = Tracker()
    first = tracker.changes([incident("a"), incident("b")])
    same = tracker.changes([incident("a"), incident("b")])
    escalated = tracker.changes([incident("a", 2, level=1), incident("b")])
    resolved = tracker.changes([incident("a", 2, level=1)])

    assert [i["id"] for i in first[0]] == ["a", "b"]
    assert same == ([], [])
    assert ([i["id"] for i in escalated[0]], escalated[1]) == (["a"], [])
    assert resolved == ([], ["b"])


def test_open_and_escalated_incidents_come_first_then_the_newest() -> None:
    found = [
        incident("acknowledged", status="acknowledged"),
        incident("older", opened_at="2026-12-01T09:00:00Z"),
        incident("newer", opened_at="2026-12-01T11:00:00Z"),
        incident("escalated", level=2, opened_at="2026-12-01T08:00:00Z"),
    ]
    assert [i["id"] for i in sorted(found, key=urgency)] == ["escalated", "newer", "older", "acknowledged"]


def rotation() -> dict[str, Any]:
    return {
        "id": "rot-1",
        "name": "本月值班表",
        "kind": "daily",
        "starts_on": "2026-11-20",
        "ends_on": None,
        "shift_starts": ["08:00:00", "20:00:00"],
        "crews": [
            {"duty_officer": {"subject": "me", "name": "我"}, "leader": {"subject": "boss", "name": "领导"}},
            {"duty_officer": {"subject": "other", "name": "同事"}, "leader": {"subject": "boss", "name": "领导"}},
            {"duty_officer": {"subject": "third", "name": "第三人"}, "leader": None},
        ],
    }


def test_my_shifts_ahead_carry_the_ids_and_times_duty_gives_them() -> None:
    now = datetime(2026, 12, 1, 9, 30, tzinfo=SHANGHAI)
    mine = my_shifts([rotation()], "me", now)
    duty = Rotation.from_document(rotation() | {"_id": "rot-1", "created_at": now, "shift_starts": ["08:00", "20:00"]})

    assert mine, "one shift in three is mine"
    assert all(s.ends_at > now and s.starts_at < now + timedelta(days=14) for s in mine)
    for shift in mine:
        planned = duty.shift(int(shift.shift_id.rsplit(":", 1)[1]))
        assert planned is not None
        assert (planned.shift_id, planned.starts_at) == (shift.shift_id, shift.starts_at)
        assert planned.ends_at == shift.ends_at
        assert planned.duty_officer is not None
        assert planned.duty_officer.subject == "me"
    assert {o["subject"] for o in mine[0].others} == {"other", "third"}
    assert my_shifts([rotation()], "boss", now)[0].role == "leader"


def test_a_rotation_that_ended_offers_nothing() -> None:
    ended = rotation() | {"ends_on": "2026-11-25"}
    assert my_shifts([ended], "me", datetime(2026, 12, 1, tzinfo=UTC)) == []


def test_charts_escape_their_words_and_show_every_number() -> None:
    chart = str(bars("预警", [("<script>", 3), ("发热", 12)], chart_id="c"))
    trend = str(done_missed("打卡", [(date(2026, 12, 1).strftime("%m-%d"), 7, 2)], chart_id="t"))

    assert "<script>" not in chart
    assert "&lt;script&gt;" in chart
    assert [n for n in ("3", "12") if f">{n}</text>" in chart] == ["3", "12"]
    assert [n for n in ("7", "2") if f">{n}</text>" in trend] == ["7", "2"]
    assert "已打卡7 漏打卡2" in trend
    assert "暂无数据" in str(bars("空", [], chart_id="e"))


def test_open_requests_are_counted_one_level_below_the_officers_division() -> None:
    request = {"community_code": "330106001002", "grid_id": "grid-7"}
    assert unit_of(request, "330106") == "330106001"
    assert unit_of(request, "330106001") == "330106001002"
    assert unit_of(request, "330106001002") == "grid-7"
