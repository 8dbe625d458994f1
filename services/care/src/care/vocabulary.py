"""The words of care work as code: special groups, request types and priorities, helper kinds, statuses."""

from __future__ import annotations

from enum import StrEnum


class Group(StrEnum):
    """The special groups of the notice; `home_isolated` is joined by a measure, the others by the registry."""

    ELDERLY_IN_DIFFICULTY = "elderly_in_difficulty"  # 困难老人
    ORPHAN = "orphan"  # 孤儿
    LEFT_BEHIND_WOMAN = "left_behind_woman"  # 留守妇女
    LEFT_BEHIND_CHILD = "left_behind_child"  # 留守儿童
    DISABLED = "disabled"  # 残疾人
    HOME_ISOLATED = "home_isolated"  # 居家隔离/居家健康监测人员


class RequestType(StrEnum):
    """What a help request asks for; helpers' skills use the same words."""

    SHOPPING = "shopping"  # 代购生活用品
    MEDICINE = "medicine"  # 代购药品
    ESCORT = "escort"  # 陪同就医
    PSYCHOLOGICAL_SUPPORT = "psychological_support"  # 心理疏导
    REPAIRS = "repairs"  # 维修
    SUPPLIES = "supplies"  # 生活物资
    OTHER = "other"  # 其他


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 is the most pressing."""
        return list(Priority).index(self)


class Source(StrEnum):
    """How a request came in."""

    WORKER = "worker"
    RESIDENT = "resident"
    OPEN311 = "open311"
    ALERT = "alert"
    ISOLATION = "isolation"
    TEMPLATE = "template"


class Status(StrEnum):
    OPEN = "open"  # waiting for a helper
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


CLOSED = frozenset({Status.FULFILLED, Status.CANCELLED})


class Completeness(StrEnum):
    PARTIAL = "partial"
    COMPLETE = "complete"


class HelperKind(StrEnum):
    PARTY_MEMBER_VOLUNTEER = "party_member_volunteer"  # 党员志愿者
    SOCIAL_WORKER = "social_worker"  # 社工
    SOCIAL_ORGANISATION = "social_organisation"  # 社会组织
    RESIDENT_ACTIVIST = "resident_activist"  # 居民骨干


class VisitKind(StrEnum):
    PHONE_CALL = "phone_call"  # 电话问候
    HOME_VISIT = "home_visit"  # 上门走访


class VisitOutcome(StrEnum):
    WELL = "well"  # 情况良好
    NEEDS_FOUND = "needs_found"  # 发现需求
    NOT_REACHED = "not_reached"  # 未联系上
