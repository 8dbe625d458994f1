from __future__ import annotations

from gridline.settings import ServiceSettings


class MonitoringSettings(ServiceSettings):
    service_name: str = "monitoring"
