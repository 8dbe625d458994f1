"""Settings of message delivery, mixed into a service's settings class (`class XSettings(ServiceSettings,
NotifySettings)`). Every secret is a `SecretStr`, so it is never printed, logged or echoed in an error.

Chinese SMS vendors send only a registered signature (签名) and an approved template (模板) with parameters,
never free text. A service declares each kind of message it sends (`notify_templates`: the approved wording
and its parameter names in order; Tencent takes them by position, Aliyun by name); the operator names the
code each vendor approved it under (`sms_template_codes`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SmsVendor = Literal["store", "disabled", "aliyun", "tencent"]
RobotVendor = Literal["dingtalk", "wecom"]


def _json_object(value: Any) -> Any:
    """A JSON object from the environment; empty (as compose passes an unset variable) is none."""
    if isinstance(value, str):
        return json.loads(value) if value.strip() else {}
    return value


# Decoded here rather than by the settings source, so an empty variable means "none" instead of an error.
JsonObject = BeforeValidator(_json_object)


class MessageTemplate(BaseModel):
    """One kind of message: its wording (sent as is by group robots and the development sink) and parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1, max_length=500, description="the approved wording, with {param} slots")
    params: tuple[str, ...] = Field(default=(), description="parameter names, in the template's order")
    sms: bool = Field(default=True, description="sent as SMS (needs a vendor's code); False: to group robots only")
    capped: bool = Field(
        default=True,
        description="counted against the phone's daily cap; False for texts to staff on duty, who get every page",
    )

    def render(self, params: dict[str, str]) -> str:
        return self.text.format_map({name: params.get(name, "") for name in self.params})


