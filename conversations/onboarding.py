"""Seller registration: language, one question per message, a review card, then the gateway.

State diagram: conversations/onboarding.mmd. Every answer is saved to the `drafts` table before
the next question is sent, and the conversation state is checkpointed at the same moment, so a
restart (or a crash) resumes at the question the seller last saw. After a long silence the
seller is told registration is paused (bot/jobs/silence.py); their next answer goes on.
"""

from __future__ import annotations

import logging
import uuid
import warnings
from collections.abc import Callable, Coroutine
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
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.cards import seller_lines, shown
from bot.context import BotContext
from bot.domain import registration
from bot.domain.categories import (
    CATEGORIES,
    INCORPORATION_TYPES,
    category_by_code,
)
from bot.domain.registration import Answers
from bot.domain.seller import InvalidInput, clean_phone
from bot.gateways.base import GatewayError, InvalidRequest, SellerInput, Unavailable
from bot.i18n import Texts
from bot.storage.models import Seller
from bot.ui import PRIVATE_MESSAGE, ReplyMarkup, callback, in_rows, inline, say, with_note
from conversations import form, language, menu

log = logging.getLogger(__name__)

NAME = "onboarding"
DRAFT = "seller"

text = filters.TEXT & ~filters.COMMAND & PRIVATE_MESSAGE
not_text = ~filters.TEXT & ~filters.COMMAND & PRIVATE_MESSAGE


class Step(StrEnum):
    """Where a seller is in registration; each question's state is named after its field."""

    LANGUAGE = "language"
    DISPLAY_NAME = "display_name"
    LEGAL_NAME = "legal_name"
    INCORPORATION_TYPE = "incorporation_type"
    GSTIN = "gstin"
    PAN = "pan"
    CATEGORIES = "categories"
    FSSAI = "fssai"
    ACCOUNT_NUMBER = "account_number"
    IFSC = "ifsc"
    PHONE = "phone"
    EMAIL = "email"
    REVIEW = "review"


# --- the draft: answers so far, in our database --------------------------------------------


@dataclass
class Registration(form.Draft):
    """A registration in progress, as kept in the `drafts` table."""

    CONVERSATION: ClassVar[str] = NAME
    KIND: ClassVar[str] = DRAFT

    # Our seller id is fixed with the first answer: a Confirm retried after a lost answer sends
    # the same seller again, and the gateway returns the one it made (creation is idempotent).
    seller_id: str = default(default_factory=lambda: str(uuid.uuid4()))


# --- asking -----------------------------------------------------------------------------------


Rows = list[list[tuple[str, str]]]


def _way_out(field: str, answers: Answers, texts: Texts) -> Rows:
    """Keep, for an answered question (back to the review card, or to where the seller was),
    and Back to the question before, while registering (not when editing from the review)."""
    # The buttons name their question: a double tap, or a tap on an older question, must not
    # act on whichever question is current by then.
    rows: Rows = []
    if field in answers:
        rows.append([(texts("button.keep"), callback("ob", "keep", field))])
    registering = registration.next_field(answers) is not None
    if registering and registration.previous_field(field, answers) is not None:
        rows.append([(texts("button.back"), callback("ob", "back", field))])
    return rows


def _categories_keyboard(selected: list[str], texts: Texts, way_out: Rows) -> InlineKeyboardMarkup:
    buttons = [
        (
            ("✅ " if category.value in selected else "▫️ ") + texts(f"category.{category.code}"),
            callback("ob", "cat", category.code),
        )
        for category in CATEGORIES
    ]
    done = [(texts("button.done"), callback("ob", "cat", "done"))]
    return inline([*in_rows(buttons, 2), done, *way_out])


