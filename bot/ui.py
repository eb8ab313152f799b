"""Building blocks for what a seller taps: callback data and keyboards."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import filters

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply

MAX_CALLBACK_BYTES = 64  # Telegram's limit on callback_data

# What the bot answers: new messages in private chats. An edit of an old message is not an
# answer to today's question, and groups are not where a seller runs a shop.
PRIVATE_MESSAGE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


def callback(*parts: str) -> str:
    """Callback data such as "ob:edit:gstin": a conversation prefix, a verb, then arguments."""
    data = ":".join(parts)
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def inline(rows: Iterable[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def in_rows(buttons: Sequence[tuple[str, str]], per_row: int) -> list[list[tuple[str, str]]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def with_note(note: str, text: str) -> str:
    """A message with a short note (a reason, a greeting) above its main text."""
    return f"{note}\n\n{text}" if note else text


async def say(update: Update, text: str, reply_markup: ReplyMarkup | None = None) -> Message:
    """Sends a new message to the chat an update came from."""
    chat = update.effective_chat
    assert chat is not None, "handlers run in private chats only"
    return await chat.send_message(text, reply_markup=reply_markup)
