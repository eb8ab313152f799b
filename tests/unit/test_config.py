"""Settings from the environment, and one-line errors for what an operator must fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings

TOKEN = "123456789:TESTfake-token-for-tests-only-abcdefgh"


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None)
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.gateway == "local"
    assert settings.default_language == "en"
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'data' / 'sellerbot.db'}"


def test_api_urls_are_derived_from_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SELLERBOT_TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    settings = Settings(_env_file=None)
    assert settings.bot_api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.bot_api_file_url == "http://127.0.0.1:8081/file/bot"


@pytest.mark.parametrize("token", [None, "", "not-a-token", "123:short"])
def test_bad_tokens_are_refused(token: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if token is None:
        monkeypatch.delenv("SELLERBOT_TELEGRAM_TOKEN", raising=False)
    else:
        monkeypatch.setenv("SELLERBOT_TELEGRAM_TOKEN", token)
    with pytest.raises(ConfigError):
        Settings(_env_file=None).token()


def test_env_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SELLERBOT_TELEGRAM_TOKEN", raising=False)
    (tmp_path / ".env").write_text(f"SELLERBOT_TELEGRAM_TOKEN={TOKEN}\nSELLERBOT_GATEWAY=local\n")
    assert Settings().token() == TOKEN


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SELLERBOT_TELEGRAM_TOKEN is not set"),
        ({"SELLERBOT_TELEGRAM_TOKEN": "oops"}, "does not look like a bot token"),
        (
            {"SELLERBOT_TELEGRAM_TOKEN": TOKEN, "SELLERBOT_HEARTBEAT_SECONDS": "soon"},
            "SELLERBOT_HEARTBEAT_SECONDS",
        ),
        (
            {"SELLERBOT_TELEGRAM_TOKEN": TOKEN, "SELLERBOT_DEFAULT_LANGUAGE": "fr"},
            "SELLERBOT_DEFAULT_LANGUAGE: Value error, no catalogue locales/fr.po",
        ),
        ({"SELLERBOT_TELEGRAM_TOKEN": TOKEN, "SELLERBOT_LOG_LEVEL": "verbose"}, "LOG_LEVEL"),
        (
            {"SELLERBOT_TELEGRAM_TOKEN": TOKEN, "SELLERBOT_TELEGRAM_API_URL": "127.0.0.1:8081"},
            "must start with http",
        ),
        (
            {
                "SELLERBOT_TELEGRAM_TOKEN": TOKEN,
                "SELLERBOT_DATABASE_URL": "postgresql+psycopg://u:hunter2@127.0.0.1:1/db",
            },
            "cannot open the database postgresql+psycopg://u:***@127.0.0.1:1/db",
        ),
        (
            {"SELLERBOT_TELEGRAM_TOKEN": TOKEN, "SELLERBOT_GATEWAY": "setu"},
            "SELLERBOT_GATEWAY=setu needs SELLERBOT_SETU_CLIENT_ID and "
            "SELLERBOT_SETU_CLIENT_SECRET",
        ),
        (
            {
                "SELLERBOT_TELEGRAM_TOKEN": TOKEN,
                "SELLERBOT_GATEWAY": "setu",
                "SELLERBOT_SETU_CLIENT_ID": "bridge-id",
                "SELLERBOT_SETU_CLIENT_SECRET": " ",
            },
            "needs SELLERBOT_SETU_CLIENT_SECRET",
        ),
        (
            {"SELLERBOT_TELEGRAM_TOKEN": TOKEN, "SELLERBOT_GATEWAY": "flipkart"},
            "SELLERBOT_GATEWAY",
        ),
    ],
)
def test_run_fails_with_one_line(env: dict[str, str], message: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr
