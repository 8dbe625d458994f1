from __future__ import annotations

from gridline.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    service_name: str = "registry"
