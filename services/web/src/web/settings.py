"""The web service's settings: where the four APIs are, the identity provider, the session key."""

from __future__ import annotations

import base64
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True, hide_input_in_errors=True)

    environment: Literal["development", "test", "production"] = "development"
    registry_url: str = "http://127.0.0.1:8101"
    monitoring_url: str = "http://127.0.0.1:8102"
    care_url: str = "http://127.0.0.1:8103"
    duty_url: str = "http://127.0.0.1:8104"
    public_url: str = Field(
        default="http://127.0.0.1:8100", description="Where browsers reach these pages; sign-in returns here."
    )
    oidc_metadata_url: str = Field(
        default="", description="The identity provider's discovery document; empty with DEV_SIGNIN_KEYS set."
    )
    oidc_client_id: str = "gridline-web"
    oidc_client_secret: SecretStr | None = None
    session_secret: SecretStr = Field(description="base64 key (>=32 bytes) signing the session cookie.")
    dev_signin_keys: str = Field(
        default="", description="Folder of the local token issuer's key: enables the demo users' sign-in."
    )
    auth_issuer: str = "gridline-local"
    auth_audience: str = "gridline"
    upstream_timeout_seconds: float = 10.0
    desk_poll_seconds: float = Field(default=2.0, description="How often the live duty desk asks duty for news.")

    @field_validator("session_secret")
    @classmethod
    def _a_real_key(cls, value: SecretStr) -> SecretStr:
        try:
            if len(base64.b64decode(value.get_secret_value(), validate=True)) >= 32:
                return value
        except ValueError:
            pass
        raise ValueError("must be a base64 key of 32+ bytes (gridline-dev makes one)")

    @model_validator(mode="after")
    def _one_identity_provider(self) -> WebSettings:
        if self.environment == "production" and self.dev_signin_keys:
            raise ValueError("DEV_SIGNIN_KEYS signs anyone in as a demo user; it is refused in production")
        if not self.oidc_metadata_url and not self.dev_signin_keys:
            raise ValueError("set OIDC_METADATA_URL (the identity provider) or DEV_SIGNIN_KEYS (demo users)")
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def metadata_url(self) -> str:
        return self.oidc_metadata_url or f"{self.public_url}/dev-idp/.well-known/openid-configuration"
