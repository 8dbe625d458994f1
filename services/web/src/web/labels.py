"""The Chinese words for the services' codes, in one place, so every page says the same thing."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "measure": {
        "centralized_isolation": "集中隔离",
        "centralised_isolation": "集中隔离",
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
    # The duty desk, rosters, helpers' tasks, visits and the officers' statistics.
    "incident_kind": {
        "fever": "发热",
        "symptoms": "症状异常",
        "health_code_yellow": "黄码",
        "health_code_red": "红码",
        "nat_positive": "核酸阳性",
        "missed_checkins": "漏报健康打卡",
        "venue_fever": "场所发热",
        "venue_health_code": "场所异常健康码",
        "venue_over_capacity": "场所超员",
        "help_request_overdue": "求助超时未处理",
        "supply_below_minimum": "物资低于储备",
        "supply_expiring": "物资临期",
        "other": "其他",
    },
    "step_role": {"duty_officer": "值班员", "leader": "带班领导", "township_desk": "街道值班台"},
    "source_type": {"alert": "健康预警", "care_request": "帮扶求助", "supply": "应急物资", "manual": "人工上报"},
    "duty_source": {"rotation": "排班", "swap": "换班", "override": "临时调整", "none": "无人"},
    "swap_status": {
        "requested": "待对方同意",
        "accepted": "待社区批准",
        "approved": "已批准",
        "rejected": "已拒绝",
        "cancelled": "已撤销",
        "in_force": "生效中",
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
    "completeness": {"partial": "部分完成", "complete": "全部完成"},
    "visit_kind": {"phone_call": "电话问候", "home_visit": "上门走访"},
    "visit_outcome": {"well": "情况良好", "needs_found": "发现需求", "not_reached": "未联系上"},
    "visit_status": {"due": "待走访", "overdue": "已逾期", "recorded": "已走访", "dropped": "已取消"},
    "group": {
        "elderly_in_difficulty": "困难老人",
        "orphan": "孤儿",
        "left_behind_woman": "留守妇女",
        "left_behind_child": "留守儿童",
        "disabled": "残疾人",
        "home_isolated": "居家隔离/健康监测",
    },
    "alert_kind": {
        "fever": "发热",
        "symptoms": "症状异常",
        "health_code_yellow": "黄码",
        "health_code_red": "红码",
        "nat_positive": "核酸阳性",
        "nat_overdue": "核酸逾期",
        "missed_checkins": "漏报健康打卡",
        "venue_fever": "场所发热",
        "venue_health_code": "场所异常健康码",
        "venue_over_capacity": "场所超员",
    },
    # Registry's words: people, reveals, assist lists, imports, screenings, plans.
    "nat_result": {
        "negative": "阴性",
        "positive": "阳性",
    },
    "checkin_method": {
        "visit": "上门",
        "phone": "电话",
        "self_report": "自主上报",
        "venue": "场所查验",
    },
    "document_type": {
        "prc_id": "居民身份证",
        "passport": "护照",
        "mainland_travel_permit": "港澳台居民来往内地通行证",
        "foreign_permanent_residence": "外国人永久居留身份证",
    },
    "category": {
        "holiday_returnee": "返乡人员",
        "cold_chain_worker": "进口冷链从业人员",
        "non_local_arrival": "外来人员",
        "risk_area_arrival": "中高风险地区来（返）人员",
        "inbound_traveller": "入境人员",
    },
    "special_group": {
        "elderly_in_difficulty": "困难老人",
        "orphan": "孤儿",
        "left_behind_woman": "留守妇女",
        "left_behind_child": "留守儿童",
        "disabled": "残疾人",
    },
    "reveal_purpose": {
        "contact": "联系本人",
        "verification": "核验身份",
        "assist_list": "协查落实",
        "medical_referral": "转运就医",
    },
    "reveal_field": {
        "document_number": "证件号码",
        "phone": "手机号码",
        "guardian_phone": "监护人电话",
    },
    "assist_status": {
        "pending": "待核查",
        "located": "已落实",
        "not_found": "查无此人",
        "moved_away": "已转出",
    },
    "assist_match": {
        "matched": "已在册",
        "pending_registration": "尚未登记",
    },
    "import_status": {
        "queued": "排队中",
        "running": "导入中",
        "done": "已完成",
        "failed": "失败",
    },
    "screening_method": {
        "door_to_door": "上门排查",
        "phone": "电话排查",
    },
    "plan_status": {
        "active": "监测中",
        "completed": "已解除",
        "cancelled": "已取消",
    },
    "person_status": {
        "active": "在册",
        "merged": "已合并",
        "transferred": "已转出",
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
