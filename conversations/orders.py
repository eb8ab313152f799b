"""What a seller does with an order: the buttons on its alert (accept, reject, pack, ship, ready,
deliver, cancel), the reason picker and its confirmation. Each press is answered at once, moves
the order through the gateway and edits the same message in place.

Every button names an alert by our short id (ord:<verb>:<id>), and every press checks the order
is in one of the presser's storefronts, whatever the button says.
"""

from __future__ import annotations

import logging
from collections import Counter

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.domain import orders
from bot.domain.orders import Action, StaleTransition
from bot.gateways.base import GatewayError, OrderStateUpdate
from bot.jobs import stock
from bot.jobs.orders import render
from bot.storage.models import OrderAlert
from bot.ui import PRIVATE_MESSAGE, callback, edit_in_place, edit_markup_in_place, inline, say
from conversations import form

log = logging.getLogger(__name__)


async def _owned(update: Update, context: BotContext, alert_id: str) -> OrderAlert | None:
    alert = context.store.alert_of(form.user_id(update), int(alert_id))
    return await form.owned(update, context, alert, f"order alert {alert_id}", "order.not_found")


async def _refused(update: Update, context: BotContext, refusal: StaleTransition) -> None:
    params = {
        k: context.texts(orders.stage_key(v)) if isinstance(v, orders.Stage) else v
        for k, v in refusal.params.items()
    }
    await update.callback_query.answer(context.texts(refusal.reason, **params), show_alert=True)  # type: ignore[union-attr]


async def action_pressed(update: Update, context: BotContext) -> None:
    """ord:<action>:<alert>: the next state at once, or (Reject, Cancel) the reasons first."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, verb, alert_id = query.data.split(":")
    alert = await _owned(update, context, alert_id)
    if alert is None:
        return
    action = Action(verb)
    try:
        orders.next_state(alert.state, action)
    except StaleTransition as refusal:
        await _refused(update, context, refusal)
        return
    if orders.needs_reason(action):
        stage = orders.stage_of(alert.state)
        texts = context.texts
        rows = [
            [(texts(orders.reason_key(code)), callback("ord", "why", str(alert.id), verb, code))]
            for code in orders.reasons_for(stage)
        ]
        rows.append([(texts("button.back"), callback("ord", "back", str(alert.id)))])
        await query.answer()
        await edit_markup_in_place(query, inline(rows))
        return
    await move(update, context, alert, action, None)


async def reason_chosen(update: Update, context: BotContext) -> None:
    """ord:why:<alert>:<action>:<code>: the confirmation, naming the reason."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, _, alert_id, verb, code = query.data.split(":")
    alert = await _owned(update, context, alert_id)
    if alert is None:
        return
    try:
        orders.next_state(alert.state, Action(verb))
        orders.check_reason(orders.stage_of(alert.state), code)
    except StaleTransition as refusal:
        await _refused(update, context, refusal)
        return
    texts = context.texts
    # The reason chosen stays in sight above the confirmation, as a button back to the reasons
    # (labels stay short in every language; "Yes, reject: <reason>" did not).
    rows = [
        [(texts.label(orders.reason_key(code)), callback("ord", verb, str(alert.id)))],
        [
            (texts("order.confirm." + verb), callback("ord", "yes", str(alert.id), verb, code)),
            (texts("button.back"), callback("ord", "back", str(alert.id))),
        ],
    ]
    await query.answer()
    await edit_markup_in_place(query, inline(rows))


