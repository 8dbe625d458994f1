from __future__ import annotations

from gridline.settings import ServiceSettings
from gridline.signatures import parse_clients
from gridline.webhooks import Endpoint, configured_endpoint
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict


class RegistrySettings(ServiceSettings):
    # Merged with the base config; errors must not echo the input, which holds every key of the service.
    model_config = SettingsConfigDict(hide_input_in_errors=True)

    service_name: str = "registry"
    integration_clients: SecretStr = Field(
        default=SecretStr(""),
        description="Machine clients allowed to push signed requests: client_id:base64secret[,...]; none by default.",
    )
    assist_report_url: str | None = Field(
        default=None, description="Where assist-list status reports are posted; unset records 'no webhook'."
    )
    assist_report_key_id: str = Field(default="gridline-registry", pattern=r"^[A-Za-z0-9._-]{1,64}$")
    assist_report_secret: SecretStr | None = Field(default=None, description="base64 HMAC key for the reports.")
    signature_window_seconds: int = Field(default=300, ge=30, le=3600)

    @field_validator("integration_clients")
    @classmethod
    def _clients_parse(cls, value: SecretStr) -> SecretStr:
        parse_clients(value.get_secret_value())
        return value

    @model_validator(mode="after")
    def _report_signable(self) -> RegistrySettings:
        self.assist_report_endpoint()
        return self

    def assist_report_endpoint(self) -> Endpoint | None:
        """The report-back webhook, or None when none is configured."""
        return configured_endpoint(
            name="assist_report",
            url=self.assist_report_url,
            key_id=self.assist_report_key_id,
            secret=self.assist_report_secret,
            production=self.environment == "production",
        )
