from __future__ import annotations

import re

from gridline.notify import MessageTemplate, NotifySettings, Templates
from gridline.settings import ServiceSettings
from gridline.webhooks import Endpoint, configured_endpoint
from limits import parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from duty.paging.texts import TEMPLATES as PAGING_TEMPLATES

_LOCAL_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# The texts duty sends: the wording each vendor approves as a template, its parameters in order.
TEMPLATES = {
    "booking_code": MessageTemplate(
        text="您的预约验证码为{code}，{minutes}分钟内有效，请勿告诉他人。", params=("code", "minutes")
    ),
    **PAGING_TEMPLATES,
}


class DutySettings(ServiceSettings, NotifySettings):
    # Merged with the base config; errors must not echo the input, which holds the service's keys.
    model_config = SettingsConfigDict(hide_input_in_errors=True)

    service_name: str = "duty"
    # Escalation used where no community or higher division has stored a chain of its own.
    escalation_wait_minutes: int = Field(default=10, ge=0, le=1440, description="for the duty officer to acknowledge")
    escalation_leader_wait_minutes: int = Field(default=10, ge=0, le=1440)
    escalation_desk_wait_minutes: int = Field(default=15, ge=0, le=1440)
    escalation_max_repeats: int = Field(default=2, ge=0, le=10, description="reminders to the last step")
    gap_lookahead_days: int = Field(default=7, ge=1, le=60, description="how far ahead roster gaps are looked for")
    gap_scan_time: str = Field(default="09:00", description="local time (Asia/Shanghai) of the daily gap scan")
    supply_expiry_warning_days: int = Field(default=30, ge=0, le=365)
    daily_report_time: str = Field(default="08:00", description="local time the previous day's report is published")
    report_webhook_url: str | None = Field(
        default=None, description="The provincial platform's webhook for daily reports; unset logs 'no webhook'."
    )
    report_webhook_key_id: str = Field(default="gridline-duty", pattern=r"^[A-Za-z0-9._-]{1,64}$")
    report_webhook_secret: SecretStr | None = Field(default=None, description="base64 HMAC key for the pushes.")
    booking_limit_per_phone: str = Field(default="3/minute;10/hour", description="`limits` notation, per replica")
    booking_limit_per_slot: str = Field(
        default="120/minute", description="booking attempts on one slot, `limits` notation, per replica"
    )
    # A village's households often share one address (one Wi-Fi, one carrier NAT): this is a last resort
    # against a flood from one client, set far above what a village makes; phones, slots and codes are limited
    # on their own.
    booking_limit_per_address: str = Field(default="600/minute;6000/hour", description="`limits` notation, per replica")
    booking_code_ttl_seconds: int = Field(default=300, ge=60, le=3600)
    booking_code_resend_seconds: int = Field(default=60, ge=0, le=3600)
    booking_code_max_attempts: int = Field(default=5, ge=1, le=20)
    notify_templates: Templates = Field(default_factory=lambda: dict(TEMPLATES))
    stream_poll_seconds: float = Field(default=1.0, gt=0, le=30)
    public_url: str = Field(
        default="http://127.0.0.1:8104", description="Where phones reach duty's public routes (feeds, links)."
    )
    roster_feed_valid_days: int = Field(default=365, ge=1, le=730, description="how long a calendar feed link works")
    roster_feed_days_ahead: int = Field(default=42, ge=1, le=120)
    roster_feed_days_back: int = Field(default=7, ge=0, le=60)
    paging_group_seconds: int = Field(
        default=60, ge=0, le=600, description="pages of one kind, community and step within this are one page"
    )
    ack_link_minutes: int = Field(default=120, ge=5, le=1440, description="how long a page's acknowledge link works")
    ack_page_url: str = Field(
        default="http://127.0.0.1:8100/a", description="the pages' address of an acknowledge link (token appended)"
    )
    desk_page_url: str = Field(default="http://127.0.0.1:8100/desk", description="the duty desk, in grouped pages")

    @field_validator("gap_scan_time", "daily_report_time")
    @classmethod
    def _local_time(cls, value: str) -> str:
        if not _LOCAL_TIME.match(value):
            raise ValueError("must be a local time HH:MM")
        return value

    @field_validator("booking_limit_per_phone", "booking_limit_per_slot", "booking_limit_per_address")
    @classmethod
    def _limits(cls, value: str) -> str:
        parse_many(value)
        return value

    @model_validator(mode="after")
    def _production_ready(self) -> DutySettings:
        self.report_endpoint()
        return self

    def report_endpoint(self) -> Endpoint | None:
        """The provincial platform's webhook, or None when none is configured."""
        return configured_endpoint(
            name="report_webhook",
            url=self.report_webhook_url,
            key_id=self.report_webhook_key_id,
            secret=self.report_webhook_secret,
            production=self.environment == "production",
        )
