"""Low-stock alerts: when orders bring an item's stock to its level, the seller gets one message
naming it, with Set stock and Open buttons.

The store marks the alert due in the same transaction that moves the order and its stock
(store.move_alert); it is sent right after the seller's own press, and otherwise (a buyer's
cancellation, a send that failed) by the orders watcher at its next tick, paced with the
order alerts of the same chat.
"""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.context import BotContext
from bot.storage.models import Product
from bot.ui import callback, inline

log = logging.getLogger(__name__)


def low_stock_text(context: BotContext, product: Product, language: str | None) -> str:
    texts = context.i18n.texts(language)
    shop = context.store.shop_of_id(product.shop_id)
    params = {"name": product.name, "shop": shop.name if shop else ""}
    if product.stock == 0:
        return texts("stock.out", **params)
    return texts(
        "stock.low",
        stock=texts.number(product.stock),
        level=texts.number(product.low_stock_at or 0),
        **params,
    )


async def tell(context: BotContext, product: Product, chat_id: int) -> None:
    """Sends one low-stock alert, if it is still due: it is claimed first (so the seller's
    press and the watcher never both send it) and read afresh (a restock meanwhile cancels it).
    A send that fails makes it due again; a crash right after the claim loses it (a warning,
    unlike an order alert, is better missed than doubled)."""
    current = context.store.claim_low_stock(product.id or 0)
    if current is None:
        return
    language = context.store.language_of(chat_id)
    texts = context.i18n.texts(language)
    pid = str(current.id)
    rows = [
        [
            (texts("button.stock_set"), callback("it", "set", pid)),
            (texts("button.open_item"), callback("it", "open", pid)),
        ]
    ]
    try:
        await context.bot.send_message(
            chat_id, low_stock_text(context, current, language), reply_markup=inline(rows)
        )
    except TelegramError:
        context.store.unclaim_low_stock(current.id or 0)
        raise
    log.info("item %s: low stock (%s) told to chat %s", current.id, current.stock, chat_id)


def due_by_chat(context: BotContext) -> dict[int, list[Product]]:
    due: dict[int, list[Product]] = {}
    for product, chat_id in context.store.low_stock_due():
        due.setdefault(chat_id, []).append(product)
    return due