class Robot(BaseModel):
    """A group's custom robot: its webhook (which holds its access token or key) and, for DingTalk, the
    signing secret (`SEC...`) the robot was created with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    vendor: RobotVendor
    url: str = Field(pattern=r"^https?://")
    secret: str = ""


Templates = Annotated[dict[str, MessageTemplate], NoDecode, JsonObject]


class NotifySettings(BaseSettings):
    # Errors must not echo the input: it holds the vendors' secrets.
    model_config = SettingsConfigDict(hide_input_in_errors=True)

    sms_sender: SmsVendor = Field(
        default="store",
        description="The SMS vendor where `sms_community_senders` names none: `aliyun`, `tencent`, `store` "
        "(development: texts kept in the `sms_sink` collection) or `disabled` (texts refused).",
    )
    sms_community_senders: Annotated[dict[str, SmsVendor], NoDecode, JsonObject] = Field(
        default_factory=dict, description='division code prefix -> vendor, longest wins: {"330106": "tencent"}'
    )
    sms_daily_cap_per_phone: int = Field(default=10, ge=1, le=1000, description="texts per phone per day")
    notify_templates: Templates = Field(default_factory=dict, description="kind -> template")
    sms_template_codes: Annotated[dict[str, dict[str, str]], NoDecode, JsonObject] = Field(
        default_factory=dict,
        description='vendor -> kind -> approved template code: {"aliyun": {"booking_code": "SMS_154950909"}, '
        '"tencent": {"booking_code": "1110001"}}',
    )
    notify_robots: SecretStr | None = Field(
        default=None,
        description='JSON: division code -> {"vendor": "dingtalk"|"wecom", "url": webhook, "secret": "SEC..."}',
    )
    notify_retry_seconds: float = Field(default=5.0, gt=0, le=3600, description="first retry wait, doubling")
    notify_max_attempts: int = Field(default=6, ge=1, le=20)
    notify_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    notify_receipt_seconds: float = Field(
        default=30.0, ge=0, le=3600, description="when to ask an SMS vendor for the handset's receipt (0: never)"
    )
    notify_receipt_checks: int = Field(default=4, ge=1, le=10, description="asks, each wait doubling")

    aliyun_sms_endpoint: str = Field(default="https://dysmsapi.aliyuncs.com", pattern=r"^https?://")
    aliyun_sms_access_key_id: str = Field(default="", max_length=128)
    aliyun_sms_access_key_secret: SecretStr | None = None
    aliyun_sms_sign_name: str = Field(default="", max_length=64, description="the registered signature (签名)")

    tencent_sms_endpoint: str = Field(default="https://sms.tencentcloudapi.com", pattern=r"^https?://")
    tencent_sms_region: str = Field(default="ap-guangzhou", pattern=r"^[a-z0-9-]{1,32}$")
    tencent_sms_secret_id: str = Field(default="", max_length=128)
    tencent_sms_secret_key: SecretStr | None = None
    tencent_sms_sdk_app_id: str = Field(default="", pattern=r"^\d{0,20}$")
    tencent_sms_sign_name: str = Field(default="", max_length=64)

    @field_validator("sms_template_codes")
    @classmethod
    def _code_vendors(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        if set(value) - {"aliyun", "tencent"}:
            raise ValueError("keys must be SMS vendors: aliyun, tencent")
        return value

    @field_validator("sms_community_senders")
    @classmethod
    def _prefixes(cls, value: dict[str, str]) -> dict[str, str]:
        if any(not prefix.isdigit() or len(prefix) > 12 for prefix in value):
            raise ValueError("keys must be division code prefixes (digits, at most 12)")
        return value

    @model_validator(mode="after")
    def _vendors_configured(self) -> NotifySettings:
        production = getattr(self, "environment", "") == "production"
        vendors = {self.sms_sender, *self.sms_community_senders.values()}
        if production and "store" in vendors:
            raise ValueError("sms_sender=store keeps texts in the database: development and tests only")
        if "aliyun" in vendors:
            _require(self, "aliyun_sms_access_key_id", "aliyun_sms_access_key_secret", "aliyun_sms_sign_name")
            _https(self.aliyun_sms_endpoint, "aliyun_sms_endpoint", production)
        if "tencent" in vendors:
            _require(
                self,
                "tencent_sms_secret_id",
                "tencent_sms_secret_key",
                "tencent_sms_sdk_app_id",
                "tencent_sms_sign_name",
            )
            _https(self.tencent_sms_endpoint, "tencent_sms_endpoint", production)
        for vendor in vendors & {"aliyun", "tencent"}:
            codes = self.sms_template_codes.get(vendor, {})
            missing = [kind for kind, t in self.notify_templates.items() if t.sms and not codes.get(kind)]
            if missing:
                raise ValueError(f"sms_template_codes: no {vendor} template code for {', '.join(sorted(missing))}")
        for robot in self.robots().values():
            _https(robot.url, "notify_robots", production)
        return self

    def sms_vendor_for(self, community_code: str) -> str:
        """The vendor that texts for a community: the longest configured prefix, else `sms_sender`."""
        matches = [p for p in self.sms_community_senders if community_code.startswith(p)]
        return self.sms_community_senders[max(matches, key=len)] if matches else self.sms_sender

    def template_code(self, vendor: str, kind: str) -> str:
        return self.sms_template_codes.get(vendor, {}).get(kind, "")

    def robots(self) -> dict[str, Robot]:
        """division code -> robot; ValueError (naming the setting, not its value) when it does not parse."""
        if self.notify_robots is None or not self.notify_robots.get_secret_value().strip():
            return {}
        try:
            raw = json.loads(self.notify_robots.get_secret_value())
            robots = {str(code): Robot.model_validate(spec) for code, spec in dict(raw).items()}
        except (ValueError, TypeError, ValidationError):
            raise ValueError("notify_robots must be a JSON object of division code -> robot") from None
        if any(not code.isdigit() or len(code) not in (6, 9, 12) for code in robots):
            raise ValueError("notify_robots keys must be division codes")
        if any(r.vendor == "dingtalk" and not r.secret for r in robots.values()):
            raise ValueError("notify_robots: a DingTalk robot needs its signing secret")
        return robots


def _require(settings: NotifySettings, *names: str) -> None:
    missing = [name for name in names if not getattr(settings, name)]
    if missing:
        raise ValueError(f"{', '.join(missing)} required for the configured SMS vendor")


def _https(url: str, name: str, production: bool) -> None:
    if production and not url.startswith("https://"):
        raise ValueError(f"{name} must use https in production")
