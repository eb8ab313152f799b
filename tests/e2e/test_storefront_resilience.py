"""Storefronts when things go wrong: the gateway down or refusing, two presses at once."""

from __future__ import annotations

import asyncio

import pytest

from bot.context import SERVICES, BotApplication
from bot.gateways.base import FieldError, InvalidRequest, NotFound, Unavailable
from tests.e2e.conftest import BrokenGateway
from tests.e2e.storekeeper import Shop, Storekeeper
from tests.e2e.telegram_server import TelegramTestServer


def shops(app: BotApplication, telegram_id: int) -> list:
    store = app.bot_data[SERVICES].store
    seller = store.seller_of(telegram_id)
    return store.shops_of(seller.id) if seller else []


async def test_create_with_the_marketplace_down_keeps_the_review_card(
    server: TelegramTestServer, app: BotApplication
) -> None:
    gateway: BrokenGateway = app.bot_data[SERVICES].gateway
    seller = Storekeeper(server.user(3001, "Farah", language_code="en"))
    await seller.registered()
    review = await seller.open_with_presets()
    gateway.failures["create_storefront"] = Unavailable("connection refused")
    await seller.press(review, "sf:ok")
    await seller.expect("error.gateway_unavailable")
    assert shops(app, 3001) == []

    del gateway.failures["create_storefront"]
    await seller.create(review, Shop().name)  # the same card still works
    assert [shop.name for shop in shops(app, 3001)] == [Shop().name]


async def test_a_field_the_gateway_refuses_is_asked_again(
    server: TelegramTestServer, app: BotApplication
) -> None:
    gateway: BrokenGateway = app.bot_data[SERVICES].gateway
    gateway.failures["create_storefront"] = InvalidRequest(
        [FieldError("pickup_details.pickup_pincode", "not serviceable")]
    )
    seller = Storekeeper(server.user(3002, "Omar", language_code="en"))
    await seller.registered()
    review = await seller.open_with_presets()
    await seller.press(review, "sf:ok")
    await seller.expect_noted(
        "error.gateway_refused_field",
        "storefront.ask.pincode",
        {"label": seller.texts("sf_field.pincode")},
    )
    del gateway.failures["create_storefront"]
    await seller.user.send_text("411052")
    review = await seller.expect("storefront.review.title")
    await seller.create(review, Shop().name)
    stored = await gateway.get_storefront(shops(app, 3002)[0].gateway_storefront_id)
    assert stored.pickup_details.pickup_pincode == "411052"


async def test_two_presses_on_create_make_one_storefront(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller = Storekeeper(server.user(3003, "Zoya", language_code="en"))
    user = seller.user
    await seller.registered()
    review = await seller.open_with_presets()
    first, second = await asyncio.gather(
        user.press(review, "sf:ok"), user.press_data(review.message_id, "sf:ok")
    )
    answers = [await user.callback_answer(first), await user.callback_answer(second)]
    assert sum(a.text == seller.texts("error.stale_button") for a in answers) == 1
    await seller.expect("storefront.created", name=Shop().name)
    await seller.expect("stores.card_title", name=Shop().name)
    assert len(shops(app, 3003)) == 1


async def test_cards_and_buttons_with_the_marketplace_down(
    server: TelegramTestServer, app: BotApplication
) -> None:
    gateway: BrokenGateway = app.bot_data[SERVICES].gateway
    seller = Storekeeper(server.user(3004, "Hema", language_code="en"))
    user = seller.user
    await seller.registered()
    card = await seller.create(await seller.open_with_presets(), Shop().name)
    [shop] = shops(app, 3004)

    gateway.failures["get_storefront"] = Unavailable("timeout")
    await user.send_text("/stores")
    await seller.expect("error.gateway_unavailable_read")
    query = await user.press(card, f"sf:pause:{shop.id}")
    answer = await user.callback_answer(query)
    assert answer.show_alert and answer.text == seller.texts("error.gateway_unavailable_short")
    query = await user.press_data(card.message_id, f"sf:ed:{shop.id}:name")  # the field picker's
    await user.callback_answer(query)
    await seller.expect("error.gateway_unavailable_read")
    # Nothing half-done is left: the card works again once the marketplace is back.
    del gateway.failures["get_storefront"]
    await seller.press(card, f"sf:pause:{shop.id}")
    await user.next_edit()
    assert user.pending() == []


async def test_a_lost_answer_from_the_gateway_is_retried_safely(
    server: TelegramTestServer, app: BotApplication
) -> None:
    """The gateway made the storefront but its answer was lost: Create again lists that one,
    it does not fail on "already exists" nor make a second one."""
    gateway: BrokenGateway = app.bot_data[SERVICES].gateway
    seller = Storekeeper(server.user(3005, "Hema", language_code="en"))
    await seller.registered()
    review = await seller.open_with_presets()
    gateway.answers_lost.add("create_storefront")
    await seller.press(review, "sf:ok")
    await seller.expect("error.gateway_unavailable")
    gateway.answers_lost.clear()
    await seller.create(review, Shop().name)
    [shop] = shops(app, 3005)
    assert (await gateway.get_storefront(shop.gateway_storefront_id)).name == Shop().name
    with pytest.raises(NotFound):
        await gateway.get_storefront(shop.gateway_storefront_id + 1)
