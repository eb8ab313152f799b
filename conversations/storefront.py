"""Opening a storefront, and editing one: one question per message, a review card, the gateway.

State diagram: conversations/storefront.mmd. The questions are data (bot/domain/storefront_form.py)
and every answer is saved as a draft before the next question is sent (conversations/form.py),
so /cancel, a silence or a restart loses nothing. Editing a storefront asks the same questions,
starting from the storefront's answers; it has its own draft, so a half-made storefront waits.
"""

from __future__ import annotations

import logging
import uuid
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as default
from enum import StrEnum
from typing import Any, ClassVar

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.cards import storefront_lines, storefront_value
from bot.context import BotContext
from bot.domain import registration, storefront_form
from bot.domain import storefront as rules
from bot.domain.categories import INCORPORATION_TYPES, category_by_code, category_by_value
from bot.domain.india import STATES
from bot.domain.seller import InvalidInput
from bot.gateways.base import (
    GatewayError,
    InvalidRequest,
    NotFound,
    StorefrontInput,
    StorefrontUpdate,
    Unavailable,
)
from bot.storage.models import Shop
from bot.ui import (
    PRIVATE_MESSAGE,
    ReplyMarkup,
    callback,
    edit_markup_in_place,
    in_rows,
    inline,
    say,
    with_note,
)
from conversations import form, language, stores

log = logging.getLogger(__name__)

NAME = "storefront"

text = filters.TEXT & ~filters.COMMAND & PRIVATE_MESSAGE
not_text = ~filters.TEXT & ~filters.COMMAND & PRIVATE_MESSAGE

Rows = list[list[tuple[str, str]]]


class Step(StrEnum):
    """Where a seller is; each question's state is named after its field."""

    RESUME = "resume"  # a half-made storefront: continue it or start afresh
    NAME = "name"
    CATEGORIES = "categories"
    CONTACT_NAME = "contact_name"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"
    PINCODE = "pincode"
    CITY = "city"
    STATE = "state"
    LOCATION = "location"
    AREA = "area"
    HOURS = "hours"
    HOURS_DAY = "hours_day"  # custom hours, one day at a time
    BILLING = "billing"
    BILLING_LEGAL_NAME = "billing_legal_name"
    BILLING_INCORPORATION_TYPE = "billing_incorporation_type"
    BILLING_GSTIN = "billing_gstin"
    BILLING_PAN = "billing_pan"
    BILLING_ACCOUNT_NUMBER = "billing_account_number"
    BILLING_IFSC = "billing_ifsc"
    REGISTERED_ADDRESS = "registered_address"
    REGISTERED_PINCODE = "registered_pincode"
    REGISTERED_CITY = "registered_city"
    REGISTERED_STATE = "registered_state"
    BANK_NAME = "bank_name"
    REVIEW = "review"


TYPED = storefront_form.TYPED_FIELDS


# --- the drafts -------------------------------------------------------------------------------


@dataclass
class StorefrontDraft(form.Draft):
    """A storefront being made or edited, as kept in the `drafts` table."""

    CONVERSATION: ClassVar[str] = NAME

    # Fixed with the first answer, so a Confirm retried after a lost answer is recognised.
    storefront_id: str = default(default_factory=lambda: str(uuid.uuid4()))
    shop_id: int | None = None  # the storefront being edited; None while making a new one
    seller: dict[str, Any] = default(default_factory=dict)  # storefront_form.SellerFacts
    week: dict[str, Any] = default(default_factory=dict)  # custom hours so far (gateway shape)
    day: int = 0  # the day asked next when setting hours day by day (0: Monday)
    # Answered questions to ask again, with Keep, because the one just answered again brings
    # them (a new billing business: its GSTIN, PAN...), before going back to the review.
    again: list[str] = default(default_factory=list)
    # The storefront last sent to the gateway when its answer never came: it may exist there.
    sent: dict[str, Any] | None = None

    @property
    def editing(self) -> bool:
        return self.shop_id is not None


@dataclass
class NewStorefront(StorefrontDraft):
    KIND: ClassVar[str] = "storefront"


@dataclass
class StorefrontEdit(StorefrontDraft):
    KIND: ClassVar[str] = "storefront_edit"
    KEPT_WHEN_LEFT: ClassVar[bool] = False


def current(update: Update, context: BotContext) -> StorefrontDraft:
    return form.current(update, context, NewStorefront, StorefrontEdit)


