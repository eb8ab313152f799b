"""New-order alerts: a repeating job asks the gateway for the orders changed since its cursor,
records an alert for each new one before anything is sent, then sends what is due.

Low-stock alerts (jobs/stock.py) due in a chat follow its order alerts.

No alert is lost and none is doubled: the alert row is written (and the cursor moved) before
the message is sent, and its message id right after; an alert whose send failed is sent at the
next tick. Messages to one chat are a second apart (Telegram's 1 per second per chat); the
bot's FloodLimiter (bot/ratelimit.py) keeps the total just under 30 a second and waits out a 429.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import defaultdict

from telegram.error import BadRequest, TelegramError
from telegram.ext import Application

from bot.cards import order_text
from bot.context import BotContext
from bot.domain import orders
from bot.gateways.base import GatewayError, OrderChange
from bot.jobs import stock
from bot.storage.models import OrderAlert, Product
from bot.ui import callback, inline

log = logging.getLogger(__name__)

JOB_NAME = "orders"
CURSOR = "gateway-orders"
PER_CHAT_SECONDS = 1.0
PAGE = 500  # changed orders asked for at a time


def order_buttons(alert: OrderAlert, texts: object) -> list[list[tuple[str, str]]]:
    """The next steps the order's stage offers, as buttons naming the alert."""
    stage = orders.stage_of(alert.state)
    return [
        [(texts(orders.action_key(action)), callback("ord", action.value, str(alert.id)))]  # type: ignore[operator]
        for action in orders.ACTIONS[stage]
    ]


def render(context: BotContext, alert: OrderAlert, language: str | None) -> tuple[str, object]:
    """The alert's text and buttons, in the seller's language."""
    texts = context.i18n.texts(language)
    shop = context.store.shop_of_id(alert.shop_id)
    names = context.store.product_names(
        line["store_front_product_id"] for line in alert.details["order"]["order_items"]
    )
    text = order_text(alert.details, shop.name if shop else "", names, texts, alert.state)
    buttons = order_buttons(alert, texts)
    return text, inline(buttons) if buttons else None


def record(context: BotContext, change: OrderChange) -> None:
    """A new order gets an alert to send; an announced one that moved gets an edit to make."""
    store = context.store
    details = change.model_dump(mode="json")
    alert = store.alert_for_order(change.order.order_id)
    if alert is None:
        shop = store.shop_by_gateway_id(change.setu_storefront_id)
        seller = store.owner_of(shop) if shop else None
        if shop is None or seller is None:
            return  # a storefront this bot did not open
        store.add_alert(
            OrderAlert(
                order_id=change.order.order_id,
                shop_id=shop.id or 0,
                chat_id=seller.telegram_id,
                state=change.order.order_state,
                details=details,
            )
        )
    elif alert.state != change.order.order_state and not orders.is_behind(
        alert.state, change.order.order_state
    ):
        # Moved by someone else (the buyer cancelled, the marketplace updated it): the seller's
        # own presses update the alert before the gateway's change comes back here. The seller
        # hears of it only when the stage they see changes (Setu's "BAP CONFIRMED" after
        # "AWAITING BAP CONFIRMED" is still a new order: same message, nothing to tell).
        seen = alert.message_id is not None
        store.move_alert(
            alert,
            change.order.order_state,
            details=details,
            changed_outside=seen
            and orders.stage_of(alert.state) != orders.stage_of(change.order.order_state),
        )


async def deliver(context: BotContext, alert: OrderAlert) -> None:
    """Sends a new alert, or edits an announced one and tells the seller once."""
    store = context.store
    language = store.language_of(alert.chat_id)
    text, markup = render(context, alert, language)
    if alert.message_id is None:
        message = await context.bot.send_message(alert.chat_id, text, reply_markup=markup)
        store.alert_shown(alert.id or 0, message.message_id)
        log.info("order %s announced to chat %s", alert.order_id, alert.chat_id)
        return
    try:
        await context.bot.edit_message_text(
            text, chat_id=alert.chat_id, message_id=alert.message_id, reply_markup=markup
        )
    except BadRequest as refused:
        if "not modified" not in refused.message.lower():
            # The seller deleted the message (or it is too old to edit): a new one shows it.
            log.warning("order %s alert not edited (%s): sent again", alert.order_id, refused)
            message = await context.bot.send_message(alert.chat_id, text, reply_markup=markup)
            alert.message_id = message.message_id
    store.alert_shown(alert.id or 0, alert.message_id)
    texts = context.i18n.texts(language)
    stage = texts(orders.stage_key(orders.stage_of(alert.state)))
    await context.bot.send_message(
        alert.chat_id,
        texts("order.changed_outside", number=alert.order_id[:8].upper(), stage=stage),
        reply_to_message_id=alert.message_id,
    )


async def _deliver_to_chat(
    context: BotContext, chat_id: int, alerts: list[OrderAlert], low: list[Product]
) -> None:
    """One chat's order alerts, then its low-stock alerts, a second apart."""
    sends = [functools.partial(deliver, context, alert) for alert in alerts]
    sends += [functools.partial(stock.tell, context, product, chat_id) for product in low]
    for index, send in enumerate(sends):
        if index:
            await asyncio.sleep(PER_CHAT_SECONDS)
        try:
            await send()
        except TelegramError as failure:  # blocked, gone, or Telegram down: the next tick
            log.warning("alerts to chat %s not delivered: %s", chat_id, failure)
            return


async def read_changes(context: BotContext) -> None:
    """Records every order changed since the cursor, page by page, moving the cursor after each
    page is recorded (so nothing is lost, and a restart reads on from there)."""
    store = context.store
    while True:
        try:
            changed = await context.gateway.changed_orders(store.cursor_token(CURSOR), PAGE)
        except GatewayError as failure:
            log.warning("orders not read from the gateway: %s", failure)
            return
        for change in changed.changes:
            record(context, change)
        store.set_cursor_token(CURSOR, changed.cursor)
        if len(changed.changes) < PAGE:
            return


async def watch_orders(context: BotContext) -> None:
    await read_changes(context)
    by_chat: dict[int, list[OrderAlert]] = defaultdict(list)
    for alert in context.store.alerts_to_deliver():
        by_chat[alert.chat_id].append(alert)
    low = stock.due_by_chat(context)
    chats = list(by_chat) + [chat for chat in low if chat not in by_chat]
    await asyncio.gather(
        *(_deliver_to_chat(context, chat, by_chat[chat], low.get(chat, [])) for chat in chats)
    )


def watch(application: Application, every_seconds: float) -> None:
    assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
    application.job_queue.run_repeating(
        watch_orders,
        interval=every_seconds,
        first=1,
        name=JOB_NAME,
        job_kwargs={"max_instances": 1},
    )
