"""Fixtures for end-to-end tests: the test Bot API server and the real bot process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.bot_process import TOKEN, BotProcess
from tests.e2e.telegram_server import TelegramTestServer


@pytest.fixture
async def server() -> AsyncIterator[TelegramTestServer]:
    server = TelegramTestServer(token=TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(server: TelegramTestServer, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """A running bot; at the end it must stop cleanly, having broken no Telegram rule."""
    process = BotProcess(server, tmp_path / "data")
    await process.start()
    yield process
    if process.process is not None:
        code = await process.stop()
        assert code == 0, f"the bot exited with {code}:\n{process.log()}"
    server.assert_no_errors()
    assert server.unanswered_callback_queries() == []
    assert "Traceback" not in process.log(), process.log()
