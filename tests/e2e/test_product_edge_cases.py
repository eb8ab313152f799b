"""Products when a seller hurries, wanders or changes their mind: rules of their own, edits
racing a delete or a stock change, another flow opened half-way, an album cancelled, an old
review card, the marketplace down. The `app` fixture fails a test on any Bot API error (an
identical edit, a caption over 1,024 characters, an unanswered press)."""

from __future__ import annotations

import asyncio

from bot.context import SERVICES, BotApplication
from bot.gateways.base import CatalogueItem, Unavailable
from bot.storage.models import Product
from tests.e2e.conftest import BrokenGateway
from tests.e2e.seller import visible
from tests.e2e.telegram_server import ChatMessage, TelegramTestServer
from tests.e2e.test_products import Merchant, add_fashion_item, fashion_review, photo


def listed(app: BotApplication, telegram_id: int) -> list[Product]:
    store = app.bot_data[SERVICES].store
    seller = store.seller_of(telegram_id)
    [shop] = store.shops_of(seller.id)
    return store.products_page(shop.id, 0, 8)[0]


async def stored_item(app: BotApplication, uid: int, product: Product) -> CatalogueItem:
    shop = app.bot_data[SERVICES].store.shop_of(uid, product.shop_id)
    return await app.bot_data[SERVICES].gateway.get_catalogue_item(
        shop.gateway_storefront_id, product.catalogue_item_id
    )


async def fashion_card(server: TelegramTestServer, uid: int) -> tuple[Merchant, ChatMessage]:
    seller = Merchant(server.user(uid, "Asha", language_code="en"))
    await seller.ready()
    return seller, await add_fashion_item(seller, "Block print kurta")


async def open_edit(seller: Merchant, card: ChatMessage, pid: int, field: str) -> ChatMessage:
    """Edit, then the field's button on the card; returns the question."""
    await seller.press(card, f"it:edits:{pid}")
    picker = await seller.user.next_edit()
    await seller.press(picker, f"it:ed:{pid}:{field}")
    await seller.user.next_edit()
    return await seller.user.next_message()