async def ask(
    update: Update, context: BotContext, draft: Registration, field: str, note: str = ""
) -> Step:
    """Sends the question for `field` (with its current value when editing) and waits there.

    `note` goes above the question in the same message (why the last answer was refused, a
    welcome): one message instead of two is quicker to read and to receive on a weak network.
    """
    texts = context.texts
    answers = draft.answers
    editing = field in answers
    if field == "categories" and draft.asking != Step.CATEGORIES:
        draft.selecting = list(answers.get("categories") or [])  # ticks start from the answer
    step = await draft.save(update, context, Step(field))

    question = with_note(note, texts(f"onboarding.ask.{field}"))
    if editing:
        question += "\n\n" + texts("onboarding.current", value=shown(field, answers[field], texts))
    way_out = _way_out(field, answers, texts)

    markup: ReplyMarkup | None = inline(way_out) if way_out else None
    if field == "incorporation_type":
        buttons = [
            (texts(f"incorporation.{code}"), callback("ob", "inc", code))
            for code in INCORPORATION_TYPES
        ]
        markup = inline([*in_rows(buttons, 2), *way_out])
    elif field == "categories":
        markup = _categories_keyboard(draft.selecting, texts, way_out)
    elif field == "phone":
        # A reply keyboard replaces inline buttons: Back and Keep are not offered here.
        share = KeyboardButton(texts("button.share_phone"), request_contact=True)
        markup = ReplyKeyboardMarkup([[share]], resize_keyboard=True, one_time_keyboard=True)
    elif field == "email":
        markup = inline([[(texts("button.skip"), callback("ob", "skip"))], *way_out])
    await say(update, question, markup)
    return step


async def ask_next(
    update: Update, context: BotContext, draft: Registration, note: str = ""
) -> Step:
    """The next unanswered question, or the review card when everything is answered."""
    field = registration.next_field(draft.answers)
    if field is None:
        return await show_review(update, context, draft, note)
    return await ask(update, context, draft, field, note)


async def answered(
    update: Update,
    context: BotContext,
    field: str,
    value: Any,
    draft: Registration | None = None,
) -> Step:
    """Records an answer and moves on (`draft`: the one the caller already loaded, if any)."""
    draft = draft or Registration.load(update, context)
    draft.answers = registration.answer(draft.answers, field, value)
    return await ask_next(update, context, draft)


async def ask_again(
    update: Update, context: BotContext, note: str = "", draft: Registration | None = None
) -> Step:
    """The question the seller was last shown, again (after a wrong answer or a language change)."""
    draft = draft or Registration.load(update, context)
    if draft.asking == Step.LANGUAGE:
        await language.show_picker(update, context, note)
        return Step.LANGUAGE
    if draft.asking is None or draft.asking == Step.REVIEW:
        return await ask_next(update, context, draft, note)
    return await ask(update, context, draft, draft.asking, note)


async def refuse(
    update: Update,
    context: BotContext,
    reason: str,
    *,
    draft: Registration | None = None,
    **params: object,
) -> Step:
    """Tells the seller what was wrong and asks the same question again, in one message."""
    return await ask_again(update, context, context.texts(reason, **params), draft)


# --- the review card --------------------------------------------------------------------------


def review_text(answers: Answers, texts: Texts) -> str:
    lines = [texts("onboarding.review.title"), "", *seller_lines(answers, texts)]
    return "\n".join([*lines, "", texts("onboarding.review.hint")])


async def show_review(
    update: Update, context: BotContext, draft: Registration, note: str = ""
) -> Step:
    texts = context.texts
    step = await draft.save(update, context, Step.REVIEW)
    edits = [
        (texts("button.edit", label=texts(f"field.{field}")), callback("ob", "edit", field))
        for field in registration.FIELDS
        if registration.is_required(field, draft.answers)
    ]
    rows = [*in_rows(edits, 2), [(texts("button.confirm"), callback("ob", "ok"))]]
    await say(update, with_note(note, review_text(draft.answers, texts)), inline(rows))
    return step


# --- entering, answering -----------------------------------------------------------------------


