"""The real bot, `sellerbot run`, as a subprocess pointed at the test Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.gateways.base import OrderStateUpdate, Storefront
from bot.gateways.base import Seller as SellerRecord
from bot.gateways.local import LocalGateway
from bot.storage.db import make_engine
from bot.storage.models import Seller, Shop
from bot.storage.store import Store
from tests.contract import samples
from tests.e2e.telegram_server import TelegramTestServer

# Shaped like a BotFather token so the bot's own check accepts it; it opens nothing real.
TOKEN = "123456:TEST-token-for-sellerbot-e2e-abcdefghij"
SELLERBOT = Path(sys.executable).with_name("sellerbot")


class BotProcess:
    """Starts, stops (SIGTERM), kills (SIGKILL) and restarts one bot on one data directory."""

    def __init__(self, server: TelegramTestServer, data_dir: Path, **env: str) -> None:
        self.server = server
        self.data_dir = data_dir
        self.log_path = data_dir / "bot.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SELLERBOT_")},
            "SELLERBOT_TELEGRAM_TOKEN": TOKEN,
            "SELLERBOT_TELEGRAM_API_URL": server.url,
            "SELLERBOT_DATA_DIR": str(data_dir),
            "SELLERBOT_LOG_LEVEL": "INFO",
            **env,
        }
        self.process: asyncio.subprocess.Process | None = None

    @property
    def database_url(self) -> str:
        return (
            self.env.get("SELLERBOT_DATABASE_URL") or f"sqlite:///{self.data_dir / 'sellerbot.db'}"
        )

    async def start(self, timeout: float = 60) -> None:
        """Starts the bot and returns once it is long polling."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        polls_before = self.server.stats.get("getUpdates", 0)
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            str(SELLERBOT), "run", env=self.env, stdout=log, stderr=log, cwd=self.data_dir
        )
        log.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.server.stats.get("getUpdates", 0) <= polls_before:
            if self.process.returncode is not None:
                raise AssertionError(f"the bot exited at start:\n{self.log()}")
            if loop.time() > deadline:
                raise AssertionError(f"the bot did not start polling in {timeout}s:\n{self.log()}")
            await asyncio.sleep(
                0.05
            )  # polling the server's counters, not waiting on the bot's replies

    async def stop(self, timeout: float = 30) -> int:
        """SIGTERM, as an operator or Docker stops it; returns the exit code."""
        return await self._end(signal.SIGTERM, timeout)

    async def kill(self) -> int:
        """SIGKILL, as a crash or an OOM kill ends it: no shutdown code runs."""
        return await self._end(signal.SIGKILL, 10)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def _end(self, how: signal.Signals, timeout: float) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(how)
        code = await asyncio.wait_for(self.process.wait(), timeout)
        self.process = None
        return code

    def stored_draft(self, telegram_id: int, kind: str = "seller") -> dict[str, Any] | None:
        """The draft the bot keeps for a user, read from its database."""
        engine = make_engine(self.database_url)
        try:
            return Store(engine).draft(telegram_id, kind)
        finally:
            engine.dispose()

    async def registered_seller(self, telegram_id: int) -> tuple[Seller, SellerRecord]:
        """What the bot stored: our seller row and the (local) gateway's record of it."""
        engine = make_engine(self.database_url)
        try:
            seller = Store(engine).seller_of(telegram_id)
            assert seller is not None, "no seller linked to this Telegram user"
            return seller, await LocalGateway(engine).get_seller(seller.gateway_seller_id)
        finally:
            engine.dispose()

    async def storefronts(self, telegram_id: int) -> list[tuple[Shop, Storefront]]:
        """The storefronts the bot lists for a user, each with the (local) gateway's record."""
        engine = make_engine(self.database_url)
        try:
            store = Store(engine)
            seller = store.seller_of(telegram_id)
            assert seller is not None, "no seller linked to this Telegram user"
            gateway = LocalGateway(engine)
            return [
                (shop, await gateway.get_storefront(shop.gateway_storefront_id))
                for shop in store.shops_of(seller.id)
            ]
        finally:
            engine.dispose()

    async def place_order(self, setu_storefront_id: int) -> str:
        """A buyer's order on a storefront (through the local gateway's seeding hook)."""
        engine = make_engine(self.database_url)
        try:
            gateway = LocalGateway(engine)
            item = samples.catalogue_item()
            await gateway.upsert_catalogue(setu_storefront_id, [item])
            return await gateway.create_order(
                setu_storefront_id, samples.order_input(item.catalogue_item_id)
            )
        finally:
            engine.dispose()

    async def finish_order(self, setu_storefront_id: int, order_id: str) -> None:
        engine = make_engine(self.database_url)
        try:
            update = OrderStateUpdate(order_id=order_id, order_state="Completed")
            await LocalGateway(engine).update_orders(setu_storefront_id, [update])
        finally:
            engine.dispose()

    def simulate_order(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`sellerbot simulate-order ...` against the bot's database, as an operator runs it."""
        return subprocess.run(
            [str(SELLERBOT), "simulate-order", *args],
            env=self.env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
