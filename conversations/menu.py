"""The main menu of a registered seller, /help, and answers to anything no conversation expects."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot.cards import seller_lines
from bot.context import BotContext
from bot.domain import registration
from bot.gateways.base import GatewayError
from bot.ui import PRIVATE_MESSAGE, callback, inline, say
from conversations.form import answer_stale
from conversations.language import show_picker

log = logging.getLogger(__name__)


async def show_main_menu(update: Update, context: BotContext) -> None:
    texts = context.texts
    rows = [
        [
            (texts("menu.add_product"), callback("menu", "addproduct")),
            (texts("menu.catalogue"), callback("menu", "catalogue")),
        ],
        [
            (texts("menu.new_storefront"), callback("menu", "newstore")),
            (texts("menu.storefronts"), callback("menu", "stores")),
        ],
        [(texts("menu.profile"), callback("menu", "profile"))],
        [
            (texts("menu.language"), callback("menu", "lang")),
            (texts("menu.help"), callback("menu", "help")),
        ],
    ]
    await say(update, texts("menu.title"), inline(rows))


async def show_help(update: Update, context: BotContext) -> None:
    await say(update, context.texts("help.text"))


async def show_profile(update: Update, context: BotContext) -> None:
    """The seller's details as the gateway has them, with the phone and email we keep."""
    texts = context.texts
    assert update.effective_user is not None
    seller = context.store.seller_of(update.effective_user.id)
    if seller is None:
        await say(update, texts("menu.not_registered"))
        return
    try:
        details = await context.gateway.get_seller(seller.gateway_seller_id)
    except GatewayError as failure:
        log.warning("profile of seller %s unavailable: %s", seller.id, failure)
        await say(update, texts("error.gateway_unavailable_read"))
        return
    answers = {
        **registration.from_gateway(details.model_dump()),
        "phone": seller.phone,
        "email": seller.email,
    }
    text = "\n".join([texts("menu.profile_title"), "", *seller_lines(answers, texts)])
    await say(update, text)


async def on_menu_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    action = query.data.split(":")[1]
    await query.answer()
    if action == "profile":
        await show_profile(update, context)
    elif action == "help":
        await show_help(update, context)
    else:
        await show_picker(update, context)


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    await say(update, context.texts("menu.nothing_to_cancel"))


async def not_understood(update: Update, context: BotContext) -> None:
    await say(update, context.texts("menu.not_understood"))


async def stale_button(update: Update, context: BotContext) -> None:
    """Every button press gets an answer, even one from a message that no longer applies."""
    assert update.callback_query is not None
    await answer_stale(update, context)


def handlers() -> list[BaseHandler]:
    """Commands and buttons outside any conversation; the catch-alls must come last."""
    return [
        CommandHandler("help", show_help, filters=PRIVATE_MESSAGE),
        CommandHandler("cancel", nothing_to_cancel, filters=PRIVATE_MESSAGE),
        CallbackQueryHandler(on_menu_button, pattern=r"^menu:(profile|help|lang)$"),
    ]


def catch_alls() -> list[BaseHandler]:
    return [
        MessageHandler(PRIVATE_MESSAGE, not_understood),
        CallbackQueryHandler(stale_button),
    ]
