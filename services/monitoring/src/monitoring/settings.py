from __future__ import annotations

from gridline.settings import ServiceSettings
from pydantic import Field, field_validator


class MonitoringSettings(ServiceSettings):
    service_name: str = "monitoring"
    self_checkin_page_url: str = Field(
        default="http://127.0.0.1:8100/r/checkin",
        description="The resident page a self check-in link opens; the QR code encodes it with the link's token.",
    )
    self_checkin_link_days: int = Field(default=14, ge=1, le=90, description="longest validity of a resident link")
    rules_cache_seconds: float = Field(
        default=5.0, ge=0, le=300, description="how long a replica keeps monitoring rules before reading them again"
    )
    consume_duty_events: bool = Field(
        default=True,
        description="Follow duty's venues (duty.venue.v1) and duty-desk phones (duty.roster.v1); off, venues "
        "and duty phones come only from this service's own API.",
    )

    @field_validator("self_checkin_page_url")
    @classmethod
    def _page_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")
