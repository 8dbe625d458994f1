"""The Chinese words for the services' codes, in one place, so every page says the same thing."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "measure": {
        "centralized_isolation": "集中隔离",
        "home_isolation": "居家隔离",
        "home_health_monitoring": "居家健康监测",
        "daily_health_monitoring": "日常健康监测",
        "none": "无",
    },
    "code_colour": {"green": "绿码", "yellow": "黄码", "red": "红码"},
    "severity": {"low": "低", "medium": "中", "high": "高", "critical": "紧急"},
    "incident_status": {
        "open": "待确认",
        "acknowledged": "已确认",
        "escalated": "已升级",
        "resolved": "已处置",
    },
    "request_status": {
        "open": "待派单",
        "assigned": "已派单",
        "acknowledged": "已接单",
        "in_progress": "处理中",
        "fulfilled": "已完成",
        "partly_fulfilled": "部分完成",
        "cancelled": "已取消",
    },
    "priority": {"low": "低", "normal": "一般", "high": "高", "urgent": "紧急"},
    "symptom": {
        "cough": "咳嗽",
        "sore_throat": "咽痛",
        "fatigue": "乏力",
        "loss_of_smell_or_taste": "嗅(味)觉减退",
        "shortness_of_breath": "气促",
        "diarrhoea": "腹泻",
        "muscle_ache": "肌肉酸痛",
        "conjunctivitis": "结膜炎（红眼）",
        "runny_nose": "流涕",
        "chills": "寒战",
    },
    "request_type": {
        "shopping": "代购生活用品",
        "medicine": "代购药品",
        "escort": "陪同就医",
        "psychological_support": "心理疏导",
        "repairs": "维修",
        "supplies": "生活物资",
        "other": "其他",
    },
}


class MenuItem:
    def __init__(self, href: str, text: str, *roles: str) -> None:
        self.href, self.text, self.roles = href, text, roles


# The signed-in menu. A link shows for the roles whose work it is; the services still check every call.
MENU = (
    MenuItem("/worklist", "今日工作清单", "grid_worker", "community_admin"),
    MenuItem("/people/new", "登记人员", "grid_worker", "community_admin"),
    MenuItem("/assist", "协查名单", "grid_worker", "community_admin"),
    MenuItem("/grids", "网格与负责人", "community_admin"),
    MenuItem("/imports", "批量导入", "community_admin"),
    MenuItem("/screenings", "筛查记录", "community_admin"),
    MenuItem("/tasks", "我的帮扶任务", "social_worker", "volunteer"),
    MenuItem("/visits", "待走访", "social_worker", "volunteer", "community_admin"),
    MenuItem("/desk", "值班台", "duty_officer", "community_admin"),
    MenuItem("/roster", "值班与排班", "duty_officer", "community_admin"),
    MenuItem("/supplies", "应急物资", "duty_officer", "community_admin"),
    MenuItem("/stats", "统计报表", "township_officer", "county_officer", "community_admin"),
)
