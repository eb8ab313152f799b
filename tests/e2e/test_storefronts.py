"""Storefronts end to end: the real bot process, over HTTP, against the test server."""

from __future__ import annotations

from bot.gateways.base import StorefrontStatus
from tests.e2e.bot_process import BotProcess
from tests.e2e.seller import Answers, visible
from tests.e2e.storekeeper import Shop, Storekeeper
from tests.e2e.telegram_server import ChatMessage, TelegramTestServer


async def test_storefront_by_presets(server: TelegramTestServer, bot: BotProcess) -> None:
    seller = Storekeeper(server.user(2001, "Asha", language_code="en"))
    await seller.registered()
    review = await seller.open_with_presets()
    for shown in ("Sharma Kirana, Kothrud", "411038", "Pune", "Maharashtra", "5 km"):
        assert shown in review.text
    assert "9 am – 9 pm, every day" in review.text

    card = await seller.create(review, "Sharma Kirana, Kothrud")

    assert "Taking orders" in card.text
    [(shop, stored)] = await bot.storefronts(2001)
    a = Answers()
    assert stored.name == shop.name == "Sharma Kirana, Kothrud"
    assert stored.categories == ["Grocery", "Fashion"]
    pickup = stored.pickup_details
    assert (pickup.pickup_phone, pickup.email) == (a.phone, a.email)
    assert (pickup.pickup_pincode, pickup.pickup_state) == ("411038", "Maharashtra")
    assert (pickup.pickup_lat, pickup.pickup_long) == ("18.507400", "73.807700")
    assert stored.serviceability.radius == 5
    monday = stored.business_hours.monday or []
    assert [(s.opening.hour, s.closing.hour) for s in monday] == [(9, 21)]
    billing = stored.billing_details
    assert billing.legal_details.gstin == a.gstin
    assert billing.legal_details.incorporation_name == a.legal_name
    assert billing.bank_account.bank_name == "State Bank of India"
    assert billing.registered_address.pincode == 411038
    assert stored.status == StorefrontStatus.LIVE
    assert bot.stored_draft(2001, "storefront") is None


def day_question(seller: Storekeeper, day: str) -> str:
    return visible(seller.texts("storefront.ask.hours_day", day=day))


