"""A seller's storefronts: the list, each one's card, and what its buttons do (pause, resume,
delete, choose a field to edit; the editing itself is conversations/storefront.py).

Every button names a storefront by our short id (sf:<verb>:<id>) and every press checks the
storefront is the presser's, whatever the button says.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.cards import storefront_lines
from bot.context import BotContext
from bot.domain import registration, storefront_form
from bot.domain.orders import open_orders
from bot.gateways.base import GatewayError, NotFound, Storefront, StorefrontStatus
from bot.i18n import Texts
from bot.storage.models import Shop
from bot.ui import (
    PRIVATE_MESSAGE,
    callback,
    delete_rows,
    edit_in_place,
    edit_markup_in_place,
    in_rows,
    inline,
    say,
)
from conversations import form

log = logging.getLogger(__name__)


async def owned_shop(update: Update, context: BotContext, shop_id: int) -> Shop | None:
    """The storefront if the presser's seller owns it; otherwise the press is answered with why."""
    shop = context.store.shop_of(form.user_id(update), shop_id)
    return await form.owned(update, context, shop, f"storefront {shop_id}", "stores.not_found")


def card_text(shop: Shop, stored: Storefront, seller: dict, texts: Texts) -> str:
    answers = storefront_form.from_gateway(stored.model_dump(mode="json"), seller)
    status = "stores.live" if stored.status == StorefrontStatus.LIVE else "stores.paused"
    lines = [texts("stores.card_title", name=shop.name), texts(status), ""]
    return "\n".join([*lines, *storefront_lines(answers, texts)])


def card_buttons(shop: Shop, stored: Storefront, texts: Texts, several: bool) -> list:
    sid = str(shop.id)
    pause = (
        (texts("button.pause"), callback("sf", "pause", sid))
        if stored.status == StorefrontStatus.LIVE
        else (texts("button.resume"), callback("sf", "resume", sid))
    )
    rows = [
        [(texts("button.edit_storefront"), callback("sf", "edits", sid)), pause],
        [(texts("button.delete"), callback("sf", "del", sid))],
    ]
    if several:
        rows.append([(texts("button.all_storefronts"), callback("sf", "list"))])
    return rows


async def _card(update: Update, context: BotContext, shop: Shop) -> tuple[str, list] | None:
    """The card's text and buttons, from the gateway; None (said) if it cannot be read."""
    texts = context.texts
    seller = context.store.seller_of(form.user_id(update))
    assert seller is not None, "a shop belongs to a seller"
    try:
        stored = await context.gateway.get_storefront(shop.gateway_storefront_id)
        details = await context.gateway.get_seller(seller.gateway_seller_id)
    except GatewayError as failure:
        log.warning("storefront %s unavailable: %s", shop.id, failure)
        await say(update, texts("error.gateway_unavailable_read"))
        return None
    facts = registration.from_gateway(details.model_dump(mode="json"))
    several = len(context.store.shops_of(seller.id)) > 1
    return card_text(shop, stored, facts, texts), card_buttons(shop, stored, texts, several)


async def show_card(update: Update, context: BotContext, shop: Shop) -> None:
    """The storefront's card as a new message."""
    card = await _card(update, context, shop)
    if card is not None:
        await say(update, card[0], inline(card[1]))


async def _edit_to_card(
    update: Update, context: BotContext, shop: Shop, note: str = "", *, alert: bool = False
) -> None:
    """The pressed message becomes the storefront's card (with `note` answered on the press)."""
    query = update.callback_query
    assert query is not None
    card = await _card(update, context, shop)
    await query.answer(note or None, show_alert=alert)
    if card is not None:
        await _edit(update, card[0], card[1])


async def _edit(update: Update, text: str, rows: list) -> None:
    assert update.callback_query is not None
    await edit_in_place(update.callback_query, text, inline(rows))


def _list_rows(shops: list[Shop]) -> list:
    return [[(shop.name, callback("sf", "open", str(shop.id)))] for shop in shops]


async def show_stores(update: Update, context: BotContext) -> None:
    """/stores or the menu's button: the one storefront's card, or a list to pick from."""
    texts = context.texts
    if update.callback_query is not None:
        await update.callback_query.answer()
    seller = context.store.seller_of(form.user_id(update))
    if seller is None:
        await say(update, texts("menu.not_registered"))
        return
    shops = context.store.shops_of(seller.id)
    if not shops:
        rows = [[(texts("menu.new_storefront"), callback("menu", "newstore"))]]
        await say(update, texts("stores.none"), inline(rows))
    elif len(shops) == 1:
        await show_card(update, context, shops[0])
    else:
        await say(update, texts.plural("stores.list_title", len(shops)), inline(_list_rows(shops)))


