"""Adding a product, and editing one: photos, one question per message, a review card with the
first photo, then the gateway.

The questions are data (bot/domain/product_form.py); every answer is saved as a draft before the
next question is sent (conversations/form.py), so /cancel, a silence or a restart loses nothing,
and /addproduct offers to continue a half-entered product. Photos go through bot/media.py.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as default
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.cards import area_text
from bot.context import BotContext
from bot.domain import pricing, product_form, storefront_form
from bot.domain import product as rules
from bot.domain.categories import category_by_value
from bot.domain.seller import InvalidInput
from bot.gateways.base import CatalogueItem, GatewayError, InvalidRequest
from bot.i18n import Texts
from bot.media import PhotoStore, check_size
from bot.storage.models import Product, Shop
from bot.ui import (
    PRIVATE_MESSAGE,
    callback,
    edit_in_place,
    edit_markup_in_place,
    in_messages,
    in_rows,
    inline,
    say,
    with_note,
)
from conversations import catalogue, form, language

log = logging.getLogger(__name__)

NAME = "product"
ALBUM_QUIET_SECONDS = 1.5  # an album's photos arrive within a second or so of each other
CAPTION_MAX = 1024

text = filters.TEXT & ~filters.COMMAND & PRIVATE_MESSAGE
pictures = (filters.PHOTO | filters.Document.ALL) & PRIVATE_MESSAGE
other_kinds = ~filters.TEXT & ~filters.COMMAND & ~filters.PHOTO & ~filters.Document.ALL
other_kinds = other_kinds & PRIVATE_MESSAGE

Rows = list[list[tuple[str, str]]]
# Photos received for the question being asked, before Done: a note in the answers, which the
# gateway never sees (product_form.known drops it).
PENDING = "_photos"

# One state per question (named after its field), plus the steps around them.
Step = StrEnum(  # type: ignore[misc]
    "Step",
    {
        **{name.upper(): name for name in ("shop", "resume", "review")},
        **{field.upper(): field for field in product_form.FIELDS},
    },
)


@dataclass
class ProductDraft(form.Draft):
    """A product being added or edited, as kept in the `drafts` table."""

    CONVERSATION: ClassVar[str] = NAME

    catalogue_item_id: str = default(default_factory=lambda: str(uuid.uuid4()))
    shop_id: int | None = None
    product_id: int | None = None  # the product being edited; None while adding one
    opened_stock: int | None = None  # the stock when the edit began (it may change meanwhile)
    # Answered questions to ask again, with Keep, because the one just answered brings them
    # (a new kind: its label facts; own rules: each rule).
    again: list[str] = default(default_factory=list)
    categories: list[str] = default(default_factory=list)  # the storefront's
    has_location: bool = False  # the storefront's: a radius needs it

    @property
    def editing(self) -> bool:
        return self.product_id is not None


@dataclass
class NewProduct(ProductDraft):
    KIND: ClassVar[str] = "product"


@dataclass
class ProductEdit(ProductDraft):
    KIND: ClassVar[str] = "product_edit"
    KEPT_WHEN_LEFT: ClassVar[bool] = False


def current(update: Update, context: BotContext) -> ProductDraft:
    return form.current(update, context, NewProduct, ProductEdit)


def _stay(update: Update, context: BotContext) -> Step | int:
    return form.state_of(current(update, context), Step)


async def _stale(update: Update, context: BotContext) -> Step | int:
    await form.answer_stale(update, context)
    return _stay(update, context)


def _photos(context: BotContext) -> PhotoStore:
    return PhotoStore(context.settings.media_dir)


# --- how answers look -------------------------------------------------------------------------


def _yes_no(value: Any, texts: Texts) -> str:
    return texts("answer.yes") if value else texts("answer.no")


def shown(field: str, answers: product_form.Answers, texts: Texts) -> str:
    """One answer as the seller reads it."""
    value = answers.get(field)
    if value is None:
        return texts("onboarding.not_given")
    if field == "sub_categories":
        return ", ".join(_sub_category_label(v, texts) for v in value)
    if field == "photos":
        return texts.plural("product.photo_count", len(value))
    if field in ("mrp", "price"):
        return texts.money(Decimal(value))
    if field == "gst_rate":
        return f"{Decimal(value).normalize():f}%"
    if field == "gst_split":
        return texts(f"gst_split.{value}")
    if field == "unit":
        return texts(f"unit.{value}")
    if field == "policies":
        if not product_form.policies_complete(answers):
            return texts("policy.custom")
        return policies_text(product_form.policies_of(answers), texts)
    if field == "area":
        return area_text(value, texts) if value else texts("product.area_same")
    if field == rules.IS_VEGETARIAN:
        return texts("answer.veg") if value else texts("answer.non_veg")
    if field in product_form.YES_NO:
        return _yes_no(value, texts)
    if value == rules.ON_LABEL:
        return texts("product.on_label")
    return str(value)


def _sub_category_label(value: str, texts: Texts) -> str:
    if value in product_form.QUALIFIERS:
        return texts(f"subcategory.{value}")
    return texts(f"category.{category_by_value(value).code}")


def policies_text(policies: rules.Policies, texts: Texts) -> str:
    parts = [
        texts("policy.returnable", days=policies.return_window_days)
        if policies.returnable
        else texts("policy.not_returnable"),
        texts("policy.cancellable") if policies.cancellable else texts("policy.not_cancellable"),
        texts("policy.cod") if policies.cod else texts("policy.no_cod"),
        texts("policy.ships", days=policies.ship_days),
        texts("policy.quantity", min=policies.min_qty, max=policies.max_qty),
    ]
    return "; ".join(parts)


def detail_lines(answers: product_form.Answers, texts: Texts) -> list[str]:
    return [
        texts("card.line", label=texts(f"pd_field.{field}"), value=shown(field, answers, texts))
        for field in product_form.FIELDS
        if field in answers
        and product_form.is_required(field, answers)
        and field not in product_form.POLICY_FIELDS
    ]


def caption(answers: product_form.Answers, texts: Texts) -> str:
    """The review photo's caption: the essentials, within Telegram's caption limit."""
    total = product_form.buyer_pays(answers)
    tax = pricing.tax_breakdown(
        Decimal(answers["price"]),
        Decimal(answers["gst_rate"]),
        gst_included=bool(answers["gst_included"]),
    )
    lines = [
        texts("item.title", name=answers["name"]),
        texts(
            "product.price_line",
            total=texts.money(total),
            mrp=texts.money(Decimal(answers["mrp"])),
        ),
        texts(
            "product.tax_line",
            taxable=texts.money(tax.taxable_value),
            tax=texts.money(tax.tax),
            rate=shown("gst_rate", answers, texts),
        ),
        texts(
            "product.pack_line",
            value=texts.number(int(answers["unit_value"])),
            unit=texts(f"unit.{answers['unit']}"),
            stock=texts.number(int(answers["stock"])),
        ),
    ]
    text = "\n".join(lines)
    return text if len(text) <= CAPTION_MAX else text[: CAPTION_MAX - 1] + "…"


# --- asking -----------------------------------------------------------------------------------


def _way_out(field: str, draft: ProductDraft, texts: Texts) -> Rows:
    rows: Rows = []
    if field in draft.answers:
        rows.append([(texts("button.keep"), callback("pd", "keep", field))])
    adding = not draft.editing and product_form.next_field(draft.answers) is not None
    if adding and product_form.previous_field(field, draft.answers) is not None:
        rows.append([(texts("button.back"), callback("pd", "back", field))])
    return rows


def _choices(draft: ProductDraft) -> list[str]:
    return product_form.sub_category_choices(draft.categories)


def _sub_categories_keyboard(
    draft: ProductDraft, texts: Texts, way_out: Rows
) -> InlineKeyboardMarkup:
    buttons = [
        (
            ("✅ " if value in draft.selecting else "▫️ ") + _sub_category_label(value, texts),
            callback("pd", "sub", str(index)),
        )
        for index, value in enumerate(_choices(draft))
    ]
    done = [(texts("button.done"), callback("pd", "sub", "done"))]
    return inline([*in_rows(buttons, 1), done, *way_out])


def _markup(field: str, draft: ProductDraft, texts: Texts) -> InlineKeyboardMarkup | None:
    way_out = _way_out(field, draft, texts)
    rows: Rows = []
    if field == "sub_categories":
        return _sub_categories_keyboard(draft, texts, way_out)
    if field == "photos":
        rows = [[(texts("button.photos_done"), callback("pd", "photos", "done"))]]
        if draft.answers.get(PENDING):
            rows.append([(texts("button.photos_clear"), callback("pd", "photos", "clear"))])
    elif field == "long_description":
        rows = [[(texts("button.skip"), callback("pd", "skip", field))]]
    elif field == rules.IS_VEGETARIAN:
        rows = [
            [
                (texts("answer.veg"), callback("pd", "yn", "1", field)),
                (texts("answer.non_veg"), callback("pd", "yn", "0", field)),
            ]
        ]
    elif field in product_form.YES_NO:
        rows = [
            [
                (texts("answer.yes"), callback("pd", "yn", "1", field)),
                (texts("answer.no"), callback("pd", "yn", "0", field)),
            ]
        ]
    elif field == "gst_rate":
        rows = in_rows(
            [(f"{rate}%", callback("pd", "gst", str(rate))) for rate in pricing.GST_RATE_BUTTONS], 5
        )
    elif field == "gst_split":
        rows = [
            [(texts(f"gst_split.{s.value}"), callback("pd", "split", s.value))]
            for s in pricing.GstSplit
        ]
    elif field == "unit":
        rows = in_rows(
            [
                (texts(rules.unit_key(u)), callback("pd", "unit", u.value))
                for u in rules.UNIT_BUTTONS
            ],
            3,
        )
    elif field == "policies":
        rows = [
            [(texts("button.policies_ok"), callback("pd", "pol", product_form.POLICY_DEFAULT))],
            [(texts("button.policies_change"), callback("pd", "pol", product_form.POLICY_CUSTOM))],
        ]
    elif field == "area":
        rows = [[(texts("button.area_same"), callback("pd", "area", "same"))]]
    elif field in rules.LABEL_FACTS:
        rows = [[(texts("button.on_label"), callback("pd", "label", field))]]
    rows += way_out
    return inline(rows) if rows else None


def _question(field: str, draft: ProductDraft, texts: Texts) -> str:
    if field == "policies":
        defaults = rules.default_policies(draft.answers.get("sub_categories") or [])
        return texts("product.ask.policies", policies=policies_text(defaults, texts))
    if field in product_form.FACTS:
        return texts(f"fact.ask.{field}")
    return texts(f"product.ask.{field}")


async def ask(
    update: Update, context: BotContext, draft: ProductDraft, field: str, note: str = ""
) -> Step:
    texts = context.texts
    if field == "sub_categories" and draft.asking != Step.SUB_CATEGORIES:
        draft.selecting = list(draft.answers.get("sub_categories") or [])
    if field == "photos" and PENDING not in draft.answers:
        # Photos sent now are added to those there are; Remove all starts again. (Photos sent
        # before a /cancel, without Done, are still pending: they are kept.)
        draft.answers[PENDING] = list(draft.answers.get("photos") or [])
    step = await draft.save(update, context, Step(field))
    question = with_note(note, _question(field, draft, texts))
    if field == "photos" and draft.answers.get(PENDING):
        question += "\n\n" + texts.plural("product.photos_have", len(draft.answers[PENDING]))
    if field in draft.answers and field != "photos":
        question += "\n\n" + texts("onboarding.current", value=shown(field, draft.answers, texts))
    await say(update, question, _markup(field, draft, texts))
    return step


async def ask_next(
    update: Update, context: BotContext, draft: ProductDraft, note: str = ""
) -> Step | int:
    while draft.again:
        field = draft.again.pop(0)
        if product_form.is_required(field, draft.answers):
            return await ask(update, context, draft, field, note)
    field = product_form.next_field(draft.answers)
    if field is not None:
        return await ask(update, context, draft, field, note)
    if draft.editing:
        return await publish_edit(update, context, draft)
    return await show_review(update, context, draft, note)


async def answered(
    update: Update, context: BotContext, field: str, value: Any, draft: ProductDraft
) -> Step | int:
    draft.answers = product_form.answer(draft.answers, field, value)
    if field not in draft.again:
        draft.again = [*draft.again, *product_form.follow_ups(field, draft.answers)]
    try:
        product_form.check_price(draft.answers)
    except InvalidInput as problem:  # GST on top pushes the price over the MRP: ask it again
        draft.answers.pop("price", None)
        return await ask(
            update, context, draft, "price", context.texts(problem.reason, **problem.params)
        )
    return await ask_next(update, context, draft)


async def ask_again(
    update: Update, context: BotContext, note: str = "", draft: ProductDraft | None = None
) -> Step | int:
    draft = draft or current(update, context)
    if draft.asking == Step.RESUME:
        return await offer_resume(update, context, draft, note)
    if draft.asking == Step.SHOP:
        return await pick_shop(update, context, note)
    if draft.asking in (None, Step.REVIEW):
        return await ask_next(update, context, draft, note)
    return await ask(update, context, draft, draft.asking, note)


async def refuse(
    update: Update,
    context: BotContext,
    reason: str,
    draft: ProductDraft | None = None,
    **params: object,
) -> Step | int:
    return await ask_again(update, context, context.texts(reason, **params), draft)


# --- entering ---------------------------------------------------------------------------------


async def add_product(update: Update, context: BotContext) -> Step | int:
    """/addproduct or a button: the storefront (if there are several), then the questions."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    texts = context.texts
    seller = context.store.seller_of(form.user_id(update))
    if seller is None:
        await say(update, texts("menu.not_registered"))
        return _stay(update, context)
    await form.leave_other_flows(update, context, NAME)
    if ProductEdit.exists(update, context):
        ProductEdit.load(update, context).discard(update, context)
    draft = NewProduct.load(update, context)
    if draft.answers:
        return await offer_resume(update, context, draft)
    return await pick_shop(update, context)