async def seller_facts(update: Update, context: BotContext) -> dict[str, Any] | None:
    """What the seller registered with, from the gateway (None, after saying so, if it is down)."""
    seller = context.store.seller_of(form.user_id(update))
    if seller is None:
        await say(update, context.texts("menu.not_registered"))
        return None
    try:
        details = await context.gateway.get_seller(seller.gateway_seller_id)
    except GatewayError as failure:
        log.warning("seller %s unavailable for a storefront: %s", seller.id, failure)
        await say(update, context.texts("error.gateway_unavailable_read"))
        return None
    facts = registration.from_gateway(details.model_dump(mode="json"))
    return {**facts, "phone": seller.phone, "email": seller.email}


# --- asking -----------------------------------------------------------------------------------


def _way_out(field: str, draft: StorefrontDraft, texts: Any) -> Rows:
    """Keep, for an answered question; Back to the question before, while making a new one."""
    rows: Rows = []
    if field in draft.answers:
        rows.append([(texts("button.keep"), callback("sf", "keep", field))])
    making = not draft.editing and storefront_form.next_field(draft.answers) is not None
    if making and storefront_form.previous_field(field, draft.answers) is not None:
        rows.append([(texts("button.back"), callback("sf", "back", field))])
    return rows


def _categories_keyboard(draft: StorefrontDraft, texts: Any, way_out: Rows) -> InlineKeyboardMarkup:
    buttons = []
    for value in draft.seller.get("categories") or []:
        category = category_by_value(value)
        tick = "✅ " if value in draft.selecting else "▫️ "
        buttons.append(
            (tick + texts(f"category.{category.code}"), callback("sf", "cat", category.code))
        )
    done = [(texts("button.done"), callback("sf", "cat", "done"))]
    return inline([*in_rows(buttons, 2), done, *way_out])


def _state_buttons(texts: Any) -> Rows:
    return in_rows([(texts(f"state.{s.code}"), callback("sf", "st", s.code)) for s in STATES], 3)


def _markup(field: str, draft: StorefrontDraft, texts: Any) -> ReplyMarkup | None:
    way_out = _way_out(field, draft, texts)
    seller = draft.seller
    rows: Rows = []
    if field == "categories":
        return _categories_keyboard(draft, texts, way_out)
    if field == "location":
        # A reply keyboard replaces inline buttons: Keep and Back are not offered here.
        share = KeyboardButton(texts("button.share_location"), request_location=True)
        skip = KeyboardButton(texts("button.no_location"))
        return ReplyKeyboardMarkup([[share], [skip]], resize_keyboard=True, one_time_keyboard=True)
    if field == "phone" and seller.get("phone"):
        rows = [
            [(texts.label("button.use", value=seller["phone"]), callback("sf", "use", "phone"))]
        ]
    elif field == "email" and seller.get("email"):
        rows = [
            [(texts.label("button.use", value=seller["email"]), callback("sf", "use", "email"))]
        ]
    elif field in ("state", "registered_state"):
        rows = _state_buttons(texts)
    elif field == "area" and draft.answers.get("location") is not None:
        presets = [
            (texts("area.radius", km=km), callback("sf", "km", str(km)))
            for km in rules.RADIUS_PRESETS
        ]
        rows = in_rows(presets, 2)
    elif field == "hours":
        presets = [
            (texts(f"hours.preset.{key}"), callback("sf", "hrs", key))
            for key in rules.HOURS_PRESETS
        ]
        rows = [[button] for button in presets]
        rows.append([(texts("button.each_day"), callback("sf", "hrs", "days"))])
    elif field == "billing":
        rows = [
            [(texts("button.billing_same"), callback("sf", "bill", storefront_form.BILLING_SAME))],
            [
                (
                    texts("button.billing_other"),
                    callback("sf", "bill", storefront_form.BILLING_OTHER),
                )
            ],
        ]
    elif field == "billing_incorporation_type":
        rows = in_rows(
            [(texts(f"incorporation.{c}"), callback("sf", "inc", c)) for c in INCORPORATION_TYPES],
            2,
        )
    elif field == "registered_address":
        rows = [[(texts("button.same_as_pickup"), callback("sf", "reg", "same"))]]
    elif field == "bank_name":
        bank = storefront_form.suggested_bank_name(draft.answers, seller)
        if bank is not None:
            rows = [[(texts.label("button.use", value=bank), callback("sf", "bank", "ifsc"))]]
    rows += way_out
    return inline(rows) if rows else None


def _question(field: str, draft: StorefrontDraft, texts: Any) -> str:
    seller = draft.seller
    if field == "billing":
        return texts(
            "storefront.ask.billing", legal_name=seller["legal_name"], gstin=seller["gstin"]
        )
    if field == "registered_address":
        return texts("storefront.ask.registered_address", address=draft.answers["address"])
    return texts(f"storefront.ask.{field}")


