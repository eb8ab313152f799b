"""New-order alerts: a repeating job asks the gateway for the orders changed since its cursor,
records an alert for each new one before anything is sent, then sends what is due.

No alert is lost and none is doubled: the alert row is written (and the cursor moved) before
the message is sent, and its message id right after; an alert whose send failed is sent at the
next tick. Messages to one chat are a second apart (Telegram's 1 per second per chat, which
AIORateLimiter does not enforce); AIORateLimiter keeps the total at 30 per second and waits out
a 429.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from telegram.error import TelegramError
from telegram.ext import Application

from bot.cards import order_text
from bot.context import BotContext
from bot.domain import orders
from bot.gateways.base import GatewayError, OrderChange
from bot.storage.models import OrderAlert
from bot.ui import callback, inline

log = logging.getLogger(__name__)

JOB_NAME = "orders"
CURSOR = "gateway-orders"
PER_CHAT_SECONDS = 1.0


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
        store.save_alert(
            OrderAlert(
                order_id=change.order.order_id,
                shop_id=shop.id or 0,
                chat_id=seller.telegram_id,
                state=change.order.order_state,
                details=details,
            )
        )
    elif alert.state != change.order.order_state:
        # Moved by someone else (the buyer cancelled, the marketplace updated it): the seller's
        # own presses update the alert before the gateway's change comes back here.
        alert.state, alert.details = change.order.order_state, details
        alert.changed_outside = alert.message_id is not None
        store.save_alert(alert)


async def deliver(context: BotContext, alert: OrderAlert) -> None:
    """Sends a new alert, or edits an announced one and tells the seller once."""
    store = context.store
    language = store.language_of(alert.chat_id)
    text, markup = render(context, alert, language)
    if alert.message_id is None:
        message = await context.bot.send_message(alert.chat_id, text, reply_markup=markup)
        alert.message_id = message.message_id
        store.save_alert(alert)
        log.info("order %s announced to chat %s", alert.order_id, alert.chat_id)
        return
    await context.bot.edit_message_text(
        text, chat_id=alert.chat_id, message_id=alert.message_id, reply_markup=markup
    )
    alert.changed_outside = False
    store.save_alert(alert)
    texts = context.i18n.texts(language)
    stage = texts(orders.stage_key(orders.stage_of(alert.state)))
    await context.bot.send_message(
        alert.chat_id,
        texts("order.changed_outside", number=alert.order_id[:8].upper(), stage=stage),
        reply_to_message_id=alert.message_id,
    )


async def _deliver_to_chat(context: BotContext, alerts: list[OrderAlert]) -> None:
    for index, alert in enumerate(alerts):
        if index:
            await asyncio.sleep(PER_CHAT_SECONDS)
        try:
            await deliver(context, alert)
        except TelegramError as failure:  # blocked, gone, or Telegram down: the next tick
            log.warning("alert for order %s not delivered: %s", alert.order_id, failure)
            return


async def watch_orders(context: BotContext) -> None:
    store = context.store
    try:
        changed = await context.gateway.changed_orders(store.cursor_token(CURSOR))
    except GatewayError as failure:
        log.warning("orders not read from the gateway: %s", failure)
        changed = None
    if changed is not None:
        for change in changed.changes:
            record(context, change)
        store.set_cursor_token(CURSOR, changed.cursor)  # recorded first: nothing is lost
    by_chat: dict[int, list[OrderAlert]] = defaultdict(list)
    for alert in store.alerts_to_deliver():
        by_chat[alert.chat_id].append(alert)
    await asyncio.gather(*(_deliver_to_chat(context, alerts) for alerts in by_chat.values()))


def watch(application: Application, every_seconds: float) -> None:
    assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
    application.job_queue.run_repeating(
        watch_orders,
        interval=every_seconds,
        first=1,
        name=JOB_NAME,
        job_kwargs={"max_instances": 1},
    )