async def start(update: Update, context: BotContext) -> Step | int:
    """/start: the main menu for a seller; otherwise registration from where it stopped."""
    if context.store.seller_of(form.user_id(update)):
        await menu.show_main_menu(update, context)
        return ConversationHandler.END
    draft = Registration.load(update, context)
    if context.store.language_of(form.user_id(update)) is None:
        await language.show_picker(update, context)
        return await draft.save(update, context, Step.LANGUAGE)
    return await welcome(update, context, draft)


async def welcome(update: Update, context: BotContext, draft: Registration) -> Step:
    greeting = "onboarding.welcome_back" if draft.answers else "onboarding.welcome"
    return await ask_next(update, context, draft, note=context.texts(greeting))


async def language_chosen(update: Update, context: BotContext) -> Step:
    if await language.apply_choice(update, context) != language.Choice.APPLIED:
        return Step.LANGUAGE
    return await welcome(update, context, Registration.load(update, context))


async def language_changed(update: Update, context: BotContext) -> Step:
    """A /language choice mid-registration: the pending question again, in the new language."""
    if await language.apply_choice(update, context) == language.Choice.REPEATED:
        return Step(Registration.load(update, context).asking or Step.LANGUAGE)
    return await ask_again(update, context)


def typed(field: str) -> Callable[[Update, BotContext], Coroutine[Any, Any, Step]]:
    """The handler for a question answered by typing."""

    async def on_text(update: Update, context: BotContext) -> Step:
        draft = Registration.load(update, context)
        text = update.effective_message.text or ""  # type: ignore[union-attr]
        try:
            value = registration.clean_typed(field, text, draft.answers)
        except InvalidInput as problem:
            return await refuse(update, context, problem.reason, draft=draft, **problem.params)
        return await answered(update, context, field, value, draft)

    on_text.__name__ = f"on_{field}"
    return on_text


# What to say when a question gets the wrong kind of message (a sticker, a photo, typed text
# where a button is expected).
WRONG_KIND = {
    Step.LANGUAGE: "error.use_buttons",
    Step.INCORPORATION_TYPE: "error.use_buttons",
    Step.CATEGORIES: "error.use_buttons",
    Step.REVIEW: "error.use_buttons",
    Step.PHONE: "error.share_contact",
}


async def wrong_kind(update: Update, context: BotContext) -> Step:
    asking = Registration.load(update, context).asking
    return await refuse(update, context, WRONG_KIND.get(asking, "error.type_text"))  # type: ignore[call-overload]


async def incorporation_chosen(update: Update, context: BotContext) -> Step:
    code = await form.button_value(update, context, INCORPORATION_TYPES)
    if code is None:
        return Step.INCORPORATION_TYPE
    texts = context.texts
    await update.callback_query.edit_message_text(  # type: ignore[union-attr]
        texts(
            "onboarding.chosen",
            label=texts("field.incorporation_type"),
            answer=texts(f"incorporation.{code}"),
        )
    )
    return await answered(update, context, "incorporation_type", code)


async def category_toggled(update: Update, context: BotContext) -> Step:
    query = update.callback_query
    assert query is not None and query.data is not None
    texts = context.texts
    draft = Registration.load(update, context)
    if query.data.endswith(":done") and not draft.selecting:
        await query.answer(texts("error.pick_a_category"), show_alert=True)
        return Step.CATEGORIES
    code = await form.button_value(update, context, [*(c.code for c in CATEGORIES), "done"])
    if code is None:
        return Step.CATEGORIES
    if code == "done":
        chosen = [c.value for c in CATEGORIES if c.value in draft.selecting]
        await query.edit_message_text(
            texts(
                "onboarding.chosen",
                label=texts("field.categories"),
                answer=shown("categories", chosen, texts),
            )
        )
        return await answered(update, context, "categories", chosen)
    value = category_by_code(code).value
    if value in draft.selecting:
        draft.selecting.remove(value)
    else:
        draft.selecting.append(value)
    await draft.save(update, context, Step.CATEGORIES)
    way_out = _way_out("categories", draft.answers, texts)
    await query.edit_message_reply_markup(_categories_keyboard(draft.selecting, texts, way_out))
    return Step.CATEGORIES


