"""Products end to end: photos (an album, a file, a PDF), the questions, the review, publishing,
the catalogue's pages and search, /stock, editing the price, deleting; and another seller."""

from __future__ import annotations

import io
from decimal import Decimal

from PIL import Image

from bot.domain import product as rules
from bot.domain import product_form
from bot.gateways.local import LocalGateway
from bot.storage.db import make_engine
from bot.storage.models import Product
from bot.storage.store import Store
from tests.contract import samples
from tests.e2e.bot_process import BotProcess
from tests.e2e.seller import visible
from tests.e2e.storekeeper import Shop, Storekeeper
from tests.e2e.telegram_server import ChatMessage, TelegramTestServer

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def photo(colour: tuple[int, int, int], *, rotated: bool = False) -> bytes:
    """A JPEG: 400x300, red band on top. With `rotated` it is stored turned (EXIF orientation 6,
    "rotate 90° to show") and carries GPS tags, as a phone writes them."""
    image = Image.new("RGB", (400, 300), colour)
    image.paste((255, 0, 0), (0, 0, 400, 40))
    exif = Image.Exif()
    if rotated:
        image = image.transpose(Image.Transpose.ROTATE_90)  # what the camera sensor saved
        exif[ORIENTATION] = 6
        exif[GPS_IFD] = {1: "N", 2: (18.0, 30.0, 0.0), 3: "E", 4: (73.0, 48.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


class Merchant(Storekeeper):
    """A seller with a storefront who adds products."""

    async def ready(self) -> ChatMessage:
        await self.registered()
        return await self.create(await self.open_with_presets(), Shop().name)

    async def product_ask(self, key: str, **params: object) -> ChatMessage:
        prefix = "fact.ask." if key in product_form.FACTS else "product.ask."
        return await self.expect(prefix + key, **params)

    async def reply(self, text: str, then: str) -> ChatMessage:
        await self.user.send_text(text)
        return await self.product_ask(then)

    async def choose(
        self, question: ChatMessage, data: str, then: str | None
    ) -> ChatMessage | None:
        await self.press(question, data)
        await self.user.next_edit()
        return None if then is None else await self.product_ask(then)

    async def start_product(self) -> ChatMessage:
        await self.user.send_text("/addproduct")
        message = await self.user.next_message()
        self.says(message, "product.intro", shop=Shop().name)
        assert visible(self.texts("product.ask.sub_categories")) in message.text
        return message

    async def packaged_food(self, question: ChatMessage) -> ChatMessage:
        """Grocery + packaged food, ticked; returns the photos question."""
        for index in ("0", "2"):  # Grocery, Packaged food
            await self.press(question, f"pd:sub:{index}")
            question = await self.user.next_edit()
        await self.press(question, "pd:sub:done")
        await self.user.next_edit()
        return await self.product_ask("photos")


async def test_add_a_packaged_food_product(server: TelegramTestServer, bot: BotProcess) -> None:
    seller = Merchant(server.user(5001, "Asha", language_code="en"))
    user = seller.user
    await seller.ready()
    await seller.packaged_food(await seller.start_product())

    # Text and a PDF where a photo is asked: the reason, and the question again.
    await user.send_text("here it is")
    await seller.expect_noted("error.send_photo", "product.ask.photos")
    await user.send_document(b"%PDF-1.4\n%fake\n", "label.pdf", "application/pdf")
    await seller.expect_noted("error.photo_not_image", "product.ask.photos")
    # An album of two: one answer for both.
    await user.send_photo(photo((0, 0, 255), rotated=True), media_group_id="album-1")
    await user.send_photo(photo((0, 255, 0)), media_group_id="album-1")
    received = await user.next_message()
    assert received.text == visible(seller.texts.plural("product.photos_received", 2))
    await seller.press(received, "pd:photos:done")
    await user.next_edit()
    await seller.product_ask("name")

    await seller.reply("Amul Butter 500 g", "short_description")
    question = await seller.reply("Pasteurised table butter", "long_description")
    question = await seller.choose(question, "pd:skip:long_description", "mrp")
    await seller.reply("₹ 285", "price")
    await user.send_text("300")
    await seller.expect_noted(
        "error.price_above_mrp", "product.ask.price", {"price": "300.00", "mrp": "285.00"}
    )
    await user.send_text("-5")
    await seller.expect_noted("error.price_not_positive", "product.ask.price")
    question = await seller.reply("275", "gst_included")
    question = await seller.choose(question, "pd:yn:1:gst_included", "gst_rate")
    question = await seller.choose(question, "pd:gst:12", "gst_split")
    question = await seller.choose(question, "pd:split:cgst_sgst", "unit")
    await seller.choose(question, "pd:unit:GM", "unit_value")
    await seller.reply("500 g", "stock")
    await user.send_text("20")
    policies = await user.next_message()
    assert "returnable within 7 days" in policies.text
    question = await seller.choose(policies, "pd:pol:default", "area")
    question = await seller.choose(question, "pd:area:same", "is_vegetarian")
    question = await seller.choose(question, "pd:yn:1:is_vegetarian", "ingredients_info")
    question = await seller.choose(question, "pd:label:ingredients_info", "nutritional_info")
    question = await seller.reply("Energy 722 kcal, fat 80 g per 100 g", "additives_info")
    question = await seller.choose(question, "pd:label:additives_info", "brand_owner_name")
    question = await seller.reply(
        "Gujarat Co-operative Milk Marketing Federation", "brand_owner_address"
    )
    question = await seller.choose(
        question, "pd:label:brand_owner_address", "brand_owner_FSSAI_license_no"
    )
    await user.send_text("1001202")
    await seller.expect_noted("error.fssai_invalid", "fact.ask.brand_owner_FSSAI_license_no")
    question = await seller.reply("10012021000071", "imported")
    await seller.press(question, "pd:yn:0:imported")
    await user.next_edit()

    review_photo = await user.next_message()
    assert review_photo.photo and "Amul Butter 500 g" in (review_photo.caption or "")
    assert "₹275.00" in review_photo.caption and "MRP ₹285.00" in review_photo.caption
    assert "₹245.54" in review_photo.caption and "₹29.46" in review_photo.caption  # 275/1.12
    review = await seller.expect("product.review.title")
    await seller.press(review, seller.texts("button.publish"))
    await user.next_edit()
    await seller.expect("product.published", name="Amul Butter 500 g")
    card = await user.next_message()
    assert card.photo and "Stock: 20" in card.caption

    engine = make_engine(bot.database_url)
    try:
        [(shop, _)] = await bot.storefronts(5001)
        products, total = Store(engine).products_page(shop.id or 0, 0, 8)
        assert total == 1 and products[0].price == Decimal("275.00") and products[0].stock == 20
        item = await LocalGateway(engine).get_catalogue_item(
            shop.gateway_storefront_id, products[0].catalogue_item_id
        )
    finally:
        engine.dispose()
    details = item.catalogue_item_details
    assert item.sub_categories == ["Grocery", "prepackaged_food"]
    assert details.price.is_selling_price_exclusive_of_gst is False
    assert details.price.cgst_tax_rate == details.price.sgst_tax_rate == Decimal(6)
    food = details.subcategory_specific_requirements.prepackaged_food  # type: ignore[union-attr]
    assert food is not None and food.is_vegetarian
    assert (
        food.ingredients_info == rules.ON_LABEL
        and food.brand_owner_FSSAI_license_no == "10012021000071"
    )
    assert (item.inventory.unit_denomination, item.inventory.unit_value) == ("GM", 500)
    assert len(details.images) == 2
    # The stored photos: upright (the red band on top) and with no EXIF, GPS above all.
    media = bot.data_dir / "media"
    for url in details.images:
        stored = Image.open(media / url.split("/media/", 1)[1])
        assert not stored.getexif() and "exif" not in stored.info
        width, height = stored.size
        assert width > height, "upright: as wide as the picture was taken"
        red, green, blue = stored.convert("RGB").getpixel((width // 2, 5))
        assert red > 200 and green < 60 and blue < 60


async def seed_products(bot: BotProcess, telegram_id: int, names: list[str]) -> list[Product]:
    """Items published straight into the bot's database and local gateway (as if added one by
    one through the bot), for the catalogue's pages."""
    engine = make_engine(bot.database_url)
    try:
        [(shop, _)] = await bot.storefronts(telegram_id)
        gateway, store = LocalGateway(engine), Store(engine)
        saved = []
        for index, name in enumerate(names):
            item = samples.catalogue_item()
            item.catalogue_item_details.name = name
            item.inventory.quantity = index + 1
            await gateway.upsert_catalogue(shop.gateway_storefront_id, [item])
            saved.append(
                store.save_product(
                    Product(
                        catalogue_item_id=item.catalogue_item_id,
                        shop_id=shop.id or 0,
                        name=name,
                        name_key="",
                        price=item.catalogue_item_details.price.selling_price,
                        stock=index + 1,
                    )
                )
            )
        return saved
    finally:
        engine.dispose()


async def test_catalogue_pages_search_stock_and_delete(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    seller = Merchant(server.user(5002, "Asha", language_code="en"))
    user = seller.user
    await seller.ready()
    names = [f"Item {n:02d}" for n in range(1, 19)] + ["Tata Salt 1 kg"]
    products = await seed_products(bot, 5002, names)

    await user.send_text("/catalogue")
    page = await user.next_message()
    assert "19 products" in page.text and "Page 1 of 3" in page.text
    assert [label.split(" · ")[0] for label, _ in page.buttons[:8]] == names[:8]
    await seller.press(page, f"cat:pg:{products[0].shop_id}:1")
    page = await user.next_edit()
    assert "Page 2 of 3" in page.text and "9. Item 09" in page.text
    await seller.press(page, f"cat:pg:{products[0].shop_id}:2")
    page = await user.next_edit()
    assert "19. Tata Salt 1 kg" in page.text

    await user.send_text("salt")  # typing searches
    found = await user.next_message()
    assert "1 product with “salt”" in found.text
    salt = products[-1]
    await seller.press(found, f"it:open:{salt.id}")
    card = await user.next_message()
    assert "Stock: 19" in card.text
    await seller.press(card, f"it:inc:{salt.id}")
    card = await user.next_edit()
    assert "Stock: 20" in card.text
    await seller.press(card, f"it:out:{salt.id}")
    card = await user.next_edit()
    assert seller.texts("item.out_of_stock") in card.text
    query = await user.press(card, f"it:dec:{salt.id}")  # below zero: refused
    assert (await user.callback_answer(query)).text == seller.texts(
        "item.stock_unchanged", max="10,00,000"
    )

    # /stock: part of a name, then the number.
    await user.send_text("/stock")
    await seller.expect("item.ask_find")
    await user.send_text("tata")
    await seller.expect("item.ask_stock", name="Tata Salt 1 kg", stock="0")
    await user.send_text("twelve")
    await seller.expect("error.stock_invalid", max="10,00,000")
    await user.send_text("12")
    await seller.expect("item.stock_saved", name="Tata Salt 1 kg", stock="12")
    card = await user.next_message()
    engine = make_engine(bot.database_url)
    try:
        [(shop, _)] = await bot.storefronts(5002)
        stock = (
            await LocalGateway(engine).get_catalogue_item(
                shop.gateway_storefront_id, salt.catalogue_item_id
            )
        ).inventory.quantity
    finally:
        engine.dispose()
    assert stock == 12

    await seller.press(card, f"it:del:{salt.id}")
    confirm = await user.next_edit()
    await seller.press(confirm, f"it:delok:{salt.id}")
    gone = await user.next_edit()
    seller.says(gone, "item.deleted", name="Tata Salt 1 kg")
    query = await user.press_data(card.message_id, f"it:open:{salt.id}")
    assert (await user.callback_answer(query)).text == seller.texts("item.not_found")


async def test_another_seller_cannot_reach_an_item(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    owner = Merchant(server.user(5003, "Asha", language_code="en"))
    await owner.ready()
    [item] = await seed_products(bot, 5003, ["Amul Butter"])
    other = Merchant(server.user(5004, "Mallory", language_code="en"))
    await other.registered()
    hello = await other.user.send_text("hello")
    await other.expect("menu.not_understood")
    for data in (
        f"it:open:{item.id}",
        f"it:inc:{item.id}",
        f"it:out:{item.id}",
        f"it:set:{item.id}",
        f"it:edits:{item.id}",
        f"it:ed:{item.id}:price",
        f"it:del:{item.id}",
        f"it:delok:{item.id}",
    ):
        query = await other.user.press_data(hello.message_id, data)
        assert (await other.user.callback_answer(query)).text == other.texts("item.not_found")
    await other.user.send_text("/stock")
    await other.expect("item.ask_find")
    await other.user.send_text("amul")
    await other.expect("item.none_found", search="amul")
    engine = make_engine(bot.database_url)
    try:
        assert Store(engine).product_of(5003, item.id or 0).stock == 1  # type: ignore[union-attr]
    finally:
        engine.dispose()


async def add_fashion_item(seller: Merchant, name: str) -> ChatMessage:
    """A plain product (Fashion: no label facts), photo sent as a file; returns its card."""
    review = await fashion_review(seller, name)
    await seller.press(review, seller.texts("button.publish"))
    await seller.user.next_edit()
    await seller.expect("product.published", name=name)
    return await seller.user.next_message()


async def fashion_review(seller: Merchant, name: str) -> ChatMessage:
    """A plain product up to its review card (returned)."""
    user = seller.user
    question = await seller.start_product()
    await seller.press(question, "pd:sub:1")  # Fashion
    question = await user.next_edit()
    await seller.press(question, "pd:sub:done")
    await user.next_edit()
    await seller.product_ask("photos")
    await user.send_document(photo((200, 200, 200)), "kurta.jpg", "image/jpeg")
    received = await user.next_message()
    await seller.press(received, "pd:photos:done")
    await user.next_edit()
    await seller.product_ask("name")
    await seller.reply(name, "short_description")
    question = await seller.reply("Cotton, hand block printed", "long_description")
    await seller.reply("Size M, wash cold", "mrp")
    await seller.reply("Rs. 1,499/-", "price")
    question = await seller.reply("1,299", "gst_included")
    question = await seller.choose(question, "pd:yn:0:gst_included", "gst_rate")
    await user.send_text("5")
    question = await seller.product_ask("gst_split")
    question = await seller.choose(question, "pd:split:igst", "unit")
    await seller.choose(question, "pd:unit:PC", "unit_value")
    await seller.reply("1", "stock")
    await user.send_text("3")
    policies = await user.next_message()
    question = await seller.choose(policies, "pd:pol:default", "area")
    await user.send_text("411038, 411052")
    await user.next_message()  # the photo, uploaded from our store (it came as a file)
    return await seller.expect("product.review.title")


async def test_edit_the_price_and_the_photos_from_the_card(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    seller = Merchant(server.user(5005, "Asha", language_code="en"))
    user = seller.user
    await seller.ready()
    card = await add_fashion_item(seller, "Block print kurta")
    assert card.photo and "₹1,363.95" in card.caption  # 1,299 + 5% IGST on top
    engine = make_engine(bot.database_url)
    try:
        [(shop, _)] = await bot.storefronts(5005)
        [listed], _ = Store(engine).products_page(shop.id or 0, 0, 8)
    finally:
        engine.dispose()

    await seller.press(card, f"it:edits:{listed.id}")
    picker = await user.next_edit()
    await seller.press(picker, f"it:ed:{listed.id}:price")
    await user.next_edit()
    question = await seller.product_ask("price")
    assert "Now: ₹1,299.00" in question.text
    await user.send_text("1450")  # with 5% on top: ₹1,522.50, over the MRP
    await seller.expect_noted(
        "error.price_above_mrp", "product.ask.price", {"price": "1,522.50", "mrp": "1,499.00"}
    )
    await user.send_text("1399")
    await seller.expect("storefront.saved")
    card = await user.next_message()
    assert "₹1,468.95" in card.caption

    await seller.press(card, f"it:edits:{listed.id}")
    picker = await user.next_edit()
    await seller.press(picker, f"it:ed:{listed.id}:photos")
    await user.next_edit()
    question = await seller.product_ask("photos")
    assert visible(seller.texts.plural("product.photos_have", 1)) in question.text
    await user.send_photo(photo((10, 10, 200)))
    received = await user.next_message()
    assert received.text == visible(seller.texts.plural("product.photos_received", 2))
    await seller.press(received, "pd:photos:done")
    await user.next_edit()
    await seller.expect("storefront.saved")
    await user.next_message()

    engine = make_engine(bot.database_url)
    try:
        item = await LocalGateway(engine).get_catalogue_item(
            shop.gateway_storefront_id, listed.catalogue_item_id
        )
    finally:
        engine.dispose()
    assert item.catalogue_item_details.price.selling_price == Decimal("1399.00")
    assert len(item.catalogue_item_details.images) == 2
    assert item.serviceability.pincodes == [411038, 411052]


async def test_a_half_entered_product_waits_through_cancel_and_restart(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    seller = Merchant(server.user(5006, "Asha", language_code="en"))
    user = seller.user
    await seller.ready()
    question = await seller.start_product()
    await seller.press(question, "pd:sub:1")
    question = await user.next_edit()
    await seller.press(question, "pd:sub:done")
    await user.next_edit()
    await seller.product_ask("photos")
    # Over Telegram's 20 MB download limit: refused before downloading.
    await user.send_document(b"\xff\xd8" + bytes(21 * 1024 * 1024), "huge.jpg", "image/jpeg")
    await seller.expect_noted("error.photo_too_large", "product.ask.photos", {"max_mb": 20})
    await user.send_photo(photo((90, 90, 90)))
    received = await user.next_message()
    await seller.press(received, "pd:photos:done")
    await user.next_edit()
    await seller.product_ask("name")
    await seller.reply("Silk dupatta", "short_description")
    await user.send_text("/cancel")
    stopped = await user.next_message()
    assert stopped.text == visible(seller.texts.plural("product.cancelled", 3))

    await bot.restart()
    await user.send_text("/addproduct")
    offer = await seller.expect("product.resume_named", name="Silk dupatta")
    await seller.press(offer, "pd:resume:go")
    await user.next_edit()
    await seller.product_ask("short_description")  # where it stopped, after the restart
    await seller.reply("Pure silk, 2.5 m", "long_description")

    # Discarding starts a new one.
    await user.send_text("/addproduct")
    offer = await seller.expect("product.resume_named", name="Silk dupatta")
    await seller.press(offer, "pd:resume:new")
    await user.next_edit()
    message = await user.next_message()
    seller.says(message, "product.intro", shop=Shop().name)
    assert bot.stored_draft(5006, "product")["answers"] == {}  # type: ignore[index]


async def test_packaged_goods_ask_the_legal_metrology_facts(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    seller = Merchant(server.user(5007, "Asha", language_code="en"))
    user = seller.user
    await seller.ready()
    question = await seller.start_product()
    for index in ("0", "3"):  # Grocery, Packaged goods
        await seller.press(question, f"pd:sub:{index}")
        question = await user.next_edit()
    await seller.press(question, "pd:sub:done")
    await user.next_edit()
    await seller.product_ask("photos")
    await user.send_photo(photo((120, 80, 40)))
    await seller.press(await user.next_message(), "pd:photos:done")
    await user.next_edit()
    await seller.product_ask("name")
    await seller.reply("India Gate Basmati 1 kg", "short_description")
    question = await seller.reply("Aged basmati rice", "long_description")
    await seller.choose(question, "pd:skip:long_description", "mrp")
    await seller.reply("180", "price")
    question = await seller.reply("165", "gst_included")
    question = await seller.choose(question, "pd:yn:1:gst_included", "gst_rate")
    question = await seller.choose(question, "pd:gst:0", "unit")  # no GST split at 0%
    await seller.choose(question, "pd:unit:KG", "unit_value")
    await seller.reply("1", "stock")
    await user.send_text("40")
    question = await seller.choose(await user.next_message(), "pd:pol:default", "area")
    question = await seller.choose(question, "pd:area:same", "manufacturer_or_packer_name")
    question = await seller.choose(
        question, "pd:label:manufacturer_or_packer_name", "manufacturer_or_packer_address"
    )
    question = await seller.choose(
        question,
        "pd:label:manufacturer_or_packer_address",
        "common_or_generic_name_of_commodity",
    )
    await seller.reply("Basmati rice", "manufacture_or_packing_date")
    await user.send_text("13/2025")
    await seller.expect_noted("error.month_year_invalid", "fact.ask.manufacture_or_packing_date")
    question = await seller.reply("03/2026", "imported")
    await seller.choose(question, "pd:yn:1:imported", "imported_product_country_of_origin")
    await user.send_text("Pakistan")
    review_photo = await user.next_message()
    assert review_photo.photo
    review = await seller.expect("product.review.title")
    assert "Packed in: 03/2026" in review.text
    await seller.press(review, seller.texts("button.publish"))
    await user.next_edit()
    await seller.expect("product.published", name="India Gate Basmati 1 kg")
    engine = make_engine(bot.database_url)
    try:
        [(shop, _)] = await bot.storefronts(5007)
        [listed], _ = Store(engine).products_page(shop.id or 0, 0, 8)
        item = await LocalGateway(engine).get_catalogue_item(
            shop.gateway_storefront_id, listed.catalogue_item_id
        )
    finally:
        engine.dispose()
    goods = item.catalogue_item_details.subcategory_specific_requirements.prepackaged_commodities  # type: ignore[union-attr]
    assert goods is not None
    assert goods.manufacturer_or_packer_name == rules.ON_LABEL
    assert goods.manufacture_or_packing_date == "03/2026"
    assert goods.imported_product_country_of_origin == "PAK"
    assert item.catalogue_item_details.price.total_tax_rate == 0