async def back_to_list(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    seller = context.store.seller_of(form.user_id(update))
    shops = context.store.shops_of(seller.id) if seller else []
    await query.answer()
    if shops:
        title = context.texts.plural("stores.list_title", len(shops))
        await _edit(update, title, _list_rows(shops))


async def open_card(update: Update, context: BotContext) -> None:
    shop = await owned_shop(update, context, form.pressed_id(update))
    if shop is not None:
        await _edit_to_card(update, context, shop)


async def choose_field(update: Update, context: BotContext) -> None:
    """Edit on a card: a button per question; each opens that question (storefront.py)."""
    query = update.callback_query
    assert query is not None
    shop = await owned_shop(update, context, form.pressed_id(update))
    if shop is None:
        return
    texts = context.texts
    sid = str(shop.id)
    buttons = [
        (texts(f"sf_field.{field}"), callback("sf", "ed", sid, field))
        for field in storefront_form.EDITABLE
    ]
    rows = [*in_rows(buttons, 2), [(texts("button.back"), callback("sf", "open", sid))]]
    await query.answer()
    await edit_markup_in_place(query, inline(rows))


async def set_status(update: Update, context: BotContext) -> None:
    """Pause (buyers cannot order; the storefront stays) or Resume."""
    query = update.callback_query
    assert query is not None and query.data is not None
    shop = await owned_shop(update, context, form.pressed_id(update))
    if shop is None:
        return
    texts = context.texts
    wanted = (
        StorefrontStatus.OFFLINE if query.data.split(":")[1] == "pause" else StorefrontStatus.LIVE
    )
    try:
        stored = await context.gateway.get_storefront(shop.gateway_storefront_id)
        if stored.status == wanted:  # a second tap: it is so already
            await query.answer(texts(f"stores.already_{wanted.value.lower()}"), show_alert=True)
            return
        await context.gateway.set_storefront_status(shop.gateway_storefront_id, wanted)
    except GatewayError as failure:
        log.warning("storefront %s status not changed: %s", shop.id, failure)
        await query.answer(texts("error.gateway_unavailable_short"), show_alert=True)
        return
    log.info("storefront %s is now %s", shop.id, wanted.value)
    await _edit_to_card(update, context, shop, texts(f"stores.now_{wanted.value.lower()}"))


async def ask_delete(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    shop = await owned_shop(update, context, form.pressed_id(update))
    if shop is None:
        return
    texts = context.texts
    sid = str(shop.id)
    rows = delete_rows(texts, callback("sf", "delok", sid), callback("sf", "open", sid))
    await query.answer()
    await _edit(update, texts("stores.delete_confirm", name=shop.name), rows)


async def delete(update: Update, context: BotContext) -> None:
    """Deletes the storefront for good, unless orders are still open there."""
    query = update.callback_query
    assert query is not None
    shop = await owned_shop(update, context, form.pressed_id(update))
    if shop is None:
        return
    texts = context.texts
    try:
        orders = await context.gateway.list_orders(shop.gateway_storefront_id)
        waiting = open_orders(orders)
        if waiting:
            reason = texts.plural("stores.delete_refused_open_orders", len(waiting))
            await _edit_to_card(update, context, shop, reason, alert=True)
            return
        await context.gateway.delete_storefront(shop.gateway_storefront_id)
    except NotFound:
        pass  # gone at the gateway already (a retry after a lost answer): forget it here too
    except GatewayError as failure:
        log.warning("storefront %s not deleted: %s", shop.id, failure)
        await query.answer(texts("error.gateway_unavailable_short"), show_alert=True)
        return
    context.outbox.forget_storefront(shop.gateway_storefront_id)  # nothing there to publish
    context.store.delete_shop(shop.id or 0)
    log.info("storefront %s deleted", shop.id)
    await query.answer()
    await query.edit_message_text(texts("stores.deleted", name=shop.name))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("stores", show_stores, filters=PRIVATE_MESSAGE),
        CallbackQueryHandler(show_stores, pattern=r"^menu:stores$"),
        CallbackQueryHandler(back_to_list, pattern=r"^sf:list$"),
        CallbackQueryHandler(open_card, pattern=r"^sf:open:\d+$"),
        CallbackQueryHandler(choose_field, pattern=r"^sf:edits:\d+$"),
        CallbackQueryHandler(set_status, pattern=r"^sf:(pause|resume):\d+$"),
        CallbackQueryHandler(ask_delete, pattern=r"^sf:del:\d+$"),
        CallbackQueryHandler(delete, pattern=r"^sf:delok:\d+$"),
    ]