async def test_rules_of_ones_own_are_asked_one_by_one(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller, card = await fashion_card(server, 6001)
    [item] = listed(app, 6001)
    question = await open_edit(seller, card, item.id or 0, "policies")
    assert "returnable within 7 days" in question.text
    question = await seller.choose(question, "pd:pol:custom", "returnable")
    question = await seller.choose(question, "pd:yn:1:returnable", "return_window")
    question = await seller.reply("10 days", "seller_pickup_return")
    question = await seller.choose(question, "pd:yn:0:seller_pickup_return", "cancellable")
    question = await seller.choose(question, "pd:yn:1:cancellable", "cod")
    await seller.choose(question, "pd:yn:1:cod", "ship_days")
    await seller.reply("2", "min_qty")
    await seller.reply("1", "max_qty")
    await seller.user.send_text("0")
    await seller.expect_noted(
        "error.order_quantity_invalid", "product.ask.max_qty", {"max": "10,000"}
    )
    await seller.user.send_text("5")
    await seller.expect("storefront.saved")
    card = await seller.user.next_message()
    policies = (await stored_item(app, 6001, item)).item_policies
    assert (policies.return_window, policies.cod_availability, policies.max_sale_quantity) == (
        10,
        True,
        5,
    )
    assert policies.time_to_ship.days == 2

    # Keep these again: the defaults come back, and the rules of one's own are gone.
    question = await open_edit(seller, card, item.id or 0, "policies")
    assert "cash on delivery" in question.text
    await seller.press(question, "pd:pol:default")
    await seller.user.next_edit()
    await seller.expect("storefront.saved")
    assert (await stored_item(app, 6001, item)).item_policies.cod_availability is False


async def test_an_edit_racing_a_delete_does_not_bring_the_item_back(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller, card = await fashion_card(server, 6002)
    user = seller.user
    [item] = listed(app, 6002)
    await open_edit(seller, card, item.id or 0, "price")
    # Deleted from the card (another phone, say) while the price question waits.
    query = await user.press_data(card.message_id, f"it:del:{item.id}")
    await user.callback_answer(query)
    await user.next_edit()
    query = await user.press_data(card.message_id, f"it:delok:{item.id}")
    await user.callback_answer(query)
    await user.next_edit()
    await user.send_text("1399")
    await seller.expect("item.not_found")
    assert listed(app, 6002) == []


async def test_an_edit_keeps_a_stock_count_changed_meanwhile(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller, card = await fashion_card(server, 6003)
    user = seller.user
    [item] = listed(app, 6003)
    question = await open_edit(seller, card, item.id or 0, "price")
    seller.says(question, "product.ask.price")
    query = await user.press_data(card.message_id, f"it:inc:{item.id}")  # 3 -> 4, from the card
    await user.callback_answer(query)
    await user.next_edit()
    await user.send_text("1399")
    await seller.expect("storefront.saved")
    await user.next_message()
    [item] = listed(app, 6003)
    assert item.stock == 4 and (await stored_item(app, 6003, item)).inventory.quantity == 4


async def test_a_new_unit_asks_the_pack_size_again(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller, card = await fashion_card(server, 6004)
    [item] = listed(app, 6004)
    question = await open_edit(seller, card, item.id or 0, "unit")
    await seller.choose(question, "pd:unit:DZ", "unit_value")
    await seller.user.send_text("1")
    await seller.expect("storefront.saved")
    inventory = (await stored_item(app, 6004, item)).inventory
    assert (inventory.unit_denomination, inventory.unit_value) == ("DZ", 1)


async def test_the_catalogue_from_a_photo_card_is_a_new_message(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller, card = await fashion_card(server, 6005)
    assert card.photo
    await seller.press(card, f"cat:pg:{listed(app, 6005)[0].shop_id}:0")
    page = await seller.user.next_message()
    assert "1 product" in page.text


async def test_another_flow_takes_over_from_a_half_entered_product(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller, _ = await fashion_card(server, 6006)
    user = seller.user
    question = await seller.start_product()
    await seller.press(question, "pd:sub:1")
    question = await user.next_edit()
    await seller.press(question, "pd:sub:done")
    await user.next_edit()
    await seller.product_ask("photos")
    await user.send_text("/stock")
    await seller.expect("item.ask_find")
    await user.send_text("kurta")
    await seller.expect("item.ask_stock", name="Block print kurta", stock="3")
    await user.send_text("12")  # the stock, not the half-entered product's anything
    await seller.expect("item.stock_saved", name="Block print kurta", stock="12")
    await user.next_message()
    assert listed(app, 6006)[0].stock == 12
    await user.send_text("/addproduct")
    offer = await user.next_message()
    assert offer.text == visible(seller.texts.plural("product.resume", 1))


async def test_an_album_cancelled_is_not_answered(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller = Merchant(server.user(6007, "Asha", language_code="en"))
    user = seller.user
    await seller.ready()
    question = await seller.start_product()
    await seller.press(question, "pd:sub:1")
    question = await user.next_edit()
    await seller.press(question, "pd:sub:done")
    await user.next_edit()
    await seller.product_ask("photos")
    await user.send_photo(photo((0, 0, 255)), media_group_id="gone")
    await user.send_photo(photo((0, 255, 0)), media_group_id="gone")
    await user.send_text("/cancel")
    stopped = await user.next_message()
    assert stopped.text == visible(seller.texts.plural("product.cancelled", 1))
    await asyncio.sleep(2.5)  # longer than an album's quiet time: nothing more may come
    assert user.pending() == []


async def test_an_old_review_card_does_not_publish_the_next_product(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller = Merchant(server.user(6008, "Asha", language_code="en"))
    user = seller.user
    await seller.ready()
    review = await fashion_review(seller, "First kurta")
    await user.send_text("/addproduct")
    offer = await seller.expect("product.resume_named", name="First kurta")
    await seller.press(offer, "pd:resume:new")  # discard it
    await user.next_edit()
    await user.next_message()
    query = await user.press(review, seller.texts("button.publish"))
    assert (await user.callback_answer(query)).text == seller.texts("error.stale_button")
    assert listed(app, 6008) == []


async def test_an_edit_the_marketplace_could_not_take_is_published_later(
    server: TelegramTestServer, app: BotApplication
) -> None:
    gateway: BrokenGateway = app.bot_data[SERVICES].gateway
    seller, card = await fashion_card(server, 6009)
    user = seller.user
    [item] = listed(app, 6009)
    await open_edit(seller, card, item.id or 0, "photos")
    await user.send_photo(photo((10, 10, 200)))
    received = await user.next_message()
    gateway.failures["upsert_catalogue"] = Unavailable("down")
    await seller.press(received, "pd:photos:done")
    await user.next_edit()
    await seller.expect("outbox.saved")  # saved here; the marketplace has the old one still
    await user.next_message()  # the card
    assert len((await stored_item(app, 6009, item)).catalogue_item_details.images) == 1
    del gateway.failures["upsert_catalogue"]
    told = await user.next_message()
    assert told.text == f"{seller.texts('outbox.published')}\n• {item.name}"
    assert len((await stored_item(app, 6009, item)).catalogue_item_details.images) == 2