async def ask(
    update: Update, context: BotContext, draft: StorefrontDraft, field: str, note: str = ""
) -> Step:
    """Sends the question for `field` (with its current value when editing) and waits there."""
    texts = context.texts
    if field == "categories" and draft.asking != Step.CATEGORIES:
        # Ticks start from the answer, or from all the seller's categories: one tap on Done.
        # (A category the seller no longer has is left out: it could not be unticked.)
        own = draft.seller["categories"]
        kept = [c for c in draft.answers.get("categories") or [] if c in own]
        draft.selecting = kept or list(own)
    step = await draft.save(update, context, Step(field))
    question = with_note(note, _question(field, draft, texts))
    if field in draft.answers:
        value = storefront_value(field, draft.answers, texts)
        question += "\n\n" + texts("onboarding.current", value=value)
    await say(update, question, _markup(field, draft, texts))
    return step


async def ask_day(
    update: Update, context: BotContext, draft: StorefrontDraft, note: str = ""
) -> Step:
    """Custom hours: the hours of one day, Monday first."""
    texts = context.texts
    day = list(rules.Day)[draft.day]
    step = await draft.save(update, context, Step.HOURS_DAY)
    rows: Rows = [[(texts("button.closed_day"), callback("sf", "day", "closed", day.value))]]
    if draft.day > 0:
        previous = list(rules.Day)[draft.day - 1]
        label = texts("button.same_as_day", day=texts(f"day.long.{previous.value}"))
        rows.append([(label, callback("sf", "day", "same", day.value))])
    rows.append([(texts("button.back_to_presets"), callback("sf", "day", "presets", day.value))])
    question = texts("storefront.ask.hours_day", day=texts(f"day.long.{day.value}"))
    await say(update, with_note(note, question), inline(rows))
    return step


async def ask_next(
    update: Update, context: BotContext, draft: StorefrontDraft, note: str = ""
) -> Step | int:
    """The next unanswered question; when all are answered, the review card (a new storefront)
    or the change saved (an edit)."""
    while draft.again:
        field = draft.again.pop(0)
        if storefront_form.is_required(field, draft.answers):
            return await ask(update, context, draft, field, note)
    field = storefront_form.next_field(draft.answers)
    if field is not None:
        return await ask(update, context, draft, field, note)
    if draft.editing:
        return await save_edit(update, context, draft)
    return await show_review(update, context, draft, note)


async def answered(
    update: Update, context: BotContext, field: str, value: Any, draft: StorefrontDraft
) -> Step | int:
    draft.answers = storefront_form.answer(draft.answers, field, value)
    if field not in draft.again:  # answering a follow-up does not bring it back
        draft.again = [
            *draft.again,
            *(f for f in storefront_form.follow_ups(field, draft.answers) if f in draft.answers),
        ]
    return await ask_next(update, context, draft)


async def ask_again(
    update: Update, context: BotContext, note: str = "", draft: StorefrontDraft | None = None
) -> Step | int:
    """The question the seller was last shown, again (after a wrong answer, a language change)."""
    draft = draft or current(update, context)
    if draft.asking == Step.HOURS_DAY:
        return await ask_day(update, context, draft, note)
    if draft.asking == Step.RESUME:
        return await offer_resume(update, context, draft, note)
    if draft.asking in (None, Step.REVIEW):
        return await ask_next(update, context, draft, note)
    return await ask(update, context, draft, draft.asking, note)


async def refuse(
    update: Update,
    context: BotContext,
    reason: str,
    draft: StorefrontDraft | None = None,
    **params: object,
) -> Step | int:
    """Tells the seller what was wrong and asks the same question again, in one message."""
    return await ask_again(update, context, context.texts(reason, **params), draft)


# --- entering ---------------------------------------------------------------------------------


def _stay(update: Update, context: BotContext) -> Step | int:
    """Where the conversation was before an entry point that could not go on: a storefront
    being made keeps waiting for its answer."""
    return form.state_of(current(update, context), Step)


async def _on_new_storefront(update: Update, context: BotContext) -> NewStorefront | None:
    """The new storefront's draft, for a press on its own buttons (Back, Edit on the review,
    Create, Continue); while a storefront is being edited those are stale."""
    if StorefrontEdit.exists(update, context):
        await form.answer_stale(update, context)
        return None
    return NewStorefront.load(update, context)


