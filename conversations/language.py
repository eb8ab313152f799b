"""Choosing the seller's language: the picker, /language, and what a choice changes."""

from __future__ import annotations

import enum
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.commands import set_chat_command_menu
from bot.context import BotContext
from bot.i18n import I18n
from bot.ui import PRIVATE_MESSAGE, callback, in_rows, inline, say, with_note

log = logging.getLogger(__name__)

PICK_PATTERN = r"^lang:set:[a-z]{2,3}$"
USED_PICKER = "language_picker_used"


def picker(i18n: I18n, telegram_language: str | None) -> InlineKeyboardMarkup:
    """Every language in its own script, the Telegram app's language first."""
    buttons = [
        (i18n.native_name(code), callback("lang", "set", code))
        for code in i18n.picker_order(telegram_language)
    ]
    return inline(in_rows(buttons, 2))


async def show_picker(update: Update, context: BotContext, note: str = "") -> None:
    """The language picker, with `note` (e.g. why the last message was not understood) above."""
    prompt = with_note(note, context.texts("language.choose"))
    await say(update, prompt, picker(context.i18n, context.app_language))


class Choice(enum.Enum):
    """What a press on the picker did."""

    APPLIED = "applied"
    REFUSED = "refused"  # not a language we have (a crafted or outdated button)
    REPEATED = "repeated"  # a second press on a picker already used (a double tap)


async def apply_choice(update: Update, context: BotContext) -> Choice:
    """Stores the language a button names and confirms it on the picker."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    code = query.data.rsplit(":", 1)[1]
    if code not in context.i18n.languages:
        await query.answer(context.texts("error.stale_button"), show_alert=True)
        return Choice.REFUSED
    picker_id = query.message.message_id if query.message else None
    user_data = context.user_data
    assert user_data is not None  # every update here has a user
    # The picker says which language was picked once; editing it to the same words again
    # would be refused by Telegram ("message is not modified"). PTB's in-memory user_data is
    # enough here: a restart loses only this double-tap guard, not the language.
    if picker_id is not None and user_data.get(USED_PICKER) == picker_id:
        await query.answer()
        return Choice.REPEATED
    context.store.set_language(update.effective_user.id, code)
    texts = context.texts
    await query.answer()
    await query.edit_message_text(texts("language.chosen", language=context.i18n.native_name(code)))
    user_data[USED_PICKER] = picker_id  # only once it worked: a failed try can be retried
    try:
        await set_chat_command_menu(context.bot, update.effective_user.id, texts)
    except TelegramError as failure:  # the menu is a convenience; the language is chosen
        log.warning("command menu of chat %s not updated: %s", update.effective_user.id, failure)
    return Choice.APPLIED


async def on_language_button(update: Update, context: BotContext) -> None:
    await apply_choice(update, context)


def handlers() -> list[BaseHandler]:
    """/language and the picker's buttons, for use outside registration."""
    return [
        CommandHandler("language", show_picker, filters=PRIVATE_MESSAGE),
        CallbackQueryHandler(on_language_button, pattern=PICK_PATTERN),
    ]
