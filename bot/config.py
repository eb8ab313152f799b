"""Settings: every knob is an environment variable prefixed SELLERBOT_ (a .env file works too)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    gateway: Literal["local"] = "local"
    default_language: str = "en"
    log_level: str = "INFO"
    operator_chat_id: int | None = None
    conversation_timeout_minutes: float = Field(default=30, gt=0)
    heartbeat_seconds: float = Field(default=30, gt=0)

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @property
    def resolved_database_url(self) -> str:
        """The database URL; by default a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'sellerbot.db').resolve()}"

    @property
    def bot_api_base_url(self) -> str:
        return f"{self.telegram_api_url}/bot"

    @property
    def bot_api_file_url(self) -> str:
        return f"{self.telegram_api_url}/file/bot"

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
                "(expected '<digits>:<35 letters>' from @BotFather)."
            )
        return token
