"""Fixtures for end-to-end tests: the test Bot API server, the real bot process, and the real
Application in-process with a gateway a test can break."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.context import SERVICES, BotApplication
from bot.gateways.base import SellerGateway, Unavailable
from bot.outbox import Outbox
from bot.storage.migrate import upgrade
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


OPERATOR = 9000


class BrokenGateway:
    """Wraps the real gateway; a call named in `failures` raises that error instead."""

    def __init__(self, real: SellerGateway) -> None:
        self.real = real
        self.failures: dict[str, Exception] = {}
        self.answers_lost: set[str] = set()  # calls that succeed but whose answer never arrives

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.real, name)
        if name not in self.failures and name not in self.answers_lost:
            return attribute

        async def fail(*args: object, **kwargs: object) -> None:
            if name in self.answers_lost:
                await attribute(*args, **kwargs)
                raise Unavailable("read timeout")
            raise self.failures[name]

        return fail


@pytest.fixture
async def app(server: TelegramTestServer, tmp_path: Path) -> AsyncIterator[BotApplication]:
    settings = Settings(
        _env_file=None,
        telegram_token=TOKEN,
        telegram_api_url=server.url,
        data_dir=tmp_path,
        operator_chat_id=OPERATOR,
        outbox_seconds=0.5,
    )
    upgrade(settings.resolved_database_url)
    application = build_application(settings)
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    services = application.bot_data[SERVICES]
    services.gateway = BrokenGateway(services.gateway)  # type: ignore[arg-type]
    services.outbox = Outbox(
        services.store.engine, services.gateway, stock_of=services.store.stock_of
    )
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    operator = server.user(OPERATOR, "Operator", language_code="en")
    await operator.send_text("/help")  # Telegram lets a bot write only to who wrote to it first
    await operator.next_message()
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    assert application.post_shutdown is not None
    await application.post_shutdown(application)
    server.assert_no_errors()
    assert server.unanswered_callback_queries() == []
