"""Delivering what waits in the outbox (bot/outbox.py): a repeating job hands the waiting
catalogue writes to the marketplace, oldest first, and tells each seller, in one message, which
items are now published and which the marketplace did not take."""

from __future__ import annotations

import logging
from collections import defaultdict

from telegram.error import TelegramError
from telegram.ext import Application

from bot.cards import fitted
from bot.context import BotContext
from bot.i18n import Texts
from bot.outbox import Delivered, Kind

log = logging.getLogger(__name__)

JOB_NAME = "outbox"


def settled_text(settled: list[Delivered], texts: Texts) -> str:
    """One message for one seller: an item's latest write says what became of it."""
    published: dict[str, str] = {}
    refused: dict[str, str] = {}
    for done in settled:
        write = done.write
        key = f"{write.storefront_id}/{write.catalogue_item_id.lower()}"
        if done.refused is not None:
            published.pop(key, None)
            refused[key] = texts("outbox.line.item", name=write.label)
            continue
        refused.pop(key, None)  # a later write of the item got through
        if write.kind == Kind.STOCK:
            line = texts(
                "outbox.line.stock",
                name=write.label,
                stock=texts.number(int(write.body["quantity"])),
            )
            published[key] = line
        elif write.kind == Kind.DELETE:
            published[key] = texts("outbox.line.deleted", name=write.label)
        else:
            published[key] = texts("outbox.line.item", name=write.label)
    # What the seller must act on first: if the list is cut, published lines go.
    lines = [texts("outbox.refused"), *refused.values()] if refused else []
    if published:
        lines += [*([""] if lines else []), texts("outbox.published"), *published.values()]
    return fitted([], lines, [])


async def deliver_waiting(context: BotContext) -> None:
    settled = await context.outbox.deliver()
    by_chat: dict[int, list[Delivered]] = defaultdict(list)
    for done in settled:
        by_chat[done.write.chat_id].append(done)
    for chat_id, done in by_chat.items():
        texts = context.i18n.texts(context.store.language_of(chat_id))
        try:
            await context.bot.send_message(chat_id, settled_text(done, texts))
        except TelegramError as failure:  # blocked or gone: the writes are made all the same
            log.warning("chat %s not told of %d published writes: %s", chat_id, len(done), failure)


def watch(application: Application, every_seconds: float) -> None:
    assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
    application.job_queue.run_repeating(
        deliver_waiting,
        interval=every_seconds,
        first=every_seconds,
        name=JOB_NAME,
        job_kwargs={"max_instances": 1},
    )