async def pick_shop(update: Update, context: BotContext, note: str = "") -> Step | int:
    texts = context.texts
    seller = context.store.seller_of(form.user_id(update))
    assert seller is not None
    shops = context.store.shops_of(seller.id)
    if not shops:
        rows = [[(texts("menu.new_storefront"), callback("menu", "newstore"))]]
        await say(update, texts("catalogue.no_storefront"), inline(rows))
        return ConversationHandler.END
    if len(shops) == 1:  # never asked which
        return await start_with(update, context, shops[0], note)
    draft = NewProduct.load(update, context)
    step = await draft.save(update, context, Step.SHOP)
    rows = [[(shop.name, callback("pd", "shop", str(shop.id)))] for shop in shops]
    await say(update, with_note(note, texts("product.pick_storefront")), inline(rows))
    return step


async def _storefront_facts(context: BotContext, shop: Shop) -> tuple[list[str], bool] | None:
    """The storefront's categories and whether it has a pickup location: the bot's copy (so a
    product can be added while the marketplace does not answer), or for a shop listed before
    copies were kept, the gateway's, copied then; None if the gateway cannot say."""
    if shop.categories:
        return list(shop.categories), shop.has_location
    try:
        stored = await context.gateway.get_storefront(shop.gateway_storefront_id)
    except GatewayError as failure:
        log.warning("storefront %s unavailable for a product: %s", shop.id, failure)
        return None
    copy = storefront_form.kept_copy(stored.model_dump(mode="json"))
    context.store.copy_storefront(shop.id or 0, **copy)
    return copy["categories"], copy["has_location"]


