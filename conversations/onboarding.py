"""Seller registration: language, one question per message, a review card, then the gateway.

State diagram: conversations/onboarding.mmd. Every answer is saved to the `drafts` table before
the next question is sent, and the conversation state is checkpointed at the same moment, so a
restart (or a crash) resumes at the question the seller last saw.
"""

from __future__ import annotations

import logging
import uuid
import warnings
from enum import StrEnum
from typing import Any

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
    TypeHandler,
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
from bot.gateways.base import BankAccount, GatewayError, InvalidRequest, SellerInput
from bot.i18n import Texts
from bot.storage.models import Seller
from bot.ui import callback, in_rows, inline
from conversations import language, menu

log = logging.getLogger(__name__)

NAME = "onboarding"
DRAFT = "seller"

private = filters.ChatType.PRIVATE
text = filters.TEXT & ~filters.COMMAND & private
not_text = ~filters.TEXT & ~filters.COMMAND & private


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


# Setu's field paths (setu-ondc.md §5) mapped to our questions, to re-ask what the gateway refused.
GATEWAY_FIELDS = {
    "name": "display_name",
    "legal_entity_name": "legal_name",
    "incorporation_type": "incorporation_type",
    "gst_number": "gstin",
    "pan_number": "pan",
    "categories": "categories",
    "fssai_number": "fssai",
    "bank_account.account_number": "account_number",
    "bank_account.ifsc_code": "ifsc",
    "bank_account": "account_number",
}


# --- the draft: answers so far, in our database --------------------------------------------


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def load_answers(update: Update, context: BotContext) -> Answers:
    draft = context.store.draft(_user_id(update), DRAFT) or {}
    return dict(draft.get("answers", {}))


def _selecting(update: Update, context: BotContext) -> list[str]:
    draft = context.store.draft(_user_id(update), DRAFT) or {}
    return list(draft.get("selecting", []))


async def _save(
    update: Update, context: BotContext, answers: Answers, step: Step, **extra: Any
) -> None:
    """Saves the answers and checkpoints the conversation at `step` before it is asked."""
    user_id = _user_id(update)
    draft = context.store.draft(user_id, DRAFT) or {}
    draft.update(answers=answers, asking=step.value, **extra)
    draft.setdefault("seller_id", str(uuid.uuid4()))
    context.store.save_draft(user_id, DRAFT, draft)
    persistence = context.application.persistence
    if persistence is not None:
        chat_id = update.effective_chat.id if update.effective_chat else user_id
        await persistence.update_conversation(NAME, (chat_id, user_id), step)


# --- asking -----------------------------------------------------------------------------------


def _categories_keyboard(selected: list[str], texts: Texts) -> InlineKeyboardMarkup:
    buttons = [
        (
            ("✅ " if category.value in selected else "▫️ ") + texts(f"category.{category.code}"),
            callback("ob", "cat", category.code),
        )
        for category in CATEGORIES
    ]
    rows = in_rows(buttons, 2)
    rows.append([(texts("button.done"), callback("ob", "cat", "done"))])
    return inline(rows)


async def ask(update: Update, context: BotContext, answers: Answers, field: str) -> Step:
    """Sends the question for `field` (with its current value when editing) and waits there."""
    step = Step(field)
    texts = context.texts
    chat = update.effective_chat
    assert chat is not None
    editing = field in answers
    extra: dict[str, Any] = {}
    if field == "categories":
        extra["selecting"] = list(answers.get("categories") or [])
    await _save(update, context, answers, step, **extra)

    question = texts(f"onboarding.ask.{field}")
    if editing:
        question += "\n\n" + texts("onboarding.current", value=shown(field, answers[field], texts))
    keep = [(texts("button.keep"), callback("ob", "keep"))] if editing else []

    if field == "incorporation_type":
        buttons = [
            (texts(f"incorporation.{code}"), callback("ob", "inc", code))
            for code in INCORPORATION_TYPES
        ]
        rows = in_rows(buttons, 2) + ([keep] if keep else [])
        await chat.send_message(question, reply_markup=inline(rows))
    elif field == "categories":
        await chat.send_message(
            question, reply_markup=_categories_keyboard(extra["selecting"], texts)
        )
    elif field == "phone":
        share = KeyboardButton(texts("button.share_phone"), request_contact=True)
        await chat.send_message(
            question,
            reply_markup=ReplyKeyboardMarkup(
                [[share]], resize_keyboard=True, one_time_keyboard=True
            ),
        )
    elif field == "email":
        rows = [[(texts("button.skip"), callback("ob", "skip"))]] + ([keep] if keep else [])
        await chat.send_message(question, reply_markup=inline(rows))
    else:
        await chat.send_message(question, reply_markup=inline([keep]) if keep else None)
    return step


