"""Orders end to end: a buyer's order placed with `sellerbot simulate-order`, and what the
seller sees of it."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from bot.gateways.base import OrderStateUpdate
from bot.gateways.local import LocalGateway
from bot.storage.db import make_engine
from bot.storage.models import Product
from bot.storage.store import Store
from tests.e2e.bot_process import BotProcess
from tests.e2e.seller import visible
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


async def alerted(
    server: TelegramTestServer, tmp_path: Path, telegram_id: int
) -> tuple[BotProcess, Merchant, list[Product]]:
    """A bot polling orders twice a second, and a seller with two products."""
    bot = BotProcess(server, tmp_path / "data", SELLERBOT_ORDER_POLL_SECONDS="0.3")
    await bot.start()
    seller = Merchant(server.user(telegram_id, "Asha", language_code="en"))
    await seller.ready()
    products = await seed_products(bot, telegram_id, ["Amul Butter", "Tata Salt"])
    return bot, seller, products


async def stopped_cleanly(bot: BotProcess, server: TelegramTestServer) -> None:
    assert await bot.stop() == 0, bot.log()
    server.assert_no_errors()
    assert server.unanswered_callback_queries() == []
    assert "Traceback" not in bot.log(), bot.log()


def stage(seller: Merchant, name: str) -> str:
    return visible(seller.texts("order.card.stage", stage=seller.texts(f"order.stage.{name}")))


async def test_an_order_goes_from_alert_to_delivered_in_one_message(
    server: TelegramTestServer, tmp_path: Path
) -> None:
    bot, seller, (butter, _salt) = await alerted(server, tmp_path, 7101)
    user = seller.user
    order_id = bot.simulate_order("--seller-telegram-id", "7101", "--cod").stdout.strip()

    alert = await user.next_message()
    assert order_id[:8].upper() in alert.text and "Amul Butter" in alert.text
    assert "cash on delivery" in alert.text and stage(seller, "new") in alert.text
    assert [label for label, _ in alert.buttons] == [
        seller.texts("order.action.accept"),
        seller.texts("order.action.reject"),
    ]
    for action, then in (
        ("accept", "accepted"),
        ("pack", "packed"),
        ("ship", "out_for_delivery"),
        ("deliver", "delivered"),
    ):
        await seller.press(alert, seller.texts(f"order.action.{action}"))
        alert = await user.next_edit()
        assert alert.message_id == alert.message_id and stage(seller, then) in alert.text
    assert alert.buttons == []
    await asyncio.sleep(1)  # a few ticks: the seller's own moves are not "changed outside"
    assert user.pending() == []
    engine = make_engine(bot.database_url)
    try:
        [(shop, _)] = await bot.storefronts(7101)
        [order] = await LocalGateway(engine).list_orders(shop.gateway_storefront_id)
        stock = (
            await LocalGateway(engine).get_catalogue_item(
                shop.gateway_storefront_id, butter.catalogue_item_id
            )
        ).inventory.quantity
    finally:
        engine.dispose()
    assert order.order_state == "Order-delivered" and stock == 0  # 1 in stock, 1 sold
    await stopped_cleanly(bot, server)


async def test_reject_with_a_reason_and_a_buyer_cancellation(
    server: TelegramTestServer, tmp_path: Path
) -> None:
    bot, seller, (_butter, salt) = await alerted(server, tmp_path, 7102)
    user = seller.user
    bot.simulate_order("--seller-telegram-id", "7102", "--items", f"{salt.id}:1")
    alert = await user.next_message()
    await seller.press(alert, seller.texts("order.action.reject"))
    reasons = await user.next_edit()
    assert seller.texts("order.reason.002") in [label for label, _ in reasons.buttons]
    await seller.press(reasons, seller.texts("order.reason.002"))
    confirm = await user.next_edit()
    # The chosen reason, shown above the confirmation, leads back to the reasons.
    assert confirm.buttons[0][0] == seller.texts("order.reason.002")
    await seller.press(confirm, seller.texts("order.reason.002"))
    reasons = await user.next_edit()
    await seller.press(reasons, seller.texts("order.reason.002"))
    confirm = await user.next_edit()
    await seller.press(confirm, seller.texts("order.confirm.reject"))
    alert = await user.next_edit()
    assert stage(seller, "cancelled") in alert.text and alert.buttons == []
    # The old Accept button, pressed now: refused with the reason, nothing changes.
    alert_id = reasons.button_data[0].split(":")[2]
    query = await user.press_data(alert.message_id, f"ord:accept:{alert_id}")
    assert (await user.callback_answer(query)).text == seller.texts("order.error.already_cancelled")

    # The buyer cancels an accepted order: the alert shows it, and the seller is told once.
    second = bot.simulate_order("--seller-telegram-id", "7102", "--items", f"{salt.id}:1")
    alert = await user.next_message()
    await seller.press(alert, seller.texts("order.action.accept"))
    alert = await user.next_edit()
    engine = make_engine(bot.database_url)
    try:
        [(shop, _)] = await bot.storefronts(7102)
        await LocalGateway(engine).update_orders(
            shop.gateway_storefront_id,
            [OrderStateUpdate(order_id=second.stdout.strip(), order_state="Cancelled")],
        )
    finally:
        engine.dispose()
    edited = await user.next_edit()
    assert stage(seller, "cancelled") in edited.text and edited.buttons == []
    told = await user.next_message()
    assert "changed by the buyer or the marketplace" in told.text
    await asyncio.sleep(1)
    assert user.pending() == []
    await stopped_cleanly(bot, server)


async def test_a_restart_after_an_order_gives_exactly_one_alert(
    server: TelegramTestServer, tmp_path: Path
) -> None:
    bot, seller, _ = await alerted(server, tmp_path, 7103)
    user = seller.user
    assert await bot.stop() == 0
    bot.simulate_order("--seller-telegram-id", "7103")  # placed while the bot is down
    await bot.start()
    alert = await user.next_message()
    assert seller.texts("order.action.accept") in [label for label, _ in alert.buttons]
    await bot.restart()
    await asyncio.sleep(1.5)  # ticks after the restart: the alert is not sent again
    assert user.pending() == []
    await stopped_cleanly(bot, server)


async def test_two_presses_at_once_move_the_order_once_and_strangers_are_refused(
    server: TelegramTestServer, tmp_path: Path
) -> None:
    bot, seller, _ = await alerted(server, tmp_path, 7104)
    user = seller.user
    bot.simulate_order("--seller-telegram-id", "7104")
    alert = await user.next_message()
    accept = next(data for label, data in alert.buttons if "ccept" in label)
    first = await user.press_data(alert.message_id, accept)
    second = await user.press_data(alert.message_id, accept)
    answers = [(await user.callback_answer(q)).text for q in (first, second)]
    assert answers.count(None) == 1  # one moved it; the other is told why not
    alert = await user.next_edit()
    assert stage(seller, "accepted") in alert.text

    stranger = Merchant(server.user(7105, "Mallory", language_code="en"))
    await stranger.registered()
    hello = await stranger.user.send_text("hello")
    await stranger.expect("menu.not_understood")
    alert_id = accept.split(":")[2]
    for data in (
        f"ord:pack:{alert_id}",
        f"ord:cancel:{alert_id}",
        f"ord:yes:{alert_id}:cancel:002",
    ):
        query = await stranger.user.press_data(hello.message_id, data)
        assert (await stranger.user.callback_answer(query)).text == stranger.texts(
            "order.not_found"
        )
    engine = make_engine(bot.database_url)
    try:
        [(shop, _)] = await bot.storefronts(7104)
        [order] = await LocalGateway(engine).list_orders(shop.gateway_storefront_id)
    finally:
        engine.dispose()
    assert order.order_state == "Accepted"
    await stopped_cleanly(bot, server)


async def test_orders_lists_open_orders_by_stage_and_finds_one_by_number(
    server: TelegramTestServer, tmp_path: Path
) -> None:
    bot, seller, (_butter, salt) = await alerted(server, tmp_path, 7106)
    user = seller.user
    await user.send_text("/orders")
    await seller.expect("order.none_open")
    first = bot.simulate_order("--seller-telegram-id", "7106", "--items", f"{salt.id}:1")
    alert = await user.next_message()
    await seller.press(alert, seller.texts("order.action.accept"))
    await user.next_edit()
    second = bot.simulate_order("--seller-telegram-id", "7106", "--items", f"{salt.id}:1")
    await user.next_message()

    await user.send_text("/orders")
    listing = await user.next_message()
    assert visible(seller.texts.plural("order.open_title", 2)) in listing.text
    new, accepted = seller.texts("order.stage.new"), seller.texts("order.stage.accepted")
    assert f"{new} 1" in listing.text and f"{accepted} 1" in listing.text
    newest = second.stdout.strip()[:8].upper()
    label, data = listing.buttons[0]
    assert label.startswith(newest)
    await seller.press(listing, data)
    card = await user.next_message()
    assert newest in card.text and stage(seller, "new") in card.text

    number = first.stdout.strip()[:6]
    await user.send_text(f"/orders {number.lower()}")
    found = await user.next_message()
    assert (
        first.stdout.strip()[:8].upper() in found.text and stage(seller, "accepted") in found.text
    )
    await user.send_text("/orders zzzz")
    await seller.expect("order.none_with_number", number="zzzz")
    await stopped_cleanly(bot, server)


async def restock(bot: BotProcess, telegram_id: int, product: Product, stock: int) -> None:
    """The seller's stock of an item set to `stock`, at the gateway and in the bot's index."""
    engine = make_engine(bot.database_url)
    try:
        [(shop, _)] = await bot.storefronts(telegram_id)
        await LocalGateway(engine).set_inventory(
            shop.gateway_storefront_id, product.catalogue_item_id, stock
        )
        Store(engine).set_product_stock(product.id or 0, stock)
    finally:
        engine.dispose()


async def test_orders_that_bring_stock_to_its_level_warn_the_seller_once(
    server: TelegramTestServer, tmp_path: Path
) -> None:
    bot, seller, (butter, _salt) = await alerted(server, tmp_path, 7107)
    user = seller.user
    await restock(bot, 7107, butter, 5)

    # 5 in stock, 3 ordered and accepted: 2 left, the default level. One warning, after the edit.
    bot.simulate_order("--seller-telegram-id", "7107", "--items", f"{butter.id}:3")
    alert = await user.next_message()
    await seller.press(alert, seller.texts("order.action.accept"))
    await user.next_edit()
    warning = await user.next_message()
    assert "Amul Butter" in warning.text and "2 left" in warning.text
    assert warning.button_data == [f"it:set:{butter.id}", f"it:open:{butter.id}"]

    # Another accepted order while still low: no second warning.
    bot.simulate_order("--seller-telegram-id", "7107", "--items", f"{butter.id}:1")
    alert = await user.next_message()
    await seller.press(alert, seller.texts("order.action.accept"))
    await user.next_edit()
    await asyncio.sleep(1)
    assert user.pending() == []

    # Set stock from the warning, then raise the item's level to 5 from its card.
    await seller.press(warning, f"it:set:{butter.id}")
    await seller.expect("item.ask_stock", name="Amul Butter", stock="1")
    await user.send_text("8")
    await seller.expect("item.stock_saved", name="Amul Butter", stock="8")
    card = await user.next_message()
    assert visible(seller.texts("item.low_stock_at", level="2")) in card.text
    await seller.press(card, f"it:low:{butter.id}")
    levels = await user.next_edit()
    assert ("✅ 2", f"it:lowat:{butter.id}:2") in levels.buttons
    await seller.press(levels, f"it:lowat:{butter.id}:5")
    card = await user.next_edit()
    assert visible(seller.texts("item.low_stock_at", level="5")) in card.text

    # A buyer's order accepted elsewhere brings it to 4: the watcher warns, after the edit and
    # its notice. The buyer then cancels: the stock is back at 8, and the seller is not warned.
    order = bot.simulate_order("--seller-telegram-id", "7107", "--items", f"{butter.id}:4")
    alert = await user.next_message()
    engine = make_engine(bot.database_url)
    try:
        [(shop, _)] = await bot.storefronts(7107)
        gateway = LocalGateway(engine)
        for state in ("Accepted", "Cancelled"):
            await gateway.update_orders(
                shop.gateway_storefront_id,
                [OrderStateUpdate(order_id=order.stdout.strip(), order_state=state)],
            )
            await user.next_edit()
            await user.next_message()  # "changed by the buyer or the marketplace"
            if state == "Accepted":
                warning = await user.next_message()
                assert "4 left" in warning.text and "at 5 or fewer" in warning.text
        stock = Store(engine).product_of(7107, butter.id or 0)
    finally:
        engine.dispose()
    assert stock is not None and stock.stock == 8
    await asyncio.sleep(1)
    assert user.pending() == []

    # A forged level, and another seller's item, are refused or ignored.
    query = await user.press_data(card.message_id, f"it:lowat:{butter.id}:7")
    assert (await user.callback_answer(query)).text is None
    stranger = Merchant(server.user(7108, "Mallory", language_code="en"))
    await stranger.registered()
    hello = await stranger.user.send_text("hello")
    await stranger.expect("menu.not_understood")
    query = await stranger.user.press_data(hello.message_id, f"it:lowat:{butter.id}:off")
    assert (await stranger.user.callback_answer(query)).text == stranger.texts("item.not_found")
    await stopped_cleanly(bot, server)


async def test_a_move_outside_within_the_same_stage_changes_nothing_the_seller_sees(
    server: TelegramTestServer, tmp_path: Path
) -> None:
    # Found by review: the marketplace moved a packed order to In-progress (still "packed"),
    # the bot's edit changed nothing, Telegram refused it, and no alert reached the seller again.
    bot, seller, (_butter, salt) = await alerted(server, tmp_path, 7109)
    user = seller.user
    first = bot.simulate_order("--seller-telegram-id", "7109", "--items", f"{salt.id}:1")
    alert = await user.next_message()
    for action in ("accept", "pack"):
        await seller.press(alert, seller.texts(f"order.action.{action}"))
        alert = await user.next_edit()
    engine = make_engine(bot.database_url)
    try:
        [(shop, _)] = await bot.storefronts(7109)
        await LocalGateway(engine).update_orders(
            shop.gateway_storefront_id,
            [OrderStateUpdate(order_id=first.stdout.strip(), order_state="In-progress")],
        )
    finally:
        engine.dispose()
    await asyncio.sleep(1)
    assert user.pending() == []  # no edit, no "changed by the marketplace" notice
    second = bot.simulate_order("--seller-telegram-id", "7109", "--cod")
    new = await user.next_message()
    assert second.stdout.strip()[:8].upper() in new.text
    await seller.press(alert, seller.texts("order.action.ship"))  # the packed order still moves
    assert stage(seller, "out_for_delivery") in (await user.next_edit()).text
    await stopped_cleanly(bot, server)
