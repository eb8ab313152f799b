"""New-order alerts under Telegram's limits: 3,000 orders for 1,000 sellers arrive at once.

The real bot (`sellerbot run`, local gateway, SQLite) polls a test Bot API server that enforces
Telegram's flood limits: about 30 messages a second in all (a bucket of 30 refilled at 30/s) and
1 a second per chat (no burst), answering 429 with retry_after like Telegram. The orders are
placed through the local gateway while the bot runs; the benchmark prints the messages/s
achieved against the 30/s cap, the 429s received, duplicate and lost alerts, and the latency
from each order's creation to its alert.

    .venv/bin/python bench/alerts.py [--sellers 1000] [--orders-per-seller 3] [--poll 15]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.gateways.local import LocalGateway
from bot.storage.db import make_engine
from bot.storage.migrate import upgrade
from bot.storage.models import Product, Seller, Shop
from bot.storage.store import Store
from tests.contract import samples
from tests.e2e.bot_process import TOKEN, BotProcess
from tests.e2e.telegram_server import TelegramTestServer

CAP = 30.0  # Telegram's messages per second in all
NUMBER = re.compile(r"\b[0-9A-F]{8}\b")  # an order's number as the alert shows it
FIRST_TELEGRAM_ID = 900_000_000


async def seed(url: str, sellers: int) -> list[tuple[int, int, str]]:
    """Sellers, each with a storefront and an item with plenty of stock: (telegram id,
    gateway storefront id, catalogue item id) for each."""
    upgrade(url)
    engine = make_engine(url)
    gateway, store = LocalGateway(engine), Store(engine)
    seeded = []
    try:
        for n in range(sellers):
            telegram_id = FIRST_TELEGRAM_ID + n
            seller_input = samples.seller_input()
            setu_seller_id = await gateway.create_seller(seller_input)
            storefront = samples.storefront_input(setu_seller_id)
            setu_storefront_id = await gateway.create_storefront(storefront)
            item = samples.catalogue_item()
            item.inventory.quantity = 1000
            await gateway.upsert_catalogue(setu_storefront_id, [item])
            store.add_seller(
                Seller(
                    id=seller_input.seller_id,
                    telegram_id=telegram_id,
                    gateway="local",
                    gateway_seller_id=setu_seller_id,
                    display_name="Seller",
                    phone="+919812345678",
                )
            )
            shop = store.add_shop(
                Shop(
                    storefront_id=storefront.storefront_id,
                    seller_id=seller_input.seller_id,
                    gateway_storefront_id=setu_storefront_id,
                    name=f"Kirana {n}",
                )
            )
            store.save_product(
                Product(
                    catalogue_item_id=item.catalogue_item_id,
                    shop_id=shop.id or 0,
                    name=item.catalogue_item_details.name,
                    name_key="",
                    price=item.catalogue_item_details.price.selling_price,
                    stock=1000,
                )
            )
            store.set_language(telegram_id, "en")
            seeded.append((telegram_id, setu_storefront_id, item.catalogue_item_id))
    finally:
        engine.dispose()
    return seeded


async def place_orders(
    url: str, seeded: list[tuple[int, int, str]], per_seller: int
) -> dict[str, float]:
    """The orders, round-robin over the sellers; each order's number and when it was placed."""
    engine = make_engine(url)
    gateway = LocalGateway(engine)
    placed: dict[str, float] = {}
    try:
        for _ in range(per_seller):
            for _, setu_storefront_id, item_id in seeded:
                order = samples.order_input(item_id, order_state="Created")
                order_id = await gateway.create_order(setu_storefront_id, order)
                placed[order_id[:8].upper()] = time.time()
    finally:
        engine.dispose()
    return placed


async def run(args: argparse.Namespace) -> None:
    server = TelegramTestServer(TOKEN, rate_limit=True, chat_burst=1)
    # (when, chat, order number) of every message the server accepted; the number is read off
    # the text at once, so the server's loop stays as quick as Telegram's.
    arrivals: list[tuple[float, int, str]] = []
    send = server._send_message

    def recording_send(p):  # type: ignore[no-untyped-def]
        result = send(p)
        numbers = NUMBER.findall(result.get("text", ""))
        arrivals.append((time.time(), result["chat"]["id"], numbers[0] if numbers else ""))
        return result

    server._methods["sendmessage"] = ("sendMessage", recording_send)
    await server.start()
    data = Path(tempfile.mkdtemp(prefix="sellerbot-bench-")) / "data"
    bot = BotProcess(
        server, data, SELLERBOT_ORDER_POLL_SECONDS=str(args.poll), SELLERBOT_LOG_LEVEL="WARNING"
    )
    started = time.perf_counter()
    seeded = await seed(bot.database_url, args.sellers)
    for telegram_id, _, _ in seeded:  # each has written to the bot before
        server.user(telegram_id, "Seller", language_code="en").known = True
    print(f"seeded {args.sellers} sellers in {time.perf_counter() - started:.1f} s")
    await bot.start()
    try:
        first_order = time.time()
        placed = await place_orders(bot.database_url, seeded, args.orders_per_seller)
        print(
            f"placed {len(placed)} orders in {time.time() - first_order:.1f} s "
            f"(the watcher polls every {args.poll:g} s)"
        )
        expected = len(placed)
        deadline = time.time() + expected / CAP * 2 + args.poll + 120
        while time.time() < deadline:
            if len({number for _, _, number in arrivals if number in placed}) >= expected:
                break
            await asyncio.sleep(1)
        await asyncio.sleep(args.poll + 3)  # a few more ticks: anything sent twice shows now
    finally:
        code = await bot.stop()
        await server.stop()
    alerts = [(when, number) for when, _, number in arrivals if number in placed]
    seen = Counter(number for _, number in alerts)
    first_alert = {}
    for when, number in alerts:
        first_alert.setdefault(number, when)
    latencies = sorted(first_alert[number] - placed[number] for number in first_alert)
    if not alerts:
        sys.exit(f"no alert arrived; see {bot.log_path}")
    span = max(when for when, _ in alerts) - min(when for when, _ in alerts)
    rate = (len(alerts) - 1) / span if span else 0.0
    too_many = sum(1 for error in server.errors if error.error_code == 429)
    per_chat_gaps = _per_chat_gaps(arrivals)
    print(f"alerts: {len(alerts)} messages for {expected} orders to {args.sellers} chats")
    print(f"rate: {rate:.1f} messages/s = {rate / CAP:.0%} of the {CAP:g}/s cap over {span:.1f} s")
    print(f"429s received: {too_many}")
    print(f"duplicates: {sum(n - 1 for n in seen.values() if n > 1)}")
    print(f"lost: {expected - len(first_alert)}")
    if latencies:
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        print(
            f"latency from order to alert: p50 {statistics.median(latencies):.1f} s, "
            f"p95 {p95:.1f} s, max {latencies[-1]:.1f} s"
        )
    if per_chat_gaps:
        print(f"smallest gap between two messages to one chat: {min(per_chat_gaps):.2f} s")
    print(f"bot exit code {code}; log: {bot.log_path}")


def _per_chat_gaps(arrivals: list[tuple[float, int, str]]) -> list[float]:
    last: dict[int, float] = {}
    gaps = []
    for when, chat, _ in sorted(arrivals):
        if chat in last:
            gaps.append(when - last[chat])
        last[chat] = when
    return gaps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sellers", type=int, default=1000)
    parser.add_argument("--orders-per-seller", type=int, default=3)
    parser.add_argument("--poll", type=float, default=15, help="SELLERBOT_ORDER_POLL_SECONDS")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
