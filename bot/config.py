"""Settings: every knob is an environment variable prefixed SELLERBOT_ (a .env file works too)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.i18n import catalogue_files

# Telegram tokens are "<bot id>:<secret>"; checked before any network call so a typo is one line.
TOKEN_PATTERN = re.compile(r"^\d{3,12}:[A-Za-z0-9_-]{30,}$")


class ConfigError(Exception):
    """A setting an operator must fix; its message is one line meant for the console."""


class Settings(BaseSettings):
    """The whole configuration; the README's table lists the same fields."""

    model_config = SettingsConfigDict(env_prefix="SELLERBOT_", env_file=".env", extra="ignore")

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    data_dir: Path = Path("./data")
    database_url: str | None = None
    gateway: Literal["local", "setu"] = "local"
    # Setu's ONDC seller API (SELLERBOT_GATEWAY=setu): the sandbox unless told otherwise.
    setu_base_url: str = "https://sandbox-ondc.setu.co"
    setu_client_id: str | None = None
    setu_client_secret: SecretStr | None = None
    default_language: str = "en"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    operator_chat_id: int | None = None
    conversation_timeout_minutes: float = Field(default=30, gt=0)
    heartbeat_seconds: float = Field(default=30, gt=0)
    order_poll_seconds: float = Field(default=15, gt=0)
    # How often catalogue writes kept while the marketplace was down are tried again.
    outbox_seconds: float = Field(default=30, gt=0)
    # Catalogue photos are served from here: the stored name is appended (bot/media.py).
    media_base_url: str = "http://127.0.0.1:8080/media/"
    photo_max_side: int = Field(default=2048, ge=320, le=8192)

    @field_validator("telegram_api_url")
    @classmethod
    def _http_root(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://, e.g. https://api.telegram.org")
        return value.rstrip("/")

    @field_validator("setu_base_url")
    @classmethod
    def _setu_root(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://, e.g. https://ondc.setu.co")
        return value.rstrip("/")

    @field_validator("media_base_url")
    @classmethod
    def _media_root(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(
                "must start with http:// or https://, e.g. https://shop.example/media/"
            )
        return value if value.endswith("/") else value + "/"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("default_language")
    @classmethod
    def _have_catalogue(cls, value: str) -> str:
        have = list(catalogue_files())
        if value not in have:
            raise ValueError(f"no catalogue locales/{value}.po; choose one of {', '.join(have)}")
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL; by default a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'sellerbot.db').resolve()}"

    @property
    def media_dir(self) -> Path:
        """Where catalogue photos are stored, content-addressed (bot/media.py)."""
        return self.data_dir / "media"

    @property
    def bot_api_base_url(self) -> str:
        return f"{self.telegram_api_url}/bot"

    @property
    def bot_api_file_url(self) -> str:
        return f"{self.telegram_api_url}/file/bot"

    def setu_credentials(self) -> tuple[str, str]:
        """Setu's client id and secret, or a ConfigError naming what is missing."""
        client_id = (self.setu_client_id or "").strip()
        secret = (
            self.setu_client_secret.get_secret_value().strip() if self.setu_client_secret else ""
        )
        missing = [
            name
            for name, value in (
                ("SELLERBOT_SETU_CLIENT_ID", client_id),
                ("SELLERBOT_SETU_CLIENT_SECRET", secret),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                f"SELLERBOT_GATEWAY=setu needs {' and '.join(missing)} (from Setu's bridge)."
            )
        return client_id, secret

    def token(self) -> str:
        """The bot token, or a ConfigError saying what is wrong with it."""
        if self.telegram_token is None or not self.telegram_token.get_secret_value().strip():
            raise ConfigError(
                "SELLERBOT_TELEGRAM_TOKEN is not set: get a token from @BotFather and export it."
            )
        token = self.telegram_token.get_secret_value().strip()
        if not TOKEN_PATTERN.match(token):
            raise ConfigError(
                "SELLERBOT_TELEGRAM_TOKEN does not look like a bot token "
                "(expected '<bot id>:<secret>' as @BotFather gives it)."
            )
        return token