async def new_storefront(update: Update, context: BotContext) -> Step | int:
    """/newstore or the menu's button: a new storefront, or the half-made one."""
    if update.callback_query:
        await update.callback_query.answer()
    facts = await seller_facts(update, context)
    if facts is None:
        return _stay(update, context)
    await form.leave_other_flows(update, context, NAME)
    draft = NewStorefront.load(update, context)
    note = context.texts("storefront.intro")
    if current(update, context).asking == Step.LOCATION:
        # The location question's keyboard goes with the question it belonged to.
        await say(update, note, ReplyKeyboardRemove())
        note = ""
    if StorefrontEdit.exists(update, context):  # an edit left half-way is dropped, not resumed
        StorefrontEdit.load(update, context).discard(update, context)
    draft.seller = facts
    if draft.answers:
        return await offer_resume(update, context, draft)
    return await ask_next(update, context, draft, note)


async def offer_resume(
    update: Update, context: BotContext, draft: StorefrontDraft, note: str = ""
) -> Step:
    texts = context.texts
    step = await draft.save(update, context, Step.RESUME)
    count = storefront_form.answered_count(draft.answers)
    rows = [
        [(texts("button.continue"), callback("sf", "resume", "go"))],
        [(texts("button.start_afresh"), callback("sf", "resume", "new"))],
    ]
    await say(update, with_note(note, texts.plural("storefront.resume", count)), inline(rows))
    return step


async def resume_chosen(update: Update, context: BotContext) -> Step | int:
    draft = await _on_new_storefront(update, context)
    if draft is None:
        return _stay(update, context)
    if draft.asking != Step.RESUME:  # a second copy of the offer, pressed mid-way
        await form.answer_stale(update, context)
        return _stay(update, context)
    choice = await form.button_value(update, context, ["go", "new"])
    if choice is None:
        return Step.RESUME
    await edit_markup_in_place(update.callback_query, None)  # type: ignore[arg-type]
    if choice == "new":
        draft = NewStorefront(seller=draft.seller)
        return await ask_next(update, context, draft, context.texts("storefront.intro"))
    return await ask_next(update, context, draft)


async def edit_storefront(update: Update, context: BotContext) -> Step | int:
    """A field button on a storefront's card (sf:ed:<shop>:<field>): that question, then saved."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, _, shop_id, field = query.data.split(":")
    shop = await stores.owned_shop(update, context, int(shop_id))
    if shop is None:
        return _stay(update, context)
    editing = StorefrontEdit.load(update, context)
    if field not in storefront_form.EDITABLE or (
        editing.shop_id == shop.id and editing.asking == field  # a double tap
    ):
        await form.answer_stale(update, context)
        return _stay(update, context)
    await query.answer()
    facts = await seller_facts(update, context)
    if facts is None:
        return _stay(update, context)
    try:
        stored = await context.gateway.get_storefront(shop.gateway_storefront_id)
    except GatewayError as failure:
        log.warning("storefront %s unavailable for editing: %s", shop.id, failure)
        await say(update, context.texts("error.gateway_unavailable_read"))
        return _stay(update, context)
    await form.leave_other_flows(update, context, NAME)
    answers = storefront_form.from_gateway(stored.model_dump(mode="json"), facts)
    draft = StorefrontEdit(
        answers=answers, shop_id=shop.id, seller=facts, storefront_id=shop.storefront_id
    )
    await edit_markup_in_place(query, None)
    return await ask(update, context, draft, field)


# --- answering --------------------------------------------------------------------------------


async def on_text(update: Update, context: BotContext) -> Step | int:
    draft = current(update, context)
    field = draft.asking or ""
    message_text = update.effective_message.text or ""  # type: ignore[union-attr]
    if field == Step.HOURS_DAY:
        return await day_typed(update, context, draft, message_text)
    if field == Step.LOCATION:
        if message_text.strip() in _no_location_labels(context):
            await say(update, context.texts("storefront.no_location"), ReplyKeyboardRemove())
            return await answered(update, context, "location", None, draft)
        return await refuse(update, context, "error.share_location", draft)
    if field not in TYPED:
        return await refuse(update, context, "error.use_buttons", draft)
    try:
        value = storefront_form.clean_typed(field, message_text, draft.answers)
    except InvalidInput as problem:
        return await refuse(update, context, problem.reason, draft, **problem.params)
    return await answered(update, context, field, value, draft)


def _no_location_labels(context: BotContext) -> set[str]:
    # The skip button sends its label as text, in the language it was shown in: any of ours.
    return {context.i18n.texts(code)("button.no_location") for code in context.i18n.languages}


async def wrong_kind(update: Update, context: BotContext) -> Step | int:
    """A photo, a sticker, a contact... where a typed answer or a button is expected."""
    draft = current(update, context)
    if draft.asking == Step.LOCATION:
        return await refuse(update, context, "error.share_location", draft)
    reason = (
        "error.type_text"
        if draft.asking in TYPED or draft.asking == Step.HOURS_DAY
        else "error.use_buttons"
    )
    return await refuse(update, context, reason, draft)


async def location_shared(update: Update, context: BotContext) -> Step | int:
    message = update.effective_message
    assert message is not None and message.location is not None
    draft = current(update, context)
    if draft.asking != Step.LOCATION:
        return await refuse(
            update,
            context,
            "error.type_text" if draft.asking in TYPED else "error.use_buttons",
            draft,
        )
    try:
        lat, long = rules.clean_location(message.location.latitude, message.location.longitude)
    except InvalidInput as problem:
        return await refuse(update, context, problem.reason, draft, **problem.params)
    await say(update, context.texts("storefront.location_saved"), ReplyKeyboardRemove())
    return await answered(update, context, "location", {"lat": lat, "long": long}, draft)


async def _pressed(
    update: Update, context: BotContext, step: Step, allowed: list[str]
) -> tuple[StorefrontDraft, str] | None:
    """The draft and the pressed value, if the press belongs to the question asked now."""
    draft = current(update, context)
    if draft.asking != step:
        await form.answer_stale(update, context)
        return None
    value = await form.button_value(update, context, allowed)
    return None if value is None else (draft, value)


async def _chosen(
    update: Update, context: BotContext, field: str, value: Any, draft: StorefrontDraft
) -> Step | int:
    """Replaces a question's buttons by the answer they gave, then moves on."""
    texts = context.texts
    shown_answers = {**draft.answers, field: value}
    await update.callback_query.edit_message_text(  # type: ignore[union-attr]
        texts(
            "onboarding.chosen",
            label=texts(f"sf_field.{field}"),
            answer=storefront_value(field, shown_answers, texts),
        )
    )
    return await answered(update, context, field, value, draft)


