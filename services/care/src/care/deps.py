"""Care's own dependency aliases, beside the shared ones in `gridline.http.deps`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from gridline.http.deps import RuntimeDep

from care.settings import CareSettings


def care_settings(settings: Any) -> CareSettings:
    """The settings a handler, job or view was given, as care's own class."""
    if not isinstance(settings, CareSettings):
        raise TypeError("care runs with CareSettings")
    return settings


def get_care_settings(runtime: RuntimeDep) -> CareSettings:
    return care_settings(runtime.settings)


CareSettingsDep = Annotated[CareSettings, Depends(get_care_settings)]
