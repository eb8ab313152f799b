"""A storefront's catalogue: pages of items, search by typing part of a name, an item's card
with its stock buttons and Delete, and /stock, the quickest way to change a stock count.

Every item button names an item by our short id (it:<verb>:<id>) and every press checks that
the item is in one of the presser's storefronts, whatever the button says. Adding and editing
items is conversations/product.py.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import BotContext
from bot.domain import product_form
from bot.domain.product import LOW_STOCK_CHOICES, STOCK_MAX, clean_stock
from bot.domain.seller import InvalidInput
from bot.gateways.base import GatewayError, NotFound
from bot.i18n import Texts
from bot.media import PhotoStore
from bot.storage.models import Product, Shop
from bot.ui import (
    PRIVATE_MESSAGE,
    callback,
    delete_rows,
    edit_in_place,
    edit_markup_in_place,
    in_rows,
    inline,
    say,
    with_note,
)
from conversations import form, stores

log = logging.getLogger(__name__)

NAME = "catalogue"
PER_PAGE = 8
# A button shows this much of a name; the list above the buttons has it whole.
LABEL_CHARS = 28

text = filters.TEXT & ~filters.COMMAND & PRIVATE_MESSAGE


class Step(StrEnum):
    BROWSE = "browse"  # a page is shown; typing searches
    STOCK_FIND = "stock_find"  # /stock: typing part of a name finds the item
    STOCK_VALUE = "stock_value"  # the new stock count of one item


@dataclass
class Browsing(form.Draft):
    """Which storefront's catalogue the seller is looking at, and what they searched for."""

    CONVERSATION: ClassVar[str] = NAME
    KIND: ClassVar[str] = "catalogue"
    KEPT_WHEN_LEFT: ClassVar[bool] = False  # only where the seller was looking

    shop_id: int | None = None
    search: str | None = None
    product_id: int | None = None  # the item whose stock is being typed


# --- the page ---------------------------------------------------------------------------------


def _label(product: Product) -> str:
    name = (
        product.name if len(product.name) <= LABEL_CHARS else product.name[: LABEL_CHARS - 1] + "…"
    )
    return f"{name} · {product.stock}"


