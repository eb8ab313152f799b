"""What every question-by-question conversation shares: the draft in our database, checkpoints,
and the answers to button presses (current, stale, or from a question no longer asked).

A flow subclasses `Draft` with its own fields and names its conversation and draft kind; its
`save` both stores the answers and checkpoints the conversation state before the question is
sent, so a restart resumes at the question the seller last saw.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from dataclasses import field as default
from enum import StrEnum
from typing import Any, ClassVar, Self, TypeVar

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from bot.storage.persistence import SQLModelPersistence

S = TypeVar("S", bound=StrEnum)
D = TypeVar("D", bound="Draft")
T = TypeVar("T")

log = logging.getLogger(__name__)


def user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def pressed_id(update: Update) -> int:
    """The short id a button names after its verb: 12 for "it:dec:12" or "sf:open:12"."""
    assert update.callback_query is not None and update.callback_query.data is not None
    return int(update.callback_query.data.split(":")[2])


def published_or_waiting(context: BotContext, done: str, waiting: bool) -> str:
    """`done`, and, when the marketplace did not answer and the write waits in the outbox
    (bot/outbox.py), that it will be published later."""
    return f"{done}\n\n{context.texts('outbox.saved')}" if waiting else done


async def owned(
    update: Update, context: BotContext, found: T | None, what: str, refusal: str
) -> T | None:
    """`found`, looked up among the presser's own things (`what`, for the log); if it is not
    there the press is answered with `refusal` and logged: every press on a storefront, an item
    or an order goes through here, whatever its callback data says."""
    if found is None and update.callback_query is not None:
        log.warning("user %s pressed on %s, not theirs", user_id(update), what)
        await update.callback_query.answer(context.texts(refusal), show_alert=True)
    return found


def _key(update: Update) -> tuple[int, int]:
    uid = user_id(update)
    return (update.effective_chat.id if update.effective_chat else uid, uid)


# Every draft kind by the conversation it belongs to (filled as Draft subclasses are defined).
_KINDS: dict[str, list[type[Draft]]] = {}


@dataclass
class Draft:
    """A flow in progress, as kept in the `drafts` table under `KIND`."""

    CONVERSATION: ClassVar[str]  # the ConversationHandler's name (its persistence key)
    KIND: ClassVar[str]  # the drafts table's kind
    # Whether the answers wait for the seller when they go to another flow (a new storefront
    # or product does; an edit of one simply stops, changing nothing).
    KEPT_WHEN_LEFT: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "KIND" in cls.__dict__:
            _KINDS.setdefault(cls.CONVERSATION, []).append(cls)

    answers: dict[str, Any] = default(default_factory=dict)
    asking: str | None = None  # the question the seller was last shown
    selecting: list[str] = default(default_factory=list)  # multi-select ticks, Done not yet tapped
    paused: bool = False  # told "paused after silence" (bot/jobs/silence.py); cleared by any answer

    @classmethod
    def load(cls, update: Update, context: BotContext) -> Self:
        data = context.store.draft(user_id(update), cls.KIND) or {}
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})

    @classmethod
    def exists(cls, update: Update, context: BotContext) -> bool:
        return context.store.draft(user_id(update), cls.KIND) is not None

    async def save(self, update: Update, context: BotContext, step: S) -> S:
        """Stores the draft and checkpoints the conversation at `step` before it is asked."""
        self.asking, self.paused = step.value, False
        uid = user_id(update)
        persistence = context.application.persistence
        data = asdict(self)
        if not context.store.draft_is(uid, self.KIND, data):
            context.store.save_draft(uid, self.KIND, data)
        # Both writes are skipped when already there: after a crash between the two, the state
        # is written on the next save even though the draft did not change.
        key = _key(update)
        if (
            isinstance(persistence, SQLModelPersistence)
            and persistence.written_state(self.CONVERSATION, key) != step
        ):
            await persistence.update_conversation(self.CONVERSATION, key, step)
        return step

    def park(self, update: Update, context: BotContext) -> None:
        """Keeps the answers with no question waiting (after /cancel): nothing to pause for."""
        self.asking = None
        context.store.save_draft(user_id(update), self.KIND, asdict(self))

    def discard(self, update: Update, context: BotContext) -> None:
        context.store.delete_draft(user_id(update), self.KIND)

    async def end(self, update: Update, context: BotContext) -> int:
        """Records at once that the conversation is over, so a crash cannot bring it back."""
        if context.application.persistence is not None:
            await context.application.persistence.update_conversation(
                self.CONVERSATION, _key(update), None
            )
        return ConversationHandler.END


def current(update: Update, context: BotContext, new: type[D], edit: type[D]) -> D:
    """The edit under way if there is one, else the draft of the new thing being made."""
    if edit.exists(update, context):
        return edit.load(update, context)
    return new.load(update, context)


def state_of(draft: Draft, steps: type[S]) -> S | int:
    """The state the draft's conversation is in: the question being asked, or none (ended)."""
    return steps(draft.asking) if draft.asking else ConversationHandler.END


async def answer_stale(update: Update, context: BotContext) -> None:
    """Answers a press on a button that no longer applies (an old question, a double tap)."""
    assert update.callback_query is not None
    await update.callback_query.answer(context.texts("error.stale_button"), show_alert=True)


async def button_value(update: Update, context: BotContext, allowed: Iterable[str]) -> str | None:
    """The last part of the pressed button's data if it is one of `allowed`, with the press
    answered; otherwise the press is answered as stale and None is returned."""
    query = update.callback_query
    assert query is not None and query.data is not None
    value = query.data.rsplit(":", 1)[1]
    if value not in allowed:
        await answer_stale(update, context)
        return None
    await query.answer()
    return value


async def pressed_on_current(update: Update, context: BotContext, draft_type: type[D]) -> D | None:
    """The draft, if the pressed button names the question being asked now (its data ends with
    the question's field), with the press answered and its buttons removed; otherwise the press
    is answered as stale and None is returned. Keeps a double tap, or a tap on an older
    question, from acting on whichever question is current by then."""
    query = update.callback_query
    assert query is not None and query.data is not None
    draft = draft_type.load(update, context)
    if query.data.rsplit(":", 1)[1] != draft.asking:
        await answer_stale(update, context)
        return None
    await query.answer()
    await query.edit_message_reply_markup(None)
    return draft


async def leave_other_flows(update: Update, context: BotContext, staying: str) -> None:
    """Entering one flow ends the others the seller left waiting, keeping their answers: what
    they type next answers the question on screen, not one asked earlier in another flow."""
    key = _key(update)
    uid = user_id(update)
    persistence = context.application.persistence
    for handler in context.application.handlers.get(0, []):
        if not isinstance(handler, ConversationHandler) or handler.name in (None, staying):
            continue
        # PTB has no public way to end a conversation from outside it: its state table and
        # setter are private. This is the one place that reaches into them.
        if handler._conversations.get(key) is None:
            continue
        handler._update_state(ConversationHandler.END, key)
        if persistence is not None:
            await persistence.update_conversation(handler.name, key, None)
        for kind in _KINDS.get(handler.name, []):
            data = context.store.draft(uid, kind.KIND)
            if data is None:
                continue
            if kind.KEPT_WHEN_LEFT:
                context.store.save_draft(uid, kind.KIND, {**data, "asking": None})
            else:
                context.store.delete_draft(uid, kind.KIND)