async def start_with(update: Update, context: BotContext, shop: Shop, note: str = "") -> Step | int:
    facts = await _storefront_facts(context, shop)
    if facts is None:
        await say(update, context.texts("error.gateway_unavailable_read"))
        return _stay(update, context)
    draft = NewProduct(shop_id=shop.id, categories=facts[0], has_location=facts[1])
    intro = with_note(note, context.texts("product.intro", shop=shop.name))
    return await ask_next(update, context, draft, intro)


async def shop_chosen(update: Update, context: BotContext) -> Step | int:
    query = update.callback_query
    assert query is not None and query.data is not None
    if current(update, context).asking != Step.SHOP:
        return await _stale(update, context)
    shop = context.store.shop_of(form.user_id(update), int(query.data.rsplit(":", 1)[1]))
    if shop is None:
        await query.answer(context.texts("stores.not_found"), show_alert=True)
        return _stay(update, context)
    await query.answer()
    await edit_markup_in_place(query, None)
    return await start_with(update, context, shop)


async def offer_resume(
    update: Update, context: BotContext, draft: ProductDraft, note: str = ""
) -> Step:
    texts = context.texts
    step = await draft.save(update, context, Step.RESUME)
    rows = [
        [(texts("button.continue"), callback("pd", "resume", "go"))],
        [(texts("button.discard"), callback("pd", "resume", "new"))],
    ]
    name = draft.answers.get("name")
    offer = (
        texts("product.resume_named", name=name)
        if name
        else texts.plural("product.resume", product_form.answered_count(draft.answers))
    )
    await say(update, with_note(note, offer), inline(rows))
    return step


