"""Storefront presses a hurried or wandering seller makes: double taps, old buttons, a question
left half-way. The `app` fixture fails a test on any Bot API error (an identical edit, say)."""

from __future__ import annotations

from bot.context import SERVICES, BotApplication
from bot.gateways.base import Unavailable
from tests.e2e.conftest import BrokenGateway
from tests.e2e.seller import Answers, visible
from tests.e2e.storekeeper import Shop, Storekeeper
from tests.e2e.telegram_server import ChatMessage, TelegramTestServer
from tests.e2e.test_storefront_resilience import shops


async def opened(server: TelegramTestServer, uid: int) -> tuple[Storekeeper, ChatMessage]:
    seller = Storekeeper(server.user(uid, "Asha", language_code="en"))
    await seller.registered()
    card = await seller.create(await seller.open_with_presets(), Shop().name)
    return seller, card


async def double_tap(seller: Storekeeper, message_id: int, data: str) -> list[str | None]:
    """Two presses sent before either is handled; the texts they were answered with."""
    first = await seller.user.press_data(message_id, data)
    second = await seller.user.press_data(message_id, data)
    return [(await seller.user.callback_answer(q)).text for q in (first, second)]


async def test_double_taps_on_a_cards_buttons(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller, card = await opened(server, 4001)
    [shop] = shops(app, 4001)
    user = seller.user
    await double_tap(seller, card.message_id, f"sf:edits:{shop.id}")
    picker = await user.next_edit()
    assert f"sf:ed:{shop.id}:name" in picker.button_data
    answers = await double_tap(seller, picker.message_id, f"sf:ed:{shop.id}:name")
    assert answers.count(seller.texts("error.stale_button")) == 1
    await user.next_edit()
    await seller.ask("name")
    await seller.user.send_text("Sharma Kirana, Kothrud West")
    await seller.expect("storefront.saved")
    await seller.expect("stores.card_title", name="Sharma Kirana, Kothrud West")
    assert user.pending() == []


async def test_double_tap_on_a_name_in_the_list(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller, _ = await opened(server, 4008)
    second = Shop(name="Sharma Kirana, Aundh", address="4 ITI Road, Aundh", pincode="411007")
    await seller.create(await seller.open_with_presets(second), second.name)
    await seller.user.send_text("/stores")
    listing = await seller.user.next_message()
    first, _ = shops(app, 4008)
    await double_tap(seller, listing.message_id, f"sf:open:{first.id}")
    card = await seller.user.next_edit()
    assert Shop().address in card.text
    assert await seller.user.drain() == []  # one edit, no second identical one


async def test_resume_offer_pressed_twice_or_late(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller = Storekeeper(server.user(4003, "Asha", language_code="en"))
    user = seller.user
    await seller.registered()
    await seller.start_storefront()
    question = await seller.type_answer("Asha Bakes", "categories")
    await seller.tap(question, "sf:cat:done", "contact_name")
    await user.send_text("/cancel")
    await user.next_message()
    await user.send_text("/newstore")
    first_offer = await user.next_message()
    await user.send_text("hello")  # typed at the offer: the offer comes again
    second_offer = await seller.expect("error.use_buttons")
    assert visible(seller.texts.plural("storefront.resume", 2)) in second_offer.text
    answers = await double_tap(seller, second_offer.message_id, "sf:resume:go")
    assert answers.count(seller.texts("error.stale_button")) == 1
    await user.next_edit()
    await seller.ask("contact_name")
    await seller.type_answer("Asha", "phone")
    # The first offer's Start afresh, pressed now, wipes nothing.
    query = await user.press(first_offer, "sf:resume:new")
    assert (await user.callback_answer(query)).text == seller.texts("error.stale_button")
    draft = app.bot_data[SERVICES].store.draft(4003, "storefront")
    assert draft is not None and draft["answers"]["name"] == "Asha Bakes"


async def test_a_new_storefronts_buttons_wait_while_another_is_edited(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller, card = await opened(server, 4004)
    [shop] = shops(app, 4004)
    user = seller.user
    await seller.start_storefront()
    question = await seller.type_answer("Second", "categories")
    question = await seller.tap(question, "sf:cat:done", "contact_name")
    assert "sf:back:contact_name" in question.button_data
    await seller.press(card, f"sf:edits:{shop.id}")
    picker = await user.next_edit()
    await seller.press(picker, f"sf:ed:{shop.id}:name")
    await user.next_edit()
    await seller.ask("name")
    # Back on the new storefront's question is stale while the edit waits for its answer.
    query = await user.press(question, "sf:back:contact_name")
    assert (await user.callback_answer(query)).text == seller.texts("error.stale_button")
    await user.send_text("Sharma Kirana, Baner")
    await seller.expect("storefront.saved")
    await seller.expect("stores.card_title", name="Sharma Kirana, Baner")
    assert app.bot_data[SERVICES].store.shop_of(4004, shop.id).name == "Sharma Kirana, Baner"


async def test_editing_billing_asks_the_other_business_again(
    server: TelegramTestServer, app: BotApplication
) -> None:
    gateway: BrokenGateway = app.bot_data[SERVICES].gateway
    seller, card = await opened(server, 4005)
    [shop] = shops(app, 4005)
    user = seller.user
    a = Answers()
    await seller.press(card, f"sf:edits:{shop.id}")
    picker = await user.next_edit()
    await seller.press(picker, f"sf:ed:{shop.id}:billing")
    await user.next_edit()
    question = await seller.expect("storefront.ask.billing", legal_name=a.legal_name, gstin=a.gstin)
    question = await seller.tap(question, "sf:bill:other", "billing_legal_name")
    question = await seller.type_answer("Kumar Franchise LLP", "billing_incorporation_type")
    await seller.tap(question, "sf:inc:LLP", "billing_gstin")
    await seller.type_answer("27AAPFU0939F1ZV", "billing_pan")
    await seller.type_answer("AAPFU0939F", "billing_account_number")
    await seller.type_answer("987654321098", "billing_ifsc")
    await user.send_text("HDFC0004321")
    await seller.expect("storefront.saved")
    card = await seller.expect("stores.card_title", name=shop.name)
    stored = await gateway.get_storefront(shop.gateway_storefront_id)
    assert stored.billing_details.legal_details.incorporation_name == "Kumar Franchise LLP"

    # Billing again, other again: each detail is asked with its answer shown and Keep.
    await seller.press(card, f"sf:edits:{shop.id}")
    picker = await user.next_edit()
    await seller.press(picker, f"sf:ed:{shop.id}:billing")
    await user.next_edit()
    question = await seller.expect("storefront.ask.billing", legal_name=a.legal_name, gstin=a.gstin)
    question = await seller.tap(question, "sf:bill:other", "billing_legal_name")
    assert "Now: Kumar Franchise LLP" in question.text
    question = await seller.type_answer("Kumar Foods LLP", "billing_incorporation_type")
    for field in ("billing_gstin", "billing_pan", "billing_account_number", "billing_ifsc"):
        await seller.press(question, f"sf:keep:{question.button_data[-1].rsplit(':', 1)[1]}")
        await user.next_edit()
        question = await seller.ask(field)
    await seller.press(question, "sf:keep:billing_ifsc")
    await user.next_edit()
    await seller.expect("storefront.saved")
    stored = await gateway.get_storefront(shop.gateway_storefront_id)
    assert stored.billing_details.legal_details.incorporation_name == "Kumar Foods LLP"
    assert stored.billing_details.bank_account.ifsc_code == "HDFC0004321"


async def test_a_changed_answer_after_a_lost_create_makes_one_storefront(
    server: TelegramTestServer, app: BotApplication
) -> None:
    gateway: BrokenGateway = app.bot_data[SERVICES].gateway
    seller = Storekeeper(server.user(4006, "Hema", language_code="en"))
    user = seller.user
    await seller.registered()
    review = await seller.open_with_presets()
    gateway.answers_lost.add("create_storefront")
    await seller.press(review, "sf:ok")
    await seller.expect("error.gateway_unavailable")
    gateway.answers_lost.clear()
    await seller.press(review, "sf:fix:name")
    await user.next_edit()
    await seller.ask("name")
    await user.send_text("Hema Stores")
    review = await seller.expect("storefront.review.title")
    await seller.create(review, "Hema Stores")
    [shop] = shops(app, 4006)
    assert (await gateway.get_storefront(shop.gateway_storefront_id)).name == "Hema Stores"
    engine = app.bot_data[SERVICES].store.engine
    from sqlmodel import Session, select

    from bot.gateways.local import LocalStorefront

    with Session(engine) as session:
        assert len(session.exec(select(LocalStorefront)).all()) == 1


async def test_an_edit_that_cannot_start_leaves_a_new_storefront_going(
    server: TelegramTestServer, app: BotApplication
) -> None:
    gateway: BrokenGateway = app.bot_data[SERVICES].gateway
    seller, card = await opened(server, 4007)
    [shop] = shops(app, 4007)
    user = seller.user
    await seller.start_storefront()
    categories = await seller.type_answer("Second shop", "categories")
    await seller.press(card, f"sf:edits:{shop.id}")
    picker = await user.next_edit()
    gateway.failures["get_storefront"] = Unavailable("timeout")
    await seller.press(picker, f"sf:ed:{shop.id}:name")
    await seller.expect("error.gateway_unavailable_read")
    del gateway.failures["get_storefront"]
    await seller.tap(categories, "sf:cat:done", "contact_name")


async def test_button_labels_show_values_as_typed(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller = Storekeeper(server.user(4009, "Asha", language_code="en"))
    await seller.registered(Answers(ifsc="PSIB0000123"))
    await seller.start_storefront()
    question = await seller.through_location(Shop())
    question = await seller.tap(question, "sf:km:5", "hours")
    a = Answers()
    question = await seller.tap(
        question, "sf:hrs:24h", "billing", legal_name=a.legal_name, gstin=a.gstin
    )
    question = await seller.tap(
        question, "sf:bill:same", "registered_address", address=Shop().address
    )
    question = await seller.tap(question, "sf:reg:same", "bank_name")
    assert ("Use Punjab & Sind Bank", "sf:bank:ifsc") in question.buttons


async def test_leaving_the_location_question_takes_its_keyboard_away(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller, card = await opened(server, 4011)
    [shop] = shops(app, 4011)
    user = seller.user
    await seller.press(card, f"sf:edits:{shop.id}")
    picker = await user.next_edit()
    await seller.press(picker, f"sf:ed:{shop.id}:location")
    await user.next_edit()
    await seller.ask("location")
    assert user.reply_keyboard is not None
    await user.send_text("/newstore")
    await seller.expect("storefront.intro")
    await seller.ask("name")
    assert user.reply_keyboard is None
    assert app.bot_data[SERVICES].store.draft(4011, "storefront_edit") is None


async def test_setting_each_day_can_go_back_to_the_choices(
    server: TelegramTestServer, app: BotApplication
) -> None:
    seller = Storekeeper(server.user(4012, "Asha", language_code="en"))
    user = seller.user
    await seller.registered()
    await seller.start_storefront()
    question = await seller.through_location(Shop())
    question = await seller.tap(question, "sf:km:5", "hours")
    await seller.press(question, "sf:hrs:days")
    await user.next_edit()
    monday = await user.next_message()
    await user.send_text("9-5")
    tuesday = await user.next_message()
    await seller.press(tuesday, "sf:day:presets:tuesday")
    await user.next_edit()
    question = await seller.ask("hours")
    a = Answers()
    await seller.tap(question, "sf:hrs:24h", "billing", legal_name=a.legal_name, gstin=a.gstin)
    query = await user.press_data(monday.message_id, "sf:day:closed:monday")  # long gone
    assert (await user.callback_answer(query)).text == seller.texts("error.stale_button")


async def test_an_edit_the_marketplace_could_not_save_is_asked_again(
    server: TelegramTestServer, app: BotApplication
) -> None:
    gateway: BrokenGateway = app.bot_data[SERVICES].gateway
    seller, card = await opened(server, 4013)
    [shop] = shops(app, 4013)
    user = seller.user
    await seller.press(card, f"sf:edits:{shop.id}")
    picker = await user.next_edit()
    await seller.press(picker, f"sf:ed:{shop.id}:city")
    await user.next_edit()
    await seller.ask("city")
    gateway.failures["update_storefront"] = Unavailable("timeout")
    await user.send_text("Pimpri")
    question = await seller.expect_noted("error.gateway_unavailable", "storefront.ask.city")
    assert "Now: Pimpri" in question.text
    del gateway.failures["update_storefront"]
    await seller.press(question, "sf:keep:city")
    await user.next_edit()
    await seller.expect("storefront.saved")
    stored = await gateway.get_storefront(shop.gateway_storefront_id)
    assert stored.pickup_details.pickup_city == "Pimpri"