async def ask_next(update: Update, context: BotContext, answers: Answers) -> Step:
    """The next unanswered question, or the review card when everything is answered."""
    field = registration.next_field(answers)
    if field is None:
        return await show_review(update, context, answers)
    return await ask(update, context, answers, field)


async def reask(update: Update, context: BotContext, reason: str, **params: object) -> Step:
    """Tells the seller what was wrong and asks the same question again."""
    answers = load_answers(update, context)
    draft = context.store.draft(_user_id(update), DRAFT) or {}
    field = draft.get("asking") or registration.next_field(answers) or "display_name"
    await update.effective_chat.send_message(context.texts(reason, **params))  # type: ignore[union-attr]
    return await _ask_again(update, context, answers, field)


async def _ask_again(update: Update, context: BotContext, answers: Answers, field: str) -> Step:
    if field == Step.LANGUAGE:
        await language.show_picker(update, context)
        return Step.LANGUAGE
    if field == Step.REVIEW:
        return await show_review(update, context, answers)
    return await ask(update, context, answers, field)


# --- the review card --------------------------------------------------------------------------


def review_text(answers: Answers, texts: Texts) -> str:
    lines = [texts("onboarding.review.title"), "", *seller_lines(answers, texts)]
    return "\n".join([*lines, "", texts("onboarding.review.hint")])


async def show_review(update: Update, context: BotContext, answers: Answers) -> Step:
    texts = context.texts
    await _save(update, context, answers, Step.REVIEW)
    edits = [
        (texts("button.edit", label=texts(f"field.{field}")), callback("ob", "edit", field))
        for field in registration.FIELDS
        if registration.is_required(field, answers)
    ]
    rows = [*in_rows(edits, 2), [(texts("button.confirm"), callback("ob", "ok"))]]
    await update.effective_chat.send_message(  # type: ignore[union-attr]
        review_text(answers, texts), reply_markup=inline(rows)
    )
    return Step.REVIEW


# --- entering, answering -----------------------------------------------------------------------


async def start(update: Update, context: BotContext) -> Step | int:
    """/start: the main menu for a seller; otherwise registration from where it stopped."""
    user_id = _user_id(update)
    if context.store.seller_of(user_id):
        await menu.show_main_menu(update, context)
        return ConversationHandler.END
    if context.store.language_of(user_id) is None:
        await language.show_picker(update, context)
        await _save(update, context, load_answers(update, context), Step.LANGUAGE)
        return Step.LANGUAGE
    answers = load_answers(update, context)
    key = "onboarding.welcome_back" if answers else "onboarding.welcome"
    await update.effective_chat.send_message(context.texts(key))  # type: ignore[union-attr]
    return await ask_next(update, context, answers)


async def language_chosen(update: Update, context: BotContext) -> Step:
    if not await language.apply_choice(update, context):
        return Step.LANGUAGE
    answers = load_answers(update, context)
    key = "onboarding.welcome_back" if answers else "onboarding.welcome"
    await update.effective_chat.send_message(context.texts(key))  # type: ignore[union-attr]
    return await ask_next(update, context, answers)


async def language_changed(update: Update, context: BotContext) -> Step:
    """A /language choice mid-registration: the pending question again, in the new language."""
    await language.apply_choice(update, context)
    return await reask_current(update, context)


async def reask_current(update: Update, context: BotContext) -> Step:
    answers = load_answers(update, context)
    draft = context.store.draft(_user_id(update), DRAFT) or {}
    field = draft.get("asking")
    if field is None:
        return await ask_next(update, context, answers)
    return await _ask_again(update, context, answers, field)


def typed(field: str):  # type: ignore[no-untyped-def]
    """The handler for a question answered by typing."""

    async def on_text(update: Update, context: BotContext) -> Step:
        answers = load_answers(update, context)
        text = update.effective_message.text or ""  # type: ignore[union-attr]
        try:
            value = registration.clean_typed(field, text, answers)
        except InvalidInput as problem:
            return await reask(update, context, problem.reason, **problem.params)
        return await ask_next(update, context, registration.answer(answers, field, value))

    on_text.__name__ = f"on_{field}"
    return on_text


async def wrong_kind(update: Update, context: BotContext) -> Step:
    """A photo, sticker or file where a typed answer or a button press is expected."""
    draft = context.store.draft(_user_id(update), DRAFT) or {}
    asking = draft.get("asking")
    reason = {
        "incorporation_type": "error.use_buttons",
        "categories": "error.use_buttons",
        "phone": "error.share_contact",
        "review": "error.use_buttons",
        "language": "error.use_buttons",
    }.get(asking or "", "error.type_text")
    return await reask(update, context, reason)


