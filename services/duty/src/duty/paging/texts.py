"""The texts paging sends, as the SMS vendors approve them: fixed wording, parameters in order."""

from __future__ import annotations

from gridline.notify import MessageTemplate

PAGE = "incident_page"
ESCALATED = "incident_escalated"
GROUPED = "incident_group_page"

# Officers on duty get every page: the per-phone daily cap is for texts a resident can set off.
TEMPLATES = {
    PAGE: MessageTemplate(
        text="【值班提醒】{who}：{place}有{kind}事件（{summary}），请尽快处置并确认接单：{link}",
        params=("who", "place", "kind", "summary", "link"),
        capped=False,
    ),
    ESCALATED: MessageTemplate(
        text="【值班升级】{who}：{place}{kind}事件（{summary}）{minutes}分钟无人确认，已升级由您处置，确认接单：{link}",
        params=("who", "place", "kind", "summary", "minutes", "link"),
        capped=False,
    ),
    GROUPED: MessageTemplate(
        text="【值班提醒】{who}：{place}{minutes}分钟内新增{kind}事件{count}起，请到值班台逐一处置：{link}",
        params=("who", "place", "minutes", "kind", "count", "link"),
        capped=False,
    ),
}

KIND_NAMES = {
    "fever": "发热",
    "symptoms": "症状异常",
    "health_code_yellow": "黄码",
    "health_code_red": "红码",
    "nat_positive": "核酸阳性",
    "missed_checkins": "未按时健康打卡",
    "venue_fever": "场所测温异常",
    "venue_health_code": "场所健康码异常",
    "venue_over_capacity": "场所超员",
    "help_request_overdue": "求助超时",
    "supply_below_minimum": "物资低于最低储备",
    "supply_expiring": "物资即将过期",
    "other": "其他",
}


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, "其他")