async def resume_chosen(update: Update, context: BotContext) -> Step | int:
    draft = current(update, context)
    if draft.editing or draft.asking != Step.RESUME:
        return await _stale(update, context)
    choice = await form.button_value(update, context, ["go", "new"])
    if choice is None:
        return Step.RESUME
    await edit_markup_in_place(update.callback_query, None)  # type: ignore[arg-type]
    if choice == "new":
        draft.discard(update, context)
        return await pick_shop(update, context)
    return await ask_next(update, context, draft)


# --- photos -------------------------------------------------------------------------------------


async def _download(message: Message, context: BotContext) -> tuple[bytes, str | None]:
    """The picture's bytes, and a file id Telegram can show as a photo again (None for a file)."""
    if message.photo:
        largest = message.photo[-1]
        check_size(largest.file_size)
        file = await largest.get_file()
        return bytes(await file.download_as_bytearray()), largest.file_id
    document = message.document
    assert document is not None
    check_size(document.file_size)
    file = await document.get_file()
    return bytes(await file.download_as_bytearray()), None


async def photo_received(update: Update, context: BotContext) -> Step | int:
    message = update.effective_message
    assert message is not None
    draft = current(update, context)
    if draft.asking != Step.PHOTOS:
        return await wrong_kind(update, context)
    if message.media_group_id:  # more of the album is coming: its answer waits for the rest
        _cancel_album_answer(update, context, message.media_group_id)
    if len(draft.answers.get(PENDING) or []) >= product_form.PHOTOS_MAX:
        return await refuse(
            update, context, "error.photos_too_many", draft, max=product_form.PHOTOS_MAX
        )
    try:
        data, file_id = await _download(message, context)
        stored = await asyncio.to_thread(
            _photos(context).save, data, context.settings.photo_max_side
        )
    except InvalidInput as problem:
        return await refuse(update, context, problem.reason, draft, **problem.params)
    except TelegramError as failure:
        log.warning("photo of user %s not downloaded: %s", form.user_id(update), failure)
        return await refuse(update, context, "error.photo_download", draft)
    photos = list(draft.answers.get(PENDING) or [])
    if all(p["name"] != stored.name for p in photos):  # the same picture twice counts once
        photos.append({"name": stored.name, "file_id": file_id})
    draft.answers[PENDING] = photos
    step = await draft.save(update, context, Step.PHOTOS)
    if message.media_group_id:
        _acknowledge_later(update, context, message.media_group_id)
    else:
        await _acknowledge(form.user_id(update), context, len(photos))
    return step


def _album_job(update: Update, group: str) -> str:
    return f"album:{form.user_id(update)}:{group}"


def _cancel_album_answer(update: Update, context: BotContext, group: str) -> None:
    assert context.job_queue is not None
    for job in context.job_queue.get_jobs_by_name(_album_job(update, group)):
        job.schedule_removal()