def page_view(
    shop: Shop, products: list[Product], total: int, page: int, texts: Texts, search: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of a storefront's items: the list, a button per item, Previous/Next."""
    pages = max(1, -(-total // PER_PAGE))
    if search:
        title = texts.plural("catalogue.found", total, search=search, shop=shop.name)
    else:
        title = texts.plural("catalogue.title", total, shop=shop.name)
    lines = [
        texts(
            "catalogue.line",
            n=page * PER_PAGE + index + 1,
            name=product.name,
            price=texts.money(product.price),
            stock=texts.number(product.stock),
        )
        for index, product in enumerate(products)
    ]
    footer = texts("catalogue.page", page=page + 1, pages=pages) if pages > 1 else ""
    hint = texts("catalogue.search_hint")
    body = "\n".join([title, "", *lines, "", *([footer] if footer else []), hint])
    rows: list[list[tuple[str, str]]] = [
        [(_label(product), callback("it", "open", str(product.id)))] for product in products
    ]
    nav = []
    if page > 0:
        nav.append((texts("button.previous"), callback("cat", "pg", str(shop.id), str(page - 1))))
    if page + 1 < pages:
        nav.append((texts("button.next"), callback("cat", "pg", str(shop.id), str(page + 1))))
    if nav:
        rows.append(nav)
    rows.append([(texts("menu.add_product"), callback("menu", "addproduct"))])
    return body, inline(rows)


async def _show_page(
    update: Update,
    context: BotContext,
    shop: Shop,
    page: int,
    search: str | None,
    *,
    new_message: bool = False,
) -> None:
    """The page, in place of the pressed one (Previous/Next), or as a new message."""
    products, total = context.store.products_page(shop.id or 0, page, PER_PAGE, search)
    body, markup = page_view(shop, products, total, page, context.texts, search)
    query = update.callback_query
    on_photo = query is not None and isinstance(query.message, Message) and query.message.photo
    if query is not None and not new_message and not on_photo:
        await edit_in_place(query, body, markup)
    else:
        await say(update, body, markup)


async def browse(update: Update, context: BotContext) -> Step | int:
    """/catalogue or the menu's button: the storefront's first page (a picker if several)."""
    texts = context.texts
    if update.callback_query is not None:
        await update.callback_query.answer()
    seller = context.store.seller_of(form.user_id(update))
    if seller is None:
        await say(update, texts("menu.not_registered"))
        return ConversationHandler.END
    shops = context.store.shops_of(seller.id)
    if not shops:
        rows = [[(texts("menu.new_storefront"), callback("menu", "newstore"))]]
        await say(update, texts("catalogue.no_storefront"), inline(rows))
        return ConversationHandler.END
    if len(shops) > 1:
        rows = [[(shop.name, callback("cat", "shop", str(shop.id)))] for shop in shops]
        await say(update, texts("catalogue.pick_storefront"), inline(rows))
        return ConversationHandler.END
    await form.leave_other_flows(update, context, NAME)
    step = await Browsing(shop_id=shops[0].id).save(update, context, Step.BROWSE)
    await _show_page(update, context, shops[0], 0, None, new_message=True)
    return step


async def shop_chosen(update: Update, context: BotContext) -> Step | int:
    query = update.callback_query
    assert query is not None and query.data is not None
    shop = await stores.owned_shop(update, context, form.pressed_id(update))
    if shop is None:
        return ConversationHandler.END
    await query.answer()
    await form.leave_other_flows(update, context, NAME)
    await Browsing(shop_id=shop.id).save(update, context, Step.BROWSE)
    await _show_page(update, context, shop, 0, None)
    return Step.BROWSE


async def page_chosen(update: Update, context: BotContext) -> Step | int:
    """Previous / Next: the page asked for, of the search the page was made for."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, _, shop_id, page = query.data.split(":")
    shop = await stores.owned_shop(update, context, int(shop_id))
    if shop is None:
        return ConversationHandler.END
    draft = Browsing.load(update, context)
    search = draft.search if draft.shop_id == shop.id else None
    await query.answer()
    await form.leave_other_flows(update, context, NAME)
    await Browsing(shop_id=shop.id, search=search).save(update, context, Step.BROWSE)
    await _show_page(update, context, shop, int(page), search)
    return Step.BROWSE


async def searched(update: Update, context: BotContext) -> Step | int:
    """Typing while a page is shown: the items whose name contains what was typed."""
    draft = Browsing.load(update, context)
    shop = context.store.shop_of(form.user_id(update), draft.shop_id or 0)
    if shop is None:
        return await _ended(update, context)
    search = (update.effective_message.text or "").strip()[:100]  # type: ignore[union-attr]
    await Browsing(shop_id=shop.id, search=search).save(update, context, Step.BROWSE)
    await _show_page(update, context, shop, 0, search, new_message=True)
    return Step.BROWSE


async def _ended(update: Update, context: BotContext) -> int:
    draft = Browsing.load(update, context)
    draft.discard(update, context)
    return await draft.end(update, context)


# --- an item's card ------------------------------------------------------------------------------


def card_caption(product: Product, texts: Texts) -> str:
    stock = (
        texts("item.out_of_stock")
        if product.stock == 0
        else texts("item.stock", stock=texts.number(product.stock))
    )
    level = (
        texts("item.low_stock_off")
        if product.low_stock_at is None
        else texts("item.low_stock_at", level=texts.number(product.low_stock_at))
    )
    lines = [texts("item.title", name=product.name), texts.money(product.price), stock, level]
    return "\n".join(lines)


def card_markup(product: Product, texts: Texts) -> InlineKeyboardMarkup:
    pid = str(product.id)
    rows = [
        [
            (texts("button.stock_minus"), callback("it", "dec", pid)),
            (texts("button.stock_plus"), callback("it", "inc", pid)),
            (texts("button.stock_set"), callback("it", "set", pid)),
        ],
        [
            (texts("button.out_of_stock"), callback("it", "out", pid)),
            (texts("button.item_photos"), callback("it", "ed", pid, "photos")),
        ],
        [
            (texts("button.low_stock_level"), callback("it", "low", pid)),
            (texts("button.edit_item"), callback("it", "edits", pid)),
        ],
        [
            (texts("button.delete"), callback("it", "del", pid)),
            (texts("button.back_to_catalogue"), callback("cat", "pg", str(product.shop_id), "0")),
        ],
    ]
    return inline(rows)


async def _card_in_place(query: CallbackQuery, product: Product, texts: Texts) -> None:
    await edit_in_place(query, card_caption(product, texts), card_markup(product, texts))


async def owned_product(update: Update, context: BotContext, product_id: int) -> Product | None:
    """The item if it is in one of the presser's storefronts; otherwise the press is answered."""
    product = context.store.product_of(form.user_id(update), product_id)
    return await form.owned(update, context, product, f"item {product_id}", "item.not_found")


async def show_card(update: Update, context: BotContext, product: Product) -> None:
    """The item's card as a new message: its photo (by Telegram's file id) with the caption."""
    texts = context.texts
    chat = update.effective_chat
    assert chat is not None
    caption, markup = card_caption(product, texts), card_markup(product, texts)
    photos = product.answers.get("photos") or []
    if product.photo_file_id:
        await chat.send_photo(product.photo_file_id, caption=caption, reply_markup=markup)
    elif photos:
        # A picture sent as a file has no photo id: uploaded from our store once, then kept.
        with PhotoStore(context.settings.media_dir).path(photos[0]["name"]).open("rb") as data:
            sent = await chat.send_photo(data, caption=caption, reply_markup=markup)
        if sent.photo:
            product.photo_file_id = sent.photo[-1].file_id
            context.store.set_product_photo(product.id or 0, product.photo_file_id)
    else:
        await say(update, caption, markup)


async def open_item(update: Update, context: BotContext) -> None:
    product = await owned_product(update, context, form.pressed_id(update))
    if product is not None:
        await update.callback_query.answer()  # type: ignore[union-attr]
        await show_card(update, context, product)


async def _set_stock(
    update: Update, context: BotContext, product: Product, stock: int
) -> tuple[str | None, bool]:
    """Sets the stock at the gateway (or in the outbox, if it does not answer) and here; the
    reason it could not (or None), and whether it waits in the outbox."""
    shop = context.store.shop_of(form.user_id(update), product.shop_id)
    assert shop is not None, "owned_product checked the shop is the seller's"
    try:
        published = await context.outbox.set_stock(
            shop.gateway_storefront_id,
            product.catalogue_item_id,
            stock,
            chat_id=form.user_id(update),
            label=product.name,
        )
    except NotFound:
        return "item.not_found", False
    except GatewayError as failure:
        log.warning("stock of item %s not changed: %s", product.id, failure)
        return "item.not_changed", False
    context.store.set_product_stock(product.id or 0, stock)
    product.stock = stock
    log.info("item %s stock is now %s%s", product.id, stock, "" if published else " (waiting)")
    return None, not published


async def stock_pressed(update: Update, context: BotContext) -> None:
    """+1, -1 and Out of stock on a card: the gateway, then the caption edited in place."""
    query = update.callback_query
    assert query is not None and query.data is not None
    product = await owned_product(update, context, form.pressed_id(update))
    if product is None:
        return
    verb = query.data.split(":")[1]
    stock = {"inc": product.stock + 1, "dec": product.stock - 1, "out": 0}[verb]
    if stock < 0 or stock > STOCK_MAX or stock == product.stock:
        await query.answer(
            context.texts("item.stock_unchanged", max=context.texts.number(STOCK_MAX)),
            show_alert=True,
        )
        return
    failure, waiting = await _set_stock(update, context, product, stock)
    if failure is not None:
        await query.answer(context.texts(failure), show_alert=True)
        return
    # A toast either way: a seller pressing +1 five times while the marketplace is away should
    # not have to close five pop-ups.
    await query.answer(context.texts("outbox.saved" if waiting else "item.stock_now", stock=stock))
    await _card_in_place(query, product, context.texts)


async def choose_field(update: Update, context: BotContext) -> None:
    """Edit on a card: a button per question; each opens that question (product.py)."""
    query = update.callback_query
    assert query is not None
    product = await owned_product(update, context, form.pressed_id(update))
    if product is None:
        return
    texts = context.texts
    pid = str(product.id)
    buttons = [
        (texts(f"pd_field.{field}"), callback("it", "ed", pid, field))
        for field in product_form.editable(product.answers)
    ]
    rows = [*in_rows(buttons, 2), [(texts("button.back"), callback("it", "keep", pid))]]
    await query.answer()
    await edit_markup_in_place(query, inline(rows))


async def ask_low_stock(update: Update, context: BotContext) -> None:
    """it:low:<id>: the levels to be warned at, the current one ticked."""
    query = update.callback_query
    assert query is not None
    product = await owned_product(update, context, form.pressed_id(update))
    if product is None:
        return
    texts = context.texts
    pid = str(product.id)

    def choice(level: int | None, label: str) -> tuple[str, str]:
        ticked = "✅ " if level == product.low_stock_at else ""
        return ticked + label, callback("it", "lowat", pid, "off" if level is None else str(level))

    levels = [choice(level, texts.number(level)) for level in LOW_STOCK_CHOICES]
    rows = [
        *in_rows(levels, 4),
        [choice(None, texts("button.low_stock_off"))],
        [(texts("button.back"), callback("it", "keep", pid))],
    ]
    await query.answer()
    await edit_in_place(query, texts("item.ask_low_stock", name=product.name), inline(rows))


async def low_stock_chosen(update: Update, context: BotContext) -> None:
    """it:lowat:<id>:<level|off>: the item's new level, then its card again."""
    query = update.callback_query
    assert query is not None and query.data is not None
    product = await owned_product(update, context, form.pressed_id(update))
    if product is None:
        return
    chosen = query.data.split(":")[3]
    level = None if chosen == "off" else int(chosen)
    if level is not None and level not in LOW_STOCK_CHOICES:  # forged: only the offered levels
        await query.answer()
        await _card_in_place(query, product, context.texts)
        return
    product = context.store.set_low_stock_at(product.id or 0, level) or product
    log.info("item %s low-stock level is now %s", product.id, level)
    await query.answer()
    await _card_in_place(query, product, context.texts)


async def ask_delete(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    product = await owned_product(update, context, form.pressed_id(update))
    if product is None:
        return
    texts = context.texts
    pid = str(product.id)
    rows = delete_rows(texts, callback("it", "delok", pid), callback("it", "keep", pid))
    await query.answer()
    await edit_in_place(query, texts("item.delete_confirm", name=product.name), inline(rows))


async def kept(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    product = await owned_product(update, context, form.pressed_id(update))
    if product is not None:
        await query.answer()
        await _card_in_place(query, product, context.texts)


async def delete(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    product = await owned_product(update, context, form.pressed_id(update))
    if product is None:
        return
    texts = context.texts
    shop = context.store.shop_of(form.user_id(update), product.shop_id)
    assert shop is not None
    try:
        published = await context.outbox.delete_item(
            shop.gateway_storefront_id,
            product.catalogue_item_id,
            chat_id=form.user_id(update),
            label=product.name,
        )
    except GatewayError as failure:
        log.warning("item %s not deleted: %s", product.id, failure)
        await query.answer(texts("item.not_changed"), show_alert=True)
        return
    context.store.delete_product(product.id or 0)
    log.info("item %s deleted%s", product.id, "" if published else " (waiting)")
    await query.answer()
    done = texts("item.deleted", name=product.name)
    await edit_in_place(query, form.published_or_waiting(context, done, not published), None)


# --- typing a stock count: the card's Set, and /stock ------------------------------------------


async def ask_stock(update: Update, context: BotContext, product: Product, note: str = "") -> Step:
    draft = Browsing.load(update, context)
    draft.product_id = product.id
    step = await draft.save(update, context, Step.STOCK_VALUE)
    question = context.texts(
        "item.ask_stock", name=product.name, stock=context.texts.number(product.stock)
    )
    await say(update, with_note(note, question))
    return step


async def set_pressed(update: Update, context: BotContext) -> Step | int:
    product = await owned_product(update, context, form.pressed_id(update))
    if product is None:
        return _stay(update, context)
    await update.callback_query.answer()  # type: ignore[union-attr]
    await form.leave_other_flows(update, context, NAME)
    return await ask_stock(update, context, product)


def _stay(update: Update, context: BotContext) -> Step | int:
    return form.state_of(Browsing.load(update, context), Step)


async def stock_typed(update: Update, context: BotContext) -> Step | int:
    draft = Browsing.load(update, context)
    product = context.store.product_of(form.user_id(update), draft.product_id or 0)
    if product is None:
        await say(update, context.texts("item.not_found"))
        return await _ended(update, context)
    try:
        stock = clean_stock(update.effective_message.text or "")  # type: ignore[union-attr]
    except InvalidInput as problem:
        return await ask_stock(
            update, context, product, context.texts(problem.reason, **problem.params)
        )
    failure, waiting = await _set_stock(update, context, product, stock)
    if failure is not None:
        return await ask_stock(update, context, product, context.texts(failure))
    await _ended(update, context)
    texts = context.texts
    done = texts("item.stock_saved", name=product.name, stock=texts.number(stock))
    await say(update, form.published_or_waiting(context, done, waiting))
    await show_card(update, context, product)
    return ConversationHandler.END


async def stock_command(update: Update, context: BotContext) -> Step | int:
    """/stock: type part of a name, then the count."""
    seller = context.store.seller_of(form.user_id(update))
    if seller is None:
        await say(update, context.texts("menu.not_registered"))
        return ConversationHandler.END
    await form.leave_other_flows(update, context, NAME)
    step = await Browsing().save(update, context, Step.STOCK_FIND)
    await say(update, context.texts("item.ask_find"))
    return step


async def stock_find_typed(update: Update, context: BotContext) -> Step | int:
    texts = context.texts
    seller = context.store.seller_of(form.user_id(update))
    assert seller is not None
    typed = (update.effective_message.text or "").strip()[:100]  # type: ignore[union-attr]
    found: list[Product] = []
    for shop in context.store.shops_of(seller.id):
        found += context.store.products_page(shop.id or 0, 0, PER_PAGE, typed)[0]
    if not found:
        await say(update, with_note(texts("item.none_found", search=typed), texts("item.ask_find")))
        return Step.STOCK_FIND
    if len(found) == 1:
        return await ask_stock(update, context, found[0])
    rows = [[(_label(p), callback("it", "set", str(p.id)))] for p in found[:PER_PAGE]]
    await say(update, texts("item.pick", search=typed), inline(rows))
    return Step.STOCK_FIND


async def cancel(update: Update, context: BotContext) -> int:
    await say(update, context.texts("catalogue.closed"))
    return await _ended(update, context)


def handler() -> ConversationHandler:
    with warnings.catch_warnings():
        # Buttons are tracked per chat and user, as in onboarding (see there).
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return _conversation()


def _conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[
            CommandHandler("catalogue", browse, filters=PRIVATE_MESSAGE),
            CallbackQueryHandler(browse, pattern=r"^menu:catalogue$"),
            CommandHandler("stock", stock_command, filters=PRIVATE_MESSAGE),
            CallbackQueryHandler(shop_chosen, pattern=r"^cat:shop:\d+$"),
            CallbackQueryHandler(page_chosen, pattern=r"^cat:pg:\d+:\d+$"),
            CallbackQueryHandler(set_pressed, pattern=r"^it:set:\d+$"),
        ],
        states={
            Step.BROWSE: [MessageHandler(text, searched)],
            Step.STOCK_FIND: [MessageHandler(text, stock_find_typed)],
            Step.STOCK_VALUE: [MessageHandler(text, stock_typed)],
        },
        fallbacks=[CommandHandler("cancel", cancel, filters=PRIVATE_MESSAGE)],
        name=NAME,
        persistent=True,
        allow_reentry=True,
    )


def handlers() -> list[BaseHandler]:
    """An item card's buttons, outside any conversation."""
    return [
        CallbackQueryHandler(open_item, pattern=r"^it:open:\d+$"),
        CallbackQueryHandler(stock_pressed, pattern=r"^it:(inc|dec|out):\d+$"),
        CallbackQueryHandler(choose_field, pattern=r"^it:edits:\d+$"),
        CallbackQueryHandler(ask_low_stock, pattern=r"^it:low:\d+$"),
        CallbackQueryHandler(low_stock_chosen, pattern=r"^it:lowat:\d+:(\d{1,2}|off)$"),
        CallbackQueryHandler(ask_delete, pattern=r"^it:del:\d+$"),
        CallbackQueryHandler(kept, pattern=r"^it:keep:\d+$"),
        CallbackQueryHandler(delete, pattern=r"^it:delok:\d+$"),
    ]
