"""Care's configuration: response deadlines, visit cadences, automatic dispatch, alert and Open311 rules."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from gridline.notify import MessageTemplate, NotifySettings
from gridline.notify.settings import SmsVendor
from gridline.settings import ServiceSettings
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from care.dispatch.texts import TEMPLATES as DISPATCH_TEMPLATES
from care.open311.clients import parse_open311_clients
from care.vocabulary import Group, Priority, RequestType, VisitKind

log = logging.getLogger(__name__)


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Deadline(_Rule):
    """How long a request may wait to be acknowledged, and to be fulfilled, counted from its opening."""

    acknowledge_minutes: int = Field(ge=1, le=7 * 24 * 60)
    fulfil_minutes: int = Field(ge=1, le=60 * 24 * 60)

    @model_validator(mode="after")
    def _fulfil_after_acknowledge(self) -> Deadline:
        if self.fulfil_minutes < self.acknowledge_minutes:
            raise ValueError("fulfil_minutes must not be shorter than acknowledge_minutes")
        return self

    @property
    def acknowledge(self) -> timedelta:
        return timedelta(minutes=self.acknowledge_minutes)

    @property
    def fulfil(self) -> timedelta:
        return timedelta(minutes=self.fulfil_minutes)


class Cadence(_Rule):
    """How often a group's members are visited, and how many days late a visit may be before it is overdue."""

    kind: VisitKind
    every_days: int = Field(ge=1, le=92)
    grace_days: int = Field(default=0, ge=0, le=30)


class AlertRule(_Rule):
    type: RequestType
    priority: Priority


