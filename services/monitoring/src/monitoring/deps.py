"""Monitoring's own dependency aliases, beside the shared ones in `gridline.http.deps`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from gridline.http.deps import RuntimeDep

from monitoring.settings import MonitoringSettings


async def get_settings(runtime: RuntimeDep) -> MonitoringSettings:
    settings = runtime.settings
    assert isinstance(settings, MonitoringSettings)
    return settings


MonitoringSettingsDep = Annotated[MonitoringSettings, Depends(get_settings)]
