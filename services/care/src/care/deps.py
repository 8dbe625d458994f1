"""Care's own dependency aliases, beside the shared ones in `gridline.http.deps`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from gridline.http.deps import RuntimeDep

from care.settings import CareSettings, care_settings


async def get_care_settings(runtime: RuntimeDep) -> CareSettings:
    return care_settings(runtime.settings)


CareSettingsDep = Annotated[CareSettings, Depends(get_care_settings)]