async def category_toggled(update: Update, context: BotContext) -> Step | int:
    query = update.callback_query
    assert query is not None and query.data is not None
    texts = context.texts
    draft = current(update, context)
    if draft.asking != Step.CATEGORIES:
        await form.answer_stale(update, context)
        return _stay(update, context)
    code = query.data.rsplit(":", 1)[1]
    if code == "done":
        try:
            chosen = rules.check_storefront_categories(draft.selecting, draft.seller["categories"])
        except InvalidInput as problem:
            await query.answer(texts(problem.reason), show_alert=True)
            return Step.CATEGORIES
        await query.answer()
        return await _chosen(update, context, "categories", chosen, draft)
    try:
        value = category_by_code(code).value
        rules.check_storefront_categories([value], draft.seller["categories"])
    except (KeyError, InvalidInput):
        # A crafted or outdated button: a category this seller did not register for.
        await query.answer(texts("error.category_not_yours"), show_alert=True)
        return Step.CATEGORIES
    await query.answer()
    if value in draft.selecting:
        draft.selecting.remove(value)
    else:
        draft.selecting.append(value)
    await draft.save(update, context, Step.CATEGORIES)
    await query.edit_message_reply_markup(
        _categories_keyboard(draft, texts, _way_out("categories", draft, texts))
    )
    return Step.CATEGORIES


async def hours_chosen(update: Update, context: BotContext) -> Step | int:
    pressed = await _pressed(update, context, Step.HOURS, [*rules.HOURS_PRESETS, "days"])
    if pressed is None:
        return Step(current(update, context).asking or Step.HOURS)
    draft, key = pressed
    if key == "days":
        await edit_markup_in_place(update.callback_query, None)  # type: ignore[arg-type]
        draft.week, draft.day = {}, 0
        return await ask_day(update, context, draft)
    hours = rules.week_to_gateway(rules.preset_week(key))
    return await _chosen(update, context, "hours", hours, draft)


async def _day_set(
    update: Update, context: BotContext, draft: StorefrontDraft, slots: list[rules.Slot]
) -> Step | int:
    """One day's hours recorded; the next day, or the whole week checked and answered."""
    day = list(rules.Day)[draft.day]
    draft.week[day.value] = rules.week_to_gateway({day: slots})[day.value]
    if draft.day < len(rules.Day) - 1:
        draft.day += 1
        return await ask_day(update, context, draft)
    week = rules.week_from_gateway(draft.week)
    try:
        rules.check_week(week)
    except InvalidInput as problem:
        draft.week, draft.day = {}, 0
        return await ask_day(
            update, context, draft, context.texts(problem.reason, **problem.params)
        )
    draft.week, draft.day = {}, 0
    return await answered(update, context, "hours", rules.week_to_gateway(week), draft)


