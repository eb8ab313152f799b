"""The baseline for bench/updates.py: a bare python-telegram-bot echo bot, long polling.

Default ApplicationBuilder settings (no rate limiter, no persistence, sequential update
processing); only the Bot API URL points at the benchmark's test server.

    ECHO_BOT_TOKEN=123:abc ECHO_BOT_API_URL=http://127.0.0.1:8081 python bench/echo_bot.py
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    await message.reply_text(message.text)


def main() -> None:
    api_url = os.environ["ECHO_BOT_API_URL"].rstrip("/")
    application = (
        Application.builder()
        .token(os.environ["ECHO_BOT_TOKEN"])
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
