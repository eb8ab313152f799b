"""Orders end to end: a buyer's order placed with `sellerbot simulate-order`, and what the
seller sees of it."""

from __future__ import annotations

import uuid

from bot.gateways.local import LocalGateway
from bot.storage.db import make_engine
from tests.e2e.bot_process import BotProcess
from tests.e2e.telegram_server import TelegramTestServer
from tests.e2e.test_products import Merchant, seed_products


async def test_simulate_order_places_a_buyers_order(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    seller = Merchant(server.user(7001, "Asha", language_code="en"))
    await seller.ready()
    butter, salt = await seed_products(bot, 7001, ["Amul Butter", "Tata Salt"])

    placed = bot.simulate_order("--seller-telegram-id", "7001")
    chosen = bot.simulate_order("--seller-telegram-id", "7001", "--items", f"{salt.id}:2", "--cod")

    assert placed.returncode == 0 and chosen.returncode == 0, placed.stderr + chosen.stderr
    first, second = placed.stdout.strip(), chosen.stdout.strip()
    assert uuid.UUID(first) and uuid.UUID(second)
    engine = make_engine(bot.database_url)
    try:
        changes = (await LocalGateway(engine).changed_orders(None)).changes
    finally:
        engine.dispose()
    by_id = {change.order.order_id: change for change in changes}
    default, cash = by_id[first], by_id[second]
    assert {line.store_front_product_id for line in default.order.order_items} == {
        butter.catalogue_item_id,
        salt.catalogue_item_id,
    }
    assert default.cash_on_delivery is False and default.order.order_state == "Created"
    [line] = cash.order.order_items
    assert (line.store_front_product_id, line.quantity) == (salt.catalogue_item_id, 2)
    assert cash.cash_on_delivery is True and cash.order.total_value == salt.price * 2


async def test_simulate_order_explains_what_stops_it(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    nobody = bot.simulate_order("--seller-telegram-id", "424242")
    assert nobody.returncode == 2
    assert nobody.stderr.strip() == "sellerbot: no seller is registered with Telegram id 424242"

    seller = Merchant(server.user(7002, "Asha", language_code="en"))
    await seller.ready()
    empty = bot.simulate_order("--seller-telegram-id", "7002")
    assert empty.returncode == 2 and "no item in stock" in empty.stderr
    [salt] = await seed_products(bot, 7002, ["Tata Salt"])  # 1 in stock
    too_many = bot.simulate_order("--seller-telegram-id", "7002", "--items", f"{salt.id}:5")
    assert too_many.returncode == 2 and "more than the stock" in too_many.stderr
    assert len(too_many.stderr.strip().splitlines()) == 1