async def test_storefront_with_custom_hours_pincodes_and_other_billing(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    user = server.user(2002, "Ravi", language_code="en")
    seller = Storekeeper(user)
    await seller.registered()
    await seller.start_storefront()
    question = await seller.type_answer("Ravi Stores <Bhosari>", "categories")
    # A category the seller did not register for (F&B), from a crafted button: refused.
    query = await user.press_data(question.message_id, "sf:cat:RET11")
    answer = await user.callback_answer(query)
    assert answer.show_alert and answer.text == seller.texts("error.category_not_yours")
    await seller.press(question, "sf:cat:RET10")  # untick Grocery: Fashion only
    question = await user.next_edit()
    await seller.tap(question, "sf:cat:done", "contact_name")
    await seller.type_answer("Ravi Kumar", "phone")
    await seller.type_answer("98765 43210", "email")
    await seller.type_answer("ravi@example.com", "address")
    await seller.type_answer("Plot 7, Sector 10, Bhosari MIDC", "pincode")
    await seller.refused_answer("12345", "error.pincode_invalid", "pincode")
    await seller.refused_answer("000000", "error.pincode_invalid", "pincode")
    await seller.type_answer("411026", "city")
    await seller.type_answer("Pune", "state")
    await seller.type_answer("Maharastra", "location")  # misspelt, still matched
    await user.send_text("Bhosari, near the bus stop")  # text where a location is expected
    await seller.expect_noted("error.share_location", "storefront.ask.location")
    await user.send_text(seller.texts("button.no_location"))
    await seller.expect("storefront.no_location")
    area = await seller.ask("area")
    assert not any(data.startswith("sf:km:") for data in area.button_data), "no location, no km"
    await seller.refused_answer("5", "error.radius_needs_location", "area")
    await seller.refused_answer("411026, 12345", "error.pincodes_invalid", "area", bad="12345")
    question = await seller.type_answer("411026, 411018 411039", "hours")

    await seller.press(question, "sf:hrs:days")
    await user.next_edit()
    monday = await user.next_message()
    assert monday.text.startswith(day_question(seller, "Monday"))
    await user.send_text("9-1, 5-9")
    tuesday = await user.next_message()
    assert tuesday.text.startswith(day_question(seller, "Tuesday"))
    await seller.press(tuesday, "sf:day:same:tuesday")
    await user.next_edit()
    wednesday = await user.next_message()
    assert wednesday.text.startswith(day_question(seller, "Wednesday"))
    await user.send_text("21-9")  # closing before opening
    refused = await user.next_message()
    seller.says(refused, "error.slot_closing_before_opening", opening="21:00", closing="09:00")
    assert day_question(seller, "Wednesday") in refused.text
    await user.send_text("9-13, 12-17")  # overlapping slots
    refused = await user.next_message()
    seller.says(refused, "error.slots_overlap", first="09:00-13:00", second="12:00-17:00")
    for day in ("Thursday", "Friday", "Saturday", "Sunday"):
        await user.send_text("10am-7pm")
        question = await user.next_message()
        assert question.text.startswith(day_question(seller, day)), question.text
    # Wednesday's answer came after the refusals; Sunday is closed.
    await seller.press(question, "sf:day:closed:sunday")
    await user.next_edit()
    a = Answers()
    question = await seller.expect("storefront.ask.billing", legal_name=a.legal_name, gstin=a.gstin)
    question = await seller.tap(question, "sf:bill:other", "billing_legal_name")
    question = await seller.type_answer("Kumar Franchise LLP", "billing_incorporation_type")
    await seller.tap(question, "sf:inc:LLP", "billing_gstin")
    await seller.type_answer("27AAPFU0939F1ZV", "billing_pan")
    await seller.type_answer("AAPFU0939F", "billing_account_number")
    await seller.type_answer("987654321098", "billing_ifsc")
    await user.send_text("HDFC0004321")
    await seller.expect(
        "storefront.ask.registered_address", address="Plot 7, Sector 10, Bhosari MIDC"
    )
    await seller.type_answer("Office 3, FC Road, Shivajinagar", "registered_pincode")
    await seller.type_answer("411005", "registered_city")
    question = await seller.type_answer("Pune", "registered_state")
    question = await seller.tap(question, "sf:st:MH", "bank_name")
    assert ("Use HDFC Bank", "sf:bank:ifsc") in question.buttons
    await user.send_text("HDFC Bank Ltd")
    review = await seller.expect("storefront.review.title")
    assert "3 PIN codes: 411026, 411018, 411039" in review.text
    assert "Mon–Tue 09:00–13:00, 17:00–21:00" in review.text and "Sun closed" in review.text

    await seller.create(review, "Ravi Stores <Bhosari>")

    [(_, stored)] = await bot.storefronts(2002)
    assert stored.categories == ["Fashion"]
    assert stored.serviceability.pincodes == [411026, 411018, 411039]
    assert stored.pickup_details.pickup_lat is None
    assert stored.pickup_details.pickup_phone == "+919876543210"
    hours = stored.business_hours
    assert [(s.opening.hour, s.closing.hour) for s in hours.monday or []] == [(9, 13), (17, 21)]
    assert hours.tuesday == hours.monday
    assert [(s.opening.hour, s.closing.hour) for s in hours.wednesday or []] == [(10, 19)]
    assert not hours.sunday
    billing = stored.billing_details
    assert billing.legal_details.incorporation_name == "Kumar Franchise LLP"
    assert billing.legal_details.incorporation_type == "LLP"
    assert billing.bank_account.ifsc_code == "HDFC0004321"
    assert billing.bank_account.bank_name == "HDFC Bank Ltd"
    assert billing.registered_address.pincode == 411005
    assert billing.registered_address.address_line_1 == "Office 3, FC Road, Shivajinagar"


async def opened(server: TelegramTestServer, telegram_id: int) -> tuple[Storekeeper, ChatMessage]:
    """A registered seller with one storefront made by presets, and its card."""
    seller = Storekeeper(server.user(telegram_id, "Asha", language_code="en"))
    await seller.registered()
    card = await seller.create(await seller.open_with_presets(), Shop().name)
    return seller, card


async def test_edit_a_field_from_the_card(server: TelegramTestServer, bot: BotProcess) -> None:
    seller, card = await opened(server, 2003)
    [(shop, _)] = await bot.storefronts(2003)
    await seller.press(card, f"sf:edits:{shop.id}")
    picker = await seller.user.next_edit()
    assert f"sf:ed:{shop.id}:pincode" in picker.button_data
    await seller.press(picker, f"sf:ed:{shop.id}:pincode")
    await seller.user.next_edit()
    question = await seller.ask("pincode")
    assert "Now: 411038" in question.text and "sf:keep:pincode" in question.button_data
    await seller.refused_answer("0411038", "error.pincode_invalid", "pincode")
    await seller.user.send_text("411 052")
    await seller.expect("storefront.saved")
    card = await seller.expect("stores.card_title", name=shop.name)
    assert "411052" in card.text

    [(_, stored)] = await bot.storefronts(2003)
    assert stored.pickup_details.pickup_pincode == "411052"
    assert stored.name == shop.name and stored.serviceability.radius == 5  # the rest unchanged
    assert bot.stored_draft(2003, "storefront_edit") is None


async def test_pause_resume_and_delete(server: TelegramTestServer, bot: BotProcess) -> None:
    seller, card = await opened(server, 2004)
    user = seller.user
    [(shop, _)] = await bot.storefronts(2004)

    query = await user.press(card, f"sf:pause:{shop.id}")
    assert (await user.callback_answer(query)).text == seller.texts("stores.now_offline")
    card = await user.next_edit()
    assert seller.texts("stores.paused").split(":")[0] in card.text
    [(_, stored)] = await bot.storefronts(2004)
    assert stored.status == StorefrontStatus.OFFLINE
    # The old Pause button pressed again (a stale copy of the card): nothing changes.
    query = await user.press_data(card.message_id, f"sf:pause:{shop.id}")
    assert (await user.callback_answer(query)).text == seller.texts("stores.already_offline")

    query = await user.press(card, f"sf:resume:{shop.id}")
    assert (await user.callback_answer(query)).text == seller.texts("stores.now_live")
    card = await user.next_edit()
    [(_, stored)] = await bot.storefronts(2004)
    assert stored.status == StorefrontStatus.LIVE

    # An open order stops a delete, with the reason.
    order_id = await bot.place_order(shop.gateway_storefront_id)
    await seller.press(card, f"sf:del:{shop.id}")
    confirm = await user.next_edit()
    seller.says(confirm, "stores.delete_confirm", name=shop.name)
    query = await user.press(confirm, f"sf:delok:{shop.id}")
    answer = await user.callback_answer(query)
    assert answer.text == seller.texts.plural("stores.delete_refused_open_orders", 1)
    card = await user.next_edit()
    assert len(await bot.storefronts(2004)) == 1

    await bot.finish_order(shop.gateway_storefront_id, order_id)
    await seller.press(card, f"sf:del:{shop.id}")
    confirm = await user.next_edit()
    await seller.press(confirm, f"sf:delok:{shop.id}")
    gone = await user.next_edit()
    seller.says(gone, "stores.deleted", name=shop.name)
    assert await bot.storefronts(2004) == []
    await user.send_text("/stores")
    await seller.expect("stores.none")


async def test_another_seller_cannot_touch_a_storefront(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    await opened(server, 2005)
    [(shop, before)] = await bot.storefronts(2005)
    other = Storekeeper(server.user(2006, "Mallory", language_code="en"))
    await other.registered()
    await other.user.send_text("/stores")
    await other.expect("stores.none")
    hello = await other.user.send_text("hello")
    sid = shop.id
    for data in (
        f"sf:open:{sid}",
        f"sf:edits:{sid}",
        f"sf:ed:{sid}:name",
        f"sf:pause:{sid}",
        f"sf:resume:{sid}",
        f"sf:del:{sid}",
        f"sf:delok:{sid}",
    ):
        query = await other.user.press_data(hello.message_id, data)
        answer = await other.user.callback_answer(query)
        assert answer.text == other.texts("stores.not_found"), data
    await other.user.drain()
    [(_, after)] = await bot.storefronts(2005)
    assert after == before


async def test_several_storefronts_are_picked_by_name(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    seller, _ = await opened(server, 2007)
    second = Shop(name="Sharma Kirana, Aundh", address="4 ITI Road, Aundh", pincode="411007")
    await seller.create(await seller.open_with_presets(second), second.name)
    await seller.user.send_text("/stores")
    listing = await seller.user.next_message()
    assert listing.text == visible(seller.texts.plural("stores.list_title", 2))
    shops = await bot.storefronts(2007)
    assert [label for label, _ in listing.buttons] == [Shop().name, second.name]
    await seller.press(listing, f"sf:open:{shops[1][0].id}")
    card = await seller.user.next_edit()
    assert "4 ITI Road, Aundh" in card.text and "sf:list" in card.button_data


async def test_cancel_then_continue(server: TelegramTestServer, bot: BotProcess) -> None:
    seller = Storekeeper(server.user(2008, "Asha", language_code="en"))
    await seller.registered()
    await seller.start_storefront()
    question = await seller.type_answer("Asha Bakes", "categories")
    await seller.tap(question, "sf:cat:done", "contact_name")
    await seller.user.send_text("/cancel")
    stopped = await seller.user.next_message()
    assert stopped.text == visible(seller.texts.plural("storefront.cancelled", 2))
    await seller.user.send_text("Asha")  # no question is waiting now
    await seller.expect("menu.not_understood")

    await seller.user.send_text("/newstore")
    offer = await seller.user.next_message()
    assert offer.text == visible(seller.texts.plural("storefront.resume", 2))
    await seller.press(offer, "sf:resume:go")
    await seller.user.next_edit()
    await seller.ask("contact_name")
    await seller.type_answer("Asha", "phone")
    assert bot.stored_draft(2008, "storefront")["answers"]["name"] == "Asha Bakes"


async def test_restart_mid_way_resumes_at_the_question(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    seller = Storekeeper(server.user(2009, "Asha", language_code="en"))
    await seller.registered()
    await seller.start_storefront()
    categories = await seller.type_answer("Asha Bakes", "categories")
    await bot.restart()
    # The categories question still takes its Done, and the next answer, after the restart.
    await seller.tap(categories, "sf:cat:done", "contact_name")
    await seller.type_answer("Asha", "phone")
    draft = bot.stored_draft(2009, "storefront")
    assert draft is not None and draft["answers"]["contact_name"] == "Asha"
    assert draft["answers"]["categories"] == ["Grocery", "Fashion"]


async def test_storefront_in_hindi(server: TelegramTestServer, bot: BotProcess) -> None:
    user = server.user(2010, "आशा", language_code="hi")
    seller = Storekeeper(user, "hi")
    await seller.registered(Answers(display_name="शर्मा किराना"))
    await seller.start_storefront()
    question = await seller.type_answer("शर्मा किराना, कोथरूड", "categories")
    question = await seller.tap(question, "sf:cat:done", "contact_name")
    question = await seller.type_answer("आशा शर्मा", "phone")
    question = await seller.tap(question, "sf:use:phone", "email")
    await seller.tap(question, "sf:use:email", "address")
    await seller.type_answer("12, पौड रोड, कोथरूड", "pincode")
    await seller.type_answer("४११०३८", "city")  # Devanagari digits
    question = await seller.type_answer("पुणे", "state")
    assert ("महाराष्ट्र", "sf:st:MH") in question.buttons
    await seller.type_answer("महाराष्ट्र", "location")
    await user.send_text(seller.texts("button.no_location"))
    await seller.expect("storefront.no_location")
    await seller.ask("area")
    question = await seller.type_answer("411038, 411052", "hours")
    a = Answers()
    question = await seller.tap(
        question, "sf:hrs:10-20-no-sunday", "billing", legal_name=a.legal_name, gstin=a.gstin
    )
    review = await seller.billing_as_registered(question, Shop(address="12, पौड रोड, कोथरूड"))
    assert seller.texts("hours.preset.10-20-no-sunday") in review.text
    await seller.create(review, "शर्मा किराना, कोथरूड")
    [(_, stored)] = await bot.storefronts(2010)
    assert stored.pickup_details.pickup_pincode == "411038"
    assert stored.pickup_details.pickup_state == "Maharashtra"  # the gateway gets the English name
    assert stored.serviceability.pincodes == [411038, 411052]
    assert not stored.business_hours.sunday


async def test_language_change_mid_way_asks_again_in_the_new_language(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    user = server.user(2011, "Asha", language_code="en")
    seller = Storekeeper(user, "en")
    await seller.registered()
    await seller.start_storefront()
    await seller.type_answer("Asha Bakes", "categories")
    await user.send_text("/language")
    picker = await seller.expect("language.choose")
    await seller.press(picker, "lang:set:hi")
    await user.next_edit()
    hindi = Storekeeper(user, "hi")
    question = await hindi.ask("categories")
    await hindi.tap(question, "sf:cat:done", "contact_name")
