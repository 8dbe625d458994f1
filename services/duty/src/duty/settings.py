from __future__ import annotations

from gridline.settings import ServiceSettings


class DutySettings(ServiceSettings):
    service_name: str = "duty"