async def contact_shared(update: Update, context: BotContext) -> Step:
    message = update.effective_message
    assert message is not None and message.contact is not None
    if message.contact.user_id != form.user_id(update):
        return await refuse(update, context, "error.not_your_contact")
    try:
        phone = clean_phone(message.contact.phone_number)
    except InvalidInput as problem:
        return await refuse(update, context, problem.reason, **problem.params)
    await say(update, context.texts("onboarding.phone_saved", phone=phone), ReplyKeyboardRemove())
    return await answered(update, context, "phone", phone)


async def phone_typed(update: Update, context: BotContext) -> Step:
    return await refuse(update, context, "error.share_contact")


async def email_skipped(update: Update, context: BotContext) -> Step:
    await update.callback_query.answer()  # type: ignore[union-attr]
    await update.callback_query.edit_message_reply_markup(None)  # type: ignore[union-attr]
    return await answered(update, context, "email", None)


async def keep_answer(update: Update, context: BotContext) -> Step | None:
    """Keep as it is: on to the first unanswered question, or the review card."""
    draft = await form.pressed_on_current(update, context, Registration)
    return None if draft is None else await ask_next(update, context, draft)


async def go_back(update: Update, context: BotContext) -> Step | None:
    """Back: the question before this one, with its answer shown; answering it (or Keep)
    comes back here, because this is then the first unanswered question."""
    draft = await form.pressed_on_current(update, context, Registration)
    if draft is None:
        return None
    previous = registration.previous_field(draft.asking or "", draft.answers)
    assert previous is not None, "Back is offered only where there is a question before"
    return await ask(update, context, draft, previous)


async def edit_field(update: Update, context: BotContext) -> Step:
    draft = Registration.load(update, context)
    editable = [f for f in registration.FIELDS if registration.is_required(f, draft.answers)]
    field = await form.button_value(update, context, editable)
    if field is None:
        return Step.REVIEW
    await update.callback_query.edit_message_reply_markup(None)  # type: ignore[union-attr]
    return await ask(update, context, draft, field)


async def confirm(update: Update, context: BotContext) -> Step | int:
    """Creates the seller through the gateway and links it to this Telegram user."""
    query = update.callback_query
    assert query is not None
    texts = context.texts
    if context.store.seller_of(form.user_id(update)):  # registered already (a crash, a double tap)
        await query.answer(texts("error.stale_button"), show_alert=True)
        await menu.show_main_menu(update, context)
        return await ended(update, context)
    draft = Registration.load(update, context)
    missing = registration.next_field(draft.answers)
    if missing is not None:
        await query.answer()
        return await ask(update, context, draft, missing)
    await query.answer(texts("onboarding.registering"))
    try:
        gateway_id = await context.gateway.create_seller(to_seller_input(draft))
    except InvalidRequest as refused:
        log.warning("gateway refused seller %s: %s", draft.seller_id, refused)
        field = next(filter(None, (registration.field_at(e.field) for e in refused.errors)), None)
        if field is None:
            await say(update, texts("error.gateway_refused"))
            return Step.REVIEW
        note = texts("error.gateway_refused_field", label=texts(f"field.{field}"))
        return await ask(update, context, draft, field, note)
    except Unavailable as failure:
        log.warning("gateway unavailable for seller %s: %s", draft.seller_id, failure)
        await say(update, texts("error.gateway_unavailable"))
        return Step.REVIEW
    except GatewayError as failure:  # e.g. our seller id taken by someone else: not retryable
        log.error("gateway refused seller %s: %r", draft.seller_id, failure)
        await say(update, texts("error.gateway_refused"))
        return Step.REVIEW
    answers = draft.answers
    context.store.add_seller(
        Seller(
            id=draft.seller_id,
            telegram_id=form.user_id(update),
            gateway=context.settings.gateway,
            gateway_seller_id=gateway_id,
            display_name=answers["display_name"],
            phone=answers["phone"],
            email=answers.get("email"),
        )
    )
    draft.discard(update, context)
    await ended(update, context)  # before any message: if one fails, registration is still over
    log.info("registered seller %s (gateway id %s)", draft.seller_id, gateway_id)
    await query.edit_message_reply_markup(None)
    await say(update, texts("onboarding.registered", name=answers["display_name"]))
    await menu.show_main_menu(update, context)
    return ConversationHandler.END