def _acknowledge_later(update: Update, context: BotContext, group: str) -> None:
    """One answer to a whole album, once its photos stop coming."""
    assert context.job_queue is not None
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    name = _album_job(update, group)
    _cancel_album_answer(update, context, group)
    context.job_queue.run_once(
        _album_done, ALBUM_QUIET_SECONDS, chat_id=chat_id, user_id=form.user_id(update), name=name
    )


async def _album_done(context: BotContext) -> None:
    job = context.job
    assert job is not None and job.user_id is not None
    data = context.store.draft(job.user_id, ProductEdit.KIND) or context.store.draft(
        job.user_id, NewProduct.KIND
    )
    photos = ((data or {}).get("answers") or {}).get(PENDING) or []
    if photos and (data or {}).get("asking") == Step.PHOTOS:  # not after /cancel, Done...
        await _acknowledge(job.user_id, context, len(photos))


async def _acknowledge(user_id: int, context: BotContext, count: int) -> None:
    """How many photos there are so far, with Done (a private chat's id is its user's)."""
    texts = context.i18n.texts(context.store.language_of(user_id))
    rows = [[(texts("button.photos_done"), callback("pd", "photos", "done"))]]
    await context.bot.send_message(
        user_id, texts.plural("product.photos_received", count), reply_markup=inline(rows)
    )


async def photos_cleared(update: Update, context: BotContext) -> Step | int:
    """Remove all: the photos sent from now on are the product's only ones."""
    query = update.callback_query
    assert query is not None
    draft = current(update, context)
    if draft.asking != Step.PHOTOS:
        return await _stale(update, context)
    draft.answers[PENDING] = []
    step = await draft.save(update, context, Step.PHOTOS)
    await query.answer(context.texts("product.photos_cleared"))
    rows = [[(context.texts("button.photos_done"), callback("pd", "photos", "done"))]]
    await edit_markup_in_place(query, inline(rows))
    return step


async def photos_done(update: Update, context: BotContext) -> Step | int:
    query = update.callback_query
    assert query is not None
    draft = current(update, context)
    if draft.asking != Step.PHOTOS:
        return await _stale(update, context)
    photos = draft.answers.pop(PENDING, None)
    if not photos:
        await query.answer(context.texts("error.photos_none"), show_alert=True)
        return Step.PHOTOS
    await query.answer()
    await edit_markup_in_place(query, None)
    return await answered(update, context, "photos", photos, draft)


# --- answering ----------------------------------------------------------------------------------


async def on_text(update: Update, context: BotContext) -> Step | int:
    draft = current(update, context)
    field = draft.asking or ""
    typed = update.effective_message.text or ""  # type: ignore[union-attr]
    if field == Step.PHOTOS:
        return await refuse(update, context, "error.send_photo", draft)
    if field not in product_form.TYPED_FIELDS:
        return await refuse(update, context, "error.use_buttons", draft)
    answers = {**draft.answers, "_has_location": draft.has_location}
    try:
        value = product_form.clean_typed(field, typed, answers)
    except InvalidInput as problem:
        return await refuse(update, context, problem.reason, draft, **problem.params)
    return await answered(update, context, field, value, draft)


async def wrong_kind(update: Update, context: BotContext) -> Step | int:
    draft = current(update, context)
    if draft.asking == Step.PHOTOS:
        return await refuse(update, context, "error.send_photo", draft)
    typed = draft.asking in product_form.TYPED_FIELDS
    return await refuse(update, context, "error.type_text" if typed else "error.use_buttons", draft)


async def _chosen(
    update: Update, context: BotContext, field: str, value: Any, draft: ProductDraft
) -> Step | int:
    texts = context.texts
    shown_answers = {**draft.answers, field: value}
    await edit_in_place(
        update.callback_query,  # type: ignore[arg-type]
        texts(
            "onboarding.chosen",
            label=texts(f"pd_field.{field}"),
            answer=shown(field, shown_answers, texts),
        ),
        None,
    )
    return await answered(update, context, field, value, draft)


@dataclass(frozen=True)
class Choice:
    """A button that answers a question outright (see conversations/storefront.py)."""

    fields: Callable[[ProductDraft], Iterable[str]]
    allowed: Callable[[ProductDraft], Iterable[str]]
    answer: Callable[[ProductDraft, str], Any]


def _asked(*fields: str) -> Callable[[ProductDraft], Iterable[str]]:
    return lambda draft: fields


CHOICES: dict[str, Choice] = {
    "gst": Choice(
        _asked("gst_rate"), lambda d: [str(r) for r in pricing.GST_RATE_BUTTONS], lambda d, v: v
    ),
    "split": Choice(
        _asked("gst_split"), lambda d: [s.value for s in pricing.GstSplit], lambda d, v: v
    ),
    "unit": Choice(_asked("unit"), lambda d: [u.value for u in rules.UNIT_BUTTONS], lambda d, v: v),
    "pol": Choice(
        _asked("policies"),
        lambda d: [product_form.POLICY_DEFAULT, product_form.POLICY_CUSTOM],
        lambda d, v: v,
    ),
    "area": Choice(_asked("area"), lambda d: ["same"], lambda d, v: None),
}


