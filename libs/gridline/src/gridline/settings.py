"""Settings from environment variables: one class per service, built in the app factory, never at import."""

from __future__ import annotations

import base64
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gridline.pii import Protector

_PLACEHOLDERS = {"changeme", "change-me", "secret", "password", "todo", "xxx", "example"}


def _is_key(text: str) -> bool:
    try:
        return len(base64.b64decode(text, validate=True)) >= 32
    except ValueError:
        return False


class ServiceSettings(BaseSettings):
    """What every service needs to run. Each service subclasses it and names its own database."""

    # hide_input_in_errors: a rejected setting must not print the key it was given.
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True, hide_input_in_errors=True)

    service_name: str
    environment: Literal["development", "test", "production"] = "development"
    mongodb_url: str = "mongodb://127.0.0.1:27017/?directConnection=true"
    mongodb_database: str = ""
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    topic_prefix: str = Field(default="", description="Prepended to every topic; lets tests share one broker.")
    auth_issuer: str = "gridline-local"
    auth_audience: str = "gridline"
    auth_jwks: str = Field(description="Path or https URL of the issuer's JSON Web Key Set.")
    pii_encryption_keys: SecretStr = Field(description="kid:base64key[,kid:base64key...]; 32-byte AES keys.")
    pii_current_key_id: str
    pii_hash_key: SecretStr = Field(description="base64 key (>=32 bytes) for keyed hashes of identifiers.")
    max_body_bytes: int = 1_048_576
    relay_interval_seconds: float = 0.5
    rate_limit_per_caller: str = Field(
        default="30/second;1200/minute",
        description="Requests each verified caller may make, in the `limits` notation; more get 429.",
    )
    consumer_max_attempts: int = 4
    consumer_backoff_seconds: float = 0.2
    instance_id: str = ""

    @field_validator("pii_encryption_keys", "pii_hash_key")
    @classmethod
    def _reject_placeholders(cls, value: SecretStr) -> SecretStr:
        # Each key (after an optional `kid:`) must be a placeholder word nowhere and decode to 32 random bytes.
        # Looking for the words inside real base64 keys would refuse one random key in a few hundred.
        for part in value.get_secret_value().split(","):
            key = part.strip().rpartition(":")[2]
            if not key or key.lower().strip("<>{} ") in _PLACEHOLDERS or not _is_key(key):
                raise ValueError("is a placeholder, or not a base64 key of 32+ bytes (gridline-dev secrets makes one)")
        return value

    @model_validator(mode="after")
    def _default_database(self) -> ServiceSettings:
        if not self.mongodb_database:
            object.__setattr__(self, "mongodb_database", self.service_name)
        return self

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    @property
    def dead_letter_topic(self) -> str:
        return self.topic(f"{self.service_name}.dlq")

    def hash_key_bytes(self) -> bytes:
        return base64.b64decode(self.pii_hash_key.get_secret_value())

    def protector(self) -> Protector:
        keys = {}
        for part in self.pii_encryption_keys.get_secret_value().split(","):
            kid, _, encoded = part.strip().partition(":")
            keys[kid] = base64.b64decode(encoded)
        return Protector(
            keys=keys,
            current_key_id=self.pii_current_key_id,
            hash_key=self.hash_key_bytes(),
        )