async def ended(update: Update, context: BotContext) -> int:
    return await Registration().end(update, context)


def to_seller_input(draft: Registration) -> SellerInput:
    payload = registration.to_gateway(draft.answers)
    return SellerInput.model_validate({"seller_id": draft.seller_id, **payload})


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel: stop asking, say how many answers are kept for /start to continue from."""
    draft = Registration.load(update, context)
    kept = registration.answered_count(draft.answers)
    draft.park(update, context)
    await say(update, context.texts.plural("onboarding.cancelled", kept), ReplyKeyboardRemove())
    return await ended(update, context)


def handler() -> ConversationHandler:
    keep = CallbackQueryHandler(keep_answer, pattern=r"^ob:keep:\w+$")
    back = CallbackQueryHandler(go_back, pattern=r"^ob:back:\w+$")
    states: dict[object, list] = {
        Step.LANGUAGE: [CallbackQueryHandler(language_chosen, pattern=language.PICK_PATTERN)],
        Step.INCORPORATION_TYPE: [
            CallbackQueryHandler(incorporation_chosen, pattern=r"^ob:inc:[A-Z]{1,8}$"),
            keep,
            back,
        ],
        Step.CATEGORIES: [
            CallbackQueryHandler(category_toggled, pattern=r"^ob:cat:\w{1,8}$"),
            keep,
            back,
        ],
        Step.PHONE: [
            MessageHandler(filters.CONTACT & PRIVATE_MESSAGE, contact_shared),
            MessageHandler(text, phone_typed),
        ],
        Step.EMAIL: [
            MessageHandler(text, typed("email")),
            CallbackQueryHandler(email_skipped, pattern=r"^ob:skip$"),
            keep,
            back,
        ],
        Step.REVIEW: [
            CallbackQueryHandler(edit_field, pattern=r"^ob:edit:\w+$"),
            CallbackQueryHandler(confirm, pattern=r"^ob:ok$"),
        ],
    }
    for field in registration.TYPED_FIELDS - {"email"}:
        states[Step(field)] = [MessageHandler(text, typed(field)), keep, back]
    with warnings.catch_warnings():
        # Buttons are tracked per chat and user, which is what we want: PTB warns because
        # per_message=False cannot tell two messages' buttons apart; a stale press falls
        # through to the catch-all in conversations/menu.py, which says so.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return _conversation(states)


def _conversation(states: dict[object, list]) -> ConversationHandler:
    return ConversationHandler(
        entry_points=[CommandHandler("start", start, filters=PRIVATE_MESSAGE)],
        states=states,
        fallbacks=[
            CommandHandler("cancel", cancel, filters=PRIVATE_MESSAGE),
            CommandHandler("start", start, filters=PRIVATE_MESSAGE),
            CallbackQueryHandler(language_changed, pattern=language.PICK_PATTERN),
            MessageHandler(not_text, wrong_kind),
            MessageHandler(text, wrong_kind),
        ],
        name=NAME,
        persistent=True,
        allow_reentry=True,
        # No conversation_timeout: PTB would reschedule a job on every update (5% of the CPU
        # in bench/updates.py) and forget it at a restart; bot/jobs/silence.py does it instead.
    )