def _decoded(value: Any) -> dict[str, Any]:
    """A mapping setting as given: JSON from the environment, or already a mapping."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _deadline(acknowledge: int, fulfil: int) -> Deadline:
    return Deadline(acknowledge_minutes=acknowledge, fulfil_minutes=fulfil)


# Keys are a priority (every type) or `type:priority` (that type only, which wins).
DEFAULT_DEADLINES = {
    "urgent": _deadline(30, 4 * 60),
    "high": _deadline(2 * 60, 12 * 60),
    "normal": _deadline(8 * 60, 48 * 60),
    "low": _deadline(24 * 60, 7 * 24 * 60),
    "medicine:urgent": _deadline(30, 4 * 60),
    "escort:urgent": _deadline(15, 2 * 60),
    "supplies:high": _deadline(2 * 60, 24 * 60),
}
DEFAULT_CADENCES = {
    Group.ELDERLY_IN_DIFFICULTY: Cadence(kind=VisitKind.PHONE_CALL, every_days=7, grace_days=1),
    Group.ORPHAN: Cadence(kind=VisitKind.HOME_VISIT, every_days=14, grace_days=2),
    Group.LEFT_BEHIND_WOMAN: Cadence(kind=VisitKind.PHONE_CALL, every_days=14, grace_days=2),
    Group.LEFT_BEHIND_CHILD: Cadence(kind=VisitKind.HOME_VISIT, every_days=14, grace_days=2),
    Group.DISABLED: Cadence(kind=VisitKind.HOME_VISIT, every_days=14, grace_days=2),
    Group.HOME_ISOLATED: Cadence(kind=VisitKind.PHONE_CALL, every_days=1, grace_days=0),
}
DEFAULT_ALERT_RULES = {
    "fever": AlertRule(type=RequestType.MEDICINE, priority=Priority.URGENT),
    "symptoms": AlertRule(type=RequestType.MEDICINE, priority=Priority.URGENT),
    "nat_positive": AlertRule(type=RequestType.ESCORT, priority=Priority.URGENT),
    "health_code_red": AlertRule(type=RequestType.SUPPLIES, priority=Priority.HIGH),
    "missed_checkins": AlertRule(type=RequestType.OTHER, priority=Priority.HIGH),
}


class CareSettings(ServiceSettings, NotifySettings):
    # Merged with the base config; errors must not echo the input, which holds the Open311 keys.
    model_config = SettingsConfigDict(hide_input_in_errors=True)

    service_name: str = "care"
    response_deadlines: dict[str, Deadline] = Field(
        default_factory=lambda: dict(DEFAULT_DEADLINES),
        description="By `priority` or `type:priority` (which wins); JSON in the environment replaces the table.",
    )
    visit_cadences: dict[Group, Cadence] = Field(default_factory=lambda: dict(DEFAULT_CADENCES))
    alert_requests: dict[str, AlertRule] = Field(
        default_factory=lambda: dict(DEFAULT_ALERT_RULES),
        description="Which monitoring alert kinds open a request for a member, of which type and priority.",
    )
    isolation_measures: list[str] = Field(
        default=["home_isolation", "home_health_monitoring"],
        description="Measures that make a person a member of the home-isolated group for their period.",
    )
    supplies_measures: list[str] = Field(
        default=["home_isolation"],
        description="Measures whose start opens a supplies request for a special-group member.",
    )
    supplies_priority: Priority = Priority.HIGH
    auto_assign_divisions: list[str] = Field(
        default_factory=list,
        description="Division-code prefixes where a new request goes at once to the best available helper.",
    )
    help_link_days: int = Field(default=30, ge=1, le=366, description="How long a resident's help link is valid.")
    open311_clients: SecretStr = Field(
        default=SecretStr(""),
        description="Open311 clients as client_id:jurisdiction:api_key[,...]; none by default.",
    )
    # No SMS gateway ships with the platform: helpers see their tasks on their page until one is configured.
    sms_sender: SmsVendor = Field(default="disabled", description="aliyun, tencent, store (development) or disabled")
    notify_templates: dict[str, MessageTemplate] = Field(default_factory=lambda: dict(DISPATCH_TEMPLATES))
    redispatch_limit: int = Field(
        default=3, ge=0, le=10, description="how often an unacknowledged urgent request goes to another helper"
    )

    @field_validator("response_deadlines")
    @classmethod
    def _deadlines_cover_every_priority(cls, table: dict[str, Deadline]) -> dict[str, Deadline]:
        for key in table:
            kind, _, priority = key.rpartition(":")
            if priority not in set(Priority) or (kind and kind not in set(RequestType)):
                raise ValueError(f"{key!r} is neither a priority nor type:priority")
        missing = [p.value for p in Priority if p.value not in table]
        if missing:
            raise ValueError(f"every priority needs a deadline; missing: {', '.join(missing)}")
        return table

    @field_validator("auto_assign_divisions")
    @classmethod
    def _division_prefixes(cls, prefixes: list[str]) -> list[str]:
        for prefix in prefixes:
            if not prefix.isdigit() or len(prefix) not in (2, 4, 6, 9, 12):
                raise ValueError(f"{prefix!r} is not a division-code prefix")
        return prefixes

    @field_validator("open311_clients")
    @classmethod
    def _clients_parse(cls, value: SecretStr) -> SecretStr:
        parse_open311_clients(value.get_secret_value())
        return value

    def deadline(self, request_type: str, priority: str) -> Deadline:
        return self.response_deadlines.get(f"{request_type}:{priority}") or self.response_deadlines[priority]

    def cadence(self, group: str) -> Cadence | None:
        return next((c for g, c in self.visit_cadences.items() if g.value == group), None)

    @model_validator(mode="before")
    @classmethod
    def _text_where_a_code_is_approved(cls, data: Any) -> Any:
        """Helpers are texted through a vendor once it approved care's template; until then care still starts and
        helpers find their tasks on their page (a vendor in use without the code would refuse every text)."""
        if not isinstance(data, dict) or "notify_templates" in data:
            return data
        codes, senders = _decoded(data.get("sms_template_codes")), _decoded(data.get("sms_community_senders"))
        vendors = {data.get("sms_sender", "disabled"), *senders.values()} & {"aliyun", "tencent"}
        kept = {k: t for k, t in DISPATCH_TEMPLATES.items() if all((codes.get(v) or {}).get(k) for v in vendors)}
        if len(kept) < len(DISPATCH_TEMPLATES):
            log.warning("no SMS template code approved for %s: helpers are not texted", ", ".join(DISPATCH_TEMPLATES))
        return {**data, "notify_templates": kept}

    def auto_assigns(self, community_code: str) -> bool:
        return any(community_code.startswith(prefix) for prefix in self.auto_assign_divisions)


def care_settings(settings: Any) -> CareSettings:
    """The settings a handler or job was given, as care's own class."""
    if not isinstance(settings, CareSettings):
        raise TypeError("care runs with CareSettings")
    return settings
