"""The text a helper gets when a request is assigned to them: what to do, where (masked), and by when."""

from __future__ import annotations

from gridline.notify import MessageTemplate

ASSIGNED = "care_assigned"

TEMPLATES = {
    ASSIGNED: MessageTemplate(
        text="【社区关爱】{who}您好，您有一项新的求助任务：{what}，地址{address}，请于{by}前在志愿者页面确认接单。",
        params=("who", "what", "address", "by"),
    ),
}

TYPE_NAMES = {
    "shopping": "代购生活用品",
    "medicine": "代购药品",
    "escort": "陪同就医",
    "psychological_support": "心理疏导",
    "repairs": "维修",
    "supplies": "生活物资",
    "other": "其他帮助",
}
PRIORITY_NAMES = {"urgent": "紧急", "high": "优先", "normal": "", "low": ""}


NEEDS_CHARACTERS = 30


def what(request_type: str, priority: str, needs: str) -> str:
    """`紧急·代购药品（降压药两盒）`: the priority where it matters, the kind of help, and what is needed."""
    kind = TYPE_NAMES.get(request_type, "其他帮助")
    urgency = PRIORITY_NAMES.get(priority, "")
    needed = needs.strip()[:NEEDS_CHARACTERS]
    return (f"{urgency}·{kind}" if urgency else kind) + (f"（{needed}）" if needed else "")