async def day_typed(
    update: Update, context: BotContext, draft: StorefrontDraft, typed: str
) -> Step | int:
    try:
        slots = rules.parse_slots(typed)
    except InvalidInput as problem:
        return await ask_day(
            update, context, draft, context.texts(problem.reason, **problem.params)
        )
    return await _day_set(update, context, draft, slots)


async def day_pressed(update: Update, context: BotContext) -> Step | int:
    query = update.callback_query
    assert query is not None and query.data is not None
    draft = current(update, context)
    _, _, choice, day = query.data.split(":")
    asked = list(rules.Day)[draft.day].value
    # The button names its day: a double tap must not set the next day too.
    if (
        draft.asking != Step.HOURS_DAY
        or day != asked
        or choice not in ("closed", "same", "presets")
    ):
        await form.answer_stale(update, context)
        return _stay(update, context)
    await query.answer()
    await edit_markup_in_place(query, None)
    if choice == "presets":
        draft.week, draft.day = {}, 0
        return await ask(update, context, draft, "hours")
    if choice == "closed" or draft.day == 0:
        return await _day_set(update, context, draft, [])
    previous = list(rules.Day)[draft.day - 1].value
    slots = rules.week_from_gateway({previous: draft.week.get(previous) or []})[rules.Day(previous)]
    return await _day_set(update, context, draft, slots)


@dataclass(frozen=True)
class Choice:
    """A button that answers a question outright: which questions it belongs to, which values
    it may carry for the draft as it is, and the answer a value gives."""

    fields: tuple[str, ...]
    allowed: Callable[[StorefrontDraft], Iterable[str]]
    answer: Callable[[StorefrontDraft, str], Any]


def _as_is(_draft: StorefrontDraft, value: str) -> str:
    return value


def _has_location(draft: StorefrontDraft) -> bool:
    return draft.answers.get("location") is not None


def _suggested_bank(draft: StorefrontDraft) -> str | None:
    return storefront_form.suggested_bank_name(draft.answers, draft.seller)


# By the verb of their callback data (sf:<verb>:<value>).
CHOICES: dict[str, Choice] = {
    # "Use <the seller's phone / e-mail>": one tap instead of typing it again.
    "use": Choice(
        ("phone", "email"),
        lambda d: [d.asking] if d.asking and d.seller.get(d.asking) else [],
        lambda d, field: d.seller[field],
    ),
    "st": Choice(("state", "registered_state"), lambda d: [s.code for s in STATES], _as_is),
    "km": Choice(
        ("area",),
        lambda d: [str(km) for km in rules.RADIUS_PRESETS] if _has_location(d) else [],
        lambda d, km: {"radius": int(km)},
    ),
    "bill": Choice(
        ("billing",),
        lambda d: [storefront_form.BILLING_SAME, storefront_form.BILLING_OTHER],
        _as_is,
    ),
    "inc": Choice(("billing_incorporation_type",), lambda d: INCORPORATION_TYPES, _as_is),
    "reg": Choice(("registered_address",), lambda d: ["same"], lambda d, same: None),
    "bank": Choice(
        ("bank_name",),
        lambda d: ["ifsc"] if _suggested_bank(d) else [],
        lambda d, ifsc: _suggested_bank(d),
    ),
}


