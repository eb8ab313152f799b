"""Building blocks for what a seller taps: callback data and keyboards."""

from __future__ import annotations

import html
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

from telegram import (
    CallbackQuery,
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


def delete_rows(texts: Callable[[str], str], yes: str, no: str) -> list[list[tuple[str, str]]]:
    """The two buttons that confirm a deletion ("Yes, delete it") or keep the thing."""
    return [[(texts("button.delete_yes"), yes)], [(texts("button.delete_no"), no)]]


def in_rows(buttons: Sequence[tuple[str, str]], per_row: int) -> list[list[tuple[str, str]]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


MAX_MESSAGE_CHARS = 4096  # Telegram's limit on a message's text (after entity parsing)


def in_messages(lines: Sequence[str], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Lines joined into as few messages as fit Telegram's limit, never splitting a line (so
    never an HTML tag); a single line over the limit is cut at a word, its tags dropped."""
    messages: list[str] = []
    current = ""
    for line in lines:
        if len(line) > limit:
            line = _cut(_visible(line), limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit and current:
            messages.append(current)
            candidate = line
        current = candidate
    return [*messages, current] if current or not messages else messages


def _cut(text: str, limit: int) -> str:
    """Plain `text` cut at a word so that, escaped as HTML, it fits in `limit` characters."""
    keep = limit - 1
    while True:
        cut = html.escape(text[:keep].rsplit(" ", 1)[0] + "…", quote=False)
        if len(cut) <= limit:
            return cut
        keep -= len(cut) - limit


def with_note(note: str, text: str) -> str:
    """A message with a short note (a reason, a greeting) above its main text."""
    return f"{note}\n\n{text}" if note else text


async def say(update: Update, text: str, reply_markup: ReplyMarkup | None = None) -> Message:
    """Sends a new message to the chat an update came from."""
    chat = update.effective_chat
    assert chat is not None, "handlers run in private chats only"
    return await chat.send_message(text, reply_markup=reply_markup)


_TAG_RE = re.compile(r"<[^>]+>")

Shown = tuple[str | None, InlineKeyboardMarkup | None]


class ShownMessages:
    """What the bot last made each recently edited message show (kept by the bot, bot/app.py).

    Two quick taps each carry the message as it was before either was handled, so a press
    alone cannot tell that the first tap's edit already happened; updates are handled one at a
    time, so this can.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._shown: OrderedDict[tuple[int, int], Shown] = OrderedDict()
        self._size = size

    def get(self, key: tuple[int, int]) -> Shown | None:
        return self._shown.get(key)

    def remember(self, key: tuple[int, int], shown: Shown) -> None:
        self._shown[key] = shown
        self._shown.move_to_end(key)
        while len(self._shown) > self._size:
            self._shown.popitem(last=False)


def _visible(text_html: str) -> str:
    # What Telegram shows for our HTML (tags gone, entities decoded); our texts use only simple
    # tags, so this is exact enough to tell whether an edit would change anything.
    return html.unescape(_TAG_RE.sub("", text_html))


def _showing(query: CallbackQuery) -> tuple[ShownMessages | None, tuple[int, int], Shown]:
    message = query.message
    assert isinstance(message, Message), "our buttons are on messages the bot can see"
    key = (message.chat.id, message.message_id)
    shown: ShownMessages | None = getattr(query.get_bot(), "shown", None)
    as_sent = (message.text if message.text is not None else message.caption, message.reply_markup)
    text, markup = (shown.get(key) if shown else None) or as_sent
    return shown, key, (text, markup or None)


async def edit_in_place(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Edits the pressed message (its caption, for a photo) to `text` and `markup`, unless it
    shows them already (a second tap): Telegram refuses an edit that changes nothing."""
    shown, key, (shown_text, shown_markup) = _showing(query)
    if shown_text == _visible(text) and shown_markup == (markup or None):
        return
    message = query.message
    if isinstance(message, Message) and message.photo:
        await query.edit_message_caption(text, reply_markup=markup)
    else:
        await query.edit_message_text(text, reply_markup=markup)
    if shown is not None:
        shown.remember(key, (_visible(text), markup or None))


async def edit_markup_in_place(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Replaces the pressed message's buttons, unless they are those already."""
    shown, key, (shown_text, shown_markup) = _showing(query)
    if shown_markup == (markup or None):
        return
    await query.edit_message_reply_markup(markup)
    if shown is not None:
        shown.remember(key, (shown_text, markup or None))