async def incorporation_chosen(update: Update, context: BotContext) -> Step:
    query = update.callback_query
    assert query is not None and query.data is not None
    code = query.data.rsplit(":", 1)[1]
    if code not in INCORPORATION_TYPES:
        await query.answer(context.texts("error.stale_button"), show_alert=True)
        return Step.INCORPORATION_TYPE
    texts = context.texts
    await query.answer()
    await query.edit_message_text(
        texts(
            "onboarding.chosen",
            label=texts("field.incorporation_type"),
            answer=texts(f"incorporation.{code}"),
        )
    )
    answers = registration.answer(load_answers(update, context), "incorporation_type", code)
    return await ask_next(update, context, answers)


async def category_toggled(update: Update, context: BotContext) -> Step:
    query = update.callback_query
    assert query is not None and query.data is not None
    texts = context.texts
    code = query.data.rsplit(":", 1)[1]
    answers = load_answers(update, context)
    selecting = _selecting(update, context)
    if code == "done":
        if not selecting:
            await query.answer(texts("error.pick_a_category"), show_alert=True)
            return Step.CATEGORIES
        await query.answer()
        await query.edit_message_text(
            texts(
                "onboarding.chosen",
                label=texts("field.categories"),
                answer=shown("categories", selecting, texts),
            )
        )
        ordered = [c.value for c in CATEGORIES if c.value in selecting]
        return await ask_next(update, context, registration.answer(answers, "categories", ordered))
    try:
        value = category_by_code(code).value
    except KeyError:
        await query.answer(texts("error.stale_button"), show_alert=True)
        return Step.CATEGORIES
    selecting = [v for v in selecting if v != value] if value in selecting else [*selecting, value]
    await _save(update, context, answers, Step.CATEGORIES, selecting=selecting)
    await query.answer()
    await query.edit_message_reply_markup(_categories_keyboard(selecting, texts))
    return Step.CATEGORIES


async def contact_shared(update: Update, context: BotContext) -> Step:
    message = update.effective_message
    assert message is not None and message.contact is not None
    if message.contact.user_id != _user_id(update):
        return await reask(update, context, "error.not_your_contact")
    try:
        phone = clean_phone(message.contact.phone_number)
    except InvalidInput as problem:
        return await reask(update, context, problem.reason, **problem.params)
    await message.reply_text(
        context.texts("onboarding.phone_saved", phone=phone), reply_markup=ReplyKeyboardRemove()
    )
    answers = registration.answer(load_answers(update, context), "phone", phone)
    return await ask_next(update, context, answers)


async def phone_typed(update: Update, context: BotContext) -> Step:
    return await reask(update, context, "error.share_contact")


async def email_skipped(update: Update, context: BotContext) -> Step:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(None)
    answers = registration.answer(load_answers(update, context), "email", None)
    return await ask_next(update, context, answers)