async def choice_pressed(update: Update, context: BotContext) -> Step | int:
    """A button that answers the question asked now; any other press is answered as stale."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, verb, value = query.data.split(":")
    choice = CHOICES[verb]
    draft = current(update, context)
    if draft.asking not in choice.fields or value not in choice.allowed(draft):
        await form.answer_stale(update, context)
        return _stay(update, context)
    await query.answer()
    return await _chosen(update, context, draft.asking, choice.answer(draft, value), draft)


async def keep_answer(update: Update, context: BotContext) -> Step | int | None:
    """Keep as it is: on to the next unanswered question, the review card, or the saved edit."""
    kind = StorefrontEdit if StorefrontEdit.exists(update, context) else NewStorefront
    draft = await form.pressed_on_current(update, context, kind)
    return None if draft is None else await ask_next(update, context, draft)


async def go_back(update: Update, context: BotContext) -> Step | int | None:
    if await _on_new_storefront(update, context) is None:
        return None
    draft = await form.pressed_on_current(update, context, NewStorefront)
    if draft is None:
        return None
    previous = storefront_form.previous_field(draft.asking or "", draft.answers)
    assert previous is not None, "Back is offered only where there is a question before"
    return await ask(update, context, draft, previous)


# --- the review card and saving -----------------------------------------------------------------


async def show_review(
    update: Update, context: BotContext, draft: StorefrontDraft, note: str = ""
) -> Step:
    texts = context.texts
    step = await draft.save(update, context, Step.REVIEW)
    edits = [
        (texts("button.edit", label=texts(f"sf_field.{field}")), callback("sf", "fix", field))
        for field in storefront_form.EDITABLE
    ]
    rows = [*in_rows(edits, 2), [(texts("button.create_storefront"), callback("sf", "ok"))]]
    lines = [texts("storefront.review.title"), "", *storefront_lines(draft.answers, texts)]
    body = "\n".join([*lines, "", texts("storefront.review.hint")])
    await say(update, with_note(note, body), inline(rows))
    return step


async def fix_field(update: Update, context: BotContext) -> Step | int:
    """An Edit button on the review card: that question again, then back to the card."""
    draft = await _on_new_storefront(update, context)
    if draft is None:
        return _stay(update, context)
    if draft.asking != Step.REVIEW:
        await form.answer_stale(update, context)
        return _stay(update, context)
    field = await form.button_value(update, context, storefront_form.EDITABLE)
    if field is None:
        return Step.REVIEW
    await edit_markup_in_place(update.callback_query, None)  # type: ignore[arg-type]
    return await ask(update, context, draft, field)


def _gateway_fields(draft: StorefrontDraft) -> dict[str, Any]:
    return storefront_form.to_gateway(draft.answers, draft.seller)


async def _refused_by_gateway(
    update: Update, context: BotContext, draft: StorefrontDraft, failure: GatewayError
) -> Step | int:
    """What the seller hears when the gateway says no; the draft stays for another try."""
    texts = context.texts
    if isinstance(failure, InvalidRequest):
        log.warning("gateway refused storefront %s: %s", draft.storefront_id, failure)
        fields = (storefront_form.field_at(e.field, draft.answers) for e in failure.errors)
        field = next(filter(None, fields), None)
        if field is not None:
            note = texts("error.gateway_refused_field", label=texts(f"sf_field.{field}"))
            return await ask(update, context, draft, field, note)
        reason = texts("error.gateway_refused")
    elif isinstance(failure, Unavailable):
        log.warning("gateway unavailable for storefront %s: %s", draft.storefront_id, failure)
        reason = texts("error.gateway_unavailable")
    else:
        log.error("gateway refused storefront %s: %r", draft.storefront_id, failure)
        reason = texts("error.gateway_refused")
    if draft.editing:  # the question again (its buttons are gone): Keep tries the save again
        return await ask_again(update, context, reason, draft)
    await say(update, reason)  # the review card, with its buttons, is still there
    return Step.REVIEW


async def _create(context: BotContext, draft: StorefrontDraft, payload: dict[str, Any]) -> int:
    """Creates the storefront; after a Create whose answer was lost (`draft.sent`), first the
    storefront as it was sent then (the gateway returns it if it made it), then the answers as
    they are now, so one storefront exists whatever happened to the first Create."""
    if draft.sent is None or draft.sent == payload:
        return await context.gateway.create_storefront(StorefrontInput.model_validate(payload))
    gateway_id = await context.gateway.create_storefront(StorefrontInput.model_validate(draft.sent))
    changes = {k: v for k, v in payload.items() if k not in ("storefront_id", "setu_seller_id")}
    await context.gateway.update_storefront(gateway_id, StorefrontUpdate.model_validate(changes))
    return gateway_id


async def confirm(update: Update, context: BotContext) -> Step | int:
    """Creates the storefront through the gateway and lists it as the seller's."""
    query = update.callback_query
    assert query is not None
    texts = context.texts
    draft = await _on_new_storefront(update, context)
    if draft is None:
        return _stay(update, context)
    seller = context.store.seller_of(form.user_id(update))
    if draft.asking != Step.REVIEW or seller is None:  # a double tap, or an old card
        await form.answer_stale(update, context)
        return _stay(update, context)
    await query.answer(texts("storefront.creating"))
    payload = {
        "storefront_id": draft.storefront_id,
        "setu_seller_id": seller.gateway_seller_id,
        **_gateway_fields(draft),
    }
    try:
        gateway_id = await _create(context, draft, payload)
    except Unavailable as failure:
        # The gateway may have made it and only the answer was lost: remember what was sent.
        if draft.sent is None:
            draft.sent = payload
            await draft.save(update, context, Step.REVIEW)
        return await _refused_by_gateway(update, context, draft, failure)
    except GatewayError as failure:
        return await _refused_by_gateway(update, context, draft, failure)
    shop = context.store.add_shop(
        Shop(
            storefront_id=draft.storefront_id,
            seller_id=seller.id,
            gateway_storefront_id=gateway_id,
            **storefront_form.kept_copy(payload),
        )
    )
    draft.discard(update, context)
    await draft.end(update, context)  # before any message: if one fails, it is still made
    log.info("seller %s opened storefront %s (gateway id %s)", seller.id, shop.id, gateway_id)
    await edit_markup_in_place(query, None)
    await say(update, texts("storefront.created", name=draft.answers["name"]))
    await stores.show_card(update, context, shop)
    return ConversationHandler.END