async def confirmed(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    _, _, alert_id, verb, code = query.data.split(":")
    alert = await _owned(update, context, alert_id)
    if alert is None:
        return
    try:
        orders.check_reason(orders.stage_of(alert.state), code)
    except StaleTransition as refusal:
        await _refused(update, context, refusal)
        return
    await move(update, context, alert, Action(verb), code)


async def back(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    alert = await _owned(update, context, query.data.split(":")[2])
    if alert is None:
        return
    await query.answer()
    text, markup = render(context, alert, context.language)
    await edit_in_place(query, text, markup)  # type: ignore[arg-type]


async def move(
    update: Update, context: BotContext, alert: OrderAlert, action: Action, reason: str | None
) -> None:
    """Moves the order through the gateway and shows its new stage on the same message."""
    query = update.callback_query
    assert query is not None
    texts = context.texts
    try:
        new_state = orders.next_state(alert.state, action)
    except StaleTransition as refusal:  # pressed twice: the first press moved it already
        await _refused(update, context, refusal)
        return
    shop = context.store.shop_of_id(alert.shop_id)
    assert shop is not None
    await query.answer()  # at once: the gateway may take a moment
    try:
        result = await context.gateway.update_orders(
            shop.gateway_storefront_id,
            [OrderStateUpdate(order_id=alert.order_id, order_state=new_state)],
        )
    except GatewayError as failure:
        log.warning("order %s not moved to %s: %s", alert.order_id, new_state, failure)
        await query.message.reply_text(texts("error.gateway_unavailable_short"))  # type: ignore[union-attr]
        return
    if not result.approved:
        log.warning("gateway refused order %s to %s", alert.order_id, new_state)
        await query.message.reply_text(texts("order.not_moved"))  # type: ignore[union-attr]
        return
    context.store.move_alert(
        alert,
        new_state,
        reason=reason or alert.reason,
        details={**alert.details, "order": {**alert.details["order"], "order_state": new_state}},
    )
    log.info("order %s is now %s (reason %s)", alert.order_id, new_state, reason)
    text, markup = render(context, alert, context.language)
    await edit_in_place(query, text, markup)  # type: ignore[arg-type]
    try:
        for product, chat_id in context.store.low_stock_due(alert.chat_id):
            await stock.tell(context, product, chat_id)
    except TelegramError as failure:  # the order moved; the watcher sends the warning later
        log.warning("low-stock alert to chat %s not sent now: %s", alert.chat_id, failure)


# How many open orders /orders lists as buttons; more is a day's work better seen by number.
LISTED = 20


async def list_orders(update: Update, context: BotContext) -> None:
    """/orders: open orders counted by stage, per storefront, each one a button to its card;
    /orders <number> finds an order, open or past, by the start of its number."""
    texts = context.texts
    uid = form.user_id(update)
    if context.store.seller_of(uid) is None:
        await say(update, texts("menu.not_registered"))
        return
    number = " ".join(context.args or [])
    alerts = context.store.alerts_of(uid, number or None)
    if number:
        if not alerts:
            await say(update, texts("order.none_with_number", number=number))
            return
        for alert in alerts[:3]:
            text, markup = render(context, alert, context.language)
            await say(update, text, markup)  # type: ignore[arg-type]
        return
    waiting = [a for a in alerts if orders.is_open(a.state)]
    if not waiting:
        await say(update, texts("order.none_open"))
        return
    lines = [texts.plural("order.open_title", len(waiting)), ""]
    shops = {a.shop_id for a in waiting}
    for shop_id in sorted(shops):
        shop = context.store.shop_of_id(shop_id)
        mine = [a for a in waiting if a.shop_id == shop_id]
        counts = Counter(orders.stage_of(a.state) for a in mine)
        summary = ", ".join(
            f"{texts(orders.stage_key(stage))} {counts[stage]}"
            for stage in orders.Stage
            if counts[stage]
        )
        lines.append(texts("order.open_line", shop=shop.name if shop else "", summary=summary))
    rows = [
        [
            (
                f"{a.order_id[:8].upper()} · {texts(orders.stage_key(orders.stage_of(a.state)))}",
                callback("ord", "show", str(a.id)),
            )
        ]
        for a in waiting[:LISTED]
    ]
    lines += ["", texts("order.lookup_hint")]
    await say(update, "\n".join(lines), inline(rows))


async def show(update: Update, context: BotContext) -> None:
    """ord:show:<alert>: the order's card, with its buttons, as a new message."""
    query = update.callback_query
    assert query is not None and query.data is not None
    alert = await _owned(update, context, query.data.split(":")[2])
    if alert is None:
        return
    await query.answer()
    text, markup = render(context, alert, context.language)
    await say(update, text, markup)  # type: ignore[arg-type]


def handlers() -> list[BaseHandler]:
    actions = "|".join(action.value for action in Action)
    return [
        CommandHandler("orders", list_orders, filters=PRIVATE_MESSAGE),
        CallbackQueryHandler(show, pattern=r"^ord:show:\d+$"),
        CallbackQueryHandler(action_pressed, pattern=rf"^ord:({actions}):\d+$"),
        CallbackQueryHandler(reason_chosen, pattern=rf"^ord:why:\d+:({actions}):\d{{3}}$"),
        CallbackQueryHandler(confirmed, pattern=rf"^ord:yes:\d+:({actions}):\d{{3}}$"),
        CallbackQueryHandler(back, pattern=r"^ord:back:\d+$"),
    ]