async def choice_pressed(update: Update, context: BotContext) -> Step | int:
    query = update.callback_query
    assert query is not None and query.data is not None
    _, verb, value = query.data.split(":")
    choice = CHOICES[verb]
    draft = current(update, context)
    if draft.asking not in choice.fields(draft) or value not in choice.allowed(draft):
        return await _stale(update, context)
    await query.answer()
    return await _chosen(update, context, draft.asking, choice.answer(draft, value), draft)


async def yes_no_pressed(update: Update, context: BotContext) -> Step | int:
    query = update.callback_query
    assert query is not None and query.data is not None
    _, _, value, field = query.data.split(":")
    draft = current(update, context)
    if draft.asking != field or field not in product_form.YES_NO:
        return await _stale(update, context)
    await query.answer()
    return await _chosen(update, context, field, value == "1", draft)


async def on_label_pressed(update: Update, context: BotContext) -> Step | int:
    query = update.callback_query
    assert query is not None and query.data is not None
    field = query.data.rsplit(":", 1)[1]
    draft = current(update, context)
    if draft.asking != field or field not in rules.LABEL_FACTS:
        return await _stale(update, context)
    await query.answer()
    return await _chosen(update, context, field, rules.ON_LABEL, draft)


async def skip_pressed(update: Update, context: BotContext) -> Step | int:
    query = update.callback_query
    assert query is not None and query.data is not None
    draft = current(update, context)
    if draft.asking != "long_description" or not query.data.endswith(":long_description"):
        return await _stale(update, context)
    await query.answer()
    return await _chosen(update, context, "long_description", None, draft)


async def sub_category_toggled(update: Update, context: BotContext) -> Step | int:
    query = update.callback_query
    assert query is not None and query.data is not None
    texts = context.texts
    draft = current(update, context)
    if draft.asking != Step.SUB_CATEGORIES:
        return await _stale(update, context)
    pressed = query.data.rsplit(":", 1)[1]
    choices = _choices(draft)
    if pressed == "done":
        try:
            chosen = product_form.check_sub_categories(draft.selecting, draft.categories)
        except InvalidInput as problem:
            await query.answer(texts(problem.reason), show_alert=True)
            return Step.SUB_CATEGORIES
        await query.answer()
        return await _chosen(update, context, "sub_categories", chosen, draft)
    if not pressed.isdigit() or int(pressed) >= len(choices):
        await query.answer(texts("error.category_not_yours"), show_alert=True)
        return Step.SUB_CATEGORIES
    await query.answer()
    value = choices[int(pressed)]
    if value in draft.selecting:
        draft.selecting.remove(value)
    else:
        draft.selecting.append(value)
    await draft.save(update, context, Step.SUB_CATEGORIES)
    await edit_markup_in_place(
        query, _sub_categories_keyboard(draft, texts, _way_out("sub_categories", draft, texts))
    )
    return Step.SUB_CATEGORIES


async def keep_answer(update: Update, context: BotContext) -> Step | int | None:
    kind = ProductEdit if ProductEdit.exists(update, context) else NewProduct
    draft = await form.pressed_on_current(update, context, kind)
    return None if draft is None else await ask_next(update, context, draft)


async def go_back(update: Update, context: BotContext) -> Step | int | None:
    if ProductEdit.exists(update, context):
        return await _stale(update, context)
    draft = await form.pressed_on_current(update, context, NewProduct)
    if draft is None:
        return None
    previous = product_form.previous_field(draft.asking or "", draft.answers)
    assert previous is not None, "Back is offered only where there is a question before"
    return await ask(update, context, draft, previous)


# --- review and publishing ----------------------------------------------------------------------


def _image_url(context: BotContext) -> Callable[[str], str]:
    store = _photos(context)
    return lambda name: store.url(context.settings.media_base_url, name)


async def _send_first_photo(
    update: Update, context: BotContext, draft: ProductDraft, text: str
) -> None:
    """The first photo with `text` as its caption; uploaded from our store the first time (a
    picture sent as a file has no photo id), then shown again by Telegram's file id."""
    chat = update.effective_chat
    assert chat is not None
    first = draft.answers["photos"][0]
    if first.get("file_id"):
        await chat.send_photo(first["file_id"], caption=text)
        return
    with _photos(context).path(first["name"]).open("rb") as picture:
        sent = await chat.send_photo(picture, caption=text)
    first["file_id"] = sent.photo[-1].file_id if sent.photo else None