async def keep_answer(update: Update, context: BotContext) -> Step:
    """ "Keep as it is" while editing: back to the review card unchanged."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(None)
    return await ask_next(update, context, load_answers(update, context))


async def edit_field(update: Update, context: BotContext) -> Step:
    query = update.callback_query
    assert query is not None and query.data is not None
    field = query.data.rsplit(":", 1)[1]
    answers = load_answers(update, context)
    if field not in registration.FIELDS or not registration.is_required(field, answers):
        await query.answer(context.texts("error.stale_button"), show_alert=True)
        return Step.REVIEW
    await query.answer()
    await query.edit_message_reply_markup(None)
    return await ask(update, context, answers, field)


async def confirm(update: Update, context: BotContext) -> Step | int:
    """Creates the seller through the gateway and links it to this Telegram user."""
    query = update.callback_query
    assert query is not None
    texts = context.texts
    user_id = _user_id(update)
    answers = load_answers(update, context)
    missing = registration.next_field(answers)
    if missing is not None:
        await query.answer()
        return await ask(update, context, answers, missing)
    draft = context.store.draft(user_id, DRAFT) or {}
    seller_id = draft.get("seller_id") or str(uuid.uuid4())
    await query.answer(texts("onboarding.registering"))
    try:
        gateway_seller_id = await context.gateway.create_seller(to_seller_input(seller_id, answers))
    except InvalidRequest as refused:
        log.warning("gateway refused seller %s: %s", seller_id, refused)
        field = next(
            (GATEWAY_FIELDS[e.field] for e in refused.errors if e.field in GATEWAY_FIELDS), None
        )
        if field is None:
            await update.effective_chat.send_message(texts("error.gateway_refused"))  # type: ignore[union-attr]
            return Step.REVIEW
        await update.effective_chat.send_message(  # type: ignore[union-attr]
            texts("error.gateway_refused_field", label=texts(f"field.{field}"))
        )
        return await ask(update, context, answers, field)
    except GatewayError as failure:
        log.warning("gateway unavailable for seller %s: %s", seller_id, failure)
        await update.effective_chat.send_message(texts("error.gateway_unavailable"))  # type: ignore[union-attr]
        return Step.REVIEW
    context.store.add_seller(
        Seller(
            id=seller_id,
            telegram_id=user_id,
            gateway=context.settings.gateway,
            gateway_seller_id=gateway_seller_id,
            display_name=answers["display_name"],
            phone=answers["phone"],
            email=answers.get("email"),
        )
    )
    context.store.delete_draft(user_id, DRAFT)
    log.info("registered seller %s (gateway id %s)", seller_id, gateway_seller_id)
    await query.edit_message_reply_markup(None)
    await update.effective_chat.send_message(  # type: ignore[union-attr]
        texts("onboarding.registered", name=answers["display_name"])
    )
    await menu.show_main_menu(update, context)
    if context.application.persistence is not None:
        await context.application.persistence.update_conversation(
            NAME,
            (update.effective_chat.id, user_id),
            None,  # type: ignore[union-attr]
        )
    return ConversationHandler.END


def to_seller_input(seller_id: str, answers: Answers) -> SellerInput:
    return SellerInput(
        seller_id=seller_id,
        name=answers["display_name"],
        legal_entity_name=answers["legal_name"],
        incorporation_type=answers["incorporation_type"],
        gst_number=answers["gstin"],
        pan_number=answers["pan"],
        categories=answers["categories"],
        fssai_number=answers.get("fssai"),
        bank_account=BankAccount(
            account_number=answers["account_number"], ifsc_code=answers["ifsc"]
        ),
    )


async def cancel(update: Update, context: BotContext) -> int:
    answers = load_answers(update, context)
    await update.effective_chat.send_message(  # type: ignore[union-attr]
        context.texts.plural("onboarding.cancelled", registration.answered_count(answers)),
        reply_markup=ReplyKeyboardRemove(),
    )
    return ConversationHandler.END


async def timed_out(update: object, context: BotContext) -> None:
    """After a long silence: say the answers are kept, and how to go on."""
    if isinstance(update, Update) and update.effective_chat:
        await update.effective_chat.send_message(
            context.texts("onboarding.timed_out"), reply_markup=ReplyKeyboardRemove()
        )


async def stale_button(update: Update, context: BotContext) -> Step:
    """A button from an earlier question pressed now: say so and show the current question."""
    assert update.callback_query is not None
    await update.callback_query.answer(context.texts("error.stale_button"))
    return await reask_current(update, context)


def handler(timeout_minutes: float) -> ConversationHandler:
    keep = CallbackQueryHandler(keep_answer, pattern=r"^ob:keep$")
    states: dict[object, list] = {
        Step.LANGUAGE: [CallbackQueryHandler(language_chosen, pattern=language.PICK_PATTERN)],
        Step.INCORPORATION_TYPE: [
            CallbackQueryHandler(incorporation_chosen, pattern=r"^ob:inc:[A-Z]{1,8}$"),
            keep,
        ],
        Step.CATEGORIES: [CallbackQueryHandler(category_toggled, pattern=r"^ob:cat:\w{1,8}$")],
        Step.PHONE: [
            MessageHandler(filters.CONTACT & private, contact_shared),
            MessageHandler(text, phone_typed),
        ],
        Step.EMAIL: [
            MessageHandler(text, typed("email")),
            CallbackQueryHandler(email_skipped, pattern=r"^ob:skip$"),
            keep,
        ],
        Step.REVIEW: [
            CallbackQueryHandler(edit_field, pattern=r"^ob:edit:\w+$"),
            CallbackQueryHandler(confirm, pattern=r"^ob:ok$"),
        ],
        ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
    }
    for field in registration.TYPED_FIELDS - {"email"}:
        states[Step(field)] = [MessageHandler(text, typed(field)), keep]
    with warnings.catch_warnings():
        # Buttons are tracked per chat and user, which is what we want: PTB warns because
        # per_message=False cannot tell two messages' buttons apart; stale ones are re-asked.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return _conversation(states, timeout_minutes)


def _conversation(states: dict[object, list], timeout_minutes: float) -> ConversationHandler:
    return ConversationHandler(
        entry_points=[CommandHandler("start", start, filters=private)],
        states=states,
        fallbacks=[
            CommandHandler("cancel", cancel, filters=private),
            CommandHandler("start", start, filters=private),
            CallbackQueryHandler(language_changed, pattern=language.PICK_PATTERN),
            MessageHandler(not_text, wrong_kind),
            MessageHandler(text, wrong_kind),
            CallbackQueryHandler(stale_button, pattern=r"^ob:"),
        ],
        name=NAME,
        persistent=True,
        allow_reentry=True,
        conversation_timeout=timeout_minutes * 60,
    )
