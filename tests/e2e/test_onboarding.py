"""Seller registration end to end: the real bot process, over HTTP, against the test server."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.e2e.bot_process import BotProcess
from tests.e2e.seller import I18N, Answers, Seller, visible
from tests.e2e.telegram_server import TelegramTestServer


async def test_full_registration_in_english(server: TelegramTestServer, bot: BotProcess) -> None:
    user = server.user(1001, "Asha", language_code="en")
    seller = Seller(user, "en")
    review = await seller.register()
    a = Answers()
    for value in (a.display_name, a.legal_name, a.gstin, a.pan, a.fssai, a.ifsc, a.phone, a.email):
        assert value in review.text
    assert "Grocery" in review.text and "Fashion" in review.text
    assert "ob:edit:gstin" in review.button_data

    await seller.confirm(review, a.display_name)

    ours, theirs = await bot.registered_seller(1001)
    assert (ours.display_name, ours.phone, ours.email) == (a.display_name, a.phone, a.email)
    assert theirs.name == a.display_name and theirs.legal_entity_name == a.legal_name
    assert theirs.gst_number == a.gstin and theirs.pan_number == a.pan
    assert theirs.categories == ["Grocery", "Fashion"] and theirs.fssai_number == a.fssai
    assert theirs.bank_account.account_number == a.account_number
    assert theirs.incorporation_type == "SP"

    # A returning seller gets the main menu, not registration again.
    await user.send_text("/start")
    menu = await seller.expect("menu.title")
    await seller.press(menu, "menu:profile")
    profile = await seller.expect("menu.profile_title")
    assert a.gstin in profile.text and a.phone in profile.text


async def test_full_registration_in_hindi(server: TelegramTestServer, bot: BotProcess) -> None:
    user = server.user(1002, "आशा", language_code="hi")
    seller = Seller(user, "hi")
    picker = await seller.start_new()
    assert picker.button_data[0] == "lang:set:hi", "the app's language is offered first"
    assert picker.text == visible(I18N.texts("hi")("language.choose"))
    question = await seller.pick_language(picker)
    assert question.text.endswith(visible(I18N.texts("hi")("onboarding.ask.display_name")))
    await user.send_text("/cancel")
    await user.next_message()
    await user.send_text("/start")
    await seller.expect_noted("onboarding.welcome", "onboarding.ask.display_name")
    a = Answers(display_name="शर्मा किराना", incorporation_type="PRLC", categories=["RET12"])
    review = await seller.answer_all(a)
    assert "FSSAI" not in review.text  # fashion only: no FSSAI licence asked or shown
    await seller.confirm(review, a.display_name)
    _, theirs = await bot.registered_seller(1002)
    assert theirs.name == "शर्मा किराना" and theirs.fssai_number is None
    assert server.commands(language_code="hi") is not None
    chat_menu = server.commands(scope={"type": "chat", "chat_id": 1002})
    assert chat_menu and chat_menu[0]["description"] == I18N.texts("hi")("command.start")


async def test_wrong_answers_are_explained_and_asked_again(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    user = server.user(1003, "Ravi", language_code="en")
    seller = Seller(user, "en")
    await seller.pick_language(await seller.start_new())
    await seller.refused("x" * 5000, "error.name_too_long", "display_name", max=100)
    await seller.refused("🛒🛍️✨", "error.name_no_letters", "display_name")
    await user.send_photo(b"not really a photo")
    await seller.expect_noted("error.type_text", "onboarding.ask.display_name")
    await seller.type("Ravi & Co <Chennai>", "onboarding.ask.legal_name")
    question = await seller.type("Ravi Traders", "onboarding.ask.incorporation_type")
    await user.send_text("sole proprietor")  # typed instead of tapped
    question = await seller.expect_noted("error.use_buttons", "onboarding.ask.incorporation_type")
    await seller.choose_incorporation(question, "SP")
    await seller.refused("27AAPFU0939F1ZX", "error.gstin_invalid", "gstin")  # bad check digit
    await seller.type("27aapfu0939f1zv", "onboarding.ask.pan")
    await seller.refused("ABCPK1234M", "error.pan_mismatch", "pan", expected="AAPFU0939F")
    question = await seller.type("AAPFU0939F", "onboarding.ask.categories")
    await seller.press(question, "ob:cat:done")  # nothing picked yet
    question = await seller.choose_categories(question, ["RET11"], "onboarding.ask.fssai")
    await seller.refused("1234567890123", "error.fssai_invalid", "fssai")
    await seller.type("12345678901234", "onboarding.ask.account_number")
    await seller.refused("12-34", "error.account_invalid", "account_number")
    await seller.type("1234 5678 9012", "onboarding.ask.ifsc")
    await seller.refused("HDFC00109202", "error.ifsc_invalid", "ifsc")
    await seller.type("hdfc0001234", "onboarding.ask.phone")
    await user.send_text("9812345678")
    await seller.expect_noted("error.share_contact", "onboarding.ask.phone")
    await user.send_contact("+919800000001", own=False)
    await seller.expect_noted("error.not_your_contact", "onboarding.ask.phone")
    await user.send_contact("+15551234567", own=True)
    await seller.expect_noted("error.phone_not_indian", "onboarding.ask.phone")
    await seller.share_phone()
    await seller.refused("asha@", "error.email_invalid", "email")
    question = await seller.type("asha@example.com", "onboarding.review.title")
    assert "Ravi &amp; Co" not in question.text and "Ravi & Co <Chennai>" in question.text


async def test_skip_email_and_edit_from_the_review_card(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    user = server.user(1004, "Meena", language_code="en")
    seller = Seller(user, "en")
    a = Answers(categories=["RET12"])
    await seller.pick_language(await seller.start_new())
    review = await seller.answer_all(a, skip_email=True)

    # A new GSTIN with another PAN: the old PAN no longer matches, so it is asked again.
    await seller.press(review, "ob:edit:gstin")
    await user.next_edit()
    question = await seller.expect("onboarding.ask.gstin")
    assert "27AAPFU0939F1ZV" in question.text  # the current value is shown
    await seller.type("33ABCPK1234M1ZX", "onboarding.ask.pan")
    review = await seller.type("ABCPK1234M", "onboarding.review.title")

    # Adding groceries makes the FSSAI licence required.
    await seller.press(review, "ob:edit:categories")
    await user.next_edit()
    question = await seller.expect("onboarding.ask.categories")
    question = await seller.choose_categories(question, ["RET10"], "onboarding.ask.fssai")
    review = await seller.type("12345678901234", "onboarding.review.title")

    # Keep as it is: straight back to the review card.
    await seller.press(review, "ob:edit:display_name")
    await user.next_edit()
    question = await seller.expect("onboarding.ask.display_name")
    await seller.press(question, "ob:keep:display_name")
    await user.next_edit()
    review = await seller.expect("onboarding.review.title")

    await seller.confirm(review, a.display_name)
    ours, theirs = await bot.registered_seller(1004)
    assert theirs.gst_number == "33ABCPK1234M1ZX" and theirs.pan_number == "ABCPK1234M"
    assert theirs.categories == ["Grocery", "Fashion"] and theirs.fssai_number == "12345678901234"
    assert ours.email is None

    # The review card's buttons are gone; a crafted press on it is refused, not acted on.
    query = await user.press_data(review.message_id, "ob:ok")
    answer = await user.callback_answer(query)
    assert answer.text == I18N.texts("en")("error.stale_button")


async def test_cancel_keeps_the_answers(server: TelegramTestServer, bot: BotProcess) -> None:
    user = server.user(1005, "Kiran", language_code="en")
    seller = Seller(user, "en")
    await seller.pick_language(await seller.start_new())
    await seller.type("Kiran Bakes", "onboarding.ask.legal_name")
    await seller.type("Kiran Foods", "onboarding.ask.incorporation_type")
    await user.send_text("/cancel")
    cancelled = await user.next_message()
    assert cancelled.text == visible(I18N.texts("en").plural("onboarding.cancelled", 2))
    await user.send_text("/cancel")
    await seller.expect("menu.nothing_to_cancel")
    await user.send_text("/start")
    await seller.expect_noted("onboarding.welcome_back", "onboarding.ask.incorporation_type")


async def test_language_can_change_mid_registration(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    user = server.user(1006, "Dev", language_code="en")
    seller = Seller(user, "en")
    await seller.pick_language(await seller.start_new())
    await seller.type("Dev Stores", "onboarding.ask.legal_name")
    await user.send_text("/language")
    picker = await user.next_message()
    await seller.press(picker, "lang:set:hi")
    await user.next_edit()
    seller.language = "hi"
    await seller.expect("onboarding.ask.legal_name")
    await seller.type("Dev Traders", "onboarding.ask.incorporation_type")
    chat_menu = server.commands(scope={"type": "chat", "chat_id": 1006})
    assert chat_menu and chat_menu[0]["description"] == I18N.texts("hi")("command.start")


async def test_help_and_unknown_messages(server: TelegramTestServer, bot: BotProcess) -> None:
    user = server.user(1007, "Anu", language_code="en")
    seller = Seller(user, "en")
    await user.send_text("/help")
    await seller.expect("help.text")
    await user.send_text("hello?")
    await seller.expect("menu.not_understood")
    assert [c["command"] for c in server.commands() or []] == [
        "start",
        "orders",
        "addproduct",
        "catalogue",
        "stock",
        "newstore",
        "stores",
        "help",
        "language",
        "cancel",
    ]
    assert server.commands(language_code="hi") is not None


async def test_restart_resumes_at_the_same_question(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    user = server.user(1008, "Lata", language_code="en")
    seller = Seller(user, "en")
    await seller.pick_language(await seller.start_new())
    await seller.type("Lata Stores", "onboarding.ask.legal_name")
    question = await seller.type("Lata Traders", "onboarding.ask.incorporation_type")
    assert await bot.stop() == 0  # SIGTERM: a graceful stop
    await bot.start()
    await seller.choose_incorporation(question, "LLP")
    question = await seller.type("27AAPFU0939F1ZV", "onboarding.ask.pan")
    question = await seller.type("AAPFU0939F", "onboarding.ask.categories")
    await seller.press(question, "ob:cat:RET12")
    question = await user.next_edit()
    assert await bot.stop() == 0  # with a category ticked but Done not yet tapped
    await bot.start()
    await seller.choose_categories(question, ["RET14"], "onboarding.ask.account_number")
    await seller.type("123456789012", "onboarding.ask.ifsc")
    await seller.type("SBIN0001234", "onboarding.ask.phone")
    await seller.share_phone()
    review = await seller.type("lata@example.com", "onboarding.review.title")
    assert await bot.stop() == 0
    await bot.start()
    await seller.confirm(review, "Lata Stores")
    _, theirs = await bot.registered_seller(1008)
    assert theirs.incorporation_type == "LLP"
    assert theirs.categories == ["Fashion", "Electronics"]


async def test_crash_loses_at_most_the_last_answer(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    user = server.user(1009, "Gita", language_code="en")
    seller = Seller(user, "en")
    await seller.pick_language(await seller.start_new())
    await seller.type("Gita Stores", "onboarding.ask.legal_name")
    question = await seller.type("Gita Traders", "onboarding.ask.incorporation_type")
    await bot.kill()  # SIGKILL right after the question arrived: no shutdown code runs
    await bot.start()
    # The question the seller saw is still the one the bot is waiting for.
    await seller.choose_incorporation(question, "OPC")
    await bot.kill()
    await bot.start()
    await seller.type("27AAPFU0939F1ZV", "onboarding.ask.pan")
    question = await seller.type("AAPFU0939F", "onboarding.ask.categories")
    await seller.choose_categories(question, ["RET12"], "onboarding.ask.account_number")
    await seller.type("123456789012", "onboarding.ask.ifsc")
    await bot.kill()
    await bot.start()
    await seller.type("SBIN0001234", "onboarding.ask.phone")
    await seller.share_phone()
    review = await seller.type("gita@example.com", "onboarding.review.title")
    await bot.kill()
    await bot.start()
    await seller.confirm(review, "Gita Stores")
    ours, theirs = await bot.registered_seller(1009)
    assert ours.email == "gita@example.com"
    assert (theirs.name, theirs.incorporation_type, theirs.gst_number) == (
        "Gita Stores",
        "OPC",
        "27AAPFU0939F1ZV",
    )


async def test_registration_on_each_database(
    server: TelegramTestServer, database_url: str, tmp_path: Path
) -> None:
    """The bot on SQLite and, when SELLERBOT_TEST_POSTGRES_URL is set, on PostgreSQL."""
    bot = BotProcess(server, tmp_path / "data", SELLERBOT_DATABASE_URL=database_url)
    await bot.start()
    user = server.user(1010, "Pooja", language_code="en")
    seller = Seller(user, "en")
    await seller.confirm(await seller.register(), Answers().display_name)
    await bot.kill()
    await bot.start()  # state and data come back from that database
    await user.send_text("/start")
    await seller.expect("menu.title")
    _, theirs = await bot.registered_seller(1010)
    assert theirs.gst_number == Answers().gstin
    assert await bot.stop() == 0
    server.assert_no_errors()


async def test_back_goes_to_the_previous_question_and_returns(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    user = server.user(1011, "Usha", language_code="en")
    seller = Seller(user, "en")
    question = await seller.pick_language(await seller.start_new())
    assert question.buttons == []  # nothing before the first question, nothing to keep
    await seller.type("Usha Stores", "onboarding.ask.legal_name")
    question = await seller.type("Usha Traders", "onboarding.ask.incorporation_type")
    await seller.press(question, "ob:back:incorporation_type")
    await user.next_edit()  # the question left behind loses its buttons
    # A second tap on that Back (sent before its buttons went) does not go back again.
    stale = await user.press_data(question.message_id, "ob:back:incorporation_type")
    assert (await user.callback_answer(stale)).text == seller.texts("error.stale_button")
    question = await seller.expect("onboarding.ask.legal_name")
    assert "Usha Traders" in question.text  # the answer so far is shown
    assert {"ob:keep:legal_name", "ob:back:legal_name"} <= set(question.button_data)
    question = await seller.type("Usha Trading Co", "onboarding.ask.incorporation_type")
    await seller.choose_incorporation(question, "SP")
    question = await seller.type("27AAPFU0939F1ZV", "onboarding.ask.pan")
    await seller.press(question, "ob:back:pan")
    await user.next_edit()
    question = await seller.expect("onboarding.ask.gstin")
    await seller.press(question, "ob:keep:gstin")  # unchanged: back to where the seller was
    await user.next_edit()
    await seller.expect("onboarding.ask.pan")
    draft = bot.stored_draft(1011)
    assert draft is not None and draft["answers"]["legal_name"] == "Usha Trading Co"


async def test_a_double_tap_on_the_language_picker_acts_once(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    user = server.user(1012, "Tara", language_code="en")
    seller = Seller(user, "en")
    picker = await seller.start_new()
    first, second = await asyncio.gather(
        user.press(picker, "lang:set:en"), user.press(picker, "lang:set:en")
    )
    await user.callback_answer(first)
    await user.callback_answer(second)
    await user.next_edit()
    await seller.expect_noted("onboarding.welcome", "onboarding.ask.display_name")
    await user.send_text("Tara Stores")
    await seller.expect("onboarding.ask.legal_name")  # and no second question in between


async def test_an_update_delivered_again_after_a_crash_is_not_applied_twice(
    server: TelegramTestServer, bot: BotProcess
) -> None:
    user = server.user(1013, "Rekha", language_code="en")
    seller = Seller(user, "en")
    await seller.pick_language(await seller.start_new())
    await seller.type("Rekha Stores", "onboarding.ask.legal_name")
    await bot.kill()
    # Telegram never got the confirmation of the last update: it offers "Rekha Stores" again.
    server.redeliver_confirmed(1)
    await bot.start()
    # Taken as the legal name it would skip a question; skipped, the answers stay in step.
    await seller.type("Rekha Traders", "onboarding.ask.incorporation_type")
    draft = bot.stored_draft(1013)
    assert draft is not None
    assert draft["answers"]["legal_name"] == "Rekha Traders"
    assert draft["asking"] == "incorporation_type"
