"""The real bot on Setu: `sellerbot run` with SELLERBOT_GATEWAY=setu, pointed over real HTTP at
the fake Setu (which checks every request against Setu's OpenAPI spec). A seller registers,
opens a storefront, adds a product, and receives and accepts an order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.e2e.bot_process import BotProcess
from tests.e2e.telegram_server import TelegramTestServer
from tests.e2e.test_orders import stage
from tests.e2e.test_products import Merchant, add_fashion_item, fashion_review
from tests.fakes.setu_http_server import FakeSetuServer
from tests.fakes.setu_server import FakeSetu


@asynccontextmanager
async def bot_on_setu(
    server: TelegramTestServer, tmp_path: Path, **env: str
) -> AsyncIterator[tuple[FakeSetu, FakeSetuServer]]:
    """`sellerbot run` on the fake Setu over HTTP; at the end it must stop cleanly, having
    broken no Bot API rule and logged no secret."""
    fake = FakeSetu()
    setu = FakeSetuServer(fake)
    await setu.start()
    bot = BotProcess(
        server,
        tmp_path / "data",
        SELLERBOT_GATEWAY="setu",
        SELLERBOT_SETU_BASE_URL=setu.url,
        SELLERBOT_SETU_CLIENT_ID=fake.client_id,
        SELLERBOT_SETU_CLIENT_SECRET=fake.client_secret,
        **env,
    )
    try:
        await bot.start()
        yield fake, setu
        assert await bot.stop() == 0, bot.log()
        server.assert_no_errors()
        assert fake.client_secret not in bot.log()
    finally:
        if bot.process is not None and bot.process.returncode is None:
            await bot.kill()
        await setu.stop()


async def test_a_seller_on_setu_from_registration_to_an_accepted_order(
    server: TelegramTestServer, tmp_path: Path
) -> None:
    async with bot_on_setu(server, tmp_path, SELLERBOT_ORDER_POLL_SECONDS="0.3") as (fake, _):
        seller = Merchant(server.user(7401, "Asha", language_code="en"))
        user = seller.user
        await seller.ready()
        [setu_seller] = fake.sellers.values()
        [storefront] = fake.storefronts.values()
        assert storefront["setu_seller_id"] == setu_seller["setu_seller_id"]

        await add_fashion_item(seller, "Block print kurta")
        [item] = fake.catalogues[storefront["setu_storefront_id"]].values()
        assert item.payload["catalogue_item_details"]["name"] == "Block print kurta"
        assert item.quantity == 3

        order_id = fake.add_order(
            storefront["setu_storefront_id"],
            {
                "order_state": "Created",
                "order_items": [
                    {
                        "store_front_product_id": item.payload["catalogue_item_id"],
                        "quantity": 2,
                        "unit_price": 1299,
                        "total_value": 2598,
                    }
                ],
                "total_value": 2598,
                "fulfilment_type": "SELF",
                "buyer_details": {
                    "name": "Anita Kulkarni",
                    "mobile_number": "9822012345",
                    "delivery_address": {"address": "Karve Road", "pincode": 411038},
                },
            },
        )
        alert = await user.next_message()
        assert order_id[:8].upper() in alert.text and "Block print kurta" in alert.text
        await seller.press(alert, seller.texts("order.action.accept"))
        alert = await user.next_edit()
        assert stage(seller, "accepted") in alert.text
        [order] = fake.orders[storefront["setu_storefront_id"]]
        assert order["order_state"] == "Accepted"
        assert item.quantity == 1  # the two packs taken out of Setu's count too
        # Every request the bot sent validated against Setu's spec, with one token.
        assert fake.tokens_issued == 1
        assert all(r.path != "/api/storefront" for r in fake.requests)


async def test_a_seller_keeps_working_while_setu_refuses_connections(
    server: TelegramTestServer, tmp_path: Path
) -> None:
    """Setu stops: a stock press and a new product are saved and the seller told so; Setu
    starts again on the same port: the outbox publishes both, in order, and tells the seller."""
    server.callback_query_timeout = 15  # as Telegram: a press answered late is an error
    async with bot_on_setu(server, tmp_path, SELLERBOT_OUTBOX_SECONDS="0.5") as (fake, setu):
        port = int(setu.url.rsplit(":", 1)[1])
        seller = Merchant(server.user(7402, "Asha", language_code="en"))
        user = seller.user
        await seller.ready()
        card = await add_fashion_item(seller, "Block print kurta")
        [storefront] = fake.storefronts.values()
        catalogue = fake.catalogues[storefront["setu_storefront_id"]]
        [kurta] = catalogue.values()

        await setu.stop()  # connections refused from here
        inc = next(data for _, data in card.buttons if data and data.startswith("it:inc:"))
        product_id = inc.split(":")[2]
        query = await user.press(card, f"it:inc:{product_id}")
        answer = await user.callback_answer(query)
        assert answer.text == seller.texts("outbox.saved")
        card = await user.next_edit()
        assert "Stock: 4" in card.text  # the bot's own catalogue has it already
        review = await fashion_review(seller, "Silk dupatta")
        await seller.press(review, seller.texts("button.publish"))
        await user.next_edit()
        published = await user.next_message()
        assert seller.texts("outbox.saved") in published.text
        await user.next_message()  # the new item's card
        assert kurta.quantity == 3 and len(catalogue) == 1  # Setu has seen none of it

        await setu.start(port)
        # One message per delivery round: both in one, or (if a round was already trying the
        # first when Setu came back) one each.
        told = (await user.next_message(timeout=30)).text.splitlines()
        if "• Silk dupatta" not in told:
            told += (await user.next_message(timeout=30)).text.splitlines()
        assert [line for line in told if line != seller.texts("outbox.published")] == [
            "• Block print kurta: stock 4",
            "• Silk dupatta",
        ]
        assert kurta.quantity == 4
        assert sorted(i.payload["catalogue_item_details"]["name"] for i in catalogue.values()) == [
            "Block print kurta",
            "Silk dupatta",
        ]
        writes = [r for r in fake.requests if r.method in {"PUT", "PATCH"}]
        assert [r.method for r in writes] == ["PUT", "PATCH", "PUT"]  # each once, in order