async def show_review(
    update: Update, context: BotContext, draft: ProductDraft, note: str = ""
) -> Step:
    texts = context.texts
    if note:
        await say(update, note)
    await _send_first_photo(update, context, draft, caption(draft.answers, texts))
    step = await draft.save(update, context, Step.REVIEW)
    edits = [
        (
            texts("button.edit", label=texts(f"pd_field.{field}")),
            callback("pd", "fix", _token(draft), field),
        )
        for field in product_form.editable(draft.answers)
    ]
    rows = [*in_rows(edits, 2), [(texts("button.publish"), callback("pd", "ok", _token(draft)))]]
    lines = [texts("product.review.title"), "", *detail_lines(draft.answers, texts)]
    *earlier, last = in_messages(lines)
    for part in earlier:  # long label facts: more than one message, the buttons on the last
        await say(update, part)
    await say(update, last, inline(rows))
    return step


def _token(draft: ProductDraft) -> str:
    """Names the product on its review card's buttons: a card of a product since discarded
    must not act on the next one."""
    return draft.catalogue_item_id[:8]


def _for_this_product(update: Update, draft: ProductDraft) -> bool:
    data = update.callback_query.data or ""  # type: ignore[union-attr]
    return data.split(":")[2] == _token(draft)


async def fix_field(update: Update, context: BotContext) -> Step | int:
    draft = current(update, context)
    if draft.editing or draft.asking != Step.REVIEW or not _for_this_product(update, draft):
        return await _stale(update, context)
    field = await form.button_value(update, context, product_form.EDITABLE)
    if field is None:
        return Step.REVIEW
    await edit_markup_in_place(update.callback_query, None)  # type: ignore[arg-type]
    return await ask(update, context, draft, field)


@dataclass(frozen=True)
class Published:
    """The item as listed here; `waiting` when the marketplace did not answer and it is kept in
    the outbox, to be published when it does (the seller is told then)."""

    product: Product
    waiting: bool = False


@dataclass(frozen=True)
class Refused:
    """Why publishing failed (a locale key), and the question to ask again if one is to blame."""

    reason: str
    field: str | None = None


async def _upsert(update: Update, context: BotContext, draft: ProductDraft) -> Published | Refused:
    """Sends the item to the gateway (or the outbox, if the gateway does not answer) and lists
    it here; why not, if the gateway refused it."""
    shop = context.store.shop_of(form.user_id(update), draft.shop_id or 0)
    if shop is None:
        return Refused("stores.not_found")
    payload = product_form.to_gateway(
        product_form.known(draft.answers), draft.catalogue_item_id, _image_url(context)
    )
    try:
        published = await context.outbox.upsert_item(
            shop.gateway_storefront_id,
            CatalogueItem.model_validate(payload),
            chat_id=form.user_id(update),
            label=draft.answers["name"],
        )
    except InvalidRequest as refused:
        log.warning("gateway refused item %s: %s", draft.catalogue_item_id, refused)
        fields = (product_form.field_at(error.field) for error in refused.errors)
        return Refused("error.gateway_refused_field", next(filter(None, fields), None))
    except GatewayError as failure:
        log.error("gateway refused item %s: %r", draft.catalogue_item_id, failure)
        return Refused("error.gateway_refused")
    first = draft.answers["photos"][0]
    product = context.store.save_product(
        Product(
            catalogue_item_id=draft.catalogue_item_id,
            shop_id=shop.id or 0,
            name=draft.answers["name"],
            name_key="",
            price=product_form.buyer_pays(draft.answers),
            stock=int(draft.answers["stock"]),
            photo_file_id=first.get("file_id"),
            answers=product_form.known(draft.answers),
        )
    )
    return Published(product, waiting=not published)


async def _refused(
    update: Update, context: BotContext, draft: ProductDraft, refused: Refused
) -> Step | int:
    """The question the gateway blamed, or (an edit) the one asked, again with the reason; or,
    on the review card, the reason alone: its buttons still work."""
    texts = context.texts
    if refused.field is not None:
        note = texts(refused.reason, label=texts(f"pd_field.{refused.field}"))
        return await ask(update, context, draft, refused.field, note)
    reason = (
        "error.gateway_refused"
        if refused.reason == "error.gateway_refused_field"
        else refused.reason
    )
    if draft.editing:
        return await ask_again(update, context, texts(reason), draft)
    await say(update, texts(reason))
    return Step.REVIEW


async def publish(update: Update, context: BotContext) -> Step | int:
    query = update.callback_query
    assert query is not None
    draft = current(update, context)
    if draft.editing or draft.asking != Step.REVIEW or not _for_this_product(update, draft):
        return await _stale(update, context)
    await query.answer(context.texts("product.publishing"))
    saved = await _upsert(update, context, draft)
    if isinstance(saved, Refused):
        return await _refused(update, context, draft, saved)
    draft.discard(update, context)
    await draft.end(update, context)
    product = saved.product
    log.info("item %s published as product %s", draft.catalogue_item_id, product.id)
    await edit_markup_in_place(query, None)
    texts = context.texts
    done = texts("product.published", name=product.name)
    await say(update, form.published_or_waiting(context, done, saved.waiting))
    await catalogue.show_card(update, context, product)
    return ConversationHandler.END


