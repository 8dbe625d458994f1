"""Delivery settings: each vendor turned on by settings alone, secrets never echoed, production kept safe."""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from duty.settings import TEMPLATES, DutySettings
from gridline.devstack import servers
from gridline.notify import NotifySettings
from pydantic import ValidationError

KEY = base64.b64encode(os.urandom(32)).decode()
BASE: dict[str, Any] = {
    "auth_jwks": "/dev/null",
    "pii_encryption_keys": f"k1:{KEY}",
    "pii_current_key_id": "k1",
    "pii_hash_key": KEY,
    "environment": "production",
}
ALIYUN: dict[str, Any] = {
    "sms_sender": "aliyun",
    "aliyun_sms_access_key_id": "LTAI5t",
    "aliyun_sms_access_key_secret": "the-aliyun-secret",
    "aliyun_sms_sign_name": "社区服务",
}
CODES = {"aliyun": dict.fromkeys(TEMPLATES, "SMS_1")}  # every kind duty texts


def compose_defaults() -> dict[str, str]:
    """duty's delivery settings in docker-compose.yml, every `${VAR:-default}` left at its default."""
    compose = yaml.safe_load((servers.REPO / "docker-compose.yml").read_text())
    env = compose["services"]["duty"]["environment"]
    wanted = re.compile(r"^(SMS_|NOTIFY_|ALIYUN_|TENCENT_)")
    return {k: re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(v)) for k, v in env.items() if wanted.match(k)}


def test_compose_starts_with_texts_refused_and_turns_a_vendor_on_by_settings_alone(monkeypatch: Any) -> None:
    defaults = compose_defaults()
    for name, value in defaults.items():
        monkeypatch.setenv(name, value)
    refused = DutySettings(**BASE)  # type: ignore[arg-type]
    monkeypatch.setenv("SMS_TEMPLATE_CODES", json.dumps(CODES))
    on = DutySettings(**BASE, **ALIYUN)  # type: ignore[arg-type]

    assert refused.sms_vendor_for("330106001001") == "disabled"
    assert (refused.robots(), refused.sms_community_senders) == ({}, {})
    assert on.sms_vendor_for("330106001001") == "aliyun"
    assert on.template_code("aliyun", "booking_code") == "SMS_1"


def test_a_missing_template_code_or_credential_is_refused_naming_the_setting_not_the_secret() -> None:
    with pytest.raises(ValidationError) as no_codes:
        NotifySettings(**ALIYUN, notify_templates={"booking_code": {"text": "{code}", "params": ["code"]}})
    with pytest.raises(ValidationError) as no_sign:
        NotifySettings(**{**ALIYUN, "aliyun_sms_sign_name": ""})

    assert "sms_template_codes: no aliyun template code for booking_code" in str(no_codes.value)
    assert "aliyun_sms_sign_name" in str(no_sign.value)
    assert "the-aliyun-secret" not in str(no_codes.value) + str(no_sign.value)


def test_production_refuses_the_development_sink_and_plain_http_vendors() -> None:
    with pytest.raises(ValidationError, match="development and tests only"):
        DutySettings(**BASE, sms_sender="store")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="https in production"):
        DutySettings(**BASE, **ALIYUN, sms_template_codes=CODES, aliyun_sms_endpoint="http://dysmsapi.aliyuncs.com")  # type: ignore[arg-type]


def test_the_longest_community_prefix_picks_the_vendor() -> None:
    settings = NotifySettings(sms_sender="store", sms_community_senders={"330106": "disabled", "330106001002": "store"})
    assert [settings.sms_vendor_for(c) for c in ("330106001001", "330106001002", "330107001001")] == [
        "disabled",
        "store",
        "store",
    ]


def test_robots_are_a_secret_and_a_dingtalk_robot_needs_its_signing_secret(tmp_path: Path) -> None:
    robots = {"330106001": {"vendor": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=tok"}}
    with pytest.raises(ValidationError, match="signing secret") as refused:
        NotifySettings(notify_robots=json.dumps(robots))
    robots["330106001"]["secret"] = "SECabc"
    settings = NotifySettings(notify_robots=json.dumps(robots))

    assert "access_token=tok" not in str(refused.value)
    assert "tok" not in repr(settings)
    assert settings.robots()["330106001"].vendor == "dingtalk"
