"""What the emulators accept, read from the settings the services read, and the local stack's copy of them."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

SIGN_NAME = "社区服务"
# The kinds of texts the services send (their `notify_templates`), each with the code the local vendors
# approved it under. A new kind of text needs its line here to be sent through the local vendors.
KINDS = ("booking_code", "incident_page", "incident_escalated", "incident_group_page", "care_assigned")


def local_codes() -> dict[str, dict[str, str]]:
    return {
        "aliyun": {kind: f"SMS_{1000001 + n}" for n, kind in enumerate(KINDS)},
        "tencent": {kind: str(2000001 + n) for n, kind in enumerate(KINDS)},
    }


@dataclass(frozen=True)
class Accepted:
    aliyun_keys: Mapping[str, str] = field(default_factory=dict)  # AccessKey id -> secret
    aliyun_sign_names: frozenset[str] = frozenset()
    tencent_keys: Mapping[str, str] = field(default_factory=dict)  # SecretId -> SecretKey
    tencent_apps: frozenset[str] = frozenset()
    tencent_sign_names: frozenset[str] = frozenset()
    codes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # vendor -> kind -> template code
    params: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # kind -> parameter names, where known
    dingtalk_secrets: Mapping[str, str] = field(default_factory=dict)  # access token -> SEC secret
    wecom_keys: frozenset[str] = frozenset()

    def kind(self, vendor: str, code: str) -> str | None:
        """The kind a vendor's template code stands for, or None for a code it never approved."""
        return next((k for k, c in self.codes.get(vendor, {}).items() if c == code), None)

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ) -> Accepted:
        robots = json.loads(env.get("NOTIFY_ROBOTS") or "{}")
        dingtalk, wecom = {}, set()
        for robot in robots.values():
            query = parse_qs(urlsplit(robot["url"]).query)
            if robot["vendor"] == "dingtalk":
                dingtalk[query["access_token"][0]] = robot.get("secret", "")
            else:
                wecom.add(query["key"][0])
        return cls(
            aliyun_keys=_pair(env, "ALIYUN_SMS_ACCESS_KEY_ID", "ALIYUN_SMS_ACCESS_KEY_SECRET"),
            aliyun_sign_names=frozenset(filter(None, [env.get("ALIYUN_SMS_SIGN_NAME")])),
            tencent_keys=_pair(env, "TENCENT_SMS_SECRET_ID", "TENCENT_SMS_SECRET_KEY"),
            tencent_apps=frozenset(filter(None, [env.get("TENCENT_SMS_SDK_APP_ID")])),
            tencent_sign_names=frozenset(filter(None, [env.get("TENCENT_SMS_SIGN_NAME")])),
            codes=json.loads(env.get("SMS_TEMPLATE_CODES") or "{}"),
            params={k: tuple(t.get("params", ())) for k, t in json.loads(env.get("NOTIFY_TEMPLATES") or "{}").items()},
            dingtalk_secrets=dingtalk,
            wecom_keys=frozenset(wecom),
        )


def _pair(env: Mapping[str, str], key: str, secret: str) -> dict[str, str]:
    return {env[key]: env[secret]} if env.get(key) and env.get(secret) else {}


def local_environment(directory: Path, url: str) -> dict[str, str]:
    """Credentials made once per checkout (kept in `directory`), and the settings that point every vendor
    at the emulators on `url`: given to the services and to the emulators alike."""
    path = directory / "vendor-keys.json"
    if not path.exists():
        path.write_text(json.dumps({name: _random() for name in ("aliyun", "tencent", "dingtalk", "wecom", "token")}))
        path.chmod(0o600)
    keys = json.loads(path.read_text())
    robots = {
        "330106001": {
            "vendor": "dingtalk",
            "url": f"{url}/dingtalk/robot/send?access_token={keys['token']}",
            "secret": f"SEC{keys['dingtalk']}",
        },
        "330106001001": {"vendor": "wecom", "url": f"{url}/wecom/cgi-bin/webhook/send?key={keys['wecom']}"},
    }
    return {
        "ALIYUN_SMS_ENDPOINT": f"{url}/aliyun/",
        "ALIYUN_SMS_ACCESS_KEY_ID": "LTAI-local",
        "ALIYUN_SMS_ACCESS_KEY_SECRET": keys["aliyun"],
        "ALIYUN_SMS_SIGN_NAME": SIGN_NAME,
        "TENCENT_SMS_ENDPOINT": f"{url}/tencent/",
        "TENCENT_SMS_SECRET_ID": "AKID-local",
        "TENCENT_SMS_SECRET_KEY": keys["tencent"],
        "TENCENT_SMS_SDK_APP_ID": "1400000001",
        "TENCENT_SMS_SIGN_NAME": SIGN_NAME,
        "NOTIFY_ROBOTS": json.dumps(robots),
        "SMS_TEMPLATE_CODES": json.dumps(local_codes()),
    }


def _random() -> str:
    return base64.urlsafe_b64encode(os.urandom(24)).decode().rstrip("=")
