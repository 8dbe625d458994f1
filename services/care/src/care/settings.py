from __future__ import annotations

from gridline.settings import ServiceSettings


class CareSettings(ServiceSettings):
    service_name: str = "care"
