"""Each language end to end: a seller whose Telegram app speaks it registers, opens a storefront
and gets an order alert in it, with the command menu in it too (issue 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n import I18n
from tests.e2e.bot_process import BotProcess
from tests.e2e.seller import Answers, visible
from tests.e2e.storekeeper import Shop
from tests.e2e.telegram_server import TelegramTestServer
from tests.e2e.test_products import Merchant, seed_products

I18N = I18n()


@pytest.mark.parametrize("code", I18N.languages)
async def test_register_and_get_an_order_alert_in_each_language(
    server: TelegramTestServer, tmp_path: Path, code: str
) -> None:
    bot = BotProcess(server, tmp_path / "data", SELLERBOT_ORDER_POLL_SECONDS="0.3")
    await bot.start()
    telegram_id = 7300 + I18N.languages.index(code)
    seller = Merchant(server.user(telegram_id, "Asha", language_code=code), code)
    user, texts = seller.user, seller.texts

    picker = await seller.start_new()
    assert picker.button_data[0] == f"lang:set:{code}", "the app's language is offered first"
    assert picker.buttons[0][0] == I18N.native_name(code)
    await seller.pick_language(picker)
    answers = Answers()
    await seller.confirm(await seller.answer_all(answers), answers.display_name)
    await seller.create(await seller.open_with_presets(), Shop().name)
    commands = server.commands(language_code=code)
    assert commands and commands[0]["description"] == texts("command.start")

    [butter] = await seed_products(bot, telegram_id, ["Amul Butter"])
    order = bot.simulate_order("--seller-telegram-id", str(telegram_id), "--cod")
    alert = await user.next_message()
    assert order.stdout.strip()[:8].upper() in alert.text and "Amul Butter" in alert.text
    assert texts.money(butter.price) in alert.text
    assert visible(texts("order.card.cod")) in alert.text
    new = visible(texts("order.card.stage", stage=texts("order.stage.new")))
    assert new in alert.text
    assert [label for label, _ in alert.buttons] == [
        texts("order.action.accept"),
        texts("order.action.reject"),
    ]
    await seller.press(alert, texts("order.action.accept"))
    accepted = await user.next_edit()
    assert visible(texts("order.card.stage", stage=texts("order.stage.accepted"))) in accepted.text
    assert await bot.stop() == 0, bot.log()
    server.assert_no_errors()
    assert server.unanswered_callback_queries() == []