async def save_edit(update: Update, context: BotContext, draft: StorefrontDraft) -> Step | int:
    """Sends the edited storefront to the gateway and shows its card again."""
    texts = context.texts
    assert draft.shop_id is not None
    shop = context.store.shop_of(form.user_id(update), draft.shop_id)
    if shop is None:  # deleted meanwhile (another device)
        draft.discard(update, context)
        await say(update, texts("stores.not_found"))
        return await draft.end(update, context)
    sent = _gateway_fields(draft)
    try:
        changes = StorefrontUpdate.model_validate(sent)
        await context.gateway.update_storefront(shop.gateway_storefront_id, changes)
    except NotFound:
        draft.discard(update, context)
        await say(update, texts("stores.not_found"))
        return await draft.end(update, context)
    except GatewayError as failure:
        return await _refused_by_gateway(update, context, draft, failure)
    copy = storefront_form.kept_copy(sent)
    context.store.copy_storefront(shop.id or 0, **copy)
    shop.name = copy["name"]
    draft.discard(update, context)
    await draft.end(update, context)
    log.info("storefront %s edited", shop.id)
    await say(update, texts("storefront.saved"))
    await stores.show_card(update, context, shop)
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel: an edit is dropped (the storefront stays as it was); a new one is kept."""
    draft = current(update, context)
    if draft.editing:
        draft.discard(update, context)
        await say(update, context.texts("storefront.edit_cancelled"), ReplyKeyboardRemove())
        return await draft.end(update, context)
    draft.park(update, context)
    count = storefront_form.answered_count(draft.answers)
    await say(update, context.texts.plural("storefront.cancelled", count), ReplyKeyboardRemove())
    return await draft.end(update, context)


async def language_changed(update: Update, context: BotContext) -> Step | int:
    """A /language choice mid-way: the pending question again, in the new language."""
    if await language.apply_choice(update, context) == language.Choice.REPEATED:
        return Step(current(update, context).asking or Step.NAME)
    return await ask_again(update, context)


def handler() -> ConversationHandler:
    keep = CallbackQueryHandler(keep_answer, pattern=r"^sf:keep:\w+$")
    back = CallbackQueryHandler(go_back, pattern=r"^sf:back:\w+$")
    answers: list[BaseHandler] = [
        MessageHandler(filters.LOCATION & PRIVATE_MESSAGE, location_shared),
        MessageHandler(text, on_text),
        CallbackQueryHandler(category_toggled, pattern=r"^sf:cat:\w{1,8}$"),
        CallbackQueryHandler(choice_pressed, pattern=rf"^sf:({'|'.join(CHOICES)}):[\w-]+$"),
        CallbackQueryHandler(hours_chosen, pattern=r"^sf:hrs:[\w-]{1,20}$"),
        CallbackQueryHandler(day_pressed, pattern=r"^sf:day:\w+:\w+$"),
        CallbackQueryHandler(resume_chosen, pattern=r"^sf:resume:\w+$"),
        CallbackQueryHandler(fix_field, pattern=r"^sf:fix:\w+$"),
        CallbackQueryHandler(confirm, pattern=r"^sf:ok$"),
        keep,
        back,
    ]
    # Every state takes every answer: each handler checks it is the question asked now, so a
    # late press on an older question is answered as stale instead of falling through.
    states: dict[object, list[BaseHandler]] = {step: answers for step in Step}
    with warnings.catch_warnings():
        # Buttons are tracked per chat and user, as in onboarding (see there).
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("newstore", new_storefront, filters=PRIVATE_MESSAGE),
                CallbackQueryHandler(new_storefront, pattern=r"^menu:newstore$"),
                CallbackQueryHandler(edit_storefront, pattern=r"^sf:ed:\d+:\w+$"),
            ],
            states=states,
            fallbacks=[
                CommandHandler("cancel", cancel, filters=PRIVATE_MESSAGE),
                CallbackQueryHandler(language_changed, pattern=language.PICK_PATTERN),
                MessageHandler(not_text, wrong_kind),
            ],
            name=NAME,
            persistent=True,
            allow_reentry=True,
        )