async def edit_product(update: Update, context: BotContext) -> Step | int:
    """A field button on an item's card (it:ed:<id>:<field>): that question, then published."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, _, product_id, field = query.data.split(":")
    product = await catalogue.owned_product(update, context, int(product_id))
    if product is None:
        return _stay(update, context)
    editing = ProductEdit.load(update, context)
    if (
        field not in product_form.EDITABLE
        or field == "facts"
        or (editing.product_id == product.id and editing.asking == field)
    ):
        return await _stale(update, context)
    await query.answer()
    shop = context.store.shop_of(form.user_id(update), product.shop_id)
    assert shop is not None
    draft = ProductEdit(
        answers=dict(product.answers),
        catalogue_item_id=product.catalogue_item_id,
        shop_id=product.shop_id,
        product_id=product.id,
        categories=[
            c for c in product.answers.get("sub_categories", []) if c not in product_form.QUALIFIERS
        ],
    )
    facts = await _storefront_facts(context, shop)
    if facts is None:
        await say(update, context.texts("error.gateway_unavailable_read"))
        return _stay(update, context)
    draft.categories, draft.has_location = facts
    await form.leave_other_flows(update, context, NAME)
    draft.answers["stock"] = draft.opened_stock = product.stock  # live, not first published
    await edit_markup_in_place(query, None)
    return await ask(update, context, draft, field)


async def publish_edit(update: Update, context: BotContext, draft: ProductDraft) -> Step | int:
    listed = context.store.product_of(form.user_id(update), draft.product_id or 0)
    if listed is None:  # deleted meanwhile: an edit must not bring it back
        draft.discard(update, context)
        await say(update, context.texts("item.not_found"))
        return await draft.end(update, context)
    if draft.answers.get("stock") == draft.opened_stock:
        draft.answers["stock"] = listed.stock  # changed by a button or an order meanwhile
    saved = await _upsert(update, context, draft)
    if isinstance(saved, Refused):
        return await _refused(update, context, draft, saved)
    draft.discard(update, context)
    await draft.end(update, context)
    log.info("product %s edited", saved.product.id)
    await say(update, context.texts("outbox.saved" if saved.waiting else "storefront.saved"))
    await catalogue.show_card(update, context, saved.product)
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel: an edit changes nothing; a new product waits as a draft for /addproduct."""
    draft = current(update, context)
    if draft.editing:
        draft.discard(update, context)
        await say(update, context.texts("storefront.edit_cancelled"))
        return await draft.end(update, context)
    draft.park(update, context)
    count = product_form.answered_count(draft.answers)
    await say(update, context.texts.plural("product.cancelled", count))
    return await draft.end(update, context)


async def language_changed(update: Update, context: BotContext) -> Step | int:
    if await language.apply_choice(update, context) == language.Choice.REPEATED:
        return _stay(update, context)
    return await ask_again(update, context)


def handler() -> ConversationHandler:
    answers: list[BaseHandler] = [
        MessageHandler(pictures, photo_received),
        MessageHandler(text, on_text),
        CallbackQueryHandler(photos_done, pattern=r"^pd:photos:done$"),
        CallbackQueryHandler(photos_cleared, pattern=r"^pd:photos:clear$"),
        CallbackQueryHandler(sub_category_toggled, pattern=r"^pd:sub:\w+$"),
        CallbackQueryHandler(choice_pressed, pattern=rf"^pd:({'|'.join(CHOICES)}):[\w.-]+$"),
        CallbackQueryHandler(yes_no_pressed, pattern=r"^pd:yn:[01]:\w+$"),
        CallbackQueryHandler(on_label_pressed, pattern=r"^pd:label:\w+$"),
        CallbackQueryHandler(skip_pressed, pattern=r"^pd:skip:\w+$"),
        CallbackQueryHandler(shop_chosen, pattern=r"^pd:shop:\d+$"),
        CallbackQueryHandler(resume_chosen, pattern=r"^pd:resume:\w+$"),
        CallbackQueryHandler(fix_field, pattern=r"^pd:fix:[\w-]+:\w+$"),
        CallbackQueryHandler(publish, pattern=r"^pd:ok:[\w-]+$"),
        CallbackQueryHandler(keep_answer, pattern=r"^pd:keep:\w+$"),
        CallbackQueryHandler(go_back, pattern=r"^pd:back:\w+$"),
    ]
    states: dict[object, list[BaseHandler]] = {step: answers for step in Step}
    with warnings.catch_warnings():
        # Buttons are tracked per chat and user, as in onboarding (see there).
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return _conversation(states)


def _conversation(states: dict[object, list[BaseHandler]]) -> ConversationHandler:
    return ConversationHandler(
        entry_points=[
            CommandHandler("addproduct", add_product, filters=PRIVATE_MESSAGE),
            CallbackQueryHandler(add_product, pattern=r"^menu:addproduct$"),
            CallbackQueryHandler(edit_product, pattern=r"^it:ed:\d+:\w+$"),
        ],
        states=states,
        fallbacks=[
            CommandHandler("cancel", cancel, filters=PRIVATE_MESSAGE),
            CallbackQueryHandler(language_changed, pattern=language.PICK_PATTERN),
            MessageHandler(other_kinds, wrong_kind),
        ],
        name=NAME,
        persistent=True,
        allow_reentry=True,
    )
