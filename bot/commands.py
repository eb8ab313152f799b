"""The bot's command menu (/start, /help, ...) in every language, and per chat after /language."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat

from bot.i18n import I18n, Texts

COMMANDS = (
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
)


def command_menu(texts: Texts) -> list[BotCommand]:
    return [BotCommand(name, texts(f"command.{name}")) for name in COMMANDS]


async def publish_command_menus(bot: Bot, i18n: I18n) -> None:
    """One menu per language code, and the default language's for every other app language."""
    await bot.set_my_commands(command_menu(i18n.texts(i18n.default_language)))
    for code in i18n.languages:
        await bot.set_my_commands(command_menu(i18n.texts(code)), language_code=code)


async def set_chat_command_menu(bot: Bot, chat_id: int, texts: Texts) -> None:
    """After a seller picks a language, their chat's menu follows it, whatever the app says."""
    await bot.set_my_commands(command_menu(texts), scope=BotCommandScopeChat(chat_id))
